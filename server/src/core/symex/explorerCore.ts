// The base of the executor: what one exploration owns (paths, PCVs, the solver, the options),
// creating, forking and ending path states, asking the solver whether a condition can hold, and
// turning a feasible error into an error path. The layers above add memory, instructions, loops and calls.
import type { IrFunction, IrProgram, Operand, SourceRange } from '../ir/ir';
import { DepthFirstSearcher, Searcher } from './searcher';
import { PathTrace } from '../ir/pathTrace';
import { parameterRegionSize } from '../ir/regionSize';
import { zeroCost } from '../cost/costModel';
import { type ReasonKind } from '../reasons';
import { BitVecExpr, BoolExpr, arrayConst, arraySymbol, bv, not, symbol, symbolsOf, zeroExtend } from '../term/expr';
import { IndependenceCachingSolver } from '../solver/solver';
import { EMPTY_MODEL, Model, ModelEvaluator, layeredModel } from '../term/model';
import { SummaryStore, SummaryUse } from './summaries';
import { LazyObjectRecord } from './lazyMemory';
import { decisionLoops } from './decisionLoops';
import { lengthConditionText } from './packet';
import { ExecutionOptions, SymbolicValue, PathOutcome, SummarizedLoopPcv, CompletedPath, ExplorationResult, InputObject, MemoryObject, Frame, State, ConcreteRunAbandoned, PathEnd, rangeText } from './state';
import type { SummaryRecorder } from './summaryRecorder';

export abstract class ExplorerCore {
  protected readonly paths: CompletedPath[] = [];

  protected readonly stopReasons: ExplorationResult['stopReasons'] = [];

  protected readonly inputObjects: InputObject[] = [];

  protected readonly started = performance.now();

  protected readonly pcvs = new Map<string, SummarizedLoopPcv>();

  /** PCV instances of `total` loops (and their count marks): not multiplied by the loops around them. */
  protected readonly totalPcvs = new Set<string>();

  /** Declared calls' PCVs in summarised loops (`t@e`, also in totalPcvs): their terms from several calls combine by the largest coefficient. */
  protected readonly declaredTotals = new Set<string>();

  /** `inner|outer` pairs whose total PCV's bound was already multiplied by the outer loop's. */
  protected readonly totalBoundsScaled = new Set<string>();

  protected havocCounter = 0;

  protected forkCounter = 0;

  protected readonly summaryUse: SummaryUse = { instantiated: {}, inlined: [] };

  /** Set while this exploration records a summary (summaryRecorder.ts). */
  protected recorder?: SummaryRecorder;

  protected readonly arrayObjects: NonNullable<ExplorationResult['arrayObjects']> = [];

  protected readonly assumptions = new Map<string, { text: string; range: SourceRange }>();

  /** Per variable-step loop (`FUNCTION:HEADER`): the least step and the largest trip bound its summaries found (stepBound). */
  protected readonly variableSteps = new Map<string, { least: bigint; bound: number }>();

  protected pendingForks: State[] = [];

  constructor(
    protected readonly program: IrProgram, protected readonly solver: IndependenceCachingSolver, protected readonly options: ExecutionOptions,
    protected readonly summaries?: SummaryStore,
  ) {}

  /** The pending states of one exploration, starting from `initial` (see searcher.ts). */
  protected newSearcher(initial: State): Searcher<State> {
    return new DepthFirstSearcher([initial]);
  }

  /** Runs the state the searcher picks until it forks (its successors go back to the searcher) or ends. */
  protected async step(searcher: Searcher<State>): Promise<void> {
    const state = searcher.next()!;
    try {
      searcher.add(await this.runUntilFork(state));
    } catch (error) {
      if (!(error instanceof PathEnd)) throw error;
      this.finish(state, error.outcome);
    }
  }

  protected stop(reason: ReasonKind, message: string): void {
    this.stopReasons.push({ reason, message });
  }

