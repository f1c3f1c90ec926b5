// predictWorkload: the cost per packet (mean, p50, p99, max) and the throughput an entry function's contract predicts for a workload, without running the code.
import { evaluateFormula, FormulaNode, formulaPcvNames, parseFormula } from '../core/cost/formula';
import { matchesPcvPattern } from './budgets';
import { ClassShare, Distribution, FunctionWorkload, resolveSelector, SelectableClass, SelectableFunction, WorkloadError } from './workload';

/** What the engine's convention uses for a PCV without a bound (see buildContract). */
export const UNBOUNDED_PCV_VALUE = 1_000_000;
/** A uniform range wider than this is represented by this many equal-probability points (see uniformAtoms). */
export const UNIFORM_POINTS = 4096;
/** Above this many PCV combinations in one entry, the entry's distribution is sampled instead of enumerated. */
export const MAX_ENUMERATED_POINTS = 50_000;

export interface WorkloadPredictionOptions {
  /** Metrics to report (default: the contract's). */
  metrics?: string[];
  clockGhz?: number;
  cyclesPerInstruction?: number;
}

export interface MetricStatistics { mean: number; p50: number; p99: number; max: number }

export interface EntryPrediction {
  label: string;
  /** The entry's share of packets, normalised. */
  share: number;
  /** How the selector found its classes; `unmatched` entries are charged the contract's worst case at the bounds. */
  selectedBy: 'path' | 'behaviour' | 'class' | 'unmatched';
  /** Every class the selector stands for. */
  candidates: string[];
  /** The class whose formulas give the entry's cost: the most expensive candidate at the entry's PCVs. */
  charged: string;
  statistics: Record<string, MetricStatistics>;
  /** Share of processing time (see WorkloadPrediction.timeMetric). */
  timeShare: number;
  /** Formula PCVs the workload gives no distribution for, taken at their bounds. */
  pcvsAtBound: string[];
  /** `sampled` when the entry had more than MAX_ENUMERATED_POINTS combinations of PCV values. */
  method: 'exact' | 'sampled';
}

export interface WorkloadPrediction {
  entry: string;
  metrics: string[];
  statistics: Record<string, MetricStatistics>;
  entries: EntryPrediction[];
  /** What the time shares weigh: cycles (from --cycles-per-instruction or a cycles metric) or, without either, instructions. */
  timeMetric: 'cycles' | 'instructions';
  /** Mean cycles per packet, when known. */
  cyclesPerPacket?: number;
  /** Sustained rate at the mean cost, floor(clock / mean cycles per packet). */
  packetsPerSecond?: number;
  /** The rate if every packet cost the workload's maximum. */
  worstCasePacketsPerSecond?: number;
  notes: string[];
}

/** One combination of PCV values with its probability, and what each metric costs there. */
interface Point { probability: number; cost: number[] }

/**
 * Predicts the workload `wf` on the contract `fn`. Each entry is charged one class: when its
 * selector stands for several (a rebuild split a path, or a loose behaviour selector), the most
 * expensive at the entry's PCVs, so that the prediction stays an upper bound; when it stands for
 * none, the contract's worst case with every PCV at its bound.
 */
