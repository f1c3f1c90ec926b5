// The solver interface and its layers: z3 at the bottom, then a query cache and constraint independence on top.
import { init } from 'z3-solver';
import { BoolExpr, Expr, symbolsOf } from '../term/expr';
import { EMPTY_MODEL, Model } from '../term/model';

export type SatResult = 'sat' | 'unsat' | 'unknown';

export interface SolverStatistics {
  queries: number;
  cacheHits: number;
  z3Calls: number;
  z3Milliseconds: number;
  unknowns: number;
}

export interface Solver {
  /**
   * Checks whether all constraints can hold together; on sat, returns a model of them. `timeLeftMs`:
   * the caller's remaining time, which caps this query's own timeout (an analysis's time limit then
   * holds even when its last queries are hard).
   */
  check(constraints: BoolExpr[], signal?: AbortSignal, timeLeftMs?: number): Promise<{ result: SatResult; model?: Model }>;
  readonly statistics: SolverStatistics;
}

// ----- z3 -----

type Z3Context = Awaited<ReturnType<typeof init>>['Context'] extends (...args: never[]) => infer C ? C : never;
let z3Loading: Promise<{ context: Z3Context }> | undefined;
/** z3's estimate of the bytes it holds allocated, once loaded (for memory reports). */
let z3AllocatedBytes: (() => number) | undefined;

/** z3's own memory ceiling (MB); beyond it a query fails as unknown instead of growing the WASM heap. */
let z3MemoryMaxMb = 1200;

/**
 * Sets z3's memory ceiling for this process before z3 is first used (the WASM heap never shrinks,
 * so the ceiling is also the most z3 adds to the process's peak memory). A long-lived host with a
 * memory budget (the language server's worker) sets a lower one than the CLI's 1200 MB.
 */
export function setZ3MemoryLimitMb(mb: number): void {
  if (z3Loading) throw new Error('setZ3MemoryLimitMb must be called before z3 is first used');
  z3MemoryMaxMb = mb;
}
/**
 * z3's memory in this process: what it holds allocated now (its own estimate) and its ceiling
 * (`memory_max_size`), in bytes; undefined before z3 is loaded. A long-lived host watches it for
 * growth across analyses (z3 objects are released when their JS wrappers are collected).
 */
export function z3MemoryFigures(): { allocatedBytes: number; limitBytes: number } | undefined {
  if (!z3AllocatedBytes) return undefined;
  try {
    return { allocatedBytes: z3AllocatedBytes(), limitBytes: z3MemoryMaxMb * 1024 * 1024 };
  } catch {
    return undefined; // z3 failed in this process: nothing to report
  }
}

/**
 * z3 instances started again after a failure, at most; after that z3 is not used in this process.
 * 0: a fresh instance in the same process was seen to leave every query hanging until the
 * watchdog, so a failure gives z3 up at once and the host restarts the process or worker.
 */
const MAX_Z3_RESTARTS = 0;
/** The last failure of a z3 thread (seen: a stack overflow inside z3's internaliser). */
let z3Failure: Error | undefined;
let z3Restarts = 0;
let z3GivenUp = false;
/** Bumped when a failed z3 instance is replaced: solvers and terms of older instances are dropped. */
let z3Generation = 0;
let z3FailuresContained = false;
const z3FailureListeners = new Set<() => void>();

/**
 * An error thrown on one of z3's threads reaches Node as an uncaught exception and would end the
 * process. Such an error fails the pending queries instead (they answer unknown) and the next query
 * starts a fresh z3 instance; after MAX_Z3_RESTARTS, every later query answers unknown, so the
 * analysis finishes as incomplete. Every other uncaught exception keeps Node's behaviour.
 */
