// Owns the analysis worker thread: starts it, sends jobs, cancels stale ones, and restarts it when it dies or stops answering.
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { AnalyzeRequest, MainToWorker, TraceRequest, WorkerToMain } from './workerProtocol';
import { modulesNearCap } from './wasmMemory';

export interface JobEvents {
  onMessage(message: WorkerToMain): void;
  /** The job ended without a `done` (the worker died or was restarted); `outOfMemory` when its heap limit was reached. */
  onLost(reason: string, outOfMemory: boolean): void;
}

export interface HostOptions {
  /** How long a cancelled job may take to stop before the worker is terminated and restarted. */
  cancelGraceMs: number;
  /** After a z3 check the job was waited for ends, how long it has to stop (default: cancelGraceMs). */
  afterCheckGraceMs?: number;
  log(message: string): void;
  /** Called when a worker has loaded its code (and started loading z3). */
  onWorkerReady?: () => void;
}

/**
 * The analysis worker's V8 heap is limited to 192 MB, so that V8 collects before the heap grows:
 * on `npm run bench:lsp` the server peaks at 248-268 MB until the edits while busy (313-330 MB over
 * the whole scenarios), against 380-406 MB (380-500 MB) with Node's default limit. The same limit
 * was tried when z3's checks ran on its own threads and was not kept: z3's WASM memory ran away or
 * z3 failed in 6 of 22 scenarios, most likely because collection finalizers released z3 objects
 * while a check ran; checks now run on the worker's own thread, where no finalizer runs during one
 * (solver.ts). A job that reaches the limit all the same loses its worker: the host restarts it,
 * and the server gives up on the function that was being analysed (PC508).
 */
const WORKER_HEAP_LIMIT_MB = 192;
const WORKER_RESOURCE_LIMITS = { maxOldGenerationSizeMb: process.env.PERFCONTRACT_TEST_EXHAUST_MEMORY ? 64 : WORKER_HEAP_LIMIT_MB };

/**
 * A z3 check on the worker's thread that has run this long is taken for hung: its resource limit
 * (at most 10,000,000 units, about 2.5 s of z3 work on a quiet machine) would have ended it long
 * before, even on a machine loaded many times over.
 */
const Z3_CHECK_HUNG_MS = 30_000;

/** How long shutting down waits for the worker to write its cache. */
const FLUSH_TIMEOUT_MS = 5000;

/**
 * The worker is replaced, between jobs, once a WebAssembly module's memory reaches this fraction
 * of its cap (tree-sitter's 2 GiB WASM memory, z3's memory ceiling): WASM memory never shrinks,
 * and a module at its cap fails instead of slowing down. PERFCONTRACT_TEST_RECYCLE_FRACTION lowers
 * it for the tests.
 */
const RECYCLE_FRACTION = Number(process.env.PERFCONTRACT_TEST_RECYCLE_FRACTION ?? 0.75);

export class AnalysisHost {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, JobEvents>();
  private readonly cancelTimers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;
  private cacheDirectory: string | undefined;
  private disposed = false;
  private readonly flushWaiters: (() => void)[] = [];
  /** Why the worker should be replaced at the next idle moment (a module near its memory cap). */
  private recycleWanted: string | undefined;
  /** Messages for the next worker while the old one writes its cache before it goes. */
  private waitingForWorker: MainToWorker[] | undefined;
  restarts = 0;
  /** Cancellation grace periods extended because the worker was inside a z3 check. */
  waitedForChecks = 0;
  /** The worker's z3 check probe (solver.ts `setZ3CheckProbe`): when its current check started, or 0. */
  private z3CheckProbe = new BigInt64Array(new SharedArrayBuffer(8));
  /** Workers replaced because a WebAssembly module neared its memory cap. */
  recycles = 0;

  constructor(private readonly options: HostOptions) {}

  /** Starts a job; returns its id. Messages for it go to `events` until `done`, `failed` or loss. */
  start(request: Omit<AnalyzeRequest, 'type' | 'id'>, events: JobEvents): number {
    const id = this.nextId++;
    this.jobs.set(id, events);
    this.send({ type: 'analyze', id, ...request });
    return id;
  }

