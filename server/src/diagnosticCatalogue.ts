// Every code perfcontract reports, in one catalogue, each with a one-line summary and, where the
// user can act on it, advice:
//   PC1xx-PC4xx, PC900  why a path or an analysis ended early (the engine's reasons, core/reasons.ts)
//   PC5xx               the editor's own diagnostics (lsp/contractPresentation.ts)
//   PG0xx               x86 grounding errors (ground/groundingError.ts)
//   PM0xx               measurement-harness errors (measure/measureError.ts)
// `perfcontract explain CODE` prints an entry; docs/diagnostics.md lists them all, and a test keeps
// the two the same. Code compares kinds (`Reasons[kind].code`, `EDITOR_DIAGNOSTICS[kind].code`),
// never code strings.
import { Reasons } from './core/reasons';

export const EDITOR_DIAGNOSTICS = {
  'adversarial-path': { code: 'PC501', summary: 'a behaviour that packet contents select costs far more than a typical packet, or grows in a PCV an attacker drives' },
  'budget-exceeded': { code: 'PC502', summary: 'the worst case of a function is over its budget' },
  'unbounded-loop': { code: 'PC503', summary: 'a loop has no bound: its PCV, and the worst case, can grow without limit' },
  incomplete: { code: 'PC505', summary: 'the contract is incomplete: some paths were not explored' },
  'invalid-budget': { code: 'PC506', summary: 'a budget annotation does not parse or names an unknown metric' },
  configuration: { code: 'PC507', summary: 'a setting or compile_commands.json problem (the value used instead is stated)' },
  'out-of-memory': { code: 'PC508', summary: "the function's analysis reached the analysis worker's memory limit" },
  'grew-against-baseline': { code: 'PC509', summary: 'a function costs more than in the baseline, gained a PCV degree or became unbounded' },
} as const;

export type EditorDiagnosticKind = keyof typeof EDITOR_DIAGNOSTICS;

export const GROUNDING_ERRORS = {
  'tool-missing': { code: 'PG001', summary: 'gcc or valgrind is not installed, so no x86 metrics' },
  'compile-failed': { code: 'PG002', summary: 'gcc could not compile the unit with the grounding harness' },
  'not-linkable': { code: 'PG003', summary: 'the entry cannot be called from the harness (static or inline, or its unit does not link)' },
  'replay-failed': { code: 'PG004', summary: 'replaying the witnesses on x86 failed (the harness exited early, or callgrind recorded no measurement)' },
  'no-calibration': { code: 'PG005', summary: 'nothing to fit the x86 costs on: no returning class with a witness the harness can run, and no calibration calls' },
  'bad-compile-command': { code: 'PG006', summary: "the unit's compile_commands.json entry cannot be used" },
  unsaved: { code: 'PG007', summary: 'a file of the unit has unsaved changes; x86 metrics come after saving' },
} as const;

export type GroundingErrorKind = keyof typeof GROUNDING_ERRORS;

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

