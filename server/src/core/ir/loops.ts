// Loop structure shared by both engines: the blocks of a natural loop and the name of its performance-critical variable.
import type { IrFunction, LoopInfo } from './ir';

const bodies = new WeakMap<IrFunction, Map<number, ReadonlySet<number>>>();

/** Blocks of the natural loop with this header: the header and every block that reaches it again without passing through it. */
export function loopBody(fn: IrFunction, header: number): ReadonlySet<number> {
  let perFunction = bodies.get(fn);
  if (!perFunction) {
    perFunction = new Map();
    bodies.set(fn, perFunction);
  }
  const cached = perFunction.get(header);
  if (cached) return cached;
  const predecessors = new Map<number, number[]>();
  for (const block of fn.blocks) {
    for (const target of successorsOf(fn, block.id)) {
      const list = predecessors.get(target) ?? [];
      list.push(block.id);
      predecessors.set(target, list);
    }
  }
  const reachableFromHeader = new Set<number>();
  const stack = [header];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const next of successorsOf(fn, id)) {
      if (!reachableFromHeader.has(next)) {
        reachableFromHeader.add(next);
        stack.push(next);
      }
    }
  }
  const body = new Set<number>([header]);
  const work = (predecessors.get(header) ?? []).filter((p) => reachableFromHeader.has(p));
  while (work.length > 0) {
    const id = work.pop()!;
    if (body.has(id)) continue;
    body.add(id);
    for (const p of predecessors.get(id) ?? []) if (!body.has(p) && reachableFromHeader.has(p)) work.push(p);
  }
  perFunction.set(header, body);
  return body;
}

export function successorsOf(fn: IrFunction, blockId: number): number[] {
  const t = fn.blocks[blockId]!.terminator;
  switch (t.op) {
    case 'jump': return [t.target];
    case 'branch': return [t.whenTrue, t.whenFalse];
    case 'switch': return [...t.cases.map((c) => c.target), t.defaultTarget];
    default: return [];
  }
}

export interface LoopPcv {
  name: string;
  description: string;
}

/**
 * The PCV counting a loop's summarised iterations: from `/*@ pcv NAME "description" *\/` before
 * the loop, else `iterations@FUNCTION:LINE`.
 */
export function loopPcv(fn: IrFunction, loop: LoopInfo): LoopPcv {
  for (const annotation of loop.annotations) {
    const match = /^pcv\s+([A-Za-z_][\w@:.']*)(?:\s+"([^"]*)")?/.exec(annotation);
    if (match) return { name: match[1]!, description: match[2] ?? `iterations of the loop at line ${loop.range.startLine + 1} of ${fn.name}` };
  }
  const line = loop.range.startLine + 1;
  return { name: `iterations@${fn.name}:${line}`, description: `iterations of the ${loop.kind} loop at line ${line} of ${fn.name} beyond the unrolled ones` };
}

/** The name of the k-th (0-based) instance of a PCV on one path: n, n', n'', ... */
export function pcvInstanceName(name: string, instance: number): string {
  return name + "'".repeat(instance);
}
