// Compositional function summaries: a callee explored once, with its inputs as symbols, as plain data.
//
// A summary is specialised to the *shape* of a call (which arguments are integers, null or
// pointers, which caller object a pointer reaches, its size and, when constant, its offset), so
// bounds checks and aliasing with globals are exact. Each leaf is one path of the callee: its path
// constraints over the summary's input symbols, the decisions and trace events it made, its cost,
// the memory it wrote, its return value or the error that ended it. A loop the callee summarises is
// kept with its iterations and counter guards, so each call site settles its per-iteration cost and
// bound as an inline exploration would there. The executor instantiates a
// summary at a call site by substituting the caller's values for the input symbols (see
// `instantiateSummary` in executor.ts). The serialised form is stable JSON: expressions are written
// as a table of nodes that refer to earlier nodes by index.
import { createHash } from 'crypto';
import type { Cost } from '../cost/costModel';
import type { ReasonKind } from '../reasons';
import type { SourceRange } from '../ir/ir';
import type { IrProgram } from '../ir/ir';
import { PathTrace } from '../ir/pathTrace';
import type { BranchDecision, SymbolicValue } from './executor';
import {
  ArrayExpr, BitVecExpr, BoolExpr, BvBinaryOp, CmpPredicate, Expr, FALSE, TRUE, and, arrayConst, arraySymbol, binary, bv, compare, concat, extract, ite, not, or,
  select, signExtend, store, symbol, zeroExtend,
} from '../term/expr';

/** How one argument reaches the callee: the part of the call site a summary depends on. */
export type ArgumentShape =
  | { kind: 'int'; width: number }
  | { kind: 'null' }
  /** `target`: a global or string object by name, or `$argK` for the K-th distinct other object. */
  /** `elementSize`: the object is a struct that may still be indexed as an array (lazyMemory.ts); a summary that does so is unusable. */
  | { kind: 'pointer'; target: string; size: number; offset: string | 'symbolic'; elementSize?: number };

export interface SummaryShape { args: ArgumentShape[] }

/** One trace event of a callee path, replayed into the caller's `PathTrace`. */
export type TraceEvent = ['decide', string, number, number] | ['enter', string] | ['exit'];

/** A scalar or pointer value in a summary; pointers name summary objects (`$argK`, globals, strings). */
export type SummaryValue = SymbolicValue;

/**
 * A branch decision as a summary keeps it: no `inputs` (recomputed at a call site from `condition`,
 * which declared-contract cases lack); `fork` absent means recorded on every path.
 */
export type SummaryDecision = Omit<BranchDecision, 'inputs'>;

/**
 * A loop counter guard (`i < limit`) that can bound a summarised loop: the bound follows when the
 * counter's start and the limit are constants, which may hold only at some call sites.
 */
export interface SummaryGuard {
  start: BitVecExpr;
  /** An expression, or the decimal text of an immediate operand. */
  limit: BitVecExpr | string;
  step: string;
  signed: boolean;
  inclusive: boolean;
  width: number;
}

/** One explored iteration of a summarised loop (a path from the header back to it). */
export interface SummaryIteration {
  constraints: BoolExpr[];
  decisions: SummaryDecision[];
  cost: Cost;
  terms: [string, Cost][];
  /** The count mark the iteration reached (counted by that mark's PCV), absent for plain iterations. */
  mark?: string;
}

/** A count mark of a summarised loop: iterations that reach it are counted by their own PCV. */
export interface SummaryLoopMark {
  /** The mark's name in the source (`/*@ count NAME ... *\/`). */
  name: string;
  /** Its PCV instance, named as on a path that starts at the callee. */
  pcv: string;
  description: string;
  /** 1-based line of the mark. */
  line: number;
}

/**
 * A loop the callee summarises into a PCV. Its per-iteration cost and bound are settled at each call
 * site, as inlining would settle them there: over the iterations feasible with the caller's path
 * condition, and with the guard evaluated on the caller's values.
 */
