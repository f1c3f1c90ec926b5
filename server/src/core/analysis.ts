// The engine's entry point: files and options in, contracts and diagnostics out (plain data, no editor types).
import { FileSystem, Diagnostic, FrontEndOptions, TranslationUnit, buildTranslationUnit } from './syntax/translationUnit';
import { LoweredProgram, lowerProgram } from './ir/lowerProgram';
import type { IrFunction, IrProgram } from './ir/ir';
import { IrMetric, IR_METRICS } from './cost/costModel';
import { DEFAULT_EXECUTION_OPTIONS, ExecutionOptions, ExplorationResult, explore } from './symex/executor';
import { IndependenceCachingSolver, Z3Solver, z3FailureMessage } from './solver/solver';
import { FunctionContract, PathClass, PathMember, UNBOUNDED_PCV_VALUE, buildContract, pathKey, runPathKey, witnessOf } from './contract/contract';
import { evaluateFormula, formulaPcvNames } from './cost/formula';
import { UNBOUNDED_TARGET, pushWitness } from './contract/adversarialWitness';
import { Reasons } from './reasons';
import { resetExpressionTable, clearSymbolCache, expressionCount, symbolsOf } from './term/expr';
import { interpret } from './interp/interpreter';
import { DEFAULT_FULL_UNROLL_LIMIT } from './ir/fullUnroll';
import { ContractCache, functionKeys } from './cache/contractCache';
import { DeclaredContracts, bindDeclaredWrites, loadDeclaredContracts, outParameterOf, parseDeclaredContracts } from './declared/declaredContracts';
import { SummaryStore, SummaryUse } from './symex/summaries';
import { runInit } from './initState';
import * as path from 'path';

export interface AnalysisOptions {
  includeDirs: string[];
  defines: Record<string, string>;
  /** The other preprocessor settings (-isystem, -include, -U, gcc's folders and macros); see FrontEndOptions. */
  frontEnd?: Partial<FrontEndOptions>;
  /** Entry functions; empty means every function of the main files that no analysed function calls. */
  entries: string[];
  metrics: IrMetric[];
  execution: ExecutionOptions;
  solverTimeoutMs: number;
  /** z3 resource limit per query (deterministic; exceeding it answers unknown). */
  solverResourceLimit: number;
  /** A class is adversarial above this multiple of the common case (and when packet bytes select it). */
  adversarialFactor: number;
  /** Search for a costlier witness of the worst class (`pushWorstWitness`); default true. */
  adversarialWitness?: boolean;
  /** Contracts from earlier analyses, reused when nothing they depend on changed. */
  cache?: ContractCache;
  /** Declared contract files to read, besides the `*.pcontract.json` files beside the main files. */
  contractFiles: string[];
  /** Parse and lower only: no entry is explored (`run --contract` places a run in a saved contract). */
  lowerOnly?: boolean;
  /**
   * `--assume EXPR`: C expressions every entry in `entries` may take for granted on entry (in the
   * scope of its parameters and the unit's globals), as a `/*@ assume EXPR *\/` before it would.
   */
  assumptions?: string[];
}

export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = {
  includeDirs: [],
  defines: {},
  entries: [],
  metrics: ['instructions', 'memory_accesses'],
  execution: DEFAULT_EXECUTION_OPTIONS,
  solverTimeoutMs: 10000,
  solverResourceLimit: 10_000_000,
  adversarialFactor: 5,
  contractFiles: [],
};

