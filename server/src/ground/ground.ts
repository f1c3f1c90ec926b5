// x86 grounding: turns a contract's IR cost formulas into formulas in the machine's units for the
// user's compiler and flags. The entry is compiled with a replay harness and calibration calls
// (every class's and member's witness, plus calibration traffic when given) run twice over: under
// callgrind on the compiled code (x86 instructions, memory accesses) and in the reference
// interpreter (the path each call takes and its PCV values). The unit of the fit is a class's member (the paths of a
// merged class with one cost, classMerge.ts) when the class has members, else the class: each call
// is placed in its unit by its path, and per unit and metric the x86 formula keeps the unit's IR
// formula's monomials. A merged class's x86 formula is the per-monomial maximum of its members',
// as its IR formula is of theirs. Calls into the C library's memory functions are first priced at
// their measured worst case (libraryWorstCase.ts). Then the per-unit cost of each regressor (a loop
// PCV, or a declared contract's PCV per callee) is fitted over every unit it varies in (least
// squares within units, never negative, made an integer that keeps the formula above the fitted
// line over the PCV's range), a monomial that varies nowhere is scaled from the IR formula (or is
// free when the PCV sits at its bound), and the constant is raised until no calibration call of
// the unit is above the formula. A unit no calibration call reached is the IR formula scaled by
// the largest x86/IR ratio seen, and says it is estimated. See docs/x86-grounding.md.
import { performance } from 'perf_hooks';
import type { FunctionContract, PathClass, PathMember } from '../core/contract/contract';
import type { DeclaredContracts } from '../core/declared/declaredContracts';
import { Polynomial, splitLoopDeclaredName, toPolynomial } from '../core/declared/declaredContracts';
import type { Witness } from '../core/contract/witness';
import { HEAP_WITNESS_NOTE, witnessNeedsHeap } from '../core/contract/heapWitness';
import type { IrMetric } from '../core/cost/costModel';
import { evaluateFormula, formatPolynomialMap, formulaPcvNames, parseFormula } from '../core/cost/formula';
import type { IrProgram } from '../core/ir/ir';
import { failureOf, GroundingError, GroundingFailure } from './groundingError';
import { buildHarness, CompilerCommand, detectTools, globalSymbols, ReplayCost, runReplay } from './replay';
import { interpretSequence, SequenceCall, SequenceError } from './sequence';
import { intrinsicSizes, LibraryWorstCase, measureLibraryWorstCase } from './libraryWorstCase';
import { monomialDegree, monomialPcvs, monomialValue as productOf, renameMonomial } from '../core/cost/monomial';

export const X86_METRICS = ['x86_instructions', 'x86_memory_accesses', 'cycles'] as const;
export type X86Metric = (typeof X86_METRICS)[number];

export function isX86Metric(name: string): name is X86Metric {
  return (X86_METRICS as readonly string[]).includes(name);
}

/**
 * The conservative cycles model: every x86 instruction costs `cpi` cycles, every x86 memory access
 * an L1 hit (`l1`), and every access the IR makes to a memory object (NF state, the packet,
 * address-taken locals; not register spills) a DRAM access (`dram`) instead.
 */
export interface CyclesModel { cpi: number; l1: number; dram: number }
export const DEFAULT_CYCLES_MODEL: CyclesModel = { cpi: 1, l1: 4, dram: 200 };

export interface GroundingOptions {
  command: CompilerCommand;
  /** The C files to compile with the harness (the analysed main files). */
  sources: string[];
  /** A function run once before the calls (e.g. `nf_init`). */
  init?: string;
  /**
   * Extra calibration calls (e.g. the packets of a pcap trace), run before the two witness passes;
   * a call marked `reinit` starts another trace (the init function runs again first).
   */
  calibration?: SequenceCall[];
  cyclesModel: CyclesModel;
  workDir: string;
}

/** How the x86 formulas of one fitting unit (a class without members, or a member) were obtained. */
export interface UnitGrounding {
  /** Calibration calls that landed in the unit. */
  samples: number;
  /** True when the unit's x86 formulas are not fitted from its own calls (see `note`). */
  estimated: boolean;
  note?: string;
  /**
   * When the only estimated parts are monomials whose per-unit cost was never observed: each such
   * monomial with the values it took in the unit's calls. At those values the formula is fitted
   * (the constant pays for them); elsewhere it is estimated.
   */
  estimatedTerms?: Record<string, number[]>;
}

/**
 * A class's record. For a class with members, the members' records summed up (samples added,
 * estimated when one of them is, their notes prefixed with the members' ids, the values of their
 * estimated terms together), and each member's own record under `members`: a call placed in a member
 * is predicted by the member's formula, which is fitted (or estimated) on its own.
 */
export interface ClassGrounding extends UnitGrounding {
  members?: Record<string, UnitGrounding>;
}

/** What the contract's `grounding` says: how its x86 formulas were obtained. */
export interface Grounding {
  compiler: string;
  flags: string[];
  commandSource: string;
  cyclesModel: CyclesModel;
  calls: { witness: number; calibration: number; discarded: number };
  /** Largest x86/IR ratio over the calibration calls, per x86 metric: the scale of estimated formulas. */
  estimateRatio: { x86_instructions: number; x86_memory_accesses: number };
  classes: Record<string, ClassGrounding>;
  /**
   * Shared-library functions the calibration calls reached (the C library's memcmp...). A bounded
   * one's cost in every calibration call was replaced by its worst case per call before the fit.
   */
  libraryCalls?: LibraryCallGrounding[];
  milliseconds: number;
}

export interface LibraryCallGrounding {
  /** As the library resolved it, e.g. `__memcmp_avx2_movbe`. */
  function: string;
  /** Calls over all calibration calls. */
  calls: number;
  /**
   * Where the cost per call below comes from: `benchmark` (memcmp/memcpy/memset: the worst over a
   * grid of inputs at the sizes the program passes), `constant` (the same cost in every calibration
   * call), or `unknown` (its cost varied and no worst case is known: taken as measured).
   */
  worstCase: 'benchmark' | 'constant' | 'unknown';
  intrinsic?: string;
  sizes?: number[];
  /** The cost per call the fit used. */
  instructions?: number;
  memoryAccesses?: number;
}

export type { GroundingFailure } from './groundingError';

export interface LoweredProgram { program: IrProgram; declaredContracts: DeclaredContracts; modular: boolean }