export interface SummaryLoop {
  id: number;
  /** The PCV instance, named as on a path that starts at the callee. */
  pcv: string;
  description: string;
  origin: { file: string; line: number };
  functionName: string;
  header: number;
  declaredBound?: number;
  /** `/*@ pcv NAME total *\/`: not multiplied by the loops around the call (see `LoopPcv.total`). */
  total?: boolean;
  guards: SummaryGuard[];
  iterations: SummaryIteration[];
  marks: SummaryLoopMark[];
}

export interface SummaryLeaf {
  outcome: { kind: 'return' | 'error' | 'incomplete'; reason?: ReasonKind; message?: string; range?: SourceRange };
  constraints: BoolExpr[];
  decisions: SummaryDecision[];
  trace: TraceEvent[];
  cost: Cost;
  terms: [string, Cost][];
  /** Summarisations per PCV base name on this path (declared-contract cases), for renaming. */
  pcvInstances: [string, number][];
  /** Calls per external function on this path, for renaming `ext:NAME#N` symbols. */
  externalCounts: [string, number][];
  externalCalls: { callee: string; key: string; width: number; range: SourceRange; declared: boolean; writes?: { param: string; width: number }[] }[];
  inputExtents: [string, { offsets: BitVecExpr[]; sizes: number[] }][];
  /** Final contents of the summary objects this path wrote. */
  writes: [string, ArrayExpr][];
  returnValue?: SummaryValue;
  /** Call frames this path created (the callee's and the ones below it). */
  frames: number;
  /** The loops this path summarised (ids into `FunctionSummary.loops`), in order. */
  loops: number[];
  /** A loop on this path could write anything: every writable object of the caller is forgotten, as inlining does. */
  forgetsAll: boolean;
  /** The PCVs this path introduces, in the order it meets them (records are registered in that order). */
  pcvEvents: PcvEvent[];
}

/** A PCV a path introduces: a declared-contract case's PCV (by its name in the summary) or a loop's (by id). */
export type PcvEvent = { pcv: string } | { loop: number };

export interface SummaryPcv {
  name: string;
  description: string;
  origin: { file: string; line: number };
  functionName: string;
  header: number;
  bound?: number;
  boundSource?: 'annotation' | 'guard' | 'solver';
  /** A declared call's PCV inside a summarised loop of the callee: a total (summed over the iterations). */
  total?: boolean;
  /** Other declared callees whose PCV has this name on other paths of the callee. */
  otherCallees?: string[];
}

export interface FunctionSummary {
  functionName: string;
  shape: SummaryShape;
  leaves: SummaryLeaf[];
  pcvs: SummaryPcv[];
  loops: SummaryLoop[];
  /** Summary objects the callee reads or writes. */
  touched: string[];
  /** Whether a path copies memory (memcpy), which moves stored pointers too. */
  copiesMemory: boolean;
  /**
   * The questions (over the summary's symbols) at which a concrete run of one of its loops stopped
   * because it needed the solver. Where a caller's values answer one of them by folding, an inline
   * exploration would have run that loop on concretely (exact cost, no PCV): the call is inlined.
   * Questions of the summaries it instantiated are included, with its own symbols substituted.
   */
  concreteQuestions: BoolExpr[];
  /** Loops (its own and its callees') that ran to their end concretely in the summary. */
  concreteLoops: number;
  /** Whether some path reached a loop header past the unroll limit (concretely or summarised). */
  pastUnroll: boolean;
  /** `/*@ assume *\/` annotations its paths went through (the caller's contract states them). */
  assumptions?: { text: string; range: SourceRange }[];
}

/** Why a callee is inlined instead of summarised. */
export interface UnusableSummary { unusable: string }

/** Calls answered by a summary, per callee, and callees inlined instead, with the reason. */
export interface SummaryUse {
  instantiated: Record<string, number>;
  inlined: { callee: string; reason: string }[];
}

