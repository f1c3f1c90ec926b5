// Scorecard of the engine on code it was not tuned for (test-fixtures/unseen): per file, analysis time, completeness, classes, PCV bounds, witness replay, random-input soundness and the x86 gap at gcc -O2, with pass/fail against the bar in docs/benchmarks.md.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildTranslationUnit } from '../server/src/core/syntax/translationUnit';
import { lowerProgram } from '../server/src/core/ir/lowerProgram';
import { loadDeclaredContracts } from '../server/src/core/declared/declaredContracts';
import type { FunctionContract } from '../server/src/core/contract/contract';
import { runPathKey } from '../server/src/core/contract/contract';
import type { Witness } from '../server/src/core/contract/witness';
import { interpret } from '../server/src/core/interp/interpreter';
import { evaluateFormula, formulaPcvNames } from '../server/src/core/cost/formula';
import type { IrProgram } from '../server/src/core/ir/ir';
import { diskFileSystem } from '../server/src/cli/main';
import { compilerCommandFor } from '../server/src/ground/compileCommands';
import { buildHarness, globalSymbols, GlobalSymbol, runReplay, ReplayResult } from '../server/src/ground/replay';
import { interpretSequence, SequenceCall, SequencedCall } from '../server/src/ground/sequence';
import { GroundingError } from '../server/src/ground/groundingError';
import { randomInput, soundness, xorshift } from './soundness';

const ROOT = path.resolve(__dirname, '..', '..');
const CORPUS = path.join(ROOT, 'test-fixtures', 'unseen');
const CLI = path.join(ROOT, 'bin', 'perfcontract.js');

/** The bar a file must meet (docs/benchmarks.md, "Code the engine was not tuned for"). */
export const BAR = { seconds: 5, x86GapPercent: 7 };

const USAGE = `usage: npm run unseen -- [--file NAME.c ...] [--limit SECONDS] [--inputs N] [--x86-inputs N] [--no-x86] [--json] [--from REPORT.json]
  Analyses every test-fixtures/unseen/*.c (or the --file ones) with default options; each step of a
  file (analysis, x86 analysis, checks) is killed after --limit seconds (default 60).
  --from prints the tables of an earlier --json report instead of measuring again.`;

interface Options { files: string[]; limitS: number; inputs: number; x86Inputs: number; x86: boolean; json: boolean; from?: string }

/** Per-class outcome of running the class's witness through the interpreter. */
export interface ReplayReport {
  /** Classes whose witness can be replayed (not `incomplete`). */
  replayable: number;
  /** Witnesses that land in their own class with the class's cost (exactly for a constant formula, bounded for a PCV formula). */
  exact: number;
  /** Class ids whose witness lands elsewhere (or errors out in the interpreter). */
  missed: string[];
  /** Of `missed`, the classes the contract itself marks `witnessVerified: false`. */
  missedDeclared: number;
  /** Class ids whose formula, at the run's PCVs, is below the interpreter's cost of the witness (in the class it landed in). */
  below: string[];
}

export interface X86Report {
  error?: string;
  /** Calls replayed (the witnesses of returning classes in their own state, then random inputs) and how many landed in a class with the compiled code agreeing. */
  calls: number;
  placed: number;
  /** Calls dropped: an interpreter error, a crash of the compiled code, a different result, or no class. */
  dropped: number;
  /** Placed calls whose measured cost is above the class's x86 formula, per metric. */
  below: { x86_instructions: number; x86_memory_accesses: number };
  /** Largest (predicted - measured) / measured over placed calls, in percent, with the class that has it. */
  maxGap: { x86_instructions: number; x86_memory_accesses: number };
  maxGapClass: { x86_instructions: string; x86_memory_accesses: string };
  /** Classes whose x86 formulas the grounding marked estimated (no calibration call reached them, or a term was scaled). */
  estimated: string[];
  /** Classes that at least one placed call reached, of the classes that return. */
  classesMeasured: number;
  returningClasses: number;
  /** The placed call furthest below its class's x86 formula, if any. */
  worstBelow?: { class: string; metric: string; formula: string; predicted: number; measured: number; estimated: boolean };
  groundingMs?: number;
}

