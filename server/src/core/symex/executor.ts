// Symbolic execution of the IR: explores the feasible paths of an entry function, forking at symbolic branches.
//
// Every state carries a model (concrete values for every input) that satisfies its path condition.
// At a branch, the side the model takes is feasible for free; z3 is asked only about the other side,
// and a `sat` answer brings the model for the forked state. Error checks (division by zero,
// out-of-bounds, null) work the same way and turn feasible errors into terminated paths.
//
// The executor is one class built in layers, one file each, from the bottom:
//   state.ts          the path state and the exploration's data (types and pure helpers only)
//   explorerCore.ts   what an exploration owns; forking, solver questions, error paths, path ends
//   memoryModel.ts    accesses, the packet and mbufs, lazily created objects, unmodelled writes
//   stepper.ts        running a state: instruction semantics, intrinsics, branches
//   loopSummaries.ts  unrolling, concrete runs, summarising a loop into a PCV (bounds: loopGuards.ts)
//   calls.ts          callee bodies, declared contracts, unmodelled calls
//   summaryCalls.ts   calls answered by a summary: recording it once, instantiating it per call
//   executor.ts       (this file) running an entry, recording a summary; the public entry point
// A layer calls the ones below it directly and the ones above only through the abstract methods
// listed at the end of its class. Which pending state runs next is a searcher's choice (searcher.ts).
import type { IrFunction, IrProgram } from '../ir/ir';
import { zeroCost } from '../cost/costModel';
import { ArrayExpr, arrayConst, arraySymbol, bv, symbol } from '../term/expr';
import { IndependenceCachingSolver } from '../solver/solver';
import { EMPTY_MODEL, ModelEvaluator } from '../term/model';
import { TOTAL_PCV_NOTE, successorsOf } from '../ir/loops';
import { ArgumentShape, FunctionSummary, RecordingTrace, SummaryLeaf, SummaryStore, SummaryValue, UnusableSummary, summaryArgument, summaryObjectArray, summaryOffset } from './summaries';
import { ExecutionOptions, SymbolicValue, ExplorationResult, MemoryObject, State, summaryDecision } from './state';
import { SummaryRecorder } from './summaryRecorder';
import { SummaryCalls } from './summaryCalls';

export { DEFAULT_EXECUTION_OPTIONS } from './state';
export type { BranchDecision, CompletedPath, CostTerms, ExecutionOptions, ExplorationResult, InputObject, PathOutcome, SummarizedLoopPcv, SymbolicValue } from './state';

/** Explores every feasible path of `entry`; never throws for problems in the analysed code. */
export async function explore(
  program: IrProgram, entry: string, solver: IndependenceCachingSolver, options: ExecutionOptions, summaries?: SummaryStore,
): Promise<ExplorationResult> {
  return new Explorer(program, solver, options, summaries).run(entry);
}

class Explorer extends SummaryCalls {
  protected childExplorer(options: ExecutionOptions): Explorer {
    return new Explorer(this.program, this.solver, options, this.summaries);
  }

  async run(entry: string): Promise<ExplorationResult> {
    const fn = this.program.functions.get(entry);
    if (!fn) throw new Error(`no function '${entry}' to explore`);
    const initial = this.initialState(fn);
    const searcher = this.newSearcher(initial);
    while (searcher.size > 0) {
      if (this.options.signal?.aborted) {
        this.stop('cancelled', 'the analysis was cancelled');
        break;
      }
      // Each pending state is a branch point not yet explored, which may hide any number of paths:
      // the message counts branch points, not paths.
      if (performance.now() - this.started > this.options.timeLimitMs) {
        this.stop('time-limit', `stopped at the time limit (${this.options.timeLimitMs} ms) after ${this.paths.length} paths, with ${searcher.size} branch point${searcher.size === 1 ? '' : 's'} left to explore (each may hide many more paths)${pendingLoopNote(searcher.pending())}`);
        break;
      }
      if (this.paths.length >= this.options.maxPaths) {
        this.stop('path-limit', `stopped at the path limit (${this.options.maxPaths} paths), with ${searcher.size} branch point${searcher.size === 1 ? '' : 's'} left to explore (each may hide many more paths)${pendingLoopNote(searcher.pending())}`);
        break;
      }
      this.options.onProgress?.({ paths: this.paths, pendingStates: searcher.size, elapsedMs: performance.now() - this.started });
      await this.step(searcher);
    }
    // A declared call's PCV inside a summarised loop is a total: its description says so.
    for (const record of this.pcvs.values()) {
      if (record.header === -1 && this.totalPcvs.has(record.name) && !record.description.endsWith(TOTAL_PCV_NOTE)) record.description += TOTAL_PCV_NOTE;
    }
    return {
      paths: this.paths, stopReasons: this.stopReasons, inputObjects: this.inputObjects, pcvs: this.pcvs,
      ...(this.options.compositional && this.summaries ? { summaryUse: this.summaryUse } : {}),
      ...(this.arrayObjects.length > 0 ? { arrayObjects: this.arrayObjects } : {}),
      ...(this.assumptions.size > 0 ? { assumptions: [...this.assumptions.values()] } : {}),
      ...(this.options.initialHeap ? { initialHeap: this.options.initialHeap } : {}),
    };
  }

