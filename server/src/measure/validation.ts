// The validation report: per NF, class and IR metric, the interpreter's cost against the contract's prediction; the x86 measurements per class; Markdown and SVG.
import type { IrMetric } from '../core/cost/costModel';
import type { MeasurementRun, OptLevel } from './harness';
import type { SessionPacket } from './session';
import type { TraceKind } from './traffic';
import type { FunctionContract } from '../core/contract/contract';
import { classCostAt } from './session';
import { monomialValue } from '../ground/ground';
import type { Grounding, GroundingFailure, UnitGrounding } from '../ground/ground';

export interface TraceResult {
  name: string;
  kind: TraceKind;
  description: string;
  session: SessionPacket[];
  /** The real execution of the same packets, per optimisation level (absent when not measured). */
  x86: Partial<Record<OptLevel, MeasurementRun>>;
}

export interface NfValidation {
  nf: string;
  linesOfC: number;
  contractMilliseconds: number;
  classes: number;
  complete: boolean;
  incompleteReasons: string[];
  metrics: IrMetric[];
  traces: TraceResult[];
  /** Set when the NF could not be validated (e.g. its contract could not be computed). */
  failure?: string;
  /** Per measured level: the contract grounded on x86 from held-out calibration traces. */
  grounding?: Partial<Record<OptLevel, X86Grounding>>;
}

export interface X86Grounding {
  /** The contract with x86 formulas (when grounding succeeded). */
  contract: FunctionContract;
  record: Grounding | GroundingFailure;
}

/** The x86 metrics the validation compares, with the valgrind count each is compared with. */
export const X86_VALIDATED = {
  x86_instructions: (m: { Ir: number; Dr: number; Dw: number }) => m.Ir,
  x86_memory_accesses: (m: { Ir: number; Dr: number; Dw: number }) => m.Dr + m.Dw,
} as const;

export interface X86PredictionRow {
  nf: string;
  opt: OptLevel;
  metric: keyof typeof X86_VALIDATED;
  /** Packets in a class of the contract (unmatched packets have no class formula to compare). */
  packets: number;
  maxGap: number;
  medianGap: number;
  below: number;
  /** Packets in classes whose x86 formulas are estimated rather than fitted. */
  estimated: number;
  /** The largest gap of the packets whose prediction is fitted (not estimated); undefined when every one is estimated. */
  fittedMaxGap?: number;
  /** The class of the packet with the largest gap (in either direction). */
  worstClass?: string;
}

export interface IrRow {
  nf: string;
  /** A class id, or `unmatched` for packets whose path is not in the contract (predicted with the worst case at the PCV bounds). */
  classId: string;
  metric: IrMetric;
  packets: number;
  maxGap: number;
  medianGap: number;
  /** Packets whose prediction is below the interpreter's count. */
  below: number;
}

export interface TraceRow {
  nf: string;
  trace: string;
  kind: TraceKind;
  packets: number;
  matched: number;
  unmatched: number;
  /** Packets where the interpreter's return value differs from the compiled NF's (per measured level). */
  resultMismatches: Partial<Record<OptLevel, number>>;
}

export interface X86Row {
  nf: string;
  classId: string;
  packets: number;
  ir: Partial<Record<OptLevel, Summary>>;
  memory: Partial<Record<OptLevel, Summary>>;
  /** Interpreter IR instructions, for comparison. */
  irInstructions: Summary;
  /** Per traced PCV name: the range of its values over the class's packets. */
  pcvs: Record<string, { min: number; max: number }>;
}

export interface Summary { min: number; median: number; max: number }

export const UNMATCHED = 'unmatched';

