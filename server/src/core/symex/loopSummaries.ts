// Loops: unrolling, running a loop with a fixed trip count on concretely, and summarising the rest
// of a loop into a PCV (one explored iteration, its worst cost, and a bound from the annotation,
// the guard, the solver or the least step of a variable-step counter).
import type { BasicBlock, Instruction, Operand } from '../ir/ir';
import { Cost } from '../cost/costModel';
import { BitVecExpr, BoolExpr, and, arraySymbol, binary, bv, compare, signExtend, symbol, toSigned, zeroExtend } from '../term/expr';
import { ModelEvaluator } from '../term/model';
import { countMarks, loopBody, loopMarkNames, loopPcv, pcvInstanceName } from '../ir/loops';
import { DEFAULT_FULL_UNROLL_LIMIT, runsInFull } from '../ir/fullUnroll';
import { SolverTripBound, solverTripBound } from './loopBounds';
import { SummaryLoop } from './summaries';
import { PACKET_OBJECT } from './packet';
import { PathOutcome, CostTerms, SummarizedLoopPcv, widenBound, Frame, Boundary, State, ConcreteRun, ConcreteRunAbandoned, PathEnd, cloneTerms, subtractTerms, maxOfIterations, addLoopTerms } from './state';
import { Step, inductionStep, mergeStep, guardBound, loopGuards, VariableStepGuard, variableStepGuard, counterValue, holdsAtHeader } from './loopGuards';
import { Stepper } from './stepper';
import { monomialPcvs } from '../cost/monomial';

export abstract class LoopSummariser extends Stepper {
  /** A loop with a small constant trip count and few paths: explored in full, never summarised (`ir/fullUnroll.ts`). */
  protected runsInFull(frame: Frame, header: BasicBlock): boolean {
    return runsInFull(this.program, frame.fn, header.id, this.options.fullUnrollLimit ?? DEFAULT_FULL_UNROLL_LIMIT);
  }

  protected visitLoopHeader(frame: Frame, block: BasicBlock): 'summarize' | 'continue' {
    const visits = (frame.loopVisits.get(block.id) ?? 0) + 1;
    frame.loopVisits.set(block.id, visits);
    if (this.options.summarizeLoops && visits > this.options.unrollLimit && !this.runsInFull(frame, block)) return 'summarize';
    if (visits > this.options.concreteIterationLimit) {
      const loop = frame.fn.loops[block.loopHeader!]!;
      throw new PathEnd({ kind: 'incomplete', reason: 'needs-pcv', message: `loop at ${loop.range.file}:${loop.range.startLine + 1} ran more than ${this.options.concreteIterationLimit} iterations`, range: loop.range });
    }
    return 'continue';
  }