  protected initialState(fn: IrFunction): State {
    const memory = new Map<string, MemoryObject>();
    for (const global of this.program.globals.values()) {
      const known = global.readOnly || this.options.initialGlobals.includes(global.name);
      const object: MemoryObject = {
        name: global.name,
        size: global.size,
        bytes: known ? arrayConst(`global:${global.name}`, global.initial) : arraySymbol(`mem:${global.name}`),
        pointers: new Map(),
        input: !known,
        readOnly: global.readOnly,
        inputArray: known ? undefined : `mem:${global.name}`,
        // A pointer in a global that no analysed function writes was set by code outside the analysis
        // (an init function, another file) unless the global is const or its initial value is asked for.
        ...(known ? (global.isConst || this.options.initialGlobals.includes(global.name) ? {} : { lazyRoot: `global:${global.name}`, witnessName: global.name })
          : { lazyRoot: `mem:${global.name}`, witnessName: global.name }),
      };
      for (const p of global.initialPointers) {
        object.pointers.set(p.offset, {
          kind: 'pointer',
          object: p.target.kind === 'global' ? p.target.name : p.target.kind === 'string' ? `str#${p.target.index}` : '?',
          offset: bv(BigInt(p.targetOffset), 64),
        });
      }
      memory.set(global.name, object);
      if (!known) this.inputObjects.push({ name: global.name, arrayName: `mem:${global.name}`, size: global.size, kind: 'global' });
    }
    this.program.strings.forEach((data, index) => {
      memory.set(`str#${index}`, { name: `str#${index}`, size: data.length, bytes: arrayConst(`str#${index}`, data), pointers: new Map(), input: false, readOnly: true });
    });
    // The init function's allocations, with unknown contents, and the pointers to them it left.
    for (const allocated of this.options.initialHeap?.objects ?? []) {
      const arrayName = `mem:${allocated.name}`;
      memory.set(allocated.name, { name: allocated.name, size: allocated.size, bytes: arraySymbol(arrayName), pointers: new Map(), input: true, inputArray: arrayName, lazyRoot: arrayName, witnessName: allocated.name });
    }
    for (const p of this.options.initialHeap?.pointers ?? []) memory.get(p.holder)?.pointers.set(p.offset, { kind: 'pointer', object: p.target, offset: bv(0n, 64) });
    const registers: (SymbolicValue | undefined)[] = new Array(fn.registerCount);
    for (const param of fn.params) {
      if (param.type.kind === 'int') {
        registers[param.register] = { kind: 'int', expr: symbol(`arg:${param.name}`, param.type.width) };
      } else {
        const objectName = this.program.globals.has(param.name) ? `${param.name}@param` : param.name;
        const size = parameterRegionSize(param.type, this.options.regions);
        memory.set(objectName, {
          name: objectName, size, bytes: arraySymbol(`mem:${param.name}`), pointers: new Map(), input: true, inputArray: `mem:${param.name}`,
          lazyRoot: `mem:${param.name}`, witnessName: param.name, ...(param.type.pointeeIsRecord && param.type.pointeeSize > 0 ? { elementSize: param.type.pointeeSize } : {}),
        });
        this.inputObjects.push({ name: param.name, arrayName: `mem:${param.name}`, size, kind: 'parameter' });
        registers[param.register] = { kind: 'pointer', object: objectName, offset: bv(0n, 64) };
      }
    }
    const state: State = {
      frames: [],
      terms: new Map(),
      boundaries: [],
      marks: new Map(),
      pcvInstances: new Map(),
      skipHeaderVisit: false,
      memory,
      constraints: [],
      model: EMPTY_MODEL,
      evaluator: new ModelEvaluator(EMPTY_MODEL),
      cost: zeroCost(),
      trace: new PathTrace(),
      decisions: [],
      externalCounts: new Map(),
      externalCalls: [],
      inputExtents: new Map(),
      slotCounter: { value: 0 },
    };
    state.frames.push(this.newFrame(state, fn, registers, undefined));
    return state;
  }