export function predictWorkload(fn: SelectableFunction, wf: FunctionWorkload, options: WorkloadPredictionOptions = {}): WorkloadPrediction {
  const notes: string[] = [];
  const metrics = options.metrics ?? fn.metrics ?? Object.keys(fn.classes[0]?.cost ?? {});
  if (metrics.length === 0) throw new WorkloadError(`'${fn.name}' has no metrics to predict`);
  const useCpi = options.cyclesPerInstruction !== undefined;
  const cyclesKnown = useCpi || fn.classes.every((c) => c.cost.cycles !== undefined) && fn.classes.length > 0;
  const timeMetric: 'cycles' | 'instructions' = cyclesKnown ? 'cycles' : 'instructions';
  if (options.clockGhz !== undefined && !cyclesKnown) {
    throw new WorkloadError(`packets per second needs --cycles-per-instruction, or a contract with the cycles metric (perfcontract contract --metrics cycles ...)`);
  }
  // Every metric the report and the time weights need, computed once per point.
  const timeSource = useCpi ? 'instructions' : timeMetric;
  const computed = [...new Set([...metrics, timeSource])];
  const totalShare = wf.classes.reduce((sum, e) => sum + e.share, 0);
  const counts = wf.classes.every((e) => e.packets === e.share);
  if (!counts && Math.abs(totalShare - 1) > 1e-6 && Math.abs(totalShare - 100) > 1e-6) notes.push(`the shares add up to ${round(totalShare)}; they are normalised`);

  const perEntry: { entry: EntryPrediction; points: Point[] }[] = wf.classes.map((entry, index) => {
    const label = entry.label ?? describeSelector(entry, index);
    const resolution = resolveSelector(fn, entry.select);
    let candidates = resolution.classes;
    let selectedBy: EntryPrediction['selectedBy'] = resolution.how === 'none' ? 'unmatched' : resolution.how;
    let forceBounds = false;
    if (candidates.length === 0) {
      const worst = fn.classes.find((c) => c.id === fn.worstCase?.class);
      if (!worst) throw new WorkloadError(`no class of '${fn.name}' matches workload entry '${label}', and the contract has no worst case to charge it`);
      notes.push(`entry '${label}' matches no class of '${fn.name}'; it is charged the worst case (${worst.id}) with every PCV at its bound`);
      candidates = [worst];
      forceBounds = true;
      selectedBy = 'unmatched';
    }
    for (const cls of candidates) {
      for (const metric of computed) {
        if (cls.cost[metric] === undefined) throw new WorkloadError(`class ${cls.id} of '${fn.name}' has no metric '${metric}'`);
      }
    }
    // The dearest candidate, ranked by its first metric at the PCVs' mean values (the mean of a
    // polynomial in independent PCVs without squares), so that only the chosen class's whole
    // distribution is computed.
    const source = forceBounds ? undefined : { wf, entry };
    const ranked = candidates.length === 1 ? candidates[0]! : candidates.map((cls) => ({ cls, value: valueAtMeans(fn, cls, computed[0]!, source) })).reduce((a, b) => (b.value > a.value ? b : a)).cls;
    const best = { cls: ranked, ...classPoints(fn, ranked, computed, source) };
    if (candidates.length > 1) notes.push(`entry '${label}' stands for ${candidates.length} classes (${listClasses(candidates)}); it is charged the most expensive, ${best.cls.id}`);
    if (best.atBound.length > 0 && !forceBounds) notes.push(`entry '${label}': no distribution for ${best.atBound.join(', ')}; taken at the bound`);
    if (best.cls.outcome === 'incomplete') notes.push(`entry '${label}': class ${best.cls.id} is incomplete; its cost covers the path up to where the analysis stopped`);
    if (best.cls.lowerBound) notes.push(`entry '${label}': class ${best.cls.id} calls functions without a body; its cost is a lower bound`);
    const share = entry.share / totalShare;
    return {
      entry: {
        label, share, selectedBy, candidates: candidates.map((c) => c.id), charged: best.cls.id,
        statistics: statisticsOf(best.points, computed), timeShare: 0, pcvsAtBound: best.atBound, method: best.method,
      },
      points: best.points.map((p) => ({ probability: p.probability * share, cost: p.cost })),
    };
  });

  const all = perEntry.flatMap((e) => e.points);
  const statistics = statisticsOf(all, computed);
  const timeOf = (s: Record<string, MetricStatistics>, key: 'mean' | 'max'): number => s[timeSource]![key] * (options.cyclesPerInstruction ?? 1);
  const totalTime = perEntry.reduce((sum, e) => sum + e.entry.share * timeOf(e.entry.statistics, 'mean'), 0);
  for (const e of perEntry) e.entry.timeShare = totalTime > 0 ? (e.entry.share * timeOf(e.entry.statistics, 'mean')) / totalTime : 0;
  const pick = (s: Record<string, MetricStatistics>) => Object.fromEntries(metrics.map((m) => [m, s[m]!]));
  const result: WorkloadPrediction = {
    entry: fn.name, metrics, statistics: pick(statistics), entries: perEntry.map((e) => ({ ...e.entry, statistics: pick(e.entry.statistics) })), timeMetric, notes,
  };
  if (cyclesKnown) result.cyclesPerPacket = timeOf(statistics, 'mean');
  if (options.clockGhz !== undefined) {
    const hz = options.clockGhz * 1e9;
    if (result.cyclesPerPacket! <= 0) throw new WorkloadError(`the workload costs ${result.cyclesPerPacket} cycles per packet, so packets per second is not defined`);
    result.packetsPerSecond = Math.floor(hz / result.cyclesPerPacket!);
    result.worstCasePacketsPerSecond = Math.floor(hz / timeOf(statistics, 'max'));
  }
  return result;
}

