// The perfcontract language server: keeps open C buffers analysed in a worker thread and serves diagnostics, hovers, code lenses and commands.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileURLToPath } from 'url';
import {
  CancellationToken, CodeLens, CodeLensParams, Connection, createStdioOrIpcConnection, DidChangeConfigurationParams, DidChangeParams,
  DidChangeWatchedFilesParams, DidCloseParams, DidOpenParams, ErrorCodes, ExecuteCommandParams, Hover, InitializeParams, ProgressReporter,
  ResponseError, TextDocumentPositionParams, TextDocumentSyncKind, WorkspaceFoldersChangeEvent,
} from './languageServerRuntime';
import type { Diagnostic as EngineDiagnostic } from '../core/analysis';
import type { FunctionContract } from '../core/contract/contract';
import { renderMarkdown } from '../core/contract/renderMarkdown';
import { AnalysisHost } from './analysisHost';
import { BaselineError, extractRevision, git, gitRoot, isSavedContractSpec, readSavedContracts, resolveRevision, RevisionTree } from '../cli/baseline';
import {
  baselineLensTitle, diagnosticsFor, evaluateClass, functionHover, lensTitle, loopHover, ServerCodes, splitOrigin, worstCaseReport,
} from './contractPresentation';
import { compileFlagsFor, parseSettings, readFileOrUndefined, ServerSettings, DEFAULT_SETTINGS } from './serverSettings';
import { functionAt, IncrementalOutline, loadOutlineParser, Outline } from './sourceOutline';
import { EditorDocument, PositionEncoding, Position } from './textDocument';
import { WorkspaceIndex } from './workspaceIndex';
import { startMemoryLog } from './memoryLog';
import { installSafetyNet, runNotification, runRequest } from './safetyNet';
import type { FunctionSummary, PartialContract, WorkerAnalysisOptions, WorkerToMain } from './workerProtocol';

export const Commands = {
  generateContract: 'perfcontract.server.generateContract',
  showWorstCase: 'perfcontract.server.showWorstCase',
  evaluateClass: 'perfcontract.server.evaluateClass',
  functionAt: 'perfcontract.server.functionAt',
} as const;

export const STATUS_NOTIFICATION = 'perfcontract/status';
export const LAST_ANALYSIS_REQUEST = 'perfcontract/lastAnalysis';
/** The contracts of a document and of a baseline (a git revision or a saved contract), for side-by-side views (docs/lsp.md). */
export const COMPARE_REQUEST = 'perfcontract/compare';
/** Distil a pcap trace on a packet handler and predict the workload it induces (docs/lsp.md). */
export const PREDICT_TRACE_REQUEST = 'perfcontract/predictTrace';
/** The lines of a document on screen (client -> server notification): its functions there are analysed first. */
export const VISIBLE_RANGES_NOTIFICATION = 'perfcontract/visibleRanges';
/** Least time between two code lens refreshes while a job's contracts arrive one by one. */
const LENS_REFRESH_INTERVAL_MS = 250;

type StatusState = 'analysing' | 'upToDate' | 'incomplete' | 'error';

/** The code lens title of a function whose first contract is still being computed. */
export const ANALYSING_LENS = 'analysing...';

/** The results of one finished (or, while `building`, running) analysis of a document. */
interface Results {
  version: number;
  contracts: Map<string, FunctionContract>;
  engineDiagnostics: EngineDiagnostic[];
  functions: FunctionSummary[];
  filesRead: string[];
  failure?: string;
  recomputed: string[];
  reused: string[];
  /** Reused contracts the worker did not send again: the previous results held them under the same cache key. */
  heldOver: string[];
  milliseconds: number;
  problems: { message: string; code: string }[];
  /** Functions the server stopped because they ran far past their time limit. */
  overran: string[];
  /** Functions whose analysis ran out of memory (the worker's heap limit). */
  outOfMemory: string[];
  /** Callees whose calls use their declared contract: name -> hover Markdown. */
  declared: Map<string, string>;
  /** The worker's fingerprint of each contract that has one (the engine's cache key): the job after this one need not send it again. */
  fingerprints: Map<string, string>;
  /** Functions being analysed now: what their analysis found so far (replaced by their contract). */
  partial: Map<string, PartialContract>;
}

interface DocumentState {
  document: EditorDocument;
  outline: IncrementalOutline;
  /** Opened by a command, not by the client: no diagnostics are published for it. */
  internal: boolean;
  latest?: Results;
  building?: Results;
  job?: { id: number; version: number; started: number; pending: string[]; lastProgress: number; functionLimitMs: number };
  dirty: boolean;
  /** When the user last opened or edited it: the most recent goes first. */
  touched: number;
  /** Analyses of this version lost to a worker failure (retried once on a fresh worker). */
  lostRuns: number;
  /** Functions given up on (name -> their text then): left out until their text changes. */
  overran: Map<string, string>;
  /** The same for functions whose analysis ran out of memory. */
  outOfMemory: Map<string, string>;
  /** Resolved when the document's analysis finishes (or is superseded). */
  waiters: (() => void)[];
  /** The files and options of its last analysis: what a baseline analyses at the revision. */
  unit?: { files: string[]; options: WorkerAnalysisOptions };
}

/**
 * A document's baseline (the `perfcontract.baseline` setting): its contracts at a git revision or
 * in a saved contract file, which the lenses and PC509 compare with. `key` names what it was
 * computed from (the commit, the unit's files and options), so that it is computed again only
 * when one of them changes, never on an edit.
 */
interface BaselineState {
  key: string;
  label: string;
  contracts?: Map<string, FunctionContract>;
  error?: string;
  /** Waiting for the worker to be idle. */
  pending: boolean;
}

/** Starts the server on `connection`, or on the transport named on the command line (`--stdio`, `--node-ipc`). */
export function startServer(connection: Connection = createStdioOrIpcConnection()): Connection {
  // Installed here, the one function every way of starting the server calls (the CLI's `lsp`, the
  // extension's bundle, `node main.js`), before any message is handled.
  installSafetyNet((line) => {
    try {
      connection.console.error(line);
    } catch {
      // The connection may be closed; the line also goes to stderr.
    }
  });
  const server = new PerfcontractServer(connection);
  startMemoryLog('main');
  server.register();
  connection.listen();
  return connection;
}

class PerfcontractServer {
  private readonly documents = new Map<string, DocumentState>();
  private settings: ServerSettings = DEFAULT_SETTINGS;
  private settingProblems: string[] = [];
  private encoding: PositionEncoding = 'utf-16';
  private roots: string[] = [];
  private index: WorkspaceIndex | undefined;
  private parser: Awaited<ReturnType<typeof loadOutlineParser>> | undefined;
  private readonly host: AnalysisHost;
  private debounce: NodeJS.Timeout | undefined;
  /** When a buffer was last edited: a cancelled job's successor waits out the debounce after it. */
  private lastEditAt = 0;
  private running: DocumentState | undefined;
  private clientCapabilities = { configuration: false, progress: false, codeLensRefresh: false, watchedFilesRegistration: false };
  private progress: ProgressReporter | undefined;
  private readonly statistics = { jobsStarted: 0, jobsCancelled: 0, jobsFailed: 0 };
  private jobWatchdog: NodeJS.Timeout | undefined;
  private settingsReady = false;
  /** When the client was last asked to refresh its code lenses, and the refresh waiting for its turn. */
  private lastLensRefreshAt = 0;
  private lensRefresh: NodeJS.Timeout | undefined;
  private readonly baselines = new Map<string, BaselineState>();
  /** The analysis of the setting's baseline running in the worker (only while no document waits). */
  private baselineJob: { id: number; uri: string } | undefined;
  /** Revision folders extracted by this server, deleted at shutdown. */
  private readonly revisionFolders = new Set<string>();
  /** Line ranges (0-based, inclusive) of each document on screen, from `perfcontract/visibleRanges`. */
  private readonly visibleLines = new Map<string, { start: number; end: number }[]>();
  /** Timeline steps already logged (each once per server). */
  private readonly marked = new Set<string>();