interface Sample {
  pcv: Record<string, number>;
  /** The callee of each declared-contract PCV in `pcv` (its name depends on the path, its cost on the callee). */
  callees: Record<string, string>;
  x86: Record<'x86_instructions' | 'x86_memory_accesses', number>;
  ir: Record<IrMetric, number>;
  /** The interpreter's IR cost minus the class's IR formula at the call's PCVs (never positive for a sound contract). */
  slack: Record<IrMetric, number>;
}

/**
 * A regressor beside the PCV monomials: the IR slack. A class formula bounds every path of the
 * class, including paths inside callees summarised by their contracts, so a call's IR cost can be
 * below its class formula; the x86 cost follows the IR cost. Fitted like a monomial, its per-unit
 * cost lifts the constant to where the IR cost meets the IR formula.
 */
const SLACK = '@slack';

/** Distinct values a regressor must take in one class's calls for its per-unit cost to be fitted. */
const MIN_DISTINCT_VALUES = 3;

const IR_OF: Record<'x86_instructions' | 'x86_memory_accesses', IrMetric> = { x86_instructions: 'instructions', x86_memory_accesses: 'memory_accesses' };

/**
 * The calls a contract's witnesses make (classes that return; an error class's input may crash
 * compiled code): each class's witness, then those of its members that differ from it (each fitting
 * unit gets calls of its own; a class's witness is one of its members' unless the worst-case search
 * pushed it).
 */
export function witnessCalls(contract: FunctionContract): Witness[] {
  const calls: Witness[] = [];
  for (const c of contract.classes) {
    if (c.outcome !== 'return') continue;
    const seen = new Set<string>();
    for (const witness of [c.witness, ...(c.members ?? []).map((m) => m.witness)]) {
      const key = JSON.stringify([witness.args, witness.memory]);
      if (witnessNeedsHeap(witness) || seen.has(key)) continue;
      seen.add(key);
      calls.push({ args: witness.args, memory: witness.memory, pcv: {} });
    }
  }
  return calls;
}

/**
 * What one set of x86 formulas is fitted for: a member of a class that has members (its paths share
 * one IR cost), else the class. `cost` is the member's or the class's own cost map, where the IR
 * formulas are read and the x86 formulas are written.
 */
interface FitUnit {
  id: string;
  pathClass: PathClass;
  member?: PathMember;
  cost: Partial<Record<string, string>>;
  outcome: PathClass['outcome'];
  witness: Witness;
  traces: string[];
}

function fitUnits(contract: FunctionContract): FitUnit[] {
  return contract.classes.flatMap((c): FitUnit[] => (c.members && c.members.length > 0
    ? c.members.map((m) => ({ id: m.id, pathClass: c, member: m, cost: m.cost, outcome: c.outcome, witness: m.witness, traces: m.traces }))
    : [{ id: c.id, pathClass: c, cost: c.cost, outcome: c.outcome, witness: c.witness, traces: c.traces }]));
}

/**
 * Adds x86 formulas for `metrics` to every class of `contract` (and its worst and best case) and
 * returns the grounding record; on failure the contract is unchanged and the failure is returned.
 */
export function groundContract(contract: FunctionContract, lowered: LoweredProgram, metrics: readonly X86Metric[], options: GroundingOptions): Grounding | GroundingFailure {
  try {
    return groundOrThrow(contract, lowered, metrics, options);
  } catch (error) {
    if (error instanceof GroundingError) return failureOf(error);
    if (error instanceof SequenceError) return failureOf(new GroundingError('replay-failed', `the interpreter could not run the calibration calls: ${error.message}`));
    throw error;
  }
}

