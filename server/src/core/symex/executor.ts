// Symbolic execution of the IR: explores the feasible paths of an entry function, forking at symbolic branches.
//
// Every state carries a model (concrete values for every input) that satisfies its path condition.
// At a branch, the side the model takes is feasible for free; z3 is asked only about the other side,
// and a `sat` answer brings the model for the forked state. Error checks (division by zero,
// out-of-bounds, null) work the same way and turn feasible errors into terminated paths.
import type { BasicBlock, Instruction, IrFunction, IrProgram, MbufLayout, Operand, Pointee, SourceRange, Terminator } from '../ir/ir';
import { PathTrace } from '../ir/pathTrace';
import { DEFAULT_REGION_OPTIONS, RegionOptions, parameterRegionSize } from '../ir/regionSize';
import { Cost, addCost, instructionCost, intrinsicCost, terminatorCost, zeroCost } from '../cost/costModel';
import { INTRINSICS } from '../syntax/builtinHeaders';
import { ERROR_REASONS, type ReasonKind } from '../reasons';
import {
  ArrayExpr, BitVecExpr, BoolExpr, FALSE, TRUE, and, arrayConst, arraySymbol, binary, bv, compare, concat, extract, ite, not, or,
  select, signExtend, store, symbol, symbolsOf, toSigned, zeroExtend,
} from './expr';
import { EMPTY_MODEL, IndependenceCachingSolver, Model, ModelEvaluator, layeredModel } from '../solver/solver';
import { CountMark, TOTAL_PCV_NOTE, countMarks, dominatorsOf, loopBody, loopMarkNames, loopPcv, pcvInstanceName, successorsOf } from '../ir/loops';
import { DEFAULT_FULL_UNROLL_LIMIT, runsInFull } from '../ir/fullUnroll';
import { SolverTripBound, solverTripBound } from './loopBounds';
import {
  DeclaredCase, DeclaredContract, DeclaredContracts, IntegerOrRange, caseCost, contractForDiscardedResult, loopDeclaredKey, nameCasePcvs, splitLoopDeclaredName,
} from '../contract/declaredContracts';
import {
  ArgumentShape, FunctionSummary, PcvEvent, RecordingTrace, Rebuilder, SummaryDecision, SummaryGuard, SummaryIteration, SummaryLeaf, SummaryLoop, SummaryPcv, SummaryStore, SummaryValue, UnusableSummary,
  SummaryUse, summaryArgObject, summaryArgument, summaryObjectArray, summaryOffset,
} from './summaries';
import {
  DEFAULT_ARRAY_ELEMENTS, InitHeap, LazyObjectInfo, LazyObjectRecord, LazyOrigin, lazyObjectName, lazyObjectSize, nullCondition, nullableEquality, stillInput,
} from './lazyMemory';
import { DecisionLoop, decisionLoops, nestedDecisionLoops } from './decisionLoops';
import {
  DEFAULT_PACKET_MAX_LENGTH, MBUF_BUFFER_SIZE, MBUF_HEADROOM, PACKET_BYTES, PACKET_LENGTH_NAME, PACKET_OBJECT, lengthConditionText, packetLength, packetLengthBound,
} from './packet';

export interface ExecutionOptions {
  /**
   * Iterations a loop runs explicitly in one entry. With `summarizeLoops`, the rest are summarised
   * into a PCV; without it, a symbolic exit past this limit ends the path as needs-pcv.
   */
  unrollLimit: number;
  /** Turn loops that run past the unroll limit into PCVs (per-iteration cost x trip count). */
  summarizeLoops: boolean;
  /**
   * Loops whose trip count has a constant bound no larger than this run in full, early exits
   * included, instead of being summarised (`ir/fullUnroll.ts`, which the interpreter follows too).
   * 0 turns it off. Default: DEFAULT_FULL_UNROLL_LIMIT (64).
   */
  fullUnrollLimit?: number;
  /** Visits of one loop header in one call frame before the path ends as needs-pcv, even when concrete. */
  concreteIterationLimit: number;
  /** Completed paths after which exploration stops (incomplete: path-limit). */
  maxPaths: number;
  /** Wall-clock budget for one entry function. */
  timeLimitMs: number;
  regions: RegionOptions;
  /**
   * `--init NAME`: the function run (in the interpreter) before every entry is analysed; the
   * objects it allocates, with unknown contents, and the pointers to them are the state handlers
   * start from (`initialHeap`, filled in by `analyze()`).
   */
  init?: string;
  /**
   * With `init`: a unit that does not define it is analysed without it instead of failing (the
   * language server's `perfcontract.x86.init` applies to the files that have that function).
   */
  initOptional?: boolean;
  /** The objects an init function allocated and the pointers to them (`--init`, core/initState.ts): the state handlers start from. */
  initialHeap?: InitHeap;
  /**
   * The largest packet an XDP context's `data`/`data_end` may describe (`--packet-max`, symex/packet.ts).
   * Default: DEFAULT_PACKET_MAX_LENGTH (1514).
   */
  packetMaxLength?: number;
  /** Written globals that still start at their initial value instead of unknown contents (e.g. counters reset per packet). */
  initialGlobals: string[];
  /** Contracts of functions without a body, by name. */
  declaredContracts?: DeclaredContracts;
  /**
   * Calls to a function that has both a body and a declared contract use the contract (the
   * library is summarised by its contract, as for a function without a body). Default: the body.
   */
  preferDeclaredContracts?: boolean;
  /**
   * Calls to functions with a body instantiate the callee's summary (explored once per call shape)
   * instead of executing its body again; a callee that cannot be summarised exactly is inlined, and
   * the exploration says why (`summaryUse`). Contracts are the same as inlined, but witnesses can
   * differ (other, equally valid solver models). Default: true.
   */
  compositional?: boolean;
  /**
   * With `compositional`, summarise callees that have (unnested) loops too; each call site settles
   * the loop's PCV, and a loop that inlining would run concretely at that call site makes the call
   * inline (docs/summaries.md). Default: true.
   */
  compositionalLoops?: boolean;
  /**
   * A loop that reaches the unroll limit runs on in full when every later decision is made without
   * the solver (a trip count fixed on the path), instead of becoming a PCV (`completeConcretely`).
   * Default: true.
   */
  concreteLoops?: boolean;
  signal?: AbortSignal;
  /**
   * Called between states with the paths finished so far and the states still to explore, so that
   * a host can show a partial contract while a long exploration runs. It must be cheap (it is
   * called once per state; throttle inside it) and must not modify the paths.
   */
  onProgress?: (progress: { paths: readonly CompletedPath[]; pendingStates: number; elapsedMs: number }) => void;
}

export const DEFAULT_EXECUTION_OPTIONS: ExecutionOptions = {
  unrollLimit: 2,
  summarizeLoops: true,
  fullUnrollLimit: DEFAULT_FULL_UNROLL_LIMIT,
  concreteIterationLimit: 10000,
  maxPaths: 2048,
  timeLimitMs: 30000,
  regions: DEFAULT_REGION_OPTIONS,
  initialGlobals: [],
  compositional: true,
  compositionalLoops: true,
};

export type SymbolicValue =
  | { kind: 'int'; expr: BitVecExpr }
  /** `nullable`: for a lazily created pointer, the condition under which it is NULL (see lazyMemory.ts). */
  | { kind: 'pointer'; object: string; offset: BitVecExpr; nullable?: BoolExpr }
  | { kind: 'null' };

/** One decision at a branch whose condition depended on inputs. */
export interface BranchDecision {
  text: string;
  taken: boolean;
  /** For switches: the case label text chosen ('default' or the value). */
  caseLabel?: string;
  /** For a switch's default: the case labels it excludes. */
  otherLabels?: string[];
  range: SourceRange;
  /** Symbols the condition depends on (`arg:NAME`, `mem:NAME` for the initial contents of an input, ...). */
  inputs: string[];
  functionName: string;
  /** The branch condition, kept only while a summary is recorded (to recompute `inputs` at a call site). */
  condition?: BoolExpr;
  /** The fork point and the side taken (a summary's decision counts at a call site only where both sides can happen). */
  fork?: { point: number; branch: number };
  /** The loop iterations the decision was taken in (`decisionLoops`), for class merging. */
  loops?: DecisionLoop[];
}

export interface PathOutcome {
  kind: 'return' | 'error' | 'incomplete';
  reason?: ReasonKind;
  message?: string;
  range?: SourceRange;
}

/** Cost terms beyond the constant: monomial key (PCV names sorted, joined by '*') -> coefficient. */
export type CostTerms = Map<string, Cost>;

export interface SummarizedLoopPcv {
  name: string;
  description: string;
  origin: { file: string; line: number };
  functionName: string;
  header: number;
  /** Largest number of summarised iterations: declared, or inferred from the loop guard; undefined when unknown. */
  bound?: number;
  /** Worst cost of one summarised iteration (loops only): constant part and terms of nested PCVs. */
  perIteration?: { cost: Cost; terms: CostTerms };
  boundSource?: 'annotation' | 'guard' | 'solver';
  /** Without a bound: the inputs that let the loop run any number of times (`loopBounds.ts`). */
  unboundedBy?: string[];
  /** A declared contract's PCV name that other callees' cases introduce on other paths. */
  otherCallees?: string[];
}

/**
 * One PCV met again (on another path, or at another call): its bound must hold on every path, so it
 * becomes the larger of the two, and no bound when either has none.
 */
function widenBound(known: SummarizedLoopPcv, bound: number | undefined, source?: SummarizedLoopPcv['boundSource']): void {
  if (known.bound === undefined) return;
  known.bound = bound === undefined ? undefined : Math.max(known.bound, bound);
  if (known.bound === undefined) known.boundSource = undefined;
  else if (known.boundSource !== source && source !== undefined && known.bound === bound) known.boundSource = source;
}

export interface CompletedPath {
  trace: string;
  outcome: PathOutcome;
  cost: Cost;
  terms: CostTerms;
  constraints: BoolExpr[];
  decisions: BranchDecision[];
  returnValue: SymbolicValue | undefined;
  witnessModel: Model;
  /** Accesses to input objects (keyed by array symbol), so the witness covers every byte read. */
  inputExtents: Map<string, { offsets: BitVecExpr[]; sizes: number[] }>;
  /** Calls without a body, in order; `declared` ones have a contract, the others are unmodelled. */
  /** `writes`: out-parameters a declared contract stored, as symbols `ext:KEY.PARAM`. */
  externalCalls: { callee: string; key: string; width: number; range: SourceRange; declared: boolean; writes?: { param: string; width: number }[] }[];
  /** Objects created lazily on this path (behind pointers the analysed code did not store), for the witness's heap. */
  lazyObjects?: LazyObjectRecord[];
  /** Objects an unmodelled call may have written: their contents after the call are the array `arrayName`. */
  externalWrites?: { key: string; object: string; arrayName: string; size: number }[];
}

export interface ExplorationResult {
  paths: CompletedPath[];
  /** PCVs introduced by summarised loops, by name. */
  pcvs: Map<string, SummarizedLoopPcv>;
  /** Why exploration stopped before covering every path, if it did. */
  stopReasons: { reason: ReasonKind; message: string }[];
  inputObjects: InputObject[];
  /** With `compositional`: calls answered by a summary, per callee, and callees inlined with the reason. */
  summaryUse?: SummaryUse;
  /** Struct objects some path indexed as arrays (lazyMemory.ts), with their assumed element bound. */
  arrayObjects?: { name: string; elements: number; elementSize: number }[];
  /** `/*@ assume EXPR *\/` annotations some path went through: inputs that violate them are outside the contract. */
  assumptions?: { text: string; range: SourceRange }[];
  /** With `--init`: the init function's allocations the paths started from (witnesses give them as `heap`). */
  initialHeap?: InitHeap;
}

export interface InputObject {
  /** Witness key: parameter or global name. */
  name: string;
  arrayName: string;
  size: number;
  /** `packet`: the XDP packet (symex/packet.ts), given as the witness's `packet`. */
  kind: 'parameter' | 'global' | 'packet';
}

interface MemoryObject {
  name: string;
  size: number;
  bytes: ArrayExpr;
  pointers: Map<number, SymbolicValue>;
  input: boolean;
  /** Constant objects (read-only globals, string literals) that loops never need to forget. */
  readOnly?: boolean;
  /** For inputs: the array symbol holding the initial contents (the witness key's data). */
  inputArray?: string;
  /** The input array pointer fields are lazily initialised from (`stillInput`); unset for memory the code allocated. */
  lazyRoot?: string;
  /** The name of the object in witnesses (a parameter's or global's name, a lazy object's name). */
  witnessName?: string;
  /** Set on a lazily created object. */
  lazy?: LazyObjectInfo;
  /** For a struct object that may be indexed as an array: the struct's size (the object grows to `arrayElements` of them). */
  elementSize?: number;
  /** Set once the object is indexed as an array: it then holds up to this many elements. */
  arrayElements?: number;
  /** The packet (symex/packet.ts): its length in bytes, at most `size`; accesses must end within it. */
  length?: BitVecExpr;
  /** Pointers lazily created at symbolic offsets (`indexedPointer`); replaced, never changed in place. */
  indexedPointers?: ReadonlyArray<{ offset: BitVecExpr; value: SymbolicValue }>;
}

interface Frame {
  fn: IrFunction;
  block: number;
  index: number;
  registers: (SymbolicValue | undefined)[];
  slotObjects: string[];
  returnTo: number | undefined; // register in the caller
  loopVisits: Map<number, number>;
}

