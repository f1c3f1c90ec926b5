// The analysis worker thread: runs `analyze()` off the language server's main thread, one job at a time, cancellable.
//
// A job first analyses every entry against the cache with a signal that aborts at the first miss,
// which yields the diagnostics and all reusable contracts after one parse. It then analyses the
// missed entries one at a time, posting each contract as it is done, so the editor fills in
// progressively and a cancellation lands between (or inside) functions.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parentPort, workerData } from 'worker_threads';
import { analyze, AnalysisResult, endAnalysisSession, FileSystem } from '../core/analysis';
import { preloadZ3, setZ3CheckProbe, setZ3MemoryLimitMb } from '../core/solver/solver';
import { resolveCompilerCommand } from '../ground/compileCommands';
import { DEFAULT_CYCLES_MODEL, groundContract, Grounding, GroundingFailure, X86_METRICS } from '../ground/ground';
import { failureOf, GroundingError } from '../ground/groundingError';
import { declaredContractHover } from './contractPresentation';
import { readFileOrUndefined } from './serverSettings';
import type { FunctionContract } from '../core/contract/contract';
import type { SerializedSummary } from '../core/cache/contractCache';
import { CACHE_FILE_NAME, PersistentContractCache } from './persistentContractCache';
import { layoutOf, relocate, RelocationStore, shapeKeys } from './contractRelocation';
import type { AnalyzeRequest, FunctionSummary, MainToWorker, PartialContract, TraceRequest, WorkerToMain } from './workerProtocol';
import { distillTrace, DistillError, readTrace } from '../cli/distill';
import { predictWorkload, renderWorkloadPrediction } from '../cli/workloadPrediction';
import { WorkloadError } from '../cli/workload';
import { MeasureError } from '../measure/measureError';
import type { ExecutionOptions } from '../core/symex/executor';
import { startMemoryLog } from './memoryLog';
import { wasmMemoryFigures } from './wasmMemory';
import type { ReasonKind } from '../core/reasons';

/**
 * z3's memory ceiling in the worker. The CLI allows 1200 MB; an editor's server lives long and z3's
 * WASM heap never shrinks. On the NF corpus of `npm run bench:lsp`, z3's WASM memory stays at
 * 29-57 MB resident. When checks ran on z3's threads with the worker's heap limited to 192 MB
 * (analysisHost.ts), one query's memory now and then ran away to the ceiling in under a second:
 * the query then answered unknown (PC304), or z3 aborted (a z3 failure: the worker is restarted and
 * the job retried once); with a ceiling of 400 MB such a run took the server to 750-780 MB. The
 * ceiling bounds a runaway through z3's own allocator, not every allocation in its WASM memory: one
 * went on to the 2 GiB maximum.
 */
const WORKER_Z3_MEMORY_MB = 128;
setZ3MemoryLimitMb(WORKER_Z3_MEMORY_MB);
// The worker starts when the server is initialised: z3 loads while the editor opens its files.
preloadZ3();

/** Reasons that make an incomplete contract a settled answer for its key: the path and time limits. */
const SETTLED_REASONS = new Set<ReasonKind>(['path-limit', 'time-limit']);
/**
 * A solver timeout (PC304) depends on the machine's load at that moment: such a contract is settled
 * for this session only, so unchanged functions are not analysed again on every edit, but it is
 * never written to disk.
 */
const SESSION_SETTLED_REASONS = new Set<ReasonKind>(['path-limit', 'time-limit', 'solver-unknown']);

let cache = new PersistentContractCache(undefined);
const relocations = new RelocationStore();
let running: { id: number; controller: AbortController } | undefined;
const queue: (AnalyzeRequest | TraceRequest)[] = [];

function post(message: WorkerToMain): void {
  parentPort!.postMessage(message);
}

function handle(message: MainToWorker): void {
  if (message.type === 'cancel') {
    if (running?.id === message.id) running.controller.abort();
    const index = queue.findIndex((q) => q.id === message.id);
    if (index >= 0) {
      queue.splice(index, 1);
      post({ type: 'done', id: message.id, cancelled: true, recomputed: [], milliseconds: 0 });
    }
  } else if (message.type === 'openCache') {
    cache.flush();
    cache = new PersistentContractCache(message.directory ? path.join(message.directory, CACHE_FILE_NAME) : undefined);
    const report = cache.load();
    post({ type: 'cacheOpened', directory: message.directory, loaded: report.loaded, problem: report.problem });
  } else if (message.type === 'flushCache') {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    flushQuietly();
    post({ type: 'flushed' });
  } else {
    queue.push(message);
    if (!running) void runQueue();
  }
}