  protected async record(fn: IrFunction, shape: ArgumentShape[]): Promise<FunctionSummary | UnusableSummary> {
    const recording = new SummaryRecorder();
    this.recorder = recording;
    const { state, initial } = this.summaryState(fn, shape);
    const searcher = this.newSearcher(state);
    while (searcher.size > 0) {
      if (this.options.signal?.aborted) return { unusable: 'the analysis was cancelled' };
      if (performance.now() - this.started > this.options.timeLimitMs) return { unusable: 'its exploration ran out of time' };
      if (this.paths.length >= this.options.maxPaths) return { unusable: `it has more than ${this.options.maxPaths} paths` };
      await this.step(searcher);
    }
    if (this.stopReasons.length > 0) return { unusable: `its exploration was incomplete: ${this.stopReasons[0]!.message}` };
    const leaves: SummaryLeaf[] = [];
    for (const { state: end, outcome, returnValue } of recording.leaves) {
      if (outcome.kind === 'incomplete') return { unusable: outcome.message ?? `a path ended as ${outcome.reason ?? 'incomplete'}` };
      if (returnValue?.kind === 'pointer' && !initial.has(returnValue.object)) return { unusable: 'it returns a pointer to its own local memory' };
      const value: SummaryValue | undefined = returnValue;
      leaves.push({
        outcome: { kind: outcome.kind, ...(outcome.reason ? { reason: outcome.reason } : {}), ...(outcome.message !== undefined ? { message: outcome.message } : {}), ...(outcome.range ? { range: outcome.range } : {}) },
        constraints: end.constraints,
        decisions: end.decisions.map(summaryDecision),
        trace: (end.trace as RecordingTrace).events,
        cost: { ...end.cost },
        terms: [...end.terms].map(([k, c]) => [k, { ...c }]),
        pcvInstances: [...end.pcvInstances],
        externalCounts: [...end.externalCounts],
        externalCalls: end.externalCalls,
        inputExtents: [...end.inputExtents].map(([k, e]) => [k, { offsets: [...e.offsets], sizes: [...e.sizes] }]),
        writes: [...initial].flatMap(([name, bytes]) => {
          const now = end.memory.get(name)?.bytes;
          return now && now !== bytes ? [[name, now] as [string, ArrayExpr]] : [];
        }),
        ...(value ? { returnValue: value } : {}),
        frames: end.framesCreated ?? 1,
        loops: end.loopIds ?? [],
        forgetsAll: end.forgetsAll ?? false,
        pcvEvents: end.pcvEvents ?? [],
      });
    }
    return {
      functionName: fn.name,
      shape: { args: shape },
      leaves,
      pcvs: [...this.pcvs.values()].map((p) => ({
        name: p.name, description: p.description, origin: p.origin, functionName: p.functionName, header: p.header,
        ...(p.bound !== undefined ? { bound: p.bound } : {}), ...(p.boundSource ? { boundSource: p.boundSource } : {}),
        ...(p.header === -1 && this.totalPcvs.has(p.name) ? { total: true } : {}), ...(p.otherCallees ? { otherCallees: [...p.otherCallees] } : {}),
      })),
      loops: [...recording.loops.values()],
      touched: [...recording.touched].filter((name) => initial.has(name)).sort(),
      copiesMemory: recording.copiesMemory,
      // Expressions are hash-consed: a question met on several paths or call sites is kept once.
      concreteQuestions: [...new Set(recording.concreteQuestions)],
      concreteLoops: recording.concreteLoops,
      pastUnroll: recording.pastUnroll,
      ...(this.assumptions.size > 0 ? { assumptions: [...this.assumptions.values()] } : {}),
    };
  }

