// The parts of the JSON contract document (docs/contract-format.md) that the client displays.
import type { Behaviour } from '../../server/src/core/contract/behaviours';

export interface ContractDocument {
  version: number;
  functions: FunctionContract[];
}

export interface SourceRange {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface PcvInfo {
  name: string;
  description: string;
  origin: string;
  bound?: number;
  boundSource?: string;
  perIteration?: Record<string, string>;
  typical?: number;
  typicalSource?: string;
  site?: string;
  attacker?: string;
}

export interface Decision {
  text: string;
  file: string;
  line: number;
  functionName: string;
}

export interface Witness {
  args?: Record<string, number | string>;
  memory?: Record<string, string>;
  pcv?: Record<string, number>;
  externals?: Record<string, number | string>;
}

export interface PathClass {
  id: string;
  condition: string;
  cost: Record<string, string>;
  paths: number;
  outcome: 'return' | 'error' | 'incomplete';
  reason?: { code: string; kind: string; message: string; line?: number };
  returns: string[];
  lowerBound: boolean;
  witness: Witness;
  witnessVerified?: boolean;
  decisions?: Decision[];
  adversarial?: { factor: number | 'unbounded'; drivenBy: Decision[] };
}

export interface FunctionContract {
  name: string;
  file: string;
  range: SourceRange;
  metrics: string[];
  pcvs: PcvInfo[];
  classes: PathClass[];
  /** `cost` maps each metric to its formula. */
  worstCase: { class: string; cost: Record<string, string>; unbounded?: boolean; atBounds?: number } | null;
  bestCase: { class: string; cost: Record<string, string> } | null;
  worstToBestRatio: number | null;
  commonCase: number | null;
  complete: boolean;
  incompleteReasons: { code: string; kind: string; message: string; line?: number; file?: string }[];
  /** Absent from contracts of older versions: the view computes them from the classes. */
  behaviours?: Behaviour[];
  typicalCommonCase?: number | null;
}

/** Accepts the contract as the server sends it (an object or its JSON text) and checks its shape. */
export function readContractDocument(value: unknown): ContractDocument {
  const data = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (typeof data !== 'object' || data === null || !Array.isArray((data as ContractDocument).functions)) {
    throw new Error('PCX001 the server returned a contract without a "functions" list');
  }
  for (const fn of (data as ContractDocument).functions) {
    if (typeof fn?.name !== 'string' || !Array.isArray(fn.classes) || !Array.isArray(fn.metrics) || !Array.isArray(fn.pcvs)) {
      throw new Error('PCX001 the server returned a function contract without name, metrics, pcvs or classes');
    }
  }
  return data as ContractDocument;
}