  /**
   * Runs the rest of a loop that reached its unroll limit without summarising it, when every
   * decision in it is concrete (no solver call: `feasible` abandons the run): a loop whose trip
   * count and path are fixed on this path (a constant bound, arguments that are constants at this
   * call, memory the path wrote) costs exactly what it runs, not a PCV
   * times its worst iteration, and what it writes stays known. Returns the state at the loop's exit
   * (or after a return from inside it), 'finished' when the path ended in the loop (the entry
   * returned, or a program error every input of the path reaches) and was recorded, or undefined
   * when a decision needs the solver, the loop summarises a loop of its own, runs past CONCRETE_RUN_ITERATIONS or the time
   * limit: then it is summarised. Not while a summary is recorded or inside a summarised loop.
   *
   * The state's trace and PCV instances are those the interpreter keeps for a summarised loop (the
   * last iteration's decisions; the loop's PCV instances are taken), so a concrete run of the same
   * input lands in the same class.
   */
  protected async completeConcretely(state: State, frame: Frame, header: BasicBlock): Promise<State | 'finished' | undefined> {
    if (this.options.concreteLoops === false) return undefined;
    if (state.boundaries.length > 0 || state.concreteRun) return undefined;
    const fn = frame.fn;
    const loop = fn.loops[header.loopHeader!]!;
    const probe = this.fork(state);
    for (const name of [loopPcv(fn, loop).name, ...loopMarkNames(fn, header.id)]) probe.pcvInstances.set(name, (probe.pcvInstances.get(name) ?? 0) + 1);
    const run: ConcreteRun = {
      depth: probe.frames.length, header: header.id, body: loopBody(fn, header.id), iterations: 0,
      trace: probe.trace.clone(), pcvInstances: new Map(probe.pcvInstances), exited: false,
    };
    probe.concreteRun = run;
    probe.skipHeaderVisit = false;
    try {
      while (true) {
        if (this.options.signal?.aborted || performance.now() - this.started > this.options.timeLimitMs) return undefined;
        const next = await this.runUntilFork(probe);
        if (next.length === 0 && probe.frames.length === 0) { // the entry returned: recorded by finish()
          this.recorder?.ranConcretely();
          return 'finished';
        }
        if (next.length !== 1 || next[0] !== probe) return undefined; // forked
        if (run.exited) break;
      }
    } catch (error) {
      if (error instanceof PathEnd && (error.outcome.kind === 'return' || error.outcome.kind === 'error')) {
        this.finish(probe, error.outcome);
        this.recorder?.ranConcretely();
        return 'finished';
      }
      // While a summary is recorded, the question that stopped the run is kept: at a call site
      // where the caller's values answer it without the solver, inlining would run on, and the
      // callee is inlined there (see `concreteQuestions`).
      if (error instanceof ConcreteRunAbandoned && error.condition) this.recorder?.askedConcretely(error.condition);
      if (error instanceof PathEnd || error instanceof ConcreteRunAbandoned) return undefined;
      throw error;
    }
    probe.concreteRun = undefined;
    this.recorder?.ranConcretely();
    return probe;
  }