export interface FileReport {
  file: string;
  entry: string;
  /** Wall clock of `perfcontract contract FILE --format json`, process start included. */
  ms: number;
  /** The engine's own exploration time (the contract's statistics.milliseconds). */
  exploreMs?: number;
  timedOut: boolean;
  exitCode: number | null;
  /** Diagnostics the CLI printed (`CODE message`). */
  diagnostics: string[];
  complete?: boolean;
  incomplete: string[];
  classes?: number;
  /** Classes whose outcome is error (out of bounds and the like), and the reason codes. */
  errorClasses?: number;
  errorCodes?: string[];
  paths?: number;
  pcvs: { name: string; bound?: number }[];
  replay?: ReplayReport;
  soundness?: { inputs: number; unplaced: number; below: number; maxGapPercent: number };
  x86?: X86Report;
  checkError?: string;
  fails: string[];
}

function parseArgs(argv: string[]): Options {
  const options: Options = { files: [], limitS: 60, inputs: 1000, x86Inputs: 200, x86: true, json: false };
  const number = (name: string, text: string | undefined): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number, got '${text ?? ''}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--file') options.files.push(argv[++i] ?? '');
    else if (arg === '--limit') options.limitS = number(arg, argv[++i]);
    else if (arg === '--inputs') options.inputs = Math.floor(number(arg, argv[++i]));
    else if (arg === '--x86-inputs') options.x86Inputs = Math.floor(number(arg, argv[++i]));
    else if (arg === '--no-x86') options.x86 = false;
    else if (arg === '--json') options.json = true;
    else if (arg === '--from') options.from = argv[++i];
    else if (arg === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument '${arg}'\n${USAGE}`);
  }
  return options;
}

/** The corpus files, sorted. */
export function corpusFiles(): string[] {
  return fs.readdirSync(CORPUS).filter((f) => f.endsWith('.c')).sort().map((f) => path.join(CORPUS, f));
}

/** Runs the CLI on `file` with a hard time limit; wall clock in ms, process start included. */
export function runContract(file: string, extra: string[], limitMs: number): { ms: number; timedOut: boolean; exitCode: number | null; stdout: string; stderr: string } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, 'contract', file, '--format', 'json', ...extra], { encoding: 'utf8', timeout: limitMs, killSignal: 'SIGKILL', maxBuffer: 1 << 28 });
  const ms = performance.now() - started;
  const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' || result.signal === 'SIGKILL';
  return { ms, timedOut, exitCode: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** Parses and lowers `file` (no exploration): the program the interpreter runs witnesses on. */
export async function lowerFile(file: string): Promise<{ program: IrProgram; declaredContracts: ReturnType<typeof loadDeclaredContracts>['contracts'] }> {
  const unit = await buildTranslationUnit([{ path: file }], { includeDirs: [], defines: {} }, diskFileSystem);
  const { program } = lowerProgram(unit);
  const declared = loadDeclaredContracts([path.dirname(file)], [], (p) => diskFileSystem.readFile(p));
  return { program, declaredContracts: declared.contracts };
}

/** Runs every class's witness through the interpreter (as server/test/exactness.test.ts does). */
export function replayWitnesses(program: IrProgram, declaredContracts: ReturnType<typeof loadDeclaredContracts>['contracts'], contract: FunctionContract): ReplayReport {
  const report: ReplayReport = { replayable: 0, exact: 0, missed: [], missedDeclared: 0, below: [] };
  for (const pathClass of contract.classes) {
    if (pathClass.outcome === 'incomplete') continue; // the interpreter has no notion of the analysis's limits
    report.replayable++;
    let run: ReturnType<typeof interpret>;
    try {
      run = interpret(program, contract.name, pathClass.witness, { summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit, declaredContracts });
    } catch {
      report.missed.push(pathClass.id);
      if (pathClass.witnessVerified === false) report.missedDeclared++;
      continue;
    }
    const key = runPathKey(run);
    const landed = contract.classes.find((c) => c.traces.includes(key));
    const values = Object.fromEntries(contract.pcvs.map((p) => [p.name, run.pcv[p.name] ?? 0]));
    let exact = landed === pathClass;
    if (landed) {
      for (const metric of contract.metrics) {
        const formula = landed.cost[metric];
        if (formula === undefined) continue;
        const predicted = evaluateFormula(formula, values);
        const measured = run.cost[metric as keyof typeof run.cost];
        if (measured === undefined) continue;
        if (predicted < measured && !report.below.includes(pathClass.id)) report.below.push(pathClass.id);
        if (formulaPcvNames(formula).length === 0 ? predicted !== measured : predicted < measured) exact = false;
      }
    }
    if (landed !== pathClass) {
      report.missed.push(pathClass.id);
      if (pathClass.witnessVerified === false) report.missedDeclared++;
    } else if (exact) report.exact++;
  }
  return report;
}

/** The x86 gap: witnesses and random inputs replayed on a fresh gcc build under callgrind, placed by the interpreter, against the x86 formulas of `contract`. */
export function x86Gap(file: string, program: IrProgram, declaredContracts: ReturnType<typeof loadDeclaredContracts>['contracts'], contract: FunctionContract & { grounding?: { error?: { code: string; message: string }; classes?: Record<string, { estimated: boolean }>; milliseconds?: number } }, inputs: number): X86Report {
  const report: X86Report = {
    calls: 0, placed: 0, dropped: 0, below: { x86_instructions: 0, x86_memory_accesses: 0 }, maxGap: { x86_instructions: 0, x86_memory_accesses: 0 },
    maxGapClass: { x86_instructions: '', x86_memory_accesses: '' }, estimated: [], classesMeasured: 0,
    returningClasses: contract.classes.filter((c) => c.outcome === 'return').length,
  };
  const grounding = contract.grounding;
  if (!grounding || grounding.error) {
    report.error = grounding?.error ? `${grounding.error.code} ${grounding.error.message.split('\n')[0]}` : 'no grounding in the contract';
    return report;
  }
  report.groundingMs = grounding.milliseconds;
  report.estimated = Object.entries(grounding.classes ?? {}).filter(([, c]) => c.estimated).map(([id]) => id);
  const fn = program.functions.get(contract.name);
  if (!fn) {
    report.error = `'${contract.name}' was not lowered`;
    return report;
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-unseen-'));
  try {
    const command = compilerCommandFor(file, {});
    const binary = buildHarness(fn, undefined, [file], command, workDir);
    const symbols = globalSymbols(binary);
    const settable = new Map<string, GlobalSymbol>([...symbols].filter(([name, symbol]) => {
      const global = program.globals.get(name);
      return global !== undefined && !global.readOnly && global.initialPointers.length === 0 && global.size === symbol.size;
    }));
    const random = xorshift(0x1234567);
    let calls: SequenceCall[] = [
      ...contract.classes.filter((c) => c.outcome === 'return').map((c): SequenceCall => ({ args: c.witness.args, memory: c.witness.memory, pcv: {} })),
      ...Array.from({ length: inputs }, (): Witness => randomInput(program, fn, random)),
    ];
    report.calls = calls.length;
    const sequenceOptions = { program, declaredContracts, entry: contract.name, summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit, modular: false, settableGlobals: new Set(settable.keys()) };
    // Inputs the interpreter rejects (an out-of-bounds read, say) could crash the compiled code: not replayed.
    calls = calls.filter((call) => interpretSequence(sequenceOptions, [call])[0]!.error === undefined);
    let replay: ReplayResult | undefined;
    for (let attempt = 0; !replay; attempt++) {
      try {
        replay = runReplay(binary, fn, calls, settable, workDir);
      } catch (error) {
        if (!(error instanceof GroundingError) || error.completedCalls === undefined || attempt >= 5) throw error;
        calls = calls.filter((_, i) => i !== error.completedCalls);
      }
    }
    const runs: SequencedCall[] = interpretSequence(sequenceOptions, calls);
    const byTrace = new Map(contract.classes.flatMap((c) => c.traces.map((t) => [t, c] as const)));
    const measured = new Set<string>();
    runs.forEach((run, i) => {
      const pathClass = byTrace.get(run.pathKey);
      const compiled = replay!.results[i];
      const agrees = run.error === undefined && (compiled === undefined || run.returnValue === undefined || BigInt.asIntN(32, compiled) === BigInt(run.returnValue));
      if (!pathClass || !agrees) return;
      report.placed++;
      measured.add(pathClass.id);
      const cost = replay!.costs[i]!;
      for (const [metric, measured] of [['x86_instructions', cost.Ir], ['x86_memory_accesses', cost.Dr + cost.Dw]] as const) {
        const formula = (pathClass.cost as Record<string, string>)[metric];
        if (formula === undefined) continue;
        const predicted = evaluateFormula(formula, run.pcv);
        if (predicted < measured) {
          report.below[metric]++;
          if (!report.worstBelow || measured - predicted > report.worstBelow.measured - report.worstBelow.predicted) {
            report.worstBelow = { class: pathClass.id, metric, formula, predicted, measured, estimated: report.estimated.includes(pathClass.id) };
          }
        }
        const gap = measured === 0 ? 0 : ((predicted - measured) / measured) * 100;
        if (gap > report.maxGap[metric] || report.maxGapClass[metric] === '') {
          report.maxGap[metric] = Math.round(gap * 10) / 10;
          report.maxGapClass[metric] = pathClass.id;
        }
      }
    });
    report.dropped = report.calls - report.placed;
    report.classesMeasured = measured.size;
  } catch (error) {
    report.error = (error as Error).message.split('\n')[0]!.slice(0, 300);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  return report;
}

/** The check process: replay, soundness and x86 gap of one file, from the CLI's JSON output(s); prints one JSON line. */
async function check(argv: string[]): Promise<void> {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const file = get('--check')!;
  const contract = (JSON.parse(fs.readFileSync(get('--contract')!, 'utf8')) as { functions: FunctionContract[] }).functions[0]!;
  const inputs = Number(get('--inputs') ?? 1000);
  const x86Inputs = Number(get('--x86-inputs') ?? 200);
  const { program, declaredContracts } = await lowerFile(file);
  const replay = replayWitnesses(program, declaredContracts, contract);
  const [row] = await soundness(file, inputs, { program, contracts: [contract], declaredContracts });
  const result: Pick<FileReport, 'replay' | 'soundness' | 'x86'> = {
    replay,
    soundness: row ? { inputs: row.inputs, unplaced: row.unplaced, below: row.below, maxGapPercent: row.maxGapPercent } : undefined,
  };
  const x86File = get('--x86');
  if (x86File) {
    const grounded = (JSON.parse(fs.readFileSync(x86File, 'utf8')) as { functions: FunctionContract[] }).functions[0];
    result.x86 = grounded ? x86Gap(file, program, declaredContracts, grounded, x86Inputs) : undefined;
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function diagnosticsOf(stderr: string): string[] {
  return stderr.split('\n').map((l) => /\b(P[CG]\d{3}\b.*)$/.exec(l)?.[1]).filter((l): l is string => l !== undefined);
}

/** Measures one file: the timed analysis, the x86 analysis, then the checks in a child process, each with a hard limit. */
function measureFile(file: string, options: Options, workDir: string): FileReport {
  const limitMs = options.limitS * 1000;
  const base = path.basename(file);
  const report: FileReport = { file: base, entry: '', ms: 0, timedOut: false, exitCode: null, diagnostics: [], incomplete: [], pcvs: [], fails: [] };
  const ir = runContract(file, [], limitMs);
  Object.assign(report, { ms: Math.round(ir.ms), timedOut: ir.timedOut, exitCode: ir.exitCode, diagnostics: diagnosticsOf(ir.stderr) });
  let contract: FunctionContract | undefined;
  try {
    contract = ir.timedOut ? undefined : (JSON.parse(ir.stdout) as { functions: FunctionContract[] }).functions[0];
  } catch {
    report.checkError = `the CLI printed no JSON (exit ${ir.exitCode}): ${ir.stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
  }
  if (contract) {
    report.entry = contract.name;
    report.complete = contract.complete;
    report.incomplete = contract.incompleteReasons.map((r) => `${r.code} ${r.message}`);
    report.classes = contract.classes.length;
    const errors = contract.classes.filter((c) => c.outcome === 'error');
    report.errorClasses = errors.length;
    report.errorCodes = [...new Set(errors.map((c) => `${c.reason?.code} line ${c.reason?.line}`))];
    report.paths = contract.statistics.paths;
    report.exploreMs = contract.statistics.milliseconds;
    report.pcvs = contract.pcvs.map((p) => ({ name: p.name, ...(p.bound !== undefined ? { bound: p.bound } : {}) }));
    const contractFile = path.join(workDir, `${base}.json`);
    fs.writeFileSync(contractFile, ir.stdout);
    const args = [__filename, '--check', file, '--contract', contractFile, '--inputs', String(options.inputs), '--x86-inputs', String(options.x86Inputs)];
    if (options.x86) {
      const x86 = runContract(file, ['--metrics', 'x86_instructions,x86_memory_accesses'], limitMs);
      if (x86.timedOut) report.x86 = { ...emptyX86(), error: `the x86 analysis did not finish in ${options.limitS} s` };
      else if (x86.exitCode !== 0) report.x86 = { ...emptyX86(), error: `the x86 analysis exited with ${x86.exitCode}: ${x86.stderr.trim().split('\n').slice(-1)[0] ?? ''}` };
      else {
        const x86File = path.join(workDir, `${base}.x86.json`);
        fs.writeFileSync(x86File, x86.stdout);
        args.push('--x86', x86File);
      }
    }
    const child = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: limitMs * (options.x86 ? 2 : 1), killSignal: 'SIGKILL', maxBuffer: 1 << 26 });
    const line = (child.stdout ?? '').trim().split('\n').pop() ?? '';
    try {
      Object.assign(report, JSON.parse(line));
    } catch {
      report.checkError = child.error ? `checks stopped: ${child.error.message}` : `checks failed (exit ${child.status}): ${(child.stderr ?? '').trim().split('\n').slice(-1)[0] ?? ''}`;
    }
  }
  report.fails = failures(report);
  return report;
}