/** The region of a loop being summarised: where an iteration ends and where the loop is left. */
interface Boundary {
  /** The loop's PCV instance: declared calls in its iterations name their PCVs after it (`t@PCV`). */
  pcv: string;
  depth: number;
  header: number;
  body: ReadonlySet<number>;
  startCost: Cost;
  startTerms: CostTerms;
  /** `mark`: the count mark the iteration reached (its own PCV), undefined for plain iterations. */
  iterations: { cost: Cost; terms: CostTerms; mark?: string }[];
  exits: State[];
  finished: { state: State; outcome: PathOutcome; returnValue: SymbolicValue | undefined }[];
  /** While a summary is recorded: the loop as the summary keeps it (iterations with their conditions). */
  recorded?: SummaryLoop;
  /**
   * A guard's counter that steps by a value the body computes (`off += olen`): its value when the
   * summarised iteration starts, and its value and path at each return to the header (stepBound).
   */
  stepCounter?: { register: number; pointerObject?: string; start: BitVecExpr; ends: { constraints: BoolExpr[]; after: BitVecExpr; evaluator: ModelEvaluator }[]; lost: boolean };
}

interface State {
  frames: Frame[];
  terms: CostTerms;
  boundaries: Boundary[];
  /** For each loop being summarised, the `/*@ count *\/` mark this iteration reached, if any. */
  marks: Map<Boundary, string>;
  pcvInstances: Map<string, number>;
  skipHeaderVisit: boolean;
  memory: Map<string, MemoryObject>;
  constraints: BoolExpr[];
  model: Model;
  evaluator: ModelEvaluator;
  cost: Cost;
  trace: PathTrace;
  decisions: BranchDecision[];
  externalCounts: Map<string, number>;
  externalCalls: CompletedPath['externalCalls'];
  inputExtents: CompletedPath['inputExtents'];
  slotCounter: { value: number };
  /** Set on a summary leaf that ended in the callee: the state ends when it is next run. */
  pendingEnd?: PathOutcome;
  /** While a summary is recorded: the call frames this path created. */
  framesCreated?: number;
  /** While a summary is recorded: the loops this path summarised (ids into the recording's loops). */
  loopIds?: number[];
  /** While a summary is recorded: a loop on this path forgot all writable memory. */
  forgetsAll?: boolean;
  /** While a summary is recorded: the PCVs this path introduced, in order (declared-case PCVs by name, loops by id). */
  pcvEvents?: PcvEvent[];
  /** On a summary leaf: PCV records to register when the state next runs, in the order inlining would. */
  pendingRegistrations?: (() => void)[];
  /** While the rest of a loop runs concretely (see `completeConcretely`). */
  concreteRun?: ConcreteRun;
  /** Objects unmodelled calls may have written on this path (see `forgetReachable`). */
  externalWrites?: CompletedPath['externalWrites'];
}

/**
 * A loop past its unroll limit that runs on without the solver. Its iterations count as the interpreter
 * counts a summarised loop's: the trace keeps the last iteration's decisions only, and every
 * iteration starts from the same PCV instance names.
 */
interface ConcreteRun {
  depth: number;
  header: number;
  body: ReadonlySet<number>;
  iterations: number;
  /** The trace and PCV instance counters at the first summarised visit of the header. */
  trace: PathTrace;
  pcvInstances: Map<string, number>;
  exited: boolean;
}

/**
 * Thrown inside a concrete run that cannot go on without the solver (`condition` is the question it
 * would have asked), or would summarise a loop (no condition).
 */
class ConcreteRunAbandoned extends Error {
  constructor(readonly condition?: BoolExpr) {
    super('concrete run abandoned');
  }
}

/** Iterations past the unroll limit a loop may run concretely before it is summarised after all. */
const CONCRETE_RUN_ITERATIONS = 1024;

class PathEnd extends Error {
  constructor(readonly outcome: PathOutcome) {
    super(outcome.message ?? outcome.kind);
  }
}

/** Explores every feasible path of `entry`; never throws for problems in the analysed code. */
export async function explore(
  program: IrProgram, entry: string, solver: IndependenceCachingSolver, options: ExecutionOptions, summaries?: SummaryStore,
): Promise<ExplorationResult> {
  return new Explorer(program, solver, options, summaries).run(entry);
}

/** A summary being recorded: the states of the callee's finished paths and what they touched. */
interface Recording {
  leaves: { state: State; outcome: PathOutcome; returnValue: SymbolicValue | undefined }[];
  loops: Map<number, SummaryLoop>;
  touched: Set<string>;
  copiesMemory: boolean;
  /** See `FunctionSummary.concreteQuestions`. */
  concreteQuestions: BoolExpr[];
  /** See `FunctionSummary.concreteLoops`. */
  concreteLoops: number;
  /** See `FunctionSummary.pastUnroll`. */
  pastUnroll: boolean;
}

class Explorer {
  private readonly paths: CompletedPath[] = [];
  private readonly stopReasons: ExplorationResult['stopReasons'] = [];
  private readonly inputObjects: InputObject[] = [];
  private readonly started = performance.now();
  private readonly pcvs = new Map<string, SummarizedLoopPcv>();
  /** PCV instances of `total` loops (and their count marks): not multiplied by the loops around them. */
  private readonly totalPcvs = new Set<string>();
  /** Declared calls' PCVs in summarised loops (`t@e`, also in totalPcvs): their terms from several calls combine by the largest coefficient. */
  private readonly declaredTotals = new Set<string>();
  /** `inner|outer` pairs whose total PCV's bound was already multiplied by the outer loop's. */
  private readonly totalBoundsScaled = new Set<string>();
  private havocCounter = 0;
  private forkCounter = 0;
  private readonly summaryUse: SummaryUse = { instantiated: {}, inlined: [] };
  private recording?: Recording;
  private readonly arrayObjects: NonNullable<ExplorationResult['arrayObjects']> = [];
  private readonly assumptions = new Map<string, { text: string; range: SourceRange }>();
  /** Per variable-step loop (`FUNCTION:HEADER`): the least step and the largest trip bound its summaries found (stepBound). */
  private readonly variableSteps = new Map<string, { least: bigint; bound: number }>();

  constructor(
    private readonly program: IrProgram, private readonly solver: IndependenceCachingSolver, private readonly options: ExecutionOptions,
    private readonly summaries?: SummaryStore,
  ) {}

