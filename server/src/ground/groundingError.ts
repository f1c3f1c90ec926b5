// Errors of x86 grounding, each with a stable code. Grounding never fails the analysis: the IR
// metrics stay, and the contract's `grounding.error` says why the x86 ones are missing. The codes
// are in diagnosticCatalogue.ts.
import { GROUNDING_ERRORS, GroundingErrorKind } from '../diagnosticCatalogue';

export type { GroundingErrorKind };

export class GroundingError extends Error {
  readonly code: string;
  constructor(readonly kind: GroundingErrorKind, message: string, readonly completedCalls?: number) {
    super(message);
    this.code = GROUNDING_ERRORS[kind].code;
  }
}

/** What a contract's `grounding` holds when grounding failed. */
export interface GroundingFailure { error: { code: string; kind: string; message: string } }

export function failureOf(error: GroundingError): GroundingFailure {
  return { error: { code: error.code, kind: error.kind, message: error.message } };
}
