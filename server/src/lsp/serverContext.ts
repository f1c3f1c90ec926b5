// What the language server's parts share: the open documents with their analysis results, the settings,
// the workspace, the client's capabilities and the host of the analysis worker.
import * as path from 'path';
import { fileURLToPath } from 'url';
import type { Connection } from './languageServerRuntime';
import type { Diagnostic as EngineDiagnostic } from '../core/analysis';
import type { FunctionContract } from '../core/contract/contract';
import { AnalysisHost } from './analysisHost';
import { ServerCodes } from './contractPresentation';
import { compileFlagsFor, readFileOrUndefined, ServerSettings, DEFAULT_SETTINGS } from './serverSettings';
import type { IncrementalOutline, loadOutlineParser } from './sourceOutline';
import type { EditorDocument, PositionEncoding } from './textDocument';
import type { WorkspaceIndex } from './workspaceIndex';
import type { FunctionSummary, PartialContract, WorkerAnalysisOptions } from './workerProtocol';

/** The results of one finished (or, while `building`, running) analysis of a document. */
export interface Results {
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

export interface DocumentState {
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

export class ServerContext {
  readonly documents = new Map<string, DocumentState>();
  readonly host: AnalysisHost;
  settings: ServerSettings = DEFAULT_SETTINGS;
  settingProblems: string[] = [];
  encoding: PositionEncoding = 'utf-16';
  roots: string[] = [];
  index: WorkspaceIndex | undefined;
  parser: Awaited<ReturnType<typeof loadOutlineParser>> | undefined;
  clientCapabilities = { configuration: false, progress: false, codeLensRefresh: false, watchedFilesRegistration: false };
  /** Timeline steps already logged (each once per server). */
  private readonly marked = new Set<string>();

  constructor(readonly connection: Connection) {
    this.host = new AnalysisHost({ cancelGraceMs: 3000, log: (m) => this.connection.console.log(m), onWorkerReady: () => this.mark('analysis worker loaded') });
  }

  /**
   * Logs the first time the server reaches a step on the way to the first cost lens, with the wall
   * clock, so that an editor test can line its own events up with the server's (docs/extension.md,
   * First results).
   */
  mark(step: string): void {
    if (this.marked.has(step)) return;
    this.marked.add(step);
    this.connection.console.log(`perfcontract timeline: ${step} at ${Date.now()} (${Math.round(process.uptime() * 1000)} ms after the server process started)`);
  }

  /** The folder a document's relative paths (settings, baselines, traces) resolve against: the first workspace folder, else the document's. */
  rootOf(state: DocumentState): string {
    return this.roots[0] ?? path.dirname(state.document.path);
  }

  /** The text of every open buffer by path: the worker reads these instead of the files on disk. */
  overlay(): Record<string, string> {
    const overlay: Record<string, string> = {};
    for (const s of this.documents.values()) overlay[s.document.path] = s.document.text;
    return overlay;
  }

  optionsFor(state: DocumentState): { options: WorkerAnalysisOptions; problems: { message: string; code: string }[] } {
    const flags = compileFlagsFor(state.document.path, this.roots, readFileOrUndefined);
    const root = this.rootOf(state);
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
}

export function pathOfUri(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}
