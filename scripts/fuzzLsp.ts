// Random-edit fuzzing of the language server as an editor drives it: nat.c, lb.c and router.c open together, incremental edits over stdio, hovers and code lenses, crash and memory checks.
//
// Usage: npm run fuzz:lsp -- [--edits N] [--seed N] [--time-limit-ms MS] [--out DIR] [--replay FILE] [--json]
//
// Each edit is one of: delete a range, delete a line, insert a C token, swap two lines, duplicate a
// line, or revert the file to its original text, sent as an incremental change. After about one
// edit in eight, a hover on a random word and the document's code lenses are requested and timed.
// A run fails on: the server's exit (a crash), an error response, a request slower than
// `--max-request-ms` (2 s), a diagnostic published with a range outside the text of the version it
// names, or memory growth past the limits (see `memoryProblems`). On a failure, the edits so far
// are saved as a reproducer (`--replay FILE` runs them again).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspTestClient, PublishedDiagnostics, Range, repo } from '../server/test/support/lspClient';
import { seededRandom } from '../server/src/cli/workloadPrediction';

export interface FuzzOptions {
  edits: number;
  seed: number;
  timeLimitMs: number;
  maxRequestMs: number;
  /** Where reproducers are written. */
  outDir: string;
  /** Edits to replay instead of random ones. */
  replay?: FuzzEdit[];
  /** Progress lines (every 500 edits) go here. */
  progress?: (line: string) => void;
}

export interface FuzzEdit { file: string; range: Range; text: string; kind: string }

export interface FuzzReport {
  edits: number;
  seed: number;
  failures: string[];
  reproducer?: string;
  hover: Percentiles;
  lens: Percentiles;
  requests: number;
  diagnosticsChecked: number;
  /** Server RSS (MB): after the first analyses, after the first 500 edits (or the last when fewer) and their analyses, peak, end (after the last analyses). */
  rss: { start: number; after500: number; peak: number; end: number };
  /** The worker's tree-sitter WASM memory (MB) after its first job and at the end, from the server's memory log. */
  treeSitterWasm: { start?: number; end?: number; max?: number };
  z3Allocated: { start?: number; end?: number; max?: number };
  workerRestarts: number;
  /** Why the worker was restarted or replaced, with counts (from the server's log). */
  restartReasons: Record<string, number>;
  seconds: number;
}

export interface Percentiles { count: number; p50: number; p95: number; p99: number; max: number }

export const FUZZ_FILES = ['nat.c', 'lb.c', 'router.c'];
const NF = path.join(repo, 'test-fixtures', 'nf');
const TOKENS = ['if (', ')', '{', '}', ';', 'return 0;', 'int x = 1;', '/*', '*/', '#if 0\n', '#endif\n', 'for (;;) {', 'while (x) ', '->', '[', ']', 'uint32_t ', ' + 1', '"', "'", '\n', 'goto out;', 'static ', '(void)', '0x', 'é', '😀'];

/** Limits of the memory check: RSS at the end against after the warm-up, and tree-sitter's WASM memory growth. */
export const MEMORY_LIMITS = { rssGrowthMb: 250, rssGrowthFactor: 1.5, wasmGrowthFactor: 1.1 };