  constructor(private readonly connection: Connection) {
    this.host = new AnalysisHost({ cancelGraceMs: 3000, log: (m) => this.connection.console.log(m), onWorkerReady: () => this.mark('analysis worker loaded') });
  }

  register(): void {
    const c = this.connection;
    c.onInitialize(this.request('initialize', async (params: InitializeParams) => {
      this.mark('initialize received');
      const offered = params.capabilities.general?.positionEncodings ?? [];
      this.encoding = offered.includes('utf-8') ? 'utf-8' : 'utf-16';
      this.clientCapabilities = {
        configuration: params.capabilities.workspace?.configuration === true,
        progress: params.capabilities.window?.workDoneProgress === true,
        codeLensRefresh: params.capabilities.workspace?.codeLens?.refreshSupport === true,
        watchedFilesRegistration: params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      };
      const folders = params.workspaceFolders?.map((f) => fileURLToPath(f.uri)) ?? (params.rootUri ? [fileURLToPath(params.rootUri)] : []);
      this.roots = folders;
      const fromOptions = (params.initializationOptions as { settings?: unknown } | undefined)?.settings;
      if (fromOptions !== undefined) this.applySettings(fromOptions);
      this.parser = await loadOutlineParser();
      this.index = new WorkspaceIndex(this.parser, this.roots);
      this.host.setCacheDirectory(this.cacheDirectory());
      // Loading z3 takes about a quarter of a second: the worker does it while the client opens files.
      this.host.startWorker();
      const result = {
        capabilities: {
          positionEncoding: this.encoding,
          textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
          hoverProvider: true,
          codeLensProvider: { resolveProvider: false },
          executeCommandProvider: { commands: Object.values(Commands) },
          workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        },
        serverInfo: { name: 'perfcontract', version: '0.1.0' },
      };
      this.mark('initialize answered');
      return result;
    }));
    c.onInitialized(this.notification('initialized', async () => {
      if (this.clientCapabilities.watchedFilesRegistration) {
        void c.client.register('workspace/didChangeWatchedFiles', { watchers: [{ globPattern: '**/*.{c,h,json}' }] }).catch(() => undefined);
      }
      await this.pullSettings();
      this.host.setCacheDirectory(this.cacheDirectory());
      // Analyses wait for the first settings, so a document opened meanwhile is analysed once, with them.
      this.settingsReady = true;
      this.mark('settings read');
      this.schedule(0);
    }));
    c.onDidChangeConfiguration(this.notification('workspace/didChangeConfiguration', async (params: DidChangeConfigurationParams) => {
      // Every result is stale from now on, even while the new settings are being fetched.
      for (const state of this.documents.values()) this.invalidate(state);
      const pushed = (params.settings as { perfcontract?: unknown } | undefined)?.perfcontract;
      if (this.clientCapabilities.configuration) await this.pullSettings();
      else if (pushed !== undefined) this.applySettings(pushed);
      this.host.setCacheDirectory(this.cacheDirectory());
      for (const state of this.documents.values()) this.invalidate(state);
      this.schedule();
    }));
    c.onNotification('workspace/didChangeWorkspaceFolders', this.notification('workspace/didChangeWorkspaceFolders', (params: { event: WorkspaceFoldersChangeEvent }) => {
      const event = params.event;
      this.roots = [...this.roots.filter((r) => !event.removed.some((f) => fileURLToPath(f.uri) === r)), ...event.added.map((f) => fileURLToPath(f.uri))];
      this.index?.setRoots(this.roots);
    }));
    c.onDidOpenTextDocument(this.notification('textDocument/didOpen', (params: DidOpenParams) => {
      this.mark('first document opened');
      const filePath = pathOfUri(params.textDocument.uri);
      const existing = this.documents.get(params.textDocument.uri);
      existing?.outline.dispose();
      const document = new EditorDocument(params.textDocument.uri, filePath, params.textDocument.version, params.textDocument.text, this.encoding);
      const outline = new IncrementalOutline(this.parser!);
      outline.update(document.text, undefined);
      const state: DocumentState = { document, outline, internal: false, dirty: true, touched: Date.now(), lostRuns: 0, overran: existing?.overran ?? new Map(), outOfMemory: existing?.outOfMemory ?? new Map(), waiters: existing?.waiters ?? [] };
      this.documents.set(params.textDocument.uri, state);
      this.index?.invalidate();
      this.touch(filePath);
      this.yieldTo(state);
      this.schedule(0);
    }));
    c.onDidChangeTextDocument(this.notification('textDocument/didChange', (params: DidChangeParams) => {
      const state = this.documents.get(params.textDocument.uri);
      if (!state) return;
      const edits = state.document.applyChanges(params.contentChanges, params.textDocument.version);
      state.outline.update(state.document.text, edits);
      state.touched = Date.now();
      state.lostRuns = 0;
      // The first edit after a quiet spell, with the worker idle, is analysed at once; edits that
      // follow it closely (typing) wait for the debounce.
      const quiet = Date.now() - this.lastEditAt > this.settings.debounceMs && !this.running;
      this.lastEditAt = Date.now();
      this.touch(state.document.path);
      this.yieldTo(state);
      this.schedule(quiet ? 0 : undefined);
    }));
    c.onDidCloseTextDocument(this.notification('textDocument/didClose', (params: DidCloseParams) => {
      const state = this.documents.get(params.textDocument.uri);
      if (!state) return;
      if (state.job) this.host.cancel(state.job.id);
      state.outline.dispose();
      this.documents.delete(params.textDocument.uri);
      for (const waiter of state.waiters.splice(0)) waiter();
      c.sendDiagnostics({ uri: params.textDocument.uri, diagnostics: [] });
      // Other units may have read the buffer; they now read the file on disk.
      this.touch(state.document.path);
      this.schedule();
    }));
    c.onDidSaveTextDocument(this.notification('textDocument/didSave', (event: { textDocument: { uri: string } }) => {
      this.index?.invalidate();
      // x86 metrics are grounded on the files as saved: a save brings them up to date.
      const saved = this.documents.get(event.textDocument.uri);
      if (this.settings.x86.enabled && saved) {
        this.invalidate(saved);
        this.schedule();
      }
    }));
    c.onDidChangeWatchedFiles(this.notification('workspace/didChangeWatchedFiles', (params: DidChangeWatchedFilesParams) => {
      for (const change of params.changes) {
        const filePath = pathOfUri(change.uri);
        this.index?.invalidate(filePath);
        if ([...this.documents.values()].some((s) => s.document.path === filePath && !s.internal)) continue; // the buffer wins
        this.touch(filePath);
      }
      this.schedule();
    }));
    c.onHover(this.request('textDocument/hover', (params: TextDocumentPositionParams) => this.hover(params.textDocument.uri, params.position)));
    c.onCodeLens(this.request('textDocument/codeLens', (params: CodeLensParams) => this.codeLenses(params.textDocument.uri)));
    c.onExecuteCommand(this.request('workspace/executeCommand', (params: ExecuteCommandParams, token: CancellationToken) => this.executeCommand(params.command, params.arguments ?? [], token)));
    c.onRequest(LAST_ANALYSIS_REQUEST, this.request(LAST_ANALYSIS_REQUEST, (params: { uri: string }) => {
      const state = this.documents.get(params.uri);
      const latest = state?.latest;
      return {
        version: latest?.version ?? null, recomputed: latest?.recomputed ?? [], reused: latest?.reused ?? [], heldOver: latest?.heldOver ?? [], milliseconds: latest?.milliseconds ?? null,
        upToDate: state ? !state.dirty && !state.job && latest?.version === state.document.version : false,
        workerRestarts: this.host.restarts, ...this.statistics,
      };
    }));
    c.onNotification(VISIBLE_RANGES_NOTIFICATION, this.notification(VISIBLE_RANGES_NOTIFICATION, (params: { uri?: unknown; ranges?: unknown }) => {
      // Kept by URI: the editor may report what is on screen before or after it opens the document.
      if (typeof params?.uri !== 'string' || !Array.isArray(params.ranges)) return;
      this.visibleLines.set(params.uri, params.ranges.filter((r): r is { start: number; end: number } => typeof r?.start === 'number' && typeof r?.end === 'number').slice(0, 16));
    }));
    c.onRequest(PREDICT_TRACE_REQUEST, this.request(PREDICT_TRACE_REQUEST, (params: Record<string, unknown>, token: CancellationToken) => this.predictTrace(params, token)));
    c.onRequest(COMPARE_REQUEST, this.request(COMPARE_REQUEST, (params: { uri?: unknown; baseline?: unknown }, token: CancellationToken) => this.compare(params, token)));
    c.onShutdown(this.request('shutdown', async () => {
      if (this.debounce) clearTimeout(this.debounce);
      if (this.lensRefresh) clearTimeout(this.lensRefresh);
      await this.host.dispose();
      for (const folder of this.revisionFolders) fs.rmSync(folder, { recursive: true, force: true });
    }));
    c.onExit(() => void this.host.dispose());
    if (process.env.PERFCONTRACT_TEST_FAULTS === '1') c.onRequest(TEST_FAULT_REQUEST, this.request(TEST_FAULT_REQUEST, (params: { kind: string }) => injectFault(params.kind)));
  }

