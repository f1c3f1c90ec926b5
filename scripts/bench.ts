// Benchmarks the analysis of every C test fixture and prints per-fixture path, solver, time and memory figures.
import * as fs from 'fs';
import * as path from 'path';
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

function parseArgs(argv: string[]): { repeat: number; json: boolean } {
  let repeat = 3;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--repeat' || arg.startsWith('--repeat=')) {
      const text = arg === '--repeat' ? argv[++i] : arg.slice('--repeat='.length);
      const n = Number(text);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`--repeat needs a positive integer, got '${text ?? ''}'`);
      repeat = n;
    } else throw new Error(`unknown argument '${arg}' (usage: bench [--repeat N] [--json])`);
  }
  return { repeat, json };
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
  const { repeat, json } = parseArgs(process.argv.slice(2));
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
}

main().then(
  () => process.exit(0), // the z3 worker threads would otherwise keep the process alive
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
