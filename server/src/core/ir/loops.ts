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
  // Back edges come from blocks the header dominates; an entry edge from an enclosing loop does not.
  const dominators = dominatorSets(fn, predecessors);
  const body = new Set<number>([header]);
  const work = (predecessors.get(header) ?? []).filter((p) => reachableFromHeader.has(p) && dominators.get(p)?.has(header));
  while (work.length > 0) {
    const id = work.pop()!;
    if (body.has(id)) continue;
    body.add(id);
    for (const p of predecessors.get(id) ?? []) if (!body.has(p) && dominators.get(p)?.has(header)) work.push(p);
  }
  perFunction.set(header, body);
  return body;
}

const dominatorCache = new WeakMap<IrFunction, Map<number, Set<number>>>();

/** Dominator sets by the classic iterative data-flow algorithm (functions are small). */
function dominatorSets(fn: IrFunction, predecessors: Map<number, number[]>): Map<number, Set<number>> {
  const cached = dominatorCache.get(fn);
  if (cached) return cached;
  // Only blocks reachable from the entry count: dead blocks (after a return) must not break dominance.
  const reachable = new Set<number>([fn.entry]);
  const stack = [fn.entry];
  while (stack.length > 0) {
    for (const next of successorsOf(fn, stack.pop()!)) {
      if (!reachable.has(next)) {
        reachable.add(next);
        stack.push(next);
      }
    }
  }
  const all = fn.blocks.map((b) => b.id).filter((id) => reachable.has(id));
  const dominators = new Map<number, Set<number>>();
  for (const id of all) dominators.set(id, id === fn.entry ? new Set([id]) : new Set(all));
  let changed = true;
  while (changed) {
    changed = false;
    for (const id of all) {
      if (id === fn.entry) continue;
      const preds = (predecessors.get(id) ?? []).filter((p) => reachable.has(p));
      let next: Set<number>;
      if (preds.length === 0) next = new Set([id]); // unreachable block
      else {
        next = new Set(dominators.get(preds[0]!)!);
        for (const p of preds.slice(1)) for (const d of [...next]) if (!dominators.get(p)!.has(d)) next.delete(d);
        next.add(id);
      }
      const current = dominators.get(id)!;
      if (next.size !== current.size || [...next].some((d) => !current.has(d))) {
        dominators.set(id, next);
        changed = true;
      }
    }
  }
  dominatorCache.set(fn, dominators);
  return dominators;
}

/** The blocks that dominate `block` (every path from the entry to it passes through them). */
export function dominatorsOf(fn: IrFunction, block: number): ReadonlySet<number> | undefined {
  const predecessors = new Map<number, number[]>();
  if (!dominatorCache.has(fn)) {
    for (const b of fn.blocks) {
      for (const target of successorsOf(fn, b.id)) {
        const list = predecessors.get(target) ?? [];
        list.push(b.id);
        predecessors.set(target, list);
      }
    }
  }
  return dominatorSets(fn, predecessors).get(block);
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
  /**
   * `/*@ pcv NAME total ... *\/`: inside a summarised loop, the PCV counts the iterations of every
   * entry into this loop together (their sum), not the largest entry's, so its terms are not
   * multiplied by the PCVs of the loops around it.
   */
  total: boolean;
}

/** Appended to a total PCV's description, so the glossary says what it counts. */
export const TOTAL_PCV_NOTE = ' (summed over the iterations of the loops around it)';

/**
 * The PCV counting a loop's summarised iterations: from `/*@ pcv NAME [total] "description" *\/`
 * before the loop, else `iterations@FUNCTION:LINE`.
 */
export function loopPcv(fn: IrFunction, loop: LoopInfo): LoopPcv {
  for (const annotation of loop.annotations) {
    const match = /^pcv\s+([A-Za-z_][\w@:.']*)(\s+total\b)?(?:\s+"([^"]*)")?/.exec(annotation);
    // min and max are the formula functions, so they cannot name a PCV; the default name is used.
    if (match && match[1] !== 'min' && match[1] !== 'max') {
      const total = match[2] !== undefined;
      const description = match[3] ?? `iterations of the loop at line ${loop.range.startLine + 1} of ${fn.name}`;
      return { name: match[1]!, description: total ? description + TOTAL_PCV_NOTE : description, total };
    }
  }
  const line = loop.range.startLine + 1;
  return { name: `iterations@${fn.name}:${line}`, description: `iterations of the ${loop.kind} loop at line ${line} of ${fn.name} beyond the unrolled ones`, total: false };
}

/** The name of the k-th (0-based) instance of a PCV on one path: n, n', n'', ... */
export function pcvInstanceName(name: string, instance: number): string {
  return name + "'".repeat(instance);
}

/** A `/*@ count *\/` mark resolved to the loop it splits. */
export interface CountMark {
  name: string;
  description: string;
  /** Header block of the innermost loop around the mark. */
  header: number;
  line: number;
}

const countMarkCache = new WeakMap<IrFunction, Map<number, Map<number, CountMark>>>();

/**
 * The function's count marks by block and instruction index, each attached to the innermost loop
 * whose body holds it (the loop with the smallest body). Marks outside every loop are dropped.
 */
export function countMarks(fn: IrFunction): Map<number, Map<number, CountMark>> {
  let marks = countMarkCache.get(fn);
  if (!marks) {
    marks = new Map();
    const bodies = fn.loops.map((loop) => ({ header: loop.header, body: loopBody(fn, loop.header) }));
    for (const mark of fn.countMarks) {
      const around = bodies.filter((b) => b.body.has(mark.block)).sort((a, b) => a.body.size - b.body.size)[0];
      if (!around) continue;
      const inBlock = marks.get(mark.block) ?? new Map<number, CountMark>();
      inBlock.set(mark.index, { name: mark.name, description: mark.description, header: around.header, line: mark.line });
      marks.set(mark.block, inBlock);
    }
    countMarkCache.set(fn, marks);
  }
  return marks;
}

/** The distinct names of the count marks that split the loop with this header, sorted. */
export function loopMarkNames(fn: IrFunction, header: number): string[] {
  const names = new Set<string>();
  for (const inBlock of countMarks(fn).values()) for (const mark of inBlock.values()) if (mark.header === header) names.add(mark.name);
  return [...names].sort();
}
