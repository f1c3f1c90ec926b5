// The status bar item that mirrors the server's `perfcontract/status` notifications.
import * as vscode from 'vscode';

export interface StatusParams {
  state: 'analysing' | 'upToDate' | 'incomplete' | 'error';
  message: string;
  uri?: string;
}

const PRESENTATION: Record<StatusParams['state'], { icon: string; label: string }> = {
  analysing: { icon: '$(sync~spin)', label: 'analysing' },
  upToDate: { icon: '$(check)', label: 'up to date' },
  incomplete: { icon: '$(warning)', label: 'incomplete' },
  error: { icon: '$(error)', label: 'error' },
};

export class StatusIndicator implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(clickCommand: string) {
    this.item = vscode.window.createStatusBarItem('perfcontract.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Performance Contracts';
    this.item.command = clickCommand;
    this.update({ state: 'analysing', message: 'Starting the server' });
    this.item.show();
  }

  update(params: StatusParams): void {
    const presentation = PRESENTATION[params.state] ?? PRESENTATION.error;
    this.item.text = `${presentation.icon} Contracts: ${presentation.label}`;
    this.item.tooltip = `${params.message}${params.uri ? `\n${vscode.Uri.parse(params.uri).fsPath}` : ''}\nClick to open the output.`;
    this.item.backgroundColor = params.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : params.state === 'incomplete' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
