// Baselines (the `perfcontract.baseline` setting, docs/lsp.md): each document's contracts at a git revision or in a
// saved contract file, worked out after its analyses and analysed by the worker when it has nothing else to do.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FunctionContract } from '../core/contract/contract';
import { BaselineError, extractRevision, git, gitRoot, isSavedContractSpec, readSavedContracts, resolveRevision, RevisionTree } from '../cli/baseline';
import type { LensRefresher } from './codeLenses';
import { publishDiagnostics } from './diagnostics';
import type { DocumentState, ServerContext } from './serverContext';
import { readFileOrUndefined } from './serverSettings';
import type { WorkerAnalysisOptions } from './workerProtocol';

/**
 * A document's baseline: its contracts at a git revision or in a saved contract file, which the
 * lenses and PC509 compare with. `key` names what it was computed from (the commit, the unit's
 * files and options), so that it is computed again only when one of them changes, never on an edit.
 */
interface BaselineState {
  key: string;
  label: string;
  contracts?: Map<string, FunctionContract>;
  error?: string;
  /** Waiting for the worker to be idle. */
  pending: boolean;
}

export class Baselines {
  private readonly baselines = new Map<string, BaselineState>();
  /** The analysis of the setting's baseline running in the worker (only while no document waits). */
  private baselineJob: { id: number; uri: string } | undefined;
  /** Revision folders extracted by this server, deleted at shutdown. */
  private readonly revisionFolders = new Set<string>();

  /** `schedule` asks the scheduler for the worker's next turn, in which a pending baseline may start. */
  constructor(private readonly context: ServerContext, private readonly lenses: LensRefresher, private readonly schedule: (delay: number) => void) {}

  /** The finished baseline of a document, if the setting names one and it is computed. */
  baselineFor(state: DocumentState): { label: string; contracts: Map<string, FunctionContract>; growthPercent: number } | undefined {
    const baseline = this.baselines.get(state.document.uri);
    if (!this.context.settings.baseline || !baseline?.contracts) return undefined;
    return { label: baseline.label, contracts: baseline.contracts, growthPercent: this.context.settings.baselineGrowthPercent };
  }

  /**
   * After a finished analysis: works out what the document's baseline is now (the setting, the
   * commit it names, the unit's files). A saved contract is read at once. A revision whose files
   * are those of the editor (an unchanged file) takes the contracts just computed; any other waits
   * for the worker to be idle (startBaselineJob).
   */
  updateBaseline(state: DocumentState): void {
    const uri = state.document.uri;
    const spec = this.context.settings.baseline;
    if (!spec || !state.unit || !state.latest) {
      this.baselines.delete(uri);
      return;
    }
    const root = this.context.rootOf(state);
    const known = this.baselines.get(uri);
    const fail = (key: string, message: string) => {
      if (known?.key !== key) this.context.connection.console.log(`baseline '${spec}' for ${path.basename(state.document.path)}: ${message}`);
      this.baselines.set(uri, { key, label: spec, error: message, pending: false });
    };
    try {
      const saved = path.resolve(root, spec);
      if (isSavedContractSpec(saved)) {
        const key = `file\0${saved}\0${fs.statSync(saved).mtimeMs}`;
        if (known?.key === key) return;
        const contracts = readSavedContracts(saved);
        this.baselines.set(uri, { key, label: path.basename(saved), contracts: new Map(contracts.map((c) => [c.name, c])), pending: false });
        publishDiagnostics(this.context, this, state, state.latest);
        return;
      }
      const repository = gitRoot(path.dirname(state.document.path));
      if (!repository) return fail(`norepo\0${spec}`, `'${path.dirname(state.document.path)}' is not in a git repository; no baseline`);
      const commit = resolveRevision(repository, spec);
      const key = `${commit}\0${JSON.stringify(state.unit)}`;
      if (known?.key === key) return;
      if (this.unitMatchesRevision(state, repository, commit)) {
        // The files are the revision's: the contracts just computed are the baseline's.
        this.baselines.set(uri, { key, label: spec, contracts: new Map(state.latest.contracts), pending: false });
        publishDiagnostics(this.context, this, state, state.latest);
        return;
      }
      this.baselines.set(uri, { key, label: spec, pending: true });
      this.schedule(0);
    } catch (error) {
      if (!(error instanceof BaselineError) && !(error instanceof Error)) throw error;
      fail(`error\0${spec}\0${(error as Error).message}`, (error as Error).message);
    }
  }

  /** Whether every file of the unit, as the editor has it, is the revision's (no header folder changed either). */
  private unitMatchesRevision(state: DocumentState, repository: string, commit: string): boolean {
    const unit = state.unit!;
    const folders = [...new Set([...unit.files.map((f) => path.dirname(f)), ...(unit.options.includeDirs ?? [])])];
    if (git(repository, ['diff', '--quiet', commit, '--', ...folders]).status !== 0) return false;
    // git diff compares the files on disk; an open buffer may differ from its file.
    return [...this.context.documents.values()].every((s) => s.internal || !unit.files.includes(s.document.path) || s.document.text === readFileOrUndefined(s.document.path));
  }