// 4: a declared case in a summary's path decisions no longer carries the call's number.
// 5: declared PCVs in summarised loops are totals (`t@L`, `SummaryPcv.total`).
// 6: loops run concretely in summaries (`concreteQuestions`, `concreteLoops`, `pastUnroll`); `SummaryPcv.otherCallees`.
// 7: decisions carry the loop iterations they were taken in (`BranchDecision.loops`).
// 8: `assumptions` (the `/*@ assume *\/` annotations a summary's paths went through).
export const SUMMARY_FORMAT_VERSION = 8;

/** The symbol of an integer argument, a pointer argument's offset, and a summary object's initial bytes. */
export const summaryArgument = (index: number): string => `sum:arg${index}`;
export const summaryOffset = (index: number): string => `sum:off${index}`;
export const summaryObjectArray = (object: string): string => `sum:mem:${object}`;
export const summaryArgObject = (k: number): string => `$arg${k}`;

/** A `PathTrace` that records its events instead of hashing them (for replay at call sites). */
export class RecordingTrace extends PathTrace {
  events: TraceEvent[] = [];
  private decided = 0;

  override decide(functionName: string, from: number, to: number): void {
    this.events.push(['decide', functionName, from, to]);
    this.decided++;
  }

  override enter(functionName: string): void {
    this.events.push(['enter', functionName]);
  }

  override exit(): void {
    this.events.push(['exit']);
  }

  override get decisions(): number {
    return this.decided;
  }

  override clone(): RecordingTrace {
    const copy = new RecordingTrace();
    copy.events = [...this.events];
    copy.decided = this.decided;
    return copy;
  }

  override digest(): string {
    return createHash('sha1').update(JSON.stringify(this.events)).digest('hex').slice(0, 16);
  }
}

/**
 * Where summaries live during one analysis and between analyses. Keys hash the function's key
 * (its text and position, its callees' keys, the globals and the options: `functionKeys`) and the
 * call shape. `cache`, when given, keeps the serialised form across analyses.
 */
export class SummaryStore {
  private readonly memo = new Map<string, FunctionSummary | UnusableSummary>();
  /** Functions whose summary this analysis computed (once per shape), in order. */
  readonly computed: string[] = [];
  /** Functions whose summary came from the cache. */
  readonly reused: string[] = [];
  readonly inProgress = new Set<string>();
  /** Time and solver queries spent recording summaries in this analysis (nested recordings count once). */
  readonly recording = { milliseconds: 0, solverQueries: 0 };
  private readonly obstacles = new Map<string, string | undefined>();

  constructor(private readonly functionKeys: Map<string, string>, private readonly cache?: SummaryCache) {}

  key(functionName: string, shape: SummaryShape): string | undefined {
    const functionKey = this.functionKeys.get(functionName);
    if (functionKey === undefined) return undefined;
    return createHash('sha256').update(`summary-v${SUMMARY_FORMAT_VERSION}|${functionKey}|${JSON.stringify(shape)}`).digest('hex');
  }

  /** `staticSummaryObstacle`, once per function. */
  obstacle(program: IrProgram, functionName: string, loops: boolean): string | undefined {
    const key = `${loops}|${functionName}`;
    if (!this.obstacles.has(key)) this.obstacles.set(key, staticSummaryObstacle(program, functionName, loops));
    return this.obstacles.get(key);
  }

  get(key: string): FunctionSummary | UnusableSummary | undefined {
    const known = this.memo.get(key);
    if (known) return known;
    const stored = this.cache?.getSummary?.(key);
    if (!stored) return undefined;
    let summary: FunctionSummary;
    try {
      summary = deserializeSummary(stored);
    } catch {
      return undefined; // an entry in another format version, or damaged: summarise again
    }
    this.memo.set(key, summary);
    this.reused.push(summary.functionName);
    return summary;
  }