  protected newFrame(state: State, fn: IrFunction, registers: (SymbolicValue | undefined)[], returnTo: number | undefined): Frame {
    const depth = state.slotCounter.value++;
    if (state.framesCreated !== undefined) state.framesCreated++;
    const slotObjects = fn.slots.map((slot) => {
      const name = `${fn.name}.${slot.name}#${depth}`;
      state.memory.set(name, { name, size: slot.size, bytes: arrayConst('zero', new Uint8Array(0)), pointers: new Map(), input: false });
      return name;
    });
    return { fn, block: fn.entry, index: 0, registers, slotObjects, returnTo, loopVisits: new Map() };
  }

  protected finish(state: State, outcome: PathOutcome, returnValue?: SymbolicValue): void {
    const boundary = state.boundaries[state.boundaries.length - 1];
    if (boundary) {
      // Inside a loop being summarised: the cost is final only once the per-iteration cost is known.
      boundary.finished.push({ state, outcome, returnValue });
      return;
    }
    this.recorder?.pathEnded(state, outcome, returnValue);
    this.paths.push({
      trace: state.trace.digest(),
      outcome,
      cost: { ...state.cost },
      terms: state.terms,
      constraints: state.constraints,
      decisions: state.decisions,
      returnValue,
      witnessModel: state.model,
      inputExtents: state.inputExtents,
      externalCalls: state.externalCalls,
      ...lazyRecords(state),
    });
  }

  protected fork(state: State): State {
    const memory = new Map<string, MemoryObject>();
    for (const [name, object] of state.memory) memory.set(name, { ...object, pointers: new Map(object.pointers) });
    return {
      frames: state.frames.map((f) => ({ ...f, registers: [...f.registers], loopVisits: new Map(f.loopVisits) })),
      terms: new Map([...state.terms].map(([k, v]) => [k, { ...v }])),
      boundaries: [...state.boundaries],
      pcvInstances: new Map(state.pcvInstances),
      skipHeaderVisit: state.skipHeaderVisit,
      memory,
      constraints: [...state.constraints],
      model: state.model,
      evaluator: state.evaluator,
      cost: { ...state.cost },
      trace: state.trace.clone(),
      decisions: [...state.decisions],
      externalCounts: new Map(state.externalCounts),
      externalCalls: [...state.externalCalls],
      inputExtents: new Map([...state.inputExtents].map(([k, v]) => [k, { offsets: [...v.offsets], sizes: [...v.sizes] }])),
      slotCounter: state.slotCounter,
      marks: new Map(state.marks),
      framesCreated: state.framesCreated,
      ...(state.loopIds ? { loopIds: [...state.loopIds] } : {}),
      ...(state.forgetsAll ? { forgetsAll: true } : {}),
      ...(state.pcvEvents ? { pcvEvents: [...state.pcvEvents] } : {}),
      ...(state.externalWrites ? { externalWrites: [...state.externalWrites] } : {}),
    };
  }

  /**
   * Asks whether `condition` can hold on this path. Returns the model when it can (the state's own
   * model if it already satisfies the condition, so no solver call is needed).
   */
  protected async feasible(state: State, condition: BoolExpr): Promise<{ result: 'sat' | 'unsat' | 'unknown'; model?: Model }> {
    if (condition.op === 'true') return { result: 'sat', model: state.model };
    if (condition.op === 'false') return { result: 'unsat' };
    if (state.evaluator.boolean(condition)) return { result: 'sat', model: state.model };
    // A concrete loop run asks no solver: a decision that needs one is input-dependent (or only
    // settled by earlier constraints), and the loop is summarised as before, with nothing spent.
    if (state.concreteRun) throw new ConcreteRunAbandoned(condition);
    if (this.options.signal?.aborted) throw new PathEnd({ kind: 'incomplete', reason: 'cancelled', message: 'the analysis was cancelled' });
    // Every query gets at most the time left, so that the time limit holds (within a query's slack).
    const timeLeft = this.options.timeLimitMs - (performance.now() - this.started);
    if (timeLeft <= 0) throw new PathEnd({ kind: 'incomplete', reason: 'time-limit', message: `stopped at the time limit (${this.options.timeLimitMs} ms) before a solver query` });
    const answer = await this.solver.checkSliced([...state.constraints, condition], this.options.signal, timeLeft);
    if (answer.result !== 'sat' || !answer.model) return { result: answer.result };
    return { result: 'sat', model: layeredModel(answer.model, answer.names, state.model) };
  }

