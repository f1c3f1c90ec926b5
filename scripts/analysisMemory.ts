// Runs many analyses of an NF unit in one worker thread, as the language server's worker does, and prints its off-heap and WebAssembly memory as it goes.
//
// Usage: node out/scripts/analysisMemory.js [--analyses N] [--baseline N] [--json] [--keep-trees]
//
// Each analysis parses and lowers the NAT unit (nat.c, lib/map.c, lib/dchain.c) again: the text of
// nat.c alternates between the file and the file plus one space, so the engine's last build is never
// reused, as after each edit in an editor. It then explores two small functions of the unit
// (`dchain_allocate_new_index`, 10 z3 queries, and `flow_key_hash`), so that every analysis also
// creates and drops a solver session; the NF's packet handlers would take seconds each. The worker
// has the server worker's heap limit and z3 ceiling. It samples after `--baseline` analyses, every
// twentieth of the run and after the last, after a full garbage collection each time (z3 objects are
// released by collection finalizers). `--keep-trees` skips `TranslationUnit.dispose()`, to show the
// leak it removes.
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';
import { wasmMemoryFigures, WasmMemoryFigures } from '../server/src/lsp/wasmMemory';

export interface MemoryPoint {
  analyses: number;
  rssMb: number;
  /** V8 heap used and Node's `external` memory (ArrayBuffers and the like), MB. */
  heapUsedMb: number;
  externalMb: number;
  wasm: WasmMemoryFigures;
  milliseconds: number;
}

export interface AnalysisMemoryReport { analyses: number; baseline: MemoryPoint; end: MemoryPoint; points: MemoryPoint[] }

interface Options { analyses: number; baseline: number; json: boolean; keepTrees: boolean }

/** Same limits as the language server's analysis worker (analysisHost.ts, analysisWorker.ts). */
const WORKER_HEAP_LIMIT_MB = 192;
const Z3_LIMIT_MB = 128;

function parse(argv: string[]): Options {
  const options: Options = { analyses: 1000, baseline: 50, json: false, keepTrees: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => Number(argv[++i]);
    if (arg === '--analyses') options.analyses = value();
    else if (arg === '--baseline') options.baseline = value();
    else if (arg === '--json') options.json = true;
    else if (arg === '--keep-trees') options.keepTrees = true;
    else throw new Error(`unknown option '${arg}' (known: --analyses N, --baseline N, --json, --keep-trees)`);
  }
  if (!(options.analyses > options.baseline && options.baseline > 0)) throw new Error('--analyses must be greater than --baseline, which must be positive');
  return options;
}

/** Runs the analyses in a worker thread and resolves with the samples. */
export function measureAnalysisMemory(analyses: number, baseline: number, onPoint?: (point: MemoryPoint) => void, keepTrees = false): Promise<AnalysisMemoryReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { analyses, baseline, keepTrees }, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_LIMIT_MB } });
    const points: MemoryPoint[] = [];
    worker.on('message', (message: { point?: MemoryPoint; done?: boolean }) => {
      if (message.point) {
        points.push(message.point);
        onPoint?.(message.point);
      }
      if (message.done) {
        const at = (n: number) => points.find((p) => p.analyses === n)!;
        void worker.terminate();
        resolve({ analyses, baseline: at(baseline), end: at(analyses), points });
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (points.length === 0 || !points.some((p) => p.analyses === analyses)) reject(new Error(`the analysis worker exited with code ${code} before it was done`));
    });
  });
}

async function runInWorker(): Promise<void> {
  const { analyses, baseline, keepTrees } = workerData as { analyses: number; baseline: number; keepTrees: boolean };
  if (keepTrees) {
    const { TranslationUnit } = await import('../server/src/core/syntax/translationUnit');
    TranslationUnit.prototype.dispose = () => undefined;
  }
  const { setZ3MemoryLimitMb } = await import('../server/src/core/solver/solver');
  setZ3MemoryLimitMb(Z3_LIMIT_MB);
  const { analyze, endAnalysisSession } = await import('../server/src/core/analysis');
  const nf = path.resolve(__dirname, '..', '..', 'test-fixtures', 'nf');
  const natPath = path.join(nf, 'nat.c');
  const natText = fs.readFileSync(natPath, 'utf8');
  const files = [{ path: natPath }, { path: path.join(nf, 'lib', 'map.c') }, { path: path.join(nf, 'lib', 'dchain.c') }];
  const started = performance.now();
  // A full collection before each sample (a worker cannot take --expose-gc on its command line).
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as (() => void) | undefined;
  const every = Math.max(1, Math.floor(analyses / 20));
  for (let i = 1; i <= analyses; i++) {
    const text = i % 2 === 0 ? `${natText} ` : natText;
    const fileSystem = { readFile: (p: string) => (p === natPath ? text : fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) };
    await analyze(files, { includeDirs: [path.join(nf, 'lib')], entries: ['dchain_allocate_new_index', 'flow_key_hash'], solverTimeoutMs: 10_000 }, fileSystem);
    endAnalysisSession();
    if (i === baseline || i === analyses || i % every === 0) {
      gc?.();
      await new Promise((r) => setImmediate(r)); // lets the finalizers that release z3 objects run
      gc?.();
      const usage = process.memoryUsage();
      const point: MemoryPoint = {
        analyses: i, rssMb: mb(usage.rss), heapUsedMb: mb(usage.heapUsed), externalMb: mb(usage.external), wasm: wasmMemoryFigures(), milliseconds: Math.round(performance.now() - started),
      };
      parentPort!.postMessage({ point });
    }
  }
  parentPort!.postMessage({ done: true });
}

function mb(bytes: number): number {
  return Math.round((bytes / 1048576) * 10) / 10;
}

function describe(point: MemoryPoint): string {
  const { treeSitter, z3 } = point.wasm;
  return `after ${String(point.analyses).padStart(5)} analyses (${(point.milliseconds / 1000).toFixed(1)} s): RSS ${point.rssMb} MB, V8 heap ${point.heapUsedMb} MB, external ${point.externalMb} MB, `
    + `tree-sitter WASM ${treeSitter ? mb(treeSitter.bytes) : '?'} MB, z3 allocated ${z3 ? mb(z3.bytes) : '?'} MB`;
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const report = await measureAnalysisMemory(options.analyses, options.baseline, options.json ? undefined : (p) => console.log(describe(p)), options.keepTrees);
  if (options.json) {
    console.log(JSON.stringify(report));
    return;
  }
  const ratio = (a?: number, b?: number) => (a !== undefined && b ? `${((a / b - 1) * 100).toFixed(1)}%` : '?');
  console.log(`growth from ${options.baseline} to ${options.analyses} analyses: tree-sitter WASM ${ratio(report.end.wasm.treeSitter?.bytes, report.baseline.wasm.treeSitter?.bytes)}, `
    + `z3 allocated ${ratio(report.end.wasm.z3?.bytes, report.baseline.wasm.z3?.bytes)}, external ${ratio(report.end.externalMb, report.baseline.externalMb)}, RSS ${ratio(report.end.rssMb, report.baseline.rssMb)}`);
}

if (!isMainThread && parentPort && (workerData as { analyses?: number } | undefined)?.analyses !== undefined) {
  runInWorker().catch((error) => {
    throw error;
  });
} else if (require.main === module) {
  main().catch((error) => {
    console.error((error as Error).stack ?? error);
    process.exit(1);
  });
}