  protected async summarizeLoop(state: State, frame: Frame, header: BasicBlock): Promise<State[]> {
    const fn = frame.fn;
    const loop = fn.loops[header.loopHeader!]!;
    const body = loopBody(fn, header.id);
    const base = loopPcv(fn, loop);
    const instance = state.pcvInstances.get(base.name) ?? 0;
    state.pcvInstances.set(base.name, instance + 1);
    const pcv = pcvInstanceName(base.name, instance);
    // Each count mark of the loop gets its PCV instance now, as the interpreter names them.
    const markPcvs = new Map<string, string>();
    for (const name of loopMarkNames(fn, header.id)) {
      const markInstance = state.pcvInstances.get(name) ?? 0;
      state.pcvInstances.set(name, markInstance + 1);
      markPcvs.set(name, pcvInstanceName(name, markInstance));
    }
    if (base.total) for (const name of [pcv, ...markPcvs.values()]) this.totalPcvs.add(name);
    if (state.boundaries.length > 0) this.recorder?.unsupported(`a loop inside a loop in '${fn.name}', whose cost a summary cannot settle per call site`);
    const markOf = (name: string) => [...countMarks(fn).values()].flatMap((m) => [...m.values()]).find((m) => m.name === name && m.header === header.id)!;
    const declared = loop.bounds[base.name];
    const inferred = declared === undefined ? guardBound(frame, header, body) : undefined;
    // Without a constant guard, the solver finds the most iterations the path allows, for loops of
    // the entry function: a callee's loop gets the bound its summary would settle at the call site
    // (guards only), so that summaries and inlining give the same contract.
    const solved: SolverTripBound | undefined = declared === undefined && inferred === undefined && !this.recorder && state.frames.length === 1
      ? await solverTripBound(loopGuards(frame, header, body), {
        evaluator: state.evaluator,
        feasible: async (condition) => (await this.feasible(state, condition)).result,
        outOfTime: () => performance.now() - this.started > this.options.timeLimitMs,
      })
      : undefined;
    let bound = declared ?? inferred ?? (solved?.kind === 'bound' ? solved.bound : undefined);
    let boundSource: SummarizedLoopPcv['boundSource'] = declared !== undefined ? 'annotation' : inferred !== undefined ? 'guard' : bound !== undefined ? 'solver' : undefined;
    // A guard whose counter steps by what the body computes (`off += olen`): bounded after the
    // iteration is explored, by the least step every path through it takes (stepBound).
    const stepped = bound === undefined && solved === undefined && declared === undefined && !this.recorder && state.frames.length === 1
      ? variableStepGuard(frame, header, body) : undefined;
    const beforeLoop = stepped ? { constraints: [...state.constraints], evaluator: state.evaluator, start: counterValue(frame, stepped.counter, stepped.pointerObject) } : undefined;
    const known = this.pcvs.get(pcv);
    const knownBound = known?.bound;
    let recorded: SummaryLoop | undefined;
    if (this.recorder) {
      // The PCV's bound and per-iteration cost are settled at each call site (instantiateSummary).
      recorded = this.recorder.recordLoop({
        pcv, description: base.description, origin: { file: loop.range.file, line: loop.range.startLine + 1 }, functionName: fn.name,
        header: header.id, ...(declared !== undefined ? { declaredBound: declared } : {}), ...(base.total ? { total: true } : {}),
        guards: declared === undefined ? loopGuards(frame, header, body) : [], iterations: [],
        marks: [...markPcvs].map(([name, markPcv]) => ({ name, pcv: markPcv, description: markOf(name).description, line: markOf(name).line + 1 })),
      });
      state.loopIds = [...(state.loopIds ?? []), recorded.id];
      state.pcvEvents = [...(state.pcvEvents ?? []), { loop: recorded.id }];
    } else if (!known) {
      this.pcvs.set(pcv, {
        name: pcv, description: base.description, origin: { file: loop.range.file, line: loop.range.startLine + 1 }, functionName: fn.name, header: header.id,
        bound, boundSource, ...(solved?.kind === 'unbounded' ? { unboundedBy: solved.inputs } : {}),
      });
    } else {
      widenBound(known, bound, boundSource); // the same PCV on another path
      if (known.bound === undefined && solved?.kind === 'unbounded') known.unboundedBy = [...new Set([...(known.unboundedBy ?? []), ...solved.inputs])].sort();
    }
    await this.havoc(state, body);
    const counterAtStart = stepped ? counterValue(frame, stepped.counter, stepped.pointerObject) : undefined;
    // A body exit checked right after the step held on every iteration that went round (at least
    // one has, past the unroll limit): the havocked counter satisfies it at the header.
    if (stepped?.checkedAfterStep && counterAtStart && (frame.loopVisits.get(header.id) ?? 0) > 1) {
      const held = holdsAtHeader(stepped, counterAtStart);
      const answer = await this.feasible(state, held);
      if (answer.result === 'sat') this.addConstraint(state, held, answer.model!);
    }
    const boundary: Boundary = {
      pcv, depth: state.frames.length, header: header.id, body, startCost: { ...state.cost }, startTerms: cloneTerms(state.terms),
      iterations: [], exits: [], finished: [], ...(recorded ? { recorded } : {}),
      ...(stepped && counterAtStart ? { stepCounter: { register: stepped.counter, ...(stepped.pointerObject !== undefined ? { pointerObject: stepped.pointerObject } : {}), start: counterAtStart, ends: [], lost: false } } : {}),
    };
    state.boundaries = [...state.boundaries, boundary];
    state.skipHeaderVisit = true;
    const searcher = this.newSearcher(state);
    const stopsBefore = this.stopReasons.length;
    while (searcher.size > 0) {
      if (this.options.signal?.aborted) { this.stop('cancelled', 'the analysis was cancelled'); break; }
      if (performance.now() - this.started > this.options.timeLimitMs) { this.stop('time-limit', `stopped after ${this.options.timeLimitMs} ms while summarising the loop at line ${loop.range.startLine + 1} of ${fn.name}`); break; }
      await this.step(searcher);
    }
    // Only from a complete exploration of the iteration: a path that ended incomplete inside it
    // might have come back to the header with a smaller step.
    const iterationComplete = searcher.size === 0 && !boundary.finished.some((f) => f.outcome.kind === 'incomplete');
    if (stepped && beforeLoop?.start && boundary.stepCounter && !boundary.stepCounter.lost && iterationComplete) {
      const found = await this.stepBound(stepped, beforeLoop.start, boundary.stepCounter, beforeLoop);
      if (found !== undefined) {
        const record = this.pcvs.get(pcv);
        // Another path that summarised this PCV without a bound keeps it unbounded.
        if (record && (!known || knownBound !== undefined)) {
          record.bound = Math.max(found, knownBound ?? 0);
          record.boundSource = 'solver';
          bound = record.bound;
          boundSource = 'solver';
        }
      }
    }
    // A branch of the iteration that the solver could not decide was not explored, and it may cost
    // more than every explored one: the iteration's worst cost is not known, so no path through the
    // loop gets a cost from it (a contract's classes stay upper bounds; the contract is incomplete).
    if (!recorded && this.stopReasons.slice(stopsBefore).some((r) => r.reason === 'solver-unknown')) {
      const outcome: PathOutcome = {
        kind: 'incomplete', reason: 'solver-unknown', range: loop.range,
        message: `the solver could not decide a branch inside the loop at line ${loop.range.startLine + 1} of ${fn.name}, so the worst cost of its iterations is not known`,
      };
      for (const s of [...boundary.finished.map((f) => f.state), ...boundary.exits]) {
        s.boundaries = s.boundaries.filter((b) => b !== boundary);
        s.marks.delete(boundary);
        this.finish(s, outcome);
      }
      return [];
    }
    if (recorded) {
      for (const s of [...boundary.finished.map((f) => f.state), ...boundary.exits]) {
        s.boundaries = s.boundaries.filter((b) => b !== boundary);
        s.marks.delete(boundary);
      }
      for (const finished of boundary.finished) this.finish(finished.state, finished.outcome, finished.returnValue);
      return boundary.exits;
    }
    const perIteration = maxOfIterations(boundary.iterations.filter((i) => i.mark === undefined));
    // Several summaries of one PCV (on different paths) keep the largest per-iteration cost.
    const record = this.pcvs.get(pcv)!;
    record.perIteration = record.perIteration ? maxOfIterations([record.perIteration, perIteration]) : perIteration;
    // Iterations that reached a count mark are counted by the mark's own PCV, at their own worst cost.
    const marked: { pcv: string; perIteration: { cost: Cost; terms: CostTerms } }[] = [];
    for (const name of [...new Set(boundary.iterations.map((i) => i.mark).filter((m): m is string => m !== undefined))].sort()) {
      const markPcv = markPcvs.get(name)!;
      const cost = maxOfIterations(boundary.iterations.filter((i) => i.mark === name));
      const mark = markOf(name);
      const existing = this.pcvs.get(markPcv);
      if (!existing) {
        this.pcvs.set(markPcv, {
          name: markPcv, description: mark.description, origin: { file: loop.range.file, line: mark.line + 1 }, functionName: fn.name, header: header.id,
          bound, boundSource, perIteration: cost,
        });
      } else {
        existing.perIteration = existing.perIteration ? maxOfIterations([existing.perIteration, cost]) : cost;
        if (existing.bound !== undefined) existing.bound = bound === undefined ? undefined : Math.max(existing.bound, bound);
      }
      marked.push({ pcv: markPcv, perIteration: cost });
    }
    // Declared calls on the pass that leaves the loop (or ends in it) share the iterations' totals.
    const partial = new Set([...boundary.exits, ...boundary.finished.map((f) => f.state)].flatMap((s) => [...subtractTerms(s.terms, boundary.startTerms).keys()]).flatMap(monomialPcvs));
    this.scaleTotalBounds(pcv, bound, [perIteration, ...marked.map((m) => m.perIteration)], partial);
    const leave = (s: State) => {
      s.boundaries = s.boundaries.filter((b) => b !== boundary);
      s.marks.delete(boundary);
      addLoopTerms(s.terms, pcv, perIteration, this.totalPcvs, this.declaredTotals);
      for (const m of marked) addLoopTerms(s.terms, m.pcv, m.perIteration, this.totalPcvs, this.declaredTotals);
    };
    for (const finished of boundary.finished) {
      leave(finished.state);
      this.finish(finished.state, finished.outcome, finished.returnValue);
    }
    for (const exit of boundary.exits) leave(exit);
    return boundary.exits;
  }