function groundOrThrow(contract: FunctionContract, lowered: LoweredProgram, metrics: readonly X86Metric[], options: GroundingOptions): Grounding {
  const started = performance.now();
  for (const needed of ['instructions', 'memory_accesses'] as IrMetric[]) {
    if (!contract.metrics.includes(needed)) throw new GroundingError('no-calibration', `x86 grounding needs the IR metric '${needed}' in the contract`);
  }
  const fn = lowered.program.functions.get(contract.name);
  if (!fn) throw new GroundingError('replay-failed', `'${contract.name}' was not lowered`);
  detectTools(options.command.compiler);
  const witnesses = witnessCalls(contract);
  const calibration = options.calibration ?? [];
  if (witnesses.length + calibration.length === 0) {
    const heap = contract.classes.some((c) => c.outcome === 'return' && witnessNeedsHeap(c.witness));
    throw new GroundingError('no-calibration', `'${contract.name}' has no returning class with a witness${heap ? ' the x86 replay harness can run (their witnesses need lazily created objects, which it does not allocate)' : ''} and no calibration calls were given`);
  }
  const binary = buildHarness(fn, options.init, options.sources, options.command, options.workDir);
  // Globals both the harness and the interpreter can set to a witness's state: plain data of the
  // same size in both (a pointer stored in a global has no meaning across the two).
  const symbols = globalSymbols(binary);
  const settable = new Map([...symbols].filter(([name, symbol]) => {
    const global = lowered.program.globals.get(name);
    return global !== undefined && !global.readOnly && global.initialPointers.length === 0 && global.size === symbol.size;
  }));
  const withoutGlobals = (w: Witness): Witness => ({ ...w, memory: Object.fromEntries(Object.entries(w.memory).filter(([name]) => !lowered.program.globals.has(name))) });
  // Calibration traffic from the initial state, then every witness in its own state, then every
  // witness again in the state the calls before left.
  let calls = [...calibration.map(withoutGlobals), ...witnesses, ...witnesses.map(withoutGlobals)];
  // A call that crashes the compiled code (a witness that relies on the analysis's memory model,
  // say) is dropped and the rest replayed again, a few times at most.
  let replay: ReturnType<typeof runReplay> | undefined;
  let dropped = 0;
  for (let attempt = 0; !replay; attempt++) {
    try {
      replay = runReplay(binary, fn, calls, settable, options.workDir);
    } catch (error) {
      if (!(error instanceof GroundingError) || error.completedCalls === undefined || attempt >= 5) throw error;
      calls = calls.filter((_, i) => i !== error.completedCalls);
      dropped++;
    }
  }
  const library = libraryWorstCases(replay.costs, lowered.program, contract.name, options);
  const sequence = interpretSequence({
    program: lowered.program, declaredContracts: lowered.declaredContracts, entry: contract.name, init: options.init, summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit, modular: lowered.modular,
    settableGlobals: new Set(settable.keys()),
  }, calls);
  const units = fitUnits(contract);
  const unitByTrace = new Map<string, FitUnit>();
  for (const unit of units) for (const trace of unit.traces) unitByTrace.set(trace, unit);
  const samples = new Map<string, Sample[]>();
  /** Unit id -> shared-library functions its calls reached whose worst case is not known. */
  const libraryNotes = new Map<string, string[]>();
  let discarded = dropped;
  sequence.forEach((run, i) => {
    const unit = unitByTrace.get(run.pathKey);
    const compiled = replay!.results[i];
    // The interpreter and the compiled code must agree on the result, or the call's class is unknown.
    const agrees = run.error === undefined && (compiled === undefined || run.returnValue === undefined || BigInt.asIntN(32, compiled) === BigInt(run.returnValue));
    if (!unit || !agrees) {
      discarded++;
      return;
    }
    const cost: ReplayCost = replay!.costs[i]!;
    const list = samples.get(unit.id) ?? [];
    const slack = {} as Record<IrMetric, number>;
    for (const metric of ['instructions', 'memory_accesses'] as IrMetric[]) {
      // Against the unit's own formula: a member's paths cost what its formula says, while its
      // class's formula is the maximum over members that can cost far more. A PCV the run did not
      // count (a loop whose summarised part it never reached) is 0 there, as where packets are
      // predicted; taking the slack as 0 instead hid that nested.c's worst-case witness, whose
      // erasures never probe, costs 7084 IR instructions below its formula.
      const formula = unit.cost[metric];
      let bound = run.cost[metric];
      try {
        if (formula !== undefined) bound = evaluateFormula(formula, Object.fromEntries(formulaPcvNames(formula).map((name) => [name, run.pcv[name] ?? 0])));
      } catch {
        // a formula the evaluator cannot take: no slack
      }
      slack[metric] = Math.min(0, run.cost[metric] - bound);
    }
    const unbounded = Object.keys(cost.library ?? {}).filter((name) => !library.worst.has(name));
    if (unbounded.length > 0) libraryNotes.set(unit.id, [...new Set([...(libraryNotes.get(unit.id) ?? []), ...unbounded])]);
    list.push({ pcv: run.pcv, callees: run.pcvCallees, x86: worstLibraryCost(cost, library.worst, run.intrinsicSizes), ir: run.cost, slack });
    samples.set(unit.id, list);
  });
  if (samples.size === 0) throw new GroundingError('no-calibration', `none of the ${calls.length} calibration calls landed in a class of '${contract.name}'`);

  const estimateRatio = { x86_instructions: 0, x86_memory_accesses: 0 };
  // The largest ratio over every call, small ones included: an estimate errs on the high side.
  for (const m of ['x86_instructions', 'x86_memory_accesses'] as const) {
    for (const s of [...samples.values()].flat()) estimateRatio[m] = Math.max(estimateRatio[m], s.x86[m] / Math.max(1, s.ir[IR_OF[m]]));
  }
  const model = options.cyclesModel;
  const bounds = pcvBounds(contract, lowered.declaredContracts);
  const slopes = { x86_instructions: pooledSlopes(units, samples, 'x86_instructions'), x86_memory_accesses: pooledSlopes(units, samples, 'x86_memory_accesses') };
  // Units with calls first: the largest ratio of a fitted formula to its IR formula, at the calls'
  // PCVs, then scales the constants of the units no call reached.
  const fitted = new Map<string, { x86: Record<X86Metric, Polynomial>; record: UnitGrounding; notes: string[] }>();
  const constantRatio = { x86_instructions: 0, x86_memory_accesses: 0 };
  const ordered = [...units].sort((a, b) => Number(samples.has(b.id)) - Number(samples.has(a.id)));
  for (const unit of ordered) {
    const own = samples.get(unit.id) ?? [];
    const notes: string[] = (libraryNotes.get(unit.id) ?? []).map((name) => `its calls reach ${name} in a shared library, whose worst case is not known: its cost is taken as measured in calibration`);
    if (witnessNeedsHeap(unit.witness)) notes.push(HEAP_WITNESS_NOTE);
    const estimates: Estimates = { whole: notes.length > 0, terms: new Map() };
    const fit = (metric: 'x86_instructions' | 'x86_memory_accesses') => {
      const poly = fitUnit(unit, metric, own, slopes[metric], { total: estimateRatio[metric], constant: constantRatio[metric] }, bounds, notes, estimates);
      const ir = polynomialOf(unit, IR_OF[metric]);
      for (const s of ir ? own : []) constantRatio[metric] = Math.max(constantRatio[metric], evaluatePolynomial(poly, s.pcv) / Math.max(1, evaluatePolynomial(ir!, s.pcv)));
      return poly;
    };
    const x86 = { x86_instructions: fit('x86_instructions'), x86_memory_accesses: fit('x86_memory_accesses') };
    if (own.length === 0 && unit.member && unit.outcome === 'return') {
      // Units with calls come first, so the member's fitted siblings (fitted at least at the values
      // their calls took) are known.
      const siblings = units.filter((u) => u.pathClass === unit.pathClass && samples.has(u.id) && (!fitted.get(u.id)!.record.estimated || fitted.get(u.id)!.record.estimatedTerms !== undefined));
      const borrowed: string[] = [];
      for (const metric of ['x86_instructions', 'x86_memory_accesses'] as const) {
        const nearest = siblingEstimate(unit, siblings.map((u) => ({ unit: u, x86: fitted.get(u.id)!.x86[metric] })), metric, estimateRatio[metric]);
        if (!nearest || evaluatePolynomial(nearest.poly, {}) >= evaluatePolynomial(x86[metric], {})) continue;
        x86[metric] = nearest.poly;
        borrowed.push(`its ${metric} formula is that of ${nearest.id} plus what its IR formula has above ${nearest.id}'s, scaled by the largest x86/IR ratio seen`);
      }
      const scaled = notes.findIndex((n) => n.startsWith('no calibration call reached'));
      if (borrowed.length > 0 && scaled >= 0) notes.splice(scaled, 1, `no calibration call reached this member: ${borrowed.join(', and ')}${borrowed.length < 2 ? ' (its other formula is its IR formula scaled)' : ''}`);
    }
    const cycles = combine([[x86.x86_instructions, model.cpi], [x86.x86_memory_accesses, model.l1], [polynomialOf(unit, 'memory_accesses') ?? new Map(), model.dram - model.l1]]);
    const unique = [...new Set(notes)];
    const terms = !estimates.whole && estimates.terms.size > 0 ? { estimatedTerms: Object.fromEntries([...estimates.terms].map(([m, values]) => [m, [...values].sort((a, b) => a - b)])) } : {};
    fitted.set(unit.id, { x86: { ...x86, cycles }, record: { samples: own.length, estimated: unique.length > 0, ...(unique.length > 0 ? { note: unique.join('; ') } : {}), ...terms }, notes: unique });
  }
  const write = (cost: Partial<Record<string, string>>, x86: Record<X86Metric, Polynomial>) => {
    for (const metric of metrics) cost[metric] = render(x86[metric]);
  };
  const classes: Record<string, ClassGrounding> = {};
  for (const pathClass of contract.classes) {
    const own = units.filter((u) => u.pathClass === pathClass).map((u) => ({ unit: u, ...fitted.get(u.id)! }));
    for (const { unit, x86 } of own) write(unit.cost, x86);
    if (!pathClass.members || pathClass.members.length === 0) {
      classes[pathClass.id] = own[0]!.record;
      continue;
    }
    // The class's formulas bound every member's, as its IR formulas do (buildContract).
    write(pathClass.cost, Object.fromEntries(X86_METRICS.map((m) => [m, maximumPolynomial(own.map((o) => o.x86[m]))])) as Record<X86Metric, Polynomial>);
    classes[pathClass.id] = classRecord(own.map((o) => ({ id: o.unit.id, record: o.record, notes: o.notes })));
  }
  for (const summary of [contract.worstCase, contract.bestCase]) {
    if (!summary) continue;
    const pathClass = contract.classes.find((c) => c.id === summary.class);
    // The best case is a member's cost (the cheapest); the worst case is the class's.
    const irMetrics = Object.keys(summary.cost).filter((m) => !isX86Metric(m)) as IrMetric[];
    const member = pathClass?.members?.find((m) => irMetrics.length > 0 && irMetrics.every((metric) => m.cost[metric] === summary.cost[metric]));
    const source = (member && summary === contract.bestCase ? member.cost : pathClass?.cost) as Record<string, string> | undefined;
    if (source) for (const metric of metrics) (summary.cost as Record<string, string>)[metric] = source[metric]!;
  }
  // A new list: the contract's may be shared with the analysis options.
  contract.metrics = [...contract.metrics, ...metrics.filter((m) => !(contract.metrics as string[]).includes(m))] as FunctionContract['metrics'];
  return {
    compiler: options.command.compiler,
    flags: options.command.flags,
    commandSource: options.command.source,
    cyclesModel: model,
    calls: { witness: witnesses.length * 2, calibration: calibration.length, discarded },
    estimateRatio: { x86_instructions: round3(estimateRatio.x86_instructions), x86_memory_accesses: round3(estimateRatio.x86_memory_accesses) },
    classes,
    ...(library.record.length > 0 ? { libraryCalls: library.record } : {}),
    milliseconds: Math.round(performance.now() - started),
  };
}