function containZ3ThreadFailures(): void {
  if (z3FailuresContained) return;
  z3FailuresContained = true;
  process.on('uncaughtException', (error: Error) => {
    if (/z3-built|z3-solver|Pthread|dec_ref/.test(`${error?.stack ?? ''} ${error?.message ?? ''}`)) {
      noteZ3Failure(error);
      return;
    }
    process.stderr.write(`${error?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}

/** Fails the pending queries and retires the z3 instance (see containZ3ThreadFailures). */
function noteZ3Failure(error: Error): void {
  z3Failure = error;
  for (const listener of z3FailureListeners) listener();
  if (z3Restarts < MAX_Z3_RESTARTS) {
    z3Restarts++;
    z3Generation++;
    z3Loading = undefined;
  } else {
    z3GivenUp = true;
  }
}

/** Set once z3 has failed too often to be started again in this process: a long-lived host restarts the process or worker. */
export function z3FailureMessage(): string | undefined {
  const times = z3Restarts + 1;
  return z3GivenUp ? `z3 failed ${times} time${times === 1 ? '' : 's'} and is no longer used in this process: ${z3Failure?.message ?? ''}` : undefined;
}

/** The part of Emscripten's thread pool (`Module.PThread` of the z3 build) that `awaitIdleZ3Thread` reads. */
interface Z3ThreadPool {
  unusedWorkers: unknown[];
  runningWorkers: unknown[];
  returnWorkerToPool(worker: unknown): void;
}

/** z3's thread pool, once z3 is loaded; undefined if the build does not expose it. */
let z3Threads: Z3ThreadPool | undefined;
/** Called whenever one of z3's threads has ended and its worker is back in the pool. */
const z3ThreadReturnListeners = new Set<() => void>();
/** How long a check waits for the previous check's thread to be back in the pool before it starts anyway. */
const Z3_THREAD_RETURN_WAIT_MS = 50;

/**
 * Each check runs on a fresh z3 thread, and each z3 thread is a Node worker with its own V8
 * isolate (about 15 MB) that is never released. A check started before the previous check's
 * thread is back in the pool (the answer can arrive before that thread's clean-up message) finds
 * the pool empty and makes the pool one worker larger for good. Waiting for the return, which
 * takes well under a millisecond and happens for about 2% of back-to-back checks, keeps the pool
 * at one worker.
 */
function awaitIdleZ3Thread(): Promise<void> | undefined {
  const pool = z3Threads;
  if (!pool || pool.unusedWorkers.length > 0 || pool.runningWorkers.length === 0) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      z3ThreadReturnListeners.delete(done);
      resolve();
    };
    const timer = setTimeout(done, Z3_THREAD_RETURN_WAIT_MS);
    z3ThreadReturnListeners.add(done);
  });
}

/** Makes the pool report returned workers (see awaitIdleZ3Thread); a build without the pool is left alone. */
function observeZ3ThreadPool(module: unknown): void {
  const pool = (module as { PThread?: Partial<Z3ThreadPool> }).PThread;
  if (!pool || !Array.isArray(pool.unusedWorkers) || !Array.isArray(pool.runningWorkers) || typeof pool.returnWorkerToPool !== 'function') return;
  const returnWorkerToPool = pool.returnWorkerToPool.bind(pool);
  pool.returnWorkerToPool = (worker: unknown) => {
    returnWorkerToPool(worker);
    for (const listener of [...z3ThreadReturnListeners]) listener();
  };
  z3Threads = pool as Z3ThreadPool;
}

/** z3's threads (Node workers, running or idle in the pool); undefined before z3 is loaded or if the build hides its pool. */
export function z3ThreadCount(): number | undefined {
  return z3Threads ? z3Threads.unusedWorkers.length + z3Threads.runningWorkers.length : undefined;
}

/**
 * A check on the calling thread answers through promises that are already settled, so an analysis
 * would run from start to end in microtasks, and its thread's messages (a cancellation from the
 * language server) and timers would wait for all of it. Checks let the event loop run at least
 * every YIELD_EVERY_MS.
 */
const YIELD_EVERY_MS = 10;
let lastYield = 0;

async function yieldNowAndThen(): Promise<void> {
  const now = performance.now();
  if (now - lastYield < YIELD_EVERY_MS) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  lastYield = performance.now();
}

/** z3 answered a call with an error code: the call failed, z3 itself is still usable. */
class Z3CallError extends Error {}

/** Answers one solver's check on the calling thread. */
type CheckOnThisThread = (solverPointer: unknown) => 'sat' | 'unsat' | 'unknown';

/**
 * Whether checks run on the calling thread (the default; see Z3Solver.check). With
 * PERFCONTRACT_Z3_THREADS=1 each check runs on one of z3's threads instead, as the bindings' async
 * `check` does, with a wall-clock watchdog per query; so does a build without the synchronous export.
 */
const CHECK_ON_Z3_THREADS = process.env.PERFCONTRACT_Z3_THREADS === '1';

function loadZ3(): Promise<{ context: Z3Context; checkNow?: CheckOnThisThread }> {
  if (!z3Loading) {
    z3Loading = (async () => {
      containZ3ThreadFailures();
      const api = await init();
      observeZ3ThreadPool(api.em);
      // Exhausting the WASM heap (2 GiB) aborts the whole process; z3's own limit fails the query instead.
      api.Z3.global_param_set('memory_max_size', String(z3MemoryMaxMb));
      z3AllocatedBytes = () => Number(api.Z3.get_estimated_alloc_size());
      const context = api.Context('perfcontract') as unknown as { ptr: unknown };
      const syncCheck = (api.em as unknown as { _Z3_solver_check?: (context: unknown, solver: unknown) => number })._Z3_solver_check;
      if (typeof syncCheck === 'function' && !CHECK_ON_Z3_THREADS) {
        const z3 = api.Z3 as unknown as { get_error_code(context: unknown): number; get_error_msg(context: unknown, code: number): string };
        const checkNow: CheckOnThisThread = (solverPointer) => {
          const answer = syncCheck(context.ptr, solverPointer);
          const code = z3.get_error_code(context.ptr);
          if (code !== 0) throw new Z3CallError(z3.get_error_msg(context.ptr, code));
          return answer === 1 ? 'sat' : answer === -1 ? 'unsat' : 'unknown';
        };
        return { context: context as unknown as Z3Context, checkNow };
      }
      // The JS bindings release z3 objects from garbage-collection finalizers, which can run while
      // a check is running on a z3 thread; without this, such releases corrupt z3's heap.
      (api.Z3 as unknown as { enable_concurrent_dec_ref(ctx: unknown): void }).enable_concurrent_dec_ref(context.ptr);
      // The first check starts z3's threads (about 70 ms): done here, so that preloading pays for it.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const warmUp = new (context as any).Solver();
      await warmUp.check();
      return { context: context as unknown as Z3Context };
    })();
  }
  return z3Loading;
}

/**
 * Loads z3 and starts its threads now, before the first query needs them (about 250 ms): a
 * long-lived host calls it when it starts, so that work overlaps with the editor's first requests.
 * A failure is reported by the first query, as without preloading.
 */
export function preloadZ3(): void {
  loadZ3().catch(() => undefined);
}

export interface Z3SolverOptions {
  /**
   * Milliseconds after which a query is abandoned as unknown. Enforced on our side (z3 is
   * interrupted), because z3's own timer thread has been seen to hang the WASM build.
   */
  timeoutMs: number;
  /** z3's deterministic resource limit per query (`rlimit`): the same query gives the same answer everywhere. */
  resourceLimit: number;
}

/**
 * z3 resource units per millisecond, to turn a query's timeout into a resource limit when checks run
 * on the calling thread (no timer can interrupt them). Measured on the 2-core benchmark machine: a
 * hard 64-bit multiplication ran out of 10,000,000 units after about 2.5 s.
 */
export const Z3_RESOURCE_UNITS_PER_MS = 4000;

/**
 * Shared with the thread that owns this one (the language server's main thread): while a check runs
 * on this thread, when it started (ms since the epoch), else 0. A check is bounded by its resource
 * limit but cannot see a cancellation, so the owner waits for it instead of taking the thread for hung.
 */
let checkProbe: BigInt64Array | undefined;

export function setZ3CheckProbe(probe: BigInt64Array | undefined): void {
  checkProbe = probe;
}

/** Deepest term sent to z3; deeper ones are answered unknown (z3's recursion overflows the WASM stack). */
export const MAX_Z3_DEPTH = 2000;

/** Sends queries to z3 (the WASM build); counts and times every call. */
export class Z3Solver implements Solver {
  readonly statistics: SolverStatistics = { queries: 0, cacheHits: 0, z3Calls: 0, z3Milliseconds: 0, unknowns: 0 };
  private readonly converted = new Map<number, unknown>();
  /** A check abandoned by the watchdog may still be running; nothing touches z3 until it ends. */
  private running: Promise<unknown> | undefined;
  /** Set when z3 did not come back from an interrupted check: every later query answers unknown. */
  private unresponsive = false;
  /**
   * True while a check runs on a z3 thread, including one the watchdog abandoned. A synchronous z3
   * call from this thread then waits for that check's lock, spinning: models answer 0 instead.
   */
  private busy = false;
  private generation = z3Generation;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private solver: any;
  /** The resource limit the solver is set to (it changes when a caller has less time left than a query's timeout). */
  private rlimit?: number;

  constructor(private readonly options: Z3SolverOptions) {}

  async check(constraints: BoolExpr[], signal?: AbortSignal, timeLeftMs?: number): Promise<{ result: SatResult; model?: Model }> {
    const { context, checkNow } = await loadZ3();
    if (this.generation !== z3Generation) {
      // z3 was started again after a failure: nothing of the old instance may be used.
      this.abandonSolver();
      this.generation = z3Generation;
    }
    if (z3GivenUp) this.unresponsive = true;
    if (this.running && !this.unresponsive) {
      // A check abandoned by the watchdog must end before z3 is used again. z3 runs on threads the
      // event loop does not wait for, so the wait holds a timer: it ends, or z3 is given up on.
      const finished = await waitAtMost(this.running, this.options.timeoutMs);
      if (!finished) this.unresponsive = true;
      else this.running = undefined;
    }
    if (this.unresponsive || constraints.some((c) => c.depth > MAX_Z3_DEPTH)) {
      // Very deep terms (long store chains) overflow z3's recursion in the WASM build and kill the
      // process; such queries are answered unknown instead.
      this.statistics.unknowns++;
      return { result: 'unknown' };
    }
    if (checkNow) await yieldNowAndThen();
    else await awaitIdleZ3Thread();
    if (signal?.aborted) return { result: 'unknown' };
    this.statistics.queries++;
    this.statistics.z3Calls++;
    const started = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const Z = context as any;
    // One solver for all queries, each in its own push/pop scope: about 4x faster than a new
    // solver per query in the WASM build (no solver set-up per call).
    // On the calling thread no timer can interrupt a check: the timeout (capped by the caller's time
    // left, at least 1 ms) becomes resource units.
    const timeoutMs = timeLeftMs === undefined ? this.options.timeoutMs : Math.max(1, Math.min(this.options.timeoutMs, Math.floor(timeLeftMs)));
    const rlimit = checkNow ? Math.min(this.options.resourceLimit, timeoutMs * Z3_RESOURCE_UNITS_PER_MS) : this.options.resourceLimit;
    if (!this.solver) {
      this.solver = new Z.Solver();
      this.solver.set('rlimit', rlimit);
      this.rlimit = rlimit;
    } else if (this.rlimit !== rlimit) {
      this.solver.set('rlimit', rlimit);
      this.rlimit = rlimit;
    }
    const solver = this.solver;
    solver.push();
    try {
      for (const constraint of constraints) solver.add(this.toZ3(Z, constraint));
    } catch {
      // A stale interrupt makes z3 refuse calls ("canceled"): this query is unknown, the next starts clean.
      this.abandonSolver();
      this.statistics.unknowns++;
      return { result: 'unknown' };
    }
    const { answer, z3Model } = checkNow ? this.checkHere(solver, checkNow) : await this.checkOnZ3Thread(Z, solver);
    if (z3GivenUp) this.unresponsive = true;
    this.statistics.z3Milliseconds += performance.now() - started;
    if (answer === 'unsat') return { result: 'unsat' };
    if (answer !== 'sat' || !z3Model) {
      this.statistics.unknowns++;
      return { result: 'unknown' };
    }
    return { result: 'sat', model: this.modelOf(Z, z3Model) };
  }

  /**
   * One check on this thread (z3's synchronous `Z3_solver_check`), bounded by the resource limit.
   * About a quarter less z3 time than checks on z3's threads on the NAT (no hand-over per query,
   * about 2.5 ms each), and nothing runs beside z3: no garbage-collection finalizer releases z3 objects during a
   * check, and no z3 thread (a Node worker with its own V8 isolate) is started. A trap inside z3's
   * code (such as a stack overflow) gives z3 up in this process, as a failure of one of its threads does.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private checkHere(solver: any, checkNow: CheckOnThisThread): { answer: string; z3Model?: any } {
    if (checkProbe) Atomics.store(checkProbe, 0, BigInt(Date.now()));
    try {
      const answer = checkNow(solver.ptr);
      const z3Model = answer === 'sat' ? solver.model() : undefined;
      solver.pop();
      return { answer, z3Model };
    } catch (error) {
      // z3 refusing a call (an error code) leaves it usable: this solver is dropped, the next query
      // starts clean. A trap (WebAssembly's RuntimeError, which Emscripten's abort also throws, or a
      // stack overflow's RangeError) leaves z3's state unknown.
      const trapped = error instanceof RangeError || (error as Error)?.constructor?.name === 'RuntimeError';
      if (!trapped) {
        this.abandonSolver();
        return { answer: 'unknown' };
      }
      noteZ3Failure(error as Error);
      this.abandonSolver();
      return { answer: 'unknown' };
    } finally {
      if (checkProbe) Atomics.store(checkProbe, 0, 0n);
    }
  }

  /** One check on one of z3's threads, with a wall-clock watchdog that interrupts it. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async checkOnZ3Thread(Z: any, solver: any): Promise<{ answer: string; z3Model?: any }> {
    let timer: NodeJS.Timeout | undefined;
    // The model is taken and the scope popped when z3 really finishes, even after the watchdog.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    this.busy = true;
    const checking: Promise<{ answer: string; z3Model?: any }> = (solver.check() as Promise<string>)
      .catch(() => 'unknown')
      .then((answer: string) => {
        this.busy = false;
        try {
          const z3Model = answer === 'sat' ? solver.model() : undefined;
          solver.pop();
          return { answer, z3Model };
        } catch {
          this.abandonSolver();
          return { answer: 'unknown' };
        }
      });
    this.running = checking;
    let onFailure: (() => void) | undefined;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const watchdog = new Promise<{ answer: string; z3Model?: any }>((resolve) => {
      timer = setTimeout(() => {
        try {
          Z.interrupt();
        } catch (error) {
          // Seen: "invalid dec_ref command" from the bindings' release queue. The instance is retired.
          noteZ3Failure(error as Error);
        }
        resolve({ answer: 'unknown' });
      }, this.options.timeoutMs);
      onFailure = () => resolve({ answer: 'unknown' });
      z3FailureListeners.add(onFailure);
    });
    const outcome = await Promise.race([checking, watchdog]);
    if (timer) clearTimeout(timer);
    z3FailureListeners.delete(onFailure!);
    return outcome;
  }

  /** Reads values out of a z3 model lazily, each once. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private modelOf(Z: any, z3Model: any): Model {
    const scalarCache = new Map<string, bigint>();
    const byteCache = new Map<string, bigint>();
    const model: Model = {
      // A value z3 refuses to give (a stale interrupt) reads as 0: the witness may then miss its
      // class, which the witness check reports; nothing else depends on it.
      scalar: (name, width) => {
        const key = `${name}/${width}`;
        let value = scalarCache.get(key);
        if (value === undefined) {
          value = this.busy ? 0n : evaluateOrZero(() => z3Model.eval(Z.BitVec.const(name, width), true).value());
          scalarCache.set(key, value);
        }
        return value;
      },
      byte: (name, index) => {
        const key = `${name}/${index}`;
        let value = byteCache.get(key);
        if (value === undefined) {
          value = this.busy ? 0n : evaluateOrZero(() => {
            const array = Z.Array.const(name, Z.BitVec.sort(64), Z.BitVec.sort(8));
            return z3Model.eval(array.select(Z.BitVec.val(index, 64)), true).value();
          });
          byteCache.set(key, value);
        }
        return value;
      },
    };
    return model;
  }

  /** Drops the solver and the converted terms, so the next query starts on a fresh solver. */
  private abandonSolver(): void {
    this.solver = undefined;
    this.converted.clear();
    this.running = undefined;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private toZ3(Z: any, e: Expr): any {
    const cached = this.converted.get(e.id);
    if (cached) return cached;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let result: any;
    if (e.sort === 'bool') {
      switch (e.op) {
        case 'true': result = Z.Bool.val(true); break;
        case 'false': result = Z.Bool.val(false); break;
        case 'not': result = Z.Not(this.toZ3(Z, e.arg)); break;
        case 'and': result = Z.And(...e.list.map((x) => this.toZ3(Z, x))); break;
        case 'or': result = Z.Or(...e.list.map((x) => this.toZ3(Z, x))); break;
        case 'cmp': {
          const a = this.toZ3(Z, e.args[0]);
          const b = this.toZ3(Z, e.args[1]);
          result = e.predicate === 'eq' ? a.eq(b) : e.predicate === 'ult' ? a.ult(b) : e.predicate === 'ule' ? a.ule(b) : e.predicate === 'slt' ? a.slt(b) : a.sle(b);
          break;
        }
      }
    } else if (e.sort === 'array') {
      switch (e.op) {
        case 'arraySymbol': result = Z.Array.const(e.name, Z.BitVec.sort(64), Z.BitVec.sort(8)); break;
        case 'arrayConst': {
          result = Z.Array.K(Z.BitVec.sort(64), Z.BitVec.val(0, 8));
          e.data.forEach((byte, index) => {
            if (byte !== 0) result = result.store(Z.BitVec.val(index, 64), Z.BitVec.val(byte, 8));
          });
          break;
        }
        case 'store': result = this.toZ3(Z, e.array).store(this.toZ3(Z, e.index), this.toZ3(Z, e.value)); break;
      }
    } else {
      switch (e.op) {
        case 'const': result = Z.BitVec.val(e.value, e.width); break;
        case 'symbol': result = Z.BitVec.const(e.name, e.width); break;
        case 'extract': result = Z.Extract(e.hi, e.lo, this.toZ3(Z, e.args[0])); break;
        case 'concat': result = Z.Concat(...e.args.map((x) => this.toZ3(Z, x))); break;
        case 'zext': result = this.toZ3(Z, e.args[0]).zeroExt(e.width - e.args[0].width); break;
        case 'sext': result = this.toZ3(Z, e.args[0]).signExt(e.width - e.args[0].width); break;
        case 'ite': result = Z.If(this.toZ3(Z, e.cond), this.toZ3(Z, e.args[0]), this.toZ3(Z, e.args[1])); break;
        case 'select': result = this.toZ3(Z, e.array).select(this.toZ3(Z, e.args[0])); break;
        default: {
          const a = this.toZ3(Z, e.args[0]);
          const b = this.toZ3(Z, e.args[1]);
          const methods: Record<string, string> = {
            add: 'add', sub: 'sub', mul: 'mul', udiv: 'udiv', sdiv: 'sdiv', urem: 'urem', srem: 'srem',
            and: 'and', or: 'or', xor: 'xor', shl: 'shl', lshr: 'lshr', ashr: 'shr',
          };
          result = a[methods[e.op]!](b);
        }
      }
    }
    this.converted.set(e.id, result);
    return result;
  }
}

function evaluateOrZero(evaluate: () => unknown): bigint {
  try {
    return BigInt(evaluate() as bigint | number | string);
  } catch {
    return 0n;
  }
}

/** Resolves true when `promise` settles within `ms`, false otherwise (a referenced timer keeps Node waiting). */
function waitAtMost(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    }, () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Slices a query down to the constraints that share symbols with the last one (the new branch
 * condition): the rest is already satisfied by the path's model. Caches answers per sliced query.
 */
export class IndependenceCachingSolver implements Solver {
  private readonly cache = new Map<string, { result: SatResult; model?: Model; names: ReadonlySet<string> }>();

  constructor(private readonly inner: Solver) {}

  get statistics(): SolverStatistics {
    return this.inner.statistics;
  }

  /** Answers held in the cache. */
  get cachedAnswers(): number {
    return this.cache.size;
  }

  async check(constraints: BoolExpr[], signal?: AbortSignal, timeLeftMs?: number): Promise<{ result: SatResult; model?: Model }> {
    const { result, model } = await this.checkSliced(constraints, signal, timeLeftMs);
    return { result, model };
  }

  /** Checks all constraints together, without slicing or the cache (for re-deriving a whole path's model). */
  checkWhole(constraints: BoolExpr[], signal?: AbortSignal): Promise<{ result: SatResult; model?: Model }> {
    return this.inner.check(constraints, signal);
  }

  /** Like check, but also says which symbols the returned model covers (the rest are unconstrained by the slice). */
  async checkSliced(constraints: BoolExpr[], signal?: AbortSignal, timeLeftMs?: number): Promise<{ result: SatResult; model?: Model; names: ReadonlySet<string> }> {
    const query = constraints[constraints.length - 1];
    if (!query) return { result: 'sat', model: EMPTY_MODEL, names: new Set() };
    if (query.op === 'false') return { result: 'unsat', names: new Set() };
    const names = new Set(symbolsOf(query));
    const chosen = new Set<number>([constraints.length - 1]);
    let grown = true;
    while (grown) {
      grown = false;
      constraints.forEach((constraint, index) => {
        if (chosen.has(index)) return;
        const symbols = symbolsOf(constraint);
        for (const s of symbols) {
          if (names.has(s)) {
            chosen.add(index);
            for (const t of symbols) names.add(t);
            grown = true;
            return;
          }
        }
      });
    }
    const sliced = [...chosen].sort((a, b) => a - b).map((i) => constraints[i]!);
    const key = sliced.map((c) => c.id).sort((a, b) => a - b).join(',');
    const cached = this.cache.get(key);
    if (cached) {
      this.inner.statistics.cacheHits++;
      this.inner.statistics.queries++;
      return cached;
    }
    const answer = await this.inner.check(sliced, signal, timeLeftMs);
    const entry = { ...answer, names };
    if (answer.result !== 'unknown') this.cache.set(key, entry);
    return entry;
  }
}