  /**
   * A total PCV nested in a loop with PCV `outer` counts the iterations of every entry: unless its
   * bound is declared, it is its bound per entry times the outer loop's (unknown if either is). A
   * declared call's total PCV sums the calls: its bound is the contract's per call times the loop's,
   * plus one when the pass that leaves the loop (`partial`) can call too.
   */
  protected scaleTotalBounds(outer: string, outerBound: number | undefined, costs: { terms: CostTerms }[], partial?: ReadonlySet<string>): void {
    for (const cost of costs) {
      for (const key of cost.terms.keys()) {
        for (const name of monomialPcvs(key)) {
          if (!this.totalPcvs.has(name) || this.totalBoundsScaled.has(`${name}|${outer}`)) continue;
          const record = this.pcvs.get(name);
          if (!record) continue;
          this.totalBoundsScaled.add(`${name}|${outer}`);
          if (record.boundSource === 'annotation' && record.header !== -1) continue;
          const factor = outerBound === undefined ? undefined : record.header === -1 && partial?.has(name) ? outerBound + 1 : outerBound;
          record.bound = record.bound !== undefined && factor !== undefined ? record.bound * factor : undefined;
          if (record.bound === undefined) delete record.boundSource;
        }
      }
    }
  }

  /** A declared call's PCV in a summarised loop: a total, whose terms from several calls combine by the largest coefficient. */
  protected noteDeclaredTotal(name: string): void {
    this.totalPcvs.add(name);
    this.declaredTotals.add(name);
  }