/** (predicted − measured) / measured; a measured 0 counts as 1 so that the gap stays finite. */
export function relativeGap(predicted: number, measured: number): number {
  return (predicted - measured) / Math.max(measured, 1);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function summary(values: readonly number[]): Summary {
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

function classOrder(a: string, b: string): number {
  const rank = (id: string) => (id === UNMATCHED ? Number.MAX_SAFE_INTEGER : Number(id.replace(/^C/, '')) || 0);
  return rank(a) - rank(b);
}

function groupByClass<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return new Map([...groups].sort(([a], [b]) => classOrder(a, b)));
}

/** Per metric, over the packets in a class: packets, classes reached, max and median relative gap, packets predicted below the interpreter. */
export function irSummaryRows(validation: NfValidation): (Omit<IrRow, 'classId'> & { classes: number })[] {
  const members = validation.traces.flatMap((t) => t.session).filter((p) => p.classId !== undefined);
  if (members.length === 0) return [];
  return validation.metrics.map((metric) => {
    const gaps = members.map((p) => relativeGap(p.predicted[metric], p.measured[metric]));
    return {
      nf: validation.nf, metric, packets: members.length, classes: new Set(members.map((p) => p.classId)).size, maxGap: Math.max(...gaps), medianGap: median(gaps),
      below: members.filter((p) => p.predicted[metric] < p.measured[metric]).length,
    };
  });
}

/** Per class (and `unmatched`) and metric: packets, max and median relative gap, packets predicted below the interpreter. */
export function irRows(validation: NfValidation): IrRow[] {
  const packets = validation.traces.flatMap((t) => t.session);
  const rows: IrRow[] = [];
  for (const [classId, members] of groupByClass(packets, (p) => p.classId ?? UNMATCHED)) {
    for (const metric of validation.metrics) {
      const gaps = members.map((p) => relativeGap(p.predicted[metric], p.measured[metric]));
      rows.push({
        nf: validation.nf, classId, metric, packets: members.length, maxGap: Math.max(...gaps), medianGap: median(gaps),
        below: members.filter((p) => p.predicted[metric] < p.measured[metric]).length,
      });
    }
  }
  return rows;
}

export function traceRows(validation: NfValidation): TraceRow[] {
  return validation.traces.map((trace) => {
    const matched = trace.session.filter((p) => p.classId !== undefined).length;
    const resultMismatches: Partial<Record<OptLevel, number>> = {};
    for (const [opt, run] of Object.entries(trace.x86) as [OptLevel, MeasurementRun][]) {
      resultMismatches[opt] = trace.session.filter((p, i) => p.returnValue !== run.packets[i]?.result).length;
    }
    return { nf: validation.nf, trace: trace.name, kind: trace.kind, packets: trace.session.length, matched, unmatched: trace.session.length - matched, resultMismatches };
  });
}

/** The valgrind measurements grouped by the class the interpreter placed each packet in, with the traced PCVs. */
export function x86Rows(validation: NfValidation): X86Row[] {
  const joined: { session: SessionPacket; x86: Partial<Record<OptLevel, MeasurementRun['packets'][number]>> }[] = [];
  for (const trace of validation.traces) {
    trace.session.forEach((session, i) => {
      const x86: Partial<Record<OptLevel, MeasurementRun['packets'][number]>> = {};
      for (const [opt, run] of Object.entries(trace.x86) as [OptLevel, MeasurementRun][]) x86[opt] = run.packets[i];
      joined.push({ session, x86 });
    });
  }
  const rows: X86Row[] = [];
  for (const [classId, members] of groupByClass(joined, (j) => j.session.classId ?? UNMATCHED)) {
    const ir: X86Row['ir'] = {};
    const memory: X86Row['memory'] = {};
    for (const opt of ['O0', 'O2'] as OptLevel[]) {
      const measured = members.map((m) => m.x86[opt]).filter((x): x is NonNullable<typeof x> => x !== undefined);
      if (measured.length === 0) continue;
      ir[opt] = summary(measured.map((m) => m.Ir));
      memory[opt] = summary(measured.map((m) => m.Dr + m.Dw));
    }
    const pcvs: X86Row['pcvs'] = {};
    for (const member of members) {
      const traced = member.x86.O2 ?? member.x86.O0;
      for (const [name, value] of traced?.pcvs ?? []) {
        const range = pcvs[name];
        if (range) {
          range.min = Math.min(range.min, value);
          range.max = Math.max(range.max, value);
        } else {
          pcvs[name] = { min: value, max: value };
        }
      }
    }
    rows.push({ nf: validation.nf, classId, packets: members.length, ir, memory, irInstructions: summary(members.map((m) => m.session.measured.instructions)), pcvs });
  }
  return rows;
}

/**
 * Whether a packet's x86 prediction is estimated: the formulas of its class (or member, given the
 * member's record) are, and not merely in monomials whose values at the packet are ones the
 * calibration calls of the class (or member) took.
 */
export function packetEstimated(grounding: UnitGrounding | undefined, pcv: Record<string, number>): boolean {
  if (!grounding) return true;
  if (!grounding.estimated) return false;
  if (!grounding.estimatedTerms) return true;
  return Object.entries(grounding.estimatedTerms).some(([monomial, values]) => !values.includes(monomialValue(monomial, pcv)));
}

/**
 * Every packet in a class, at one grounded level: its class, the x86 prediction and valgrind's
 * count. A packet in a member of a merged class is predicted by the member's formula, fitted on the
 * member's own calls (x86 grounding fits members): its path costs that member's cost, while the
 * class's formula is the maximum over its members.
 */
function x86Comparisons(validation: NfValidation, opt: OptLevel, metric: keyof typeof X86_VALIDATED): { classId: string; predicted: number; measured: number; estimated: boolean }[] {
  const grounding = validation.grounding?.[opt];
  if (!grounding || 'error' in grounding.record) return [];
  const record = grounding.record;
  const classes = new Map(grounding.contract.classes.map((c) => [c.id, c]));
  const out: { classId: string; predicted: number; measured: number; estimated: boolean }[] = [];
  for (const trace of validation.traces) {
    const run = trace.x86[opt];
    if (!run) continue;
    trace.session.forEach((packet, i) => {
      const pathClass = packet.classId ? classes.get(packet.classId) : undefined;
      const measuredPacket = run.packets[i];
      const formula = pathClass ? (pathClass.cost as Record<string, string>)[metric] : undefined;
      if (!pathClass || !measuredPacket || formula === undefined) return;
      const member = pathClass.members?.find((m) => m.id === packet.memberId);
      const memberRecord = member ? record.classes[pathClass.id]?.members?.[member.id] : undefined;
      const unit = member && memberRecord && (member.cost as Record<string, string | undefined>)[metric] !== undefined ? { ...pathClass, cost: member.cost } : pathClass;
      out.push({
        classId: pathClass.id, predicted: classCostAt(unit, metric, packet.pcv), measured: X86_VALIDATED[metric](measuredPacket),
        estimated: packetEstimated(unit === pathClass ? record.classes[pathClass.id] : memberRecord, packet.pcv),
      });
    });
  }
  return out;
}

/** Per NF, level and x86 metric: the grounded contract's prediction against valgrind, packet by packet. */
export function x86PredictionRows(validation: NfValidation): X86PredictionRow[] {
  const rows: X86PredictionRow[] = [];
  for (const opt of Object.keys(validation.grounding ?? {}) as OptLevel[]) {
    for (const metric of Object.keys(X86_VALIDATED) as (keyof typeof X86_VALIDATED)[]) {
      const compared = x86Comparisons(validation, opt, metric);
      if (compared.length === 0) continue;
      const gaps = compared.map((c) => relativeGap(c.predicted, c.measured));
      const worst = compared.reduce((w, c, i) => (Math.abs(gaps[i]!) > Math.abs(w.gap) ? { gap: gaps[i]!, classId: c.classId } : w), { gap: 0, classId: compared[0]!.classId });
      const fitted = gaps.filter((_, i) => !compared[i]!.estimated);
      rows.push({
        nf: validation.nf, opt, metric, packets: compared.length, maxGap: Math.max(...gaps), medianGap: median(gaps),
        below: compared.filter((c) => c.predicted < c.measured).length, estimated: compared.filter((c) => c.estimated).length, worstClass: worst.classId,
        ...(fitted.length > 0 ? { fittedMaxGap: Math.max(...fitted) } : {}),
      });
    }
  }
  return rows;
}

/** Per class of one grounded level: packets, gaps and whether the class's formula is estimated. */
export function x86ClassRows(validation: NfValidation, opt: OptLevel, metric: keyof typeof X86_VALIDATED): { classId: string; packets: number; maxGap: number; medianGap: number; below: number; estimated: boolean; formula: string }[] {
  const grounding = validation.grounding?.[opt];
  const byClass = new Map<string, { gaps: number[]; below: number; estimated: boolean }>();
  for (const c of x86Comparisons(validation, opt, metric)) {
    const entry = byClass.get(c.classId) ?? { gaps: [], below: 0, estimated: c.estimated };
    entry.gaps.push(relativeGap(c.predicted, c.measured));
    if (c.predicted < c.measured) entry.below++;
    entry.estimated ||= c.estimated;
    byClass.set(c.classId, entry);
  }
  return [...byClass].map(([classId, e]) => ({
    classId, packets: e.gaps.length, maxGap: Math.max(...e.gaps), medianGap: median(e.gaps), below: e.below, estimated: e.estimated,
    formula: (grounding!.contract.classes.find((c) => c.id === classId)!.cost as Record<string, string>)[metric]!,
  }));
}

function percent(gap: number): string {
  if (!Number.isFinite(gap)) return String(gap);
  return `${(gap * 100).toFixed(1)}%`;
}

function formatSummary(s: Summary | undefined): string {
  return s ? `${s.min} / ${s.median} / ${s.max}` : 'n/a';
}

/** The IR validation table as aligned text, for the console. */
export function renderIrTableText(rows: IrRow[]): string {
  return alignedTable(['NF', 'class', 'metric', 'packets', 'max gap', 'median gap', 'below'],
    rows.map((r) => [r.nf, r.classId, r.metric, String(r.packets), percent(r.maxGap), percent(r.medianGap), String(r.below)]));
}

/** The x86 prediction table as aligned text, for the console. */
export function renderX86TableText(rows: X86PredictionRow[]): string {
  return alignedTable(['NF', 'level', 'metric', 'packets', 'max gap', 'median gap', 'below', 'estimated', 'max gap, fitted only'],
    rows.map((r) => [r.nf, `-${r.opt}`, r.metric, String(r.packets), percent(r.maxGap), percent(r.medianGap), String(r.below), String(r.estimated), r.fittedMaxGap === undefined ? '–' : percent(r.fittedMaxGap)]));
}

/** Columns padded to their widest cell; from the fourth column on, numbers align right. */
function alignedTable(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export interface ReportContext {
  /** The command that produced the report. */
  command: string;
  /** Packets per trace generator used to calibrate the x86 grounding, and the seed offset of those traces. */
  calibrationPackets?: number;
  calibrationSeedOffset?: number;
  packetsPerTrace: number;
  seed: number;
  date: string;
}

/** The Markdown report of docs/validation/README.md. */
export function renderReport(validations: NfValidation[], context: ReportContext): string {
  const out: string[] = [];
  out.push('# NF validation report', '');
  out.push(`Produced by \`${context.command}\` on ${context.date} (${context.packetsPerTrace} packets per trace unless a trace needs more to set up its attack, seed ${context.seed}).`);
  out.push('How it works and what it does not cover: [measurement.md](../measurement.md).', '');
  out.push('**What is compared.** The IR table compares, per packet, the contract\'s prediction (the formula of the class the packet\'s path belongs to, at the PCV values of that run) with the cost the project\'s concrete interpreter counts when it runs the packet (`perfcontract run` semantics, NF state carried from packet to packet). Both are in IR metrics (`instructions`, `memory_accesses`). A packet whose path is not in the contract (the contract is incomplete) is *unmatched*: it is predicted with the contract\'s worst case at the PCV bounds, and its rows are separate. The x86 tables compare the contract grounded on x86 (its x86 formulas, fitted on held-out calibration traffic) with valgrind\'s measurements of the compiled NF (gcc, callgrind: Ir, Dr + Dw), and show the measurements grouped by the same classes, with the PCVs the tracing build recorded.', '');
  out.push('Gap = (predicted − measured) / measured. "below" counts packets predicted below the measurement (a sound contract has 0).', '');
  out.push('## Corpus and contracts', '');
  out.push('Lines of C: non-blank lines of the NF\'s sources and the corpus headers they include. Contract time: wall-clock time of `perfcontract contract --format json` for `nf_process` (process start and witness checks included) on a shared 2-core machine.', '');
  out.push('| NF | lines of C | contract time | classes | complete |', '|---|---:|---:|---:|---|');
  for (const v of validations) {
    if (v.failure) out.push(`| ${v.nf} | ${v.linesOfC} | ${(v.contractMilliseconds / 1000).toFixed(1)} s | – | **not validated**: ${v.failure.replace(/\|/g, '/')} |`);
    else out.push(`| ${v.nf} | ${v.linesOfC} | ${(v.contractMilliseconds / 1000).toFixed(1)} s | ${v.classes} | ${v.complete ? 'yes' : `no: ${v.incompleteReasons.join('; ')}`} |`);
  }
  out.push('', '## Traces', '');
  out.push('| NF | trace | kind | packets | in a class | unmatched | interpreter result ≠ gcc -O0 / -O2 |', '|---|---|---|---:|---:|---:|---|');
  for (const v of validations) {
    for (const r of traceRows(v)) out.push(`| ${r.nf} | ${r.trace} | ${r.kind} | ${r.packets} | ${r.matched} | ${r.unmatched} | ${r.resultMismatches.O0 ?? 'n/a'} / ${r.resultMismatches.O2 ?? 'n/a'} |`);
  }
  out.push('', '## IR metrics: contract versus interpreter', '');
  out.push('Per NF, over every packet in a class:', '');
  out.push('| NF | metric | packets | classes reached | max gap | median gap | below |', '|---|---|---:|---:|---:|---:|---:|');
  for (const v of validations) {
    for (const r of irSummaryRows(v)) out.push(`| ${r.nf} | ${r.metric} | ${r.packets} | ${r.classes} | ${percent(r.maxGap)} | ${percent(r.medianGap)} | ${r.below} |`);
  }
  out.push('', 'Per class (unmatched packets apart):', '');
  out.push('| NF | class | metric | packets | max gap | median gap | below |', '|---|---|---|---:|---:|---:|---:|');
  for (const v of validations) {
    for (const r of irRows(v)) out.push(`| ${r.nf} | ${r.classId} | ${r.metric} | ${r.packets} | ${percent(r.maxGap)} | ${percent(r.medianGap)} | ${r.below} |`);
  }
  out.push('', 'Plots (predicted versus interpreter-measured per packet, log scales):', '');
  for (const v of validations) if (!v.failure) for (const metric of v.metrics) out.push(`- [${v.nf} ${metric}](${v.nf}-${metric}.svg)`);
  out.push('', '## x86 metrics: grounded contract versus valgrind', '');
  out.push(`The contract of each NF is grounded on x86 at each level (\`perfcontract contract --metrics x86_instructions,x86_memory_accesses\`, docs/x86-grounding.md): its witnesses and calibration traces generated with seed ${context.seed} + ${context.calibrationSeedOffset ?? 0} (${context.calibrationPackets ?? 0} packets per generator, never the validation packets) run under callgrind on the NF compiled with gcc -std=c99 at that level. The prediction for each validation packet is its class's x86 formula at the packet's PCVs (in a class that merges paths, \`members\`, the formula of the member its path is in, which the grounding fits on that member's own calls); the measurement is callgrind's Ir or Dr + Dw for nf_process and its callees. Packets outside the contract (unmatched) have no class formula and are not in this table. "estimated": packets whose prediction is scaled from the IR formula rather than fitted: their class was reached by no calibration call, or it has a monomial whose per-unit cost was observed in no class and the packet's value of it is one the class's calibration calls never took.`, '');
  out.push('| NF | level | metric | packets | max gap | median gap | below | estimated | max gap, fitted only | grounding time |', '|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const v of validations) {
    for (const [opt, g] of Object.entries(v.grounding ?? {}) as [OptLevel, X86Grounding][]) {
      if ('error' in g.record) out.push(`| ${v.nf} | -${opt} | – | – | – | – | – | – | **failed**: ${g.record.error.code} ${g.record.error.message.replace(/\|/g, '/').split('\n')[0]} |`);
    }
    for (const r of x86PredictionRows(v)) {
      const g = v.grounding?.[r.opt]?.record;
      out.push(`| ${r.nf} | -${r.opt} | ${r.metric} | ${r.packets} | ${percent(r.maxGap)} | ${percent(r.medianGap)} | ${r.below} | ${r.estimated} | ${r.fittedMaxGap === undefined ? '–' : percent(r.fittedMaxGap)} | ${g && !('error' in g) ? `${(g.milliseconds / 1000).toFixed(1)} s` : '–'} |`);
    }
  }
  const libraryRows = validations.flatMap((v) => (Object.entries(v.grounding ?? {}) as [OptLevel, X86Grounding][]).flatMap(([opt, g]) =>
    'error' in g.record ? [] : (g.record.libraryCalls ?? []).map((c) => `| ${v.nf} | -${opt} | \`${c.function}\` | ${c.calls} | ${c.worstCase}${c.sizes ? ` (sizes ${c.sizes.join(', ')})` : ''} | ${c.instructions ?? '–'} | ${c.memoryAccesses ?? '–'} |`)));
  if (libraryRows.length > 0) {
    out.push('', 'Calls into the C library during calibration, each priced at the cost per call below before the fit (`benchmark`: the worst over a grid of inputs, at the largest of the sizes shown; `constant`: the same in every call; `unknown`: taken as measured, its classes estimated):', '');
    out.push('| NF | level | function | calls | worst case | instructions | memory accesses |', '|---|---|---|---:|---|---:|---:|', ...libraryRows);
  }
  out.push('', 'Classes with a packet below its prediction or a gap above 7%:', '');
  out.push('| NF | level | metric | class | packets | max gap | median gap | below | estimated | formula |', '|---|---|---|---|---:|---:|---:|---:|---|---|');
  for (const v of validations) {
    for (const opt of Object.keys(v.grounding ?? {}) as OptLevel[]) {
      for (const metric of ['x86_instructions', 'x86_memory_accesses'] as const) {
        for (const r of x86ClassRows(v, opt, metric)) {
          if (r.below === 0 && r.maxGap <= 0.07) continue;
          out.push(`| ${v.nf} | -${opt} | ${metric} | ${r.classId} | ${r.packets} | ${percent(r.maxGap)} | ${percent(r.medianGap)} | ${r.below} | ${r.estimated ? 'yes' : 'no'} | \`${r.formula}\` |`);
        }
      }
    }
  }
  out.push('', '## x86 measurements per class (valgrind)', '');
  out.push('min / median / max per packet. PCVs: the range of each traced loop\'s iteration count (`PC_TRACE_PCV`), over all its occurrences.', '');
  out.push('| NF | class | packets | IR instructions (interpreter) | Ir -O0 | Ir -O2 | Dr+Dw -O0 | Dr+Dw -O2 | traced PCVs |', '|---|---|---:|---|---|---|---|---|---|');
  for (const v of validations) {
    for (const r of x86Rows(v)) {
      const pcvs = Object.entries(r.pcvs).map(([name, range]) => `${name}: ${range.min === range.max ? range.min : `${range.min}–${range.max}`}`).join(', ');
      out.push(`| ${r.nf} | ${r.classId} | ${r.packets} | ${formatSummary(r.irInstructions)} | ${formatSummary(r.ir.O0)} | ${formatSummary(r.ir.O2)} | ${formatSummary(r.memory.O0)} | ${formatSummary(r.memory.O2)} | ${pcvs || '–'} |`);
    }
  }
  out.push('');
  return out.join('\n');
}

export interface PlotPoint { measured: number; predicted: number; kind: TraceKind; matched: boolean }

export function plotPoints(validation: NfValidation, metric: IrMetric): PlotPoint[] {
  return validation.traces.flatMap((t) => t.session.map((p) => ({ measured: p.measured[metric], predicted: p.predicted[metric], kind: t.kind, matched: p.classId !== undefined })));
}

/** A log-log scatter plot of predicted against measured cost, with the diagonal where they are equal. */
export function renderScatterSvg(points: readonly PlotPoint[], title: string, axis: string): string {
  const width = 640;
  const height = 520;
  const margin = { left: 70, right: 20, top: 40, bottom: 60 };
  const values = points.flatMap((p) => [p.measured, p.predicted]).map((v) => Math.max(v, 1));
  const lo = Math.floor(Math.log10(Math.min(...values, 10)));
  const hi = Math.ceil(Math.log10(Math.max(...values, 100)));
  const span = Math.max(hi - lo, 1);
  const x = (v: number) => margin.left + ((Math.log10(Math.max(v, 1)) - lo) / span) * (width - margin.left - margin.right);
  const y = (v: number) => height - margin.bottom - ((Math.log10(Math.max(v, 1)) - lo) / span) * (height - margin.top - margin.bottom);
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>`);
  for (let e = lo; e <= hi; e++) {
    const v = 10 ** e;
    out.push(`<line x1="${x(v).toFixed(1)}" y1="${margin.top}" x2="${x(v).toFixed(1)}" y2="${height - margin.bottom}" stroke="#ddd"/>`);
    out.push(`<line x1="${margin.left}" y1="${y(v).toFixed(1)}" x2="${width - margin.right}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${x(v).toFixed(1)}" y="${height - margin.bottom + 16}" text-anchor="middle">1e${e}</text>`);
    out.push(`<text x="${margin.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">1e${e}</text>`);
  }
  out.push(`<line x1="${x(10 ** lo)}" y1="${y(10 ** lo)}" x2="${x(10 ** hi)}" y2="${y(10 ** hi)}" stroke="#888" stroke-dasharray="4 3"/>`);
  out.push(`<text x="${width / 2}" y="${height - 18}" text-anchor="middle">measured ${escape(axis)} (interpreter)</text>`);
  out.push(`<text transform="translate(18 ${height / 2}) rotate(-90)" text-anchor="middle">predicted ${escape(axis)} (contract)</text>`);
  const style = (p: PlotPoint) => (!p.matched ? 'fill="none" stroke="#999"' : p.kind === 'typical' ? 'fill="#1f77b4" fill-opacity="0.6"' : 'fill="#d62728" fill-opacity="0.6"');
  for (const p of points) out.push(`<circle cx="${x(p.measured).toFixed(1)}" cy="${y(p.predicted).toFixed(1)}" r="3" ${style(p)}/>`);
  const legend = [['#1f77b4', 'typical, in a class'], ['#d62728', 'adversarial, in a class'], ['none', 'unmatched: worst case at the bounds']] as const;
  legend.forEach(([color, label], i) => {
    const ly = margin.top + 8 + i * 16;
    out.push(`<circle cx="${margin.left + 12}" cy="${ly}" r="4" ${color === 'none' ? 'fill="none" stroke="#999"' : `fill="${color}"`}/>`);
    out.push(`<text x="${margin.left + 22}" y="${ly + 4}">${label}</text>`);
  });
  out.push(`<text x="${width - margin.right}" y="${margin.top + 12}" text-anchor="end" fill="#888">dashed: predicted = measured</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
