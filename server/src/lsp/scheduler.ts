// Schedules the analyses of open documents on the worker: which documents are dirty, the debounce, which goes
// next, and each job from start to finish (its messages, progress, status, cancellation and watchdogs).
import * as path from 'path';
import { ProgressReporter, ResponseError } from './languageServerRuntime';
import type { Baselines } from './baselines';
import type { LensRefresher } from './codeLenses';
import { publishDiagnostics } from './diagnostics';
import { STATUS_NOTIFICATION } from './protocol';
import type { DocumentState, Results, ServerContext } from './serverContext';
import type { Outline } from './sourceOutline';
import type { WorkerToMain } from './workerProtocol';

type StatusState = 'analysing' | 'upToDate' | 'incomplete' | 'error';

/**
 * One document's analysis runs at a time. The server tells the scheduler what happened (a document
 * opened or was edited, a file changed); the scheduler marks the documents that need a new
 * analysis, stops stale jobs and starts the next one when the debounce is over. Between documents'
 * jobs, the worker analyses pending baselines.
 */
export class AnalysisScheduler {
  readonly statistics = { jobsStarted: 0, jobsCancelled: 0, jobsFailed: 0 };
  private debounce: NodeJS.Timeout | undefined;
  /** When a buffer was last edited: a cancelled job's successor waits out the debounce after it. */
  private lastEditAt = 0;
  private running: DocumentState | undefined;
  private progress: ProgressReporter | undefined;
  private jobWatchdog: NodeJS.Timeout | undefined;
  private settingsReady = false;
  /** Line ranges (0-based, inclusive) of each document on screen, from `perfcontract/visibleRanges`. */
  private readonly visibleLines = new Map<string, { start: number; end: number }[]>();

  constructor(private readonly context: ServerContext, private readonly lenses: LensRefresher, private readonly baselines: Baselines) {}

  /** The first settings are read: analyses may start. */
  ready(): void {
    this.settingsReady = true;
  }

  /** Records the lines of a document on screen: its functions there are analysed first. */
  setVisibleLines(uri: string, ranges: { start: number; end: number }[]): void {
    this.visibleLines.set(uri, ranges);
  }

  /** A document was opened: it is analysed at once, before others. */
  opened(state: DocumentState): void {
    this.touch(state.document.path);
    this.yieldTo(state);
    this.schedule(0);
  }

  /** A document's buffer was edited. */
  edited(state: DocumentState): void {
    state.touched = Date.now();
    state.lostRuns = 0;
    // The first edit after a quiet spell, with the worker idle, is analysed at once; edits that
    // follow it closely (typing) wait for the debounce.
    const quiet = Date.now() - this.lastEditAt > this.context.settings.debounceMs && !this.running;
    this.lastEditAt = Date.now();
    this.touch(state.document.path);
    this.yieldTo(state);
    this.schedule(quiet ? 0 : undefined);
  }

  /** A document closed: its job, if any, stops (not counted as a cancellation). */
  stop(state: DocumentState): void {
    if (state.job) this.context.host.cancel(state.job.id);
  }

  /** A file's text changed: every document whose unit read it needs a new analysis; stale jobs stop. */
  touch(filePath: string): void {
    for (const state of this.context.documents.values()) {
      const reads = state.document.path === filePath || (state.latest?.filesRead.includes(filePath) ?? false) || (state.building?.filesRead.includes(filePath) ?? false);
      if (reads) this.invalidate(state);
    }
  }

  /** The user works on `active`: a long analysis of another document stops, to resume after the active one's. */
  private yieldTo(active: DocumentState): void {
    const running = this.running;
    if (running && running !== active && running.job) this.invalidate(running);
  }

  invalidate(state: DocumentState): void {
    state.dirty = true;
    if (state.job) {
      this.statistics.jobsCancelled++;
      this.context.host.cancel(state.job.id);
    }
  }