  /**
   * The bound of a loop whose guard's counter steps by a value the body computes: the least step m
   * that every explored path from the header back to it takes (the summarised iteration starts
   * from a state that covers every real one, so every real iteration steps at least m), found by
   * a binary search of solver queries per path; then the trip bound of the guard with step m,
   * under the path condition before the loop (loopBounds.ts). Undefined when some path may step by
   * less than 1 (or wrap), or a query is undecided.
   */
  private async stepBound(
    guard: VariableStepGuard, start: BitVecExpr, counter: NonNullable<Boundary['stepCounter']>,
    beforeLoop: { constraints: BoolExpr[]; evaluator: ModelEvaluator },
  ): Promise<number | undefined> {
    if (counter.ends.length === 0) return undefined;
    const wide = guard.width + 2;
    const extend = (e: BitVecExpr) => (guard.signed ? signExtend(e, wide) : zeroExtend(e, wide));
    const unsat = async (constraints: BoolExpr[], condition: BoolExpr): Promise<boolean> => {
      const timeLeft = this.options.timeLimitMs - (performance.now() - this.started);
      if (timeLeft <= 0) return false;
      return (await this.solver.checkSliced([...constraints, condition], this.options.signal, timeLeft)).result === 'unsat';
    };
    const deltaOf = (end: (typeof counter.ends)[number]) => (guard.direction === 'up' ? binary('sub', extend(end.after), extend(counter.start)) : binary('sub', extend(counter.start), extend(end.after)));
    // The loop is summarised again on every path that reaches it: what an earlier summary found is
    // tried first (one query per path back to the header for the step, one for the trip bound).
    const key = `${guard.functionName}:${guard.header}`;
    const earlier = this.variableSteps.get(key);
    let least: bigint | undefined;
    if (earlier) {
      let holds = true;
      for (const end of counter.ends) {
        if (!(await unsat(end.constraints, compare('slt', deltaOf(end), bv(earlier.least, wide))))) { holds = false; break; }
      }
      if (holds) least = earlier.least;
    }
    for (const end of least === undefined ? counter.ends : []) {
      const delta = deltaOf(end);
      const stepsAtLeast = (m: bigint) => unsat(end.constraints, compare('slt', delta, bv(m, wide)));
      if (!(await stepsAtLeast(1n))) return undefined;
      // This path's own model gives one step it can take: the least is at most that.
      let low = 1n;
      let high = toSigned(end.evaluator.bitvec(delta), wide);
      if (least !== undefined && least < high) high = least;
      if (high < 1n) return undefined;
      while (low < high) {
        const middle = (low + high + 1n) / 2n;
        if (await stepsAtLeast(middle)) low = middle;
        else high = middle - 1n;
      }
      least = least === undefined || low < least ? low : least;
    }
    if (least === undefined) return undefined;
    // Counting down from `start` while `limit < counter` is counting up from `limit` to `start`: k
    // more iterations need start - limit >= (k - 1) * m + 1 either way.
    const [from, to] = guard.direction === 'up' ? [start, guard.limit] : [guard.limit, start];
    const trips = await solverTripBound([{ start: from, limit: to, step: least.toString(), signed: guard.signed, inclusive: guard.inclusive, width: guard.width }], {
      evaluator: beforeLoop.evaluator,
      feasible: async (condition) => {
        const timeLeft = this.options.timeLimitMs - (performance.now() - this.started);
        if (timeLeft <= 0) return 'unknown';
        return (await this.solver.checkSliced([...beforeLoop.constraints, condition], this.options.signal, timeLeft)).result;
      },
      outOfTime: () => performance.now() - this.started > this.options.timeLimitMs,
      ...(earlier?.least === least ? { hint: earlier.bound } : {}),
    });
    if (trips?.kind !== 'bound') return undefined;
    this.variableSteps.set(key, { least, bound: Math.max(trips.bound, earlier?.least === least ? earlier.bound : 0) });
    return trips.bound;
  }