/**
 * The worst case per call of each shared-library function the replayed calls reached, where it is
 * known: for memcmp/memcpy/memset with the sizes the program passes, measured over a grid of inputs
 * (libraryWorstCase.ts; the largest over the sizes and the calibration calls' averages, priced per
 * size in worstLibraryCost); for another function whose cost per call was the same in every
 * calibration call (htons at -O0, say), that cost.
 */
function libraryWorstCases(costs: readonly ReplayCost[], program: IrProgram, entry: string, options: GroundingOptions): { worst: Map<string, LibraryWorstCase>; record: LibraryCallGrounding[] } {
  const called = new Map<string, { calls: number; instructions: number[]; memoryAccesses: number[] }>();
  for (const cost of costs) {
    for (const [name, calls] of Object.entries(cost.library ?? {})) {
      if (calls.calls === 0) continue;
      const seen = called.get(name) ?? { calls: 0, instructions: [], memoryAccesses: [] };
      seen.calls += calls.calls;
      seen.instructions.push((calls.inclusive['Ir'] ?? 0) / calls.calls);
      seen.memoryAccesses.push(((calls.inclusive['Dr'] ?? 0) + (calls.inclusive['Dw'] ?? 0)) / calls.calls);
      called.set(name, seen);
    }
  }
  if (called.size === 0) return { worst: new Map(), record: [] };
  const benchmarked = new Map(measureLibraryWorstCase(intrinsicSizes(program, entry), options.command, options.workDir).map((w) => [w.function, w]));
  const worst = new Map<string, LibraryWorstCase>();
  const record = [...called].map(([name, seen]): LibraryCallGrounding => {
    const largest = (values: number[]) => values.reduce((a, b) => Math.max(a, b), 0);
    const bench = benchmarked.get(name);
    if (bench) {
      const w = { ...bench, instructions: Math.max(bench.instructions, largest(seen.instructions)), memoryAccesses: Math.max(bench.memoryAccesses, largest(seen.memoryAccesses)) };
      worst.set(name, w);
      return { function: name, calls: seen.calls, worstCase: 'benchmark', intrinsic: w.intrinsic, sizes: w.sizes, instructions: Math.ceil(w.instructions), memoryAccesses: Math.ceil(w.memoryAccesses) };
    }
    const constant = (values: number[]) => values.every((v) => v === values[0]);
    if (constant(seen.instructions) && constant(seen.memoryAccesses)) {
      worst.set(name, { function: name, intrinsic: undefined, sizes: [], instructions: seen.instructions[0]!, memoryAccesses: seen.memoryAccesses[0]!, perSize: {}, measured: seen.calls });
      return { function: name, calls: seen.calls, worstCase: 'constant', instructions: Math.ceil(seen.instructions[0]!), memoryAccesses: Math.ceil(seen.memoryAccesses[0]!) };
    }
    return { function: name, calls: seen.calls, worstCase: 'unknown' };
  });
  return { worst, record };
}

/**
 * A replayed call's x86 cost with each bounded library function's cost replaced by its worst case
 * per call: for a memory intrinsic, the worst at the sizes the call passed to it (the interpreter's
 * record of the same call; every size the program passes when it recorded none), and never below
 * the call's own average.
 */