/** A class's cost in one metric with each PCV at the mean of its distribution (a joint histogram's weighted mean per PCV). */
function valueAtMeans(fn: SelectableFunction, cls: SelectableClass, metric: string, source: { wf: FunctionWorkload; entry: ClassShare } | undefined): number {
  const formula = parseFormula(cls.cost[metric]!);
  const boundOf = (name: string): number => fn.pcvs.find((p) => p.name === name)?.bound ?? UNBOUNDED_PCV_VALUE;
  const joint = source?.entry.joint;
  const jointWeight = joint ? joint.reduce((sum, item) => sum + item.weight, 0) : 0;
  const means: Record<string, number> = {};
  for (const name of formulaPcvNames(formula)) {
    if (joint && Object.prototype.hasOwnProperty.call(joint[0]!.pcv, name)) {
      means[name] = joint.reduce((sum, item) => sum + item.pcv[name]! * item.weight, 0) / jointWeight;
      continue;
    }
    const atoms = atomsOf(distributionFor(source?.entry.pcvs, name) ?? distributionFor(source?.wf.pcvs, name) ?? 'bound', boundOf(name));
    const total = atoms.reduce((sum, a) => sum + a.weight, 0);
    means[name] = atoms.reduce((sum, a) => sum + a.values[0]! * a.weight, 0) / total;
  }
  return evaluateReal(formula, means);
}

/** A formula at real-valued PCVs (evaluateFormula takes safe integers only). */
function evaluateReal(node: FormulaNode, values: Record<string, number>): number {
  switch (node.kind) {
    case 'number': return node.value;
    case 'pcv': return values[node.name] ?? 0;
    case 'binary': {
      const left = evaluateReal(node.left, values);
      const right = evaluateReal(node.right, values);
      return node.operator === '+' ? left + right : node.operator === '-' ? left - right : left * right;
    }
    case 'call': return (node.callee === 'min' ? Math.min : Math.max)(...node.args.map((a) => evaluateReal(a, values)));
  }
}