  /**
   * Forgets everything the loop body may write: its registers and, if it stores or calls, writable
   * memory. An induction variable (only ever incremented, or only decremented, by constants) keeps
   * its direction: it is at least (at most) its value on entry, assuming it does not wrap around.
   */
  private async havoc(state: State, body: ReadonlySet<number>): Promise<void> {
    const frame = state.frames[state.frames.length - 1]!;
    const written = new Set<number>();
    const steps = new Map<number, Step>();
    let writesMemory = false;
    for (const id of body) {
      for (const instruction of frame.fn.blocks[id]!.instructions) {
        if ('dst' in instruction && instruction.dst !== undefined) {
          written.add(instruction.dst);
          steps.set(instruction.dst, mergeStep(steps.get(instruction.dst), inductionStep(instruction)));
        }
        if (instruction.op === 'store' || instruction.op === 'call') writesMemory = true;
      }
    }
    const k = this.havocCounter++;
    const monotone: BoolExpr[] = [];
    for (const register of written) {
      const value = frame.registers[register];
      if (!value) continue;
      const name = `havoc${k}:${frame.fn.name}.%${register}`;
      if (value.kind === 'int') {
        const fresh = symbol(name, value.expr.width);
        const step = steps.get(register);
        if (step === 'up' || step === 'down') {
          const signed = frame.fn.signedRegisters.has(register);
          const [low, high] = step === 'up' ? [value.expr, fresh] : [fresh, value.expr];
          monotone.push(compare(signed ? 'sle' : 'ule', low, high));
        } else if (typeof step === 'object') {
          monotone.push(compare('ule', fresh, bv(step.mask, value.expr.width))); // x & mask never exceeds mask
        }
        frame.registers[register] = { kind: 'int', expr: fresh };
      } else if (value.kind === 'pointer') {
        frame.registers[register] = { kind: 'pointer', object: value.object, offset: symbol(name, 64) };
        // A pointer into the packet stays inside its buffer or one past it (C's rule; a wrapped offset
        // would pass `p + 1 <= data_end` and fail the access after it).
        const object = state.memory.get(value.object);
        if (object?.length) monotone.push(compare('ule', symbol(name, 64), bv(BigInt(object.size), 64)));
      }
    }
    if (monotone.length > 0) {
      const condition = and(monotone);
      const answer = await this.feasible(state, condition);
      if (answer.result === 'sat') this.addConstraint(state, condition, answer.model!);
      // Without the direction facts the loop is still over-approximated, but what follows depends on
      // the solver's luck: the contract says so rather than differ silently between runs.
      if (answer.result === 'unknown') this.stop('solver-unknown', `the solver could not decide the direction of the induction variables of the loop in ${frame.fn.name}`);
    }
    if (!writesMemory) return;
    const objects = this.writtenObjects(frame, body);
    if (objects === 'all' && this.recorder) state.forgetsAll = true;
    for (const object of state.memory.values()) {
      if (!object.readOnly && (objects === 'all' || objects.has(object.name))) object.bytes = arraySymbol(`havoc${k}:${object.name}`);
    }
  }