export interface AnalysisResult {
  contracts: FunctionContract[];
  /** Problems in the sources: syntax errors, missing includes, unsupported constructs. */
  diagnostics: Diagnostic[];
  program: IrProgram;
  entries: string[];
  /** Entries whose contract was computed by this analysis (the others came from the cache). */
  recomputed: string[];
  /** The declared contracts in force, for running witnesses with the same costs. */
  declaredContracts: DeclaredContracts;
  /** Whether calls used declared contracts over bodies (run witnesses the same way). */
  preferDeclaredContracts: boolean;
  /**
   * With `execution.compositional`: which functions this analysis summarised (`computed`, once per
   * call shape) or took from the cache (`reused`), and per recomputed entry, the calls answered by
   * summaries and the callees inlined instead, with the reason.
   */
  summaries?: {
    computed: string[]; reused: string[]; use: Record<string, SummaryUse>;
    /** Time and solver queries spent recording summaries (part of the contracts' statistics). */
    recording: { milliseconds: number; solverQueries: number };
  };
  /** Set when z3 failed in this process: every later analysis here is incomplete, so a host should restart it. */
  solverFailure?: string;
}

export { Diagnostic, FileSystem };

/**
 * The last translation unit built and lowered, with every file read it made. The language server
 * analyses a file one entry per call; a call with the same files, options and file contents (every
 * recorded read, found or not, answers the same) reuses it instead of parsing and lowering again.
 * Parsing and lowering read no expressions and nothing after them writes to the unit or the IR.
 */
interface Build {
  key: string;
  reads: Map<string, string | undefined>;
  unit: TranslationUnit;
  lowered: LoweredProgram;
  /** The analyses of this build so far: their solver with its answers (see solverFor). */
  session?: { solverKey: string; solver: IndependenceCachingSolver };
}
let lastBuild: Build | undefined;

async function buildAndLower(
  files: { path: string; text?: string }[], options: FrontEndOptions, fileSystem: FileSystem, entryAssumptions?: Map<string, string[]>,
): Promise<Build> {
  const key = JSON.stringify({ files, options, assumptions: entryAssumptions ? [...entryAssumptions] : [] });
  if (lastBuild?.key === key && [...lastBuild.reads].every(([filePath, text]) => fileSystem.readFile(filePath) === text)) return lastBuild;
  lastBuild = undefined;
  const reads = new Map<string, string | undefined>();
  const recording: FileSystem = {
    readFile(filePath: string): string | undefined {
      const text = fileSystem.readFile(filePath);
      reads.set(filePath, text);
      return text;
    },
  };
  const unit = await buildTranslationUnit(files, options, recording);
  const lowered = lowerProgram(unit, undefined, entryAssumptions);
  // Nothing reads the unit's syntax trees after lowering (only its plain data: diagnostics, files,
  // declarations' names, types and annotations): their WASM memory goes back to tree-sitter now.
  unit.dispose();
  lastBuild = { key, reads, unit, lowered };
  return lastBuild;
}

/**
 * The expressions and solver answers of the analyses of one build (its session). The language
 * server analyses a file one entry per call: while the build is reused, later entries keep the
 * expressions and the answered queries of earlier ones (a handler asks many of the queries its
 * helpers asked), as one call with several entries does. A new build, other solver limits, a
 * failure of z3, or more than SESSION_EXPRESSION_LIMIT expressions or SESSION_QUERY_LIMIT cached
 * answers start afresh, and so does the first call after endAnalysisSession().
 */
const SESSION_EXPRESSION_LIMIT = 250_000;
const SESSION_QUERY_LIMIT = 5_000;

/**
 * Lets the expressions and solver answers of the last analyses go (the next call starts a session):
 * a long-lived host calls it when a batch of analyses of one build is over, so that the memory they
 * hold is not kept until the next build.
 */
export function endAnalysisSession(): void {
  if (lastBuild) lastBuild.session = undefined;
  resetExpressionTable();
  clearSymbolCache();
}

function solverFor(build: Build, settings: AnalysisOptions): IndependenceCachingSolver {
  const solverKey = `${settings.solverTimeoutMs}/${settings.solverResourceLimit}`;
  const session = build.session;
  if (session?.solverKey === solverKey && z3FailureMessage() === undefined
    && expressionCount() <= SESSION_EXPRESSION_LIMIT && session.solver.cachedAnswers <= SESSION_QUERY_LIMIT) return session.solver;
  // Nothing holds expressions between builds: parsing and lowering make none.
  resetExpressionTable();
  clearSymbolCache();
  build.session = { solverKey, solver: new IndependenceCachingSolver(new Z3Solver({ timeoutMs: settings.solverTimeoutMs, resourceLimit: settings.solverResourceLimit })) };
  return build.session.solver;
}

