// Commands and requests on a document's contracts: workspace/executeCommand, perfcontract/compare and
// perfcontract/predictTrace, on open documents or on files they open internally, without diagnostics.
import * as path from 'path';
import type { FunctionContract } from '../core/contract/contract';
import { renderMarkdown } from '../core/contract/renderMarkdown';
import { CancellationToken, ErrorCodes, ResponseError } from './languageServerRuntime';
import type { AnalysisScheduler } from './scheduler';
import type { Baselines } from './baselines';
import { evaluateClass, worstCaseReport } from './contractPresentation';
import { Commands, COMPARE_REQUEST, PREDICT_TRACE_REQUEST } from './protocol';
import { DocumentState, pathOfUri, ServerContext } from './serverContext';
import { readFileOrUndefined } from './serverSettings';
import { functionAt, IncrementalOutline } from './sourceOutline';
import { EditorDocument, Position } from './textDocument';

export class CommandHandlers {
  constructor(private readonly context: ServerContext, private readonly scheduler: AnalysisScheduler, private readonly baselines: Baselines) {}

  async executeCommand(command: string, args: unknown[], token: CancellationToken): Promise<unknown> {
    const argument = args[0];
    if (typeof argument !== 'object' || argument === null) throw new ResponseError(ErrorCodes.InvalidParams, `${command} takes one object argument`);
    const input = argument as { uri?: unknown; functionName?: unknown; classId?: unknown; pcvs?: unknown; position?: unknown };
    if (typeof input.uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${command} needs 'uri' (a file URI)`);
    const uri = input.uri;
    if (command === Commands.functionAt) {
      const position = input.position as Position | undefined;
      if (!position || typeof position.line !== 'number' || typeof position.character !== 'number') throw new ResponseError(ErrorCodes.InvalidParams, `${command} needs 'position' ({line, character})`);
      const state = this.documentFor(uri);
      const fn = functionAt(state.outline.outline, state.document.offsetAt(position));
      return fn ? { functionName: fn.name } : null;
    }
    const functionName = input.functionName;
    if (functionName !== undefined && typeof functionName !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `'functionName' must be a string`);
    const state = this.documentFor(uri);
    const contracts = await this.contractsFor(state, functionName, token);
    if (command === Commands.generateContract) {
      return { markdown: renderMarkdown(contracts, { baseDir: this.context.rootOf(state) }), json: { version: 1, functions: contracts } };
    }
    if (typeof functionName !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${command} needs 'functionName'`);
    const contract = contracts[0]!;
    if (command === Commands.showWorstCase) {
      const report = worstCaseReport(contract);
      if (!report) throw new ResponseError(ErrorCodes.InvalidRequest, `'${functionName}' has no worst case: none of its ${contract.classes.length} classes ends normally`);
      return report;
    }
    if (command === Commands.evaluateClass) {
      if (typeof input.classId !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${command} needs 'classId' (such as C3, worst or best)`);
      const pcvs = input.pcvs ?? {};
      if (typeof pcvs !== 'object' || pcvs === null || Object.values(pcvs).some((v) => typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) {
        throw new ResponseError(ErrorCodes.InvalidParams, `'pcvs' must map PCV names to non-negative integers`);
      }
      try {
        return evaluateClass(contract, input.classId, pcvs as Record<string, number>);
      } catch (error) {
        throw new ResponseError(ErrorCodes.InvalidParams, (error as Error).message);
      }
    }
    throw new ResponseError(ErrorCodes.MethodNotFound, `unknown command '${command}' (known: ${Object.values(Commands).join(', ')})`);
  }

  /** `perfcontract/compare`: a document's contracts and those of a baseline (the setting's when none is given), for a side-by-side view. */
  async compare(params: { uri?: unknown; baseline?: unknown }, token: CancellationToken): Promise<unknown> {
    if (typeof params?.uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${COMPARE_REQUEST} needs 'uri' (a file URI)`);
    const spec = typeof params.baseline === 'string' && params.baseline.trim() !== '' ? params.baseline.trim() : this.context.settings.baseline;
    if (!spec) throw new ResponseError(ErrorCodes.InvalidParams, `${COMPARE_REQUEST} needs 'baseline' (a git revision or a saved contract file): perfcontract.baseline is empty`);
    const state = this.documentFor(params.uri);
    const current = await this.contractsFor(state, undefined, token);
    const run = this.baselines.analyseBaseline(state, spec);
    const subscription = token.onCancellationRequested(() => {
      if (run.id !== undefined) this.context.host.cancel(run.id);
    });
    let result: Awaited<typeof run.result>;
    try {
      result = await run.result;
    } catch (error) {
      throw new ResponseError(ErrorCodes.InvalidParams, `cannot compare with '${spec}': ${(error as Error).message}`);
    } finally {
      subscription.dispose();
    }
    if (result === 'cancelled') throw new ResponseError(ErrorCodes.RequestCancelled, 'the request was cancelled');
    const names = new Set(current.map((c) => c.name));
    return {
      label: result.label,
      current: { version: 1, functions: current },
      baseline: { version: 1, functions: result.contracts.filter((c) => names.has(c.name) || c.file === state.document.path) },
    };
  }

  /**
   * `perfcontract/predictTrace`: the workload a pcap trace induces on a packet handler and what it
   * costs per packet, run by the worker (see runTraceJob) on the document's unit as the editor has it.
   */
  async predictTrace(params: Record<string, unknown>, token: CancellationToken): Promise<unknown> {
    const { uri, functionName, trace, init, clockGhz, cyclesPerInstruction } = params ?? {};
    if (typeof uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${PREDICT_TRACE_REQUEST} needs 'uri' (a file URI)`);
    if (typeof functionName !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${PREDICT_TRACE_REQUEST} needs 'functionName' (the packet handler)`);
    if (typeof trace !== 'string' || trace === '') throw new ResponseError(ErrorCodes.InvalidParams, `${PREDICT_TRACE_REQUEST} needs 'trace' (a pcap file path)`);
    if (init !== undefined && init !== null && typeof init !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `'init' must be a function name`);
    for (const [name, value] of [['clockGhz', clockGhz], ['cyclesPerInstruction', cyclesPerInstruction]] as const) {
      if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) throw new ResponseError(ErrorCodes.InvalidParams, `'${name}' must be a number above 0`);
    }
    const state = this.documentFor(uri);
    // The contract first, as the editor computes it: the worker then finds it in the cache.
    await this.contractsFor(state, functionName, token);
    const unit = state.unit ?? { files: [state.document.path], options: this.context.optionsFor(state).options };
    const overlay = this.context.overlay();
    const tracePath = path.resolve(this.context.rootOf(state), trace);
    const host = this.context.host;
    return new Promise((resolve, reject) => {
      let answer: unknown;
      const id = host.startTrace({
        files: unit.files, overlay, options: unit.options, entry: functionName, trace: tracePath,
        ...(typeof init === 'string' && init !== '' ? { init } : {}),
        ...(typeof clockGhz === 'number' ? { clockGhz } : {}), ...(typeof cyclesPerInstruction === 'number' ? { cyclesPerInstruction } : {}),
      }, {
        onMessage: (message) => {
          if (message.type === 'traceResult') answer = { trace: tracePath, entry: functionName, workload: message.workload, prediction: message.prediction, text: message.text, notes: message.notes };
          else if (message.type === 'done') {
            subscription.dispose();
            if (message.cancelled || answer === undefined) reject(new ResponseError(ErrorCodes.RequestCancelled, 'the request was cancelled'));
            else resolve(answer);
          } else if (message.type === 'failed') {
            subscription.dispose();
            reject(new ResponseError(ErrorCodes.InvalidParams, message.message));
          }
        },
        onLost: (reason) => {
          subscription.dispose();
          reject(new ResponseError(ErrorCodes.InternalError, `the trace prediction was lost: ${reason}`));
        },
      });
      const subscription = token.onCancellationRequested(() => host.cancel(id));
    });
  }