/** The distribution of one class's cost under an entry's PCV distributions (or with every PCV at its bound). */
function classPoints(
  fn: SelectableFunction, cls: SelectableClass, metrics: string[], source: { wf: FunctionWorkload; entry: ClassShare } | undefined,
): { points: Point[]; atBound: string[]; method: 'exact' | 'sampled' } {
  const formulas: FormulaNode[] = metrics.map((m) => parseFormula(cls.cost[m]!));
  const names = [...new Set(formulas.flatMap((f) => formulaPcvNames(f)))].sort();
  const boundOf = (name: string): number => fn.pcvs.find((p) => p.name === name)?.bound ?? UNBOUNDED_PCV_VALUE;
  // Factors: independent sources of values. A joint histogram is one factor over several PCVs.
  const factors: { names: string[]; atoms: { values: number[]; weight: number }[] }[] = [];
  const atBound: string[] = [];
  const jointNames = source?.entry.joint ? names.filter((n) => Object.prototype.hasOwnProperty.call(source.entry.joint![0]!.pcv, n)) : [];
  if (jointNames.length > 0) {
    const merged = new Map<string, { values: number[]; weight: number }>();
    for (const item of source!.entry.joint!) {
      const values = jointNames.map((n) => item.pcv[n]!);
      const key = values.join(',');
      const existing = merged.get(key);
      if (existing) existing.weight += item.weight;
      else merged.set(key, { values, weight: item.weight });
    }
    factors.push({ names: jointNames, atoms: [...merged.values()] });
  }
  for (const name of names) {
    if (jointNames.includes(name)) continue;
    const distribution = distributionFor(source?.entry.pcvs, name) ?? distributionFor(source?.wf.pcvs, name);
    if (distribution === undefined) atBound.push(name);
    factors.push({ names: [name], atoms: atomsOf(distribution ?? 'bound', boundOf(name)) });
  }
  const evaluate = (values: Record<string, number>): number[] => formulas.map((f) => evaluateFormula(f, values));
  const size = factors.reduce((product, f) => product * f.atoms.length, 1);
  const points: Point[] = [];
  const totals = factors.map((f) => f.atoms.reduce((sum, a) => sum + a.weight, 0));
  if (size <= MAX_ENUMERATED_POINTS) {
    const walk = (index: number, values: Record<string, number>, probability: number): void => {
      if (index === factors.length) {
        points.push({ probability, cost: evaluate(values) });
        return;
      }
      const factor = factors[index]!;
      for (const atom of factor.atoms) {
        const next = { ...values };
        factor.names.forEach((n, i) => (next[n] = atom.values[i]!));
        walk(index + 1, next, (probability * atom.weight) / totals[index]!);
      }
    };
    walk(0, {}, 1);
    return { points, atBound, method: 'exact' };
  }
  // Too many combinations: a seeded sample (the same workload always gives the same figures), plus
  // the top of every factor, so that the maximum is the cost at the largest values (costs do not
  // fall when a PCV grows).
  const random = seededRandom(0x5eed);
  const cumulative = factors.map((f, i) => {
    let sum = 0;
    return f.atoms.map((a) => (sum += a.weight / totals[i]!));
  });
  const samples = MAX_ENUMERATED_POINTS;
  for (let s = 0; s < samples; s++) {
    const values: Record<string, number> = {};
    factors.forEach((factor, i) => {
      const atom = factor.atoms[lowerBound(cumulative[i]!, random())] ?? factor.atoms[factor.atoms.length - 1]!;
      factor.names.forEach((n, k) => (values[n] = atom.values[k]!));
    });
    points.push({ probability: 1 / (samples + 1), cost: evaluate(values) });
  }
  const top: Record<string, number> = {};
  for (const factor of factors) {
    const atom = factor.atoms.reduce((a, b) => (b.values.reduce((x, y) => x + y, 0) > a.values.reduce((x, y) => x + y, 0) ? b : a));
    factor.names.forEach((n, k) => (top[n] = atom.values[k]!));
  }
  points.push({ probability: 1 / (samples + 1), cost: evaluate(top) });
  return { points, atBound, method: 'sampled' };
}

/** A PCV's distribution: by its exact name, else by a `NAME*` pattern (NAME, its primed forms and its loop totals). */
function distributionFor(distributions: Record<string, Distribution> | undefined, name: string): Distribution | undefined {
  if (!distributions) return undefined;
  if (Object.prototype.hasOwnProperty.call(distributions, name)) return distributions[name];
  const pattern = Object.keys(distributions).filter((key) => key.endsWith('*') && matchesPcvPattern(key, name)).sort((a, b) => b.length - a.length)[0];
  return pattern === undefined ? undefined : distributions[pattern];
}

/** The atoms (value, weight) of one PCV's distribution. */
function atomsOf(distribution: Distribution, bound: number): { values: number[]; weight: number }[] {
  if (distribution === 'bound') return [{ values: [bound], weight: 1 }];
  if ('constant' in distribution) return [{ values: [distribution.constant], weight: 1 }];
  if ('histogram' in distribution) {
    const merged = new Map<number, number>();
    for (const [value, weight] of distribution.histogram) merged.set(value, (merged.get(value) ?? 0) + weight);
    return [...merged].map(([value, weight]) => ({ values: [value], weight }));
  }
  const [lowSpec, highSpec] = distribution.uniform;
  const low = lowSpec === 'bound' ? bound : lowSpec;
  const high = highSpec === 'bound' ? bound : highSpec;
  if (low > high) throw new WorkloadError(`uniform range [${low}, ${high}] is empty (the PCV's bound is ${bound})`);
  return uniformAtoms(low, high);
}