/** What the user can do, by code. Advice names the command-line flag and, after it, the editor setting. */
const ADVICE: Readonly<Record<string, string>> = {
  PC101: 'Check the divisor before dividing, or state what callers guarantee with `/*@ assume DIVISOR != 0 */`.',
  PC102: 'Check for the minimum value divided by -1, or state what callers guarantee with `/*@ assume */`.',
  PC103: "Check the index or offset against the object's size before the access, or state what callers guarantee with `/*@ assume */` (`--assume` for an entry you cannot edit).",
  PC104: 'Check the pointer before the access, or state what callers guarantee with `/*@ assume p != 0 */`.',
  PC105: 'Mask or check the shift amount.',
  PC106: 'Return a value on every path.',
  PC107: 'The memory model cannot follow this pointer (`docs/limitations.md`): keep pointers in pointer-typed fields, or give the function that builds it a declared contract.',
  PC108: 'The input is outside the contract: the assumption states what callers guarantee.',
  PC201: 'Recursion is not analysed: give the function a declared contract (`*.pcontract.json`, `--contracts`).',
  PC202: 'Bound the loop with a guard on a counter, or `/*@ bound NAME <= N */` before it.',
  PC203: "Use a constant size, or give the copy's cost in a declared contract.",
  PC204: 'See `docs/limitations.md` for what is supported; the rest of the function is still analysed.',
  PC205: 'Split the expression into statements.',
  PC301: 'Raise `--max-paths` (`perfcontract.maxPaths`), or split the function.',
  PC302: 'Bound the loop the message names, raise `--time-limit` (`perfcontract.timeLimitMs`), or split the function.',
  PC304: 'Raise `--solver-timeout` (`perfcontract.solverTimeoutMs`), or simplify the conditions.',
  PC305: 'Report it with the file that triggers it; a lower `--time-limit` may avoid it.',
  PC401: '`gcc -fsyntax-only` with the same flags is the reference: fix what it reports, or add the `-D` and `-I` flags the build uses.',
  PC402: 'Add the folder with `-I` (or a `compile_commands.json` entry).',
  PC403: 'Declare it, or include the header that does (with `-I` for its folder).',
  PC404: 'Declare the type, or include the header that does (with `-I` for its folder).',
  PC405: "Its cost is not counted: add the callee's file to the analysis, or give it a declared contract (`*.pcontract.json`, `--contracts`).",
  PC406: 'Fix the field the message names (`docs/contract-format.md`).',
  PC900: 'Report it with the file that triggers it; the other functions are still analysed.',
  PC501: 'Check the behaviour the warning names: bound or rate-limit what the attacker drives, or accept it (it is a warning).',
  PC502: 'Reduce the cost of the worst class, or raise the budget.',
  PC503: 'Bound the loop with a guard on a counter, or `/*@ bound NAME <= N */` before it.',
  PC505: 'The message names the reason codes and which setting to raise.',
  PC506: 'Write `/*@ budget instructions <= N */` (or `memory_accesses`).',
  PC508: 'Split the function; its contract comes back when its text changes.',
  PG001: 'Install gcc and valgrind.',
  PG002: 'Give the flags the unit builds with (`--cflags`, or `compile_commands.json`).',
  PG003: 'Ground an entry with external linkage, or build the unit so that it links.',
  PG005: 'Give calibration calls (`--calibrate TRACE.pcap`), or see `docs/x86-grounding.md`.',
  PG006: 'Fix the entry, or give `--cflags`.',
  PG007: 'Save the files.',
};

export type DiagnosticFamily = 'analysis' | 'editor' | 'grounding' | 'measurement';

export interface CatalogueEntry {
  code: string;
  /** The kind code compares (a reason, an editor diagnostic, a grounding or measurement error). */
  kind: string;
  family: DiagnosticFamily;
  summary: string;
  advice?: string;
}

function entries(family: DiagnosticFamily, table: Record<string, { code: string; summary: string }>): CatalogueEntry[] {
  return Object.entries(table).map(([kind, { code, summary }]) => ({ code, kind, family, summary, ...(ADVICE[code] ? { advice: ADVICE[code] } : {}) }));
}

/** Every code, in code order. */
export const CATALOGUE: readonly CatalogueEntry[] = [
  ...entries('analysis', Reasons),
  ...entries('editor', EDITOR_DIAGNOSTICS),
  ...entries('grounding', GROUNDING_ERRORS),
  ...entries('measurement', MEASURE_ERRORS),
].sort((a, b) => a.code.localeCompare(b.code));

/** The entry of a code (`PC302`, case-insensitive), or undefined. */
export function catalogueEntry(code: string): CatalogueEntry | undefined {
  const wanted = code.trim().toUpperCase();
  return CATALOGUE.find((entry) => entry.code === wanted);
}

/** `perfcontract explain CODE`'s text for one entry. */
export function explainText(entry: CatalogueEntry): string {
  const family = { analysis: 'analysis', editor: 'editor diagnostic', grounding: 'x86 grounding error', measurement: 'measurement error' }[entry.family];
  return `${entry.code} ${entry.kind} (${family})\n  ${entry.summary}${entry.advice ? `\n  What to do: ${entry.advice}` : ''}\n`;
}
