// Calls answered by a callee's summary: the call's shape, recording the summary once (in a child
// explorer) and instantiating it at each call site with the caller's values, PCVs and loop bounds.
import type { Instruction, IrFunction } from '../ir/ir';
import { Cost, addCost, instructionCost, zeroCost } from '../cost/costModel';
import { BoolExpr, and, arraySymbol, bv, not, symbol, symbolsOf, zeroExtend } from '../term/expr';
import { Model } from '../term/model';
import { pcvInstanceName } from '../ir/loops';
import { loopDeclaredKey, splitLoopDeclaredName } from '../declared/declaredContracts';
import { ArgumentShape, FunctionSummary, Rebuilder, SummaryDecision, SummaryIteration, SummaryLeaf, SummaryLoop, SummaryPcv, UnusableSummary, summaryArgObject } from './summaries';
import { decisionLoops, nestedDecisionLoops } from './decisionLoops';
import { ExecutionOptions, SymbolicValue, BranchDecision, CostTerms, SummarizedLoopPcv, widenBound, State, ConcreteRunAbandoned, displayObject, rangeText, maxOfIterations, addLoopTerms, summaryDecision } from './state';
import { boundOfGuards } from './loopGuards';
import { CallExecutor } from './calls';
import { monomialPcvs, renameMonomial } from '../cost/monomial';

export abstract class SummaryCalls extends CallExecutor {
  /** Instantiates the callee's summary for this call, or returns undefined (after saying why) to inline it. */
  protected async callViaSummary(
    state: State, instruction: Extract<Instruction, { op: 'call' }>, callee: IrFunction, args: SymbolicValue[],
  ): Promise<'forked' | undefined> {
    const store = this.summaries!;
    const obstacle = store.obstacle(this.program, callee.name, this.options.compositionalLoops ?? false);
    if (obstacle) return this.inlined(callee.name, obstacle);
    const binding = this.callShape(state, callee, args);
    if (typeof binding === 'string') return this.inlined(callee.name, binding);
    const key = store.key(callee.name, { args: binding.shape });
    if (key === undefined) return this.inlined(callee.name, 'it has no function key');
    if (store.inProgress.has(key)) return this.inlined(callee.name, 'its summary is being computed (a recursive call)');
    let summary = store.get(key);
    if (!summary) {
      store.inProgress.add(key);
      // Only the outermost recording is timed: a nested one runs inside it.
      const outermost = store.inProgress.size === 1;
      const started = { ms: performance.now(), queries: this.solver.statistics.queries };
      try {
        summary = await this.summarize(callee, binding.shape);
      } finally {
        store.inProgress.delete(key);
        if (outermost) {
          store.recording.milliseconds += performance.now() - started.ms;
          store.recording.solverQueries += this.solver.statistics.queries - started.queries;
        }
      }
      store.set(key, callee.name, summary);
    }
    if ('unusable' in summary) return this.inlined(callee.name, summary.unusable);
    return this.instantiateSummary(state, instruction, callee, summary, binding.objects, args);
  }