function worstLibraryCost(cost: ReplayCost, worst: ReadonlyMap<string, LibraryWorstCase>, sizes: Record<string, number[]>): Sample['x86'] {
  let instructions = cost.Ir;
  let memoryAccesses = cost.Dr + cost.Dw;
  for (const [name, calls] of Object.entries(cost.library ?? {})) {
    const w = worst.get(name);
    if (!w || calls.calls === 0) continue;
    const used = (w.intrinsic ? sizes[w.intrinsic] ?? [] : []).filter((n) => w.perSize[n] !== undefined);
    const perCall = used.length === 0
      ? { instructions: w.instructions, memoryAccesses: w.memoryAccesses }
      : { instructions: Math.max(...used.map((n) => w.perSize[n]!.instructions)), memoryAccesses: Math.max(...used.map((n) => w.perSize[n]!.memoryAccesses)) };
    const measured = { instructions: calls.inclusive['Ir'] ?? 0, memoryAccesses: (calls.inclusive['Dr'] ?? 0) + (calls.inclusive['Dw'] ?? 0) };
    instructions += Math.max(calls.calls * perCall.instructions, measured.instructions) - measured.instructions;
    memoryAccesses += Math.max(calls.calls * perCall.memoryAccesses, measured.memoryAccesses) - measured.memoryAccesses;
  }
  return { x86_instructions: instructions, x86_memory_accesses: memoryAccesses };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function polynomialOf(unit: { cost: Partial<Record<string, string>> }, metric: IrMetric): Polynomial | undefined {
  const formula = unit.cost[metric];
  if (formula === undefined) return undefined;
  try {
    return toPolynomial(parseFormula(formula));
  } catch {
    return undefined; // min/max formulas have no polynomial form
  }
}

function evaluatePolynomial(poly: Polynomial, pcv: Record<string, number>): number {
  let total = 0;
  for (const [m, c] of poly) total += c * (m === '' ? 1 : termValue(m, pcv));
  return total;
}

/**
 * A fitted formula's term key: a monomial, or a monomial charged only above a value (`max(0, M - V)`,
 * see `hingeKey`), for per-unit costs that calibration never observed.
 */
function termValue(key: string, pcv: Record<string, number>): number {
  const hinge = HINGE.exec(key);
  return hinge ? Math.max(0, monomialValue(hinge[1]!, pcv) - Number(hinge[2])) : monomialValue(key, pcv);
}

const HINGE = /^max\(0, (.+) - (\d+)\)$/;

/** The term `max(0, monomial - above)`: the monomial charged only for what lies above a value. */
function hingeKey(monomial: string, above: number): string {
  return above <= 0 ? monomial : `max(0, ${monomial} - ${above})`;
}

/** A monomial (`d*p`) at the given PCV values; a PCV without a value is 0. */
export function monomialValue(monomial: string, pcv: Record<string, number>): number {
  return productOf(monomial, (name) => pcv[name] ?? 0);
}

/**
 * What a PCV monomial's per-unit cost is shared with: a loop PCV names one loop whatever the class,
 * so it is its own regressor; a declared contract's PCV is named by its order on the path (`t'` is
 * the second call that introduces a `t`, whichever callee that is), so it is keyed by its base name
 * and its callee (`t@map_put`): every call site of one callee counts the same code. A total over a
 * summarised loop's calls (`t'@e`) counts the same units as one call's, so it shares that regressor.
 */
function regressorKey(monomial: string, callees: Record<string, string>): string {
  return renameMonomial(monomial, (name) => {
    const callee = callees[name];
    return callee === undefined ? name : `${declaredBase(name)}@${callee}`;
  });
}

/** A declared contract's PCV name without its primes and, for a total in a loop (`t'@e`), without the loop: `t`. */
function declaredBase(name: string): string {
  return (splitLoopDeclaredName(name)?.declared ?? name).replace(/'+$/, '');
}

/** A class's monomial -> regressor key, from its calls (undefined without calls: the callees are not known). */
function classKeys(own: Sample[]): ((monomial: string) => string) | undefined {
  const first = own[0];
  return first ? (monomial) => regressorKey(monomial, first.callees) : undefined;
}

/**
 * Per-unit x86 cost of each regressor (see regressorKey), shared by every fitting unit whose IR
 * formula has it: a fixed-effects least-squares fit, each unit's calls centred on their own mean,
 * so that only variation inside a unit counts. Regressors that vary inside no unit are left out
 * (their cost is not observed).
 */
function pooledSlopes(units: readonly FitUnit[], samples: Map<string, Sample[]>, metric: 'x86_instructions' | 'x86_memory_accesses'): Map<string, number> {
  const irMetric = IR_OF[metric];
  const collect = (keep: (s: Sample) => boolean) => {
    const rows: { x: Map<string, number>; y: number }[] = [];
    const identified = new Set<string>();
    for (const unit of units) {
      const ir = polynomialOf(unit, irMetric);
      if (!ir) continue;
      const own = (samples.get(unit.id) ?? []).filter((s) => !nestedAbstraction(ir, s.pcv) && keep(s));
      if (own.length < 2) continue;
      const key = classKeys(own)!;
      const monomials = [...new Set([...[...ir.keys()].filter((m) => m !== '').map(key), SLACK])];
      // The value of a regressor: the sum of the unit's monomials that share it.
      const values = own.map((s) => {
        const x = new Map<string, number>(monomials.map((m) => [m, 0]));
        for (const m of ir.keys()) if (m !== '') x.set(key(m), x.get(key(m))! + monomialValue(m, s.pcv));
        x.set(SLACK, s.slack[irMetric]);
        return x;
      });
      const meanY = own.reduce((sum, s) => sum + s.x86[metric], 0) / own.length;
      const meanX = new Map(monomials.map((m) => [m, values.reduce((sum, v) => sum + v.get(m)!, 0) / own.length]));
      // A per-unit cost is fitted only where its regressor takes at least three values in one unit:
      // two values give a difference, not a fit, and a cost fitted on one or two calls above the rest
      // has been seen to fall short of other packets (the PCV is then priced as unobserved).
      for (const m of monomials) if (new Set(values.map((v) => v.get(m))).size >= MIN_DISTINCT_VALUES) identified.add(m);
      own.forEach((s, i) => rows.push({ x: new Map(monomials.map((m) => [m, values[i]!.get(m)! - meanX.get(m)!])), y: s.x86[metric] - meanY }));
    }
    return { rows, identified };
  };
  let { rows, identified } = collect(() => true);
  // A call below its unit's IR formula (negative slack) costs less than the formula's paths at its
  // PCVs; only the slack's own per-unit cost tells the two apart. Where the slack cannot be fitted
  // (it takes fewer than three values in every unit), such calls stay out of the per-unit fit, as
  // nested abstractions do, and the constant still covers them: nested.c's worst-case witness,
  // 253 erasures of empty chains, 28 IR instructions below the formula per erasure, otherwise made
  // the per-erasure cost 30 x86 instructions at -O0, where a sweep's erasures of 4 probes cost
  // about 100 each, and 118 of those lifted their member's constant from 149 to 3694.
  if (!identified.has(SLACK) && units.some((u) => (samples.get(u.id) ?? []).some((s) => s.slack[irMetric] !== 0))) {
    ({ rows, identified } = collect((s) => s.slack[irMetric] === 0));
  }
  let names = [...identified];
  // Drop monomials until the system is solvable (collinear monomials cannot be told apart), and
  // those whose cost comes out negative, solving again without them: a negative cost would be
  // compensated by the others, so setting it to 0 alone would leave them too small. When the IR
  // slack is among the negative ones, it alone goes first: it is a correction, not a cost, and it
  // can mirror a PCV whose formula coefficient is above what most of its calls cost (the load
  // balancer's Maglev probes: slack and probes came out at -90 and -154 together, and dropping
  // both left the probes unpriced, 16 instructions each, at a scaled 119).
  while (names.length > 0) {
    const solution = solveNormalEquations(rows, names);
    if (!solution) {
      names = names.slice(0, -1);
      continue;
    }
    const negative = new Set(names.filter((_, i) => solution[i]! < 0));
    if (negative.size === 0) return new Map(names.map((m, i) => [m, snapToInteger(solution[i]!)]));
    names = negative.has(SLACK) && negative.size > 1 ? names.filter((m) => m !== SLACK) : names.filter((m) => !negative.has(m));
  }
  return new Map();
}

/**
 * Whether a call's PCV values describe its cost only as a bound: a product monomial whose factors
 * are all 2 or more, such as `e*n` for a loop (not annotated `total`) nested in a summarised loop.
 * The inner PCV is the largest over the outer loop's iterations, so the product overstates the work
 * they did (unless every iteration did as much). Declared calls in a summarised loop give totals
 * (`t@e`), which are exact and stay in the fit. Such a call is kept out of the
 * per-unit fit, where it would drag the costs of other regressors; the class's constant still
 * covers it. With an outer PCV of 1 the product is exact.
 */
function nestedAbstraction(ir: Polynomial, pcv: Record<string, number>): boolean {
  return [...ir.keys()].some((m) => monomialDegree(m) > 1 && monomialPcvs(m).every((name) => (pcv[name] ?? 0) >= 2));
}

/**
 * Least squares returns an integer per-unit cost with floating-point noise (13.00012 for 13), which
 * rounding up would turn into 14: a whole unit per PCV step, 172 instructions on a full-table
 * probe chain. A cost within SNAP of an integer is that integer. The constant is computed with the
 * snapped cost, so no calibration call is above the formula; beyond them, the snapped cost differs
 * from the fitted one by at most SNAP per PCV unit (one instruction at a PCV of 1000).
 */
const SNAP = 1e-3;

function snapToInteger(slope: number): number {
  const nearest = Math.round(slope);
  return Math.abs(slope - nearest) <= SNAP ? nearest : slope;
}

/** Least squares without intercept over centred rows; undefined when singular. */
function solveNormalEquations(rows: { x: Map<string, number>; y: number }[], names: string[]): number[] | undefined {
  const n = names.length;
  const a: number[][] = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (const row of rows) {
    const x = names.map((m) => row.x.get(m) ?? 0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i]![j]! += x[i]! * x[j]!;
      a[i]![n]! += x[i]! * row.y;
    }
  }
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (Math.abs(a[pivot]![col]!) < 1e-9) return undefined;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = a[r]![col]! / a[col]![col]!;
      for (let c = col; c <= n; c++) a[r]![c]! -= factor * a[col]![c]!;
    }
  }
  return names.map((_, i) => a[i]![n]! / a[i]![i]!);
}