  /** The state a summary starts from: arguments, pointed-to objects and writable globals as symbols. */
  private summaryState(fn: IrFunction, shape: ArgumentShape[]): { state: State; initial: Map<string, ArrayExpr> } {
    const memory = new Map<string, MemoryObject>();
    const initial = new Map<string, ArrayExpr>();
    const add = (object: MemoryObject) => {
      memory.set(object.name, object);
      initial.set(object.name, object.bytes);
    };
    for (const global of this.program.globals.values()) {
      const bytes = global.readOnly ? arrayConst(`global:${global.name}`, global.initial) : arraySymbol(summaryObjectArray(global.name));
      add({ name: global.name, size: global.size, bytes, pointers: new Map(), input: !global.readOnly, readOnly: global.readOnly, ...(global.readOnly ? {} : { inputArray: summaryObjectArray(global.name) }) });
    }
    this.program.strings.forEach((data, index) => {
      add({ name: `str#${index}`, size: data.length, bytes: arrayConst(`str#${index}`, data), pointers: new Map(), input: false, readOnly: true });
    });
    const registers: (SymbolicValue | undefined)[] = new Array(fn.registerCount);
    shape.forEach((arg, index) => {
      const param = fn.params[index]!;
      if (arg.kind === 'int') { registers[param.register] = { kind: 'int', expr: symbol(summaryArgument(index), arg.width) }; return; }
      if (arg.kind === 'null') { registers[param.register] = { kind: 'null' }; return; }
      if (!memory.has(arg.target)) {
        add({
          name: arg.target, size: arg.size, bytes: arraySymbol(summaryObjectArray(arg.target)), pointers: new Map(), input: true, inputArray: summaryObjectArray(arg.target),
          ...(arg.elementSize !== undefined ? { elementSize: arg.elementSize } : {}),
        });
      }
      registers[param.register] = { kind: 'pointer', object: arg.target, offset: arg.offset === 'symbolic' ? symbol(summaryOffset(index), 64) : bv(BigInt(arg.offset), 64) };
    });
    const state: State = {
      frames: [], terms: new Map(), boundaries: [], marks: new Map(), pcvInstances: new Map(), skipHeaderVisit: false, memory, constraints: [],
      model: EMPTY_MODEL, evaluator: new ModelEvaluator(EMPTY_MODEL), cost: zeroCost(), trace: new RecordingTrace(), decisions: [],
      externalCounts: new Map(), externalCalls: [], inputExtents: new Map(), slotCounter: { value: 0 }, framesCreated: 0,
    };
    state.frames.push(this.newFrame(state, fn, registers, undefined));
    return { state, initial };
  }
}

/** The blocks on a cycle through a loop's header (a do/while's body too, which its header does not dominate). */
function loopCycle(fn: IrFunction, header: number): Set<number> {
  const successors = (id: number): number[] => successorsOf(fn, id);
  const forward = new Set<number>([header]);
  const stack = [header];
  while (stack.length > 0) for (const next of successors(stack.pop()!)) if (!forward.has(next)) { forward.add(next); stack.push(next); }
  // Of those, the blocks that lead back to the header.
  const cycle = new Set<number>([header]);
  let changed = true;
  while (changed) {
    changed = false;
    for (const id of forward) if (!cycle.has(id) && successors(id).some((n) => cycle.has(n))) { cycle.add(id); changed = true; }
  }
  return cycle;
}

/**
 * Where the unexplored branch points wait: the loop that holds most of them (innermost loop of each
 * one's current function), so that the user knows which loop to bound, name or simplify.
 */
function pendingLoopNote(pending: readonly State[]): string {
  const counts = new Map<string, { count: number; text: string }>();
  for (const state of pending) {
    const frame = state.frames[state.frames.length - 1];
    if (!frame) continue;
    let innermost: { loop: IrFunction['loops'][number]; size: number } | undefined;
    for (const loop of frame.fn.loops) {
      const body = loopCycle(frame.fn, loop.header);
      if (body.has(frame.block) && (!innermost || body.size < innermost.size)) innermost = { loop, size: body.size };
    }
    if (!innermost) continue;
    const key = `${frame.fn.name}:${innermost.loop.id}`;
    const entry = counts.get(key) ?? { count: 0, text: `the ${innermost.loop.kind === 'do' ? 'do/while' : innermost.loop.kind} loop at line ${innermost.loop.range.startLine + 1} of ${frame.fn.name}` };
    entry.count++;
    counts.set(key, entry);
  }
  const top = [...counts.values()].sort((a, b) => b.count - a.count)[0];
  if (!top) return '';
  const all = top.count === pending.length;
  return `; ${all ? (pending.length === 1 ? 'it is' : 'all are') : `${top.count} are`} inside ${top.text} (bound it with a guard or \`/*@ bound */\`, or raise --time-limit / --max-paths)`;
}