  /** Records a computed summary; only usable ones reach the cache (an unusable one may be load-dependent). */
  set(key: string, functionName: string, summary: FunctionSummary | UnusableSummary): void {
    this.memo.set(key, summary);
    this.computed.push(functionName);
    if (!('unusable' in summary)) this.cache?.setSummary?.(key, serializeSummary(summary));
  }
}

/** The part of a contract cache that keeps summaries (optional: a cache without it just recomputes). */
export interface SummaryCache {
  getSummary?(key: string): SerializedSummary | undefined;
  setSummary?(key: string, summary: SerializedSummary): void;
}

/** Every function reachable from `name` (itself included) through calls to functions with a body. */
export function reachableBodies(program: IrProgram, name: string): string[] {
  const seen = new Set<string>();
  const visit = (n: string) => {
    const fn = program.functions.get(n);
    if (!fn || seen.has(n)) return;
    seen.add(n);
    for (const callee of fn.callees) visit(callee);
  };
  visit(name);
  return [...seen];
}

/**
 * Why `name` is not summarised whatever the call site, or undefined. Without `loops` (the
 * `compositionalLoops` option off), a loop anywhere below it. With it, a loop inside a loop: a single
 * loop is settled per call site (`SummaryLoop`), but an inner loop's cost enters the outer loop's
 * iterations, which a call site could not settle afterwards.
 */
export function staticSummaryObstacle(program: IrProgram, name: string, loops = true): string | undefined {
  for (const reached of reachableBodies(program, name)) {
    const fn = program.functions.get(reached)!;
    if (!loops && fn.loops.length > 0) {
      return reached === name ? `it has a loop (line ${fn.loops[0]!.range.startLine + 1}), and summarising loops is off (compositionalLoops)`
        : `it calls '${reached}', which has a loop, and summarising loops is off (compositionalLoops)`;
    }
    const nested = fn.loops.find((loop) => fn.loops.some((other) => other !== loop && loop.range.startByte > other.range.startByte && loop.range.endByte <= other.range.endByte));
    if (nested) {
      return reached === name ? `it has a loop inside a loop (line ${nested.range.startLine + 1}), whose cost a summary cannot settle per call site`
        : `it calls '${reached}', which has a loop inside a loop`;
    }
  }
  return undefined;
}

// ----- substitution -----

/**
 * Rebuilds expressions bottom-up with the folding constructors, replacing scalar and array symbols
 * by `scalar` and `array` (which return undefined to keep a symbol). Memoised per rebuilder.
 */
export class Rebuilder {
  private readonly done = new Map<number, Expr>();

  constructor(
    private readonly scalar: (name: string, width: number) => BitVecExpr | undefined,
    private readonly array: (name: string) => ArrayExpr | undefined,
  ) {}

  bitvec(e: BitVecExpr): BitVecExpr { return this.rebuild(e) as BitVecExpr; }
  boolean(e: BoolExpr): BoolExpr { return this.rebuild(e) as BoolExpr; }
  bytes(e: ArrayExpr): ArrayExpr { return this.rebuild(e) as ArrayExpr; }

  private rebuild(e: Expr): Expr {
    const known = this.done.get(e.id);
    if (known) return known;
    const result = this.make(e);
    this.done.set(e.id, result);
    return result;
  }

  /**
   * Rebuilds a chain of stores bottom-up in a loop: an initialiser that fills a table (a `memset`
   * of a 1,024-entry array) leaves chains thousands of stores deep, past the call stack's depth.
   */
  private storeChain(top: Extract<ArrayExpr, { op: 'store' }>): ArrayExpr {
    const chain: Extract<ArrayExpr, { op: 'store' }>[] = [];
    let cursor: ArrayExpr = top;
    while (cursor.op === 'store' && !this.done.has(cursor.id)) {
      chain.push(cursor);
      cursor = cursor.array;
    }
    let rebuilt = this.bytes(cursor);
    for (let i = chain.length - 1; i >= 0; i--) {
      const link = chain[i]!;
      rebuilt = store(rebuilt, this.bitvec(link.index), this.bitvec(link.value));
      this.done.set(link.id, rebuilt);
    }
    return rebuilt;
  }