function emptyX86(): X86Report {
  return { calls: 0, placed: 0, dropped: 0, below: { x86_instructions: 0, x86_memory_accesses: 0 }, maxGap: { x86_instructions: 0, x86_memory_accesses: 0 }, maxGapClass: { x86_instructions: '', x86_memory_accesses: '' }, estimated: [], classesMeasured: 0, returningClasses: 0 };
}

/** Which parts of the bar a file misses (empty: it passes). Every loop of the corpus is bounded by its code, so every PCV must have a bound. */
export function failures(r: FileReport): string[] {
  const fails: string[] = [];
  if (r.timedOut) return [`timeout (> ${Math.round(r.ms / 1000)} s)`];
  if (r.ms > BAR.seconds * 1000) fails.push('time');
  if (r.complete !== true) fails.push('incomplete');
  if (r.diagnostics.some((d) => /^PC[24]\d\d/.test(d))) fails.push('diagnostic');
  if (r.checkError) fails.push('check-error');
  if (r.pcvs.some((p) => p.bound === undefined)) fails.push('unbounded-pcv');
  if (!r.replay || r.replay.missed.length > 0 || r.replay.exact < r.replay.replayable) fails.push('replay');
  if (r.replay && r.replay.below.length > 0) fails.push('witness-below');
  if (!r.soundness || r.soundness.below > 0) fails.push('soundness');
  if (r.x86) {
    if (r.x86.error) fails.push('x86-error');
    else if (r.x86.placed === 0) fails.push('x86-unplaced');
    else if (r.x86.below.x86_instructions + r.x86.below.x86_memory_accesses > 0) fails.push('x86-below');
    else if (Math.max(r.x86.maxGap.x86_instructions, r.x86.maxGap.x86_memory_accesses) > BAR.x86GapPercent) fails.push('x86-gap');
  }
  return fails;
}

