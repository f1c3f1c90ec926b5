// Path classes as behaviours: paths that differ only in the explicit iterations of a summarised loop form one class.
import type { IrProgram } from '../ir/ir';
import type { BranchDecision, CompletedPath, ExplorationResult } from '../symex/executor';
import type { DecisionLoop } from '../symex/decisionLoops';

/**
 * What class merging needs to know about an exploration: which loops were summarised (on some
 * path), the unroll limit that says whether an iteration was explicit or summarised, and how to
 * name a loop and its PCV in a condition.
 */
export interface MergeContext {
  unrollLimit: number;
  /** `function:header` of every loop summarised on some path. */
  summarisedLoops: Set<string>;
  entry: string;
  /** `for loop at line 45` (with `of f` outside the entry function). */
  loopLabel: (functionName: string, header: number) => string;
  /** The PCV counting the loop's summarised iterations, when it has one. */
  loopPcv: (functionName: string, header: number) => string | undefined;
}

/**
 * The merge context of an exploration: the loops that got a PCV. A loop run in full (a constant
 * trip count, or `completeConcretely`) is not one: its iterations are distinct behaviours.
 */
export function mergeContext(exploration: ExplorationResult, entry: string, unrollLimit: number, program?: IrProgram): MergeContext {
  const summarisedLoops = new Set<string>();
  const pcvOf = new Map<string, string>();
  for (const pcv of exploration.pcvs.values()) {
    const key = `${pcv.functionName}:${pcv.header}`;
    if (!program?.functions.get(pcv.functionName)?.loops.some((l) => l.header === pcv.header)) continue;
    summarisedLoops.add(key);
    if (!pcvOf.has(key) || !/'$/.test(pcv.name)) pcvOf.set(key, pcv.name);
  }
  return {
    unrollLimit, summarisedLoops, entry,
    loopLabel: (functionName, header) => {
      const loop = program?.functions.get(functionName)?.loops.find((l) => l.header === header);
      const where = loop ? `${loop.kind === 'do' ? 'do/while' : loop.kind} loop at line ${loop.range.startLine + 1}` : `loop at block ${header}`;
      return functionName === entry ? where : `${where} of ${functionName}`;
    },
    loopPcv: (functionName, header) => pcvOf.get(`${functionName}:${header}`),
  };
}

/**
 * A path's behaviour as condition items: its decisions, except that each run of a summarised loop
 * becomes one item, `for loop at line 45 exits in iteration 3 + n on (...)`, which keeps only the
 * decisions of the iteration the loop was left in (where it exits is the loop's behaviour; how the
 * earlier iterations went on is not). Paths with the same items belong to one class.
 */
export function behaviourItems(decisions: readonly BranchDecision[], context: MergeContext, text: (d: BranchDecision) => string): string[] {
  return itemsAt(decisions, 0, context, text);
}

/**
 * A path's decisions with each run of a summarised loop reduced to the decisions of the iteration
 * it was left in: what a class shows for navigation and what its behaviour's condition is made of,
 * so that no condition conjoins two iterations' opposite outcomes of one branch.
 */
export function exitIterationDecisions(decisions: readonly BranchDecision[], context: MergeContext, level = 0): BranchDecision[] {
  const result: BranchDecision[] = [];
  forEachRun(decisions, level, context, (d) => result.push(d), (_loop, last) => result.push(...exitIterationDecisions(last, context, level + 1)));
  return result;
}

/** Groups of indices whose members share a key, transitively (a group that shares a key with two others joins them). */
export function connectedGroups(keysPerGroup: string[][]): number[][] {
  const parent = keysPerGroup.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const owner = new Map<string, number>();
  keysPerGroup.forEach((keys, i) => {
    for (const key of keys) {
      const other = owner.get(key);
      if (other === undefined) owner.set(key, i);
      else parent[find(i)] = find(other);
    }
  });
  const components = new Map<number, number[]>();
  keysPerGroup.forEach((_, i) => {
    const root = find(i);
    const list = components.get(root) ?? [];
    list.push(i);
    components.set(root, list);
  });
  return [...components.values()];
}

/**
 * The behaviour key of a path: outcome, the value it returns when that is a constant (returning 0
 * or 1 are two behaviours, even from two iterations of one loop), whether it leaves out
 * unmodelled calls, and its behaviour items.
 */
export function behaviourKey(path: CompletedPath, context: MergeContext, text: (d: BranchDecision) => string, returned: string): string {
  return [path.outcome.kind, path.outcome.reason ?? '', returned, path.externalCalls.some((c) => !c.declared), ...behaviourItems(path.decisions, context, text)].join('\u0001');
}

function mergedLoopAt(d: BranchDecision, level: number, context: MergeContext): DecisionLoop | undefined {
  return (d.loops ?? []).filter((l) => context.summarisedLoops.has(`${l.functionName}:${l.header}`))[level];
}

function itemsAt(decisions: readonly BranchDecision[], level: number, context: MergeContext, text: (d: BranchDecision) => string): string[] {
  const items: string[] = [];
  forEachRun(decisions, level, context, (d) => items.push(text(d)), (loop, last, visit) => {
    const exit = itemsAt(last, level + 1, context, text);
    const pcv = context.loopPcv(loop.functionName, loop.header);
    const iteration = visit > context.unrollLimit
      ? (pcv ? `iteration ${context.unrollLimit + 1} + ${pcv}` : `an iteration after the first ${context.unrollLimit}`)
      : (context.unrollLimit === 1 ? 'iteration 1' : `iteration 1-${context.unrollLimit}`);
    const on = countRepeats(exit);
    items.push(`${context.loopLabel(loop.functionName, loop.header)} exits in ${iteration}${on.length > 0 ? ` on (${on.join(' && ')})` : ''}`);
  });
  return items;
}

/**
 * Walks decisions at one loop nesting level: a decision outside every summarised loop goes to
 * `outside`; each run of a summarised loop (consecutive decisions in it, header visits never going
 * down: a lower count is a new entry) goes to `run` with the decisions of its last decided
 * iteration and that iteration's header visit.
 */
function forEachRun(
  decisions: readonly BranchDecision[], level: number, context: MergeContext,
  outside: (d: BranchDecision) => void, run: (loop: DecisionLoop, last: BranchDecision[], visit: number) => void,
): void {
  let i = 0;
  while (i < decisions.length) {
    const loop = mergedLoopAt(decisions[i]!, level, context);
    if (!loop) {
      outside(decisions[i]!);
      i++;
      continue;
    }
    const members: { d: BranchDecision; visit: number }[] = [];
    let previous = 0;
    while (i < decisions.length) {
      const here = mergedLoopAt(decisions[i]!, level, context);
      if (!here || here.depth !== loop.depth || here.functionName !== loop.functionName || here.header !== loop.header || here.visit < previous) break;
      members.push({ d: decisions[i]!, visit: here.visit });
      previous = here.visit;
      i++;
    }
    run(loop, members.filter((m) => m.visit === previous).map((m) => m.d), previous);
  }
}

/** Decisions repeated by loop iterations appear once, with their count: `p[i] != 0 /* x4 *\/`. */
export function countRepeats(items: string[]): string[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([text, count]) => (count === 1 ? text : `${text} /* x${count} */`));
}
