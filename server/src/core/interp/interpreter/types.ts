// The interpreter's types and small helpers: its options and result, concrete values, memory objects,
// call frames and loop states, and `Stop`, which ends a run on a program error or a limit.
import type { BasicBlock, Instruction, IrFunction, SourceRange } from '../../ir/ir';
import type { Cost } from '../../cost/costModel';
import type { ReasonKind } from '../../reasons';
import type { RegionOptions } from '../../ir/regionSize';
import type { DeclaredContracts } from '../../declared/declaredContracts';

export interface InterpretOptions {
  regions: RegionOptions;
  /** Executed instructions + terminators allowed before the run ends with 'time-limit'. */
  maxSteps: number;
  /**
   * When the analysis summarised loops after this many explicit iterations: count the remaining
   * iterations as PCVs and identify the path as the analysis does (only a loop's last iteration
   * shapes the path identity). Undefined: every iteration counts in the path identity.
   */
  summarizeAfter?: number;
  /**
   * Calls to allocators without a body (`ALLOCATORS`) return a fresh zero-filled object named
   * `init:CALLEE#k`: used to run an init function whose allocations the analysis starts from.
   */
  allocate?: boolean;
  /**
   * With `summarizeAfter`: loops that the analysis ran in full under this limit (a contract's
   * `fullUnrollLimit`, `ir/fullUnroll.ts`) are not summarised here either. Undefined: none.
   */
  fullUnrollLimit?: number;
  /** Contracts of functions without a body: their cost is the matching case's, at the witness's PCV values. */
  declaredContracts?: DeclaredContracts;
  /** As in the analysis: calls to a function with a body and a declared contract use the contract. */
  preferDeclaredContracts?: boolean;
  /**
   * Reports every call to these functions (executed from their bodies): the k-th call's result,
   * what it stored through the out-parameters its declared contract `writes`, and the loop PCVs it
   * counted (by PCV name without primes). Lets a run of a library's code be replayed against the
   * library's contracts. The loops run inside an observed call to a function whose declared
   * contract has an `unrollLimit` are counted with that limit, as its contract's PCVs were derived.
   */
  observeCalls?: { callees: ReadonlySet<string>; record: (call: ObservedCall) => void };
  /** For a declared call: the value of one of its case's PCVs (default: the witness's `pcv`). */
  declaredPcvValue?: (callee: string, k: number, pcv: string) => number | undefined;
  /**
   * For a declared call: the globals the code behind it left (from an observed run), written into
   * memory after the call. A contract states the cost, result and out-parameters of a call, not its
   * other effects on state, which the rest of the call's caller may read (a backend marked down
   * before a Maglev repopulation).
   */
  declaredGlobalEffects?: (callee: string, k: number) => readonly (readonly [string, Uint8Array])[] | undefined;
}

export const DEFAULT_MAX_STEPS = 10_000_000;

export interface ObservedCall {
  callee: string;
  /** 1-based, per callee, in call order (as `externals` keys count). */
  k: number;
  /** Signed return value; undefined for void functions. */
  returned?: bigint;
  /** Out-parameter name -> the integer it holds after the call. */
  writes: Record<string, bigint>;
  /** PCV name without primes -> the largest value a loop of that PCV counted during the call. */
  pcv: Record<string, number>;
  /** Globals the call wrote, with their bytes after it. */
  globals: [string, Uint8Array][];
}

/** Largest call depth (the entry function is depth 1); deeper calls end with 'recursion'. */
export const MAX_CALL_DEPTH = 1000;

export type ConcreteValue =
  | { kind: 'int'; value: bigint /* unsigned bits, masked to width */ }
  | { kind: 'pointer'; object: string; offset: bigint }
  | { kind: 'null' };

export type PointerOrNull = Exclude<ConcreteValue, { kind: 'int' }>;
export const NULL_POINTER: PointerOrNull = { kind: 'null' };

