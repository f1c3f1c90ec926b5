// The heap part of a witness: lazily created objects, the pointers to them, and what unmodelled calls wrote.
import type { CompletedPath } from '../symex/executor';
import type { InitHeap } from '../symex/lazyMemory';
import { arraySymbol, symbol } from '../term/expr';
import type { ModelEvaluator } from '../term/model';
import { Witness, witnessBytes } from './witness';

/**
 * Adds the path's lazy objects and unmodelled writes to `witness`. `read` holds, per array symbol,
 * the indices the path condition reads (the only bytes that matter; the others stay 0).
 */
export function addHeapToWitness(witness: Witness, path: CompletedPath, evaluator: ModelEvaluator, read: Map<string, Set<bigint>>, initialHeap?: InitHeap): void {
  const bytesOf = (arrayName: string, size: number): string => {
    const extent = path.inputExtents.get(arrayName);
    let end = 0;
    extent?.offsets.forEach((offset, i) => { end = Math.max(end, Math.min(size, Number(evaluator.bitvec(offset)) + extent.sizes[i]!)); });
    const bytes = new Map<number, number>();
    const array = arraySymbol(arrayName);
    for (const index of read.get(arrayName) ?? []) if (index < BigInt(end)) bytes.set(Number(index), Number(evaluator.arrayByte(array, index)));
    return witnessBytes(bytes);
  };
  // An init function's allocations exist on every path, with the pointers it left to them.
  const addObject = (name: string, arrayName: string, size: number): void => {
    (witness.heap ??= {})[name] = bytesOf(arrayName, size);
    (witness.heapSizes ??= {})[name] = size;
  };
  for (const allocated of initialHeap?.objects ?? []) addObject(allocated.name, `mem:${allocated.name}`, allocated.size);
  for (const p of initialHeap?.pointers ?? []) ((witness.pointers ??= {})[p.holder] ??= {})[String(p.offset)] = p.target;
  // A lazy object whose pointer is NULL in this witness does not exist when it runs: nothing writes it.
  const absent = new Set<string>();
  for (const object of path.lazyObjects ?? []) {
    const isNull = evaluator.bitvec(symbol(object.nullSymbol, 1)) === 1n;
    if (isNull) absent.add(object.name);
    if (!isNull) addObject(object.name, object.arrayName, object.size);
    const target = isNull ? null : object.name;
    if (object.origin.kind === 'result') (witness.externalPointers ??= {})[object.origin.key] = target;
    else {
      const offset = object.origin.index ? evaluator.bitvec(object.origin.index.offset) : object.origin.offset;
      ((witness.pointers ??= {})[object.origin.holder] ??= {})[String(offset)] = target;
    }
  }
  for (const write of path.externalWrites ?? []) {
    if (absent.has(write.object)) continue;
    ((witness.externalWrites ??= {})[write.key] ??= {})[write.object] = bytesOf(write.arrayName, write.size);
  }
}

/** Whether running the witness needs objects only the interpreter rebuilds (the x86 replay harness does not allocate them). */
export function witnessNeedsHeap(witness: Witness): boolean {
  return witness.heap !== undefined || witness.pointers !== undefined || witness.externalPointers !== undefined || witness.externalWrites !== undefined
    // The XDP packet (symex/packet.ts): the harness builds no `xdp_md` around it either.
    || witness.packet !== undefined;
}

/** Why the x86 replay does not run such a witness (the grounding's note on its class). */
export const HEAP_WITNESS_NOTE = 'its witness needs objects the analysis created lazily (witness `heap`, `pointers` or unmodelled calls\' results and writes) or an XDP packet (witness `packet`, whose `xdp_md` the harness does not build), which the x86 replay harness does not allocate: it is not replayed, and its cost is estimated';
