// The perfcontract language server's entry: starts it and registers its protocol handlers, which wire the
// scheduler and the features (diagnostics, hovers, code lenses, commands, baselines) together; reads the settings.
import * as path from 'path';
import { fileURLToPath } from 'url';
import {
  CancellationToken, CodeLensParams, Connection, createStdioOrIpcConnection, DidChangeConfigurationParams, DidChangeParams,
  DidChangeWatchedFilesParams, DidCloseParams, DidOpenParams, ErrorCodes, ExecuteCommandParams, InitializeParams,
  ResponseError, TextDocumentPositionParams, TextDocumentSyncKind, WorkspaceFoldersChangeEvent,
} from './languageServerRuntime';
import { Baselines } from './baselines';
import { codeLenses, LensRefresher } from './codeLenses';
import { CommandHandlers } from './commands';
import { hover } from './hover';
import { Commands, COMPARE_REQUEST, LAST_ANALYSIS_REQUEST, PREDICT_TRACE_REQUEST, VISIBLE_RANGES_NOTIFICATION } from './protocol';
import { AnalysisScheduler } from './scheduler';
import { DocumentState, pathOfUri, ServerContext } from './serverContext';
import { parseSettings } from './serverSettings';
import { IncrementalOutline, loadOutlineParser } from './sourceOutline';
import { EditorDocument, Position } from './textDocument';
import { WorkspaceIndex } from './workspaceIndex';
import { startMemoryLog } from './memoryLog';
import { installSafetyNet, runNotification, runRequest } from './safetyNet';

