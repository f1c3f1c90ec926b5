// Runs a sequence of calls of one entry function through the reference interpreter, carrying the
// globals from call to call (after an optional init function), and places each call in the
// contract's terms: its path identity and its PCV values. Used by the validation sessions (one
// call per packet) and by x86 grounding (calibration calls).
import { runPathKey } from '../core/contract/contract';
import type { DeclaredContracts } from '../core/declared/declaredContracts';
import { bytesToHex, hexToBytes, numberForJson, Witness } from '../core/contract/witness';
import type { IrMetric } from '../core/cost/costModel';
import type { IrProgram } from '../core/ir/ir';
import { interpret, ObservedCall } from '../core/interp/interpreter';
import { DEFAULT_EXECUTION_OPTIONS } from '../core/symex/executor';

/** A call of the sequence. */
export interface SequenceCall extends Witness {
  /**
   * Run the init function again before this call, on the state the calls before left (as the
   * replay harness does): the start of another trace.
   */
  reinit?: boolean;
}

/** One call's run in the interpreter sequence. */
export interface SequencedCall {
  /** `runPathKey` of the run: compare with a class's `traces`. */
  pathKey: string;
  cost: Record<IrMetric, number>;
  pcv: Record<string, number>;
  /** The callee of each PCV of a declared contract in `pcv` (see InterpretResult.pcvCallees). */
  pcvCallees: Record<string, string>;
  /** Sizes passed to memcpy/memset/memcmp by the code the call ran (libraries included), per intrinsic. */
  intrinsicSizes: Record<string, number[]>;
  /** The entry's return value (signed 32-bit view), absent when void, a pointer, or an error. */
  returnValue?: number;
  error?: string;
}

export interface SequenceOptions {
  program: IrProgram;
  declaredContracts: DeclaredContracts;
  entry: string;
  /** Run once before the calls (e.g. `nf_init`); its globals are where the first call starts. */
  init?: string;
  /** The contract's unroll limit: PCVs are counted, and paths identified, as the analysis summarised them. */
  summarizeAfter?: number;
  /** The contract's full-unroll limit: loops it ran in full are not summarised either (`ir/fullUnroll.ts`). */
  fullUnrollLimit?: number;
  /**
   * The contract was derived with `--prefer-contracts`: calls to library functions that have a body
   * and a declared contract are run from their bodies (the cost) and then replayed against their
   * contracts with the observed results, which gives the path identity and PCVs the contract knows.
   */
  modular: boolean;
  /** Globals a call's `memory` may set (the replay harness can set them too); others come from the previous call. */
  settableGlobals?: ReadonlySet<string>;
}

export class SequenceError extends Error {}

/**
 * Runs `calls` in order. Each call's `memory` gives the bytes of pointer parameters and of the
 * settable globals it names (from their start; the rest of such a global is carried over); other
 * globals come from the previous call, or from `init`.
 */
export function interpretSequence(options: SequenceOptions, calls: readonly SequenceCall[]): SequencedCall[] {
  const { program, declaredContracts, entry, summarizeAfter, fullUnrollLimit } = options;
  const summarised = options.modular ? new Set([...declaredContracts.keys()].filter((name) => program.functions.has(name))) : new Set<string>();
  if (!program.functions.has(entry)) throw new SequenceError(`'${entry}' was not lowered`);
  const common = { regions: DEFAULT_EXECUTION_OPTIONS.regions, declaredContracts, maxSteps: 100_000_000 };
  // The globals' bytes as the next call starts: initial values, then what init and each call leave.
  const globals = new Map<string, Uint8Array>();
  for (const [name, global] of program.globals) if (global.initialPointers.length === 0 && !global.readOnly) globals.set(name, new Uint8Array(global.initial));
  const initialise = (init: string) => {
    if (!program.functions.has(init)) throw new SequenceError(`no function named '${init}' to initialise with`);
    const memory = Object.fromEntries([...globals].map(([name, bytes]) => [name, bytesToHex(bytes)]));
    const run = interpret(program, init, { args: {}, memory, pcv: {} }, common);
    if (run.error) throw new SequenceError(`${init} failed in the interpreter: ${run.error.message}`);
    for (const name of program.globals.keys()) {
      const bytes = run.memory.get(name);
      if (bytes) globals.set(name, bytes);
    }
  };
  if (options.init) initialise(options.init);
  return calls.map((call): SequencedCall => {
    if (call.reinit && options.init) initialise(options.init);
    const memory: Record<string, string> = {};
    for (const [name, hex] of Object.entries(call.memory)) if (!program.globals.has(name)) memory[name] = hex;
    for (const [name, carried] of globals) {
      const set = options.settableGlobals?.has(name) ? call.memory[name] : undefined;
      if (set !== undefined) {
        const bytes = new Uint8Array(carried);
        bytes.set(hexToBytes(set).subarray(0, bytes.length));
        memory[name] = bytesToHex(bytes);
      } else memory[name] = bytesToHex(carried);
    }
    const witness: Witness = { args: call.args, memory, pcv: {} };
    const observed: ObservedCall[] = [];
    const observeCalls = summarised.size > 0 ? { callees: summarised, record: (c: ObservedCall) => observed.push(c) } : undefined;
    const run = interpret(program, entry, witness, { ...common, summarizeAfter, fullUnrollLimit, observeCalls });
    let identity = { pathKey: runPathKey(run), pcv: { ...run.pcv }, pcvCallees: { ...run.pcvCallees } };
    if (observeCalls && !run.error) {
      // The run executed the library's code (the cost measured). Replayed against the library's
      // contracts, with each call's result, out-parameters and loop counts, it takes the path the
      // modular contract knows, and counts its PCVs as the contract names them.
      const externals: Record<string, number | string> = {};
      for (const c of observed) {
        if (c.returned !== undefined) externals[`${c.callee}#${c.k}`] = numberForJson(c.returned);
        for (const [param, value] of Object.entries(c.writes)) externals[`${c.callee}#${c.k}.${param}`] = numberForJson(value);
      }
      const replay = interpret(program, entry, { ...witness, externals }, {
        ...common, summarizeAfter, fullUnrollLimit, preferDeclaredContracts: true,
        declaredPcvValue: (callee, k, pcv) => observed.find((c) => c.callee === callee && c.k === k)?.pcv[pcv] ?? 0,
        // A contract does not state what else the call changed: the replay gets the globals the
        // library's code left, so the code after the call reads the state the measured run read.
        declaredGlobalEffects: (callee, k) => observed.find((c) => c.callee === callee && c.k === k)?.globals,
      });
      const same = !replay.error && replay.returnValue?.kind === run.returnValue?.kind
        && (replay.returnValue?.kind !== 'int' || run.returnValue?.kind !== 'int' || replay.returnValue.value === run.returnValue.value);
      identity = same ? { pathKey: runPathKey(replay), pcv: { ...replay.pcv }, pcvCallees: { ...replay.pcvCallees } } : { pathKey: 'replay-diverged', pcv: {}, pcvCallees: {} };
    }
    for (const name of globals.keys()) {
      const bytes = run.memory.get(name);
      if (bytes) globals.set(name, bytes);
    }
    const result: SequencedCall = { pathKey: identity.pathKey, cost: { ...run.cost }, pcv: identity.pcv, pcvCallees: identity.pcvCallees, intrinsicSizes: run.intrinsicSizes };
    if (run.error) result.error = `${run.error.reason}: ${run.error.message}`;
    else if (run.returnValue?.kind === 'int') result.returnValue = Number(BigInt.asIntN(32, run.returnValue.value));
    return result;
  });
}