/** Parses, lowers and symbolically executes the entry functions of the given main files. */
export async function analyze(
  files: { path: string; text?: string }[], options: Partial<AnalysisOptions>, fileSystem: FileSystem,
): Promise<AnalysisResult> {
  const settings: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, ...options, execution: { ...DEFAULT_EXECUTION_OPTIONS, ...options.execution } };
  for (const metric of settings.metrics) {
    if (!IR_METRICS.includes(metric)) throw new Error(`unknown metric '${metric}' (known: ${IR_METRICS.join(', ')})`);
  }
  const frontEnd: FrontEndOptions = { ...settings.frontEnd, includeDirs: settings.includeDirs, defines: settings.defines };
  const assumptions = settings.assumptions ?? [];
  if (assumptions.length > 0 && settings.entries.length === 0) throw new Error('--assume needs --entry: an assumption is written in the scope of the entry functions it is for');
  const entryAssumptions = assumptions.length > 0 ? new Map(settings.entries.map((entry) => [entry, assumptions])) : undefined;
  let built = await buildAndLower(files, frontEnd, fileSystem, entryAssumptions);
  // A requested entry defined in a header that no main file reaches had its body left unparsed.
  if (settings.entries.some((entry) => built.unit.blankedBodies.has(entry))) built = await buildAndLower(files, { ...frontEnd, keepBodiesOf: settings.entries }, fileSystem, entryAssumptions);
  const { unit, lowered } = built;
  const diagnostics = [...unit.diagnostics, ...lowered.diagnostics];
  // Contract files sit beside the main files or beside the headers that declare their functions.
  const contractFolders = [...files.map((f) => path.dirname(f.path)), ...[...unit.files.keys()].filter((p) => path.isAbsolute(p)).map((p) => path.dirname(p))];
  const declared = loadDeclaredContracts(contractFolders, settings.contractFiles, (p) => fileSystem.readFile(p));
  // `/*@ contract { "cases": [...] } *\/` before a declaration; a contract file for the same function wins.
  for (const [name, declaration] of unit.functions) {
    const annotation = declaration.definition ? undefined : declaration.annotations.find((a) => /^contract\b/.test(a));
    if (!annotation || declared.contracts.has(name)) continue;
    const at = { file: declaration.file, startByte: 0, endByte: 0, startLine: declaration.line, startColumn: 0, endLine: declaration.line, endColumn: 0 };
    let body: unknown;
    try {
      body = JSON.parse(annotation.replace(/^contract\s*/, ''));
    } catch (error) {
      diagnostics.push({ reason: 'invalid-contract', message: `the contract annotation of '${name}' is not valid JSON: ${(error as Error).message}`, ...at, functionName: name });
      continue;
    }
    const parsed = parseDeclaredContracts(JSON.stringify({ version: 1, functions: { [name]: body } }), `${declaration.file}:${declaration.line + 1}`);
    for (const message of parsed.errors) diagnostics.push({ reason: 'invalid-contract', message, ...at, functionName: name });
    for (const [key, contract] of parsed.contracts) declared.contracts.set(key, contract);
  }
  declared.errors.push(...bindDeclaredWrites(declared.contracts, outParameterOf(unit)));
  for (const error of declared.errors) {
    diagnostics.push({ reason: 'invalid-contract', message: error, file: error.split(':')[0]!, startByte: 0, endByte: 0, startLine: 0, startColumn: 0, endLine: 0, endColumn: 0 });
  }
  settings.execution = { ...settings.execution, declaredContracts: declared.contracts };
  const mainFiles = new Set(files.map((f) => f.path));
  const entries = settings.lowerOnly ? [] : settings.entries.length > 0 ? settings.entries : defaultEntries(unit.functions, lowered.program, mainFiles);
  const solver = solverFor(built, settings);
  const contracts: FunctionContract[] = [];
  const recomputed: string[] = [];
  // Calls to a function with a declared contract use the contract when it is preferred: its body's
  // key then does not reach its callers' (the contract is in the options fingerprint).
  const declaredCallees = settings.execution.preferDeclaredContracts ? new Set(declared.contracts.keys()) : undefined;
  // The init function's state is every handler's starting point: its code is part of their keys.
  const init = settings.execution.init && (!settings.execution.initOptional || lowered.program.functions.has(settings.execution.init)) ? settings.execution.init : undefined;
  let fingerprint = settings.cache || settings.execution.compositional ? optionsFingerprint(settings) : '';
  if (fingerprint && init && lowered.program.functions.has(init)) fingerprint += `|init:${functionKeys(lowered.program, fingerprint, { position: 'line' }).get(init)}`;
  const keys = settings.cache ? functionKeys(lowered.program, fingerprint, { position: 'byte', declaredCallees }) : undefined;
  const summaryKeys = settings.execution.compositional ? functionKeys(lowered.program, fingerprint, { position: 'line', declaredCallees }) : undefined;
  const summaries = summaryKeys ? new SummaryStore(summaryKeys, settings.cache) : undefined;
  const summaryUse: Record<string, SummaryUse> = {};
  // With --init, every entry starts from what the init function allocated (core/initState.ts).
  let execution = settings.execution;
  if (init) execution = { ...execution, initialHeap: runInit(lowered.program, init, declared.contracts) };
  else if (execution.init) execution = { ...execution, init: undefined };
  for (const entry of entries) {
    const fn = lowered.program.functions.get(entry);
    if (!fn) {
      if (!unit.functions.has(entry)) throw new Error(`no function named '${entry}' in ${files.map((f) => f.path).join(', ')}`);
      continue; // failed to lower: reported in diagnostics
    }
    const key = settings.cache ? keys?.get(entry) : undefined;
    const cached = key !== undefined && !hasFailedCallee(lowered.program, entry, lowered.failedFunctions) ? settings.cache!.get(key) : undefined;
    if (cached) {
      contracts.push(cached);
      continue;
    }
    recomputed.push(entry);
    const before = { ...solver.statistics };
    const started = performance.now();
    let exploration: Awaited<ReturnType<typeof explore>>;
    try {
      exploration = await explore(lowered.program, entry, solver, execution, summaries);
    } catch (error) {
      // An engine bug on one entry must not take the others (or the server) down.
      if (process.env.PERFCONTRACT_DEBUG_STACK) process.stderr.write(String((error as Error).stack).split('\n').slice(0, 40).join('\n') + '\n');
      exploration = { paths: [], inputObjects: [], pcvs: new Map(), stopReasons: [tooDeep(error, entry) ?? { reason: 'internal-error', message: `internal error while exploring '${entry}': ${(error as Error).message}` }] };
    }
    const statistics = {
      paths: exploration.paths.length,
      solverQueries: solver.statistics.queries - before.queries,
      z3Calls: solver.statistics.z3Calls - before.z3Calls,
      z3Milliseconds: Math.round(solver.statistics.z3Milliseconds - before.z3Milliseconds),
      milliseconds: Math.round(performance.now() - started),
    };
    let contract: FunctionContract;
    try {
      contract = buildContract(fn, exploration, settings.metrics, statistics, settings.adversarialFactor, { program: lowered.program, declaredContracts: declared.contracts, unrollLimit: settings.execution.unrollLimit });
      if (settings.execution.summarizeLoops) {
        contract.unrollLimit = settings.execution.unrollLimit;
        contract.fullUnrollLimit = settings.execution.fullUnrollLimit ?? DEFAULT_FULL_UNROLL_LIMIT;
      }
      await verifyWitnesses(contract, fn, exploration, lowered.program, settings, solver, started + settings.execution.timeLimitMs);
      if (settings.adversarialWitness !== false) pushWorstWitness(contract, fn, lowered.program, settings, started + settings.execution.timeLimitMs);
    } catch (error) {
      // Expressions are trees walked recursively: one nested deeper than the stack allows (a
      // 2,000-term sum) ends this function with PC205, and the other entries still get contracts.
      const reason = tooDeep(error, entry);
      if (!reason) throw error;
      contract = buildContract(fn, { paths: [], inputObjects: [], pcvs: new Map(), stopReasons: [reason] }, settings.metrics, statistics, settings.adversarialFactor, { program: lowered.program, declaredContracts: declared.contracts, unrollLimit: settings.execution.unrollLimit });
    }
    // Callees that could not be lowered make the caller's contract incomplete.
    for (const callee of reachableCallees(lowered.program, entry)) {
      const failure = lowered.failedFunctions.get(callee);
      if (failure) {
        contract.complete = false;
        contract.incompleteReasons.push({ code: Reasons[failure.reason].code, kind: failure.reason, message: `callee '${callee}': ${failure.message}`, line: failure.startLine + 1, file: failure.file });
      }
    }
    contracts.push(contract);
    if (exploration.summaryUse) summaryUse[entry] = exploration.summaryUse;
    // An incomplete contract is not cached: a cancellation or time limit must not stick.
    if (key !== undefined && contract.complete) settings.cache!.set(key, contract);
  }
  const solverFailure = z3FailureMessage();
  return {
    contracts, diagnostics, program: lowered.program, entries, recomputed, declaredContracts: declared.contracts, preferDeclaredContracts: settings.execution.preferDeclaredContracts ?? false,
    ...(summaries ? { summaries: { computed: summaries.computed, reused: summaries.reused, use: summaryUse, recording: { milliseconds: Math.round(summaries.recording.milliseconds), solverQueries: summaries.recording.solverQueries } } } : {}),
    ...(solverFailure ? { solverFailure } : {}),
  };
}