export function renderTable(rows: FileReport[]): string {
  const header = ['file', 'entry', 'time s (explore)', 'complete', 'classes (errors)', 'PCVs bounded', 'witness replay', 'sound below / unplaced', 'x86 below', 'x86 max gap % instr / mem (class)', 'pass'];
  const cell = (r: FileReport): string[] => {
    const x = r.x86;
    const gap = (m: 'x86_instructions' | 'x86_memory_accesses') => `${x!.maxGap[m].toFixed(1)}${x!.maxGap[m] > 0 ? ` (${x!.maxGapClass[m]})` : ''}`;
    const x86Gap = !x ? 'n/a' : x.error ? `error: ${x.error.slice(0, 60)}` : `${gap('x86_instructions')} / ${gap('x86_memory_accesses')}`;
    return [
      r.file, r.entry || '-', r.timedOut ? `>${(r.ms / 1000).toFixed(0)} (killed)` : `${(r.ms / 1000).toFixed(1)} (${r.exploreMs === undefined ? '-' : (r.exploreMs / 1000).toFixed(1)})`,
      r.complete === undefined ? '-' : r.complete ? 'yes' : `no (${[...new Set(r.incomplete.map((m) => m.split(' ')[0]))].join(', ')})`,
      r.classes === undefined ? '-' : `${r.classes}${r.errorClasses ? ` (${r.errorClasses})` : ''}`,
      r.complete === undefined ? '-' : `${r.pcvs.filter((p) => p.bound !== undefined).length}/${r.pcvs.length}`,
      r.replay ? `${r.replay.exact}/${r.replay.replayable}${r.replay.below.length ? `, ${r.replay.below.length} below` : ''}` : '-',
      r.soundness ? `${r.soundness.below} / ${r.soundness.unplaced}` : '-',
      x && !x.error ? `${x.below.x86_instructions} / ${x.below.x86_memory_accesses}` : '-',
      x86Gap,
      r.fails.length === 0 ? 'PASS' : `FAIL: ${r.fails.join(', ')}`,
    ];
  };
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${cell(r).map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`)];
  return lines.join('\n');
}

export function renderDetails(rows: FileReport[]): string {
  const out: string[] = [];
  for (const r of rows) {
    const parts: string[] = [];
    if (r.diagnostics.length) parts.push(`diagnostics: ${r.diagnostics.join('; ')}`);
    if (r.incomplete.length) parts.push(`incomplete: ${r.incomplete.join('; ')}`);
    if (r.pcvs.length) parts.push(`PCVs: ${r.pcvs.map((p) => `${p.name} <= ${p.bound ?? 'no bound'}`).join(', ')}`);
    if (r.errorClasses) parts.push(`error classes: ${r.errorClasses} (${(r.errorCodes ?? []).join(', ')})`);
    if (r.replay?.missed.length) parts.push(`witnesses missing their class: ${r.replay.missed.length} (${r.replay.missedDeclared ?? 0} marked witnessVerified: false): ${r.replay.missed.join(', ')}`);
    if (r.replay?.below.length) parts.push(`classes below the interpreter on their witness: ${r.replay.below.join(', ')}`);
    if (r.soundness) parts.push(`soundness: ${r.soundness.inputs} inputs, max gap ${r.soundness.maxGapPercent}%`);
    if (r.x86 && !r.x86.error) {
      const below = r.x86.worstBelow ? `; furthest below: ${r.x86.worstBelow.class}${r.x86.worstBelow.estimated ? ' (estimated)' : ''} ${r.x86.worstBelow.metric} ${r.x86.worstBelow.predicted} predicted < ${r.x86.worstBelow.measured} measured` : '';
      parts.push(`x86: ${r.x86.placed}/${r.x86.calls} calls placed, reaching ${r.x86.classesMeasured ?? '?'} of ${r.x86.returningClasses ?? '?'} returning classes${r.x86.estimated.length ? `; ${r.x86.estimated.length} classes estimated (${r.x86.estimated.join(', ')})` : ''}${below}${r.x86.groundingMs !== undefined ? `; grounding ${r.x86.groundingMs} ms` : ''}`);
    } else if (r.x86?.error) parts.push(`x86 error: ${r.x86.error}`);
    if (r.checkError) parts.push(`check error: ${r.checkError}`);
    if (r.timedOut) parts.push(`the CLI was killed at the hard limit: no contract`);
    out.push(`- ${r.file}: ${parts.join('. ') || 'nothing to add'}`);
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--check')) return check(argv);
  const options = parseArgs(argv);
  if (options.from) {
    const saved = JSON.parse(fs.readFileSync(options.from, 'utf8')) as Report;
    process.stdout.write(render(saved));
    return;
  }
  const files = options.files.length ? options.files.map((f) => (path.isAbsolute(f) ? f : path.join(CORPUS, path.basename(f)))) : corpusFiles();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-unseen-run-'));
  const rows: FileReport[] = [];
  let startupMs = 0;
  const loadBefore = os.loadavg()[0]!;
  try {
    // The fixed cost of a CLI run (node, tree-sitter and z3 start-up) on a one-line function, for reading the times.
    const trivial = path.join(workDir, 'trivial.c');
    fs.writeFileSync(trivial, 'int trivial(int x) { return x + 1; }\n');
    startupMs = Math.round(runContract(trivial, [], options.limitS * 1000).ms);
    for (const file of files) {
      const row = measureFile(file, options, workDir);
      rows.push(row);
      process.stderr.write(`${row.file}: ${(row.ms / 1000).toFixed(1)} s, ${row.fails.length ? `FAIL ${row.fails.join(', ')}` : 'PASS'}\n`);
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const report: Report = { bar: BAR, inputs: options.inputs, x86Inputs: options.x86Inputs, startupMs, load: [loadBefore, os.loadavg()[0]!], rows };
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
}

/** A scorecard run: the bar, the conditions it ran in, and one row per file. */
interface Report {
  bar: typeof BAR;
  inputs: number;
  x86Inputs: number;
  /** CLI wall clock on a one-line function: the fixed cost in every time of the table. */
  startupMs: number;
  /** One-minute load average of the machine before and after the run. */
  load: number[];
  rows: FileReport[];
}

function render(report: Report): string {
  const { rows } = report;
  const passed = rows.filter((r) => r.fails.length === 0).length;
  return [
    `Bar: <= ${report.bar.seconds} s wall clock (process start included), complete, every witness lands in its class with its cost, every PCV bounded (every loop here is bounded by its code), 0 below on ${report.inputs} random inputs, and at gcc -O2 (witnesses + ${report.x86Inputs} random inputs under callgrind) 0 below with a max gap <= ${report.bar.x86GapPercent}%.`,
    '',
    `Conditions: the CLI takes ${(report.startupMs / 1000).toFixed(1)} s on a one-line function; one-minute load average ${report.load.map((l) => l.toFixed(1)).join(' before, ')} after. "explore" is the engine's own exploration time.`,
    '',
    renderTable(rows),
    '',
    `${passed}/${rows.length} files pass.`,
    '',
    renderDetails(rows),
    '',
  ].join('\n');
}

main().then(
  () => process.exit(0), // z3's worker threads would otherwise keep the process alive
  (error: unknown) => {
    // A measurement script: report and end without failing anything that runs it.
    process.stderr.write(`unseen: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(process.argv.includes('--check') ? 1 : 0);
  },
);