  /**
   * Wraps a request handler in the safety net: it runs in a context named after the request, and
   * an exception it throws, or that escapes from work it started before it answered, is logged with
   * its stack and answered with an LSP error (InternalError); an error meant as the answer passes.
   */
  private request<P, R>(method: string, handler: (params: P, token: CancellationToken) => R | Promise<R>): (params: P, token: CancellationToken) => Promise<R> {
    return (params, token) => runRequest(
      `${method} ${describeParams(params)}`, () => handler(params, token),
      (error) => (error instanceof ResponseError ? error : new ResponseError(ErrorCodes.InternalError, `perfcontract: internal error in ${method}: ${(error as Error)?.message ?? String(error)} (the server keeps running; its log has the stack)`)),
      this.logError,
    );
  }

  /** The same for a notification: an exception is logged with the notification it came from; nothing is answered. */
  private notification<P>(method: string, handler: (params: P) => unknown): (params: P) => void {
    return (params) => runNotification(`${method} ${describeParams(params)}`, () => handler(params), this.logError);
  }

  private readonly logError = (line: string): void => {
    try {
      this.connection.console.error(line);
    } catch {
      process.stderr.write(`${line}\n`);
    }
  };

  // ---- settings ----

  private async pullSettings(): Promise<void> {
    if (!this.clientCapabilities.configuration) return;
    try {
      const [section] = await this.connection.workspace.getConfiguration([{ section: 'perfcontract' }]);
      this.applySettings(section);
    } catch (error) {
      this.connection.console.log(`could not read the perfcontract settings: ${(error as Error).message}`);
    }
  }

  private applySettings(raw: unknown): void {
    const { settings, problems } = parseSettings(raw);
    this.settings = settings;
    this.settingProblems = problems;
    for (const problem of problems) this.connection.console.log(problem);
  }

  private cacheDirectory(): string | undefined {
    const configured = this.settings.cacheDirectory;
    if (configured) return path.isAbsolute(configured) || this.roots.length === 0 ? configured : path.resolve(this.roots[0]!, configured);
    return this.roots.length > 0 ? path.join(this.roots[0]!, '.perfcontract-cache') : undefined;
  }

  private optionsFor(state: DocumentState): { options: WorkerAnalysisOptions; problems: { message: string; code: string }[] } {
    const flags = compileFlagsFor(state.document.path, this.roots, readFileOrUndefined);
    const root = this.roots[0] ?? path.dirname(state.document.path);
    const problems = [...this.settingProblems, ...(flags.problem ? [flags.problem] : [])].map((message) => ({ message, code: ServerCodes.configuration }));
    return {
      problems,
      options: {
        includeDirs: [...flags.includeDirs, ...this.settings.includePaths.map((p) => path.resolve(root, p))],
        defines: { ...flags.defines, ...this.settings.defines },
        ...(flags.frontEnd ? { frontEnd: flags.frontEnd } : {}),
        metrics: this.settings.metrics,
        adversarialFactor: this.settings.adversarialFactor,
        solverTimeoutMs: this.settings.solverTimeoutMs,
        solverResourceLimit: 10_000_000,
        contractFiles: [],
        execution: {
          unrollLimit: this.settings.unrollLimit, fullUnrollLimit: this.settings.fullUnrollLimit, packetMaxLength: this.settings.packetMaxLength, maxPaths: this.settings.maxPaths, timeLimitMs: this.settings.timeLimitMs,
          preferDeclaredContracts: this.settings.preferContracts,
          // Handlers start from the state the init function sets up, in the units that define it.
          ...(this.settings.x86.init ? { init: this.settings.x86.init, initOptional: true } : {}),
        } as WorkerAnalysisOptions['execution'],
      },
    };
  }

  // ---- scheduling ----

  /** A file's text changed: every document whose unit read it needs a new analysis; stale jobs stop. */
  private touch(filePath: string): void {
    for (const state of this.documents.values()) {
      const reads = state.document.path === filePath || (state.latest?.filesRead.includes(filePath) ?? false) || (state.building?.filesRead.includes(filePath) ?? false);
      if (reads) this.invalidate(state);
    }
  }

  /** The user works on `active`: a long analysis of another document stops, to resume after the active one's. */
  private yieldTo(active: DocumentState): void {
    const running = this.running;
    if (running && running !== active && running.job) this.invalidate(running);
  }

  private invalidate(state: DocumentState): void {
    state.dirty = true;
    if (state.job) {
      this.statistics.jobsCancelled++;
      this.host.cancel(state.job.id);
    }
  }

