// Editor tests in a downloaded VS Code (@vscode/test-electron through @vscode/test-cli, mocha BDD):
// hover, code lenses, diagnostics and Generate Contract on test-fixtures/nf/router.c, through the
// VS Code API. Every wait is on an editor event, bounded by a timeout.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { PerfcontractApi } from '../src/extension';

const FIXTURE = 'router.c';
const ENTRY = 'nf_process';
const ANALYSIS_TIMEOUT_MS = 240_000;

describe('perfcontract in VS Code', function () {
  let api: PerfcontractApi;
  let document: vscode.TextDocument;

  before(async function () {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the suite runs with test-fixtures/nf as its workspace folder');
    const settings = vscode.workspace.getConfiguration('perfcontract');
    await settings.update('includePaths', [path.join(folder, 'lib')], vscode.ConfigurationTarget.Global);
    // A budget of 1 instruction must be exceeded, which gives a diagnostic to look for.
    await settings.update('budgets', { [ENTRY]: 1 }, vscode.ConfigurationTarget.Global);
    document = await vscode.workspace.openTextDocument(path.join(folder, FIXTURE));
    await vscode.window.showTextDocument(document);
    const extension = vscode.extensions.getExtension<PerfcontractApi>('perfcontract.perfcontract');
    assert.ok(extension, 'the extension is installed');
    api = await extension.activate();
    await api.ready;
    const activation = api.activationMs();
    assert.ok(typeof activation === 'number' && activation >= 0, 'the activation time is measured');
    console.log(`activation: ${activation} ms`);
  });

  after(async () => {
    const settings = vscode.workspace.getConfiguration('perfcontract');
    await settings.update('includePaths', undefined, vscode.ConfigurationTarget.Global);
    await settings.update('budgets', undefined, vscode.ConfigurationTarget.Global);
  });

  it('shows code lenses with the cost of each function', async function () {
    const lenses = await until(
      async () => {
        const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 100);
        return found?.some((l) => /\d+ instr\b/.test(l.command?.title ?? '')) ? found : undefined;
      },
      [vscode.languages.onDidChangeDiagnostics],
      ANALYSIS_TIMEOUT_MS,
      'a code lens with a cost in instructions',
    );
    const entryLine = lineOf(document, new RegExp(`^\\w.*\\b${ENTRY}\\(`));
    const entryLens = lenses.find((l) => Math.abs(l.range.start.line - entryLine) <= 1 && /\d+ instr\b/.test(l.command?.title ?? ''));
    assert.ok(entryLens, `a lens above ${ENTRY}`);
    assert.ok(
      lenses.every((l) => !l.command || !l.command.command.startsWith('perfcontract.server.')),
      'lens commands are rewritten to the client commands',
    );
  });

  it('flags the function over its budget with a diagnostic', async function () {
    const diagnostics = await until(
      async () => {
        const found = vscode.languages.getDiagnostics(document.uri).filter((d) => /budget/i.test(d.message));
        return found.length > 0 ? found : undefined;
      },
      [vscode.languages.onDidChangeDiagnostics],
      ANALYSIS_TIMEOUT_MS,
      'a budget diagnostic',
    );
    assert.match(diagnostics[0]!.message, new RegExp(ENTRY));
  });

  it('hovers the entry function with its contract summary', async function () {
    const line = lineOf(document, new RegExp(`^\\w.*\\b${ENTRY}\\(`));
    const position = new vscode.Position(line, document.lineAt(line).text.indexOf(ENTRY) + 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
      .join('\n');
    assert.match(text, /instructions/);
    assert.match(text, /Worst C\d+/);
  });

  it('Generate Contract opens the Markdown contract and the contract view', async function () {
    await vscode.commands.executeCommand('perfcontract.generateContract', { uri: document.uri.toString(), functionName: ENTRY });
    const opened = api.lastContract();
    assert.ok(opened, 'a contract was generated');
    assert.equal(opened.contract.functions[0]?.name, ENTRY);
    assert.match(opened.markdown, new RegExp(`## \`${ENTRY}\``));
    const contractEditor = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'perfcontract-contract');
    assert.ok(contractEditor, 'the Markdown contract is open beside the code');
    assert.equal(contractEditor.document.languageId, 'markdown');
    const html = api.contractViewHtml();
    assert.ok(html?.includes('<table class="classes">'), 'the contract view shows the class table');
    assert.ok(html?.includes('<figure class="plot"'), 'the contract view plots cost against a PCV');
  });
});

function lineOf(document: vscode.TextDocument, pattern: RegExp): number {
  for (let line = 0; line < document.lineCount; line++) if (pattern.test(document.lineAt(line).text)) return line;
  throw new Error(`${pattern} not found in ${document.uri.fsPath}`);
}

/** Checks now and again whenever one of `events` fires, until `check` returns a value or the time is up. */
function until<T>(check: () => Promise<T | undefined>, events: vscode.Event<unknown>[], timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const subscriptions: vscode.Disposable[] = [];
    const finish = () => {
      done = true;
      clearTimeout(timer);
      subscriptions.forEach((s) => s.dispose());
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const attempt = async () => {
      if (done) return;
      try {
        const value = await check();
        if (value !== undefined && !done) {
          finish();
          resolve(value);
        }
      } catch (error) {
        finish();
        reject(error);
      }
    };
    for (const event of events) subscriptions.push(event(() => void attempt()));
    void attempt();
  });
}
