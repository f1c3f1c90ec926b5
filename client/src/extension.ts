// The VS Code extension's entry point: starts the bundled language server over IPC, shows its
// status, registers the palette commands and opens contracts beside the code.
import * as path from 'path';
import * as vscode from 'vscode';
import { DidChangeConfigurationNotification, ExecuteCommandRequest, LanguageClient, LanguageClientOptions, ServerOptions, State, TransportKind } from 'vscode-languageclient/node';
import { ContractDocumentStore, CONTRACT_SCHEME, ContractLinkProvider } from './contractDocuments';
import { ContractPanel } from './contractPanel';
import { readContractDocument, type ContractDocument } from './contractTypes';
import { rewriteLensCommand } from './lensCommands';
import { withoutRevisionBaseline, withoutX86 } from './workspaceTrust';
import { parsePcvAssignments } from './pcvInput';
import { StatusIndicator, type StatusParams } from './statusIndicator';

export const SERVER_COMMANDS = {
  generateContract: 'perfcontract.server.generateContract',
  showWorstCase: 'perfcontract.server.showWorstCase',
  evaluateClass: 'perfcontract.server.evaluateClass',
  functionAt: 'perfcontract.server.functionAt',
} as const;

/** What `activate` returns; the editor tests read it through `extension.exports`. */
export interface PerfcontractApi {
  /** Milliseconds from the start of `activate` to the server's `initialize` answer. */
  readonly activationMs: () => number | undefined;
  /** Resolves once the language server has answered `initialize`. */
  readonly ready: Promise<void>;
  /** The last contract opened by a Generate contract command. */
  readonly lastContract: () => { uri: string; functionName?: string; markdown: string; contract: ContractDocument } | undefined;
  /** The HTML of the contract view, when it is open. */
  readonly contractViewHtml: () => string | undefined;
  /** The last answer of Predict Throughput for a Trace. */
  readonly lastPrediction: () => TracePrediction | undefined;
}

/** The answer of `perfcontract/predictTrace` (docs/lsp.md). */
export interface TracePrediction {
  trace: string;
  entry: string;
  text: string;
  notes: string[];
  workload: unknown;
  prediction: { statistics: Record<string, { mean: number; p50: number; p99: number; max: number }>; packetsPerSecond?: number };
}

interface TargetArgument {
  uri?: string;
  functionName?: string;
  classId?: string;
  pcvs?: Record<string, number>;
  /** Predict Throughput for a Trace: the pcap file and the function run before the first packet ('' for none). */
  trace?: string;
  init?: string;
  /** Compare Contract with: a git revision or a saved contract file. */
  baseline?: string;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<PerfcontractApi> {
  const started = Date.now();
  let activationMs: number | undefined;
  const output = vscode.window.createOutputChannel('Performance Contracts', { log: true });
  const status = new StatusIndicator('perfcontract.showOutput');
  const documents = new ContractDocumentStore();
  const panel = new ContractPanel(context.extensionUri);
  let lastContract: ReturnType<PerfcontractApi['lastContract']>;
  let lastPrediction: TracePrediction | undefined;
  let lensRequests = 0;
  context.subscriptions.push(output, status, documents, panel);
  output.appendLine(`perfcontract timeline: extension activation started at ${started}`);
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(CONTRACT_SCHEME, documents));
  context.subscriptions.push(vscode.languages.registerDocumentLinkProvider({ scheme: CONTRACT_SCHEME }, new ContractLinkProvider(documents)));