/**
 * Runs every witness through the reference interpreter: it must land in its class. The interpreter
 * also measures the PCVs of summarised loops, which a path's model does not give (as a distiller
 * would on a trace). A witness that misses is derived once more from the whole path condition
 * (no slicing, no cache); if it still misses, the class says so (`witnessVerified: false`), which
 * happens when a summarised loop forgot state the witness would need.
 */
async function verifyWitnesses(
  contract: FunctionContract, fn: IrFunction, exploration: ExplorationResult, program: IrProgram, settings: AnalysisOptions, solver: IndependenceCachingSolver,
  deadline: number,
): Promise<void> {
  const options = {
    regions: settings.execution.regions, maxSteps: 1_000_000, declaredContracts: settings.execution.declaredContracts,
    preferDeclaredContracts: settings.execution.preferDeclaredContracts,
    summarizeAfter: settings.execution.summarizeLoops ? settings.execution.unrollLimit : undefined,
    fullUnrollLimit: settings.execution.summarizeLoops ? settings.execution.fullUnrollLimit ?? DEFAULT_FULL_UNROLL_LIMIT : undefined,
  };
  const lands = (pathClass: { witness: PathClass['witness']; traces: string[] }): boolean => {
    try {
      const run = interpret(program, contract.name, pathClass.witness, options);
      for (const pcv of contract.pcvs) pathClass.witness.pcv[pcv.name] = run.pcv[pcv.name] ?? 0;
      return pathClass.traces.includes(runPathKey(run));
    } catch {
      for (const pcv of contract.pcvs) pathClass.witness.pcv[pcv.name] = 0;
      return false;
    }
  };
  for (const pathClass of contract.classes) {
    if (pathClass.outcome === 'incomplete') continue; // the interpreter has no unroll or time limit to end there
    if (pathClass.members) {
      verifyMembers(pathClass, contract, lands);
      continue;
    }
    if (lands(pathClass)) {
      pathClass.witnessVerified = true;
      continue;
    }
    // Re-deriving asks z3 about the whole path: only within the entry's time limit, and not for a
    // path through a summarised loop. Its constraints say nothing about the loop's iterations past
    // the unroll limit (havoc symbols stand for what they leave), which the interpreter runs from
    // the inputs, so a model of the whole path lands no better (on the NF corpus: none of 345).
    const found = performance.now() < deadline ? exploration.paths.find((p) => pathKey(p) === pathClass.traces[0]) : undefined;
    const path = found && !found.constraints.some((c) => [...symbolsOf(c)].some((name) => name.startsWith('havoc'))) ? found : undefined;
    const answer = path ? await solver.checkWhole(path.constraints, settings.execution.signal) : undefined;
    if (path && answer?.result === 'sat' && answer.model) {
      const previous = pathClass.witness;
      pathClass.witness = witnessOf(path, fn, exploration, answer.model);
      if (lands(pathClass)) {
        pathClass.witnessVerified = true;
        continue;
      }
      pathClass.witness = previous;
      lands(pathClass); // restore the measured PCVs of the original witness
    }
    pathClass.witnessVerified = false;
  }
}