  async run(entry: string): Promise<ExplorationResult> {
    const fn = this.program.functions.get(entry);
    if (!fn) throw new Error(`no function '${entry}' to explore`);
    const initial = this.initialState(fn);
    const worklist: State[] = [initial];
    while (worklist.length > 0) {
      if (this.options.signal?.aborted) {
        this.stop('cancelled', 'the analysis was cancelled');
        break;
      }
      // Each pending state is a branch point not yet explored, which may hide any number of paths:
      // the message counts branch points, not paths.
      if (performance.now() - this.started > this.options.timeLimitMs) {
        this.stop('time-limit', `stopped at the time limit (${this.options.timeLimitMs} ms) after ${this.paths.length} paths, with ${worklist.length} branch point${worklist.length === 1 ? '' : 's'} left to explore (each may hide many more paths)${pendingLoopNote(worklist)}`);
        break;
      }
      if (this.paths.length >= this.options.maxPaths) {
        this.stop('path-limit', `stopped at the path limit (${this.options.maxPaths} paths), with ${worklist.length} branch point${worklist.length === 1 ? '' : 's'} left to explore (each may hide many more paths)${pendingLoopNote(worklist)}`);
        break;
      }
      this.options.onProgress?.({ paths: this.paths, pendingStates: worklist.length, elapsedMs: performance.now() - this.started });
      await this.step(worklist);
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

  /** Runs the newest state until it forks or ends (depth-first: paths finish early, the worklist stays small). */
  private async step(worklist: State[]): Promise<void> {
    const state = worklist.pop()!;
    try {
      const forks = await this.runUntilFork(state);
      // Push in reverse so the first successor is explored first (deterministic order).
      for (let i = forks.length - 1; i >= 0; i--) worklist.push(forks[i]!);
    } catch (error) {
      if (!(error instanceof PathEnd)) throw error;
      this.finish(state, error.outcome);
    }
  }

  private stop(reason: ReasonKind, message: string): void {
    this.stopReasons.push({ reason, message });
  }

  private initialState(fn: IrFunction): State {
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

  private newFrame(state: State, fn: IrFunction, registers: (SymbolicValue | undefined)[], returnTo: number | undefined): Frame {
    const depth = state.slotCounter.value++;
    if (state.framesCreated !== undefined) state.framesCreated++;
    const slotObjects = fn.slots.map((slot) => {
      const name = `${fn.name}.${slot.name}#${depth}`;
      state.memory.set(name, { name, size: slot.size, bytes: arrayConst('zero', new Uint8Array(0)), pointers: new Map(), input: false });
      return name;
    });
    return { fn, block: fn.entry, index: 0, registers, slotObjects, returnTo, loopVisits: new Map() };
  }

  private finish(state: State, outcome: PathOutcome, returnValue?: SymbolicValue): void {
    const boundary = state.boundaries[state.boundaries.length - 1];
    if (boundary) {
      // Inside a loop being summarised: the cost is final only once the per-iteration cost is known.
      boundary.finished.push({ state, outcome, returnValue });
      return;
    }
    this.recording?.leaves.push({ state, outcome, returnValue });
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

  private fork(state: State): State {
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
  private async feasible(state: State, condition: BoolExpr): Promise<{ result: 'sat' | 'unsat' | 'unknown'; model?: Model }> {
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

  private addConstraint(state: State, condition: BoolExpr, model: Model): void {
    if (condition.op !== 'true') state.constraints.push(condition);
    if (model !== state.model) {
      state.model = model;
      state.evaluator = new ModelEvaluator(model);
    }
  }

  /** Runs a state until it forks (returns the successors) or ends (throws PathEnd / returns []). */
  private async runUntilFork(state: State): Promise<State[]> {
    if (state.pendingRegistrations) {
      for (const register of state.pendingRegistrations) register();
      state.pendingRegistrations = undefined;
    }
    if (state.pendingEnd) {
      const outcome = state.pendingEnd;
      state.pendingEnd = undefined;
      throw new PathEnd(outcome);
    }
    while (true) {
      const frame = state.frames[state.frames.length - 1]!;
      const block = frame.fn.blocks[frame.block]!;
      const boundary = state.boundaries[state.boundaries.length - 1];
      const atBoundaryFrame = boundary !== undefined && state.frames.length === boundary.depth;
      if (atBoundaryFrame && frame.index === 0) {
        if (frame.block === boundary.header && !state.skipHeaderVisit) {
          const iteration = { cost: subtractCost(state.cost, boundary.startCost), terms: subtractTerms(state.terms, boundary.startTerms), mark: state.marks.get(boundary) };
          boundary.iterations.push(iteration);
          if (boundary.stepCounter) {
            const after = counterValue(frame, boundary.stepCounter.register, boundary.stepCounter.pointerObject);
            if (after) boundary.stepCounter.ends.push({ constraints: [...state.constraints], after, evaluator: state.evaluator });
            else boundary.stepCounter.lost = true;
          }
          boundary.recorded?.iterations.push({
            constraints: [...state.constraints], decisions: state.decisions.map(summaryDecision), cost: iteration.cost, terms: [...iteration.terms],
            ...(iteration.mark === undefined ? {} : { mark: iteration.mark }),
          });
          return []; // one more iteration done: only its cost matters
        }
        if (!boundary.body.has(frame.block)) {
          boundary.exits.push(state);
          return [];
        }
      }
      const run = state.concreteRun;
      if (run && state.frames.length < run.depth) {
        run.exited = true; // returned from inside the loop
        return [state];
      }
      if (run && frame.index === 0 && state.frames.length === run.depth) {
        if (!run.body.has(frame.block)) {
          run.exited = true;
          return [state];
        }
        if (frame.block === run.header) {
          if (++run.iterations > CONCRETE_RUN_ITERATIONS) throw new ConcreteRunAbandoned();
          state.trace = run.trace.clone();
          state.pcvInstances = new Map(run.pcvInstances);
        }
      }
      if (frame.index === 0 && block.loopHeader !== undefined && !(run && state.frames.length === run.depth && frame.block === run.header)) {
        if (state.skipHeaderVisit) {
          state.skipHeaderVisit = false;
        } else if (this.visitLoopHeader(frame, block) === 'summarize') {
          if (run) throw new ConcreteRunAbandoned(); // a loop inside the concrete run would be summarised
          if (this.recording) this.recording.pastUnroll = true;
          const completed = await this.completeConcretely(state, frame, block);
          if (completed === 'finished') return [];
          if (completed) return [completed];
          return this.summarizeLoop(state, frame, block);
        }
      }
      const marks = state.boundaries.length > 0 ? countMarks(frame.fn).get(block.id) : undefined;
      while (frame.index < block.instructions.length) {
        if (marks) this.noteMark(state, marks, frame.index);
        const instruction = block.instructions[frame.index]!;
        const result = await this.execute(state, frame, instruction);
        if (result === 'called') break;
        if (result === 'forked') return this.pendingForks.splice(0);
        frame.index++;
      }
      if (state.frames[state.frames.length - 1] !== frame) continue; // entered a callee
      if (frame.index < block.instructions.length) continue;
      if (marks) this.noteMark(state, marks, frame.index);
      if (atBoundaryFrame && block.terminator.op === 'return') {
        boundary.exits.push(state); // returning from inside the loop leaves it too
        return [];
      }
      const successors = await this.terminate(state, frame, block.terminator);
      if (successors === 'continue') continue;
      return successors;
    }
  }

  private pendingForks: State[] = [];

  /** A loop with a small constant trip count and few paths: explored in full, never summarised (`ir/fullUnroll.ts`). */
  private runsInFull(frame: Frame, header: BasicBlock): boolean {
    return runsInFull(this.program, frame.fn, header.id, this.options.fullUnrollLimit ?? DEFAULT_FULL_UNROLL_LIMIT);
  }

  private visitLoopHeader(frame: Frame, block: BasicBlock): 'summarize' | 'continue' {
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
  private async completeConcretely(state: State, frame: Frame, header: BasicBlock): Promise<State | 'finished' | undefined> {
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
          if (this.recording) this.recording.concreteLoops++;
          return 'finished';
        }
        if (next.length !== 1 || next[0] !== probe) return undefined; // forked
        if (run.exited) break;
      }
    } catch (error) {
      if (error instanceof PathEnd && (error.outcome.kind === 'return' || error.outcome.kind === 'error')) {
        this.finish(probe, error.outcome);
        if (this.recording) this.recording.concreteLoops++;
        return 'finished';
      }
      // While a summary is recorded, the question that stopped the run is kept: at a call site
      // where the caller's values answer it without the solver, inlining would run on, and the
      // callee is inlined there (see `concreteQuestions`).
      if (error instanceof ConcreteRunAbandoned && error.condition && this.recording) this.recording.concreteQuestions.push(error.condition);
      if (error instanceof PathEnd || error instanceof ConcreteRunAbandoned) return undefined;
      throw error;
    }
    probe.concreteRun = undefined;
    if (this.recording) this.recording.concreteLoops++;
    return probe;
  }

  /**
   * Summarises the remaining iterations of a loop: forgets what the loop writes, explores one
   * iteration from the header to get the worst per-iteration cost, and continues at every way out
   * of the loop with cost + PCV x (per-iteration cost). Returns the states that left the loop.
   */
  /** Records that this iteration of the summarised loop a count mark belongs to reached it. */
  private noteMark(state: State, marks: Map<number, CountMark>, index: number): void {
    const mark = marks.get(index);
    if (!mark) return;
    const depth = state.frames.length;
    const boundary = [...state.boundaries].reverse().find((b) => b.depth === depth && b.header === mark.header);
    if (boundary) state.marks.set(boundary, mark.name);
  }

  private async summarizeLoop(state: State, frame: Frame, header: BasicBlock): Promise<State[]> {
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
    if (this.recording && state.boundaries.length > 0) {
      throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: `a loop inside a loop in '${fn.name}', whose cost a summary cannot settle per call site` });
    }
    const markOf = (name: string) => [...countMarks(fn).values()].flatMap((m) => [...m.values()]).find((m) => m.name === name && m.header === header.id)!;
    const declared = loop.bounds[base.name];
    const inferred = declared === undefined ? guardBound(frame, header, body) : undefined;
    // Without a constant guard, the solver finds the most iterations the path allows, for loops of
    // the entry function: a callee's loop gets the bound its summary would settle at the call site
    // (guards only), so that summaries and inlining give the same contract.
    const solved: SolverTripBound | undefined = declared === undefined && inferred === undefined && !this.recording && state.frames.length === 1
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
    const stepped = bound === undefined && solved === undefined && declared === undefined && !this.recording && state.frames.length === 1
      ? variableStepGuard(frame, header, body) : undefined;
    const beforeLoop = stepped ? { constraints: [...state.constraints], evaluator: state.evaluator, start: counterValue(frame, stepped.counter, stepped.pointerObject) } : undefined;
    const known = this.pcvs.get(pcv);
    const knownBound = known?.bound;
    let recorded: SummaryLoop | undefined;
    if (this.recording) {
      // The PCV's bound and per-iteration cost are settled at each call site (instantiateSummary).
      recorded = {
        id: this.recording.loops.size, pcv, description: base.description, origin: { file: loop.range.file, line: loop.range.startLine + 1 }, functionName: fn.name,
        header: header.id, ...(declared !== undefined ? { declaredBound: declared } : {}), ...(base.total ? { total: true } : {}),
        guards: declared === undefined ? loopGuards(frame, header, body) : [], iterations: [],
        marks: [...markPcvs].map(([name, markPcv]) => ({ name, pcv: markPcv, description: markOf(name).description, line: markOf(name).line + 1 })),
      };
      this.recording.loops.set(recorded.id, recorded);
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
    const boundary: Boundary = {
      pcv, depth: state.frames.length, header: header.id, body, startCost: { ...state.cost }, startTerms: cloneTerms(state.terms),
      iterations: [], exits: [], finished: [], ...(recorded ? { recorded } : {}),
      ...(stepped && counterAtStart ? { stepCounter: { register: stepped.counter, ...(stepped.pointerObject !== undefined ? { pointerObject: stepped.pointerObject } : {}), start: counterAtStart, ends: [], lost: false } } : {}),
    };
    state.boundaries = [...state.boundaries, boundary];
    state.skipHeaderVisit = true;
    const worklist: State[] = [state];
    while (worklist.length > 0) {
      if (this.options.signal?.aborted) { this.stop('cancelled', 'the analysis was cancelled'); break; }
      if (performance.now() - this.started > this.options.timeLimitMs) { this.stop('time-limit', `stopped after ${this.options.timeLimitMs} ms while summarising the loop at line ${loop.range.startLine + 1} of ${fn.name}`); break; }
      await this.step(worklist);
    }
    // Only from a complete exploration of the iteration: a path that ended incomplete inside it
    // might have come back to the header with a smaller step.
    const iterationComplete = worklist.length === 0 && !boundary.finished.some((f) => f.outcome.kind === 'incomplete');
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
    const partial = new Set([...boundary.exits, ...boundary.finished.map((f) => f.state)].flatMap((s) => [...subtractTerms(s.terms, boundary.startTerms).keys()]).flatMap((key) => key.split('*')));
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
  private scaleTotalBounds(outer: string, outerBound: number | undefined, costs: { terms: CostTerms }[], partial?: ReadonlySet<string>): void {
    for (const cost of costs) {
      for (const key of cost.terms.keys()) {
        for (const name of key.split('*')) {
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
  private noteDeclaredTotal(name: string): void {
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
    if (objects === 'all' && this.recording) state.forgetsAll = true;
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

  private value(frame: Frame, operand: Operand): SymbolicValue {
    if (operand.kind === 'imm') return { kind: 'int', expr: bv(operand.value, operand.width) };
    if (operand.kind === 'null') return { kind: 'null' };
    return frame.registers[operand.id] ?? { kind: 'int', expr: bv(0n, 32) };
  }

  private intValue(frame: Frame, operand: Operand, width: number, instruction: { range: SourceRange }): BitVecExpr {
    const v = this.value(frame, operand);
    if (v.kind === 'int') return v.expr.width === width ? v.expr : zeroExtend(v.expr, width);
    if (v.kind === 'null') return bv(0n, width);
    throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'a pointer is used as an integer', range: instruction.range });
  }

  /** Returns 'next', 'called' (a frame was pushed), or 'forked' (successors in pendingForks). */
  private async execute(state: State, frame: Frame, instruction: Instruction): Promise<'next' | 'called' | 'forked'> {
    const set = (dst: number, value: SymbolicValue) => { frame.registers[dst] = value; };
    switch (instruction.op) {
      case 'copy':
        set(instruction.dst, this.value(frame, instruction.src));
        break;
      case 'binary': {
        const w = instruction.width;
        const left = this.intValue(frame, instruction.left, w, instruction);
        const right = this.intValue(frame, instruction.right, w, instruction);
        const op = instruction.operator;
        if (op === 'udiv' || op === 'sdiv' || op === 'urem' || op === 'srem') {
          const forked = await this.check(state, compare('eq', right, bv(0n, w)), { kind: 'error', reason: 'division-by-zero', message: `division by zero is possible here`, range: instruction.range });
          if (forked) return 'forked';
          if (op === 'sdiv' || op === 'srem') {
            const overflow = and([compare('eq', left, bv(1n << BigInt(w - 1), w)), compare('eq', right, bv(-1n, w))]);
            if (await this.check(state, overflow, { kind: 'error', reason: 'division-overflow', message: 'signed division of the minimum value by -1 is possible here', range: instruction.range })) return 'forked';
          }
        }
        if (op === 'shl' || op === 'lshr' || op === 'ashr') {
          const oversized = compare('ule', bv(BigInt(w), w), right);
          if (await this.check(state, oversized, { kind: 'error', reason: 'oversized-shift', message: `a shift by ${w} or more bits is possible here`, range: instruction.range })) return 'forked';
        }
        set(instruction.dst, { kind: 'int', expr: binary(op, left, right) });
        break;
      }
      case 'compare': {
        let result: BoolExpr;
        if (instruction.pointers) {
          result = this.comparePointers(frame, instruction);
        } else {
          const left = this.intValue(frame, instruction.left, instruction.width, instruction);
          const right = this.intValue(frame, instruction.right, instruction.width, instruction);
          result = predicateExpr(instruction.predicate, left, right);
        }
        set(instruction.dst, { kind: 'int', expr: boolToBit(result) });
        break;
      }
      case 'cast': {
        const source = this.intValue(frame, instruction.src, instruction.from, instruction);
        const expr = instruction.cast === 'trunc' ? extract(instruction.to - 1, 0, source)
          : instruction.cast === 'zext' ? zeroExtend(source, instruction.to) : signExtend(source, instruction.to);
        set(instruction.dst, { kind: 'int', expr });
        break;
      }
      case 'address': {
        const base = instruction.base;
        const object = base.kind === 'global' ? base.name : base.kind === 'slot' ? frame.slotObjects[base.slot]! : `str#${base.index}`;
        set(instruction.dst, { kind: 'pointer', object, offset: bv(0n, 64) });
        break;
      }
      case 'offset': {
        const pointer = this.value(frame, instruction.pointer);
        const delta = this.intValue(frame, instruction.byteOffset, 64, instruction);
        if (pointer.kind === 'null') {
          if (delta.op === 'const' && delta.value === 0n) { set(instruction.dst, pointer); break; }
          throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'arithmetic on a null pointer', range: instruction.range });
        }
        if (pointer.kind !== 'pointer') throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'an integer is used as a pointer', range: instruction.range });
        set(instruction.dst, { ...pointer, offset: binary('add', pointer.offset, delta) });
        break;
      }
      case 'packetPointer': {
        if (this.recording) throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: 'it reads the packet pointers of an XDP context, which a summary cannot express' });
        const packet = this.packetObject(state);
        set(instruction.dst, { kind: 'pointer', object: PACKET_OBJECT, offset: instruction.field === 'data_end' ? packet.length! : bv(0n, 64) });
        break;
      }
      case 'pointerDiff': {
        const left = this.value(frame, instruction.left);
        const right = this.value(frame, instruction.right);
        if (left.kind !== 'pointer' || right.kind !== 'pointer' || left.object !== right.object) {
          throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'subtracting pointers into different objects', range: instruction.range });
        }
        set(instruction.dst, { kind: 'int', expr: binary('sub', left.offset, right.offset) });
        break;
      }
      case 'load': {
        const access = await this.access(state, frame, instruction.address, instruction.width / 8, instruction.range);
        if (access === 'forked') return 'forked';
        const { object, offset } = access;
        if (instruction.pointer) {
          const stored = offset.op === 'const' ? object.pointers.get(Number(offset.value)) : undefined;
          if (!stored && this.recording) throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: 'it loads a pointer from memory, which a summary cannot express' });
          const loaded = stored ?? (offset.op !== 'const' || object.indexedPointers
            ? await this.indexedPointer(state, object, offset, instruction)
            : this.unstoredPointer(state, object, offset, instruction));
          set(instruction.dst, loaded);
          if (!stored && instruction.pointee?.mbuf && loaded.kind === 'pointer') await this.mbufBuffer(state, object, loaded.object, instruction.pointee.mbuf);
        } else {
          set(instruction.dst, { kind: 'int', expr: this.readBytes(object, offset, instruction.width / 8) });
        }
        break;
      }
      case 'store': {
        const access = await this.access(state, frame, instruction.address, instruction.width / 8, instruction.range);
        if (access === 'forked') return 'forked';
        const { object, offset } = access;
        const value = this.value(frame, instruction.value);
        if (instruction.pointer || value.kind !== 'int') {
          if (this.recording) throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: 'it stores a pointer in memory, which a summary cannot express' });
          if (offset.op !== 'const') {
            await this.storeIndexedPointer(state, object, offset, value, instruction.range);
            break;
          }
          object.pointers.set(Number(offset.value), value);
        } else {
          // Pointers stored or followed at symbolic offsets survive an integer store that cannot touch them.
          const indexed = object.indexedPointers ? await this.indexedPointersApart(state, object, offset, instruction.width / 8) : undefined;
          this.dropPointers(object, offset, instruction.width / 8);
          if (indexed && indexed.length > 0) object.indexedPointers = indexed;
          this.writeBytes(object, offset, value.expr, instruction.width / 8);
        }
        break;
      }
      case 'call':
        return this.call(state, frame, instruction);
    }
    addCost(state.cost, instructionCost(instruction));
    return 'next';
  }

  /**
   * If `errorCondition` can hold, records an error path for it; then continues only where it cannot.
   * Returns true when the state was forked or ended (the caller must stop), false to go on.
   */
  private async check(state: State, errorCondition: BoolExpr, outcome: PathOutcome): Promise<boolean> {
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

  private comparePointers(frame: Frame, instruction: Extract<Instruction, { op: 'compare' }>): BoolExpr {
    const left = this.value(frame, instruction.left);
    const right = this.value(frame, instruction.right);
    const isNull = (v: SymbolicValue) => v.kind === 'null' || (v.kind === 'int' && v.expr.op === 'const' && v.expr.value === 0n);
    if (instruction.predicate === 'eq' || instruction.predicate === 'ne') {
      let equal: BoolExpr;
      const lazyNull = nullableEquality(left, right, isNull);
      if (lazyNull) equal = lazyNull;
      else if (isNull(left) && isNull(right)) equal = TRUE;
      else if (isNull(left) || isNull(right)) equal = FALSE;
      else if (left.kind === 'pointer' && right.kind === 'pointer') {
        // Distinct objects are equal only when both are lazily created pointers that are both NULL (no aliasing).
        equal = left.object === right.object ? compare('eq', left.offset, right.offset) : and([left.nullable ?? FALSE, right.nullable ?? FALSE]);
      }
      else throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'comparing a pointer with an integer', range: instruction.range });
      return instruction.predicate === 'eq' ? equal : not(equal);
    }
    if (left.kind === 'pointer' && right.kind === 'pointer' && left.object === right.object) {
      return predicateExpr(instruction.predicate.replace(/^s/, 'u') as typeof instruction.predicate, left.offset, right.offset);
    }
    throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'ordering pointers into different objects', range: instruction.range });
  }

  /** Resolves an address and checks null and bounds for `bytes` bytes (forking error paths). */
  private async access(state: State, frame: Frame, address: Operand, bytes: number, range: SourceRange): Promise<{ object: MemoryObject; offset: BitVecExpr } | 'forked'> {
    const pointer = this.value(frame, address);
    if (pointer.kind === 'null' || (pointer.kind === 'int' && pointer.expr.op === 'const' && pointer.expr.value === 0n)) {
      throw new PathEnd({ kind: 'error', reason: 'null-dereference', message: 'memory access through a null pointer', range });
    }
    if (pointer.kind !== 'pointer') throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'an integer is used as a pointer', range });
    const object = state.memory.get(pointer.object);
    if (!object) throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: `no object '${pointer.object}'`, range });
    const offset = pointer.offset;
    if (pointer.nullable) await this.assumeValid(state, pointer.nullable, range);
    if (object.elementSize !== undefined && object.arrayElements === undefined) await this.growIntoArray(object, offset, bytes, range);
    // In bounds: offset <= size - bytes, as unsigned 64-bit (negative offsets wrap to huge values).
    const limit = BigInt(object.size - bytes);
    let outOfBounds = limit < 0n ? TRUE : not(compare('ule', offset, bv(limit, 64)));
    let message = `access of ${bytes} byte${bytes === 1 ? '' : 's'} may fall outside '${displayObject(object.name)}' (${object.size} bytes)`;
    if (object.length) {
      // The packet: the access must also end within its length, as the verifier demands.
      outOfBounds = limit < 0n ? TRUE : not(and([compare('ule', offset, bv(limit, 64)), compare('ule', binary('add', offset, bv(BigInt(bytes), 64)), object.length)]));
      message = `access of ${bytes} byte${bytes === 1 ? '' : 's'} may fall outside the packet (${PACKET_LENGTH_NAME} bytes; the verifier rejects it)`;
    }
    await this.assumeInArray(state, object, offset, bytes);
    if (await this.check(state, outOfBounds, { kind: 'error', reason: 'out-of-bounds', message, range })) return 'forked';
    this.recording?.touched.add(object.name);
    if (object.inputArray) {
      const extent = state.inputExtents.get(object.inputArray) ?? { offsets: [], sizes: [] };
      extent.offsets.push(offset);
      extent.sizes.push(bytes);
      state.inputExtents.set(object.inputArray, extent);
    }
    return { object, offset };
  }

  // ----- the XDP packet (packet.ts) -----

  /** The packet object, created on the first `packetPointer` of the path: symbolic bytes, length `pkt:len` <= the maximum. */
  private packetObject(state: State): MemoryObject {
    const existing = state.memory.get(PACKET_OBJECT);
    if (existing) return existing;
    const max = this.options.packetMaxLength ?? DEFAULT_PACKET_MAX_LENGTH;
    const object: MemoryObject = {
      name: PACKET_OBJECT, size: max, length: packetLength(), bytes: arraySymbol(PACKET_BYTES), pointers: new Map(), input: true, inputArray: PACKET_BYTES,
    };
    state.memory.set(PACKET_OBJECT, object);
    // Its witness gives the length even when the path reads no byte of it.
    if (!state.inputExtents.has(PACKET_BYTES)) state.inputExtents.set(PACKET_BYTES, { offsets: [], sizes: [] });
    if (!this.inputObjects.some((i) => i.kind === 'packet')) this.inputObjects.push({ name: 'packet', arrayName: PACKET_BYTES, size: max, kind: 'packet' });
    // The model so far gives the new length 0, which the bound allows.
    state.constraints.push(packetLengthBound(max));
    return object;
  }

  /**
   * A DPDK mbuf's buffer, lazily created behind `buf_addr`: the mbuf's `buf_len` is the buffer's
   * size and the packet (`data_len` bytes from `data_off`) lies inside it, so `rte_pktmbuf_mtod`
   * reads are in bounds (what DPDK guarantees). Skipped when the mbuf's fields are no longer its input's.
   */
  private async mbufBuffer(state: State, mbuf: MemoryObject, buffer: string, layout: MbufLayout): Promise<void> {
    const object = state.memory.get(buffer);
    if (!object?.lazy || !mbuf.lazyRoot || ![layout.dataOff, layout.dataLen, layout.bufLen].every((at) => stillInput(mbuf.bytes, mbuf.lazyRoot!, at, 2))) return;
    const field = (at: number) => zeroExtend(this.readBytes(mbuf, bv(BigInt(at), 64), 2), 32);
    const size = bv(BigInt(MBUF_BUFFER_SIZE), 32);
    const inside = and([
      compare('eq', field(layout.bufLen), size),
      compare('ule', field(layout.dataOff), bv(BigInt(MBUF_HEADROOM), 32)),
      compare('ule', binary('add', field(layout.dataOff), field(layout.dataLen)), size),
    ]);
    const answer = await this.feasible(state, inside);
    if (answer.result !== 'sat') return;
    this.addConstraint(state, inside, answer.model!);
    object.size = MBUF_BUFFER_SIZE;
    // `buf_addr` is a `void *`, but its size is now the mbuf's: no longer an opaque object.
    const { opaqueSize: _opaque, ...lazy } = object.lazy;
    object.lazy = { ...lazy, mbuf: true };
  }

  // ----- lazy initialisation (lazyMemory.ts) -----

  /**
   * The value of a pointer load where the analysed code stored no pointer: a lazily created object
   * when the bytes are still an input's, NULL when they are zero, else the path ends (PC107).
   */
  private unstoredPointer(state: State, object: MemoryObject, offset: BitVecExpr, instruction: Extract<Instruction, { op: 'load' }>): SymbolicValue {
    const at = offset.op === 'const' ? Number(offset.value) : undefined;
    if (at !== undefined && object.lazyRoot && object.witnessName && stillInput(object.bytes, object.lazyRoot, at, 8)) {
      const value = this.createLazy(state, { kind: 'field', holder: object.witnessName, offset: at }, instruction.pointee);
      object.pointers.set(at, value);
      return value;
    }
    const bytes = this.readBytes(object, offset, 8);
    if (bytes.op === 'const' && bytes.value === 0n) return { kind: 'null' };
    throw new PathEnd({
      kind: 'error', reason: 'invalid-pointer', range: instruction.range,
      message: `load of a pointer the memory model cannot follow (from '${displayObject(object.name)}': its bytes were written as integers, forgotten by a summarised loop, or read at a symbolic offset)`,
    });
  }

  /**
   * A pointer loaded at a symbolic offset of an object whose bytes are still all its input's (a
   * per-port table of pointers set up by init, `tx_buffer[port]`): that element's own lazily created
   * object, `HOLDER@[k]` for the path's k-th such element (its witness gives the offset). An offset
   * equal on this path to one already followed gives the same object; one that may or may not be
   * equal to it ends the path as unsupported: aliasing between elements is not modelled. A concrete
   * offset after such loads is checked the same way, then handled as usual.
   */
  private async indexedPointer(state: State, object: MemoryObject, offset: BitVecExpr, instruction: Extract<Instruction, { op: 'load' }>): Promise<SymbolicValue> {
    if (offset.op !== 'const') {
      const aligned = compare('eq', binary('and', offset, bv(7n, 64)), bv(0n, 64));
      const answer = await this.feasible(state, aligned);
      if (answer.result === 'unknown') this.stop('solver-unknown', `the solver could not decide whether a pointer read from '${displayObject(object.name)}' is aligned (${rangeText(instruction.range)})`);
      if (answer.result !== 'sat') return this.unstoredPointer(state, object, offset, instruction);
      this.addConstraint(state, aligned, answer.model!);
    }
    const known = [
      ...[...object.pointers].map(([at, value]) => ({ offset: bv(BigInt(at), 64) as BitVecExpr, value })),
      ...(object.indexedPointers ?? []),
    ];
    for (const entry of known) {
      if (entry.offset === offset) return entry.value;
      const same = compare('eq', offset, entry.offset);
      const mayBeSame = await this.feasible(state, same);
      if (mayBeSame.result === 'unsat') continue;
      const mayDiffer = await this.feasible(state, not(same));
      if (mayBeSame.result === 'sat' && mayDiffer.result === 'unsat') return entry.value;
      throw new PathEnd({
        kind: 'incomplete', reason: 'unsupported', range: instruction.range,
        message: `two pointers read from '${displayObject(object.name)}' may or may not be the same element; aliasing between its elements is not modelled`,
      });
    }
    if (offset.op === 'const' || !object.lazyRoot || !object.witnessName || !stillInput(object.bytes, object.lazyRoot, 0, object.size)) return this.unstoredPointer(state, object, offset, instruction);
    const ordinal = (object.indexedPointers?.length ?? 0) + 1;
    const value = this.createLazy(state, { kind: 'field', holder: object.witnessName!, offset: -1, index: { offset, ordinal } }, instruction.pointee);
    object.indexedPointers = [...(object.indexedPointers ?? []), { offset, value }];
    return value;
  }

  /**
   * A pointer stored at a symbolic offset (`buf->pkts[buf->length++] = m`): kept with its offset
   * beside the object's other pointers, where `indexedPointer` finds it. A pointer at an offset that
   * must be the same is replaced; one that may be the same is forgotten. As for a pointer stored at
   * a constant offset, the bytes are not written: a later load is checked against this entry first,
   * so another field or element is still lazily initialised only where it cannot be this one.
   */
  private async storeIndexedPointer(state: State, object: MemoryObject, offset: BitVecExpr, value: SymbolicValue, range: SourceRange): Promise<void> {
    const aligned = compare('eq', binary('and', offset, bv(7n, 64)), bv(0n, 64));
    const answer = await this.feasible(state, aligned);
    if (answer.result === 'unknown') this.stop('solver-unknown', `the solver could not decide whether a pointer stored in '${displayObject(object.name)}' is aligned (${rangeText(range)})`);
    if (answer.result !== 'sat') throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: 'storing a pointer at a misaligned symbolic offset is not supported', range });
    this.addConstraint(state, aligned, answer.model!);
    const mayOverlap = async (at: BitVecExpr): Promise<boolean> => at !== offset && (await this.feasible(state, compare('eq', offset, at))).result !== 'unsat';
    for (const at of [...object.pointers.keys()]) if (at !== undefined && await mayOverlap(bv(BigInt(at), 64))) object.pointers.delete(at);
    const kept: Array<{ offset: BitVecExpr; value: SymbolicValue }> = [];
    for (const entry of object.indexedPointers ?? []) if (entry.offset !== offset && !(await mayOverlap(entry.offset))) kept.push(entry);
    object.indexedPointers = [...kept, { offset, value }];
  }

  /** The object's symbolic-offset pointers that bytes [offset, offset + count) cannot overlap on this path. */
  private async indexedPointersApart(state: State, object: MemoryObject, offset: BitVecExpr, count: number): Promise<Array<{ offset: BitVecExpr; value: SymbolicValue }>> {
    const apart: Array<{ offset: BitVecExpr; value: SymbolicValue }> = [];
    for (const entry of object.indexedPointers ?? []) {
      const overlap = and([compare('ult', offset, binary('add', entry.offset, bv(8n, 64))), compare('ult', entry.offset, binary('add', offset, bv(BigInt(count), 64)))]);
      if ((await this.feasible(state, overlap)).result === 'unsat') apart.push(entry);
    }
    return apart;
  }

  /** A fresh object of the pointee's type with symbolic contents, and a pointer to it that may be NULL. */
  private createLazy(state: State, origin: LazyOrigin, pointee: Pointee | undefined): SymbolicValue {
    const name = lazyObjectName(origin);
    const { size, elementSize, opaqueSize } = lazyObjectSize(pointee, this.options.regions.bufferBytes);
    const arrayName = `mem:${name}`;
    const nullSymbol = `null:${name}`;
    state.memory.set(name, {
      name, size, bytes: arraySymbol(arrayName), pointers: new Map(), input: true, inputArray: arrayName, lazyRoot: arrayName, witnessName: name,
      lazy: { origin, nullSymbol, pointee: pointee?.name ?? 'void', ...(opaqueSize ? { opaqueSize } : {}) }, ...(elementSize !== undefined ? { elementSize } : {}),
    });
    return { kind: 'pointer', object: name, offset: bv(0n, 64), nullable: nullCondition(nullSymbol) };
  }

  /**
   * A dereference of a lazily created pointer assumes it is not NULL (the code did not check), unless
   * the path already decided it is: then it is a null dereference.
   */
  private async assumeValid(state: State, nullable: BoolExpr, range: SourceRange): Promise<void> {
    const valid = not(nullable);
    const answer = await this.feasible(state, valid);
    if (answer.result === 'unknown') this.stop('solver-unknown', `the solver could not decide whether a pointer is NULL (${rangeText(range)})`);
    if (answer.result !== 'sat') throw new PathEnd({ kind: 'error', reason: 'null-dereference', message: 'memory access through a pointer that is NULL on this path', range });
    this.addConstraint(state, valid, answer.model!);
  }

  /**
   * A struct object accessed beyond its first element is an array of up to `arrayElements` elements;
   * the path assumes the access is inside it (an assumption of the contract, not an error class), and
   * is an out-of-bounds error only where no element count up to the bound can hold it.
   */
  private async growIntoArray(object: MemoryObject, offset: BitVecExpr, bytes: number, range: SourceRange): Promise<void> {
    const elementSize = object.elementSize!;
    if (offset.op === 'const' && offset.value + BigInt(bytes) <= BigInt(elementSize)) return;
    if (this.recording) throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: `it indexes '${displayObject(object.name)}' as an array, which a summary cannot express`, range });
    object.arrayElements = this.options.regions.arrayElements ?? DEFAULT_ARRAY_ELEMENTS;
    object.size = object.arrayElements * elementSize;
    const input = this.inputObjects.find((i) => i.arrayName === object.inputArray);
    if (input) input.size = Math.max(input.size, object.size);
    const name = object.witnessName ?? displayObject(object.name);
    if (!this.arrayObjects.some((a) => a.name === name)) this.arrayObjects.push({ name, elements: object.arrayElements, elementSize });
  }

  /** Inside an object indexed as an array, the path assumes the access falls inside its elements. */
  private async assumeInArray(state: State, object: MemoryObject, offset: BitVecExpr, bytes: number): Promise<void> {
    if (object.arrayElements === undefined) return;
    const inside = compare('ule', offset, bv(BigInt(object.size - bytes), 64));
    if (inside.op === 'true') return;
    const answer = await this.feasible(state, inside);
    if (answer.result === 'sat') this.addConstraint(state, inside, answer.model!);
  }

  /**
   * An unmodelled call may write everything its pointer arguments reach: those objects get fresh
   * contents (the array `ext:KEY>NAME`, given by the witness's `externalWrites`). In inputs and lazy
   * objects, pointers already followed stay and the others are lazily created from the new contents.
   * The code's own memory behind an argument (a local passed as an out-parameter, `&e`) loses its
   * pointers: they are lazily created too, named after the call (`KEY:argN@OFFSET`).
   */
  private forgetReachable(state: State, key: string, args: SymbolicValue[], everything = false): void {
    const seen = new Set<string>();
    const queue: { name: string; label: string | undefined }[] = [];
    args.forEach((arg, index) => { if (arg.kind === 'pointer') queue.push({ name: arg.object, label: `${key}:arg${index}` }); });
    // A "memory" clobber: every object a witness names (globals, what parameters and lazy
    // pointers reach) and what their stored pointers reach; the function's locals stay.
    if (everything) for (const object of state.memory.values()) if (object.witnessName) queue.push({ name: object.name, label: undefined });
    while (queue.length > 0) {
      const { name, label } = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const object = state.memory.get(name);
      if (!object || object.readOnly) continue;
      for (const value of [...object.pointers.values(), ...(object.indexedPointers ?? []).map((entry) => entry.value)]) if (value.kind === 'pointer') queue.push({ name: value.object, label: undefined });
      // Memory the code allocated that the call reaches only through stored pointers has no name a witness can give.
      if (!object.witnessName && label === undefined) continue;
      if (!object.witnessName) {
        object.witnessName = label;
        object.pointers = new Map();
      }
      const witnessName = object.witnessName!;
      const arrayName = `ext:${key}>${witnessName}`;
      object.bytes = arraySymbol(arrayName);
      object.inputArray = arrayName;
      object.lazyRoot = arrayName;
      state.externalWrites = [...(state.externalWrites ?? []), { key, object: witnessName, arrayName, size: object.size }];
    }
  }

  private readBytes(object: MemoryObject, offset: BitVecExpr, count: number): BitVecExpr {
    const parts: BitVecExpr[] = [];
    for (let i = count - 1; i >= 0; i--) parts.push(select(object.bytes, binary('add', offset, bv(BigInt(i), 64))));
    return concat(parts);
  }

  private writeBytes(object: MemoryObject, offset: BitVecExpr, value: BitVecExpr, count: number): void {
    let bytes = object.bytes;
    for (let i = 0; i < count; i++) bytes = store(bytes, binary('add', offset, bv(BigInt(i), 64)), extract(8 * i + 7, 8 * i, value));
    object.bytes = bytes;
  }

  private dropPointers(object: MemoryObject, offset: BitVecExpr, count: number): void {
    // A store may hit an element read at a symbolic offset: those are forgotten (a later read is PC107).
    object.indexedPointers = undefined;
    if (object.pointers.size === 0) return;
    if (offset.op !== 'const') { object.pointers.clear(); return; }
    const start = Number(offset.value);
    for (const at of [...object.pointers.keys()]) if (at < start + count && at + 8 > start) object.pointers.delete(at);
  }

  private async call(state: State, frame: Frame, instruction: Extract<Instruction, { op: 'call' }>): Promise<'next' | 'called' | 'forked'> {
    const callee = this.options.preferDeclaredContracts && !instruction.returnsPointer && this.options.declaredContracts?.has(instruction.callee)
      ? undefined : this.program.functions.get(instruction.callee);
    const args = instruction.args.map((a) => this.value(frame, a));
    if (callee) {
      if (state.frames.some((f) => f.fn.name === callee.name)) {
        throw new PathEnd({ kind: 'incomplete', reason: 'recursion', message: `recursive call to '${callee.name}' is not analysed`, range: instruction.range });
      }
      if (this.options.compositional && this.summaries) {
        const summarised = await this.callViaSummary(state, instruction, callee, args);
        if (summarised) return summarised;
      }
      addCost(state.cost, instructionCost(instruction));
      const registers: (SymbolicValue | undefined)[] = new Array(callee.registerCount);
      callee.params.forEach((param, index) => {
        const arg = args[index];
        if (arg && arg.kind === 'int' && param.type.kind === 'int') registers[param.register] = { kind: 'int', expr: zeroExtend(arg.expr, param.type.width) };
        else registers[param.register] = arg;
      });
      frame.index++; // resume after the call
      state.trace.enter(callee.name);
      state.frames.push(this.newFrame(state, callee, registers, instruction.dst));
      return 'called';
    }
    if (INTRINSICS.has(instruction.callee)) {
      const forked = await this.intrinsic(state, frame, instruction, args);
      if (forked) return 'forked';
      addCost(state.cost, instructionCost(instruction));
      return 'next';
    }
    const found = this.options.declaredContracts?.get(instruction.callee);
    const declared = found && instruction.dst === undefined ? contractForDiscardedResult(found) : found;
    // Out-parameters a declared contract writes must be valid before the call counts (an access may fork).
    const outputs = new Map<number, { object: string; offset: BitVecExpr }>();
    if (declared) {
      for (const write of declared.cases.flatMap((c) => c.writes)) {
        if (outputs.has(write.argIndex)) continue;
        const operand = instruction.args[write.argIndex];
        if (!operand) throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: `'${instruction.callee}' is called without its out-parameter '${write.param}'`, range: instruction.range });
        const access = await this.access(state, frame, operand, write.width / 8, instruction.range);
        if (access === 'forked') return 'forked';
        outputs.set(write.argIndex, { object: access.object.name, offset: access.offset });
      }
    }
    const count = (state.externalCounts.get(instruction.callee) ?? 0) + 1;
    state.externalCounts.set(instruction.callee, count);
    const key = `${instruction.callee}#${count}`;
    if (declared) return this.declaredCall(state, frame, instruction, declared, key, outputs);
    // A call without a body or contract: its result is unknown and its cost is not counted.
    state.externalCalls.push({ callee: instruction.callee, key, width: instruction.returnsPointer ? 0 : instruction.returnWidth, range: instruction.range, declared: false });
    if (this.recording && (instruction.returnsPointer || args.some((a) => a.kind === 'pointer'))) {
      throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: `it calls '${instruction.callee}', which has no body or contract, with or for pointers, which a summary cannot express`, range: instruction.range });
    }
    if (this.recording && instruction.clobbersMemory) {
      throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: `its assembly at line ${instruction.range.startLine + 1} may write any memory (a "memory" clobber), which a summary cannot express`, range: instruction.range });
    }
    this.forgetReachable(state, key, args, instruction.clobbersMemory);
    if (instruction.dst !== undefined) {
      // A pointer result is NULL or a fresh object (lazy initialisation), an integer one unconstrained.
      frame.registers[instruction.dst] = instruction.returnsPointer ? this.createLazy(state, { kind: 'result', key }, instruction.pointee)
        : instruction.returnWidth === 0 ? { kind: 'int', expr: bv(0n, 32) }
        : { kind: 'int', expr: symbol(`ext:${key}`, instruction.returnWidth) };
    }
    addCost(state.cost, instructionCost(instruction));
    return 'next';
  }

  /**
   * A call with a declared contract: one successor per feasible case (the first case whose return
   * condition holds, as in the interpreter), each with the case's cost and PCVs named for this call.
   */
  private async declaredCall(
    state: State, frame: Frame, instruction: Extract<Instruction, { op: 'call' }>, contract: DeclaredContract, key: string,
    outputs: Map<number, { object: string; offset: BitVecExpr }>,
  ): Promise<'next' | 'forked'> {
    const width = instruction.returnWidth || 32;
    const result = symbol(`ext:${key}`, width);
    // A pointer result is NULL or a fresh object, as for a call without a contract; its cases read
    // it as 0 when NULL and 1 otherwise (`returns: 0` is the NULL case).
    if (instruction.returnsPointer && this.recording) {
      throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: `it calls '${contract.name}', whose declared contract returns a pointer, which a summary cannot express`, range: instruction.range });
    }
    const pointer = instruction.returnsPointer ? this.createLazy(state, { kind: 'result', key }, instruction.pointee) : undefined;
    const isNull = pointer?.kind === 'pointer' ? pointer.nullable ?? FALSE : FALSE;
    const pointerCondition = (c: DeclaredCase) => or([c.returns === undefined || rangeHolds(c.returns, 0) ? isNull : FALSE, c.returns === undefined || rangeHolds(c.returns, 1) ? not(isNull) : FALSE]);
    // A case holds when its return condition does; its writes are fresh values in their ranges.
    const matches = contract.cases.map((c) => (pointer ? pointerCondition(c) : returnCondition(c, result, width)));
    const writeRanges = contract.cases.map((c) => and(c.writes.map((w) => rangeCondition(w.value, symbol(`ext:${key}.${w.param}`, w.width), w.width, w.signed))));
    const successors: State[] = [];
    for (let i = 0; i < contract.cases.length; i++) {
      const condition = and([matches[i]!, ...matches.slice(0, i).map((m) => not(m))]);
      const answer = await this.feasible(state, condition);
      if (answer.result === 'unknown') this.stop('solver-unknown', `the solver could not decide case '${contract.cases[i]!.name}' of '${contract.name}' (${rangeText(instruction.range)})`);
      if (answer.result !== 'sat') continue;
      const successor = this.fork(state);
      this.addConstraint(successor, condition, answer.model!);
      const c = contract.cases[i]!;
      if (c.writes.length > 0) {
        // The written values are fresh symbols, independent of everything before, so the model extends.
        const ranges = writeRanges[i]!;
        const extended = await this.feasible(successor, ranges);
        if (extended.result !== 'sat') this.stop('solver-unknown', `the solver could not decide the out-parameters of case '${c.name}' of '${contract.name}' (${rangeText(instruction.range)})`);
        else this.addConstraint(successor, ranges, extended.model!);
        for (const write of c.writes) {
          const target = outputs.get(write.argIndex)!;
          const object = successor.memory.get(target.object)!;
          this.dropPointers(object, target.offset, write.width / 8);
          this.writeBytes(object, target.offset, symbol(`ext:${key}.${write.param}`, write.width), write.width / 8);
        }
      }
      // Inside a summarised loop, the PCVs of the call are totals named after the innermost loop
      // (`t@e`): each is the sum over the loop's iterations, so the loop's PCV does not multiply
      // its terms. A loop run concretely would charge the case once per iteration: it is summarised instead.
      if (Object.keys(c.pcvs).length > 0 && successor.concreteRun) throw new ConcreteRunAbandoned();
      const loop = successor.boundaries[successor.boundaries.length - 1]?.pcv;
      const renamed = nameCasePcvs(c, successor.pcvInstances, loop);
      if (loop !== undefined) for (const name of renamed.values()) this.noteDeclaredTotal(name);
      if (this.recording) successor.pcvEvents = [...(successor.pcvEvents ?? []), ...[...renamed.values()].map((pcv) => ({ pcv }))];
      for (const [pcv, name] of renamed) {
        this.noteDeclaredPcv({
          name, description: `${c.pcvs[pcv]} (in ${contract.name}, declared in ${contract.source.split('/').pop()})`,
          origin: { file: instruction.range.file, line: instruction.range.startLine + 1 }, functionName: contract.name, header: -1,
          bound: c.bounds[pcv], boundSource: c.bounds[pcv] !== undefined ? 'annotation' : undefined,
        });
      }
      const cost = caseCost(c, (pcv) => renamed.get(pcv) ?? pcv);
      addCost(successor.cost, cost.constant);
      addCost(successor.cost, instructionCost(instruction));
      for (const [term, coefficient] of cost.terms) {
        const current = successor.terms.get(term) ?? zeroCost();
        addCost(current, coefficient);
        successor.terms.set(term, current);
      }
      successor.externalCalls.push({ callee: instruction.callee, key, width: instruction.returnWidth, range: instruction.range, declared: true, writes: c.writes.map((w) => ({ param: w.param, width: w.width })) });
      successor.trace.declaredCase(contract.name, i);
      if (contract.cases.length > 1) successor.decisions.push({ text: `${contract.name}(): ${c.name}`, taken: true, range: instruction.range, functionName: frame.fn.name, inputs: [], loops: decisionLoops(successor.frames) });
      const successorFrame = successor.frames[successor.frames.length - 1]!;
      if (instruction.dst !== undefined) successorFrame.registers[instruction.dst] = pointer ?? (instruction.returnWidth === 0 ? { kind: 'int', expr: bv(0n, 32) } : { kind: 'int', expr: result });
      successorFrame.index++;
      successors.push(successor);
    }
    if (successors.length === 0) throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: `no case of the declared contract of '${contract.name}' can hold here`, range: instruction.range });
    this.pendingForks.push(...successors);
    return 'forked';
  }

  // ----- compositional summaries -----

  /** Instantiates the callee's summary for this call, or returns undefined (after saying why) to inline it. */
  private async callViaSummary(
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

  private inlined(callee: string, reason: string): undefined {
    if (!this.summaryUse.inlined.some((i) => i.callee === callee && i.reason === reason)) this.summaryUse.inlined.push({ callee, reason });
    return undefined;
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
    const child = new Explorer(this.program, this.solver, { ...this.options, timeLimitMs: remaining / 2, onProgress: undefined }, this.summaries);
    const summary = await child.record(fn, shape);
    for (const [callee, count] of Object.entries(child.summaryUse.instantiated)) this.summaryUse.instantiated[callee] = (this.summaryUse.instantiated[callee] ?? 0) + count;
    for (const inlined of child.summaryUse.inlined) this.inlined(inlined.callee, inlined.reason);
    return summary;
  }

  private async record(fn: IrFunction, shape: ArgumentShape[]): Promise<FunctionSummary | UnusableSummary> {
    const recording: Recording = { leaves: [], loops: new Map(), touched: new Set(), copiesMemory: false, concreteQuestions: [], concreteLoops: 0, pastUnroll: false };
    this.recording = recording;
    const { state, initial } = this.summaryState(fn, shape);
    const worklist: State[] = [state];
    while (worklist.length > 0) {
      if (this.options.signal?.aborted) return { unusable: 'the analysis was cancelled' };
      if (performance.now() - this.started > this.options.timeLimitMs) return { unusable: 'its exploration ran out of time' };
      if (this.paths.length >= this.options.maxPaths) return { unusable: `it has more than ${this.options.maxPaths} paths` };
      await this.step(worklist);
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
    if (this.recording && state.boundaries.length > 0 && summary.loops.length > 0) {
      throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: `'${callee.name}' has a loop and is called inside a loop, whose cost a summary cannot settle per call site` });
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
      if (this.recording) this.recording.concreteQuestions.push(...questions);
    }
    if (this.recording) {
      this.recording.concreteLoops += summary.concreteLoops;
      if (summary.pastUnroll) this.recording.pastUnroll = true;
    }
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
        ...(this.recording && decisionCondition ? { condition: decisionCondition } : {}),
        loops: nestedDecisionLoops(decisionLoops(state.frames), d.loops, state.frames.length),
        ...(this.recording && d.fork ? { fork: { point: pointHere(d.fork.point), branch: d.fork.branch } } : {}),
      }];
    });
    const renameTerms = (terms: [string, Cost][]): CostTerms => new Map(terms.map(([key, cost]) => [key.split('*').map(renamePcv).sort().join('*'), { ...cost }]));
    // Each loop's PCV for this call: settled here, or (while recording a caller's summary) kept for its call sites.
    type IterationCost = { cost: Cost; terms: CostTerms };
    const loopsHere = new Map<number, { pcv: string; perIteration: IterationCost; marks: { pcv: string; perIteration: IterationCost }[]; recordedId?: number; register?: () => void }>();
    // Declared calls on the passes that leave a loop (the leaves' own terms) share its iterations' totals.
    const partial = new Set(feasible.flatMap((f) => f.leaf.terms.flatMap(([key]) => key.split('*').map(renamePcv))));
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
      const inIterations = new Set(kept.flatMap((iteration) => iteration.terms.flatMap(([key]) => key.split('*'))));
      const declaredInLoop = new Map<string, SummaryPcv>();
      for (const record of summary.pcvs) if (record.total && inIterations.has(record.name)) declaredInLoop.set(renamePcv(record.name), record);
      if (this.recording) {
        for (const [name, record] of declaredInLoop) if (!this.pcvs.has(name)) this.pcvs.set(name, declaredRecord(record, name));
        const recorded: SummaryLoop = {
          ...loop, id: this.recording.loops.size, pcv, guards,
          iterations: kept.map((i) => ({
            constraints: i.constraints.map((c) => rebuild.boolean(c)), decisions: decisionsHere(i.decisions).map(summaryDecision), cost: i.cost, terms: [...renameTerms(i.terms)],
            ...(i.mark === undefined ? {} : { mark: i.mark }),
          })),
          marks: loop.marks.map((m) => ({ ...m, pcv: renamePcv(m.pcv) })),
        };
        this.recording.loops.set(recorded.id, recorded);
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
        if (this.recording) successor.forgetsAll = true;
      }
      // PCVs are registered when the successor runs, in the order inlining would meet them.
      const registrations: (() => void)[] = [];
      for (const event of leaf.pcvEvents) {
        if ('pcv' in event) {
          const record = declaredPcvs.get(event.pcv);
          const name = renamePcv(event.pcv);
          const register = () => { if (record) this.noteDeclaredPcv(declaredRecord(record, name)); };
          if (this.recording) {
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

  /**
   * Registers a declared call's PCV, or merges it into the record of that name. Names follow the
   * order of calls on each path: on another path the same name can be another callee's PCV. Its
   * bound is then the larger one, and the description says so (`otherCallees`). Inline calls and
   * instantiated summaries both register through here, so they give the same records.
   */
  private noteDeclaredPcv(record: SummarizedLoopPcv): void {
    const known = this.pcvs.get(record.name);
    if (!known) {
      this.pcvs.set(record.name, record);
      return;
    }
    if (known.header !== -1) return;
    for (const callee of [record.functionName, ...(record.otherCallees ?? [])]) {
      if (known.functionName !== callee && !(known.otherCallees ?? []).includes(callee)) known.otherCallees = [...(known.otherCallees ?? []), callee];
    }
    widenBound(known, record.bound);
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

  private async intrinsic(state: State, frame: Frame, instruction: Extract<Instruction, { op: 'call' }>, args: SymbolicValue[]): Promise<boolean> {
    const name = instruction.callee as 'memcpy' | 'memset' | 'memcmp';
    const sizeValue = args[2];
    const size = sizeValue?.kind === 'int' ? sizeValue.expr : undefined;
    if (!size || size.op !== 'const') {
      throw new PathEnd({ kind: 'incomplete', reason: 'symbolic-size', message: `${name} with a size that depends on the input; its cost needs a PCV`, range: instruction.range });
    }
    const n = Number(size.value);
    const first = await this.accessRange(state, frame, instruction.args[0]!, n, instruction.range);
    if (first === 'forked') return true;
    const second = name === 'memset' ? undefined : await this.accessRange(state, frame, instruction.args[1]!, n, instruction.range);
    if (second === 'forked') return true;
    if (name === 'memcpy') {
      if (this.recording) this.recording.copiesMemory = true;
      const bytes: BitVecExpr[] = [];
      for (let i = 0; i < n; i++) bytes.push(select(second!.object.bytes, binary('add', second!.offset, bv(BigInt(i), 64))));
      const movedPointers = [...second!.object.pointers].filter(([at]) => second!.offset.op === 'const' && at >= Number(second!.offset.value) && at + 8 <= Number(second!.offset.value) + n);
      this.dropPointers(first.object, first.offset, n);
      for (let i = 0; i < n; i++) first.object.bytes = store(first.object.bytes, binary('add', first.offset, bv(BigInt(i), 64)), bytes[i]!);
      if (first.offset.op === 'const' && second!.offset.op === 'const') {
        for (const [at, value] of movedPointers) first.object.pointers.set(Number(first.offset.value) + at - Number(second!.offset.value), value);
      }
      addCost(state.cost, intrinsicCost('memcpy', n));
      if (instruction.dst !== undefined) frame.registers[instruction.dst] = this.value(frame, instruction.args[0]!);
      return false;
    }
    if (name === 'memset') {
      const byte = args[1]?.kind === 'int' ? extract(7, 0, args[1].expr) : bv(0n, 8);
      this.dropPointers(first.object, first.offset, n);
      for (let i = 0; i < n; i++) first.object.bytes = store(first.object.bytes, binary('add', first.offset, bv(BigInt(i), 64)), byte);
      addCost(state.cost, intrinsicCost('memset', n));
      if (instruction.dst !== undefined) frame.registers[instruction.dst] = this.value(frame, instruction.args[0]!);
      return false;
    }
    // memcmp costs a comparison of all n bytes (see intrinsicCost), so it does not fork: its
    // result is the difference at the first differing byte, as one expression.
    let result: BitVecExpr = bv(0n, 32);
    for (let i = n - 1; i >= 0; i--) {
      const a = select(first.object.bytes, binary('add', first.offset, bv(BigInt(i), 64)));
      const b = select(second!.object.bytes, binary('add', second!.offset, bv(BigInt(i), 64)));
      result = ite(compare('eq', a, b), result, binary('sub', zeroExtend(a, 32), zeroExtend(b, 32)));
    }
    addCost(state.cost, intrinsicCost('memcmp', n));
    if (instruction.dst !== undefined) frame.registers[instruction.dst] = { kind: 'int', expr: result };
    return false;
  }

  private async accessRange(state: State, frame: Frame, address: Operand, n: number, range: SourceRange): Promise<{ object: MemoryObject; offset: BitVecExpr } | 'forked'> {
    if (n === 0) {
      const pointer = this.value(frame, address);
      if (pointer.kind !== 'pointer') throw new PathEnd({ kind: 'error', reason: 'null-dereference', message: 'memory intrinsic on a null pointer', range });
      return { object: state.memory.get(pointer.object)!, offset: pointer.offset };
    }
    return this.access(state, frame, address, n, range);
  }

  // ----- terminators -----

  private async terminate(state: State, frame: Frame, terminator: Terminator): Promise<State[] | 'continue'> {
    switch (terminator.op) {
      case 'jump':
        addCost(state.cost, terminatorCost(terminator));
        this.goTo(frame, terminator.target);
        return 'continue';
      case 'branch': {
        const bit = this.value(frame, terminator.condition);
        const condition = bit.kind === 'int' ? compare('eq', bit.expr.width === 1 ? bit.expr : extract(0, 0, bit.expr), bv(1n, 1)) : bit.kind === 'pointer' ? TRUE : FALSE;
        addCost(state.cost, terminatorCost(terminator));
        if (terminator.assumption !== undefined) this.assumptions.set(`${terminator.assumption} (${rangeText(terminator.range)})`, { text: terminator.assumption, range: terminator.range });
        // A packet bounds check (`eth + 1 > data_end`) reads as the condition on the length it is.
        const text = lengthConditionText(condition) ?? terminator.text;
        return this.branchTo(state, frame, [
          { condition, target: terminator.whenTrue, decision: { text, taken: true } },
          { condition: not(condition), target: terminator.whenFalse, decision: { text, taken: false } },
        ], terminator);
      }
      case 'switch': {
        const value = this.intValue(frame, terminator.value, terminator.width, terminator);
        addCost(state.cost, terminatorCost(terminator));
        const targets = terminator.cases.map((c) => ({
          condition: compare('eq', value, bv(c.value, terminator.width)),
          target: c.target,
          decision: { text: terminator.text, taken: true, caseLabel: String(BigInt.asIntN(terminator.width, c.value)) },
        }));
        targets.push({
          condition: and(terminator.cases.map((c) => not(compare('eq', value, bv(c.value, terminator.width))))),
          target: terminator.defaultTarget,
          decision: { text: terminator.text, taken: true, caseLabel: 'default' },
        });
        return this.branchTo(state, frame, targets, terminator);
      }
      case 'return': {
        addCost(state.cost, terminatorCost(terminator));
        const value = terminator.value ? this.value(frame, terminator.value) : undefined;
        state.frames.pop();
        const caller = state.frames[state.frames.length - 1];
        if (!caller) {
          this.finish(state, { kind: 'return' }, value);
          return [];
        }
        state.trace.exit();
        if (frame.returnTo !== undefined) caller.registers[frame.returnTo] = value ?? { kind: 'int', expr: bv(0n, 32) };
        return 'continue';
      }
      case 'unreachable':
        // A path on which an `assume` annotation is false is outside the contract: no class.
        if (terminator.failure === 'assumption-violated') return [];
        if (terminator.failure) {
          throw new PathEnd({ kind: ERROR_REASONS.has(terminator.failure) ? 'error' : 'incomplete', reason: terminator.failure, message: terminator.reason, range: terminator.range });
        }
        throw new PathEnd({ kind: 'error', reason: 'missing-return', message: terminator.reason, range: terminator.range });
    }
  }

  private goTo(frame: Frame, target: number): void {
    // Entering a loop from outside starts a new count of its iterations.
    if (frame.fn.blocks[target]!.loopHeader !== undefined && !loopBody(frame.fn, target).has(frame.block)) frame.loopVisits.delete(target);
    frame.block = target;
    frame.index = 0;
  }

  /** Follows every feasible target; the one the model takes needs no solver call. */
  private async branchTo(
    state: State, frame: Frame,
    targets: { condition: BoolExpr; target: number; decision: { text: string; taken: boolean; caseLabel?: string } }[],
    terminator: Terminator,
  ): Promise<State[] | 'continue'> {
    const concrete = targets.find((t) => t.condition.op === 'true');
    if (concrete) {
      state.trace.decide(frame.fn.name, frame.block, concrete.target);
      this.goTo(frame, concrete.target);
      return 'continue';
    }
    const live = targets.filter((t) => t.condition.op !== 'false');
    const modelIndex = live.findIndex((t) => state.evaluator.boolean(t.condition));
    const feasible: { index: number; model: Model }[] = [];
    for (let i = 0; i < live.length; i++) {
      if (i === modelIndex) { feasible.push({ index: i, model: state.model }); continue; }
      const answer = await this.feasible(state, live[i]!.condition);
      if (answer.result === 'unknown') this.stop('solver-unknown', `the solver could not decide '${terminator.op === 'branch' || terminator.op === 'switch' ? terminator.text : ''}' (${rangeText(terminator.range)})`);
      if (answer.result === 'sat') feasible.push({ index: i, model: answer.model! });
    }
    // Symbolic loop exits count against the unroll limit.
    const block = frame.fn.blocks[frame.block]!;
    if (feasible.length > 1 && block.loopHeader !== undefined && !this.options.summarizeLoops && !this.runsInFull(frame, block)) {
      const visits = frame.loopVisits.get(block.id) ?? 0;
      if (visits > this.options.unrollLimit) {
        const loop = frame.fn.loops[block.loopHeader]!;
        throw new PathEnd({ kind: 'incomplete', reason: 'needs-pcv', message: `loop at line ${loop.range.startLine + 1} of ${frame.fn.name} has an input-dependent trip count above the unroll limit (${this.options.unrollLimit})`, range: loop.range });
      }
    }
    const successors: State[] = [];
    const otherLabels = targets.filter((t) => t.decision.caseLabel && t.decision.caseLabel !== 'default').map((t) => t.decision.caseLabel!);
    const point = this.forkCounter++;
    for (const { index, model } of feasible) {
      const t = live[index]!;
      const successor = feasible.length === 1 ? state : this.fork(state);
      if (feasible.length > 1) {
        this.addConstraint(successor, t.condition, model);
        // An assumption constrains the path but is not a decision of the code; a fork inside a
        // short-circuit assumption (`p == 0 || p->len < 64`) that both continue is one, in its words.
        if (!violatesAssumption(frame.fn, terminator)) successor.decisions.push({
          ...t.decision, otherLabels: t.decision.caseLabel === 'default' ? otherLabels : undefined, range: terminator.range, functionName: frame.fn.name, inputs: [...symbolsOf(t.condition)],
          loops: decisionLoops(state.frames),
          ...(this.recording ? { condition: t.condition, fork: { point, branch: index } } : {}),
        });
      }
      successor.trace.decide(frame.fn.name, frame.block, t.target);
      const successorFrame = successor.frames[successor.frames.length - 1]!;
      this.goTo(successorFrame, t.target);
      successors.push(successor);
    }
    if (successors.length === 1) return 'continue';
    return successors;
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
function pendingLoopNote(worklist: readonly State[]): string {
  const counts = new Map<string, { count: number; text: string }>();
  for (const state of worklist) {
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
  const all = top.count === worklist.length;
  return `; ${all ? (worklist.length === 1 ? 'it is' : 'all are') : `${top.count} are`} inside ${top.text} (bound it with a guard or \`/*@ bound */\`, or raise --time-limit / --max-paths)`;
}

/** Whether a branch of an `assume` annotation has the annotation's violation (a dropped path) as a target. */
function violatesAssumption(fn: IrFunction, terminator: Terminator): boolean {
  if (terminator.op !== 'branch' || terminator.assumption === undefined) return false;
  return [terminator.whenTrue, terminator.whenFalse].some((b) => {
    const t = fn.blocks[b]!.terminator;
    return t.op === 'unreachable' && t.failure === 'assumption-violated';
  });
}

function predicateExpr(predicate: Extract<Instruction, { op: 'compare' }>['predicate'], a: BitVecExpr, b: BitVecExpr): BoolExpr {
  switch (predicate) {
    case 'eq': return compare('eq', a, b);
    case 'ne': return not(compare('eq', a, b));
    case 'ult': return compare('ult', a, b);
    case 'ule': return compare('ule', a, b);
    case 'ugt': return compare('ult', b, a);
    case 'uge': return compare('ule', b, a);
    case 'slt': return compare('slt', a, b);
    case 'sle': return compare('sle', a, b);
    case 'sgt': return compare('slt', b, a);
    case 'sge': return compare('sle', b, a);
  }
}

/** A boolean as a 1-bit vector (interned, and folded back when compared with 1). */
function boolToBit(b: BoolExpr): BitVecExpr {
  return ite(b, bv(1n, 1), bv(0n, 1));
}

function displayObject(name: string): string {
  return name.replace(/#\d+$/, '').replace(/@param$/, '');
}

function rangeText(range: SourceRange | undefined): string {
  return range ? `${range.file.split('/').pop()}:${range.startLine + 1}` : 'unknown location';
}


function cloneTerms(terms: CostTerms): CostTerms {
  return new Map([...terms].map(([k, v]) => [k, { ...v }]));
}

function subtractCost(a: Cost, b: Cost): Cost {
  return { instructions: a.instructions - b.instructions, memory_accesses: a.memory_accesses - b.memory_accesses };
}

function subtractTerms(a: CostTerms, b: CostTerms): CostTerms {
  const result = cloneTerms(a);
  for (const [key, cost] of b) {
    const current = result.get(key) ?? zeroCost();
    result.set(key, subtractCost(current, cost));
  }
  for (const [key, cost] of [...result]) if (cost.instructions === 0 && cost.memory_accesses === 0) result.delete(key);
  return result;
}

/** Component-wise maximum: an upper bound of every iteration's cost (PCVs are never negative). */
function maxOfIterations(iterations: { cost: Cost; terms: CostTerms }[]): { cost: Cost; terms: CostTerms } {
  const cost = zeroCost();
  const terms: CostTerms = new Map();
  for (const iteration of iterations) {
    cost.instructions = Math.max(cost.instructions, iteration.cost.instructions);
    cost.memory_accesses = Math.max(cost.memory_accesses, iteration.cost.memory_accesses);
    for (const [key, c] of iteration.terms) {
      const current = terms.get(key) ?? zeroCost();
      terms.set(key, { instructions: Math.max(current.instructions, c.instructions), memory_accesses: Math.max(current.memory_accesses, c.memory_accesses) });
    }
  }
  return { cost, terms };
}

/** The record of a summary's declared-call PCV under its name at this call site. */
function declaredRecord(record: SummaryPcv, name: string): SummarizedLoopPcv {
  const { total: _total, ...rest } = record;
  void _total;
  return { ...rest, name };
}

/**
 * Adds pcv x (per-iteration cost) to a cost polynomial. A term of a total PCV (nested loop) already
 * counts every iteration's share, so it is added as it is.
 */
function addLoopTerms(
  terms: CostTerms, pcv: string, perIteration: { cost: Cost; terms: CostTerms }, totals?: ReadonlySet<string>, declaredTotals?: ReadonlySet<string>,
): void {
  const add = (key: string, c: Cost) => {
    if (c.instructions === 0 && c.memory_accesses === 0) return;
    const current = terms.get(key) ?? zeroCost();
    // A declared call's total (t@e) sums its calls in the iterations and in the pass that leaves the
    // loop: charging each call at the largest coefficient bounds them all.
    const largest = declaredTotals !== undefined && key.split('*').some((name) => declaredTotals.has(name));
    terms.set(key, largest
      ? { instructions: Math.max(current.instructions, c.instructions), memory_accesses: Math.max(current.memory_accesses, c.memory_accesses) }
      : { instructions: current.instructions + c.instructions, memory_accesses: current.memory_accesses + c.memory_accesses });
  };
  add(pcv, perIteration.cost);
  for (const [key, c] of perIteration.terms) {
    const names = key.split('*');
    add(totals && names.some((name) => totals.has(name)) ? key : [...names, pcv].sort().join('*'), c);
  }
}

/**
 * How a loop updates a register: counting up or down by constants, masking with a constant, or
 * anything else. `from` is the register the update reads (itself, or a widened copy of a narrow counter).
 */
type Step = 'up' | 'down' | { mask: bigint } | 'other';

function inductionStep(instruction: Instruction, from = 'dst' in instruction ? instruction.dst : undefined): Step {
  if (instruction.op === 'binary' && instruction.operator === 'and' && instruction.right.kind === 'imm') return { mask: instruction.right.value };
  if (instruction.op !== 'binary' || instruction.left.kind !== 'reg' || instruction.left.id !== from || instruction.right.kind !== 'imm') return 'other';
  const c = BigInt.asIntN(instruction.width, instruction.right.value);
  if (c === 0n) return 'other';
  if (instruction.operator === 'add') return c > 0n ? 'up' : 'down';
  if (instruction.operator === 'sub') return c > 0n ? 'down' : 'up';
  return 'other';
}

function mergeStep(previous: Step | undefined, next: Step): Step {
  if (previous === undefined) return next;
  if (typeof previous === 'object' && typeof next === 'object') return { mask: previous.mask > next.mask ? previous.mask : next.mask };
  return previous === next ? next : 'other';
}

/**
 * A bound on the remaining iterations from the loop guard `r < C` (or <=) at the header, where r
 * only counts up by a constant step and is concrete when summarising starts: ceil((C - r) / step).
 */
function guardBound(frame: Frame, header: BasicBlock, body: ReadonlySet<number>): number | undefined {
  return boundOfGuards(loopGuards(frame, header, body));
}

/** The smallest bound any of the guards gives (those whose counter start and limit are constants). */
function boundOfGuards(guards: SummaryGuard[]): number | undefined {
  let best: number | undefined;
  for (const guard of guards) {
    const bound = guardValue(guard);
    if (bound !== undefined) best = best === undefined ? bound : Math.min(best, bound);
  }
  return best;
}

/**
 * The counting guards of a loop, whatever the values: `i < n && i < MAX` lowers to a chain of
 * condition blocks, each leaving the loop when false, and any of them that counts against a
 * constant bounds the loop.
 */
function loopGuards(frame: Frame, header: BasicBlock, body: ReadonlySet<number>): SummaryGuard[] {
  const guards: SummaryGuard[] = [];
  const latches = [...body].filter((id) => successorsOf(frame.fn, id).includes(header.id));
  const tried = new Set<number>();
  let block: BasicBlock | undefined = header;
  const seen = new Set<number>();
  while (block && !seen.has(block.id)) {
    seen.add(block.id);
    const terminator: Terminator = block.terminator;
    if (terminator.op !== 'branch' || body.has(terminator.whenFalse)) break;
    const guard = conditionGuard(frame, block, body, latches);
    tried.add(block.id);
    if (guard) guards.push(guard);
    const next: BasicBlock | undefined = frame.fn.blocks[terminator.whenTrue];
    // Only follow blocks that just compute the next condition (no memory effects).
    if (!next || !body.has(next.id) || next.id === header.id || next.instructions.some((i) => i.op === 'store' || i.op === 'call' || i.op === 'load')) break;
    block = next;
  }
  // An exit inside the body that every iteration passes (`if (depth == MAX) return -1;`) bounds
  // the loop like a header guard on its counter.
  for (const id of body) {
    if (tried.has(id)) continue;
    const terminator = frame.fn.blocks[id]!.terminator;
    if (terminator.op !== 'branch' || body.has(terminator.whenTrue) === body.has(terminator.whenFalse)) continue;
    if (!latches.every((latch) => dominatorsOf(frame.fn, latch)?.has(id))) continue;
    const guard = conditionGuard(frame, frame.fn.blocks[id]!, body, latches);
    if (guard) guards.push(guard);
  }
  return guards;
}

/**
 * A branch that leaves the loop on one side, on a counter compared with a limit, as the guard
 * `counter < limit` (or `<=`) the loop runs under. The counter may be on either side and the loop
 * may go on when the comparison is true or false: `if (depth >= MAX) break;` is `depth < MAX`, and
 * `if (depth == MAX) return` is `depth < MAX` when the counter starts at or below MAX and reaches it.
 */
interface VariableStepGuard {
  functionName: string;
  header: number;
  counter: number;
  /** For a pointer walk (`while (opt < end) opt += opt[1];`): the object both pointers are into; the counter is the offset. */
  pointerObject?: string;
  /** `up`: the loop goes on while `counter < limit` (or `<=`); `down`: while `limit < counter` (or `<=`). */
  direction: 'up' | 'down';
  /** The limit's value when summarising starts (it is not written in the loop). */
  limit: BitVecExpr;
  signed: boolean;
  inclusive: boolean;
  width: number;
}

/**
 * A header guard (in a chain of `&&` conditions) that compares a register the body writes with
 * one it does not: `while (off < hlen) { ... off += olen; }`, `while (n >= 8) { ... n -= 8; }`.
 * Whether the counter moves only one way, and by how much, is for the explored iteration to show
 * (stepBound).
 */
function variableStepGuard(frame: Frame, header: BasicBlock, body: ReadonlySet<number>): VariableStepGuard | undefined {
  const written = new Set<number>();
  for (const id of body) for (const instruction of frame.fn.blocks[id]!.instructions) if ('dst' in instruction && instruction.dst !== undefined) written.add(instruction.dst);
  const value = (operand: Operand, width: number): BitVecExpr | undefined => operand.kind === 'imm' ? bv(BigInt.asUintN(width, operand.value), width)
    : operand.kind === 'reg' && !written.has(operand.id) ? integerRegister(frame, operand) : undefined;
  let block: BasicBlock | undefined = header;
  const seen = new Set<number>();
  while (block && !seen.has(block.id)) {
    seen.add(block.id);
    const terminator: Terminator = block.terminator;
    if (terminator.op !== 'branch' || body.has(terminator.whenFalse) || terminator.condition.kind !== 'reg') break;
    const definitions = new Map<number, Instruction>();
    for (const instruction of block.instructions) if ('dst' in instruction && instruction.dst !== undefined) definitions.set(instruction.dst, instruction);
    const c = definitions.get(terminator.condition.id);
    if (c?.op === 'compare' && c.pointers && c.predicate !== 'eq' && c.predicate !== 'ne') {
      // A pointer walk: both pointers into one object, the counter being the walking one's offset.
      const less = /^(s|u)l[te]$/.test(c.predicate);
      const [a, b] = less ? [c.left, c.right] : [c.right, c.left];
      const pointer = (o: Operand) => (o.kind === 'reg' ? frame.registers[o.id] : undefined);
      const [pa, pb] = [pointer(a), pointer(b)];
      if (a.kind === 'reg' && b.kind === 'reg' && pa?.kind === 'pointer' && pb?.kind === 'pointer' && pa.object === pb.object && written.has(a.id) !== written.has(b.id)) {
        const up = written.has(a.id);
        return {
          functionName: frame.fn.name, header: header.id, counter: up ? a.id : b.id, pointerObject: pa.object, direction: up ? 'up' : 'down', limit: up ? pb.offset : pa.offset,
          signed: false, inclusive: c.predicate.endsWith('e'), width: pa.offset.width,
        };
      }
    }
    if (c?.op === 'compare' && !c.pointers && c.predicate !== 'eq' && c.predicate !== 'ne') {
      // As `a < b` (or `<=`): the loop goes on while it holds.
      const less = /^(s|u)l[te]$/.test(c.predicate);
      const [a, b] = less ? [c.left, c.right] : [c.right, c.left];
      const inclusive = c.predicate.endsWith('e');
      const signed = c.predicate.startsWith('s');
      const up = a.kind === 'reg' && written.has(a.id) ? { counter: a, limit: value(b, c.width), direction: 'up' as const } : undefined;
      const down = b.kind === 'reg' && written.has(b.id) ? { counter: b, limit: value(a, c.width), direction: 'down' as const } : undefined;
      const found = up ?? down;
      const counterValue = found?.counter.kind === 'reg' ? integerRegister(frame, found.counter) : undefined;
      if (found?.counter.kind === 'reg' && found.limit && counterValue && counterValue.width === c.width && found.limit.width === c.width) {
        return { functionName: frame.fn.name, header: header.id, counter: found.counter.id, direction: found.direction, limit: found.limit, signed, inclusive, width: c.width };
      }
    }
    const next: BasicBlock | undefined = frame.fn.blocks[terminator.whenTrue];
    if (!next || !body.has(next.id) || next.id === header.id || next.instructions.some((i) => i.op === 'store' || i.op === 'call' || i.op === 'load')) break;
    block = next;
  }
  return undefined;
}

function conditionGuard(frame: Frame, header: BasicBlock, body: ReadonlySet<number>, latches: readonly number[]): SummaryGuard | undefined {
  const terminator = header.terminator;
  if (terminator.op !== 'branch' || terminator.condition.kind !== 'reg') return undefined;
  const staysOnTrue = body.has(terminator.whenTrue);
  const definitions = new Map<number, Instruction>();
  for (const instruction of header.instructions) if ('dst' in instruction && instruction.dst !== undefined) definitions.set(instruction.dst, instruction);
  const original = definitions.get(terminator.condition.id);
  if (!original || original.op !== 'compare' || original.pointers) return undefined;
  const comparison = continuingComparison(original, staysOnTrue);
  if (!comparison) return undefined;
  const limit = comparison.right.kind === 'imm' ? comparison.right.value.toString() : integerRegister(frame, comparison.right);
  // The counter may be widened before the comparison (uint8_t i < n compares as int).
  let counterOperand = comparison.left;
  const widened = counterOperand.kind === 'reg' ? definitions.get(counterOperand.id) : undefined;
  if (widened && widened.op === 'cast' && widened.cast !== 'trunc') counterOperand = widened.src;
  if (counterOperand.kind !== 'reg' || limit === undefined) return undefined;
  const counter = counterOperand.id;
  let step: bigint | undefined;
  let counterWidth = comparison.width;
  for (const id of body) {
    for (const instruction of frame.fn.blocks[id]!.instructions) {
      if (!('dst' in instruction) || instruction.dst !== counter) continue;
      // Every iteration must step the counter: an iteration that skips the step (a `continue`
      // before it, a conditional `i++`) could go round without coming nearer the limit.
      if (!latches.every((latch) => dominatorsOf(frame.fn, latch)?.has(id))) return undefined;
      // The add that steps the counter: the instruction itself, or, for a narrow counter, the add it truncates.
      const narrow = narrowCounterStep(instruction, counter, body, frame.fn);
      if (narrow) counterWidth = narrow.width;
      const update = narrow?.sum ?? instruction;
      if (inductionStep(update, narrow ? narrow.widened : counter) !== 'up' || update.op !== 'binary' || update.right.kind !== 'imm') return undefined;
      const c = BigInt.asIntN(update.width, update.right.value);
      const delta = update.operator === 'add' ? c : -c;
      if (step !== undefined && step !== delta) return undefined;
      step = delta;
    }
  }
  const start = integerRegister(frame, { kind: 'reg', id: counter });
  if (step === undefined || step <= 0n || start === undefined) return undefined;
  if (comparison.untilEqual) {
    // `counter != limit` goes on until the counter lands on the limit: only from a known start at
    // or below it, in whole steps.
    if (start.op !== 'const' || comparison.right.kind !== 'imm' || counterWidth !== comparison.width) return undefined;
    const signed = comparison.predicate.startsWith('s');
    const from = signed ? BigInt.asIntN(comparison.width, start.value) : BigInt.asUintN(comparison.width, start.value);
    const to = signed ? BigInt.asIntN(comparison.width, comparison.right.value) : BigInt.asUintN(comparison.width, comparison.right.value);
    if (from > to || (to - from) % step !== 0n) return undefined;
  }
  // A counter narrower than the comparison must not wrap on its way to the limit: its last step
  // from below the limit has to stay within what the counter holds.
  if (counterWidth < comparison.width) {
    if (comparison.right.kind !== 'imm') return undefined; // a limit in a register might exceed what the counter holds
    const limitValue = comparison.predicate.startsWith('s') ? BigInt.asIntN(comparison.width, comparison.right.value) : comparison.right.value;
    const counterMax = comparison.predicate.startsWith('s') && !isZeroExtended(widened) ? (1n << BigInt(counterWidth - 1)) - 1n : (1n << BigInt(counterWidth)) - 1n;
    const lastBelow = comparison.predicate.endsWith('le') ? limitValue : limitValue - 1n;
    if (lastBelow + step > counterMax) return undefined;
  }
  return { start, limit, step: step.toString(), signed: comparison.predicate.startsWith('s'), inclusive: comparison.predicate.endsWith('le'), width: comparison.width };
}

type CompareInstruction = Extract<Instruction, { op: 'compare' }>;

/**
 * The comparison as `counter < limit` or `counter <= limit` with the counter on the left, true
 * while the loop goes on (`staysOnTrue`: the branch's true side stays in the loop); `untilEqual`
 * for a loop that goes on while `counter != limit`, taken as `counter < limit` (see conditionGuard).
 */
function continuingComparison(comparison: CompareInstruction, staysOnTrue: boolean): (CompareInstruction & { untilEqual?: boolean }) | undefined {
  const swapped: Record<string, CompareInstruction['predicate']> = { slt: 'sgt', ult: 'ugt', sle: 'sge', ule: 'uge', sgt: 'slt', ugt: 'ult', sge: 'sle', uge: 'ule', eq: 'eq', ne: 'ne' };
  const negated: Record<string, CompareInstruction['predicate']> = { slt: 'sge', ult: 'uge', sle: 'sgt', ule: 'ugt', sgt: 'sle', ugt: 'ule', sge: 'slt', uge: 'ult', eq: 'ne', ne: 'eq' };
  // The limit on the right: a constant or register on the left is swapped over.
  let c: CompareInstruction = comparison.left.kind === 'imm' && comparison.right.kind === 'reg'
    ? { ...comparison, left: comparison.right, right: comparison.left, predicate: swapped[comparison.predicate]! }
    : comparison;
  if (!staysOnTrue) c = { ...c, predicate: negated[c.predicate]! };
  if (['slt', 'ult', 'sle', 'ule'].includes(c.predicate)) return c;
  // `counter != limit`: signedness does not matter to the equality; the start check uses unsigned.
  if (c.predicate === 'ne') return { ...c, predicate: 'ult', untilEqual: true };
  return undefined;
}

function isZeroExtended(instruction: Instruction | undefined): boolean {
  return instruction?.op === 'cast' && instruction.cast === 'zext';
}

/**
 * A counter narrower than int steps as C's promotions lower `i++`: `w = zext|sext(i); s = w + c;
 * i = trunc(s)`, all in the loop body. The add `s`, the register `w` it steps, and the counter's
 * width, or undefined.
 */
function narrowCounterStep(instruction: Instruction, counter: number, body: ReadonlySet<number>, fn: IrFunction): { sum: Instruction; widened: number; width: number } | undefined {
  if (instruction.op !== 'cast' || instruction.cast !== 'trunc' || instruction.src.kind !== 'reg') return undefined;
  const definitionOf = (register: number): Instruction | undefined => {
    let found: Instruction | undefined;
    for (const id of body) {
      for (const candidate of fn.blocks[id]!.instructions) {
        if (!('dst' in candidate) || candidate.dst !== register) continue;
        if (found) return undefined; // assigned twice: not a plain step
        found = candidate;
      }
    }
    return found;
  };
  const sum = definitionOf(instruction.src.id);
  if (!sum || sum.op !== 'binary' || sum.left.kind !== 'reg') return undefined;
  const widened = definitionOf(sum.left.id);
  if (!widened || widened.op !== 'cast' || widened.cast === 'trunc' || widened.src.kind !== 'reg' || widened.src.id !== counter) return undefined;
  return { sum, widened: sum.left.id, width: instruction.to };
}

/** ceil((limit - start) / step) when the counter's start and the limit are constants. */
function guardValue(guard: SummaryGuard): number | undefined {
  const start = guard.start.op === 'const' ? guard.start.value : undefined;
  const limit = typeof guard.limit === 'string' ? BigInt(guard.limit) : guard.limit.op === 'const' ? guard.limit.value : undefined;
  if (start === undefined || limit === undefined) return undefined;
  const step = BigInt(guard.step);
  const from = guard.signed ? BigInt.asIntN(guard.width, start) : start;
  const to = guard.signed ? BigInt.asIntN(guard.width, limit) : limit;
  const last = guard.inclusive ? to + 1n : to;
  if (last <= from) return 0;
  return Number((last - from + step - 1n) / step);
}

/** The integer in a register (constant or not), or undefined when it holds none. */
/** A variable-step guard's counter: the integer, or the walking pointer's offset while it stays in its object. */
function counterValue(frame: Frame, register: number, pointerObject: string | undefined): BitVecExpr | undefined {
  const value = frame.registers[register];
  if (pointerObject === undefined) return value?.kind === 'int' ? value.expr : undefined;
  return value?.kind === 'pointer' && value.object === pointerObject ? value.offset : undefined;
}

function integerRegister(frame: Frame, operand: Operand): BitVecExpr | undefined {
  if (operand.kind !== 'reg') return undefined;
  const value = frame.registers[operand.id];
  return value?.kind === 'int' ? value.expr : undefined;
}

/** A decision as a summary keeps it (its inputs are recomputed at each call site). */
function summaryDecision(d: BranchDecision): SummaryDecision {
  return {
    text: d.text, taken: d.taken, range: d.range, functionName: d.functionName,
    ...(d.caseLabel !== undefined ? { caseLabel: d.caseLabel } : {}), ...(d.otherLabels !== undefined ? { otherLabels: d.otherLabels } : {}),
    ...(d.condition ? { condition: d.condition } : {}), ...(d.fork ? { fork: d.fork } : {}), ...(d.loops ? { loops: d.loops } : {}),
  };
}

/** The condition a declared case puts on the return value (signed comparisons, as contracts are written for C ints). */
function returnCondition(c: DeclaredCase, result: BitVecExpr, width: number): BoolExpr {
  if (c.returns === undefined) return TRUE;
  return rangeCondition(c.returns, result, width, true);
}

/** Whether a declared constant or range holds `value`. */
function rangeHolds(range: IntegerOrRange, value: number): boolean {
  return typeof range === 'number' ? range === value : range.min <= value && value <= range.max;
}

/** `value` lies in the declared constant or range (numbers as two's complement when `signed`). */
function rangeCondition(range: IntegerOrRange, value: BitVecExpr, width: number, signed: boolean): BoolExpr {
  const constant = (n: number): BitVecExpr => bv(BigInt.asUintN(width, BigInt(n)), width);
  if (typeof range === 'number') return compare('eq', value, constant(range));
  const le = signed ? 'sle' : 'ule';
  return and([compare(le, constant(range.min), value), compare(le, value, constant(range.max))]);
}

/** The lazy objects and unmodelled writes of a finished state, for its witness. */
function lazyRecords(state: State): Pick<CompletedPath, 'lazyObjects' | 'externalWrites'> {
  const lazyObjects: LazyObjectRecord[] = [];
  for (const object of state.memory.values()) {
    if (object.lazy) lazyObjects.push({ ...object.lazy, name: object.name, arrayName: `mem:${object.name}`, size: object.size });
  }
  return { ...(lazyObjects.length > 0 ? { lazyObjects } : {}), ...(state.externalWrites ? { externalWrites: state.externalWrites } : {}) };
}