  private make(e: Expr): Expr {
    switch (e.sort) {
      case 'bv': {
        switch (e.op) {
          case 'const': return e;
          case 'symbol': return this.scalar(e.name, e.width) ?? e;
          case 'extract': return extract(e.hi, e.lo, this.bitvec(e.args[0]));
          case 'concat': return concat(e.args.map((a) => this.bitvec(a)));
          case 'zext': return zeroExtend(this.bitvec(e.args[0]), e.width);
          case 'sext': return signExtend(this.bitvec(e.args[0]), e.width);
          case 'ite': return ite(this.boolean(e.cond), this.bitvec(e.args[0]), this.bitvec(e.args[1]));
          case 'select': return select(this.bytes(e.array), this.bitvec(e.args[0]));
          default: return binary(e.op, this.bitvec(e.args[0]), this.bitvec(e.args[1]));
        }
      }
      case 'bool': {
        switch (e.op) {
          case 'true': case 'false': return e;
          case 'cmp': return compare(e.predicate, this.bitvec(e.args[0]), this.bitvec(e.args[1]));
          case 'not': return not(this.boolean(e.arg));
          case 'and': return and(e.list.map((x) => this.boolean(x)));
          case 'or': return or(e.list.map((x) => this.boolean(x)));
        }
        break;
      }
      case 'array': {
        switch (e.op) {
          case 'arraySymbol': return this.array(e.name) ?? e;
          case 'arrayConst': return e;
          case 'store': return this.storeChain(e);
        }
      }
    }
    throw new Error(`cannot rebuild expression ${(e as Expr).key}`);
  }
}

// ----- serialised form -----

/** One expression node; operands are indices of earlier nodes. */
type ExprNode =
  | ['c', number, string] | ['s', number, string] | ['b', BvBinaryOp, number, number] | ['x', number, number, number]
  | ['k', number[]] | ['z' | 'e', number, number] | ['i', number, number, number] | ['l', number, number]
  | ['T'] | ['F'] | ['p', CmpPredicate, number, number] | ['n', number] | ['&' | '|', number[]]
  | ['A', string] | ['K', string, string] | ['S', number, number, number];

type Serialized<T> =
  T extends BitVecExpr | BoolExpr | ArrayExpr ? number
  : T extends object ? { [K in keyof T]: Serialized<T[K]> }
  : T;

export interface SerializedSummary {
  version: number;
  nodes: ExprNode[];
  summary: Serialized<FunctionSummary>;
}

class ExprWriter {
  readonly nodes: ExprNode[] = [];
  private readonly index = new Map<number, number>();

  write(e: Expr): number {
    const known = this.index.get(e.id);
    if (known !== undefined) return known;
    if (e.sort === 'array' && e.op === 'store') {
      // A table initialiser leaves store chains thousands deep: write them bottom-up in a loop, so
      // that each store below finds its array already written instead of recursing.
      const pending: ArrayExpr[] = [];
      let cursor: ArrayExpr = e.array;
      while (cursor.op === 'store' && !this.index.has(cursor.id)) {
        pending.push(cursor);
        cursor = cursor.array;
      }
      this.write(cursor);
      for (let i = pending.length - 1; i >= 0; i--) this.write(pending[i]!);
    }
    const node = this.node(e);
    this.nodes.push(node);
    const at = this.nodes.length - 1;
    this.index.set(e.id, at);
    return at;
  }

