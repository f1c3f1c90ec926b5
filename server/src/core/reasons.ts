// The closed set of reasons why a path ended early or an analysis is incomplete, with stable codes.

export const Reasons = {
  'division-by-zero': { code: 'PC101', summary: 'division or remainder by zero' },
  'division-overflow': { code: 'PC102', summary: 'signed division overflow (minimum value divided by -1)' },
  'out-of-bounds': { code: 'PC103', summary: 'memory access outside its object' },
  'null-dereference': { code: 'PC104', summary: 'memory access through a null pointer' },
  'oversized-shift': { code: 'PC105', summary: 'shift by a negative amount or by at least the operand width' },
  'missing-return': { code: 'PC106', summary: 'control reaches the end of a non-void function' },
  'invalid-pointer': { code: 'PC107', summary: 'pointer operation the memory model does not support' },
  'assumption-violated': { code: 'PC108', summary: 'the input violates an `/*@ assume */` annotation: it is outside the contract' },
  'recursion': { code: 'PC201', summary: 'recursive call (recursion is not analysed)' },
  'needs-pcv': { code: 'PC202', summary: 'loop exceeds the unroll limit; it needs a performance-critical variable' },
  'symbolic-size': { code: 'PC203', summary: 'memory intrinsic with a symbolic size' },
  'unsupported': { code: 'PC204', summary: 'construct the analysis does not support' },
  'expression-too-deep': { code: 'PC205', summary: 'an expression is nested too deeply for the analysis (the function gets no classes)' },
  'path-limit': { code: 'PC301', summary: 'too many paths; the path limit was reached' },
  'time-limit': { code: 'PC302', summary: 'the analysis time limit was reached' },
  'cancelled': { code: 'PC303', summary: 'the analysis was cancelled' },
  'solver-unknown': { code: 'PC304', summary: 'the solver could not decide a branch (timeout or unknown)' },
  'unresponsive': { code: 'PC305', summary: 'a call into z3 stopped responding; the CLI process was ended by its watchdog' },
  'syntax-error': { code: 'PC401', summary: 'the function has a syntax error' },
  'missing-include': { code: 'PC402', summary: 'an included file was not found' },
  'unknown-identifier': { code: 'PC403', summary: 'an identifier is not declared' },
  'unknown-type': { code: 'PC404', summary: 'a type is not declared or not complete' },
  'unmodelled-call': { code: 'PC405', summary: 'a called function has no body and no contract' },
  'invalid-contract': { code: 'PC406', summary: 'a declared contract file is invalid' },
  'internal-error': { code: 'PC900', summary: 'the analysis hit an internal error on this code (please report it)' },
} as const;

export type ReasonKind = keyof typeof Reasons;

/** Reasons that end one path because the program itself would misbehave there. */
export const ERROR_REASONS: ReadonlySet<ReasonKind> = new Set<ReasonKind>([
  'division-by-zero', 'division-overflow', 'out-of-bounds', 'null-dereference', 'oversized-shift', 'missing-return', 'invalid-pointer',
]);

export class AnalysisError extends Error {
  constructor(readonly reason: ReasonKind, message: string) {
    super(message);
  }
}