  const serverModule = process.env.PERFCONTRACT_SERVER_MODULE ?? context.asAbsolutePath(path.join('dist', 'server.js'));
  const env = serverEnvironment(process.env);
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { env } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { env, execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // The client adds hovers, lenses and diagnostics to C files; it never claims the C language.
    documentSelector: [
      { scheme: 'file', language: 'c' },
      { scheme: 'untitled', language: 'c' },
    ],
    outputChannel: output,
    // The function hover links to its full contract; only that command may run from a hover.
    markdown: { isTrusted: { enabledCommands: ['perfcontract.generateContract'] } },
    synchronize: {
      configurationSection: 'perfcontract',
      fileEvents: [vscode.workspace.createFileSystemWatcher('**/*.{c,h}'), vscode.workspace.createFileSystemWatcher('**/*.pcontract.json')],
    },
    middleware: {
      workspace: {
        // x86 metrics compile and run the user's code, and git may run programs a repository
        // configures: neither in an untrusted workspace.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (vscode.workspace.isTrusted || !Array.isArray(result)) return result;
          return result.map((value, i) => (params.items[i]?.section === 'perfcontract' ? withoutRevisionBaseline(withoutX86(value)) : value));
        },
      },
      provideCodeLenses: async (document, token, next) => {
        const asked = Date.now();
        const lenses = await next(document, token);
        // The editor waits between lens requests in proportion to how long earlier ones took: the
        // first few durations are logged for the time-to-first-lens breakdown (docs/extension.md).
        if (lensRequests < 5) output.appendLine(`perfcontract timeline: code lens request ${++lensRequests} (${lenses?.length ?? 0} lenses, ${Date.now() - asked} ms) at ${Date.now()}`);
        return lenses?.map(rewriteLensCommand);
      },
      resolveCodeLens: async (lens, token, next) => {
        const resolved = await next(lens, token);
        return resolved ? rewriteLensCommand(resolved) : resolved;
      },
    },
  };
  client = new LanguageClient('perfcontract', 'Performance Contracts', serverOptions, clientOptions);
  // Trust granted: the server reads its settings again (x86 metrics may now be on).
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => {
    void client?.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }));
  context.subscriptions.push(client.onNotification('perfcontract/status', (params: StatusParams) => status.update(params)));
  context.subscriptions.push(
    client.onDidChangeState((change) => {
      if (change.newState === State.Stopped) {
        status.update({ state: 'error', message: 'PCX008 the language server stopped. Run "Performance Contracts: Restart Server", or see the output for why.' });
      }
    }),
  );

  const executeServerCommand = async <T>(command: string, argument: object): Promise<T> => {
    if (!client) throw new Error('PCX002 the language server is not running');
    await ready;
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [argument] })) as T;
  };

  const target = async (arg: TargetArgument | undefined, wantFunction: boolean): Promise<{ uri: string; functionName?: string } | undefined> => {
    if (arg?.uri) return { uri: arg.uri, functionName: arg.functionName };
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'c') {
      void vscode.window.showWarningMessage('Performance Contracts: open a C file first.');
      return undefined;
    }
    const uri = editor.document.uri.toString();
    if (!wantFunction) return { uri };
    const at = await executeServerCommand<{ functionName: string } | null>(SERVER_COMMANDS.functionAt, {
      uri,
      position: { line: editor.selection.active.line, character: editor.selection.active.character },
    });
    return { uri, functionName: at?.functionName };
  };

  const generate = async (arg: TargetArgument | undefined, wantFunction: boolean) => {
    const where = await target(arg, wantFunction);
    if (!where) return;
    const label = where.functionName ?? path.basename(vscode.Uri.parse(where.uri).fsPath);
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Generating the contract of ${label}` }, async () => {
      const result = await executeServerCommand<{ markdown: string; json: unknown } | null>(SERVER_COMMANDS.generateContract, where);
      if (!result) throw new Error(`PCX003 the server found no function to analyse in ${label}`);
      const contract = readContractDocument(result.json);
      lastContract = { uri: where.uri, functionName: where.functionName, markdown: result.markdown, contract };
      const sourceColumn = vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One;
      await documents.show(`${label} contract`, result.markdown, where.uri);
      panel.show(`Contract: ${label}`, contract, sourceColumn);
    });
  };

  const reportErrors =
    <A extends unknown[]>(action: (...args: A) => Promise<unknown>) =>
    async (...args: A) => {
      try {
        await action(...args);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        output.appendLine(`[error] ${message}`);
        void vscode.window.showErrorMessage(`Performance Contracts: ${message}`);
      }
    };

  context.subscriptions.push(
    vscode.commands.registerCommand('perfcontract.generateContract', reportErrors((arg?: TargetArgument) => generate(arg, true))),
    vscode.commands.registerCommand('perfcontract.generateFileContract', reportErrors((arg?: TargetArgument) => generate(arg ? { uri: arg.uri } : undefined, false))),
    vscode.commands.registerCommand(
      'perfcontract.showWorstCase',
      reportErrors(async (arg?: TargetArgument) => {
        const where = await target(arg, true);
        if (!where) return;
        if (!where.functionName) throw new Error('PCX004 put the cursor inside a function to show its worst case');
        const result = await executeServerCommand<{ markdown: string; classId: string } | null>(SERVER_COMMANDS.showWorstCase, where);
        if (!result) throw new Error(`PCX005 ${where.functionName} has no worst case (no class returns or fails)`);
        await documents.show(`${where.functionName} worst case ${result.classId}`, result.markdown, where.uri);
      }),
    ),
    vscode.commands.registerCommand(
      'perfcontract.evaluateClass',
      reportErrors(async (arg?: TargetArgument) => {
        const where = await target(arg, true);
        if (!where) return;
        if (!where.functionName) throw new Error('PCX004 put the cursor inside a function to evaluate one of its classes');
        const known = lastContract?.contract.functions.find((f) => f.name === where.functionName);
        const classId =
          arg?.classId ??
          (known
            ? (await vscode.window.showQuickPick(known.classes.map((c) => ({ label: c.id, description: c.cost[known.metrics[0] ?? ''] ?? '', detail: c.condition }))))?.label
            : await vscode.window.showInputBox({ prompt: `Class of ${where.functionName} to evaluate`, placeHolder: 'C1, worst or best', value: 'worst' }));
        if (!classId) return;
        let pcvs = arg?.pcvs;
        if (!pcvs) {
          const names = known?.pcvs.map((p) => `${p.name}=${p.bound ?? 0}`).join(', ') ?? '';
          const text = await vscode.window.showInputBox({ prompt: 'PCV values (NAME=VALUE, comma separated)', value: names });
          if (text === undefined) return;
          pcvs = parsePcvAssignments(text);
        }
        const result = await executeServerCommand<{ values: Record<string, number>; text: string }>(SERVER_COMMANDS.evaluateClass, { ...where, classId, pcvs });
        output.appendLine(`${where.functionName} ${classId}: ${result.text}`);
        void vscode.window.showInformationMessage(`${where.functionName} ${classId}: ${result.text}`);
      }),
    ),
    vscode.commands.registerCommand(
      'perfcontract.predictTrace',
      reportErrors(async (arg?: TargetArgument) => {
        const where = await target(arg, true);
        if (!where) return;
        if (!where.functionName) throw new Error('PCX004 put the cursor inside the packet handler to predict a trace on it');
        const trace = arg?.trace ?? (await pickTrace());
        if (!trace) return;
        const init = arg?.init ?? (await vscode.window.showInputBox({
          prompt: 'Function run once before the first packet, to initialise the state (empty: none)',
          value: await guessInit(where.uri),
        }));
        if (init === undefined) return;
        const settings = vscode.workspace.getConfiguration('perfcontract', vscode.Uri.parse(where.uri));
        const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Predicting ${path.basename(trace)} on ${where.functionName}`, cancellable: true }, async (_progress, token) => {
          if (!client) throw new Error('PCX002 the language server is not running');
          await ready;
          return (await client.sendRequest('perfcontract/predictTrace', {
            uri: where.uri, functionName: where.functionName, trace, ...(init.trim() !== '' ? { init: init.trim() } : {}),
            clockGhz: settings.get<number>('throughput.clockGhz', 3), cyclesPerInstruction: settings.get<number>('throughput.cyclesPerInstruction', 1),
          }, token)) as TracePrediction;
        });
        lastPrediction = result;
        output.appendLine(`${where.functionName} on ${trace}:\n${result.text}`);
        await documents.show(`${path.basename(trace)} on ${where.functionName}`, predictionMarkdown(result), where.uri);
      }),
    ),
    vscode.commands.registerCommand(
      'perfcontract.compareContract',
      reportErrors(async (arg?: TargetArgument) => {
        const where = await target(arg, false);
        if (!where) return;
        const baseline = arg?.baseline ?? (await pickBaseline());
        if (!baseline) return;
        if (!vscode.workspace.isTrusted && !baseline.endsWith('.json')) {
          throw new Error('PCX009 comparing with a git revision runs git, which a repository can configure to run programs: trust the workspace first, or compare with a saved contract file');
        }
        const file = path.basename(vscode.Uri.parse(where.uri).fsPath);
        const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Comparing ${file} with ${baseline}`, cancellable: true }, async (_progress, token) => {
          if (!client) throw new Error('PCX002 the language server is not running');
          await ready;
          return (await client.sendRequest('perfcontract/compare', { uri: where.uri, baseline }, token)) as { label: string; current: unknown; baseline: unknown };
        });
        const only = (doc: ContractDocument) => (where.functionName ? { ...doc, functions: doc.functions.filter((f) => f.name === where.functionName) } : doc);
        const current = only(readContractDocument(result.current));
        const before = only(readContractDocument(result.baseline));
        const label = where.functionName ?? file;
        panel.showComparison(`Compare: ${label} vs ${result.label}`, current, before, { current: 'working copy', baseline: result.label }, vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One);
      }),
    ),
    vscode.commands.registerCommand(
      'perfcontract.restartServer',
      reportErrors(async () => {
        if (!client) return;
        status.update({ state: 'analysing', message: 'Restarting the server' });
        await client.restart();
      }),
    ),
    vscode.commands.registerCommand('perfcontract.showOutput', () => output.show(true)),
  );

  // The server analyses the functions on screen first (perfcontract/visibleRanges).
  const sendVisibleRanges = (editor: vscode.TextEditor) => {
    if (editor.document.languageId !== 'c' || !client?.isRunning()) return;
    void client.sendNotification('perfcontract/visibleRanges', {
      uri: editor.document.uri.toString(),
      ranges: editor.visibleRanges.map((r) => ({ start: r.start.line, end: r.end.line })),
    }).catch(() => undefined);
  };
  context.subscriptions.push(
    vscode.window.onDidChangeTextEditorVisibleRanges((event) => sendVisibleRanges(event.textEditor)),
    vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach(sendVisibleRanges)),
  );
  const ready = client.start().then(
    () => {
      vscode.window.visibleTextEditors.forEach(sendVisibleRanges);
      activationMs = Date.now() - started;
      output.appendLine(`perfcontract: server started, extension activated in ${activationMs} ms`);
      output.appendLine(`perfcontract timeline: language client ready at ${Date.now()}`);
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      status.update({ state: 'error', message: `The server did not start: ${message}` });
      output.appendLine(`[error] PCX006 the server did not start: ${message}`);
      throw error;
    },
  );
  ready.catch(() => undefined);

  return {
    activationMs: () => activationMs,
    ready,
    lastContract: () => lastContract,
    contractViewHtml: () => panel.html(),
    lastPrediction: () => lastPrediction,
  };
}

/** The workspace's pcap files to choose from, and a file dialog for any other. */
async function pickTrace(): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles('**/*.pcap', '**/node_modules/**', 200);
  const browse = 'Choose a pcap file...';
  const items = [...found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), description: 'pcap', path: uri.fsPath })), { label: browse, description: '', path: '' }];
  const picked = await vscode.window.showQuickPick(items, { title: 'Predict Throughput for a Trace', placeHolder: 'Packet trace (pcap) to distil into a workload' });
  if (!picked) return undefined;
  if (picked.label !== browse) return picked.path;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Packet traces': ['pcap'] }, title: 'Packet trace' });
  return chosen?.[0]?.fsPath;
}

/** Revisions (in a trusted workspace) and the workspace's saved contracts, or one typed in. */
async function pickBaseline(): Promise<string | undefined> {
  const saved = await vscode.workspace.findFiles('**/*.contract.json', '**/node_modules/**', 200);
  const other = 'Another revision or contract file...';
  const items: vscode.QuickPickItem[] = [
    ...(vscode.workspace.isTrusted ? [{ label: 'HEAD', description: 'the last commit' }, { label: 'HEAD~1', description: 'the commit before it' }] : []),
    ...saved.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), description: 'saved contract' })),
    { label: other, description: vscode.workspace.isTrusted ? 'a branch, tag or commit, or a contract --format json file' : 'a contract --format json file' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Compare Contract with...', placeHolder: 'A git revision or a saved contract' });
  if (!picked) return undefined;
  if (picked.label !== other) return picked.label;
  return (await vscode.window.showInputBox({ prompt: 'Git revision (main, v1.2, a commit) or saved contract file (.json)' }))?.trim() || undefined;
}

/** A parameterless function of the file whose name says it initialises (`nf_init(void)`), as the default. */
async function guessInit(uri: string): Promise<string> {
  const text = (await vscode.workspace.openTextDocument(vscode.Uri.parse(uri))).getText();
  return /^\s*(?:static\s+)?(?:void|int)\s+(\w*init\w*)\s*\(\s*(?:void)?\s*\)/m.exec(text)?.[1] ?? '';
}

/** The prediction as a read-only Markdown document: the figures, then the distilled workload. */
export function predictionMarkdown(result: TracePrediction): string {
  return [
    `## \`${result.entry}\` on ${path.basename(result.trace)}`,
    '',
    `The trace ${result.trace} run through the reference interpreter (state carried from packet to packet), distilled into a workload, and that workload predicted on the contract: no code was run on hardware.`,
    '',
    '### Prediction',
    '',
    '```text',
    result.text,
    '```',
    ...(result.notes.length > 0 ? ['', ...result.notes.map((n) => `- ${n}`)] : []),
    '',
    '### Distilled workload',
    '',
    'Save it as a `.json` file to predict it on another build: `perfcontract predict CONTRACT.json --workload W.json`.',
    '',
    '```json',
    JSON.stringify(result.workload, null, 2),
    '```',
  ].join('\n');
}

export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) await running.stop();
}

/**
 * Variables the server process gets on top of the editor's environment. glibc gives each thread
 * that contends for malloc an arena of its own (up to 8 per core) and keeps their freed memory;
 * the server has a dozen threads (the analysis worker, z3's thread, V8's compiler threads), and
 * two arenas hold about 20 MB less on average (docs/lsp.md, Results). A value the user set is kept.
 */
export function serverEnvironment(environment: NodeJS.ProcessEnv): Record<string, string> {
  return environment.MALLOC_ARENA_MAX === undefined ? { MALLOC_ARENA_MAX: '2' } : {};
}

