// A JSON-RPC client that spawns `perfcontract lsp --stdio` and speaks LSP to it, for tests and the benchmark.
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { pathToFileURL } from 'url';

// vscode-jsonrpc is loaded through its package exports (the project's module resolution cannot see its types).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require('vscode-jsonrpc/node') as {
  createMessageConnection(reader: unknown, writer: unknown): MessageConnection;
  StreamMessageReader: new (stream: NodeJS.ReadableStream) => unknown;
  StreamMessageWriter: new (stream: NodeJS.WritableStream) => unknown;
  CancellationTokenSource: new () => { token: unknown; cancel(): void };
};

interface MessageConnection {
  listen(): void;
  sendRequest(method: string, params?: unknown, token?: unknown): Promise<unknown>;
  sendNotification(method: string, params?: unknown): Promise<void>;
  onNotification(method: string, handler: (params: any) => void): void;
  onRequest(method: string, handler: (params: any) => unknown): void;
  dispose(): void;
}

export const repo = path.resolve(__dirname, '../../../..');

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }
export interface Diagnostic {
  range: Range; severity: number; code: string; source: string; message: string;
  relatedInformation?: { location: { uri: string; range: Range }; message: string }[]; data?: any;
}
export interface PublishedDiagnostics { uri: string; version?: number; diagnostics: Diagnostic[] }
export interface Status { state: 'analysing' | 'upToDate' | 'incomplete' | 'error'; message: string; uri?: string }

export interface ClientOptions {
  rootPath: string;
  /** The `perfcontract` settings section returned to workspace/configuration. */
  settings?: Record<string, unknown>;
  positionEncodings?: string[];
  progress?: boolean;
  /** A checkout whose built server to spawn instead of this one's (the benchmark compares two builds). */
  serverRoot?: string;
  /** Extra environment variables for the server process. */
  env?: Record<string, string>;
  /** How the server is started: `perfcontract lsp --stdio` (the default) or `node out/server/src/lsp/main.js --stdio`. */
  entry?: 'cli' | 'main';
}

type Listener = { method: string; predicate: (params: any) => boolean; resolve: (params: any) => void };

export class LspTestClient {
  readonly process: ChildProcess;
  readonly connection: MessageConnection;
  settings: Record<string, unknown>;
  readonly diagnostics = new Map<string, PublishedDiagnostics>();
  /** Called with every window/logMessage line of the server, in order. */
  readonly logListeners: ((message: string) => void)[] = [];
  /** Called with every publishDiagnostics notification, in order. */
  readonly diagnosticListeners: ((params: PublishedDiagnostics) => void)[] = [];
  readonly statuses: Status[] = [];
  readonly progress: unknown[] = [];
  stderr = '';
  /** The server's latest log messages (window/logMessage), for failure reports. */
  readonly log: string[] = [];
  private listeners: Listener[] = [];
  private versions = new Map<string, number>();
  private exited: Promise<number | null>;
  positionEncoding = 'utf-16';