  private schedule(delay = this.settings.debounceMs): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.guard(() => this.startNext());
    }, delay);
  }

  private startNext(): void {
    if (this.running || !this.settingsReady) return;
    // Documents with no results at all go first (their first diagnostics), then the most recently touched.
    const next = [...this.documents.values()].filter((s) => s.dirty).sort((a, b) => Number(a.latest !== undefined) - Number(b.latest !== undefined) || b.touched - a.touched)[0];
    if (!next) {
      this.startBaselineJob();
      return;
    }
    if (this.baselineJob) {
      // A baseline waits for idle time: the user's document goes first, the baseline runs again after it.
      this.host.cancel(this.baselineJob.id);
      return;
    }
    next.dirty = false;
    const { document } = next;
    const outline = next.outline.outline;
    const openOutlines = new Map<string, Outline>([...this.documents.values()].map((s) => [s.document.path, s.outline.outline]));
    const files = this.index ? this.index.unitFor(document.path, outline, openOutlines) : [document.path];
    const own = outline.functions.map((f) => f.name);
    // Direct callees defined in the unit's other files also get contracts, for hovers on calls.
    const callees = [...new Set(outline.functions.flatMap((f) => f.calls))].filter((n) => !own.includes(n) && files.length > 1);
    const libraryDefined = new Set(files.slice(1).flatMap((f) => this.index?.outlineFor(f, openOutlines)?.functions.map((g) => g.name) ?? []));
    const textOf = (name: string) => functionText(next, name);
    for (const [name, text] of next.overran) if (textOf(name) !== text) next.overran.delete(name);
    for (const [name, text] of next.outOfMemory) if (textOf(name) !== text) next.outOfMemory.delete(name);
    const overran = [...next.overran.keys()];
    const outOfMemory = [...next.outOfMemory.keys()];
    const entries = [...new Set([...own, ...callees.filter((n) => libraryDefined.has(n))])].filter((n) => !next.overran.has(n) && !next.outOfMemory.has(n));
    const overlay: Record<string, string> = {};
    for (const s of this.documents.values()) overlay[s.document.path] = s.document.text;
    const { options, problems } = this.optionsFor(next);
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
    this.mark('first analysis started');
    const started = Date.now();
    this.status('analysing', `analysing ${path.basename(document.path)}`, document.uri);
    const x86 = this.settings.x86.enabled ? { cflags: this.settings.x86.cflags, init: this.settings.x86.init } : undefined;
    const heldBy = next.latest;
    const visible = outline.functions.filter((f) => {
      const first = document.positionAt(f.start).line;
      const last = document.positionAt(f.end).line;
      return (this.visibleLines.get(document.uri) ?? []).some((r) => first <= r.end && last >= r.start);
    }).map((f) => f.name);
    const id = this.host.start({ files, overlay, entries, options, held, visible, ...(x86 ? { x86 } : {}) }, {
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
      this.connection.console.log(`the analysis of '${current}' ran ${Date.now() - job.lastProgress} ms (limit ${options.execution.timeLimitMs} ms); giving up on it`);
      next.overran.set(current, textOf(current));
      this.invalidate(next);
    }, 500);
    check.unref();
    // A job far past its limits is stopped (and the worker restarted if it does not stop).
    const limit = (options.execution.timeLimitMs + 2 * options.solverTimeoutMs) * Math.max(1, entries.length) + 30_000;
    this.jobWatchdog = setTimeout(() => {
      if (next.job?.id === id) {
        this.connection.console.log(`analysis of ${document.path} exceeded ${limit} ms; stopping it`);
        this.host.cancel(id);
      }
    }, limit);
    this.jobWatchdog.unref();
  }

  private onJobMessage(state: DocumentState, id: number, message: WorkerToMain, heldBy: Results | undefined): void {
    if (state.job?.id !== id || !state.building) return;
    const building = state.building;
    if (message.type === 'unit') {
      this.mark('first unit parsed (diagnostics, cached contracts)');
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
      if (message.pending.length > 0 && this.clientCapabilities.progress) void this.beginProgress(message.pending.length);
      this.publish(state, building);
      // Other open documents still without any diagnostics get theirs before this job's long part
      // (one analysis per function, up to the time limit each): otherwise files opened together
      // waited for each other's whole analyses (47-58 s for the third of three NF files).
      const waiting = [...this.documents.values()].filter((s) => s !== state && !s.internal && s.dirty && s.latest === undefined);
      if (waiting.length > 0 && message.pending.length > 0) {
        this.connection.console.log(`${path.basename(state.document.path)}: its functions are analysed after the first diagnostics of ${waiting.map((s) => path.basename(s.document.path)).join(', ')}`);
        state.latest = building; // this version's diagnostics and cached contracts stay at hand meanwhile
        this.invalidate(state);
      }
    } else if (message.type === 'partial') {
      // Not progress for the overrun guard: a function past its time limit still posts partial results.
      building.partial.set(message.partial.name, message.partial);
      if (this.functionFile(state, message.partial.name) === state.document.path) this.refreshLenses();
    } else if (message.type === 'contract') {
      this.mark('first contract computed');
      building.partial.delete(message.contract.name);
      building.contracts.set(message.contract.name, message.contract);
      if (message.fingerprint) building.fingerprints.set(message.contract.name, message.fingerprint);
      else building.fingerprints.delete(message.contract.name);
      if (state.job) {
        state.job.pending = state.job.pending.filter((n) => n !== message.contract.name);
        state.job.lastProgress = Date.now();
      }
      this.progress?.report(`${message.contract.name} done`);
      this.publish(state, building);
      // A lens appears as soon as its function's contract is there, not when the whole job ends.
      if (message.contract.file === state.document.path) this.refreshLenses();
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
      this.connection.console.log(`the analysis of '${exhausted}' ran out of memory; giving up on it until it changes`);
      state.outOfMemory.set(exhausted, functionText(state, exhausted));
    }
    state.job = undefined;
    state.building = undefined;
    this.running = undefined;
    this.progress?.done();
    this.progress = undefined;
    const retry = outcome.kind === 'lost' && !state.dirty && (exhausted !== undefined || state.lostRuns < 1);
    if (outcome.kind === 'lost') {
      this.connection.console.log(`analysis of ${state.document.path} was lost (${outcome.reason})${retry ? (exhausted !== undefined ? `; running it again without '${exhausted}'` : '; retrying once on a fresh worker') : ''}`);
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
      this.publish(state, building);
      const incomplete = [...building.contracts.values()].filter((c) => !c.complete).map((c) => c.name);
      if (building.failure) this.status('error', `analysis of ${path.basename(state.document.path)} failed: ${building.failure}`, state.document.uri);
      else if (incomplete.length > 0) this.status('incomplete', `${path.basename(state.document.path)}: incomplete contracts for ${incomplete.join(', ')}`, state.document.uri);
      else this.status('upToDate', `${path.basename(state.document.path)}: ${building.contracts.size} contracts up to date`, state.document.uri);
      if (!state.internal && !state.dirty) this.updateBaseline(state);
      this.refreshLenses(true);
      if (!state.dirty) for (const waiter of state.waiters.splice(0)) waiter();
    }
    // A job cancelled by an edit is followed once the debounce after that edit is over.
    const sinceEdit = Date.now() - this.lastEditAt;
    if (sinceEdit < this.settings.debounceMs) this.schedule(this.settings.debounceMs - sinceEdit);
    else this.startNext();
  }

  private async beginProgress(total: number): Promise<void> {
    try {
      const reporter = await this.connection.window.createWorkDoneProgress();
      if (!this.running) return; // finished meanwhile: nothing to begin or end
      this.progress?.done();
      this.progress = reporter;
      reporter.begin('perfcontract', undefined, `analysing ${total} function${total === 1 ? '' : 's'}`);
    } catch {
      // The client declined a progress token; the status notification still tells the story.
    }
  }

  /**
   * Asks the client to request code lenses again. While contracts arrive one by one, at most one
   * request per LENS_REFRESH_INTERVAL_MS goes out (the latest state is what the client then asks
   * for); `now` sends at once, as at the end of a job.
   */
  private refreshLenses(now = false): void {
    if (!this.clientCapabilities.codeLensRefresh) return;
    const wait = now ? 0 : LENS_REFRESH_INTERVAL_MS - (Date.now() - this.lastLensRefreshAt);
    if (wait > 0) {
      this.lensRefresh ??= setTimeout(() => {
        this.lensRefresh = undefined;
        this.refreshLenses(true);
      }, wait);
      return;
    }
    if (this.lensRefresh) clearTimeout(this.lensRefresh);
    this.lensRefresh = undefined;
    this.lastLensRefreshAt = Date.now();
    void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }

  private publish(state: DocumentState, results: Results): void {
    if (state.internal || results.version !== state.document.version) return;
    const diagnostics = diagnosticsFor({
      document: state.document, outline: state.outline.outline, engineDiagnostics: results.engineDiagnostics, contracts: [...results.contracts.values()],
      functions: results.functions, budgets: this.settings.budgets, failure: results.failure, extraProblems: results.problems,
      overran: results.overran, outOfMemory: results.outOfMemory, timeLimitMs: this.settings.timeLimitMs,
      baseline: this.baselineFor(state),
    });
    void this.connection.sendDiagnostics({ uri: state.document.uri, version: results.version, diagnostics });
  }

  private status(state: StatusState, message: string, uri?: string): void {
    void this.connection.sendNotification(STATUS_NOTIFICATION, { state, message, ...(uri ? { uri } : {}) });
  }

  // ---- baselines ----

  /** The finished baseline of a document, if the setting names one and it is computed. */
  private baselineFor(state: DocumentState): { label: string; contracts: Map<string, FunctionContract>; growthPercent: number } | undefined {
    const baseline = this.baselines.get(state.document.uri);
    if (!this.settings.baseline || !baseline?.contracts) return undefined;
    return { label: baseline.label, contracts: baseline.contracts, growthPercent: this.settings.baselineGrowthPercent };
  }

  /**
   * After a finished analysis: works out what the document's baseline is now (the setting, the
   * commit it names, the unit's files). A saved contract is read at once. A revision whose files
   * are those of the editor (an unchanged file) takes the contracts just computed; any other waits
   * for the worker to be idle (startBaselineJob).
   */
  private updateBaseline(state: DocumentState): void {
    const uri = state.document.uri;
    const spec = this.settings.baseline;
    if (!spec || !state.unit || !state.latest) {
      this.baselines.delete(uri);
      return;
    }
    const root = this.roots[0] ?? path.dirname(state.document.path);
    const known = this.baselines.get(uri);
    const fail = (key: string, message: string) => {
      if (known?.key !== key) this.connection.console.log(`baseline '${spec}' for ${path.basename(state.document.path)}: ${message}`);
      this.baselines.set(uri, { key, label: spec, error: message, pending: false });
    };
    try {
      const saved = path.resolve(root, spec);
      if (isSavedContractSpec(saved)) {
        const key = `file\0${saved}\0${fs.statSync(saved).mtimeMs}`;
        if (known?.key === key) return;
        const contracts = readSavedContracts(saved);
        this.baselines.set(uri, { key, label: path.basename(saved), contracts: new Map(contracts.map((c) => [c.name, c])), pending: false });
        this.publish(state, state.latest);
        return;
      }
      const repository = gitRoot(path.dirname(state.document.path));
      if (!repository) return fail(`norepo\0${spec}`, `'${path.dirname(state.document.path)}' is not in a git repository; no baseline`);
      const commit = resolveRevision(repository, spec);
      const key = `${commit}\0${JSON.stringify(state.unit)}`;
      if (known?.key === key) return;
      if (this.unitMatchesRevision(state, repository, commit)) {
        // The files are the revision's: the contracts just computed are the baseline's.
        this.baselines.set(uri, { key, label: spec, contracts: new Map(state.latest.contracts), pending: false });
        this.publish(state, state.latest);
        return;
      }
      this.baselines.set(uri, { key, label: spec, pending: true });
      this.schedule(0);
    } catch (error) {
      if (!(error instanceof BaselineError) && !(error instanceof Error)) throw error;
      fail(`error\0${spec}\0${(error as Error).message}`, (error as Error).message);
    }
  }

  /** Whether every file of the unit, as the editor has it, is the revision's (no header folder changed either). */
  private unitMatchesRevision(state: DocumentState, repository: string, commit: string): boolean {
    const unit = state.unit!;
    const folders = [...new Set([...unit.files.map((f) => path.dirname(f)), ...(unit.options.includeDirs ?? [])])];
    if (git(repository, ['diff', '--quiet', commit, '--', ...folders]).status !== 0) return false;
    // git diff compares the files on disk; an open buffer may differ from its file.
    return [...this.documents.values()].every((s) => s.internal || !unit.files.includes(s.document.path) || s.document.text === readFileOrUndefined(s.document.path));
  }

  /** Starts the analysis of a pending baseline when the worker has nothing else to do. */
  private startBaselineJob(): void {
    if (this.baselineJob) return;
    const entry = [...this.baselines].find(([uri, b]) => b.pending && this.documents.get(uri)?.unit);
    if (!entry) return;
    const [uri, baseline] = entry;
    const state = this.documents.get(uri)!;
    baseline.pending = false;
    const run = this.analyseBaseline(state, this.settings.baseline);
    this.baselineJob = run.id !== undefined ? { id: run.id, uri } : undefined;
    void run.result.then(
      (result) => {
        if (this.baselines.get(uri) !== baseline) return;
        if (result === 'cancelled') baseline.pending = true;
        else baseline.contracts = new Map(result.contracts.map((c) => [c.name, c]));
      },
      (error: Error) => {
        if (this.baselines.get(uri) !== baseline) return;
        baseline.error = error.message;
        this.connection.console.log(`baseline '${baseline.label}' for ${path.basename(state.document.path)}: ${error.message}`);
      },
    ).finally(() => {
      if (this.baselineJob?.uri === uri) this.baselineJob = undefined;
      const open = this.documents.get(uri);
      if (open?.latest && baseline.contracts) {
        this.publish(open, open.latest);
        this.refreshLenses(true);
      }
      this.schedule(0);
    });
  }

  /**
   * The contracts of a document's unit at a baseline: read from a saved contract file, or analysed
   * by the worker in the revision's files (extracted once per commit into a folder whose paths,
   * and so whose cache keys, stay the same).
   */
  private analyseBaseline(state: DocumentState, spec: string): { id?: number; result: Promise<{ label: string; contracts: FunctionContract[] } | 'cancelled'> } {
    const root = this.roots[0] ?? path.dirname(state.document.path);
    const saved = path.resolve(root, spec);
    if (isSavedContractSpec(saved)) {
      try {
        return { result: Promise.resolve({ label: path.basename(saved), contracts: readSavedContracts(saved) }) };
      } catch (error) {
        return { result: Promise.reject(error) };
      }
    }
    const unit = state.unit ?? { files: [state.document.path], options: this.optionsFor(state).options };
    let revision: RevisionTree;
    try {
      revision = extractRevision(spec, {
        files: unit.files, includeDirs: unit.options.includeDirs,
        folderFor: (repository, commit, folders) => path.join(os.tmpdir(), `perfcontract-baseline-${createHash('sha256').update(`${repository}\0${folders.join('\0')}`).digest('hex').slice(0, 12)}-${commit.slice(0, 12)}`),
      });
    } catch (error) {
      return { result: Promise.reject(error) };
    }
    this.revisionFolders.add(revision.tree);
    const files = unit.files.map(revision.moved).filter((f) => fs.existsSync(f));
    // The document's file did not exist at the revision: every function is new.
    if (files.length === 0 || files[0] !== revision.moved(unit.files[0]!)) return { result: Promise.resolve({ label: spec, contracts: [] }) };
    const entries = state.outline.outline.functions.map((f) => f.name);
    const options: WorkerAnalysisOptions = { ...unit.options, includeDirs: (unit.options.includeDirs ?? []).map(revision.moved) };
    const contracts = new Map<string, FunctionContract>();
    let settle: (value: { label: string; contracts: FunctionContract[] } | 'cancelled') => void = () => undefined;
    let fail: (error: Error) => void = () => undefined;
    const result = new Promise<{ label: string; contracts: FunctionContract[] } | 'cancelled'>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    const id = this.host.start({ files, overlay: {}, entries, options, held: {} }, {
      onMessage: (message) => {
        if (message.type === 'unit') for (const c of message.contracts) contracts.set(c.name, c);
        else if (message.type === 'contract') contracts.set(message.contract.name, message.contract);
        else if (message.type === 'done') settle(message.cancelled ? 'cancelled' : { label: spec, contracts: revision.restore([...contracts.values()]) });
        else if (message.type === 'failed') fail(new Error(`the analysis at '${spec}' failed: ${message.message}`));
      },
      onLost: (reason) => fail(new Error(`the analysis at '${spec}' was lost: ${reason}`)),
    });
    return { id, result };
  }

  /** `perfcontract/compare`: a document's contracts and those of a baseline (the setting's when none is given), for a side-by-side view. */
  private async compare(params: { uri?: unknown; baseline?: unknown }, token: CancellationToken): Promise<unknown> {
    if (typeof params?.uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${COMPARE_REQUEST} needs 'uri' (a file URI)`);
    const spec = typeof params.baseline === 'string' && params.baseline.trim() !== '' ? params.baseline.trim() : this.settings.baseline;
    if (!spec) throw new ResponseError(ErrorCodes.InvalidParams, `${COMPARE_REQUEST} needs 'baseline' (a git revision or a saved contract file): perfcontract.baseline is empty`);
    const state = this.documents.get(params.uri) ?? this.openInternally(params.uri);
    const current = await this.contractsFor(state, undefined, token);
    const run = this.analyseBaseline(state, spec);
    const subscription = token.onCancellationRequested(() => {
      if (run.id !== undefined) this.host.cancel(run.id);
    });
    let result: Awaited<typeof run.result>;
    try {
      result = await run.result;
    } catch (error) {
      throw new ResponseError(ErrorCodes.InvalidParams, `cannot compare with '${spec}': ${(error as Error).message}`);
    } finally {
      subscription.dispose();
    }
    if (result === 'cancelled') throw new ResponseError(ErrorCodes.RequestCancelled, 'the request was cancelled');
    const names = new Set(current.map((c) => c.name));
    return {
      label: result.label,
      current: { version: 1, functions: current },
      baseline: { version: 1, functions: result.contracts.filter((c) => names.has(c.name) || c.file === state.document.path) },
    };
  }

  /**
   * `perfcontract/predictTrace`: the workload a pcap trace induces on a packet handler and what it
   * costs per packet, run by the worker (see runTraceJob) on the document's unit as the editor has it.
   */
  private async predictTrace(params: Record<string, unknown>, token: CancellationToken): Promise<unknown> {
    const { uri, functionName, trace, init, clockGhz, cyclesPerInstruction } = params ?? {};
    if (typeof uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${PREDICT_TRACE_REQUEST} needs 'uri' (a file URI)`);
    if (typeof functionName !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${PREDICT_TRACE_REQUEST} needs 'functionName' (the packet handler)`);
    if (typeof trace !== 'string' || trace === '') throw new ResponseError(ErrorCodes.InvalidParams, `${PREDICT_TRACE_REQUEST} needs 'trace' (a pcap file path)`);
    if (init !== undefined && init !== null && typeof init !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `'init' must be a function name`);
    for (const [name, value] of [['clockGhz', clockGhz], ['cyclesPerInstruction', cyclesPerInstruction]] as const) {
      if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) throw new ResponseError(ErrorCodes.InvalidParams, `'${name}' must be a number above 0`);
    }
    const state = this.documents.get(uri) ?? this.openInternally(uri);
    // The contract first, as the editor computes it: the worker then finds it in the cache.
    await this.contractsFor(state, functionName, token);
    const unit = state.unit ?? { files: [state.document.path], options: this.optionsFor(state).options };
    const overlay: Record<string, string> = {};
    for (const s of this.documents.values()) overlay[s.document.path] = s.document.text;
    const root = this.roots[0] ?? path.dirname(state.document.path);
    const tracePath = path.resolve(root, trace);
    return new Promise((resolve, reject) => {
      let answer: unknown;
      const id = this.host.startTrace({
        files: unit.files, overlay, options: unit.options, entry: functionName, trace: tracePath,
        ...(typeof init === 'string' && init !== '' ? { init } : {}),
        ...(typeof clockGhz === 'number' ? { clockGhz } : {}), ...(typeof cyclesPerInstruction === 'number' ? { cyclesPerInstruction } : {}),
      }, {
        onMessage: (message) => {
          if (message.type === 'traceResult') answer = { trace: tracePath, entry: functionName, workload: message.workload, prediction: message.prediction, text: message.text, notes: message.notes };
          else if (message.type === 'done') {
            subscription.dispose();
            if (message.cancelled || answer === undefined) reject(new ResponseError(ErrorCodes.RequestCancelled, 'the request was cancelled'));
            else resolve(answer);
          } else if (message.type === 'failed') {
            subscription.dispose();
            reject(new ResponseError(ErrorCodes.InvalidParams, message.message));
          }
        },
        onLost: (reason) => {
          subscription.dispose();
          reject(new ResponseError(ErrorCodes.InternalError, `the trace prediction was lost: ${reason}`));
        },
      });
      const subscription = token.onCancellationRequested(() => this.host.cancel(id));
    });
  }

  // ---- features ----

  /** A contract from the newest results that have it: the running analysis, the last finished one, then other documents'. */
  private contractNamed(state: DocumentState | undefined, name: string): FunctionContract | undefined {
    const fromState = (s: DocumentState) => s.building?.contracts.get(name) ?? s.latest?.contracts.get(name);
    if (state) {
      const own = fromState(state);
      if (own) return own;
    }
    for (const other of this.documents.values()) {
      const found = fromState(other);
      if (found) return found;
    }
    return undefined;
  }

  /** The file that defines a function of the running analysis (from the lowered program's summary). */
  private functionFile(state: DocumentState, name: string): string | undefined {
    return state.building?.functions.find((f) => f.name === name)?.file;
  }

  private hover(uri: string, position: Position): Hover | null {
    const state = this.documents.get(uri);
    if (!state) return null;
    const { document } = state;
    const offset = document.offsetAt(position);
    const word = wordAt(document.text, offset);
    const baseDir = this.roots[0] ?? path.dirname(document.path);
    if (word) {
      const contract = this.contractNamed(state, word.text);
      const range = { start: document.positionAt(word.start), end: document.positionAt(word.end) };
      const partial = state.building?.contracts.has(word.text) ? undefined : state.building?.partial.get(word.text);
      if (partial) return { contents: { kind: 'markdown', value: partialHover(partial, this.settings.timeLimitMs, contract) }, range };
      if (contract) return { contents: { kind: 'markdown', value: functionHover(contract, baseDir, uri) }, range };
      const declared = state.building?.declared.get(word.text) ?? state.latest?.declared.get(word.text);
      if (declared) return { contents: { kind: 'markdown', value: declared }, range };
    }
    const line = document.pointAt(offset).row;
    const loop = state.outline.outline.loops.find((l) => l.line === line);
    if (loop) {
      const contracts = [...(state.building?.contracts.values() ?? []), ...(state.latest?.contracts.values() ?? [])];
      const pcvs = new Map<string, FunctionContract['pcvs'][number]>();
      for (const contract of contracts) {
        for (const pcv of contract.pcvs) {
          const origin = splitOrigin(pcv.origin);
          if (origin.file === document.path && origin.line === line + 1 && !pcvs.has(pcv.name)) pcvs.set(pcv.name, pcv);
        }
      }
      if (pcvs.size > 0) return { contents: { kind: 'markdown', value: loopHover([...pcvs.values()], loop.functionName) } };
      const analysed = contracts.some((c) => c.name === loop.functionName);
      if (analysed) {
        return { contents: { kind: 'markdown', value: `This ${loop.keyword} loop has no PCV: on every path the analysis found, it either runs at most ${this.settings.unrollLimit} times or runs a number of times fixed on that path (a constant bound, constant arguments), which the analysis ran in full. Its cost is in the classes' constants.` } };
      }
    }
    return null;
  }

  private codeLenses(uri: string): CodeLens[] {
    const state = this.documents.get(uri);
    if (!state) return [];
    this.mark('first code lens request');
    const lenses = this.lensesOf(state, uri);
    if (lenses.some((l) => l.command?.title === ANALYSING_LENS)) this.mark('first placeholder lens answered');
    if (lenses.some((l) => /^[\d,]+(-[\d,]+)? (instr|mem)\b/.test(l.command?.title ?? ''))) this.mark('first cost lens answered');
    return lenses;
  }

  /**
   * Logs the first time the server reaches a step on the way to the first cost lens, with the wall
   * clock, so that an editor test can line its own events up with the server's (docs/extension.md,
   * First results).
   */
  private mark(step: string): void {
    if (this.marked.has(step)) return;
    this.marked.add(step);
    this.connection.console.log(`perfcontract timeline: ${step} at ${Date.now()} (${Math.round(process.uptime() * 1000)} ms after the server process started)`);
  }

  private lensesOf(state: DocumentState, uri: string): CodeLens[] {
    const lenses: CodeLens[] = [];
    for (const fn of state.outline.outline.functions) {
      const partial = state.building?.contracts.has(fn.name) ? undefined : state.building?.partial.get(fn.name);
      if (partial) {
        const at = state.document.positionAt(fn.start);
        lenses.push({ range: { start: at, end: at }, command: { title: partialLensTitle(partial), command: '' } });
        continue;
      }
      const contract = state.building?.contracts.get(fn.name) ?? state.latest?.contracts.get(fn.name);
      if (!contract && (state.job || state.dirty) && !state.overran.has(fn.name) && !state.outOfMemory.has(fn.name)) {
        // A placeholder until the first contract arrives (a refresh replaces it), so opening a file shows at once that it is being analysed.
        const at = state.document.positionAt(fn.start);
        lenses.push({ range: { start: at, end: at }, command: { title: ANALYSING_LENS, command: '' } });
        continue;
      }
      if (!contract || contract.file !== state.document.path) continue;
      const at = state.document.positionAt(fn.start);
      const range = { start: at, end: at };
      lenses.push({ range, command: { title: lensTitle(contract), command: '' } });
      const baseline = this.baselineFor(state);
      // A function is new only against a baseline that has contracts of this file at all.
      const delta = baseline ? baselineLensTitle(contract, baseline.contracts.get(fn.name), baseline.label, [...baseline.contracts.values()].some((c) => c.file === state.document.path)) : undefined;
      if (delta) lenses.push({ range, command: { title: delta, command: '' } });
      lenses.push({ range, command: { title: 'Generate contract', command: Commands.generateContract, arguments: [{ uri, functionName: fn.name }] } });
      if (contract.worstCase) lenses.push({ range, command: { title: 'Show worst case', command: Commands.showWorstCase, arguments: [{ uri, functionName: fn.name }] } });
    }
    return lenses;
  }

  private async executeCommand(command: string, args: unknown[], token: CancellationToken): Promise<unknown> {
    const argument = args[0];
    if (typeof argument !== 'object' || argument === null) throw new ResponseError(ErrorCodes.InvalidParams, `${command} takes one object argument`);
    const input = argument as { uri?: unknown; functionName?: unknown; classId?: unknown; pcvs?: unknown; position?: unknown };
    if (typeof input.uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${command} needs 'uri' (a file URI)`);
    const uri = input.uri;
    if (command === Commands.functionAt) {
      const position = input.position as Position | undefined;
      if (!position || typeof position.line !== 'number' || typeof position.character !== 'number') throw new ResponseError(ErrorCodes.InvalidParams, `${command} needs 'position' ({line, character})`);
      const state = this.documents.get(uri) ?? this.openInternally(uri);
      const fn = functionAt(state.outline.outline, state.document.offsetAt(position));
      return fn ? { functionName: fn.name } : null;
    }
    const functionName = input.functionName;
    if (functionName !== undefined && typeof functionName !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `'functionName' must be a string`);
    const state = this.documents.get(uri) ?? this.openInternally(uri);
    const contracts = await this.contractsFor(state, functionName, token);
    if (command === Commands.generateContract) {
      const baseDir = this.roots[0] ?? path.dirname(state.document.path);
      return { markdown: renderMarkdown(contracts, { baseDir }), json: { version: 1, functions: contracts } };
    }
    if (typeof functionName !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${command} needs 'functionName'`);
    const contract = contracts[0]!;
    if (command === Commands.showWorstCase) {
      const report = worstCaseReport(contract);
      if (!report) throw new ResponseError(ErrorCodes.InvalidRequest, `'${functionName}' has no worst case: none of its ${contract.classes.length} classes ends normally`);
      return report;
    }
    if (command === Commands.evaluateClass) {
      if (typeof input.classId !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${command} needs 'classId' (such as C3, worst or best)`);
      const pcvs = input.pcvs ?? {};
      if (typeof pcvs !== 'object' || pcvs === null || Object.values(pcvs).some((v) => typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) {
        throw new ResponseError(ErrorCodes.InvalidParams, `'pcvs' must map PCV names to non-negative integers`);
      }
      try {
        return evaluateClass(contract, input.classId, pcvs as Record<string, number>);
      } catch (error) {
        throw new ResponseError(ErrorCodes.InvalidParams, (error as Error).message);
      }
    }
    throw new ResponseError(ErrorCodes.MethodNotFound, `unknown command '${command}' (known: ${Object.values(Commands).join(', ')})`);
  }

  /** Contracts of a document (or one function), waiting for a first analysis only when there are none yet. */
  private async contractsFor(state: DocumentState, functionName: string | undefined, token: CancellationToken): Promise<FunctionContract[]> {
    const lookup = (): FunctionContract[] | undefined => {
      const results = state.latest;
      if (!results) return undefined;
      if (functionName !== undefined) {
        const found = results.contracts.get(functionName);
        return found ? [found] : undefined;
      }
      const own = state.outline.outline.functions.map((f) => results.contracts.get(f.name)).filter((c): c is FunctionContract => c !== undefined && c.file === state.document.path);
      return own;
    };
    let found = lookup();
    while (!found) {
      const busy = state.dirty || state.job !== undefined;
      if (!busy) break;
      await new Promise<void>((resolve, reject) => {
        const subscription = token.onCancellationRequested(() => {
          subscription.dispose();
          reject(new ResponseError(ErrorCodes.RequestCancelled, 'the request was cancelled'));
        });
        state.waiters.push(() => {
          subscription.dispose();
          resolve();
        });
      });
      found = lookup();
    }
    if (!found) {
      const known = state.outline.outline.functions.map((f) => f.name);
      if (functionName !== undefined && !known.includes(functionName)) {
        throw new ResponseError(ErrorCodes.InvalidParams, `no function named '${functionName}' in ${state.document.path}${known.length > 0 ? ` (its functions: ${known.join(', ')})` : ''}`);
      }
      const failure = state.latest?.failure;
      throw new ResponseError(ErrorCodes.InternalError, `'${functionName ?? state.document.path}' has no contract${failure ? `: the analysis failed (${failure})` : ' (it could not be analysed; see its diagnostics)'}`);
    }
    return found;
  }

  /** A file named by a command but not open in the editor: read from disk and analysed like an open one, without diagnostics. */
  private openInternally(uri: string): DocumentState {
    let filePath: string;
    try {
      filePath = pathOfUri(uri);
    } catch {
      throw new ResponseError(ErrorCodes.InvalidParams, `'${uri}' is not a file URI`);
    }
    const text = readFileOrUndefined(filePath);
    if (text === undefined) throw new ResponseError(ErrorCodes.InvalidParams, `cannot read '${filePath}'`);
    const document = new EditorDocument(uri, filePath, 0, text, this.encoding);
    const outline = new IncrementalOutline(this.parser!);
    outline.update(text, undefined);
    const state: DocumentState = { document, outline, internal: true, dirty: true, touched: 0, lostRuns: 0, overran: new Map(), outOfMemory: new Map(), waiters: [] };
    this.documents.set(uri, state);
    this.schedule(0);
    return state;
  }

  /** Runs a handler; an exception is logged and answered with `fallback` instead of taking the server down. */
  private guard<T>(run: () => T, fallback?: T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      this.connection.console.error(`perfcontract server error: ${(error as Error).stack ?? String(error)}`);
      return fallback as T;
    }
  }
}

/** The lens of a function being analysed: what is known so far, marked as partial. */
export function partialLensTitle(partial: PartialContract): string {
  return `analysing: ${partial.classes} class${partial.classes === 1 ? '' : 'es'} so far${partial.instructions ? `, ${instructionRange(partial.instructions)} instr` : ''} (partial)`;
}

/** The hover of a function being analysed; the previous contract, if any, follows for reference. */
export function partialHover(partial: PartialContract, timeLimitMs: number, previous: FunctionContract | undefined): string {
  const lines = [
    `**${partial.name}**: analysing (partial results)`,
    '',
    `${partial.classes} path class${partial.classes === 1 ? '' : 'es'} so far, over ${partial.paths} path${partial.paths === 1 ? '' : 's'}${partial.instructions ? `, costing ${instructionRange(partial.instructions)} IR instructions` : ''}.`,
    `${partial.pendingStates} branch point${partial.pendingStates === 1 ? '' : 's'} left to explore; ${(partial.elapsedMs / 1000).toFixed(1)} s of the ${(timeLimitMs / 1000).toFixed(0)} s time limit used.`,
    '',
    'The contract replaces this when the analysis ends.',
  ];
  if (previous) lines.push('', `The previous analysis gave ${previous.classes.length} class${previous.classes.length === 1 ? '' : 'es'}${previous.complete ? '' : ' (incomplete)'}.`);
  return lines.join('\n');
}

function instructionRange(range: NonNullable<PartialContract['instructions']>): string {
  const max = `${range.max}${range.withPcvs ? '+' : ''}`;
  return range.min === range.max ? max : `${range.min}-${max}`;
}

/** A function's text in the document's buffer (its name when the outline does not have it). */
function functionText(state: DocumentState, name: string): string {
  const fn = state.outline.outline.functions.find((f) => f.name === name);
  return fn ? state.document.text.slice(fn.start, fn.end) : name;
}

function pathOfUri(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

function wordAt(text: string, offset: number): { text: string; start: number; end: number } | undefined {
  const isWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
  let start = offset;
  let end = offset;
  while (start > 0 && isWord(text[start - 1])) start--;
  while (end < text.length && isWord(text[end])) end++;
  if (start === end || /^[0-9]/.test(text[start]!)) return undefined;
  return { text: text.slice(start, end), start, end };
}

/** A short description of a message's parameters for the log: its document, position and command. */
function describeParams(params: unknown): string {
  if (typeof params !== 'object' || params === null) return '';
  const p = params as { textDocument?: { uri?: string; version?: number }; position?: Position; command?: string; uri?: string; kind?: string };
  const parts: string[] = [];
  const uri = p.textDocument?.uri ?? p.uri;
  if (uri) parts.push(path.basename(uri) + (p.textDocument?.version !== undefined ? ` v${p.textDocument.version}` : ''));
  if (p.position) parts.push(`at ${p.position.line + 1}:${p.position.character + 1}`);
  if (p.command) parts.push(p.command);
  if (p.kind) parts.push(p.kind);
  return parts.length > 0 ? `(${parts.join(', ')})` : '';
}

/** Only with PERFCONTRACT_TEST_FAULTS=1: a request that makes the server fail in a chosen way, for the safety net's tests. */
export const TEST_FAULT_REQUEST = 'perfcontract/testFault';

/**
 * `timer`: an exception thrown from a timer the request started, before it answers. `rejection`: a
 * promise the request started rejects with no handler. `async`: the handler itself rejects after
 * an await. `detached`: a timer throws after the request was answered (logged only).
 */
async function injectFault(kind: string): Promise<string> {
  const fault = new Error(`test fault (${kind})`);
  if (kind === 'async') {
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw fault;
  }
  if (kind === 'timer') setTimeout(() => { throw fault; }, 5);
  else if (kind === 'rejection') setTimeout(() => void Promise.reject(fault), 5);
  else if (kind === 'detached') {
    setTimeout(() => { throw fault; }, 50);
    return 'answered';
  } else throw new ResponseError(ErrorCodes.InvalidParams, `unknown fault kind '${kind}' (known: timer, rejection, async, detached)`);
  // The fault lands first: the safety net answers with an error, and this answer is dropped.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  return 'not failed';
}

if (require.main === module) startServer();