export async function runLspFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-fuzz-lsp-'));
  fs.cpSync(NF, root, { recursive: true, filter: (source) => !source.includes(`${path.sep}driver`) && !source.endsWith('README.md') });
  const memoryLog = path.join(root, 'memory.jsonl');
  const settings = { includePaths: ['lib'], cacheDirectory: path.join(root, '.cache'), timeLimitMs: options.timeLimitMs, solverTimeoutMs: options.timeLimitMs };
  // The server runs as the VS Code extension starts it: two malloc arenas unless the caller sets them.
  const client = new LspTestClient({ rootPath: root, settings, env: { PERFCONTRACT_MEMORY_LOG: memoryLog, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' } });
  const next = random(options.seed);
  const originals = new Map(FUZZ_FILES.map((f) => [f, fs.readFileSync(path.join(root, f), 'utf8')]));
  const texts = new Map(originals);
  const uris = new Map<string, string>();
  /** Text of each recent version of each document, to check the diagnostics published for it. */
  const history = new Map<string, Map<number, string>>();
  const failures: string[] = [];
  const applied: FuzzEdit[] = [];
  const hoverTimes: number[] = [];
  const lensTimes: number[] = [];
  let requests = 0;
  let diagnosticsChecked = 0;
  const rssSamples: number[] = [];
  const rss = { start: 0, after500: 0, peak: 0, end: 0 };
  const sampleRss = () => {
    const value = rssOf(client.process.pid!);
    if (value !== undefined) {
      rssSamples.push(value);
      rss.peak = Math.max(rss.peak, value);
    }
    return value ?? 0;
  };
  const sampler = setInterval(sampleRss, 250);
  sampler.unref();
  const restartReasons: Record<string, number> = {};
  client.logListeners.push((line) => {
    // Numbers and names vary: the reason's wording is what is counted.
    const reason = /did not stop within/.test(line) ? 'a cancelled job did not stop within the grace period'
      : /z3 failed in the analysis worker/.test(line) ? 'z3 failed'
        : /analysis worker failed/.test(line) ? 'the worker failed'
          : /analysis worker exited/.test(line) ? 'the worker exited'
            : /replacing the analysis worker/.test(line) ? 'WASM memory near its cap'
              : /exceeded \d+ ms; stopping it/.test(line) ? 'a job ran past its limit'
                : undefined;
    if (reason) restartReasons[reason] = (restartReasons[reason] ?? 0) + 1;
  });
  const fail = (message: string) => {
    if (failures.length < 20) failures.push(message);
  };
  client.process.on('exit', (code, signal) => {
    if (!closing) fail(`the server exited (code ${code}, signal ${signal}); stderr:\n${client.stderr.slice(-3000)}`);
  });
  let closing = false;
  client.diagnosticListeners.push((params: PublishedDiagnostics) => {
    const file = [...uris].find(([, uri]) => uri === params.uri)?.[0];
    if (!file || params.version === undefined) return;
    const text = history.get(file)?.get(params.version);
    if (text === undefined) {
      fail(`diagnostics for ${file} version ${params.version}, which is not among the last versions sent (latest ${client.version(params.uri)})`);
      return;
    }
    diagnosticsChecked++;
    for (const diagnostic of params.diagnostics) {
      const problem = outside(text, diagnostic.range);
      if (problem) fail(`diagnostic ${diagnostic.code} '${diagnostic.message.slice(0, 80)}' on ${file} version ${params.version}: ${problem}`);
    }
  });
  const timed = async (what: string, times: number[], run: () => Promise<unknown>) => {
    const begin = performance.now();
    requests++;
    try {
      await run();
    } catch (error) {
      fail(`${what} answered with an error: ${(error as Error).message}`);
    }
    const elapsed = performance.now() - begin;
    times.push(elapsed);
    if (elapsed > options.maxRequestMs) fail(`${what} took ${Math.round(elapsed)} ms (limit ${options.maxRequestMs} ms)`);
  };
  const record = (file: string, version: number, text: string) => {
    const versions = history.get(file) ?? new Map<number, string>();
    versions.set(version, text);
    // Older versions can still receive a late publish only while their analysis runs: 400 is plenty.
    for (const old of versions.keys()) if (old < version - 400) versions.delete(old);
    history.set(file, versions);
  };
  try {
    await client.initialize();
    for (const file of FUZZ_FILES) {
      const uri = await client.open(path.join(root, file), texts.get(file)!);
      uris.set(file, uri);
      record(file, 1, texts.get(file)!);
    }
    await settle(client, uris, 600_000);
    rss.start = sampleRss();
    const memoryAtStart = readMemoryLog(memoryLog);
    const edits = options.replay ?? [];
    const count = options.replay ? options.replay.length : options.edits;
    for (let i = 0; i < count && client.alive; i++) {
      const edit = options.replay ? edits[i]! : randomEdit(next, texts, originals);
      const file = edit.file;
      const uri = uris.get(file)!;
      const before = texts.get(file)!;
      const after = applyEdit(before, edit.range, edit.text);
      texts.set(file, after);
      applied.push(edit);
      const version = client.version(uri) + 1;
      record(file, version, after);
      await client.change(uri, [{ range: edit.range, text: edit.text }]);
      if (next() < 0.125) {
        const word = randomWordPosition(next, after);
        await timed(`hover on ${file} v${version} at ${word.line + 1}:${word.character + 1}`, hoverTimes, () => client.hover(uri, word));
        await timed(`code lenses of ${file} v${version}`, lensTimes, () => client.codeLenses(uri));
      }
      // Typing pace: most edits follow closely, some after a pause that lets an analysis finish.
      await delay(next() < 0.05 ? 300 + next() * 700 : next() * 30);
      if (i + 1 === Math.min(500, count)) {
        // Sampled like the start and the end, with every file analysed: mid-editing, analyses are
        // being cancelled and RSS says little.
        await settle(client, uris, 600_000);
        rss.after500 = sampleRss();
      }
      if ((i + 1) % 500 === 0) options.progress?.(`${i + 1} edits, ${failures.length} failures, RSS ${sampleRss()} MB (peak ${rss.peak} MB)`);
      if (failures.length > 0) break;
    }
    if (client.alive && failures.length === 0) {
      await settle(client, uris, 600_000);
      // The contracts at the end must be reachable too.
      for (const [file, uri] of uris) await timed(`final code lenses of ${file}`, lensTimes, () => client.codeLenses(uri));
    }
    rss.end = sampleRss();
    const memoryAtEnd = readMemoryLog(memoryLog);
    const treeSitterWasm = { start: memoryAtStart.treeSitter, end: memoryAtEnd.treeSitter, max: memoryAtEnd.treeSitterMax };
    const z3Allocated = { start: memoryAtStart.z3, end: memoryAtEnd.z3, max: memoryAtEnd.z3Max };
    for (const problem of memoryProblems(rss, treeSitterWasm)) fail(problem);
    const workerRestarts = client.alive ? (await client.lastAnalysis(uris.get(FUZZ_FILES[0]!)!)).workerRestarts : -1;
    const report: FuzzReport = {
      edits: applied.length, seed: options.seed, failures, hover: percentiles(hoverTimes), lens: percentiles(lensTimes), requests, diagnosticsChecked, rss,
      treeSitterWasm, z3Allocated, workerRestarts, restartReasons, seconds: Math.round((Date.now() - started) / 1000),
    };
    if (failures.length > 0) report.reproducer = saveReproducer(options, applied, failures);
    return report;
  } finally {
    clearInterval(sampler);
    closing = true;
    await client.shutdown().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** RSS may grow by MEMORY_LIMITS over the run's warm-up; tree-sitter's WASM memory, which used to leak, by 10%. */
export function memoryProblems(rss: FuzzReport['rss'], wasm: FuzzReport['treeSitterWasm']): string[] {
  const problems: string[] = [];
  const base = Math.max(rss.start, rss.after500);
  if (rss.end > base * MEMORY_LIMITS.rssGrowthFactor && rss.end > base + MEMORY_LIMITS.rssGrowthMb) {
    problems.push(`RSS grew from ${base} MB to ${rss.end} MB (limit: x${MEMORY_LIMITS.rssGrowthFactor} and +${MEMORY_LIMITS.rssGrowthMb} MB)`);
  }
  if (wasm.start !== undefined && wasm.end !== undefined && wasm.end > wasm.start * MEMORY_LIMITS.wasmGrowthFactor) {
    problems.push(`tree-sitter's WASM memory in the worker grew from ${wasm.start} MB to ${wasm.end} MB`);
  }
  return problems;
}

/** Waits until every document's analysis of its current version is finished. */
async function settle(client: LspTestClient, uris: Map<string, string>, timeoutMs: number): Promise<void> {
  for (const uri of uris.values()) await client.settledDiagnostics(uri, client.version(uri), timeoutMs);
}

function randomEdit(next: () => number, texts: Map<string, string>, originals: Map<string, string>): FuzzEdit {
  const file = FUZZ_FILES[Math.floor(next() * FUZZ_FILES.length)]!;
  const text = texts.get(file)!;
  const lines = text.split('\n');
  const lineRange = (line: number, count = 1): Range => ({ start: { line, character: 0 }, end: line + count < lines.length ? { line: line + count, character: 0 } : { line: lines.length - 1, character: utf16Length(lines[lines.length - 1]!) } });
  const kind = next();
  // A file that drifted far from its original (or grew past 3x) is reverted: it keeps the analyses realistic.
  if (kind < 0.04 || text.length > 3 * originals.get(file)!.length) {
    return { file, kind: 'revert', range: { start: { line: 0, character: 0 }, end: endOf(text) }, text: originals.get(file)! };
  }
  const line = Math.floor(next() * lines.length);
  if (kind < 0.25) {
    const start = Math.floor(next() * text.length);
    const end = Math.min(text.length, start + 1 + Math.floor(next() * 40));
    return { file, kind: 'delete range', range: { start: positionAt(text, start), end: positionAt(text, end) }, text: '' };
  }
  if (kind < 0.4) return { file, kind: 'delete line', range: lineRange(line), text: '' };
  if (kind < 0.75) {
    const at = positionAt(text, Math.floor(next() * (text.length + 1)));
    return { file, kind: 'insert token', range: { start: at, end: at }, text: TOKENS[Math.floor(next() * TOKENS.length)]! };
  }
  if (kind < 0.88 && line + 1 < lines.length) {
    return { file, kind: 'swap lines', range: lineRange(line, 2), text: `${lines[line + 1]}\n${lines[line]}\n` };
  }
  const at = { line, character: 0 };
  return { file, kind: 'duplicate line', range: { start: at, end: at }, text: `${lines[line]}\n` };
}

/** Applies an LSP range edit (UTF-16 positions) to a text. */
export function applyEdit(text: string, range: Range, insert: string): string {
  return text.slice(0, offsetAt(text, range.start)) + insert + text.slice(offsetAt(text, range.end));
}

/** Why a range is not inside the text, or undefined. */
export function outside(text: string, range: Range): string | undefined {
  const lines = text.split('\n');
  for (const [name, position] of [['start', range.start], ['end', range.end]] as const) {
    if (position.line < 0 || position.line >= lines.length) return `${name} line ${position.line + 1} of ${lines.length}`;
    const length = utf16Length(lines[position.line]!.replace(/\r$/, ''));
    if (position.character < 0 || position.character > length) return `${name} character ${position.character} on line ${position.line + 1} of length ${length}`;
  }
  if (range.start.line > range.end.line || (range.start.line === range.end.line && range.start.character > range.end.character)) return 'start after end';
  return undefined;
}

function offsetAt(text: string, position: { line: number; character: number }): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const newline = text.indexOf('\n', offset);
    if (newline < 0) return text.length;
    offset = newline + 1;
  }
  const lineEnd = text.indexOf('\n', offset);
  return Math.min(offset + position.character, lineEnd < 0 ? text.length : lineEnd);
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  // Never between the two halves of a surrogate pair.
  if (offset > 0 && offset < text.length && /[\uDC00-\uDFFF]/.test(text[offset]!)) offset--;
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

function endOf(text: string): { line: number; character: number } {
  return positionAt(text, text.length);
}

function utf16Length(line: string): number {
  return line.length;
}

function randomWordPosition(next: () => number, text: string): { line: number; character: number } {
  const words = [...text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)];
  if (words.length === 0) return { line: 0, character: 0 };
  const word = words[Math.floor(next() * words.length)]!;
  return positionAt(text, word.index! + 1);
}

function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? 0 : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10);
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
}

