// Benchmarks the analysis of every C test fixture and prints per-fixture path, solver, time and memory figures.
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { analyze, AnalysisResult, endAnalysisSession } from '../server/src/core/analysis';
import { diskFileSystem } from '../server/src/cli/main';
import type { FunctionContract } from '../server/src/core/contract/contract';
import { SoundnessRow, renderSoundness, soundness } from './soundness';
import { benchFrontEnd } from './frontEndBench';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test-fixtures');

interface Row {
  fixture: string; entries: number; paths: number; classes: number; solverQueries: number; z3Calls: number;
  /** Medians over the repeats (z3Ms, totalMs) and the spread of total time (minMs, maxMs). */
  z3Ms: number; totalMs: number; minMs: number; maxMs: number;
  /** Process peak RSS so far, in MB. */
  peakMb: number;
  error?: string;
}

function parseArgs(argv: string[]): { repeat: number; json: boolean; nf: NfBenchOptions } {
  let repeat = 3;
  let json = false;
  const nf: NfBenchOptions = { run: true, only: false, base: process.env.PERFCONTRACT_BENCH_BASE };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--no-nf') nf.run = false;
    else if (arg === '--nf-only') nf.only = true;
    else if (arg === '--base') nf.base = argv[++i];
    else if (arg === '--repeat' || arg.startsWith('--repeat=')) {
      const text = arg === '--repeat' ? argv[++i] : arg.slice('--repeat='.length);
      const n = Number(text);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`--repeat needs a positive integer, got '${text ?? ''}'`);
      repeat = n;
    } else throw new Error(`unknown argument '${arg}' (usage: bench [--repeat N] [--json] [--no-nf | --nf-only] [--base BUILT_CHECKOUT])`);
  }
  return { repeat, json, nf };
}

function fixtureFiles(): string[] {
  const engine = path.join(FIXTURES, 'engine');
  const engineFiles = fs.readdirSync(engine).filter((f) => f.endsWith('.c')).sort().map((f) => path.join(engine, f));
  return [path.join(FIXTURES, 'packet_parser.c'), ...engineFiles];
}