async function runQueue(): Promise<void> {
  while (queue.length > 0) {
    const job = queue.shift()!;
    running = { id: job.id, controller: new AbortController() };
    try {
      if (job.type === 'predictTrace') await runTraceJob(job, running.controller.signal);
      else await runJob(job, running.controller.signal);
    } finally {
      running = undefined;
      // The job's entries shared expressions and solver answers; the next job has its own.
      endAnalysisSession();
    }
    logMemory?.(`job ${job.id} done`);
    post({ type: 'memory', figures: wasmMemoryFigures() });
    scheduleFlush();
  }
}

/**
 * Writing the cache serialises every contract in it (tens of milliseconds on a large workspace),
 * so it waits until the worker has been idle for FLUSH_DELAY_MS instead of delaying the job that
 * follows an edit. The host asks for a flush (`flushCache`) before it shuts the worker down.
 */
const FLUSH_DELAY_MS = 2000;
let flushTimer: NodeJS.Timeout | undefined;

function scheduleFlush(): void {
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = setTimeout(() => {
    flushTimer = undefined;
    if (running || queue.length > 0) scheduleFlush();
    else flushQuietly();
  }, FLUSH_DELAY_MS);
}

/**
 * A trace prediction: the entry's contract (from the cache when the editor has analysed it), the
 * trace run through the interpreter on the same lowered program (distillTrace, as `perfcontract
 * distill`), and the prediction of the workload it induces (predictWorkload, as `predict --workload`).
 */
async function runTraceJob(job: TraceRequest, signal: AbortSignal): Promise<void> {
  const started = performance.now();
  const fileSystem: FileSystem = {
    readFile(filePath: string): string | undefined {
      if (Object.prototype.hasOwnProperty.call(job.overlay, filePath)) return job.overlay[filePath];
      return readFileOrUndefined(filePath);
    },
  };
  try {
    const packets = readTrace(job.trace, undefined);
    const result = await analyze(job.files.map((p) => ({ path: p })), { ...job.options, entries: [job.entry], cache, execution: { ...job.options.execution, signal } }, fileSystem);
    if (signal.aborted) {
      post({ type: 'done', id: job.id, cancelled: true, recomputed: [], milliseconds: performance.now() - started });
      return;
    }
    const name = path.basename(job.trace).replace(/\.pcap$/, '');
    const { workload, contract, notes } = distillTrace(result, { entry: job.entry, packets, init: job.init, name, trace: job.trace, files: job.files });
    const prediction = predictWorkload(contract, workload.functions[job.entry]!, { clockGhz: job.clockGhz, cyclesPerInstruction: job.cyclesPerInstruction });
    post({ type: 'traceResult', id: job.id, workload, prediction, text: renderWorkloadPrediction(prediction, name), notes });
    post({ type: 'done', id: job.id, cancelled: false, recomputed: [], milliseconds: performance.now() - started });
  } catch (error) {
    const known = error instanceof DistillError || error instanceof MeasureError || error instanceof WorkloadError;
    post({ type: 'failed', id: job.id, message: known ? (error as Error).message : `${(error as Error).message ?? String(error)}`, filesRead: [] });
  }
}