export interface InterpretResult {
  returnValue: ConcreteValue | undefined;
  cost: Cost;
  /** PathTrace digest of the executed path. */
  trace: string;
  /** Values of the PCVs of summarised loops on this run (empty without `summarizeAfter`). */
  pcv: Record<string, number>;
  /**
   * The callee of each PCV a declared contract's case introduced on this run. Names follow the
   * order of occurrence on the path (`t`, `t'`, ...), so on another path the same name can count
   * another callee's PCV.
   */
  pcvCallees: Record<string, string>;
  /** Sizes passed to memcpy/memset/memcmp on this run, per intrinsic (each size once). */
  intrinsicSizes: Record<string, number[]>;
  error?: { reason: ReasonKind; message: string; range: SourceRange };
  /** Final contents of every memory object, by object name. */
  memory: Map<string, Uint8Array>;
  /** Final pointer side tables (pointers stored by the code), by object name. */
  pointers: Map<string, Map<number, { object: string; offset: bigint } | null>>;
}

export interface MemoryObject {
  bytes: Uint8Array;
  /**
   * A witness heap object's size when larger than its given bytes: `bytes` grows, zero-filled, up to
   * it as the run reaches further, so a lazily sized table of many megabytes costs only what is read.
   */
  limit?: number;
  /** Pointer values stored by pointer stores, keyed by byte offset. */
  pointers: Map<number, PointerOrNull>;
}

export interface Frame {
  fn: IrFunction;
  blocks: Map<number, BasicBlock>;
  registers: (ConcreteValue | undefined)[];
  /** Slot id -> memory object name for this activation. */
  slots: Map<number, string>;
  block: BasicBlock;
  /** Index of the next instruction of `block` to run; `instructions.length` means the terminator. */
  index: number;
  /** The call instruction in the caller waiting for this frame's return value. */
  pendingCall?: Extract<Instruction, { op: 'call' }>;
  /** Loops entered in this activation: header -> visits of the header in the current entry. */
  loops: Map<number, LoopState>;
  /** Set for an observed call (see InterpretOptions.observeCalls). */
  /**
   * `counts`: the loop PCVs this activation (and the calls below it) counted, per PCV name: the
   * largest entry's count, or for a total loop the iterations since the call began. Counted here,
   * not from the PCVs' values, which keep the largest over a summarised loop's iterations around the call.
   */
  observation?: { callee: string; k: number; args: ConcreteValue[]; pcvBefore: Record<string, number>; counts: Record<string, number> };
  /** The unroll limit this activation's loops are counted with; undefined: not counted. */
  summarizeAfter?: number;
  /** The full-unroll limit this activation's loops are counted with (see InterpretOptions.fullUnrollLimit). */
  fullUnrollLimit?: number;
}

export interface LoopState {
  visits: number;
  pcv?: string;
  /**
   * Count marks of this loop: mark name -> its PCV instance, iterations that reached it, and (for a
   * total loop) the PCV's value when this entry into the loop began.
   */
  marks?: Map<string, { pcv: string; count: number; start: number }>;
  /** `/*@ pcv NAME total *\/`: the PCVs sum the entries' iterations instead of keeping the largest. */
  total?: boolean;
  /** For a total loop, its PCV's value when this entry began. */
  start?: number;
  /** The mark the current summarised iteration reached. */
  marked?: string;
  plainCount?: number;
  /** PCV instance counters when summarising began: every summarised iteration reuses the same names. */
  instancesAtStart?: Map<string, number>;
}

/** Ends the run: a program error or a limit. The range is that of the instruction being run. */
export class Stop {
  constructor(readonly reason: ReasonKind, readonly message: string) {}
}

export function int(value: bigint): ConcreteValue {
  return { kind: 'int', value };
}

export const ZERO: ConcreteValue = int(0n);

/** Parses an integer from a witness: a JSON integer or a decimal string (negative allowed). */
export function witnessInteger(value: number | string, what: string): bigint {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`witness value for ${what} is not an integer: ${value}`);
    return BigInt(value);
  }
  const text = value.trim();
  if (!/^[+-]?[0-9]+$/.test(text)) throw new Error(`witness value for ${what} is not a decimal integer: '${value}'`);
  return BigInt(text);
}

/** `record[key]` when it is the record's own property (so `constructor` etc. are not found). */
export function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

export function byteCount(width: number): number {
  return Math.max(1, Math.ceil(width / 8));
}
