// Errors of x86 grounding, each with a stable code. Grounding never fails the analysis: the IR
// metrics stay, and the contract's `grounding.error` says why the x86 ones are missing.

export const GROUNDING_ERRORS = {
  'tool-missing': 'PG001',
  'compile-failed': 'PG002',
  'not-linkable': 'PG003',
  'replay-failed': 'PG004',
  'no-calibration': 'PG005',
  'bad-compile-command': 'PG006',
  unsaved: 'PG007',
} as const;

export type GroundingErrorKind = keyof typeof GROUNDING_ERRORS;

export class GroundingError extends Error {
  readonly code: string;
  constructor(readonly kind: GroundingErrorKind, message: string, readonly completedCalls?: number) {
    super(message);
    this.code = GROUNDING_ERRORS[kind];
  }
}

/** What a contract's `grounding` holds when grounding failed. */
export interface GroundingFailure { error: { code: string; kind: string; message: string } }

export function failureOf(error: GroundingError): GroundingFailure {
  return { error: { code: error.code, kind: error.kind, message: error.message } };
}