  protected addConstraint(state: State, condition: BoolExpr, model: Model): void {
    if (condition.op !== 'true') state.constraints.push(condition);
    if (model !== state.model) {
      state.model = model;
      state.evaluator = new ModelEvaluator(model);
    }
  }

  protected value(frame: Frame, operand: Operand): SymbolicValue {
    if (operand.kind === 'imm') return { kind: 'int', expr: bv(operand.value, operand.width) };
    if (operand.kind === 'null') return { kind: 'null' };
    return frame.registers[operand.id] ?? { kind: 'int', expr: bv(0n, 32) };
  }

  protected intValue(frame: Frame, operand: Operand, width: number, instruction: { range: SourceRange }): BitVecExpr {
    const v = this.value(frame, operand);
    if (v.kind === 'int') return v.expr.width === width ? v.expr : zeroExtend(v.expr, width);
    if (v.kind === 'null') return bv(0n, width);
    throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'a pointer is used as an integer', range: instruction.range });
  }

  /**
   * If `errorCondition` can hold, records an error path for it; then continues only where it cannot.
   * Returns true when the state was forked or ended (the caller must stop), false to go on.
   */
  protected async check(state: State, errorCondition: BoolExpr, outcome: PathOutcome): Promise<boolean> {
    if (errorCondition.op === 'false') return false;
    const error = await this.feasible(state, errorCondition);
    if (error.result === 'unknown') this.stop('solver-unknown', `the solver could not decide whether ${outcome.message ?? 'an error'} (${rangeText(outcome.range)})`);
    if (error.result !== 'sat') return false;
    const safe = not(errorCondition);
    const ok = await this.feasible(state, safe);
    if (ok.result === 'unknown') this.stop('solver-unknown', `the solver could not decide whether the code after ${rangeText(outcome.range)} is reachable`);
    const errorState = this.fork(state);
    this.addConstraint(errorState, errorCondition, error.model!);
    // A packet access that is out of bounds for short packets only: both sides are conditions on the length.
    const lengthText = ok.result === 'sat' ? lengthConditionText(errorCondition) : undefined;
    if (lengthText) {
      const decision = { text: lengthText, range: outcome.range!, functionName: state.frames[state.frames.length - 1]!.fn.name, inputs: [...symbolsOf(errorCondition)], loops: decisionLoops(state.frames) };
      errorState.decisions.push({ ...decision, taken: true });
      state.decisions.push({ ...decision, taken: false });
    }
    if (ok.result !== 'sat') {
      // No input avoids the error (or the solver cannot say): the path itself ends in it.
      this.addConstraint(state, errorCondition, error.model!);
      throw new PathEnd(outcome);
    }
    this.finish(errorState, outcome);
    this.addConstraint(state, safe, ok.model!);
    return false;
  }

  // Defined by the layers above.
  protected abstract runUntilFork(state: State): Promise<State[]>;
}

/** The lazy objects and unmodelled writes of a finished state, for its witness. */
function lazyRecords(state: State): Pick<CompletedPath, 'lazyObjects' | 'externalWrites'> {
  const lazyObjects: LazyObjectRecord[] = [];
  for (const object of state.memory.values()) {
    if (object.lazy) lazyObjects.push({ ...object.lazy, name: object.name, arrayName: `mem:${object.name}`, size: object.size });
  }
  return { ...(lazyObjects.length > 0 ? { lazyObjects } : {}), ...(state.externalWrites ? { externalWrites: state.externalWrites } : {}) };
}