  /** Contracts of a document (or one function), waiting for a first analysis only when there are none yet. */
  private async contractsFor(state: DocumentState, functionName: string | undefined, token: CancellationToken): Promise<FunctionContract[]> {
    const lookup = (): FunctionContract[] | undefined => {
      const results = state.latest;
      if (!results) return undefined;
      if (functionName !== undefined) {
        const found = results.contracts.get(functionName);
        return found ? [found] : undefined;
      }
      const own = state.outline.outline.functions.map((f) => results.contracts.get(f.name)).filter((c): c is FunctionContract => c !== undefined && c.file === state.document.path);
      return own;
    };
    let found = lookup();
    while (!found) {
      const busy = state.dirty || state.job !== undefined;
      if (!busy) break;
      await new Promise<void>((resolve, reject) => {
        const subscription = token.onCancellationRequested(() => {
          subscription.dispose();
          reject(new ResponseError(ErrorCodes.RequestCancelled, 'the request was cancelled'));
        });
        state.waiters.push(() => {
          subscription.dispose();
          resolve();
        });
      });
      found = lookup();
    }
    if (!found) {
      const known = state.outline.outline.functions.map((f) => f.name);
      if (functionName !== undefined && !known.includes(functionName)) {
        throw new ResponseError(ErrorCodes.InvalidParams, `no function named '${functionName}' in ${state.document.path}${known.length > 0 ? ` (its functions: ${known.join(', ')})` : ''}`);
      }
      const failure = state.latest?.failure;
      throw new ResponseError(ErrorCodes.InternalError, `'${functionName ?? state.document.path}' has no contract${failure ? `: the analysis failed (${failure})` : ' (it could not be analysed; see its diagnostics)'}`);
    }
    return found;
  }

  /** The open document at `uri`, else the file opened internally. */
  private documentFor(uri: string): DocumentState {
    return this.context.documents.get(uri) ?? this.openInternally(uri);
  }

  /** A file named by a command but not open in the editor: read from disk and analysed like an open one, without diagnostics. */
  private openInternally(uri: string): DocumentState {
    let filePath: string;
    try {
      filePath = pathOfUri(uri);
    } catch {
      throw new ResponseError(ErrorCodes.InvalidParams, `'${uri}' is not a file URI`);
    }
    const text = readFileOrUndefined(filePath);
    if (text === undefined) throw new ResponseError(ErrorCodes.InvalidParams, `cannot read '${filePath}'`);
    const document = new EditorDocument(uri, filePath, 0, text, this.context.encoding);
    const outline = new IncrementalOutline(this.context.parser!);
    outline.update(text, undefined);
    const state: DocumentState = { document, outline, internal: true, dirty: true, touched: 0, lostRuns: 0, overran: new Map(), outOfMemory: new Map(), waiters: [] };
    this.context.documents.set(uri, state);
    this.scheduler.schedule(0);
    return state;
  }
}