/** What of a class's formulas is estimated: all of them, or only the listed monomials away from the values they took. */
interface Estimates { whole: boolean; terms: Map<string, Set<number>> }

/**
 * The x86 polynomial of one fitting unit and metric (see the file comment). `notes` collects why
 * the result is estimated, if it is, and `estimates` what is.
 */
function fitUnit(
  unit: FitUnit, metric: 'x86_instructions' | 'x86_memory_accesses', own: Sample[], slopes: Map<string, number>,
  ratios: { total: number; constant: number }, bounds: PcvBound, notes: string[], estimates: Estimates,
): Polynomial {
  const ratio = ratios.total;
  const irMetric = IR_OF[metric];
  const ir = polynomialOf(unit, irMetric);
  if (!ir || own.length === 0) estimates.whole = true;
  if (!ir) {
    notes.push(`the IR formula has no polynomial form; the ${metric} formula is the IR constant scaled`);
    return new Map([['', Math.ceil(ratio * Math.max(1, ...own.map((s) => s.ir[irMetric])))]]);
  }
  const scaled = (coefficient: number) => Math.ceil(coefficient * ratio);
  const monomials = [...ir.keys()].filter((m) => m !== '');
  if (own.length === 0) {
    notes.push(unit.outcome === 'return' ? `no calibration call reached this ${unit.member ? 'member' : 'class'}: its formulas are the IR formulas scaled by the largest x86/IR ratio seen (per PCV, the per-unit cost fitted in other classes where larger)` : `a class that ends in ${unit.outcome === 'error' ? 'an error' : 'an unexplored path'} is not replayed: its formulas are the IR formulas scaled`);
    // The IR formula scaled by the largest ratio of x86 cost, or of a fitted formula, to the IR cost
    // seen (the IR formula bounds the class's IR cost); a PCV's per-unit cost fitted in other
    // classes (the same loop) replaces its scaled coefficient where it is larger. Neither alone was
    // enough on the NAT: scaled per-unit costs were below an expiry loop's at -O0, fitted ones
    // (averages) below another class's.
    const factor = Math.max(ratios.constant, ratio);
    return new Map([...ir].map(([m, c]) => [m, Math.max(Math.ceil(c * factor - 1e-9), m !== '' ? Math.ceil(largestSlopeFor(m, slopes) - 1e-9) : 0)]));
  }
  const result: Polynomial = new Map();
  let lift = 0;
  const hinges: { monomial: string; above: number; coefficient: number }[] = [];
  for (const m of monomials) {
    const slope = slopes.get(classKeys(own)!(m));
    if (slope !== undefined) {
      const rounded = integerCoefficient(slope, m, own, bounds);
      result.set(m, rounded.coefficient);
      lift += rounded.lift;
    } else if (own.every((s) => s.pcv[m] !== undefined && s.pcv[m] === bounds(m, s.callees))) {
      // A PCV at its bound in every call of the class (a loop that ran to its end): the largest
      // cost observed, in the constant, already pays for it, and the PCV cannot go higher; below
      // its bound the cost is lower (a per-unit cost is never negative).
      result.set(m, 0);
    } else {
      const coefficient = scaled(ir.get(m)!);
      const values = estimates.terms.get(m) ?? new Set<number>();
      for (const sample of own) values.add(monomialValue(m, sample.pcv));
      estimates.terms.set(m, values);
      // The scaled coefficient prices what lies above the smallest value the class's calls took;
      // below it the constant stands (a per-unit cost is never negative). As a plain term, with the
      // smallest value taken off the constant, a large scaled cost put the constant below zero
      // (clamped).
      const smallest = Math.min(...own.map((sample) => monomialValue(m, sample.pcv)));
      result.set(hingeKey(m, smallest), coefficient);
      hinges.push({ monomial: m, above: smallest, coefficient });
      notes.push(`the per-unit cost of ${m} varied in no class's calibration calls: its ${metric} coefficient is the IR one scaled, charged above the smallest value the class's calls took (the constant pays for that value)`);
    }
  }
  // The constant is the largest residual once the hinge terms are charged too: a call far above
  // the smallest value (296 expired entries in a class whose other calls expired 0 or 1) is paid
  // for by its hinge term, so it does not lift the constant that every call of the class pays.
  // Each calibration call stays at or below the formula either way.
  const residuals = unitResiduals(unit, own, slopes, metric)!.map((r, i) =>
    hinges.reduce((rest, h) => rest - h.coefficient * Math.max(0, monomialValue(h.monomial, own[i]!.pcv) - h.above), r));
  result.set('', Math.max(0, Math.ceil(Math.max(...residuals) + lift - 1e-9)));
  return result;
}