  /**
   * The memory objects a loop body can write, found from where its store addresses come from:
   * 'all' when an address is loaded from memory or returned by a call, or when the body calls a
   * function with a body (which may write anything it reaches). Calls without a body write only
   * what their declared contract says, as in `declaredCall`.
   */
  private writtenObjects(frame: Frame, body: ReadonlySet<number>): Set<string> | 'all' {
    const instructions = [...body].flatMap((id) => frame.fn.blocks[id]!.instructions);
    const definitions = new Map<number, Instruction[]>();
    for (const instruction of instructions) {
      if ('dst' in instruction && instruction.dst !== undefined) definitions.set(instruction.dst, [...(definitions.get(instruction.dst) ?? []), instruction]);
    }
    const pointees = (operand: Operand, seen: Set<number>): Set<string> | 'all' => {
      if (operand.kind !== 'reg') return new Set(); // a store through null or a constant ends its path
      const found = new Set<string>();
      const entry = frame.registers[operand.id];
      if (entry?.kind === 'pointer') found.add(entry.object); // the value the loop starts with
      const defined = definitions.get(operand.id);
      if (!defined) return found;
      if (seen.has(operand.id)) return found;
      seen.add(operand.id);
      for (const d of defined) {
        let more: Set<string> | 'all' = new Set();
        if (d.op === 'address') more = new Set([d.base.kind === 'global' ? d.base.name : d.base.kind === 'slot' ? frame.slotObjects[d.base.slot]! : `str#${d.base.index}`]);
        else if (d.op === 'offset') more = pointees(d.pointer, seen);
        else if (d.op === 'packetPointer') more = new Set([PACKET_OBJECT]);
        else if (d.op === 'copy') more = pointees(d.src, seen);
        else if ((d.op === 'load' && d.pointer) || (d.op === 'call' && d.returnsPointer)) return 'all';
        if (more === 'all') return 'all';
        for (const name of more) found.add(name);
      }
      return found;
    };
    const written = new Set<string>();
    const add = (operand: Operand | undefined): boolean => {
      if (!operand) return true;
      const objects = pointees(operand, new Set());
      if (objects === 'all') return false;
      for (const name of objects) written.add(name);
      return true;
    };
    for (const instruction of instructions) {
      if (instruction.op === 'store' && !add(instruction.address)) return 'all';
      if (instruction.op !== 'call') continue;
      const summarised = this.options.preferDeclaredContracts && !instruction.returnsPointer && this.options.declaredContracts?.has(instruction.callee);
      if (this.program.functions.has(instruction.callee) && !summarised) return 'all';
      if (instruction.callee === 'memcpy' || instruction.callee === 'memset') {
        if (!add(instruction.args[0])) return 'all';
        continue;
      }
      const declared = this.options.declaredContracts?.get(instruction.callee);
      for (const write of declared?.cases.flatMap((c) => c.writes) ?? []) if (!add(instruction.args[write.argIndex])) return 'all';
    }
    return written;
  }
}
