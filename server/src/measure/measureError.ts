// The closed set of measurement-harness errors, each with a stable code, and the error type that carries one.

export const MEASURE_ERRORS = {
  'bad-arguments': { code: 'PM001', summary: 'invalid command-line arguments' },
  'unknown-nf': { code: 'PM002', summary: 'no NF of that name in the registry' },
  'bad-pcap': { code: 'PM003', summary: 'the pcap or ports file is unreadable or malformed' },
  'build-failed': { code: 'PM004', summary: 'gcc could not build the NF driver' },
  'tool-missing': { code: 'PM005', summary: 'a required tool (gcc, valgrind) is not installed' },
  'run-failed': { code: 'PM006', summary: 'the driver or valgrind failed on the trace' },
  'bad-callgrind-output': { code: 'PM007', summary: 'the callgrind output cannot be parsed or does not match the trace' },
  'analysis-failed': { code: 'PM008', summary: 'the NF contract could not be computed' },
  'trace-impossible': { code: 'PM009', summary: 'a trace generator cannot produce the traffic asked for' },
} as const;

export type MeasureErrorKind = keyof typeof MEASURE_ERRORS;

export class MeasureError extends Error {
  readonly code: string;

  constructor(readonly kind: MeasureErrorKind, message: string) {
    super(`${MEASURE_ERRORS[kind].code} ${kind}: ${message}`);
    this.code = MEASURE_ERRORS[kind].code;
  }
}