  constructor(readonly options: ClientOptions) {
    // Tests that are not about baselines compare with none: a fixture of this repository would
    // otherwise be compared with its last commit (perfcontract.baseline defaults to HEAD).
    this.settings = withoutBaseline(options.settings ?? {});
    // PERFCONTRACT_SERVER_NODE_ARGS: extra Node options for the server (e.g. --cpu-prof when profiling a benchmark).
    const nodeArgs = process.env.PERFCONTRACT_SERVER_NODE_ARGS?.split(' ').filter((a) => a) ?? [];
    const serverRoot = options.serverRoot ?? repo;
    const entry = options.entry === 'main'
      ? [path.join(serverRoot, 'out', 'server', 'src', 'lsp', 'main.js'), '--stdio']
      : [path.join(serverRoot, 'bin', 'perfcontract.js'), 'lsp', '--stdio'];
    this.process = spawn(process.execPath, [...nodeArgs, ...entry], { cwd: serverRoot, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
    this.connection = rpc.createMessageConnection(new rpc.StreamMessageReader(this.process.stdout!), new rpc.StreamMessageWriter(this.process.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishedDiagnostics) => {
      this.diagnostics.set(params.uri, params);
      for (const listener of this.diagnosticListeners) listener(params);
      this.emit('textDocument/publishDiagnostics', params);
    });
    this.connection.onNotification('perfcontract/status', (params: Status) => {
      this.statuses.push(params);
      this.emit('perfcontract/status', params);
    });
    this.connection.onNotification('$/progress', (params: unknown) => {
      this.progress.push(params);
      this.emit('$/progress', params);
    });
    this.connection.onNotification('window/logMessage', (params: { message: string }) => {
      this.log.push(params.message);
      if (this.log.length > 200) this.log.shift();
      for (const listener of this.logListeners) listener(params.message);
      this.emit('window/logMessage', params);
    });
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => params.items.map((item) => (item.section === 'perfcontract' ? this.settings : null)));
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('workspace/codeLens/refresh', () => {
      this.emit('workspace/codeLens/refresh', {});
      return null;
    });
    this.connection.listen();
  }

  async initialize(): Promise<{ capabilities: any }> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uriOf(this.options.rootPath),
      workspaceFolders: [{ uri: uriOf(this.options.rootPath), name: path.basename(this.options.rootPath) }],
      capabilities: {
        general: { positionEncodings: this.options.positionEncodings ?? ['utf-16'] },
        workspace: { configuration: true, codeLens: { refreshSupport: true }, didChangeWatchedFiles: { dynamicRegistration: true } },
        window: { workDoneProgress: this.options.progress ?? true },
        textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } },
      },
    }) as { capabilities: any };
    this.positionEncoding = result.capabilities.positionEncoding ?? 'utf-16';
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  async open(filePath: string, text: string): Promise<string> {
    const uri = uriOf(filePath);
    this.versions.set(uri, 1);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
    return uri;
  }

  /** Sends one incremental change; returns the new version. */
  async change(uri: string, changes: { range?: Range; text: string }[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Tells the server that files changed on disk (type 1 created, 2 changed, 3 deleted). */
  async filesChanged(changes: { path: string; type: 1 | 2 | 3 }[]): Promise<void> {
    await this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: changes.map((c) => ({ uri: uriOf(c.path), type: c.type })) });
  }

  async changeSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = withoutBaseline(settings);
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: { perfcontract: this.settings } });
  }

  /** Resolves with the first notification (past or future) that satisfies the predicate. */
  waitFor<T>(method: string, predicate: (params: T) => boolean, timeoutMs = 60000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(new Error(`no ${method} matching the condition within ${timeoutMs} ms; server stderr:\n${this.stderr.slice(-2000)}\nserver log:\n${this.log.slice(-20).join('\n')}\nstatuses: ${JSON.stringify(this.statuses.slice(-5))}`));
      }, timeoutMs);
      timer.unref();
      const listener: Listener = {
        method, predicate: predicate as (p: any) => boolean,
        resolve: (params) => {
          clearTimeout(timer);
          resolve(params as T);
        },
      };
      this.listeners.push(listener);
    });
  }

  /** Diagnostics published for exactly this version of the document once its analysis is finished. */
  async settledDiagnostics(uri: string, version = this.version(uri), timeoutMs = 60000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no settled diagnostics for ${uri} version ${version}; stderr:\n${this.stderr.slice(-2000)}`);
      // Listen before asking, so a status that arrives in between is not missed.
      const next = this.waitFor('perfcontract/status', (s: Status) => s.uri === uri && s.state !== 'analysing', remaining).catch(() => undefined);
      const state = await this.lastAnalysis(uri);
      if (state.upToDate && state.version === version) {
        const published = this.diagnostics.get(uri);
        if (published && published.version === version) return published.diagnostics;
      }
      await next;
    }
  }

  lastAnalysis(uri: string): Promise<{ version: number | null; recomputed: string[]; reused: string[]; heldOver: string[]; upToDate: boolean; jobsCancelled: number; jobsStarted: number; jobsFailed: number; workerRestarts: number }> {
    return this.connection.sendRequest('perfcontract/lastAnalysis', { uri }) as Promise<any>;
  }

  hover(uri: string, position: Position): Promise<{ contents: { kind: string; value: string }; range?: Range } | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position }) as Promise<any>;
  }

  codeLenses(uri: string): Promise<{ range: Range; command?: { title: string; command: string; arguments?: any[] } }[]> {
    return this.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } }) as Promise<any>;
  }

  executeCommand(command: string, argument: unknown, token?: unknown): Promise<any> {
    const params = { command, arguments: [argument] };
    return (token === undefined ? this.connection.sendRequest('workspace/executeCommand', params) : this.connection.sendRequest('workspace/executeCommand', params, token));
  }

  cancellationSource(): { token: unknown; cancel(): void } {
    return new rpc.CancellationTokenSource();
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  async shutdown(): Promise<number | null> {
    if (this.alive) {
      await this.connection.sendRequest('shutdown').catch(() => undefined);
      await this.connection.sendNotification('exit').catch(() => undefined);
    }
    const code = await this.exited;
    this.connection.dispose();
    return code;
  }

  private emit(method: string, params: unknown): void {
    for (const listener of [...this.listeners]) {
      if (listener.method === method && listener.predicate(params)) {
        this.listeners = this.listeners.filter((l) => l !== listener);
        listener.resolve(params);
      }
    }
  }
}

export function uriOf(filePath: string): string {
  return pathToFileURL(filePath).toString();
}

/** Position of the first occurrence of `needle` (plus `delta` characters) in UTF-16 units. */
export function positionOf(text: string, needle: string, delta = 0, occurrence = 1): Position {
  let index = -1;
  for (let i = 0; i < occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`'${needle}' not found`);
  }
  index += delta;
  const before = text.slice(0, index);
  const line = before.split('\n').length - 1;
  return { line, character: index - (before.lastIndexOf('\n') + 1) };
}

/** The settings with `baseline: ''` unless they name a baseline. */
function withoutBaseline(settings: Record<string, unknown>): Record<string, unknown> {
  return 'baseline' in settings ? settings : { baseline: '', ...settings };
}