/**
 * An integer coefficient for a fitted per-unit cost that keeps the formula above the fitted line
 * over the monomial's whole range [0, bound]. Rounding up overshoots by (1 - frac) per unit, so by
 * (1 - frac) * v at a value v; rounding down needs the constant lifted by frac * bound, and then
 * overshoots by frac * (bound - v). Over the class's calls, rounding down is the smaller overshoot
 * when frac * bound < their mean value of the monomial (a probe chain of 150 in a table of 2048
 * probes with a per-probe cost of 3.02). Without a bound, the coefficient is rounded up.
 */
function integerCoefficient(slope: number, monomial: string, own: Sample[], bounds: PcvBound): { coefficient: number; lift: number } {
  const up = { coefficient: Math.ceil(slope - 1e-9), lift: 0 };
  const frac = slope - Math.floor(slope);
  if (frac < 1e-9) return up;
  let bound: number | undefined = 1;
  for (const name of monomialPcvs(monomial)) {
    const b = own.map((s) => bounds(name, s.callees)).reduce<number | undefined>((a, x) => (a === undefined || x === undefined ? undefined : Math.max(a, x)), 0);
    bound = bound === undefined || b === undefined ? undefined : bound * b;
  }
  if (bound === undefined) return up;
  const mean = own.reduce((sum, s) => sum + monomialValue(monomial, s.pcv), 0) / own.length;
  return frac * bound < mean ? { coefficient: Math.floor(slope), lift: frac * bound } : up;
}

/**
 * Each call's cost minus the fitted terms (fitted monomials at the call's PCVs, and the IR slack).
 * Only fitted terms are taken out: the cost of a term whose coefficient was not observed stays in
 * the residual, so the constant keeps the formula above a call at smaller values of that term.
 */
function unitResiduals(unit: FitUnit, own: Sample[], slopes: Map<string, number>, metric: 'x86_instructions' | 'x86_memory_accesses'): number[] | undefined {
  const ir = polynomialOf(unit, IR_OF[metric]);
  if (!ir || own.length === 0) return undefined;
  return own.map((s) => {
    let rest = s.x86[metric];
    for (const m of ir.keys()) {
      const slope = m === '' ? undefined : slopes.get(regressorKey(m, s.callees));
      // Unrounded here, rounded up in the formula: the constant does not count on the rounding
      // when the formula extrapolates to smaller PCV values, the coefficients when it goes to larger ones.
      if (slope !== undefined) rest -= slope * monomialValue(m, s.pcv);
    }
    return rest - (slopes.get(SLACK) ?? 0) * s.slack[IR_OF[metric]];
  });
}

/** A PCV's upper bound in a call with the given PCV callees, if it has one. */
type PcvBound = (name: string, callees: Record<string, string>) => number | undefined;

/**
 * PCV bounds: a declared contract's PCV is bounded by its callee's cases (the contract's glossary
 * entry takes the largest over the callees that share the name), a loop PCV by the contract's glossary.
 */