  /** The shape of a call (see `ArgumentShape`) and the caller objects behind `$argK`, or why there is none. */
  private callShape(state: State, callee: IrFunction, args: SymbolicValue[]): { shape: ArgumentShape[]; objects: string[] } | string {
    if (args.length !== callee.params.length) return 'the call passes a different number of arguments than it declares';
    const shape: ArgumentShape[] = [];
    const objects: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const param = callee.params[i]!;
      const arg = args[i]!;
      if (param.type.kind === 'int') {
        if (arg.kind !== 'int') return `its argument '${param.name}' is an integer parameter given a pointer`;
        shape.push({ kind: 'int', width: param.type.width });
        continue;
      }
      if (arg.kind === 'null') { shape.push({ kind: 'null' }); continue; }
      if (arg.kind !== 'pointer') return `its pointer parameter '${param.name}' is given an integer`;
      if (arg.nullable && !state.constraints.includes(not(arg.nullable))) return `its argument '${param.name}' is a lazily created pointer that may be NULL`;
      const object = state.memory.get(arg.object);
      if (!object) return `its argument '${param.name}' points to no object`;
      if (object.length) return `its argument '${param.name}' points into the packet, whose length a summary does not carry`;
      let target = arg.object;
      if (!this.program.globals.has(arg.object) && !arg.object.startsWith('str#')) {
        const k = objects.indexOf(arg.object);
        target = summaryArgObject(k >= 0 ? k : objects.push(arg.object) - 1);
      }
      shape.push({
        kind: 'pointer', target, size: object.size, offset: arg.offset.op === 'const' ? arg.offset.value.toString() : 'symbolic',
        ...(object.elementSize !== undefined && object.arrayElements === undefined ? { elementSize: object.elementSize } : {}),
      });
    }
    return { shape, objects };
  }

  /** Explores `fn` once with its inputs as symbols, in a child explorer that records every path. */
  private async summarize(fn: IrFunction, shape: ArgumentShape[]): Promise<FunctionSummary | UnusableSummary> {
    // A summary explores every path of the callee, which can cost more than the paths one caller
    // reaches: it gets half of the time left, so that inlining still has the other half.
    const remaining = this.options.timeLimitMs - (performance.now() - this.started);
    if (remaining <= 0) return { unusable: 'no time was left to summarise it' };
    const child = this.childExplorer({ ...this.options, timeLimitMs: remaining / 2, onProgress: undefined });
    const summary = await child.record(fn, shape);
    for (const [callee, count] of Object.entries(child.summaryUse.instantiated)) this.summaryUse.instantiated[callee] = (this.summaryUse.instantiated[callee] ?? 0) + count;
    for (const inlined of child.summaryUse.inlined) this.inlined(inlined.callee, inlined.reason);
    return summary;
  }

  /**
   * Continues the caller with every path of the summary that is feasible here: the path's
   * constraints, cost, decisions, trace, writes and result with the caller's values substituted
   * for the summary's inputs, and its PCVs and external calls numbered after the caller's.
   */
  private async instantiateSummary(
    state: State, instruction: Extract<Instruction, { op: 'call' }>, callee: IrFunction, summary: FunctionSummary, objects: string[],
    args: SymbolicValue[],
  ): Promise<'forked' | undefined> {
    const objectOf = (name: string) => (name.startsWith('$arg') ? objects[Number(name.slice(4))]! : name);
    for (const assumption of summary.assumptions ?? []) this.assumptions.set(`${assumption.text} (${rangeText(assumption.range)})`, assumption);
    const written = new Set(summary.leaves.flatMap((l) => l.writes.map(([name]) => name)));
    for (const name of new Set([...summary.touched, ...written])) {
      const object = state.memory.get(objectOf(name));
      if (object && object.pointers.size > 0 && (written.has(name) || summary.copiesMemory)) {
        return this.inlined(callee.name, `it writes or copies '${displayObject(object.name)}', which holds pointers`);
      }
    }
    // Everything below reads the caller as it was before the call, whichever successor changes it.
    const arrays = new Map([...state.memory].map(([name, object]) => [name, object.bytes]));
    const externalBase = new Map(state.externalCounts);
    const pcvBase = new Map(state.pcvInstances);
    // What a summarised loop forgot gets fresh symbols at every call, as a loop run inline would.
    const havocs = new Map<string, number>();
    const freshHavoc = (name: string): string | undefined => {
      const m = /^havoc(\d+):(.*)$/.exec(name);
      if (!m) return undefined;
      if (!havocs.has(m[1]!)) havocs.set(m[1]!, this.havocCounter++);
      return `havoc${havocs.get(m[1]!)}:${m[2]}`;
    };
    if (state.boundaries.length > 0 && summary.loops.length > 0) {
      this.recorder?.unsupported(`'${callee.name}' has a loop and is called inside a loop, whose cost a summary cannot settle per call site`);
    }
    const rebuild = new Rebuilder(
      (name, width) => {
        let m = /^sum:arg(\d+)$/.exec(name);
        if (m) {
          const arg = args[Number(m[1])]!;
          return arg.kind === 'int' ? zeroExtend(arg.expr, width) : undefined;
        }
        m = /^sum:off(\d+)$/.exec(name);
        if (m) {
          const arg = args[Number(m[1])]!;
          return arg.kind === 'pointer' ? arg.offset : undefined;
        }
        m = /^ext:(.+)#(\d+)(\..+)?$/.exec(name);
        if (m) return symbol(`ext:${m[1]}#${Number(m[2]) + (externalBase.get(m[1]!) ?? 0)}${m[3] ?? ''}`, width);
        const havocked = freshHavoc(name);
        return havocked === undefined ? undefined : symbol(havocked, width);
      },
      (name) => {
        if (name.startsWith('sum:mem:')) return arrays.get(objectOf(name.slice('sum:mem:'.length)));
        const havocked = freshHavoc(name);
        return havocked === undefined ? undefined : arraySymbol(havocked);
      },
    );
    // Loops past their unroll limit: where inlining would run them concretely (or give up a
    // concrete run of the caller's loop), the summary cannot say what they cost here.
    if (state.concreteRun && summary.pastUnroll) return this.inlined(callee.name, 'it runs a loop past its unroll limit, called from a loop run concretely');
    if (state.boundaries.length > 0 && summary.concreteLoops > 0) return this.inlined(callee.name, 'a loop of it runs concretely in its summary, and it is called inside a summarised loop');
    if (state.boundaries.length === 0 && !state.concreteRun) {
      const questions = summary.concreteQuestions.map((q) => rebuild.boolean(q));
      const answered = summary.concreteQuestions.findIndex((_, i) => questions[i]!.op === 'true' || questions[i]!.op === 'false');
      if (answered >= 0) return this.inlined(callee.name, 'a loop of it runs a fixed number of iterations at this call site (the caller\'s values decide it), which only inlining counts exactly');
      this.recorder?.askedConcretely(...questions);
    }
    this.recorder?.ranConcretely(summary.concreteLoops);
    if (summary.pastUnroll) this.recorder?.loopPastUnroll();
    const feasible: { leaf: SummaryLeaf; condition: BoolExpr; model: Model }[] = [];
    for (const leaf of summary.leaves) {
      const condition = and(leaf.constraints.map((c) => rebuild.boolean(c)));
      const answer = await this.feasible(state, condition);
      if (answer.result === 'unknown') this.stop('solver-unknown', `the solver could not decide a path of '${callee.name}' called at ${rangeText(instruction.range)}`);
      if (answer.result === 'sat') feasible.push({ leaf, condition, model: answer.model! });
    }
    // A summarised loop's iterations that can happen here settle its per-iteration cost here.
    const iterationsHere = new Map<number, SummaryIteration[]>();
    for (const loop of summary.loops) {
      const kept: SummaryIteration[] = [];
      for (const iteration of loop.iterations) {
        const answer = await this.feasible(state, and(iteration.constraints.map((c) => rebuild.boolean(c))));
        if (answer.result === 'unknown') this.stop('solver-unknown', `the solver could not decide an iteration of the loop in '${loop.functionName}' called at ${rangeText(instruction.range)}`);
        if (answer.result === 'sat') kept.push(iteration);
      }
      iterationsHere.set(loop.id, kept);
    }
    // The leaves of a complete summary cover every input, so none holding means the solver could not
    // answer (already reported); inlining then meets the same questions and reports them where they arise.
    if (feasible.length === 0) return this.inlined(callee.name, `no path of its summary could be shown feasible at ${rangeText(instruction.range)}`);
    // A decision of the callee is one here only where both of its sides can happen in this caller.
    const sides = new Map<number, Set<number>>();
    for (const decisions of [...feasible.map((f) => f.leaf.decisions), ...[...iterationsHere.values()].flat().map((i) => i.decisions)]) {
      for (const d of decisions) if (d.fork) sides.set(d.fork.point, (sides.get(d.fork.point) ?? new Set()).add(d.fork.branch));
    }
    const points = new Map<number, number>();
    const pointHere = (point: number) => {
      if (!points.has(point)) points.set(point, this.forkCounter++);
      return points.get(point)!;
    };
    // Declared calls' PCVs: in a summarised loop of the callee (`t@L`, a total), the loop's name
    // changes as the loop's does; in a summarised loop here (`callerLoop`), they become totals of it.
    const declaredPcvs = new Map(summary.pcvs.map((p) => [p.name, p]));
    const callerLoop = state.boundaries[state.boundaries.length - 1]?.pcv;
    const declaredBases = new Set(summary.pcvs.filter((p) => !p.total).map((p) => p.name.replace(/'+$/, '')));
    const loopKeys = new Set(summary.pcvs.filter((p) => p.total).map((p) => {
      const parts = splitLoopDeclaredName(p.name)!;
      return loopDeclaredKey(parts.declared.replace(/'+$/, ''), parts.loop);
    }));
    const renamePcv = (name: string): string => {
      const record = declaredPcvs.get(name);
      const inLoop = record?.total ? splitLoopDeclaredName(name) : undefined;
      if (inLoop) return `${inLoop.declared}@${renamePcv(inLoop.loop)}`;
      const base = name.replace(/'+$/, '');
      if (record && callerLoop !== undefined) return `${pcvInstanceName(base, (pcvBase.get(loopDeclaredKey(base, callerLoop)) ?? 0) + name.length - base.length)}@${callerLoop}`;
      return pcvInstanceName(base, (pcvBase.get(base) ?? 0) + name.length - base.length);
    };
    for (const record of summary.pcvs) if (record.total || callerLoop !== undefined) this.noteDeclaredTotal(renamePcv(record.name));
    const decisionsHere = (decisions: SummaryDecision[]): BranchDecision[] => decisions.flatMap((d) => {
      if (d.fork && (sides.get(d.fork.point)?.size ?? 0) < 2) return [];
      const decisionCondition = d.condition ? rebuild.boolean(d.condition) : undefined;
      return [{
        text: d.text, taken: d.taken, ...(d.caseLabel !== undefined ? { caseLabel: d.caseLabel } : {}), ...(d.otherLabels !== undefined ? { otherLabels: d.otherLabels } : {}),
        range: d.range, functionName: d.functionName, inputs: decisionCondition ? [...symbolsOf(decisionCondition)] : [],
        ...(this.recorder && decisionCondition ? { condition: decisionCondition } : {}),
        loops: nestedDecisionLoops(decisionLoops(state.frames), d.loops, state.frames.length),
        ...(this.recorder && d.fork ? { fork: { point: pointHere(d.fork.point), branch: d.fork.branch } } : {}),
      }];
    });
    const renameTerms = (terms: [string, Cost][]): CostTerms => new Map(terms.map(([key, cost]) => [renameMonomial(key, renamePcv), { ...cost }]));
    // Each loop's PCV for this call: settled here, or (while recording a caller's summary) kept for its call sites.
    type IterationCost = { cost: Cost; terms: CostTerms };
    const loopsHere = new Map<number, { pcv: string; perIteration: IterationCost; marks: { pcv: string; perIteration: IterationCost }[]; recordedId?: number; register?: () => void }>();
    // Declared calls on the passes that leave a loop (the leaves' own terms) share its iterations' totals.
    const partial = new Set(feasible.flatMap((f) => f.leaf.terms.flatMap(([key]) => monomialPcvs(key).map(renamePcv))));
    for (const loop of summary.loops) {
      const pcv = renamePcv(loop.pcv);
      const kept = iterationsHere.get(loop.id)!;
      const costOf = (iterations: SummaryIteration[]) => maxOfIterations(iterations.map((i) => ({ cost: i.cost, terms: renameTerms(i.terms) })));
      const perIteration = costOf(kept.filter((i) => i.mark === undefined));
      // Iterations that reached a count mark are counted by the mark's PCV, at their own worst cost
      // (as inlining counts them: only marks some feasible iteration reaches).
      const marks = loop.marks.flatMap((m) => {
        const reaching = kept.filter((i) => i.mark === m.name);
        return reaching.length === 0 ? [] : [{ mark: m, pcv: renamePcv(m.pcv), perIteration: costOf(reaching) }];
      });
      const guards = loop.guards.map((g) => ({ ...g, start: rebuild.bitvec(g.start), limit: typeof g.limit === 'string' ? g.limit : rebuild.bitvec(g.limit) }));
      // The PCVs of declared calls in the loop's iterations: totals, registered with the loop, and
      // their bounds scaled by the loop's (as summarizeLoop does inline), in the order the summary
      // registered them (the order inlining meets them), not the order of the cost terms.
      const inIterations = new Set(kept.flatMap((iteration) => iteration.terms.flatMap(([key]) => monomialPcvs(key))));
      const declaredInLoop = new Map<string, SummaryPcv>();
      for (const record of summary.pcvs) if (record.total && inIterations.has(record.name)) declaredInLoop.set(renamePcv(record.name), record);
      if (this.recorder) {
        for (const [name, record] of declaredInLoop) if (!this.pcvs.has(name)) this.pcvs.set(name, declaredRecord(record, name));
        const recorded = this.recorder.recordLoop({
          ...loop, pcv, guards,
          iterations: kept.map((i) => ({
            constraints: i.constraints.map((c) => rebuild.boolean(c)), decisions: decisionsHere(i.decisions).map(summaryDecision), cost: i.cost, terms: [...renameTerms(i.terms)],
            ...(i.mark === undefined ? {} : { mark: i.mark }),
          })),
          marks: loop.marks.map((m) => ({ ...m, pcv: renamePcv(m.pcv) })),
        });
        loopsHere.set(loop.id, { pcv, perIteration, marks, recordedId: recorded.id });
        continue;
      }
      const inferred = loop.declaredBound === undefined ? boundOfGuards(guards) : undefined;
      const bound = loop.declaredBound ?? inferred;
      const boundSource = loop.declaredBound !== undefined ? 'annotation' : inferred !== undefined ? 'guard' : undefined;
      if (loop.total) for (const name of [pcv, ...marks.map((m) => m.pcv)]) this.totalPcvs.add(name);
      const register = () => {
        this.noteLoopPcv(pcv, loop, bound, boundSource, perIteration);
        for (const m of marks) this.noteLoopPcv(m.pcv, { ...loop, description: m.mark.description, origin: { file: loop.origin.file, line: m.mark.line } }, bound, boundSource, m.perIteration);
        for (const [name, record] of declaredInLoop) if (!this.pcvs.has(name)) this.pcvs.set(name, declaredRecord(record, name));
        this.scaleTotalBounds(pcv, bound, [perIteration, ...marks.map((m) => m.perIteration)], partial);
      };
      loopsHere.set(loop.id, { pcv, perIteration, marks, register });
    }
    const renameKey = (key: string) => key.replace(/^(.+)#(\d+)$/, (_, callee: string, n: string) => `${callee}#${Number(n) + (externalBase.get(callee) ?? 0)}`);
    // A declared call's PCVs in a loop run concretely would be charged once per iteration: as in
    // declaredCall, the loop is summarised instead.
    if (state.concreteRun && feasible.some((f) => f.leaf.pcvEvents.length > 0)) throw new ConcreteRunAbandoned();
    const successors = feasible.map(() => (feasible.length === 1 ? state : this.fork(state)));
    let frames = 0;
    feasible.forEach(({ leaf, condition, model }, i) => {
      const successor = successors[i]!;
      this.addConstraint(successor, condition, model);
      successor.trace.enter(callee.name);
      for (const event of leaf.trace) {
        if (event[0] === 'enter') successor.trace.enter(event[1]);
        else if (event[0] === 'exit') successor.trace.exit();
        else successor.trace.decide(event[1], event[2], event[3]); // declared cases carry no call number (see PathTrace.declaredCase)
      }
      if (leaf.outcome.kind === 'return') successor.trace.exit();
      successor.decisions.push(...decisionsHere(leaf.decisions));
      addCost(successor.cost, instructionCost(instruction));
      addCost(successor.cost, leaf.cost);
      for (const [term, cost] of renameTerms(leaf.terms)) {
        const current = successor.terms.get(term) ?? zeroCost();
        addCost(current, cost);
        successor.terms.set(term, current);
      }
      for (const id of leaf.loops) {
        const loop = loopsHere.get(id)!;
        if (loop.recordedId !== undefined) successor.loopIds = [...(successor.loopIds ?? []), loop.recordedId];
        else {
          addLoopTerms(successor.terms, loop.pcv, loop.perIteration, this.totalPcvs, this.declaredTotals);
          for (const m of loop.marks) addLoopTerms(successor.terms, m.pcv, m.perIteration, this.totalPcvs, this.declaredTotals);
        }
      }
      if (leaf.forgetsAll) {
        // Inline, the loop would have forgotten every writable object, the caller's own included.
        const k = this.havocCounter++;
        const reached = new Set([...objects, ...this.program.globals.keys()]);
        for (const object of successor.memory.values()) {
          if (!object.readOnly && !reached.has(object.name) && !object.name.startsWith('str#')) object.bytes = arraySymbol(`havoc${k}:${object.name}`);
        }
        if (this.recorder) successor.forgetsAll = true;
      }
      // PCVs are registered when the successor runs, in the order inlining would meet them.
      const registrations: (() => void)[] = [];
      for (const event of leaf.pcvEvents) {
        if ('pcv' in event) {
          const record = declaredPcvs.get(event.pcv);
          const name = renamePcv(event.pcv);
          const register = () => { if (record) this.noteDeclaredPcv(declaredRecord(record, name)); };
          if (this.recorder) {
            register();
            successor.pcvEvents = [...(successor.pcvEvents ?? []), { pcv: name }];
          } else {
            registrations.push(register);
          }
          continue;
        }
        const loop = loopsHere.get(event.loop)!;
        if (loop.recordedId !== undefined) successor.pcvEvents = [...(successor.pcvEvents ?? []), { loop: loop.recordedId }];
        else registrations.push(loop.register!);
      }
      if (registrations.length > 0) successor.pendingRegistrations = registrations;
      for (const [base, count] of leaf.pcvInstances) {
        if (loopKeys.has(base)) continue; // counters of the callee's loops' declared calls, which ended with those loops
        const key = callerLoop !== undefined && declaredBases.has(base) ? loopDeclaredKey(base, callerLoop) : base;
        successor.pcvInstances.set(key, (pcvBase.get(key) ?? 0) + count);
      }
      for (const [name, count] of leaf.externalCounts) successor.externalCounts.set(name, (externalBase.get(name) ?? 0) + count);
      for (const call of leaf.externalCalls) successor.externalCalls.push({ ...call, key: renameKey(call.key) });
      for (const [array, extent] of leaf.inputExtents) {
        const inputArray = state.memory.get(objectOf(array.slice('sum:mem:'.length)))?.inputArray;
        if (!inputArray) continue;
        const target = successor.inputExtents.get(inputArray) ?? { offsets: [], sizes: [] };
        target.offsets.push(...extent.offsets.map((o) => rebuild.bitvec(o)));
        target.sizes.push(...extent.sizes);
        successor.inputExtents.set(inputArray, target);
      }
      const writes = leaf.writes.map(([name, bytes]) => [objectOf(name), rebuild.bytes(bytes)] as const);
      for (const [name, bytes] of writes) successor.memory.get(name)!.bytes = bytes;
      frames = Math.max(frames, leaf.frames);
      if (successor.framesCreated !== undefined) successor.framesCreated += leaf.frames;
      const successorFrame = successor.frames[successor.frames.length - 1]!;
      successorFrame.index++;
      if (leaf.outcome.kind !== 'return') {
        const message = leaf.outcome.message?.replace(/\$arg(\d+)/g, (_, k: string) => displayObject(objects[Number(k)]!));
        successor.pendingEnd = { ...leaf.outcome, ...(message !== undefined ? { message } : {}) };
        return;
      }
      if (instruction.dst === undefined) return;
      const value = leaf.returnValue;
      successorFrame.registers[instruction.dst] = !value ? { kind: 'int', expr: bv(0n, 32) }
        : value.kind === 'int' ? { kind: 'int', expr: rebuild.bitvec(value.expr) }
        : value.kind === 'pointer' ? { kind: 'pointer', object: objectOf(value.object), offset: rebuild.bitvec(value.offset) }
        : { kind: 'null' };
    });
    state.slotCounter.value += frames;
    this.summaryUse.instantiated[callee.name] = (this.summaryUse.instantiated[callee.name] ?? 0) + 1;
    this.pendingForks.push(...successors);
    return 'forked';
  }

  /** Registers (or merges) a loop PCV settled at a call site, as `summarizeLoop` does for a loop run inline. */
  private noteLoopPcv(
    pcv: string, loop: SummaryLoop, bound: number | undefined, boundSource: SummarizedLoopPcv['boundSource'], perIteration: { cost: Cost; terms: CostTerms },
  ): void {
    const known = this.pcvs.get(pcv);
    if (!known) {
      this.pcvs.set(pcv, { name: pcv, description: loop.description, origin: loop.origin, functionName: loop.functionName, header: loop.header, bound, boundSource, perIteration });
      return;
    }
    widenBound(known, bound);
    known.perIteration = known.perIteration ? maxOfIterations([known.perIteration, perIteration]) : perIteration;
  }

  // Defined by the executor (executor.ts): a fresh explorer of the same program, and its recording of a summary.
  protected abstract childExplorer(options: ExecutionOptions): SummaryCalls;
  protected abstract record(fn: IrFunction, shape: ArgumentShape[]): Promise<FunctionSummary | UnusableSummary>;
}

/** The record of a summary's declared-call PCV under its name at this call site. */
function declaredRecord(record: SummaryPcv, name: string): SummarizedLoopPcv {
  const { total: _total, ...rest } = record;
  void _total;
  return { ...rest, name };
}