  /** Starts the analysis of a pending baseline when the worker has nothing else to do. */
  startBaselineJob(): void {
    if (this.baselineJob) return;
    const { documents } = this.context;
    const entry = [...this.baselines].find(([uri, b]) => b.pending && documents.get(uri)?.unit);
    if (!entry) return;
    const [uri, baseline] = entry;
    const state = documents.get(uri)!;
    baseline.pending = false;
    const run = this.analyseBaseline(state, this.context.settings.baseline);
    this.baselineJob = run.id !== undefined ? { id: run.id, uri } : undefined;
    void run.result.then(
      (result) => {
        if (this.baselines.get(uri) !== baseline) return;
        if (result === 'cancelled') baseline.pending = true;
        else baseline.contracts = new Map(result.contracts.map((c) => [c.name, c]));
      },
      (error: Error) => {
        if (this.baselines.get(uri) !== baseline) return;
        baseline.error = error.message;
        this.context.connection.console.log(`baseline '${baseline.label}' for ${path.basename(state.document.path)}: ${error.message}`);
      },
    ).finally(() => {
      if (this.baselineJob?.uri === uri) this.baselineJob = undefined;
      const open = documents.get(uri);
      if (open?.latest && baseline.contracts) {
        publishDiagnostics(this.context, this, open, open.latest);
        this.lenses.refresh(true);
      }
      this.schedule(0);
    });
  }

  /** A document waits for the worker: a running baseline analysis is cancelled (it runs again after the document's). Whether one was running. */
  preemptBaselineJob(): boolean {
    if (!this.baselineJob) return false;
    this.context.host.cancel(this.baselineJob.id);
    return true;
  }

  /**
   * The contracts of a document's unit at a baseline: read from a saved contract file, or analysed
   * by the worker in the revision's files (extracted once per commit into a folder whose paths,
   * and so whose cache keys, stay the same).
   */
  analyseBaseline(state: DocumentState, spec: string): { id?: number; result: Promise<{ label: string; contracts: FunctionContract[] } | 'cancelled'> } {
    const saved = path.resolve(this.context.rootOf(state), spec);
    if (isSavedContractSpec(saved)) {
      try {
        return { result: Promise.resolve({ label: path.basename(saved), contracts: readSavedContracts(saved) }) };
      } catch (error) {
        return { result: Promise.reject(error) };
      }
    }
    const unit = state.unit ?? { files: [state.document.path], options: this.context.optionsFor(state).options };
    let revision: RevisionTree;
    try {
      revision = extractRevision(spec, {
        files: unit.files, includeDirs: unit.options.includeDirs,
        folderFor: (repository, commit, folders) => path.join(os.tmpdir(), `perfcontract-baseline-${createHash('sha256').update(`${repository}\0${folders.join('\0')}`).digest('hex').slice(0, 12)}-${commit.slice(0, 12)}`),
      });
    } catch (error) {
      return { result: Promise.reject(error) };
    }
    this.revisionFolders.add(revision.tree);
    const files = unit.files.map(revision.moved).filter((f) => fs.existsSync(f));
    // The document's file did not exist at the revision: every function is new.
    if (files.length === 0 || files[0] !== revision.moved(unit.files[0]!)) return { result: Promise.resolve({ label: spec, contracts: [] }) };
    const entries = state.outline.outline.functions.map((f) => f.name);
    const options: WorkerAnalysisOptions = { ...unit.options, includeDirs: (unit.options.includeDirs ?? []).map(revision.moved) };
    const contracts = new Map<string, FunctionContract>();
    let settle: (value: { label: string; contracts: FunctionContract[] } | 'cancelled') => void = () => undefined;
    let fail: (error: Error) => void = () => undefined;
    const result = new Promise<{ label: string; contracts: FunctionContract[] } | 'cancelled'>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    const id = this.context.host.start({ files, overlay: {}, entries, options, held: {} }, {
      onMessage: (message) => {
        if (message.type === 'unit') for (const c of message.contracts) contracts.set(c.name, c);
        else if (message.type === 'contract') contracts.set(message.contract.name, message.contract);
        else if (message.type === 'done') settle(message.cancelled ? 'cancelled' : { label: spec, contracts: revision.restore([...contracts.values()]) });
        else if (message.type === 'failed') fail(new Error(`the analysis at '${spec}' failed: ${message.message}`));
      },
      onLost: (reason) => fail(new Error(`the analysis at '${spec}' was lost: ${reason}`)),
    });
    return { id, result };
  }

  /** At shutdown: deletes the revision folders this server extracted. */
  dispose(): void {
    for (const folder of this.revisionFolders) fs.rmSync(folder, { recursive: true, force: true });
  }
}