/**
 * Every integer of [low, high] with equal weight; a wider range is cut into UNIFORM_POINTS equal
 * parts, each represented by its largest value, so the figures stay upper bounds (by at most one
 * part's width in PCV units).
 */
function uniformAtoms(low: number, high: number): { values: number[]; weight: number }[] {
  const width = high - low + 1;
  if (width <= UNIFORM_POINTS) return Array.from({ length: width }, (_, i) => ({ values: [low + i], weight: 1 }));
  return Array.from({ length: UNIFORM_POINTS }, (_, i) => ({ values: [low + Math.ceil(((i + 1) * width) / UNIFORM_POINTS) - 1], weight: 1 }));
}

/** Mean, p50, p99 and max per metric of weighted points (nearest rank: the smallest value whose cumulative share reaches the quantile). */
function statisticsOf(points: readonly Point[], metrics: string[]): Record<string, MetricStatistics> {
  const total = points.reduce((sum, p) => sum + p.probability, 0);
  const result: Record<string, MetricStatistics> = {};
  metrics.forEach((metric, m) => {
    const sorted = points.map((p) => ({ v: p.cost[m]!, p: p.probability / total })).sort((a, b) => a.v - b.v);
    const quantile = (q: number): number => {
      let cumulative = 0;
      for (const point of sorted) {
        cumulative += point.p;
        if (cumulative >= q - 1e-12) return point.v;
      }
      return sorted[sorted.length - 1]!.v;
    };
    const mean = sorted.reduce((sum, point) => sum + point.v * point.p, 0);
    result[metric] = { mean, p50: quantile(0.5), p99: quantile(0.99), max: sorted.length > 0 ? sorted[sorted.length - 1]!.v : 0 };
  });
  return result;
}

function listClasses(classes: readonly SelectableClass[]): string {
  return classes.length <= 8 ? classes.map((c) => c.id).join(', ') : `${classes.slice(0, 8).map((c) => c.id).join(', ')}...`;
}

function describeSelector(entry: ClassShare, index: number): string {
  const s = entry.select;
  if (s.class) return s.class;
  if (s.case) return `${s.case} case`;
  if (s.returns) return `returns ${s.returns.join('|')}`;
  return `entry ${index + 1}`;
}

/** mulberry32: a small deterministic generator, so that a sampled prediction never changes between runs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function lowerBound(cumulative: readonly number[], u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function round(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** The prediction as text: the per-packet statistics, the classes with their shares, and the throughput. */
export function renderWorkloadPrediction(prediction: WorkloadPrediction, workloadName: string): string {
  const lines: string[] = [];
  lines.push(`workload: ${workloadName} on ${prediction.entry}`);
  lines.push('');
  const width = Math.max(6, ...prediction.metrics.map((m) => m.length));
  lines.push(`${'metric'.padEnd(width)}  ${['mean', 'p50', 'p99', 'max'].map((h) => h.padStart(12)).join('')}`);
  for (const metric of prediction.metrics) {
    const s = prediction.statistics[metric]!;
    lines.push(`${metric.padEnd(width)}  ${[s.mean, s.p50, s.p99, s.max].map((v) => fixed(v).padStart(12)).join('')}`);
  }
  lines.push('');
  const first = prediction.metrics[0]!;
  lines.push(`${'class'.padEnd(8)} ${'share'.padStart(8)} ${`time (${prediction.timeMetric})`.padStart(18)} ${`mean ${first}`.padStart(20)}  selected by  entry`);
  for (const e of prediction.entries) {
    lines.push(`${e.charged.padEnd(8)} ${percent(e.share).padStart(8)} ${percent(e.timeShare).padStart(18)} ${fixed(e.statistics[first]!.mean).padStart(20)}  ${e.selectedBy.padEnd(11)}  ${e.label}`);
  }
  if (prediction.cyclesPerPacket !== undefined) {
    lines.push('');
    lines.push(`cycles per packet (mean): ${fixed(prediction.cyclesPerPacket)}`);
  }
  if (prediction.packetsPerSecond !== undefined) {
    lines.push(`packets per second: ${prediction.packetsPerSecond} (at the mean cost; ${prediction.worstCasePacketsPerSecond} if every packet cost the maximum)`);
  }
  for (const note of prediction.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

function fixed(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}
