// Read-only Markdown documents that hold generated contracts, opened beside the code, with links
// from `file:line` and `line N` mentions back to the source.
import * as path from 'path';
import * as vscode from 'vscode';
import { findSourceLinks } from './sourceLinks';

export const CONTRACT_SCHEME = 'perfcontract-contract';

interface StoredContract {
  markdown: string;
  sourceUri: string;
}

export class ContractDocumentStore implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, StoredContract>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString())?.markdown ?? '(this contract is no longer available; generate it again)';
  }

  source(uri: vscode.Uri): string | undefined {
    return this.contents.get(uri.toString())?.sourceUri;
  }

  /** Stores the Markdown under a stable name and opens it beside the active editor. */
  async show(title: string, markdown: string, sourceUri: string): Promise<vscode.TextEditor> {
    const safe = title.replace(/[^A-Za-z0-9_.@ -]+/g, '_');
    const uri = vscode.Uri.from({ scheme: CONTRACT_SCHEME, path: `/${safe}.md` });
    this.contents.set(uri.toString(), { markdown, sourceUri });
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== 'markdown') await vscode.languages.setTextDocumentLanguage(document, 'markdown');
    return vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false, preserveFocus: false });
  }

  dispose(): void {
    this.changed.dispose();
    this.contents.clear();
  }
}

export class ContractLinkProvider implements vscode.DocumentLinkProvider {
  constructor(private readonly store: ContractDocumentStore) {}

  provideDocumentLinks(document: vscode.TextDocument): vscode.DocumentLink[] {
    const source = this.store.source(document.uri);
    const sourcePath = source ? vscode.Uri.parse(source).fsPath : undefined;
    const folder = source ? vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(source))?.uri.fsPath : undefined;
    const baseDirectory = folder ?? (sourcePath ? path.dirname(sourcePath) : undefined);
    return findSourceLinks(document.getText(), { sourcePath, baseDirectory }).map((link) => {
      const target = vscode.Uri.file(link.file).with({ fragment: `L${link.line}` });
      const documentLink = new vscode.DocumentLink(new vscode.Range(document.positionAt(link.start), document.positionAt(link.end)), target);
      documentLink.tooltip = `Go to ${path.basename(link.file)}:${link.line}`;
      return documentLink;
    });
  }
}