  private node(e: Expr): ExprNode {
    switch (e.sort) {
      case 'bv':
        switch (e.op) {
          case 'const': return ['c', e.width, e.value.toString()];
          case 'symbol': return ['s', e.width, e.name];
          case 'extract': return ['x', e.hi, e.lo, this.write(e.args[0])];
          case 'concat': return ['k', e.args.map((a) => this.write(a))];
          case 'zext': return ['z', e.width, this.write(e.args[0])];
          case 'sext': return ['e', e.width, this.write(e.args[0])];
          case 'ite': return ['i', this.write(e.cond), this.write(e.args[0]), this.write(e.args[1])];
          case 'select': return ['l', this.write(e.array), this.write(e.args[0])];
          default: return ['b', e.op, this.write(e.args[0]), this.write(e.args[1])];
        }
      case 'bool':
        switch (e.op) {
          case 'true': return ['T'];
          case 'false': return ['F'];
          case 'cmp': return ['p', e.predicate, this.write(e.args[0]), this.write(e.args[1])];
          case 'not': return ['n', this.write(e.arg)];
          case 'and': return ['&', e.list.map((x) => this.write(x))];
          case 'or': return ['|', e.list.map((x) => this.write(x))];
        }
        break;
      case 'array':
        switch (e.op) {
          case 'arraySymbol': return ['A', e.name];
          case 'arrayConst': return ['K', e.name, Buffer.from(e.data).toString('hex')];
          case 'store': return ['S', this.write(e.array), this.write(e.index), this.write(e.value)];
        }
    }
    throw new Error(`cannot serialise expression ${(e as Expr).key}`);
  }
}

function readNodes(nodes: ExprNode[]): Expr[] {
  const out: Expr[] = [];
  const b = (i: number) => out[i] as BitVecExpr;
  const p = (i: number) => out[i] as BoolExpr;
  const a = (i: number) => out[i] as ArrayExpr;
  for (const node of nodes) {
    switch (node[0]) {
      case 'c': out.push(bv(BigInt(node[2]), node[1])); break;
      case 's': out.push(symbol(node[2], node[1])); break;
      case 'b': out.push(binary(node[1], b(node[2]), b(node[3]))); break;
      case 'x': out.push(extract(node[1], node[2], b(node[3]))); break;
      case 'k': out.push(concat(node[1].map(b))); break;
      case 'z': out.push(zeroExtend(b(node[2]), node[1])); break;
      case 'e': out.push(signExtend(b(node[2]), node[1])); break;
      case 'i': out.push(ite(p(node[1]), b(node[2]), b(node[3]))); break;
      case 'l': out.push(select(a(node[1]), b(node[2]))); break;
      case 'T': out.push(TRUE); break;
      case 'F': out.push(FALSE); break;
      case 'p': out.push(compare(node[1], b(node[2]), b(node[3]))); break;
      case 'n': out.push(not(p(node[1]))); break;
      case '&': out.push(and(node[1].map(p))); break;
      case '|': out.push(or(node[1].map(p))); break;
      case 'A': out.push(arraySymbol(node[1])); break;
      case 'K': out.push(arrayConst(node[1], Uint8Array.from(Buffer.from(node[2], 'hex')))); break;
      case 'S': out.push(store(a(node[1]), b(node[2]), b(node[3]))); break;
    }
  }
  return out;
}

function isExpr(value: unknown): value is Expr {
  return typeof value === 'object' && value !== null && 'sort' in value && 'id' in value && 'key' in value;
}

/** Maps every expression inside plain data (arrays, objects) through `f`; other values are kept. */
function mapExpressions(value: unknown, f: (e: Expr) => unknown, isLeaf: (v: unknown) => boolean): unknown {
  if (isLeaf(value)) return f(value as Expr);
  if (Array.isArray(value)) return value.map((v) => mapExpressions(v, f, isLeaf));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'range' ? v : mapExpressions(v, f, isLeaf)]));
  }
  return value;
}