  /** Starts a trace prediction (answered by `traceResult`, then `done`, or by `failed`); returns its id. */
  startTrace(request: Omit<TraceRequest, 'type' | 'id'>, events: JobEvents): number {
    const id = this.nextId++;
    this.jobs.set(id, events);
    this.send({ type: 'predictTrace', id, ...request });
    return id;
  }

  /** Asks the worker to stop a job; if it does not finish within the grace period, the worker is restarted. */
  cancel(id: number): void {
    if (!this.jobs.has(id) || this.cancelTimers.has(id)) return;
    this.send({ type: 'cancel', id });
    const cancelled = Date.now();
    let waitedForCheck = false;
    const rearm = (ms: number) => {
      const timer = setTimeout(expire, ms);
      timer.unref();
      this.cancelTimers.set(id, timer);
    };
    const expire = () => {
      this.cancelTimers.delete(id);
      if (!this.jobs.has(id)) return;
      // Inside a z3 check, which ends at its resource limit but cannot see the cancellation: wait
      // for it (a restart would only reload z3), unless it has run far past any resource limit.
      const checkStarted = Number(Atomics.load(this.z3CheckProbe, 0));
      if (checkStarted > 0 && Date.now() - checkStarted < Z3_CHECK_HUNG_MS) {
        this.waitedForChecks++;
        waitedForCheck = true;
        rearm(Math.min(this.options.cancelGraceMs, Z3_CHECK_HUNG_MS - (Date.now() - checkStarted)) + 50);
        return;
      }
      // The check the job was in has ended since: the job gets a whole grace period from here to
      // see the cancellation and wind up.
      if (waitedForCheck) {
        waitedForCheck = false;
        rearm(this.options.afterCheckGraceMs ?? this.options.cancelGraceMs);
        return;
      }
      const waited = Date.now() - cancelled;
      this.options.log(`analysis job ${id} did not stop within ${waited} ms${checkStarted > 0 ? ' (a z3 check ran past its resource limit)' : ''}; restarting the analysis worker`);
      this.restart(`job ${id} did not stop after cancellation`);
    };
    const timer = setTimeout(expire, this.options.cancelGraceMs);
    timer.unref();
    this.cancelTimers.set(id, timer);
  }

  /** How long the worker has been inside its current z3 check (ms), or undefined when it is not in one. */
  get z3CheckRunningMs(): number | undefined {
    const started = Number(Atomics.load(this.z3CheckProbe, 0));
    return started > 0 ? Date.now() - started : undefined;
  }

  /** Starts the worker now (it loads z3 at once) rather than with the first analysis. */
  startWorker(): void {
    if (!this.disposed) this.ensureWorker();
  }

  /** Where the worker keeps its on-disk cache (undefined: memory only). */
  setCacheDirectory(directory: string | undefined): void {
    this.cacheDirectory = directory;
    if (this.worker) this.send({ type: 'openCache', directory });
  }

  flushCache(): void {
    if (this.worker) this.send({ type: 'flushCache' });
  }

