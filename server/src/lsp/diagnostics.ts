// Publishes a document's diagnostics for its analysis results: the engine's, the budgets', the server's own and the baseline's (PC509).
import type { Baselines } from './baselines';
import { diagnosticsFor } from './contractPresentation';
import type { DocumentState, Results, ServerContext } from './serverContext';

/** Sends the diagnostics of `results` to the client, unless the document is internal or has changed since. */
export function publishDiagnostics(context: ServerContext, baselines: Baselines, state: DocumentState, results: Results): void {
  if (state.internal || results.version !== state.document.version) return;
  const { settings } = context;
  const diagnostics = diagnosticsFor({
    document: state.document, outline: state.outline.outline, engineDiagnostics: results.engineDiagnostics, contracts: [...results.contracts.values()],
    functions: results.functions, budgets: settings.budgets, failure: results.failure, extraProblems: results.problems,
    overran: results.overran, outOfMemory: results.outOfMemory, timeLimitMs: settings.timeLimitMs,
    baseline: baselines.baselineFor(state),
  });
  void context.connection.sendDiagnostics({ uri: state.document.uri, version: results.version, diagnostics });
}