function pcvBounds(contract: FunctionContract, declared: DeclaredContracts): PcvBound {
  const glossary = new Map(contract.pcvs.filter((p) => p.bound !== undefined).map((p) => [p.name, p.bound!]));
  return (name, callees) => {
    const callee = callees[name];
    // A total in a loop (`t@e`) is bounded by the glossary: the cases' bound times the loop's.
    if (callee === undefined || splitLoopDeclaredName(name)) return glossary.get(name);
    const base = name.replace(/'+$/, '');
    const cases = declared.get(callee)?.cases ?? [];
    if (cases.length === 0 || cases.some((c) => c.bounds[base] === undefined)) return undefined;
    return Math.max(...cases.map((c) => c.bounds[base]!));
  };
}

/**
 * For a class no call reached (its callees are not known): the largest per-unit cost fitted for a
 * regressor the monomial can stand for, the monomial itself or, for a PCV of a declared contract,
 * that PCV of any callee.
 */
function largestSlopeFor(monomial: string, slopes: Map<string, number>): number {
  if (monomial.includes('*')) return slopes.get(monomial) ?? 0;
  const base = monomial.replace(/'+$/, '');
  // A declared contract's total in a loop (`t'@e`) can stand for `t` of any callee (`t@map_erase`).
  const inLoop = monomial.includes('@') ? declaredBase(monomial) : undefined;
  let largest = slopes.get(monomial) ?? 0;
  for (const [key, slope] of slopes) {
    if (key.includes('*')) continue;
    if (key.startsWith(`${base}@`) || (inLoop !== undefined && key.startsWith(`${inLoop}@`) && /^[A-Za-z_]\w*$/.test(key.slice(inLoop.length + 1)))) largest = Math.max(largest, slope);
  }
  return largest;
}

/**
 * The per-monomial maximum of fitted polynomials (`maximumFormula` of buildContract, for terms that
 * may be hinges): never below any of them, every PCV and hinge being at least 0 and a negative
 * coefficient counting as 0. Within one polynomial, the terms of one monomial (a plain one and one
 * charged above a value, `max(0, e - 34)`, as cycles combine them) are first added up, charged
 * above the smallest of their values; across polynomials, a monomial is charged above the smallest
 * value at the largest coefficient.
 */
function maximumPolynomial(polys: readonly Polynomial[]): Polynomial {
  const terms = new Map<string, { above: number; coefficient: number }>();
  for (const poly of polys) {
    const own = new Map<string, { above: number; coefficient: number }>();
    for (const [key, c] of poly) {
      const hinge = HINGE.exec(key);
      const monomial = hinge ? hinge[1]! : key;
      const above = hinge ? Number(hinge[2]) : 0;
      const known = own.get(monomial);
      own.set(monomial, { above: Math.min(known?.above ?? above, above), coefficient: (known?.coefficient ?? 0) + Math.max(0, c) });
    }
    for (const [monomial, t] of own) {
      const known = terms.get(monomial);
      terms.set(monomial, { above: Math.min(known?.above ?? t.above, t.above), coefficient: Math.max(known?.coefficient ?? 0, t.coefficient) });
    }
  }
  return new Map([...terms].map(([monomial, t]) => [monomial === '' ? '' : hingeKey(monomial, t.above), t.coefficient]));
}

/**
 * For a member no calibration call reached: the formula of a fitted member of its class (a
 * sibling) plus, per monomial, what the member's IR formula has above the sibling's, scaled by the
 * largest x86/IR ratio seen (a monomial where it has less keeps the sibling's coefficient). Members
 * differ only in the explicit iterations of a summarised loop, so the sibling's fit prices what
 * they share from calls and only the iterations one has and the other has not are estimated; the
 * IR formula scaled as a whole priced the policer's C73.1 at 2,223 x86 instructions, its fitted
 * sibling C73.3 (100 IR instructions less at every PCV) at 600. The sibling giving the smallest
 * formula with every PCV at 0; undefined without a fitted sibling with a polynomial IR formula.
 */
function siblingEstimate(unit: FitUnit, siblings: { unit: FitUnit; x86: Polynomial }[], metric: 'x86_instructions' | 'x86_memory_accesses', ratio: number): { id: string; poly: Polynomial } | undefined {
  const ir = polynomialOf(unit, IR_OF[metric]);
  if (!ir) return undefined;
  let best: { id: string; poly: Polynomial } | undefined;
  for (const sibling of siblings) {
    const theirs = polynomialOf(sibling.unit, IR_OF[metric]);
    if (!theirs) continue;
    const poly: Polynomial = new Map(sibling.x86);
    for (const [m, c] of ir) {
      const above = c - (theirs.get(m) ?? 0);
      if (above > 0) poly.set(m, (poly.get(m) ?? 0) + Math.ceil(above * ratio - 1e-9));
    }
    if (!best || evaluatePolynomial(poly, {}) < evaluatePolynomial(best.poly, {})) best = { id: sibling.unit.id, poly };
  }
  return best;
}

/** A merged class's record from its members' (see ClassGrounding). */
function classRecord(members: { id: string; record: UnitGrounding; notes: string[] }[]): ClassGrounding {
  const byNote = new Map<string, string[]>();
  for (const { id, notes } of members) for (const note of notes) byNote.set(note, [...(byNote.get(note) ?? []), id]);
  const estimated = members.some(({ record }) => record.estimated);
  // Estimated terms only say something when no member is estimated as a whole.
  const partly = estimated && members.every(({ record }) => !record.estimated || record.estimatedTerms !== undefined);
  const terms = new Map<string, Set<number>>();
  if (partly) for (const { record } of members) for (const [m, values] of Object.entries(record.estimatedTerms ?? {})) terms.set(m, new Set([...(terms.get(m) ?? []), ...values]));
  return {
    samples: members.reduce((n, { record }) => n + record.samples, 0),
    estimated,
    ...(byNote.size > 0 ? { note: [...byNote].map(([note, ids]) => `${ids.join(', ')}: ${note}`).join('; ') } : {}),
    ...(partly && terms.size > 0 ? { estimatedTerms: Object.fromEntries([...terms].map(([m, values]) => [m, [...values].sort((a, b) => a - b)])) } : {}),
    members: Object.fromEntries(members.map(({ id, record }) => [id, record])),
  };
}

function combine(parts: [Polynomial, number][]): Polynomial {
  const out: Polynomial = new Map();
  for (const [poly, weight] of parts) for (const [m, c] of poly) out.set(m, (out.get(m) ?? 0) + c * weight);
  for (const [m, c] of out) out.set(m, Math.ceil(c - 1e-9));
  return out;
}

function render(poly: Polynomial): string {
  const hinges = [...poly].filter(([key, c]) => HINGE.test(key) && c !== 0);
  const plain = formatPolynomialMap(new Map([...poly].filter(([key]) => !HINGE.test(key))));
  if (hinges.length === 0) return plain;
  return [plain === '0' ? [] : [plain], ...hinges.map(([key, c]) => (c === 1 ? key : `${c}*${key}`))].flat().join(' + ');
}
