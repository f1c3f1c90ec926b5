// Messages between the language server's main thread and its analysis worker thread (plain data only).
import type { FunctionContract } from '../core/contract/contract';
import type { AnalysisOptions, Diagnostic } from '../core/analysis';
import type { WasmMemoryFigures } from './wasmMemory';
import type { Workload } from '../cli/workload';
import type { WorkloadPrediction } from '../cli/workloadPrediction';

/** Options the worker passes to `analyze()` (everything but the cache and the cancellation signal). */
export type WorkerAnalysisOptions = Omit<AnalysisOptions, 'cache' | 'entries'>;

export interface AnalyzeRequest {
  type: 'analyze';
  id: number;
  /** Main files of the analysis unit: the document first, then the library files it calls into. */
  files: string[];
  /** Unsaved editor buffers by path; every other file is read from disk. */
  overlay: Record<string, string>;
  /** Functions to give a contract (analysed one at a time, in this order). */
  entries: string[];
  /** The document's functions on screen in the editor: analysed before its others. */
  visible?: string[];
  options: WorkerAnalysisOptions;
  /** When set, the finished contracts are also grounded on x86 (saved files only) and posted again. */
  x86?: { cflags?: string; init?: string };
  /**
   * The contracts the main thread already holds for this document: function name -> fingerprint.
   * A cached contract with the same fingerprint is not sent again (`unchanged` in the `unit` message).
   */
  held: Record<string, string>;
}

/** Distil a pcap trace on an entry's contract and predict the workload it induces (`perfcontract/predictTrace`). */
export interface TraceRequest {
  type: 'predictTrace';
  id: number;
  files: string[];
  overlay: Record<string, string>;
  options: WorkerAnalysisOptions;
  entry: string;
  trace: string;
  init?: string;
  clockGhz?: number;
  cyclesPerInstruction?: number;
}

export type MainToWorker =
  | AnalyzeRequest
  | TraceRequest
  | { type: 'cancel'; id: number }
  | { type: 'openCache'; directory: string | undefined }
  | { type: 'flushCache' };

/** What the main thread learns about a function from the lowered program. */
export interface FunctionSummary {
  name: string;
  file: string;
  startLine: number;
  annotations: string[];
  callees: string[];
}

export type WorkerToMain =
  | { type: 'ready' }
  | { type: 'cacheOpened'; directory: string | undefined; loaded: number; problem?: string }
  | {
    /** The unit was parsed and lowered; cached contracts are final, `pending` entries follow one by one. */
    type: 'unit'; id: number; diagnostics: Diagnostic[]; contracts: FunctionContract[]; pending: string[];
    functions: FunctionSummary[]; filesRead: string[]; recomputed: string[];
    /** Cached contracts the main thread holds already (`held`): names only, the contracts are not sent again. */
    unchanged: string[];
    /**
     * Fingerprints of the contracts sent or unchanged: the engine's cache key they were computed or
     * found under. A contract without one (moved, or grounded) is always sent in full.
     */
    fingerprints: Record<string, string>;
    /**
     * Callees in other files whose calls use their declared contract (`preferContracts`): they are
     * not analysed for this document; hovers on their calls show the declared contract (Markdown).
     */
    declared: Record<string, string>;
  }
  | { type: 'contract'; id: number; contract: FunctionContract; settled: boolean; fingerprint?: string }
  /** What an analysis still running has found so far (at most every PARTIAL_INTERVAL_MS); its `contract` message replaces it. */
  | { type: 'partial'; id: number; partial: PartialContract }
  | { type: 'done'; id: number; cancelled: boolean; recomputed: string[]; milliseconds: number }
  | { type: 'failed'; id: number; message: string; filesRead: string[] }
  /** The answer to a TraceRequest (followed by `done`): the distilled workload, its prediction, and the prediction as text. */
  | { type: 'traceResult'; id: number; workload: Workload; prediction: WorkloadPrediction; text: string; notes: string[] }
  /** z3 failed in the worker's process: every later analysis there would be incomplete, so the worker must be replaced. */
  | { type: 'solverFailure'; id: number; message: string }
  /** The answer to `flushCache`: the on-disk cache is written. */
  | { type: 'flushed' }
  /** After each job: the worker's WebAssembly memory per module, which the host keeps below 75% of each cap. */
  | { type: 'memory'; figures: WasmMemoryFigures };

/** A function's analysis in progress: the classes found so far and their range of IR instructions. */
export interface PartialContract {
  name: string;
  /** Classes so far, grouped as the final contract groups paths (outcome and cost formula). */
  classes: number;
  paths: number;
  /** Branch points not yet explored. */
  pendingStates: number;
  elapsedMs: number;
  /** Least and largest constant instruction cost over the paths so far; `withPcvs` when some cost also grows with a PCV. */
  instructions?: { min: number; max: number; withPcvs: boolean };
}