  get busy(): boolean {
    return this.jobs.size > 0;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const timer of this.cancelTimers.values()) clearTimeout(timer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      // The worker writes its cache after some idle time; it must be written before it goes.
      const flushed = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FLUSH_TIMEOUT_MS);
        this.flushWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      worker.postMessage({ type: 'flushCache' } satisfies MainToWorker);
      await flushed;
      await worker.terminate();
    }
  }

  private send(message: MainToWorker): void {
    if (this.waitingForWorker) this.waitingForWorker.push(message);
    else this.ensureWorker().postMessage(message);
  }

  /**
   * Replaces an idle worker whose WebAssembly memory neared its cap: the old worker writes its
   * cache and goes, then the next worker starts (and reads that cache). Jobs sent meanwhile wait
   * for it; the main thread keeps every document and its results, so nothing the editor shows is lost.
   */
  private recycleIfIdle(): void {
    const reason = this.recycleWanted;
    const old = this.worker;
    if (reason === undefined || this.jobs.size > 0 || !old || this.disposed) return;
    this.recycleWanted = undefined;
    this.recycles++;
    this.options.log(`replacing the analysis worker before its WebAssembly memory runs out: ${reason} (the limit is ${Math.round(RECYCLE_FRACTION * 100)}% of each cap); open documents and their results are kept`);
    this.worker = undefined;
    this.waitingForWorker = [];
    let done = false;
    const next = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void old.terminate();
      const waiting = this.waitingForWorker ?? [];
      this.waitingForWorker = undefined;
      if (this.disposed) return;
      this.ensureWorker();
      for (const message of waiting) this.send(message);
    };
    const timer = setTimeout(next, FLUSH_TIMEOUT_MS);
    timer.unref();
    old.removeAllListeners('message');
    old.on('message', (message: WorkerToMain) => {
      if (message.type === 'flushed') next();
    });
    old.on('exit', next);
    old.postMessage({ type: 'flushCache' } satisfies MainToWorker);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // Beside this file, so a bundle can ship dist/server.js and dist/analysisWorker.js together.
    // A new worker gets a new probe: a check of the one it replaces may still be running.
    this.z3CheckProbe = new BigInt64Array(new SharedArrayBuffer(8));
    const worker = new Worker(path.join(__dirname, 'analysisWorker.js'), { resourceLimits: WORKER_RESOURCE_LIMITS, workerData: { z3CheckProbe: this.z3CheckProbe.buffer } });
    this.worker = worker;
    worker.on('message', (message: WorkerToMain) => this.receive(message));
    worker.on('error', (error) => {
      const outOfMemory = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.options.log(`analysis worker failed: ${outOfMemory ? 'it ran out of memory (its V8 heap reached its limit)' : error.stack ?? error.message}`);
      if (this.worker === worker) {
        this.restart(outOfMemory ? 'the analysis worker ran out of memory' : `the analysis worker failed: ${error.message}`, outOfMemory);
      }
    });
    worker.on('exit', (code) => {
      // A worker that ends while shutting down (or while writing its cache) has nothing more to flush.
      if (this.disposed) for (const waiter of this.flushWaiters.splice(0)) waiter();
      if (this.worker === worker && !this.disposed) {
        this.options.log(`analysis worker exited with code ${code}`);
        this.restart(`the analysis worker exited with code ${code}`);
      }
    });
    worker.postMessage({ type: 'openCache', directory: this.cacheDirectory } satisfies MainToWorker);
    return worker;
  }

  private receive(message: WorkerToMain): void {
    if (message.type === 'ready') {
      this.options.onWorkerReady?.();
      return;
    }
    if (message.type === 'flushed') {
      for (const waiter of this.flushWaiters.splice(0)) waiter();
      return;
    }
    if (message.type === 'cacheOpened') {
      if (message.problem) this.options.log(`contract cache in ${message.directory}: ${message.problem}; it was rebuilt`);
      else if (message.directory) this.options.log(`contract cache in ${message.directory}: ${message.loaded} entries`);
      return;
    }
    if (message.type === 'memory') {
      const near = modulesNearCap(message.figures, RECYCLE_FRACTION);
      if (near.length > 0) {
        this.recycleWanted = near.join(', ');
        this.recycleIfIdle();
      }
      return;
    }
    if (message.type === 'solverFailure') {
      this.options.log(`z3 failed in the analysis worker (${message.message}); restarting it`);
      this.restart(`z3 failed in the analysis worker: ${message.message}`);
      return;
    }
    const events = this.jobs.get(message.id);
    if (!events) return;
    if (message.type === 'done' || message.type === 'failed') {
      this.jobs.delete(message.id);
      const timer = this.cancelTimers.get(message.id);
      if (timer) clearTimeout(timer);
      this.cancelTimers.delete(message.id);
    }
    events.onMessage(message);
    if (message.type === 'done' || message.type === 'failed') this.recycleIfIdle();
  }

  private restart(reason: string, outOfMemory = false): void {
    const worker = this.worker;
    this.worker = undefined;
    this.restarts++;
    if (worker) void worker.terminate();
    for (const timer of this.cancelTimers.values()) clearTimeout(timer);
    this.cancelTimers.clear();
    const lost = [...this.jobs.values()];
    this.jobs.clear();
    for (const events of lost) events.onLost(reason, outOfMemory);
  }
}
