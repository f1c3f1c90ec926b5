// The error type of the measurement harness, carrying one of its stable codes (diagnosticCatalogue.ts).
import { MEASURE_ERRORS, MeasureErrorKind } from '../diagnosticCatalogue';

export { MEASURE_ERRORS };
export type { MeasureErrorKind };

export class MeasureError extends Error {
  readonly code: string;

  constructor(readonly kind: MeasureErrorKind, message: string) {
    super(`${MEASURE_ERRORS[kind].code} ${kind}: ${message}`);
    this.code = MEASURE_ERRORS[kind].code;
  }
}