  schedule(delay = this.context.settings.debounceMs): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.guard(() => this.startNext());
    }, delay);
  }

  /** At shutdown: no job starts any more. */
  dispose(): void {
    if (this.debounce) clearTimeout(this.debounce);
  }

  private startNext(): void {
    if (this.running || !this.settingsReady) return;
    const { documents, host, settings } = this.context;
    // Documents with no results at all go first (their first diagnostics), then the most recently touched.
    const next = [...documents.values()].filter((s) => s.dirty).sort((a, b) => Number(a.latest !== undefined) - Number(b.latest !== undefined) || b.touched - a.touched)[0];
    if (!next) {
      this.baselines.startBaselineJob();
      return;
    }
    // A baseline waits for idle time: the user's document goes first, the baseline runs again after it.
    if (this.baselines.preemptBaselineJob()) return;
    next.dirty = false;
    const { document } = next;
    const outline = next.outline.outline;
    const index = this.context.index;
    const openOutlines = new Map<string, Outline>([...documents.values()].map((s) => [s.document.path, s.outline.outline]));
    const files = index ? index.unitFor(document.path, outline, openOutlines) : [document.path];
    const own = outline.functions.map((f) => f.name);
    // Direct callees defined in the unit's other files also get contracts, for hovers on calls.
    const callees = [...new Set(outline.functions.flatMap((f) => f.calls))].filter((n) => !own.includes(n) && files.length > 1);
    const libraryDefined = new Set(files.slice(1).flatMap((f) => index?.outlineFor(f, openOutlines)?.functions.map((g) => g.name) ?? []));
    const textOf = (name: string) => functionText(next, name);
    for (const [name, text] of next.overran) if (textOf(name) !== text) next.overran.delete(name);
    for (const [name, text] of next.outOfMemory) if (textOf(name) !== text) next.outOfMemory.delete(name);
    const overran = [...next.overran.keys()];
    const outOfMemory = [...next.outOfMemory.keys()];
    const entries = [...new Set([...own, ...callees.filter((n) => libraryDefined.has(n))])].filter((n) => !next.overran.has(n) && !next.outOfMemory.has(n));
    const overlay = this.context.overlay();
    const { options, problems } = this.context.optionsFor(next);
    next.unit = { files, options };
    const version = document.version;
    const building: Results = {
      version, contracts: new Map(), engineDiagnostics: [], functions: [], filesRead: [], recomputed: [], reused: [], heldOver: [], milliseconds: 0, problems, overran, outOfMemory, declared: new Map(),
      fingerprints: new Map(), partial: new Map(),
    };
    // The worker sends only the names of cached contracts this document's last results hold already.
    const held: Record<string, string> = {};
    for (const [name, fingerprint] of next.latest?.fingerprints ?? []) if (next.latest?.contracts.has(name)) held[name] = fingerprint;
    next.building = building;
    this.running = next;
    this.statistics.jobsStarted++;
    this.context.mark('first analysis started');
    const started = Date.now();
    this.status('analysing', `analysing ${path.basename(document.path)}`, document.uri);
    const x86 = settings.x86.enabled ? { cflags: settings.x86.cflags, init: settings.x86.init } : undefined;
    const heldBy = next.latest;
    const visible = outline.functions.filter((f) => {
      const first = document.positionAt(f.start).line;
      const last = document.positionAt(f.end).line;
      return (this.visibleLines.get(document.uri) ?? []).some((r) => first <= r.end && last >= r.start);
    }).map((f) => f.name);
    const id = host.start({ files, overlay, entries, options, held, visible, ...(x86 ? { x86 } : {}) }, {
      onMessage: (message) => this.guard(() => this.onJobMessage(next, id, message, heldBy)),
      onLost: (reason, outOfMemory) => this.guard(() => this.finishJob(next, id, { kind: 'lost', reason, outOfMemory })),
    });
    // One function far past its limits is given up on: the job is cancelled and restarted without it.
    const functionLimitMs = options.execution.timeLimitMs + 2 * options.solverTimeoutMs + 10_000;
    next.job = { id, version, started, pending: [], lastProgress: Date.now(), functionLimitMs };
    const check = setInterval(() => {
      const job = next.job;
      if (job?.id !== id) {
        clearInterval(check);
        return;
      }
      const current = job.pending[0];
      if (current === undefined || Date.now() - job.lastProgress <= job.functionLimitMs) return;
      clearInterval(check);
      this.context.connection.console.log(`the analysis of '${current}' ran ${Date.now() - job.lastProgress} ms (limit ${options.execution.timeLimitMs} ms); giving up on it`);
      next.overran.set(current, textOf(current));
      this.invalidate(next);
    }, 500);
    check.unref();
    // A job far past its limits is stopped (and the worker restarted if it does not stop).
    const limit = (options.execution.timeLimitMs + 2 * options.solverTimeoutMs) * Math.max(1, entries.length) + 30_000;
    this.jobWatchdog = setTimeout(() => {
      if (next.job?.id === id) {
        this.context.connection.console.log(`analysis of ${document.path} exceeded ${limit} ms; stopping it`);
        host.cancel(id);
      }
    }, limit);
    this.jobWatchdog.unref();
  }

  private onJobMessage(state: DocumentState, id: number, message: WorkerToMain, heldBy: Results | undefined): void {
    if (state.job?.id !== id || !state.building) return;
    const building = state.building;
    if (message.type === 'unit') {
      this.context.mark('first unit parsed (diagnostics, cached contracts)');
      building.engineDiagnostics = message.diagnostics;
      building.functions = message.functions;
      building.filesRead = message.filesRead;
      building.declared = new Map(Object.entries(message.declared));
      for (const contract of message.contracts) building.contracts.set(contract.name, contract);
      for (const name of message.unchanged) {
        const held = heldBy?.contracts.get(name);
        if (held) {
          building.contracts.set(name, held);
          building.heldOver.push(name);
        }
      }
      for (const [name, fingerprint] of Object.entries(message.fingerprints)) building.fingerprints.set(name, fingerprint);
      building.recomputed.push(...message.recomputed);
      building.reused.push(...[...message.contracts.map((c) => c.name), ...message.unchanged].filter((n) => !message.recomputed.includes(n)));
      if (state.job) {
        state.job.pending = [...message.pending];
        state.job.lastProgress = Date.now();
      }
      if (message.pending.length > 0 && this.context.clientCapabilities.progress) void this.beginProgress(message.pending.length);
      publishDiagnostics(this.context, this.baselines, state, building);
      // Other open documents still without any diagnostics get theirs before this job's long part
      // (one analysis per function, up to the time limit each): otherwise files opened together
      // waited for each other's whole analyses (47-58 s for the third of three NF files).
      const waiting = [...this.context.documents.values()].filter((s) => s !== state && !s.internal && s.dirty && s.latest === undefined);
      if (waiting.length > 0 && message.pending.length > 0) {
        this.context.connection.console.log(`${path.basename(state.document.path)}: its functions are analysed after the first diagnostics of ${waiting.map((s) => path.basename(s.document.path)).join(', ')}`);
        state.latest = building; // this version's diagnostics and cached contracts stay at hand meanwhile
        this.invalidate(state);
      }
    } else if (message.type === 'partial') {
      // Not progress for the overrun guard: a function past its time limit still posts partial results.
      building.partial.set(message.partial.name, message.partial);
      if (functionFile(state, message.partial.name) === state.document.path) this.lenses.refresh();
    } else if (message.type === 'contract') {
      this.context.mark('first contract computed');
      building.partial.delete(message.contract.name);
      building.contracts.set(message.contract.name, message.contract);
      if (message.fingerprint) building.fingerprints.set(message.contract.name, message.fingerprint);
      else building.fingerprints.delete(message.contract.name);
      if (state.job) {
        state.job.pending = state.job.pending.filter((n) => n !== message.contract.name);
        state.job.lastProgress = Date.now();
      }
      this.progress?.report(`${message.contract.name} done`);
      publishDiagnostics(this.context, this.baselines, state, building);
      // A lens appears as soon as its function's contract is there, not when the whole job ends.
      if (message.contract.file === state.document.path) this.lenses.refresh();
    } else if (message.type === 'done') {
      building.milliseconds = message.milliseconds;
      building.recomputed = [...new Set([...building.recomputed, ...message.recomputed])];
      this.finishJob(state, id, message.cancelled ? { kind: 'cancelled' } : { kind: 'done' });
    } else if (message.type === 'failed') {
      building.failure = message.message;
      building.filesRead = message.filesRead;
      this.finishJob(state, id, { kind: 'failed' });
    }
  }

  private finishJob(state: DocumentState, id: number, outcome: { kind: 'done' | 'cancelled' | 'failed' } | { kind: 'lost'; reason: string; outOfMemory?: boolean }): void {
    if (state.job?.id !== id) return;
    if (this.jobWatchdog) clearTimeout(this.jobWatchdog);
    const building = state.building!;
    // A function whose analysis ran out of memory is given up on (PC508) and the job runs again
    // without it; one lost before any function started is retried once like any other loss.
    const exhausted = outcome.kind === 'lost' && outcome.outOfMemory ? state.job.pending[0] : undefined;
    if (exhausted !== undefined) {
      this.context.connection.console.log(`the analysis of '${exhausted}' ran out of memory; giving up on it until it changes`);
      state.outOfMemory.set(exhausted, functionText(state, exhausted));
    }
    state.job = undefined;
    state.building = undefined;
    this.running = undefined;
    this.progress?.done();
    this.progress = undefined;
    const retry = outcome.kind === 'lost' && !state.dirty && (exhausted !== undefined || state.lostRuns < 1);
    if (outcome.kind === 'lost') {
      this.context.connection.console.log(`analysis of ${state.document.path} was lost (${outcome.reason})${retry ? (exhausted !== undefined ? `; running it again without '${exhausted}'` : '; retrying once on a fresh worker') : ''}`);
      if (exhausted === undefined) state.lostRuns++;
    }
    if (outcome.kind === 'cancelled' || (outcome.kind === 'lost' && state.dirty) || retry) {
      // A newer version is waiting (or the lost run is retried): that analysis will publish.
      state.dirty = true;
    } else {
      if (outcome.kind !== 'lost') state.lostRuns = 0;
      if (outcome.kind === 'lost') {
        building.failure = outcome.reason;
        this.statistics.jobsFailed++;
      }
      if (outcome.kind === 'failed') this.statistics.jobsFailed++;
      state.latest = building;
      publishDiagnostics(this.context, this.baselines, state, building);
      const incomplete = [...building.contracts.values()].filter((c) => !c.complete).map((c) => c.name);
      if (building.failure) this.status('error', `analysis of ${path.basename(state.document.path)} failed: ${building.failure}`, state.document.uri);
      else if (incomplete.length > 0) this.status('incomplete', `${path.basename(state.document.path)}: incomplete contracts for ${incomplete.join(', ')}`, state.document.uri);
      else this.status('upToDate', `${path.basename(state.document.path)}: ${building.contracts.size} contracts up to date`, state.document.uri);
      if (!state.internal && !state.dirty) this.baselines.updateBaseline(state);
      this.lenses.refresh(true);
      if (!state.dirty) for (const waiter of state.waiters.splice(0)) waiter();
    }
    // A job cancelled by an edit is followed once the debounce after that edit is over.
    const sinceEdit = Date.now() - this.lastEditAt;
    if (sinceEdit < this.context.settings.debounceMs) this.schedule(this.context.settings.debounceMs - sinceEdit);
    else this.startNext();
  }

  private async beginProgress(total: number): Promise<void> {
    try {
      const reporter = await this.context.connection.window.createWorkDoneProgress();
      if (!this.running) return; // finished meanwhile: nothing to begin or end
      this.progress?.done();
      this.progress = reporter;
      reporter.begin('perfcontract', undefined, `analysing ${total} function${total === 1 ? '' : 's'}`);
    } catch {
      // The client declined a progress token; the status notification still tells the story.
    }
  }

  private status(state: StatusState, message: string, uri?: string): void {
    void this.context.connection.sendNotification(STATUS_NOTIFICATION, { state, message, ...(uri ? { uri } : {}) });
  }

  /** Runs a handler; an exception is logged instead of taking the server down. */
  private guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      this.context.connection.console.error(`perfcontract server error: ${(error as Error).stack ?? String(error)}`);
    }
  }
}

/** The file that defines a function of the running analysis (from the lowered program's summary). */
function functionFile(state: DocumentState, name: string): string | undefined {
  return state.building?.functions.find((f) => f.name === name)?.file;
}

/** A function's text in the document's buffer (its name when the outline does not have it). */
function functionText(state: DocumentState, name: string): string {
  const fn = state.outline.outline.functions.find((f) => f.name === name);
  return fn ? state.document.text.slice(fn.start, fn.end) : name;
}
