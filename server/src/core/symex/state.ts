// The path state of the symbolic executor and the data an exploration produces: options, values,
// decisions, completed paths, memory objects, call frames, summarised-loop boundaries, and the
// cost-term arithmetic those share. No behaviour beyond small pure helpers.
import type { IrFunction, SourceRange } from '../ir/ir';
import { PathTrace } from '../ir/pathTrace';
import { DEFAULT_REGION_OPTIONS, RegionOptions } from '../ir/regionSize';
import { Cost, zeroCost } from '../cost/costModel';
import { type ReasonKind } from '../reasons';
import { ArrayExpr, BitVecExpr, BoolExpr } from '../term/expr';
import { Model, ModelEvaluator } from '../term/model';
import { DEFAULT_FULL_UNROLL_LIMIT } from '../ir/fullUnroll';
import { DeclaredContracts } from '../declared/declaredContracts';
import { PcvEvent, SummaryDecision, SummaryLoop, SummaryUse } from './summaries';
import { InitHeap, LazyObjectInfo, LazyObjectRecord } from './lazyMemory';
import { DecisionLoop } from './decisionLoops';
import { monomialKey, monomialPcvs } from '../cost/monomial';

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
export function widenBound(known: SummarizedLoopPcv, bound: number | undefined, source?: SummarizedLoopPcv['boundSource']): void {
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

export interface MemoryObject {
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

export interface Frame {
  fn: IrFunction;
  block: number;
  index: number;
  registers: (SymbolicValue | undefined)[];
  slotObjects: string[];
  returnTo: number | undefined; // register in the caller
  loopVisits: Map<number, number>;
}

/** The region of a loop being summarised: where an iteration ends and where the loop is left. */
export interface Boundary {
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

export interface State {
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
export interface ConcreteRun {
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
export class ConcreteRunAbandoned extends Error {
  constructor(readonly condition?: BoolExpr) {
    super('concrete run abandoned');
  }
}

/** Iterations past the unroll limit a loop may run concretely before it is summarised after all. */
export const CONCRETE_RUN_ITERATIONS = 1024;

export class PathEnd extends Error {
  constructor(readonly outcome: PathOutcome) {
    super(outcome.message ?? outcome.kind);
  }
}

export function displayObject(name: string): string {
  return name.replace(/#\d+$/, '').replace(/@param$/, '');
}

export function rangeText(range: SourceRange | undefined): string {
  return range ? `${range.file.split('/').pop()}:${range.startLine + 1}` : 'unknown location';
}

export function cloneTerms(terms: CostTerms): CostTerms {
  return new Map([...terms].map(([k, v]) => [k, { ...v }]));
}

export function subtractCost(a: Cost, b: Cost): Cost {
  return { instructions: a.instructions - b.instructions, memory_accesses: a.memory_accesses - b.memory_accesses };
}

export function subtractTerms(a: CostTerms, b: CostTerms): CostTerms {
  const result = cloneTerms(a);
  for (const [key, cost] of b) {
    const current = result.get(key) ?? zeroCost();
    result.set(key, subtractCost(current, cost));
  }
  for (const [key, cost] of [...result]) if (cost.instructions === 0 && cost.memory_accesses === 0) result.delete(key);
  return result;
}

/** Component-wise maximum: an upper bound of every iteration's cost (PCVs are never negative). */
export function maxOfIterations(iterations: { cost: Cost; terms: CostTerms }[]): { cost: Cost; terms: CostTerms } {
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

/**
 * Adds pcv x (per-iteration cost) to a cost polynomial. A term of a total PCV (nested loop) already
 * counts every iteration's share, so it is added as it is.
 */
export function addLoopTerms(
  terms: CostTerms, pcv: string, perIteration: { cost: Cost; terms: CostTerms }, totals?: ReadonlySet<string>, declaredTotals?: ReadonlySet<string>,
): void {
  const add = (key: string, c: Cost) => {
    if (c.instructions === 0 && c.memory_accesses === 0) return;
    const current = terms.get(key) ?? zeroCost();
    // A declared call's total (t@e) sums its calls in the iterations and in the pass that leaves the
    // loop: charging each call at the largest coefficient bounds them all.
    const largest = declaredTotals !== undefined && monomialPcvs(key).some((name) => declaredTotals.has(name));
    terms.set(key, largest
      ? { instructions: Math.max(current.instructions, c.instructions), memory_accesses: Math.max(current.memory_accesses, c.memory_accesses) }
      : { instructions: current.instructions + c.instructions, memory_accesses: current.memory_accesses + c.memory_accesses });
  };
  add(pcv, perIteration.cost);
  for (const [key, c] of perIteration.terms) {
    const names = monomialPcvs(key);
    add(totals && names.some((name) => totals.has(name)) ? key : monomialKey([...names, pcv]), c);
  }
}

/** A decision as a summary keeps it (its inputs are recomputed at each call site). */
export function summaryDecision(d: BranchDecision): SummaryDecision {
  return {
    text: d.text, taken: d.taken, range: d.range, functionName: d.functionName,
    ...(d.caseLabel !== undefined ? { caseLabel: d.caseLabel } : {}), ...(d.otherLabels !== undefined ? { otherLabels: d.otherLabels } : {}),
    ...(d.condition ? { condition: d.condition } : {}), ...(d.fork ? { fork: d.fork } : {}), ...(d.loops ? { loops: d.loops } : {}),
  };
}