/** The stable JSON form of a summary: expression nodes in a table, every expression an index into it. */
export function serializeSummary(summary: FunctionSummary): SerializedSummary {
  const writer = new ExprWriter();
  const data = mapExpressions(summary, (e) => writer.write(e), isExpr) as Serialized<FunctionSummary>;
  return { version: SUMMARY_FORMAT_VERSION, nodes: writer.nodes, summary: data };
}

/**
 * Reads a summary back, interning its expressions in the current expression table. Which fields
 * hold expressions is fixed by the format, so numbers elsewhere (costs, widths) are never taken
 * for node indices.
 */
export function deserializeSummary(serialized: SerializedSummary): FunctionSummary {
  if (serialized.version !== SUMMARY_FORMAT_VERSION) throw new Error(`summary format ${serialized.version} is not ${SUMMARY_FORMAT_VERSION}`);
  const exprs = readNodes(serialized.nodes);
  const at = (i: number) => exprs[i]!;
  const s = serialized.summary;
  const decision = (d: Serialized<SummaryDecision>): SummaryDecision => {
    const { condition, ...rest } = d;
    return { ...(rest as Omit<SummaryDecision, 'condition'>), ...(condition === undefined ? {} : { condition: at(condition) as BoolExpr }) };
  };
  const value = (v: Serialized<SummaryValue> | undefined): SummaryValue | undefined => {
    if (!v) return undefined;
    if (v.kind === 'int') return { kind: 'int', expr: at(v.expr) as BitVecExpr };
    if (v.kind === 'pointer') return { kind: 'pointer', object: v.object, offset: at(v.offset) as BitVecExpr };
    return { kind: 'null' };
  };
  return {
    functionName: s.functionName,
    shape: s.shape as SummaryShape,
    pcvs: s.pcvs as SummaryPcv[],
    loops: s.loops.map((loop) => ({
      ...(loop as unknown as SummaryLoop),
      guards: loop.guards.map((g) => ({ ...g, start: at(g.start) as BitVecExpr, limit: typeof g.limit === 'string' ? g.limit : at(g.limit) as BitVecExpr })),
      iterations: loop.iterations.map((i) => ({
        constraints: i.constraints.map((c) => at(c) as BoolExpr), decisions: i.decisions.map(decision), cost: i.cost as Cost, terms: i.terms as [string, Cost][],
        ...(i.mark === undefined ? {} : { mark: i.mark }),
      })),
    })),
    touched: s.touched,
    copiesMemory: s.copiesMemory,
    concreteQuestions: s.concreteQuestions.map((q) => at(q) as BoolExpr),
    concreteLoops: s.concreteLoops,
    pastUnroll: s.pastUnroll,
    ...(s.assumptions ? { assumptions: s.assumptions as FunctionSummary['assumptions'] } : {}),
    leaves: s.leaves.map((leaf) => ({
      outcome: leaf.outcome as SummaryLeaf['outcome'],
      constraints: leaf.constraints.map((c) => at(c) as BoolExpr),
      decisions: leaf.decisions.map(decision),
      trace: leaf.trace as TraceEvent[],
      cost: leaf.cost as Cost,
      terms: leaf.terms as [string, Cost][],
      pcvInstances: leaf.pcvInstances as [string, number][],
      externalCounts: leaf.externalCounts as [string, number][],
      externalCalls: leaf.externalCalls as SummaryLeaf['externalCalls'],
      inputExtents: leaf.inputExtents.map(([name, extent]) => [name, { offsets: extent.offsets.map((o) => at(o) as BitVecExpr), sizes: extent.sizes }]),
      writes: leaf.writes.map(([name, bytes]) => [name, at(bytes) as ArrayExpr]),
      returnValue: value(leaf.returnValue),
      frames: leaf.frames,
      loops: leaf.loops,
      forgetsAll: leaf.forgetsAll,
      pcvEvents: leaf.pcvEvents as PcvEvent[],
    })),
  };
}