let peakRss = 0;
function sampleRss(): void {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

async function timedAnalyze(file: string): Promise<{ result: AnalysisResult; ms: number }> {
  // Each run solves afresh: repeated analyses of one build would otherwise reuse its solver answers.
  endAnalysisSession();
  const started = performance.now();
  const result = await analyze([{ path: file }], {}, diskFileSystem);
  return { result, ms: performance.now() - started };
}

async function benchFixture(file: string, repeat: number): Promise<Row> {
  const row: Row = { fixture: path.relative(FIXTURES, file), entries: 0, paths: 0, classes: 0, solverQueries: 0, z3Calls: 0, z3Ms: 0, totalMs: 0, minMs: 0, maxMs: 0, peakMb: 0 };
  const totals: number[] = [];
  const z3: number[] = [];
  try {
    for (let run = 0; run < repeat; run++) {
      const { result, ms } = await timedAnalyze(file);
      totals.push(ms);
      const sum = (pick: (c: FunctionContract) => number) => result.contracts.reduce((total, c) => total + pick(c), 0);
      z3.push(sum((c) => c.statistics.z3Milliseconds));
      // Counts are deterministic across runs; keep the last run's.
      Object.assign(row, {
        entries: result.entries.length, paths: sum((c) => c.statistics.paths), classes: sum((c) => c.classes.length),
        solverQueries: sum((c) => c.statistics.solverQueries), z3Calls: sum((c) => c.statistics.z3Calls),
      });
      sampleRss();
    }
  } catch (error) {
    row.error = error instanceof Error ? error.message : String(error);
  }
  sampleRss();
  if (totals.length > 0) {
    Object.assign(row, { totalMs: round1(median(totals)), z3Ms: round1(median(z3)), minMs: round1(Math.min(...totals)), maxMs: round1(Math.max(...totals)) });
  }
  row.peakMb = round1(peakRss / (1024 * 1024));
  return row;
}

const COLUMNS: { title: string; cell: (r: Row) => string }[] = [
  { title: 'fixture', cell: (r) => r.fixture },
  { title: 'entries', cell: (r) => String(r.entries) },
  { title: 'paths explored', cell: (r) => String(r.paths) },
  { title: 'classes', cell: (r) => String(r.classes) },
  { title: 'solver queries', cell: (r) => String(r.solverQueries) },
  { title: 'z3 calls', cell: (r) => String(r.z3Calls) },
  { title: 'z3 ms (median)', cell: (r) => r.z3Ms.toFixed(0) },
  { title: 'total ms (median)', cell: (r) => r.totalMs.toFixed(1) },
  { title: 'min..max ms', cell: (r) => `${r.minMs.toFixed(1)}..${r.maxMs.toFixed(1)}` },
  { title: 'peak MB', cell: (r) => r.peakMb.toFixed(1) },
  { title: 'error', cell: (r) => r.error ?? '' },
];

function renderTable(rows: Row[]): string {
  const cells = rows.map((r) => COLUMNS.map((c) => c.cell(r)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((line) => line[i]!.length)));
  // Text columns (fixture, error) align left; numeric columns align right.
  const format = (line: string[]) => line.map((text, i) => (i === 0 || i === COLUMNS.length - 1 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join('  ').trimEnd();
  const lines = [format(COLUMNS.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  ')];
  cells.forEach((line, i) => {
    if (i === cells.length - 1) lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
    lines.push(format(line));
  });
  return lines.join('\n');
}

const SOUNDNESS_INPUTS = 1000;

async function main(): Promise<void> {
  const { repeat, json, nf } = parseArgs(process.argv.slice(2));
  if (nf.only) {
    await benchNfContracts(nf, json);
    return;
  }
  const sampler = setInterval(sampleRss, 20);
  try {
    const files = fixtureFiles();
    // z3 and the tree-sitter WASM modules load once per process: time that first analysis on its own.
    const warmup = await timedAnalyze(files[0]!);
    sampleRss();
    const rows: Row[] = [];
    for (const file of files) rows.push(await benchFixture(file, repeat));
    const sum = (pick: (r: Row) => number) => rows.reduce((total, r) => total + pick(r), 0);
    const totals: Row = {
      fixture: `TOTAL (${rows.length} fixtures)`, entries: sum((r) => r.entries), paths: sum((r) => r.paths), classes: sum((r) => r.classes),
      solverQueries: sum((r) => r.solverQueries), z3Calls: sum((r) => r.z3Calls), z3Ms: round1(sum((r) => r.z3Ms)), totalMs: round1(sum((r) => r.totalMs)),
      minMs: round1(sum((r) => r.minMs)), maxMs: round1(sum((r) => r.maxMs)), peakMb: round1(peakRss / (1024 * 1024)),
      error: rows.some((r) => r.error) ? `${rows.filter((r) => r.error).length} failed` : undefined,
    };
    if (json) {
      process.stdout.write(JSON.stringify({ repeat, coldStartMs: round1(warmup.ms), rows, totals }, null, 2) + '\n');
    } else {
      process.stdout.write(`cold start (first analysis of ${path.relative(FIXTURES, files[0]!)}, loads z3 and tree-sitter): ${warmup.ms.toFixed(1)} ms\n`);
      process.stdout.write(`repeat: ${repeat} run(s) per fixture; times are medians, min..max shows the spread; peak MB is the process peak RSS so far\n\n`);
      process.stdout.write(renderTable([...rows, totals]) + '\n');
    }
    // Soundness over random inputs: the contract's prediction for each input against the interpreter's count.
    const soundnessRows: SoundnessRow[] = [];
    for (const file of files) soundnessRows.push(...(await soundness(file, SOUNDNESS_INPUTS)));
    if (json) process.stdout.write(JSON.stringify({ soundness: soundnessRows }, null, 2) + '\n');
    else {
      process.stdout.write(`\nsoundness: ${SOUNDNESS_INPUTS} random inputs per entry, first metric; 'below' must be 0; 'unplaced' inputs matched no class\n\n`);
      process.stdout.write(renderSoundness(soundnessRows) + '\n');
    }
    // The front end on a real DPDK unit (its whole include closure), cold and warm.
    const frontEnd = await benchFrontEnd();
    if (json) process.stdout.write(JSON.stringify({ frontEnd }, null, 2) + '\n');
    else process.stdout.write(`\n${frontEnd.join('\n')}\n`);
  } finally {
    clearInterval(sampler);
  }
  if (nf.run) await benchNfContracts(nf, json);
}

// ----- Cold contracts of the NF corpus, side by side with another build -----

interface NfBenchOptions {
  run: boolean;
  only: boolean;
  /** A checkout of another revision with its `out/` built: measured in the same run, for ratios. */
  base?: string;
}

interface NfRun {
  ms: number; processMs: number; classes: number; complete: boolean; solverQueries: number; instantiated: number; inlined: Record<string, number>;
  /** Time and queries spent recording summaries (absent for a build without them). */
  recording?: { milliseconds: number; solverQueries: number };
  error?: string;
}

/**
 * What one child process runs: the NF's cold contract (a fresh process: z3 and tree-sitter load,
 * parse, lower, explore, witnesses) through the `analyze()` of the checkout given as argv[1], with
 * the registry's settings (as the validation's CLI call). Plain JavaScript, so that it runs against
 * any build that has `analyze` and `NF_REGISTRY`.
 */
const NF_CHILD = `
const path = require('path');
const [root, name] = process.argv.slice(1);
const started = performance.now();
const { analyze } = require(path.join(root, 'out/server/src/core/analysis'));
const { diskFileSystem } = require(path.join(root, 'out/server/src/cli/main'));
const { NF_REGISTRY } = require(path.join(root, 'out/server/src/measure/nfRegistry'));
const nf = NF_REGISTRY.find((n) => n.name === name);
(async () => {
  const t = performance.now();
  const execution = { timeLimitMs: nf.contractTimeLimitMs, preferDeclaredContracts: !!nf.modular, ...(nf.unrollLimit !== undefined ? { unrollLimit: nf.unrollLimit } : {}) };
  const r = await analyze(nf.sources.map((s) => ({ path: path.join(root, s) })), { entries: [nf.entry], includeDirs: nf.includeDirs.map((d) => path.join(root, d)), execution }, diskFileSystem);
  const ms = performance.now() - t;
  const c = r.contracts[0];
  const inlined = {};
  let instantiated = 0;
  for (const use of Object.values(r.summaries ? r.summaries.use : {})) {
    for (const n of Object.values(use.instantiated)) instantiated += n;
    for (const i of use.inlined) { const k = i.callee + ': ' + i.reason; inlined[k] = (inlined[k] || 0) + 1; }
  }
  process.stdout.write(JSON.stringify({ ms, processMs: performance.now() - started, classes: c.classes.length, complete: c.complete, solverQueries: c.statistics.solverQueries, instantiated, inlined, recording: r.summaries && r.summaries.recording }));
  process.exit(0);
})().catch((e) => { process.stdout.write(JSON.stringify({ error: String(e && e.message || e) })); process.exit(0); });
`;

function runNfChild(root: string, name: string): NfRun {
  const result = spawnSync(process.execPath, ['-e', NF_CHILD, root, name], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60 * 1000 });
  try {
    return JSON.parse(result.stdout) as NfRun;
  } catch {
    return { ms: NaN, processMs: NaN, classes: 0, complete: false, solverQueries: 0, instantiated: 0, inlined: {}, error: `exit ${result.status}: ${String(result.stderr).trim().split('\n').slice(-2).join(' | ')}` };
  }
}

/** Cold contract of every NF of the registry, by this build and (with a base) by the base, alternating. */
async function benchNfContracts(options: NfBenchOptions, json: boolean): Promise<void> {
  const here = path.resolve(__dirname, '..', '..');
  const { NF_REGISTRY } = await import('../server/src/measure/nfRegistry');
  const rows: { nf: string; base?: NfRun; now: NfRun }[] = [];
  for (const nf of NF_REGISTRY) {
    // The base first, then this build: the same machine state for both, as far as it goes.
    const base = options.base ? runNfChild(path.resolve(options.base), nf.name) : undefined;
    const now = runNfChild(here, nf.name);
    rows.push({ nf: nf.name, ...(base ? { base } : {}), now });
  }
  if (json) {
    process.stdout.write(JSON.stringify({ nfContracts: rows }, null, 2) + '\n');
    return;
  }
  process.stdout.write(`\nNF cold contracts: one fresh process per NF and build, the registry's settings; analyze() ms (process ms includes loading z3)${options.base ? `; base: ${options.base}` : ''}\n\n`);
  const header = ['nf', ...(options.base ? ['base ms', 'base classes'] : []), 'ms', 'process ms', 'classes', 'complete', 'queries', ...(options.base ? ['ratio (this/base)'] : []), 'summaries used', 'recording ms', 'recording queries', 'inlined calls'];
  const lines = rows.map((r) => [
    r.nf, ...(r.base ? [r.base.ms.toFixed(0), String(r.base.classes)] : []), r.now.ms.toFixed(0), r.now.processMs.toFixed(0), String(r.now.classes), String(r.now.complete), String(r.now.solverQueries),
    ...(r.base ? [(r.now.ms / r.base.ms).toFixed(2)] : []), String(r.now.instantiated), r.now.recording ? r.now.recording.milliseconds.toFixed(0) : '', r.now.recording ? String(r.now.recording.solverQueries) : '',
    String(Object.values(r.now.inlined).reduce((a, b) => a + b, 0)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write(`${format(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${lines.map(format).join('\n')}\n`);
  // Why callees were inlined instead of summarised (one line per callee and reason, with the NFs).
  const reasons = new Map<string, string[]>();
  for (const r of rows) {
    if (r.now.error) process.stdout.write(`${r.nf}: error: ${r.now.error}\n`);
    for (const reason of Object.keys(r.now.inlined)) reasons.set(reason, [...(reasons.get(reason) ?? []), r.nf]);
  }
  process.stdout.write(`\ncallees inlined instead of summarised (${reasons.size} callee/reason pairs):\n`);
  for (const [reason, nfs] of [...reasons].sort((a, b) => b[1].length - a[1].length)) process.stdout.write(`  ${nfs.join(',')}: ${reason}\n`);
}

main().then(
  () => process.exit(0), // the z3 worker threads would otherwise keep the process alive
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