function rssOf(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024);
  } catch {
    return undefined;
  }
}

/** The worker's latest tree-sitter and z3 figures in the server's memory log (MB), and their largest values so far. */
function readMemoryLog(file: string): { treeSitter?: number; z3?: number; treeSitterMax?: number; z3Max?: number } {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const result: { treeSitter?: number; z3?: number; treeSitterMax?: number; z3Max?: number } = {};
  for (const line of text.split('\n')) {
    if (!line.includes('"thread":"worker"')) continue;
    try {
      const sample = JSON.parse(line) as { treeSitterWasm?: number; z3Allocated?: number };
      if (sample.treeSitterWasm !== undefined) {
        result.treeSitter = sample.treeSitterWasm;
        result.treeSitterMax = Math.max(result.treeSitterMax ?? 0, sample.treeSitterWasm);
      }
      if (sample.z3Allocated !== undefined) {
        result.z3 = sample.z3Allocated;
        result.z3Max = Math.max(result.z3Max ?? 0, sample.z3Allocated);
      }
    } catch {
      // A line cut short by a write in progress.
    }
  }
  return result;
}

function saveReproducer(options: FuzzOptions, edits: FuzzEdit[], failures: string[]): string {
  fs.mkdirSync(options.outDir, { recursive: true });
  const file = path.join(options.outDir, `fuzz-lsp-seed${options.seed}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify({ seed: options.seed, files: FUZZ_FILES, timeLimitMs: options.timeLimitMs, failures, edits }, null, 1));
  return file;
}

/** A small deterministic generator (mulberry32), the same one the workload sampler uses. */
export const random = seededRandom;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function formatReport(report: FuzzReport): string {
  const p = (x: Percentiles) => `p50 ${x.p50} ms, p95 ${x.p95} ms, p99 ${x.p99} ms, max ${x.max} ms (${x.count} requests)`;
  return [
    `edits: ${report.edits} (seed ${report.seed}) in ${report.seconds} s`,
    `crashes and failures: ${report.failures.length}${report.reproducer ? ` (reproducer: ${report.reproducer})` : ''}`,
    ...report.failures.map((f) => `  - ${f}`),
    `hover latency: ${p(report.hover)}`,
    `code lens latency: ${p(report.lens)}`,
    `diagnostics checked: ${report.diagnosticsChecked}`,
    `server RSS: start ${report.rss.start} MB, after ${Math.min(500, report.edits)} edits and their analyses ${report.rss.after500} MB, peak ${report.rss.peak} MB, end ${report.rss.end} MB`,
    `worker tree-sitter WASM: start ${report.treeSitterWasm.start ?? '?'} MB, end ${report.treeSitterWasm.end ?? '?'} MB, max ${report.treeSitterWasm.max ?? '?'} MB; z3 allocated: start ${report.z3Allocated.start ?? '?'} MB, end ${report.z3Allocated.end ?? '?'} MB, max ${report.z3Allocated.max ?? '?'} MB`,
    `worker restarts: ${report.workerRestarts} (${Object.entries(report.restartReasons).map(([reason, count]) => `${count}: ${reason}`).join('; ') || 'none logged'})`,
  ].join('\n');
}

async function main(): Promise<void> {
  const options: FuzzOptions & { json: boolean } = {
    edits: 10_000, seed: 1, timeLimitMs: 2000, maxRequestMs: 2000, outDir: path.join(os.tmpdir(), 'perfcontract-fuzz-reproducers'), json: false,
    progress: (line) => process.stderr.write(`${line}\n`),
  };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--edits') options.edits = Number(value());
    else if (arg === '--seed') options.seed = Number(value());
    else if (arg === '--time-limit-ms') options.timeLimitMs = Number(value());
    else if (arg === '--max-request-ms') options.maxRequestMs = Number(value());
    else if (arg === '--out') options.outDir = path.resolve(value());
    else if (arg === '--replay') {
      const saved = JSON.parse(fs.readFileSync(value(), 'utf8')) as { seed: number; edits: FuzzEdit[]; timeLimitMs?: number };
      options.replay = saved.edits;
      options.seed = saved.seed;
      if (saved.timeLimitMs) options.timeLimitMs = saved.timeLimitMs;
    } else if (arg === '--json') options.json = true;
    else throw new Error(`unknown option '${arg}' (known: --edits N, --seed N, --time-limit-ms MS, --max-request-ms MS, --out DIR, --replay FILE, --json)`);
  }
  const report = await runLspFuzz(options);
  console.log(options.json ? JSON.stringify(report) : formatReport(report));
  process.exitCode = report.failures.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main().catch((error) => {
    console.error((error as Error).stack ?? error);
    process.exit(2);
  });
}

