// Loads vscode-languageserver through its package exports at run time, with the few protocol types the server uses.
//
// The project compiles with `moduleResolution: node`, which does not read package `exports`, so the
// protocol's types do not resolve through `vscode-languageserver/node`. The connection's own
// declarations still do (by file path, types only); the protocol shapes are written out here.
import type * as ServerNode from 'vscode-languageserver/lib/node/main';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require('vscode-languageserver/node') as {
  createConnection: typeof ServerNode.createConnection;
  ProposedFeatures: { all: unknown };
  ResponseError: new (code: number, message: string, data?: unknown) => Error & { code: number };
};

export type Connection = ServerNode.Connection;

export function createStdioOrIpcConnection(): Connection {
  return (runtime.createConnection as (features: unknown) => Connection)(runtime.ProposedFeatures.all);
}

export const ResponseError = runtime.ResponseError;

export const ErrorCodes = {
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  RequestCancelled: -32800,
} as const;

export const TextDocumentSyncKind = { None: 0, Full: 1, Incremental: 2 } as const;

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export interface CancellationToken {
  isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

export interface InitializeParams {
  capabilities: {
    general?: { positionEncodings?: string[] };
    workspace?: { configuration?: boolean; codeLens?: { refreshSupport?: boolean }; didChangeWatchedFiles?: { dynamicRegistration?: boolean } };
    window?: { workDoneProgress?: boolean };
  };
  rootUri?: string | null;
  workspaceFolders?: { uri: string; name: string }[] | null;
  initializationOptions?: unknown;
}

export interface TextDocumentItem { uri: string; languageId: string; version: number; text: string }
export interface DidOpenParams { textDocument: TextDocumentItem }
export interface DidChangeParams { textDocument: { uri: string; version: number }; contentChanges: { range?: Range; text: string }[] }
export interface DidCloseParams { textDocument: { uri: string } }
export interface DidChangeWatchedFilesParams { changes: { uri: string; type: number }[] }
export interface DidChangeConfigurationParams { settings: unknown }
export interface WorkspaceFoldersChangeEvent { added: { uri: string }[]; removed: { uri: string }[] }
export interface TextDocumentPositionParams { textDocument: { uri: string }; position: Position }
export interface CodeLensParams { textDocument: { uri: string } }
export interface ExecuteCommandParams { command: string; arguments?: unknown[] }
export interface Hover { contents: { kind: 'markdown'; value: string }; range?: Range }
export interface CodeLens { range: Range; command?: { title: string; command: string; arguments?: unknown[] } }

export interface ProgressReporter {
  begin(title: string, percentage?: number, message?: string): void;
  report(message: string): void;
  done(): void;
}
