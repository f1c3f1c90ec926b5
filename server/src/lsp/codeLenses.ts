// Code lenses: each function's cost, its change against the baseline and its commands, a placeholder or partial
// result while it is analysed, and the throttled requests that make the client ask for them again.
import type { CodeLens } from './languageServerRuntime';
import type { Baselines } from './baselines';
import { baselineLensTitle, lensTitle } from './contractPresentation';
import { Commands } from './protocol';
import type { DocumentState, ServerContext } from './serverContext';
import type { PartialContract } from './workerProtocol';

/** Least time between two code lens refreshes while a job's contracts arrive one by one. */
const LENS_REFRESH_INTERVAL_MS = 250;

/** The code lens title of a function whose first contract is still being computed. */
export const ANALYSING_LENS = 'analysing...';

export function codeLenses(context: ServerContext, baselines: Baselines, uri: string): CodeLens[] {
  const state = context.documents.get(uri);
  if (!state) return [];
  context.mark('first code lens request');
  const lenses = lensesOf(baselines, state, uri);
  if (lenses.some((l) => l.command?.title === ANALYSING_LENS)) context.mark('first placeholder lens answered');
  if (lenses.some((l) => /^[\d,]+(-[\d,]+)? (instr|mem)\b/.test(l.command?.title ?? ''))) context.mark('first cost lens answered');
  return lenses;
}

function lensesOf(baselines: Baselines, state: DocumentState, uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const fn of state.outline.outline.functions) {
    const partial = state.building?.contracts.has(fn.name) ? undefined : state.building?.partial.get(fn.name);
    if (partial) {
      const at = state.document.positionAt(fn.start);
      lenses.push({ range: { start: at, end: at }, command: { title: partialLensTitle(partial), command: '' } });
      continue;
    }
    const contract = state.building?.contracts.get(fn.name) ?? state.latest?.contracts.get(fn.name);
    if (!contract && (state.job || state.dirty) && !state.overran.has(fn.name) && !state.outOfMemory.has(fn.name)) {
      // A placeholder until the first contract arrives (a refresh replaces it), so opening a file shows at once that it is being analysed.
      const at = state.document.positionAt(fn.start);
      lenses.push({ range: { start: at, end: at }, command: { title: ANALYSING_LENS, command: '' } });
      continue;
    }
    if (!contract || contract.file !== state.document.path) continue;
    const at = state.document.positionAt(fn.start);
    const range = { start: at, end: at };
    lenses.push({ range, command: { title: lensTitle(contract), command: '' } });
    const baseline = baselines.baselineFor(state);
    // A function is new only against a baseline that has contracts of this file at all.
    const delta = baseline ? baselineLensTitle(contract, baseline.contracts.get(fn.name), baseline.label, [...baseline.contracts.values()].some((c) => c.file === state.document.path)) : undefined;
    if (delta) lenses.push({ range, command: { title: delta, command: '' } });
    lenses.push({ range, command: { title: 'Generate contract', command: Commands.generateContract, arguments: [{ uri, functionName: fn.name }] } });
    if (contract.worstCase) lenses.push({ range, command: { title: 'Show worst case', command: Commands.showWorstCase, arguments: [{ uri, functionName: fn.name }] } });
  }
  return lenses;
}

/** Asks the client to request code lenses again (when it supports `workspace/codeLens/refresh`). */
export class LensRefresher {
  /** When the client was last asked to refresh its code lenses, and the refresh waiting for its turn. */
  private lastLensRefreshAt = 0;
  private lensRefresh: NodeJS.Timeout | undefined;

  constructor(private readonly context: ServerContext) {}

  /**
   * While contracts arrive one by one, at most one request per LENS_REFRESH_INTERVAL_MS goes out
   * (the latest state is what the client then asks for); `now` sends at once, as at the end of a job.
   */
  refresh(now = false): void {
    if (!this.context.clientCapabilities.codeLensRefresh) return;
    const wait = now ? 0 : LENS_REFRESH_INTERVAL_MS - (Date.now() - this.lastLensRefreshAt);
    if (wait > 0) {
      this.lensRefresh ??= setTimeout(() => {
        this.lensRefresh = undefined;
        this.refresh(true);
      }, wait);
      return;
    }
    if (this.lensRefresh) clearTimeout(this.lensRefresh);
    this.lensRefresh = undefined;
    this.lastLensRefreshAt = Date.now();
    void this.context.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }

  /** At shutdown: the refresh waiting for its turn is dropped. */
  dispose(): void {
    if (this.lensRefresh) clearTimeout(this.lensRefresh);
  }
}

/** The lens of a function being analysed: what is known so far, marked as partial. */
export function partialLensTitle(partial: PartialContract): string {
  return `analysing: ${partial.classes} class${partial.classes === 1 ? '' : 'es'} so far${partial.instructions ? `, ${instructionRange(partial.instructions)} instr` : ''} (partial)`;
}

/** A partial result's range of IR instructions: `min-max`, one number when they agree, `+` when PCVs add more. */
export function instructionRange(range: NonNullable<PartialContract['instructions']>): string {
  const max = `${range.max}${range.withPcvs ? '+' : ''}`;
  return range.min === range.max ? max : `${range.min}-${max}`;
}