/**
 * The search is bounded by runs, so that the same code gives the same witness on any machine (a
 * wall-clock budget made contracts differ between runs); the analysis's time limit stays a safety net.
 */
const WORST_WITNESS_SEARCH = { runs: 1_500 };

/**
 * The worst class's witness made adversarial (`pushWitness`): among inputs that land in the class,
 * one whose run costs more, its PCVs pushed towards their bounds (or `UNBOUNDED_TARGET`). The
 * contract records the search in `worstCase.witnessSearch`.
 */
function pushWorstWitness(contract: FunctionContract, fn: IrFunction, program: IrProgram, settings: AnalysisOptions, deadline: number): void {
  const worst = contract.classes.find((c) => c.id === contract.worstCase?.class);
  if (!worst || !contract.worstCase || worst.outcome === 'incomplete' || worst.witnessVerified === false) return;
  const primary = contract.metrics[0]!;
  const names = formulaPcvNames(worst.cost[primary] ?? '0');
  if (names.length === 0 && !worst.members) return;
  const options = {
    regions: settings.execution.regions, maxSteps: 1_000_000, declaredContracts: settings.execution.declaredContracts,
    preferDeclaredContracts: settings.execution.preferDeclaredContracts,
    summarizeAfter: settings.execution.summarizeLoops ? settings.execution.unrollLimit : undefined,
    fullUnrollLimit: settings.execution.summarizeLoops ? settings.execution.fullUnrollLimit ?? DEFAULT_FULL_UNROLL_LIMIT : undefined,
  };
  const bounds = new Map(contract.pcvs.map((p) => [p.name, p.bound]));
  const argWidths = Object.fromEntries(fn.params.flatMap((p) => (p.type.kind === 'int' ? [[p.name, p.type.width]] : [])));
  const result = pushWitness(worst.witness, {
    run: (witness) => {
      try {
        const run = interpret(program, contract.name, witness, options);
        return { lands: worst.traces.includes(runPathKey(run)), cost: run.cost[primary], pcv: run.pcv };
      } catch {
        return undefined;
      }
    },
    targets: Object.fromEntries(names.map((n) => [n, Math.min(bounds.get(n) ?? UNBOUNDED_TARGET, UNBOUNDED_TARGET)])),
    // Within the entry's time limit, but never less than a twentieth of it: an exploration that used
    // the whole limit still gets a short search (the limit is kept within 5%).
    deadline: Math.max(deadline, performance.now() + settings.execution.timeLimitMs / 20),
    maxRuns: WORST_WITNESS_SEARCH.runs, argWidths,
  });
  if (result.improved) {
    worst.witness = result.witness;
    for (const pcv of contract.pcvs) worst.witness.pcv[pcv.name] = result.pcv[pcv.name] ?? 0;
  }
  contract.worstCase.witnessSearch = { runs: result.runs, pushed: result.improved, cost: result.cost };
}

