// The contract view: one webview panel that shows the last generated contract and jumps to the
// code when a link in it is clicked.
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import type { ContractDocument } from './contractTypes';
import { ComparisonLabels, renderComparisonHtml, renderContractHtml } from './contractView';

export class ContractPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private lastHtml: string | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  show(title: string, contract: ContractDocument, sourceColumn: vscode.ViewColumn): void {
    const panel = this.open(title, sourceColumn);
    this.lastHtml = renderContractHtml(contract, { cspSource: panel.webview.cspSource, nonce: crypto.randomBytes(16).toString('hex'), title });
    panel.webview.html = this.lastHtml;
  }

  /** Two contracts side by side (Compare Contract with...). */
  showComparison(title: string, current: ContractDocument, baseline: ContractDocument, labels: ComparisonLabels, sourceColumn: vscode.ViewColumn): void {
    const panel = this.open(title, sourceColumn);
    this.lastHtml = renderComparisonHtml(current, baseline, labels, { cspSource: panel.webview.cspSource, nonce: crypto.randomBytes(16).toString('hex'), title });
    panel.webview.html = this.lastHtml;
  }

  private open(title: string, sourceColumn: vscode.ViewColumn): vscode.WebviewPanel {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('perfcontract.contractView', title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        localResourceRoots: [this.extensionUri],
      });
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.lastHtml = undefined;
      });
      this.panel.webview.onDidReceiveMessage(async (message: { type?: string; file?: string; line?: number }) => {
        if (message.type !== 'reveal' || typeof message.file !== 'string') return;
        const line = Math.max(0, (Number(message.line) || 1) - 1);
        const document = await vscode.workspace.openTextDocument(vscode.Uri.file(message.file));
        const editor = await vscode.window.showTextDocument(document, { viewColumn: sourceColumn, preserveFocus: false });
        const position = new vscode.Position(line, 0);
        editor.selection = new vscode.Selection(position, position);
        editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      });
    } else {
      this.panel.reveal(undefined, true);
    }
    this.panel.title = title;
    return this.panel;
  }

  html(): string | undefined {
    return this.lastHtml;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