export { Commands, COMPARE_REQUEST, LAST_ANALYSIS_REQUEST, PREDICT_TRACE_REQUEST, STATUS_NOTIFICATION, VISIBLE_RANGES_NOTIFICATION } from './protocol';
export { ANALYSING_LENS, partialLensTitle } from './codeLenses';
export { partialHover } from './hover';

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
  private readonly context: ServerContext;
  private readonly lenses: LensRefresher;
  private readonly baselines: Baselines;
  private readonly scheduler: AnalysisScheduler;
  private readonly commands: CommandHandlers;

  constructor(private readonly connection: Connection) {
    const context = new ServerContext(connection);
    const lenses = new LensRefresher(context);
    // A baseline asks the scheduler for the worker's next turn; the scheduler starts baselines when the worker is idle.
    const baselines = new Baselines(context, lenses, (delay) => scheduler.schedule(delay));
    const scheduler = new AnalysisScheduler(context, lenses, baselines);
    this.context = context;
    this.lenses = lenses;
    this.baselines = baselines;
    this.scheduler = scheduler;
    this.commands = new CommandHandlers(context, scheduler, baselines);
  }

  register(): void {
    const c = this.connection;
    const { context, scheduler } = this;
    const { documents } = context;
    c.onInitialize(this.request('initialize', async (params: InitializeParams) => {
      context.mark('initialize received');
      const offered = params.capabilities.general?.positionEncodings ?? [];
      context.encoding = offered.includes('utf-8') ? 'utf-8' : 'utf-16';
      context.clientCapabilities = {
        configuration: params.capabilities.workspace?.configuration === true,
        progress: params.capabilities.window?.workDoneProgress === true,
        codeLensRefresh: params.capabilities.workspace?.codeLens?.refreshSupport === true,
        watchedFilesRegistration: params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      };
      const folders = params.workspaceFolders?.map((f) => fileURLToPath(f.uri)) ?? (params.rootUri ? [fileURLToPath(params.rootUri)] : []);
      context.roots = folders;
      const fromOptions = (params.initializationOptions as { settings?: unknown } | undefined)?.settings;
      if (fromOptions !== undefined) this.applySettings(fromOptions);
      context.parser = await loadOutlineParser();
      context.index = new WorkspaceIndex(context.parser, context.roots);
      context.host.setCacheDirectory(this.cacheDirectory());
      // Loading z3 takes about a quarter of a second: the worker does it while the client opens files.
      context.host.startWorker();
      const result = {
        capabilities: {
          positionEncoding: context.encoding,
          textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
          hoverProvider: true,
          codeLensProvider: { resolveProvider: false },
          executeCommandProvider: { commands: Object.values(Commands) },
          workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        },
        serverInfo: { name: 'perfcontract', version: '0.1.0' },
      };
      context.mark('initialize answered');
      return result;
    }));
    c.onInitialized(this.notification('initialized', async () => {
      if (context.clientCapabilities.watchedFilesRegistration) {
        void c.client.register('workspace/didChangeWatchedFiles', { watchers: [{ globPattern: '**/*.{c,h,json}' }] }).catch(() => undefined);
      }
      await this.pullSettings();
      context.host.setCacheDirectory(this.cacheDirectory());
      // Analyses wait for the first settings, so a document opened meanwhile is analysed once, with them.
      scheduler.ready();
      context.mark('settings read');
      scheduler.schedule(0);
    }));
    c.onDidChangeConfiguration(this.notification('workspace/didChangeConfiguration', async (params: DidChangeConfigurationParams) => {
      // Every result is stale from now on, even while the new settings are being fetched.
      for (const state of documents.values()) scheduler.invalidate(state);
      const pushed = (params.settings as { perfcontract?: unknown } | undefined)?.perfcontract;
      if (context.clientCapabilities.configuration) await this.pullSettings();
      else if (pushed !== undefined) this.applySettings(pushed);
      context.host.setCacheDirectory(this.cacheDirectory());
      for (const state of documents.values()) scheduler.invalidate(state);
      scheduler.schedule();
    }));
    c.onNotification('workspace/didChangeWorkspaceFolders', this.notification('workspace/didChangeWorkspaceFolders', (params: { event: WorkspaceFoldersChangeEvent }) => {
      const event = params.event;
      context.roots = [...context.roots.filter((r) => !event.removed.some((f) => fileURLToPath(f.uri) === r)), ...event.added.map((f) => fileURLToPath(f.uri))];
      context.index?.setRoots(context.roots);
    }));
    c.onDidOpenTextDocument(this.notification('textDocument/didOpen', (params: DidOpenParams) => {
      context.mark('first document opened');
      const filePath = pathOfUri(params.textDocument.uri);
      const existing = documents.get(params.textDocument.uri);
      existing?.outline.dispose();
      const document = new EditorDocument(params.textDocument.uri, filePath, params.textDocument.version, params.textDocument.text, context.encoding);
      const outline = new IncrementalOutline(context.parser!);
      outline.update(document.text, undefined);
      const state: DocumentState = { document, outline, internal: false, dirty: true, touched: Date.now(), lostRuns: 0, overran: existing?.overran ?? new Map(), outOfMemory: existing?.outOfMemory ?? new Map(), waiters: existing?.waiters ?? [] };
      documents.set(params.textDocument.uri, state);
      context.index?.invalidate();
      scheduler.opened(state);
    }));
    c.onDidChangeTextDocument(this.notification('textDocument/didChange', (params: DidChangeParams) => {
      const state = documents.get(params.textDocument.uri);
      if (!state) return;
      const edits = state.document.applyChanges(params.contentChanges, params.textDocument.version);
      state.outline.update(state.document.text, edits);
      scheduler.edited(state);
    }));
    c.onDidCloseTextDocument(this.notification('textDocument/didClose', (params: DidCloseParams) => {
      const state = documents.get(params.textDocument.uri);
      if (!state) return;
      scheduler.stop(state);
      state.outline.dispose();
      documents.delete(params.textDocument.uri);
      for (const waiter of state.waiters.splice(0)) waiter();
      c.sendDiagnostics({ uri: params.textDocument.uri, diagnostics: [] });
      // Other units may have read the buffer; they now read the file on disk.
      scheduler.touch(state.document.path);
      scheduler.schedule();
    }));
    c.onDidSaveTextDocument(this.notification('textDocument/didSave', (event: { textDocument: { uri: string } }) => {
      context.index?.invalidate();
      // x86 metrics are grounded on the files as saved: a save brings them up to date.
      const saved = documents.get(event.textDocument.uri);
      if (context.settings.x86.enabled && saved) {
        scheduler.invalidate(saved);
        scheduler.schedule();
      }
    }));
    c.onDidChangeWatchedFiles(this.notification('workspace/didChangeWatchedFiles', (params: DidChangeWatchedFilesParams) => {
      for (const change of params.changes) {
        const filePath = pathOfUri(change.uri);
        context.index?.invalidate(filePath);
        if ([...documents.values()].some((s) => s.document.path === filePath && !s.internal)) continue; // the buffer wins
        scheduler.touch(filePath);
      }
      scheduler.schedule();
    }));
    c.onHover(this.request('textDocument/hover', (params: TextDocumentPositionParams) => hover(context, params.textDocument.uri, params.position)));
    c.onCodeLens(this.request('textDocument/codeLens', (params: CodeLensParams) => codeLenses(context, this.baselines, params.textDocument.uri)));
    c.onExecuteCommand(this.request('workspace/executeCommand', (params: ExecuteCommandParams, token: CancellationToken) => this.commands.executeCommand(params.command, params.arguments ?? [], token)));
    c.onRequest(LAST_ANALYSIS_REQUEST, this.request(LAST_ANALYSIS_REQUEST, (params: { uri: string }) => {
      const state = documents.get(params.uri);
      const latest = state?.latest;
      return {
        version: latest?.version ?? null, recomputed: latest?.recomputed ?? [], reused: latest?.reused ?? [], heldOver: latest?.heldOver ?? [], milliseconds: latest?.milliseconds ?? null,
        upToDate: state ? !state.dirty && !state.job && latest?.version === state.document.version : false,
        workerRestarts: context.host.restarts, ...scheduler.statistics,
      };
    }));
    c.onNotification(VISIBLE_RANGES_NOTIFICATION, this.notification(VISIBLE_RANGES_NOTIFICATION, (params: { uri?: unknown; ranges?: unknown }) => {
      // Kept by URI: the editor may report what is on screen before or after it opens the document.
      if (typeof params?.uri !== 'string' || !Array.isArray(params.ranges)) return;
      scheduler.setVisibleLines(params.uri, params.ranges.filter((r): r is { start: number; end: number } => typeof r?.start === 'number' && typeof r?.end === 'number').slice(0, 16));
    }));
    c.onRequest(PREDICT_TRACE_REQUEST, this.request(PREDICT_TRACE_REQUEST, (params: Record<string, unknown>, token: CancellationToken) => this.commands.predictTrace(params, token)));
    c.onRequest(COMPARE_REQUEST, this.request(COMPARE_REQUEST, (params: { uri?: unknown; baseline?: unknown }, token: CancellationToken) => this.commands.compare(params, token)));
    c.onShutdown(this.request('shutdown', async () => {
      scheduler.dispose();
      this.lenses.dispose();
      await context.host.dispose();
      this.baselines.dispose();
    }));
    c.onExit(() => void context.host.dispose());
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
    if (!this.context.clientCapabilities.configuration) return;
    try {
      const [section] = await this.connection.workspace.getConfiguration([{ section: 'perfcontract' }]);
      this.applySettings(section);
    } catch (error) {
      this.connection.console.log(`could not read the perfcontract settings: ${(error as Error).message}`);
    }
  }

  private applySettings(raw: unknown): void {
    const { settings, problems } = parseSettings(raw);
    this.context.settings = settings;
    this.context.settingProblems = problems;
    for (const problem of problems) this.connection.console.log(problem);
  }

  private cacheDirectory(): string | undefined {
    const configured = this.context.settings.cacheDirectory;
    if (configured) return path.isAbsolute(configured) || this.context.roots.length === 0 ? configured : path.resolve(this.context.roots[0]!, configured);
    return this.context.roots.length > 0 ? path.join(this.context.roots[0]!, '.perfcontract-cache') : undefined;
  }
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