/**
 * A merged class: every member's witness is run (it must land in the member's own paths), and
 * the class takes the witness of the dearest member (at the PCV bounds) whose witness lands,
 * so that the class's witness reaches the class whenever one of its members' does.
 */
function verifyMembers(pathClass: PathClass, contract: FunctionContract, lands: (target: { witness: PathClass['witness']; traces: string[] }) => boolean): void {
  const primary = contract.metrics[0]!;
  const bounds = new Map(contract.pcvs.map((p) => [p.name, p.bound ?? UNBOUNDED_PCV_VALUE]));
  const atBounds = (formula: string) => evaluateFormula(formula, Object.fromEntries(formulaPcvNames(formula).map((n) => [n, bounds.get(n) ?? UNBOUNDED_PCV_VALUE])));
  let chosen: PathMember | undefined;
  for (const member of pathClass.members!) {
    member.witnessVerified = lands(member);
    if (member.witnessVerified && (!chosen || atBounds(member.cost[primary] ?? '0') > atBounds(chosen.cost[primary] ?? '0'))) chosen = member;
  }
  if (chosen) pathClass.witness = JSON.parse(JSON.stringify(chosen.witness)) as PathClass['witness'];
  pathClass.witnessVerified = lands(pathClass);
}

/** Everything in the options that changes a contract (not the cache or the cancellation signal). */
function optionsFingerprint(settings: AnalysisOptions): string {
  const { signal: _signal, declaredContracts, ...execution } = settings.execution;
  void _signal;
  const contracts = declaredContracts ? JSON.stringify([...declaredContracts.values()].map((c) => [c.name, c.cases.map((k) => ({ ...k, cost: Object.fromEntries(Object.entries(k.cost).map(([m, p]) => [m, [...p]])) }))])) : '';
  return JSON.stringify({ contracts, metrics: settings.metrics, execution, rlimit: settings.solverResourceLimit, adversarial: settings.adversarialFactor, defines: settings.defines, include: settings.includeDirs, frontEnd: settings.frontEnd });
}