async function runJob(job: AnalyzeRequest, signal: AbortSignal): Promise<void> {
  const started = performance.now();
  const filesRead = new Set<string>();
  const fileSystem: FileSystem = {
    readFile(filePath: string): string | undefined {
      filesRead.add(filePath);
      if (Object.prototype.hasOwnProperty.call(job.overlay, filePath)) return job.overlay[filePath];
      try {
        return fs.readFileSync(filePath, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
  const files = job.files.map((p) => ({ path: p }));
  const recomputed: string[] = [];
  try {
    // Phase 1: one parse; cached entries are final, the first miss aborts the rest (they run in phase 2).
    const probe = new AbortController();
    const onCancel = () => probe.abort();
    signal.addEventListener('abort', onCancel);
    // Cache hits the main thread holds under the same key need no unpacking: a stub stands for them
    // (not with x86, which grounds every contract of the job).
    const heldKeys = new Map<string, string>();
    if (!job.x86) for (const [name, key] of Object.entries(job.held)) heldKeys.set(key, name);
    const probeCache = new MissAbortingCache(cache, probe, heldKeys);
    cache.takeRequests();
    let first;
    const entries = [...job.entries];
    try {
      for (;;) {
        try {
          first = await analyze(files, { ...job.options, entries, cache: probeCache, execution: { ...job.options.execution, signal: probe.signal } }, fileSystem);
          break;
        } catch (error) {
          // The outline can see a function the engine does not (say, under #if 0): drop it and try again.
          const unknown = /^no function named '([^']+)'/.exec((error as Error).message)?.[1];
          if (!unknown || !entries.includes(unknown)) throw error;
          entries.splice(entries.indexOf(unknown), 1);
        }
      }
    } finally {
      signal.removeEventListener('abort', onCancel);
    }
    // The engine's key of each cached contract: its fingerprint, which tells whether the main thread holds it already.
    const fingerprints: Record<string, string> = {};
    for (const request of cache.takeRequests().requests) if (request.hit !== undefined) fingerprints[request.hit] = request.key;
    if (solverFailed(first, job.id)) return;
    const final: FunctionContract[] = [];
    const pending: string[] = [];
    // A callee defined in another file whose calls use its declared contract needs no analysis here:
    // its calls cost what the contract says, and a hover on them shows that contract.
    const declared: Record<string, string> = {};
    if (job.options.execution.preferDeclaredContracts) {
      for (const contract of first.contracts) {
        const declaredContract = first.declaredContracts.get(contract.name);
        if (declaredContract && contract.file !== job.files[0]) declared[contract.name] = declaredContractHover(declaredContract);
      }
    }
    for (const contract of first.contracts) {
      if (declared[contract.name] !== undefined) continue;
      const cancelled = contract.incompleteReasons.some((r) => r.kind === 'cancelled');
      if (cancelled) pending.push(contract.name);
      else {
        final.push(contract);
        if (first.recomputed.includes(contract.name)) {
          recomputed.push(contract.name);
          delete fingerprints[contract.name];
        }
      }
    }
    // Functions that only moved: their earlier contract, with its positions shifted.
    const program = first.program;
    const shapes = shapeKeys(program, stableJson({ options: job.options, declared: first.declaredContracts }));
    const remember = (contract: FunctionContract) => {
      if (heldStubs.has(contract)) return; // stored when it was first posted
      const shape = shapes.get(contract.name);
      const reusable = contract.complete || contract.incompleteReasons.every((r) => SESSION_SETTLED_REASONS.has(r.kind));
      if (shape && reusable) relocations.set(shape, contract, layoutOf(program, contract.name));
    };
    for (const name of [...pending]) {
      const stored = relocations.get(shapes.get(name) ?? '');
      const moved = stored ? relocate(stored.contract, stored.layout, layoutOf(program, name)) : undefined;
      if (!moved) continue;
      pending.splice(pending.indexOf(name), 1);
      final.push(moved);
    }
    pending.splice(0, pending.length, ...analysisOrder(pending, program, job.files[0]!, job.visible ?? []));
    const functions: FunctionSummary[] = [...first.program.functions.values()].map((fn) => ({
      name: fn.name, file: fn.file, startLine: fn.range.startLine, annotations: fn.annotations, callees: [...fn.callees],
    }));
    const posted = new Set(final.map((c) => c.name));
    for (const name of Object.keys(fingerprints)) if (!posted.has(name)) delete fingerprints[name];
    // A contract the main thread holds under the same key is the same contract: only its name is sent.
    const unchanged = final.filter((c) => fingerprints[c.name] !== undefined && job.held[c.name] === fingerprints[c.name]).map((c) => c.name);
    const sent = final.filter((c) => !unchanged.includes(c.name));
    if (sent.some((c) => heldStubs.has(c))) throw new Error('internal error: a held contract was not recognised as unchanged');
    post({ type: 'unit', id: job.id, diagnostics: first.diagnostics, contracts: sent, unchanged, fingerprints, pending, functions, filesRead: [...filesRead], recomputed: [...recomputed], declared });
    // After the post, so that the diagnostics do not wait for it.
    for (const contract of final) remember(contract);
    // Phase 2: the entries that need work, one analysis each.
    for (const entry of pending) {
      if (signal.aborted) break;
      exhaustMemoryForTests(entry);
      cache.takeRequests();
      const onProgress = partialReporter(job.id, entry);
      const result = await analyze(files, { ...job.options, entries: [entry], cache, execution: { ...job.options.execution, signal, onProgress } }, fileSystem);
      const { requests } = cache.takeRequests();
      if (solverFailed(result, job.id)) return;
      const contract = result.contracts.find((c) => c.name === entry);
      if (!contract) continue;
      if (contract.incompleteReasons.some((r) => r.kind === 'cancelled') || signal.aborted) break;
      if (result.recomputed.includes(entry)) recomputed.push(entry);
      // One lookup that missed belongs to this entry: an incomplete answer that only hit limits is settled for that key.
      const settled = !contract.complete && requests.length === 1 && requests[0]!.hit === undefined
        && contract.incompleteReasons.every((r) => SESSION_SETTLED_REASONS.has(r.kind));
      const fingerprint = requests.length === 1 && requests[0]!.hit === undefined ? requests[0]!.key : undefined;
      post({ type: 'contract', id: job.id, contract, settled, ...(fingerprint ? { fingerprint } : {}) });
      // Storing compresses the contract's JSON: after the post, so that the editor does not wait for it.
      if (settled) cache.setSettled(requests[0]!.key, contract, contract.incompleteReasons.every((r) => SETTLED_REASONS.has(r.kind)));
      remember(contract);
      final.push(contract);
    }
    // Phase 3: the IR contracts are out; x86 ones follow when asked for.
    if (job.x86 && !signal.aborted) groundAndPost(job, final, first, signal);
    post({ type: 'done', id: job.id, cancelled: signal.aborted, recomputed, milliseconds: performance.now() - started });
  } catch (error) {
    post({ type: 'failed', id: job.id, message: (error as Error).message ?? String(error), filesRead: [...filesRead] });
  }
}

/** How often an analysis in progress posts what it has found so far. */
const PARTIAL_INTERVAL_MS = 500;

/**
 * The executor's progress callback for one entry: every PARTIAL_INTERVAL_MS (the first after one
 * interval, so a quick function posts none), it groups the paths found so far as `buildContract`
 * does (outcome, reason, cost per metric) and posts the count and the instruction range.
 */
function partialReporter(id: number, name: string): NonNullable<ExecutionOptions['onProgress']> {
  let lastPost = performance.now();
  return ({ paths, pendingStates, elapsedMs }) => {
    const now = performance.now();
    if (now - lastPost < PARTIAL_INTERVAL_MS) return;
    lastPost = now;
    const keys = new Set<string>();
    let min = Infinity;
    let max = -Infinity;
    let withPcvs = false;
    for (const path of paths) {
      const terms = [...path.terms].map(([monomial, cost]) => `${monomial}:${cost.instructions}/${cost.memory_accesses}`).sort().join(',');
      keys.add(`${path.outcome.kind}|${path.outcome.reason ?? ''}|${path.cost.instructions}/${path.cost.memory_accesses}|${terms}|${path.externalCalls.some((c) => !c.declared)}`);
      if (path.outcome.kind === 'incomplete') continue;
      min = Math.min(min, path.cost.instructions);
      max = Math.max(max, path.cost.instructions);
      if (path.terms.size > 0) withPcvs = true;
    }
    const partial: PartialContract = {
      name, classes: keys.size, paths: paths.length, pendingStates, elapsedMs: Math.round(elapsedMs),
      ...(min <= max ? { instructions: { min, max, withPcvs } } : {}),
    };
    post({ type: 'partial', id, partial });
  };
}

/**
 * Grounds each contract on x86 (docs/x86-grounding.md) and posts it again with its x86 metrics, or
 * with `grounding.error` saying why not. Compiling reads the files from disk, so a unit with unsaved
 * changes is not grounded (PG007) until it is saved.
 */
function groundAndPost(job: AnalyzeRequest, contracts: FunctionContract[], analysed: AnalysisResult, signal: AbortSignal): void {
  const x86 = job.x86!;
  const unsaved = Object.entries(job.overlay).filter(([p, text]) => job.files.includes(p) && readFileOrUndefined(p) !== text).map(([p]) => path.basename(p));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-ground-'));
  try {
    const command = resolveCompilerCommand(job.files[0]!, { cflags: x86.cflags, includeDirs: job.options.includeDirs, defines: job.options.defines });
    for (const contract of contracts) {
      if (signal.aborted) return;
      const grounded = structuredClone(contract);
      let grounding: Grounding | GroundingFailure;
      if (unsaved.length > 0) grounding = failureOf(new GroundingError('unsaved', `x86 metrics are computed from saved files; save ${unsaved.join(', ')}`));
      else if ('error' in command) grounding = command;
      else {
        grounding = groundContract(grounded, { program: analysed.program, declaredContracts: analysed.declaredContracts, modular: analysed.preferDeclaredContracts }, X86_METRICS, {
          command, sources: job.files, init: x86.init, cyclesModel: DEFAULT_CYCLES_MODEL, workDir: path.join(workDir, contract.name),
        });
      }
      (grounded as FunctionContract & { grounding?: Grounding | GroundingFailure }).grounding = grounding;
      post({ type: 'contract', id: job.id, contract: grounded, settled: false });
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * The order in which missed entries are analysed: the document's functions that take parameters
 * (packet handlers and their helpers, whose per-call cost is what the user is after), then its
 * functions without parameters (initialisation, which runs once: the router's `nf_init` stops at the
 * time limit and would otherwise hold back every later contract), then the callees in other files,
 * which only serve hovers on calls. Source order within each group.
 */
function analysisOrder(entries: string[], program: AnalysisResult['program'], document: string, visible: readonly string[]): string[] {
  // Functions on screen first: their lenses are the ones the user is waiting for.
  const rank = (name: string): number => {
    const fn = program.functions.get(name);
    if (!fn || fn.file !== document) return 3;
    if (visible.includes(name)) return 0;
    return fn.params.length === 0 ? 2 : 1;
  };
  return entries.map((name, index) => ({ name, index, rank: rank(name) })).sort((a, b) => a.rank - b.rank || a.index - b.index).map((e) => e.name);
}

/**
 * Fault injection for the tests: with PERFCONTRACT_TEST_EXHAUST_MEMORY=NAME in the server's
 * environment, the worker's heap is limited to 64 MB (analysisHost.ts) and the analysis of NAME
 * allocates until the limit ends the worker.
 */
function exhaustMemoryForTests(entry: string): void {
  if (process.env.PERFCONTRACT_TEST_EXHAUST_MEMORY !== entry) return;
  const hog: number[][] = [];
  for (;;) hog.push(new Array<number>(1 << 20).fill(hog.length));
}

/** After z3 failed in this process nothing more is trustworthy here: the host replaces the worker and retries. */
function solverFailed(result: { solverFailure?: string }, id: number): boolean {
  if (!result.solverFailure) return false;
  post({ type: 'solverFailure', id, message: result.solverFailure });
  return true;
}

/** JSON with Maps as entry lists and bigints as strings (for fingerprints). */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : typeof v === 'bigint' ? v.toString() : v));
}

/** Stand-ins for cached contracts the main thread holds already: only their name and file are real. */
const heldStubs = new WeakSet<FunctionContract>();

/**
 * Passes lookups to the real cache; a miss aborts the probe so the missed entry (and later ones) end
 * at once. A hit on a key in `held` (key -> function name: the contracts the main thread holds)
 * gives a stub instead of the unpacked contract: it is not sent again, and unpacking and parsing the
 * router's `nf_init` on every edit took tens of milliseconds and about 50 MB of short-lived objects.
 */
class MissAbortingCache {
  constructor(private readonly inner: PersistentContractCache, private readonly probe: AbortController, private readonly held: ReadonlyMap<string, string>) {}

  get(key: string): FunctionContract | undefined {
    const name = this.held.get(key);
    const known = name !== undefined ? this.inner.peek(key) : undefined;
    if (known && known.name === name) {
      const stub = { name: known.name, file: known.file, complete: true, incompleteReasons: [] } as unknown as FunctionContract;
      heldStubs.add(stub);
      return stub;
    }
    const found = this.inner.get(key);
    if (!found) this.probe.abort();
    return found;
  }

  set(key: string, contract: FunctionContract): void {
    this.inner.set(key, contract);
  }

  getSummary(key: string): SerializedSummary | undefined {
    return this.inner.getSummary(key);
  }

  setSummary(key: string, summary: SerializedSummary): void {
    this.inner.setSummary(key, summary);
  }
}

/** WebAssembly memory per module for the memory log, in MB: tree-sitter's size, z3's allocation, and their caps. */
function wasmMemoryLogFields(): Record<string, number> {
  const { treeSitter, z3 } = wasmMemoryFigures();
  const mb = (bytes: number) => Math.round(bytes / 1048576);
  return {
    ...(treeSitter ? { treeSitterWasm: mb(treeSitter.bytes), treeSitterCap: mb(treeSitter.capBytes) } : {}),
    ...(z3 ? { z3Allocated: mb(z3.bytes), z3Cap: mb(z3.capBytes) } : {}),
  };
}

function flushQuietly(): void {
  try {
    cache.flush();
  } catch {
    // A read-only or full disk only costs the next session some work.
  }
}

const logMemory = startMemoryLog('worker', () => ({
  ...wasmMemoryLogFields(), job: running?.id, cacheEntries: cache.size, cacheCharacters: Math.round(cache.characters / 1048576), relocationEntries: relocations.size.entries,
  relocationCharacters: Math.round(relocations.size.characters / 1048576),
}));

if (parentPort) {
  const probe = (workerData as { z3CheckProbe?: SharedArrayBuffer } | undefined)?.z3CheckProbe;
  if (probe) setZ3CheckProbe(new BigInt64Array(probe));
  parentPort.on('message', (message: MainToWorker) => handle(message));
  post({ type: 'ready' });
}
