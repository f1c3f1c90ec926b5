// Which loop iterations a branch decision was taken in: the enclosing loops of every call frame, with their header visit counts.
import type { IrFunction } from '../ir/ir';
import { loopBody } from '../ir/loops';

/** One loop around a decision: its frame on the call stack, its function and header, and which header visit (iteration) it was. */
export interface DecisionLoop {
  /** The frame's index on the call stack (0: the entry function). */
  depth: number;
  functionName: string;
  header: number;
  /** The header visit of the current entry into the loop: 1 for the first iteration; above the unroll limit for a summarised one. */
  visit: number;
}

/**
 * The loops around the current position of every frame, outermost first. Class merging
 * (`contract/classMerge.ts`) uses them to tell a loop's iterations apart in a path's decisions,
 * which neither the decision texts nor the trace can do. Undefined outside every loop.
 */
export function decisionLoops(frames: readonly { fn: IrFunction; block: number; loopVisits: ReadonlyMap<number, number> }[]): DecisionLoop[] | undefined {
  let result: DecisionLoop[] | undefined;
  frames.forEach((frame, depth) => {
    const around = [...frame.loopVisits]
      .filter(([header]) => loopBody(frame.fn, header).has(frame.block))
      // An outer loop's body holds an inner loop's: larger bodies first.
      .sort((a, b) => loopBody(frame.fn, b[0]).size - loopBody(frame.fn, a[0]).size);
    for (const [header, visit] of around) (result ??= []).push({ depth, functionName: frame.fn.name, header, visit });
  });
  return result;
}

/** The loops of a callee's decision, recorded relative to the callee's frame, placed under the caller's loops. */
export function nestedDecisionLoops(outer: DecisionLoop[] | undefined, inner: DecisionLoop[] | undefined, depth: number): DecisionLoop[] | undefined {
  if (!inner || inner.length === 0) return outer;
  return [...(outer ?? []), ...inner.map((l) => ({ ...l, depth: l.depth + depth }))];
}