function hasFailedCallee(program: IrProgram, entry: string, failed: Map<string, unknown>): boolean {
  return [...reachableCallees(program, entry)].some((callee) => failed.has(callee));
}

function defaultEntries(functions: Map<string, { definition: unknown; file: string }>, program: IrProgram, mainFiles: Set<string>): string[] {
  const called = new Set<string>();
  for (const fn of program.functions.values()) for (const callee of fn.callees) if (callee !== fn.name) called.add(callee);
  const entries: string[] = [];
  for (const [name, declaration] of functions) {
    if (!declaration.definition || !mainFiles.has(declaration.file) || called.has(name)) continue;
    entries.push(name);
  }
  return entries;
}

function reachableCallees(program: IrProgram, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    const fn = program.functions.get(name);
    if (!fn) return;
    for (const callee of fn.callees) {
      if (seen.has(callee)) continue;
      seen.add(callee);
      visit(callee);
    }
  };
  visit(entry);
  return seen;
}

/**
 * A JavaScript stack overflow while handling one entry: PC205, with what to do about it.
 * FIXME(recursive walks): the walks over expression trees (intervals, symbols, z3 terms, printing)
 * recurse, so a deep expression ends its function here instead of being analysed.
 */
function tooDeep(error: unknown, entry: string): { reason: 'expression-too-deep'; message: string } | undefined {
  if (!(error instanceof RangeError) || !/call stack/i.test(error.message)) return undefined;
  return { reason: 'expression-too-deep', message: `an expression in '${entry}' (or a value it computes) is nested too deeply to analyse; split it into several statements` };
}
