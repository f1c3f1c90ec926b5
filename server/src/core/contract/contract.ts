// The contract data model and how explored paths become path classes with conditions, costs and witnesses.
import type { IrFunction, SourceRange } from '../ir/ir';
import type { Cost, IrMetric } from '../cost/costModel';
import { ERROR_REASONS, Reasons, ReasonKind } from '../reasons';
import type { BranchDecision, CompletedPath, CostTerms, ExplorationResult, SymbolicValue } from '../symex/executor';
import { returnRange } from '../term/interval';
import { formatPolynomial, evaluateFormula, formulaPcvNames } from '../cost/formula';
import { Model, ModelEvaluator } from '../term/model';
import { arraySymbol, forEachSelect, symbol, toSigned } from '../term/expr';
import { Witness, numberForJson, witnessBytes } from './witness';
import { addHeapToWitness } from './heapWitness';
import { packetLength } from '../symex/packet';
import { memoryAssumptions, unmodelledCallees } from './memoryNotes';
import type { IrProgram } from '../ir/ir';
import type { DeclaredContracts } from '../declared/declaredContracts';
import { Behaviour, computeBehaviours, maximumFormula } from './behaviours';
import { behaviourItems, behaviourKey, connectedGroups, countRepeats, exitIterationDecisions, mergeContext } from './classMerge';
import { DEFAULT_EXECUTION_OPTIONS } from '../symex/executor';
import { WorstCaseRanking, compareWorst, valueAtBounds } from './worstCase';
import { insideLoop, pcvFacts, returnNameOf } from './pcvFacts';
import { monomialPcvs } from '../cost/monomial';

export interface ContractRange { startLine: number; startColumn: number; endLine: number; endColumn: number; startByte: number; endByte: number }

export interface ClassCondition {
  /** The condition as written in the source, with its polarity applied. */
  text: string;
  file: string;
  line: number;
  functionName: string;
}

export interface PathClass {
  id: string;
  /** C-like condition over source-level names; `true` when every input takes this class. */
  condition: string;
  /** Metric -> formula (a constant for loop-free code). */
  cost: Partial<Record<IrMetric, string>>;
  paths: number;
  outcome: 'return' | 'error' | 'incomplete';
  /** For error and incomplete classes: why the path ended. */
  reason?: { code: string; kind: ReasonKind; message: string; line?: number };
  /** Return values seen on the class's paths (concrete ones only). */
  returns: string[];
  /**
   * When the class returns values the analysis did not fix (`symbolic`): a range holding every
   * value it returns, read from the returned expressions' structure (a mask, a remainder, a byte).
   * Absent when nothing narrower than the return type is known.
   */
  returnRange?: { min: number; max: number };
  /** True when the cost leaves out calls without a body or contract. */
  lowerBound: boolean;
  /** The calls without a body or contract the class's paths go through: its behaviour depends on what they return or write. */
  dependsOnUnmodelled?: string[];
  witness: Witness;
  /**
   * Set for contracts with summarised loops: whether running the witness concretely lands in this
   * class. A summarised loop forgets what it writes, so its witnesses can miss (false).
   */
  witnessVerified?: boolean;
  /** Branch decisions of the class's first path, for navigation (related information). */
  decisions: ClassCondition[];
  /** Path identities (trace digests), so a concrete run can be placed in its class. */
  traces: string[];
  /**
   * Set when the class costs more than `adversarialFactor` times the common case (at the PCV
   * bounds, or without bound) and packet contents decide whether an input takes it.
   */
  adversarial?: { factor: number | 'unbounded'; drivenBy: ClassCondition[] };
  /**
   * The path-level split of a class that merges paths differing only in the explicit iterations
   * of a summarised loop (`classMerge.ts`): each member groups the class's paths with one cost,
   * with its own condition (iteration by iteration), cost, traces and witness. Absent when the
   * class is one such group and its condition needs no loop-level rewriting.
   */
  members?: PathMember[];
}

/** One group of a class's paths with the same cost: the path-level view of a merged class. */
export interface PathMember {
  id: string;
  condition: string;
  cost: Partial<Record<IrMetric, string>>;
  paths: number;
  traces: string[];
  witness: Witness;
  /** Whether running the member's witness lands in the member's own paths. */
  witnessVerified?: boolean;
}

export interface IncompleteReason { code: string; kind: ReasonKind; message: string; line?: number; file?: string }

export interface UnmodelledCall { callee: string; file: string; line: number }

export interface FunctionContract {
  name: string;
  file: string;
  range: ContractRange;
  metrics: IrMetric[];
  /** `bound`: the most summarised iterations possible (declared with `@bound` or inferred from the loop guard). */
  pcvs: {
    name: string; description: string; origin: string; bound?: number; boundSource?: 'annotation' | 'guard' | 'solver'; unboundedBy?: string[];
    /** For loop PCVs: the cost of one summarised iteration per metric (its worst path). */
    perIteration?: Partial<Record<IrMetric, string>>;
    /** The value for a typical packet, which hovers, lenses and ratios use (see `typicalSource`). */
    typical?: number;
    typicalSource?: 'annotation' | 'contract' | 'default';
    /** Where the instance comes from: `callee@line` for a declared contract's PCV, `function@line` for a loop. */
    site?: string;
    /** How an attacker drives this PCV, when one can. */
    attacker?: string;
  }[];
  /**
   * The classes grouped by what happens to the packet (outcome, declared cases taken, functions
   * and loops gone through), at most about ten. Absent in contracts cached by older versions:
   * readers then compute them with `contractBehaviours`.
   */
  behaviours?: Behaviour[];
  /** The median primary cost of the returning classes with every PCV at its typical value. */
  typicalCommonCase?: number | null;
  /** Loops summarised into PCVs after this many explicit iterations (so `run` can count the rest). */
  unrollLimit?: number;
  /** Loops with a constant trip bound up to this limit and few paths ran in full, without a PCV (`ir/fullUnroll.ts`); `run` counts them the same way. */
  fullUnrollLimit?: number;
  classes: PathClass[];
  /** `unbounded` when the worst class's cost grows with a PCV that has no bound. */
  /**
   * `ranking`: `bounds` when every class's formula was compared with its PCVs at their bounds;
   * `growth` when some class grows with a PCV that has no bound, so classes compared by growth in
   * those PCVs (degree, then leading coefficients), then at the bounds (`compareWorst`).
   */
  worstCase: {
    class: string; cost: Partial<Record<IrMetric, string>>; unbounded?: boolean; atBounds?: number; ranking?: WorstCaseRanking;
    /**
     * The search for an adversarial witness of the worst class (`adversarialWitness.ts`): runs of the
     * interpreter it took, whether it found a costlier input of the class (then the class's witness),
     * and the primary cost of the witness's run.
     */
    witnessSearch?: { runs: number; pushed: boolean; cost: number };
  } | null;
  bestCase: { class: string; cost: Partial<Record<IrMetric, string>> } | null;
  /** Worst over best cost in the first metric. */
  worstToBestRatio: number | null;
  complete: boolean;
  incompleteReasons: IncompleteReason[];
  unmodelledCalls: UnmodelledCall[];
  /** What the analysis assumed about memory it did not allocate (lazy objects, no aliasing, arrays), in words. */
  assumptions?: string[];
  /** The median cost (first metric, every PCV at 0) over the classes that return: the common case adversarial classes are measured against. */
  commonCase: number | null;
  statistics: { paths: number; solverQueries: number; z3Calls: number; z3Milliseconds: number; milliseconds: number };
}

/**
 * Groups explored paths into classes. Paths with the same outcome and the same cost form a group
 * (a member); groups whose paths differ only in the explicit iterations of a loop summarised on
 * some path (the same behaviour items, `classMerge.ts`) form one class, whose cost is the
 * per-monomial maximum of its members' and whose condition speaks of the loop as a whole.
 */
export function buildContract(
  fn: IrFunction, exploration: ExplorationResult, metrics: IrMetric[],
  statistics: FunctionContract['statistics'], adversarialFactor = 5,
  context: { program?: IrProgram; declaredContracts?: DeclaredContracts; unrollLimit?: number } = {},
): FunctionContract {
  const groups = new Map<string, CompletedPath[]>();
  for (const path of exploration.paths) {
    const key = `${path.outcome.kind}|${path.outcome.reason ?? ''}|${metrics.map((m) => formulaOf(path.cost, path.terms, m)).join(',')}|${path.externalCalls.some((c) => !c.declared)}`;
    const group = groups.get(key);
    if (group) group.push(path);
    else groups.set(key, [path]);
  }
  const merge = mergeContext(exploration, fn.name, context.unrollLimit ?? DEFAULT_EXECUTION_OPTIONS.unrollLimit, context.program);
  const primary = metrics[0]!;
  const bounds = new Map([...exploration.pcvs.values()].map((p) => [p.name, p.bound]));
  const memberGroups = [...groups.values()];
  const itemsOf = (p: CompletedPath) => behaviourItems(p.decisions, merge, decisionText);
  const components = connectedGroups(memberGroups.map((paths) => [...new Set(paths.map((p) => behaviourKey(p, merge, decisionText, renderReturn(p.returnValue, fn) ?? '')))]))
    .sort((a, b) => a[0]! - b[0]!);
  const classes: PathClass[] = [];
  const classPaths = new Map<string, CompletedPath[]>(); // class id -> its paths, the representative's first
  let index = 1;
  for (const component of components) {
    const id = `C${index++}`;
    const members = component.map((i, k) => memberOf(`${id}.${k + 1}`, memberGroups[i]!, fn, exploration, metrics));
    // The representative (witness, decisions) is the member dearest at the bounds.
    const atBounds = (m: PathMember) => evaluateFormula(m.cost[primary] ?? '0', Object.fromEntries(formulaPcvNames(m.cost[primary] ?? '0').map((n) => [n, bounds.get(n) ?? UNBOUNDED_PCV_VALUE])));
    let top = 0;
    members.forEach((m, k) => { if (atBounds(m) > atBounds(members[top]!)) top = k; });
    const paths = [...memberGroups[component[top]!]!, ...component.filter((_, k) => k !== top).flatMap((i) => memberGroups[i]!)];
    classPaths.set(id, paths);
    const first = paths[0]!;
    const condition = conditionOf(paths.map(itemsOf));
    const cost = members.length === 1 ? members[0]!.cost : Object.fromEntries(metrics.map((m) => [m, maximumFormula(members.map((member) => member.cost[m] ?? '0'))]));
    classes.push({
      id,
      condition,
      cost,
      paths: paths.length,
      outcome: first.outcome.kind,
      reason: first.outcome.reason ? {
        code: Reasons[first.outcome.reason].code, kind: first.outcome.reason, message: first.outcome.message ?? Reasons[first.outcome.reason].summary,
        line: first.outcome.range ? first.outcome.range.startLine + 1 : undefined,
      } : undefined,
      returns: uniqueReturns(paths, fn),
      ...optionalRange(paths, fn),
      lowerBound: first.externalCalls.some((c) => !c.declared),
      ...unmodelledCallees(paths),
      witness: cloneWitness(members[top]!.witness),
      decisions: exitIterationDecisions(first.decisions, merge).map((d) => ({ text: decisionText(d), file: d.range.file, line: d.range.startLine + 1, functionName: d.functionName })),
      traces: paths.map(pathKey),
      ...(members.length > 1 || members[0]!.condition !== condition ? { members } : {}),
    });
  }
  const incompleteReasons: IncompleteReason[] = [];
  for (const stop of exploration.stopReasons) {
    if (!incompleteReasons.some((r) => r.message === stop.message)) incompleteReasons.push({ code: Reasons[stop.reason].code, kind: stop.reason, message: stop.message });
  }
  for (const path of exploration.paths) {
    if (path.outcome.kind === 'incomplete' && path.outcome.reason) {
      const message = path.outcome.message ?? Reasons[path.outcome.reason].summary;
      if (!incompleteReasons.some((r) => r.message === message)) {
        incompleteReasons.push({ code: Reasons[path.outcome.reason].code, kind: path.outcome.reason, message, line: path.outcome.range ? path.outcome.range.startLine + 1 : undefined, file: path.outcome.range?.file });
      }
    }
  }
  const unmodelledCalls: UnmodelledCall[] = [];
  for (const path of exploration.paths) {
    for (const call of path.externalCalls) {
      if (call.declared) continue;
      if (!unmodelledCalls.some((u) => u.callee === call.callee && u.line === call.range.startLine + 1)) {
        unmodelledCalls.push({ callee: call.callee, file: call.range.file, line: call.range.startLine + 1 });
      }
    }
  }
  // Classes compare by their cost with every PCV at its bound; an unbounded PCV outweighs any constant.
  const primaryCost = (c: PathClass, valueOf: (pcv: string) => number) => {
    const formula = c.cost[primary] ?? '0';
    return evaluateFormula(formula, Object.fromEntries(formulaPcvNames(formula).map((n) => [n, valueOf(n)])));
  };
  const costOf = (c: PathClass) => primaryCost(c, (n) => bounds.get(n) ?? 1_000_000);
  const unbounded = (c: PathClass) => Object.values(c.cost).some((f) => f !== undefined && formulaPcvNames(f).some((n) => bounds.get(n) === undefined));
  let worst: PathClass | undefined;
  // The best case is the cheapest path: in a merged class, its cheapest member, not the class's maximum.
  let best: { pathClass: PathClass; cost: PathClass['cost']; at: number } | undefined;
  for (const c of classes) {
    // An incomplete class's cost stops where its path stopped, so it cannot be a worst case.
    if (c.outcome !== 'incomplete' && (!worst || compareWorst(c.cost[primary] ?? '0', worst.cost[primary] ?? '0', bounds, UNBOUNDED_PCV_VALUE) > 0)) worst = c;
    if (c.outcome !== 'return') continue;
    for (const candidate of c.members ?? [c]) {
      const at = valueAtBounds(candidate.cost[primary] ?? '0', bounds, UNBOUNDED_PCV_VALUE);
      if (!best || at < best.at) best = { pathClass: c, cost: candidate.cost, at };
    }
  }
  // Adversarial classes: far above the common case, and selected by packet contents (the memory
  // behind a pointer parameter), which a sender controls.
  const packetArrays = new Set(fn.params.filter((p) => p.type.kind === 'pointer').map((p) => `mem:${p.name}`));
  // The common case is a typical packet: every PCV at 0 (no collisions, no extra iterations).
  const costAtZero = (c: PathClass) => primaryCost(c, () => 0);
  const returning = classes.filter((c) => c.outcome === 'return').map(costAtZero).sort((a, b) => a - b);
  const commonCase = returning.length > 0 ? returning[Math.floor((returning.length - 1) / 2)]! : null;
  if (commonCase !== null && commonCase > 0) {
    for (const c of classes) {
      if (c.outcome === 'incomplete') continue;
      const growsWithoutBound = unbounded(c);
      const factor = costOf(c) / commonCase;
      if (!growsWithoutBound && factor <= adversarialFactor) continue;
      const representative = classPaths.get(c.id)![0]!;
      const drivenBy = representative.decisions
        .filter((d) => d.inputs.some((s) => packetArrays.has(s)))
        .map((d) => ({ text: decisionText(d), file: d.range.file, line: d.range.startLine + 1, functionName: d.functionName }));
      if (drivenBy.length === 0) continue;
      c.adversarial = { factor: growsWithoutBound ? 'unbounded' : Math.round(factor * 100) / 100, drivenBy: dedupeConditions(drivenBy) };
    }
  }
  const usedPcvs = [...exploration.pcvs.values()]
    .filter((p) => classes.some((c) => Object.values(c.cost).some((f) => f !== undefined && formulaPcvNames(f).includes(p.name))));
  const facts = pcvFacts(usedPcvs, { fn, program: context.program, declaredContracts: context.declaredContracts, paths: exploration.paths, packetArrays });
  const contract: FunctionContract = {
    name: fn.name,
    file: fn.file,
    range: toContractRange(fn.range),
    metrics,
    pcvs: usedPcvs
      .map((p) => ({
        name: p.name,
        description: p.otherCallees ? `${p.description}; on other paths ${p.name} counts the PCV of ${p.otherCallees.join(', ')} instead (a call's PCVs are named in the order of the calls on its path)` : p.description,
        origin: `${p.origin.file}:${p.origin.line}`,
        ...(p.bound !== undefined ? { bound: p.bound, boundSource: p.boundSource } : p.unboundedBy ? { unboundedBy: p.unboundedBy } : {}),
        ...(p.perIteration ? { perIteration: costFormulas(p.perIteration.cost, p.perIteration.terms, metrics) } : {}),
        ...facts.get(p.name)!,
      })),
    classes,
    worstCase: worst ? {
      class: worst.id, cost: worst.cost, ...(unbounded(worst) ? { unbounded: true } : hasPcv(worst) ? { atBounds: costOf(worst) } : {}),
      // Classes compare at the PCV bounds unless one of them grows with a PCV that has none.
      ranking: classes.some((c) => c.outcome !== 'incomplete' && unbounded(c)) ? 'growth' : 'bounds',
    } : null,
    bestCase: best ? { class: best.pathClass.id, cost: best.cost } : null,
    worstToBestRatio: worst && best && best.at > 0 && !unbounded(worst) ? Math.round((costOf(worst) / best.at) * 100) / 100 : null,
    complete: incompleteReasons.length === 0,
    incompleteReasons,
    unmodelledCalls,
    ...(memoryAssumptions(exploration).length > 0 ? { assumptions: memoryAssumptions(exploration) } : {}),
    commonCase,
    statistics,
  };
  // Behaviours: which decisions packet bytes decide, per class, whatever the class costs.
  const packetDecisions = new Map(classes.map((c) => {
    const representative = classPaths.get(c.id)![0]!;
    return [c.id, dedupeConditions(representative.decisions.filter((d) => d.inputs.some((s) => packetArrays.has(s)))
      .map((d) => ({ text: decisionText(d), file: d.range.file, line: d.range.startLine + 1, functionName: d.functionName })))];
  }));
  const { behaviours, typicalCommonCase } = computeBehaviours(contract, {
    adversarialFactor, packetDecisions,
    returnName: (c, value) => returnNameOf(classPaths.get(c.id)!, fn, context.program, value),
    insideLoop: (d) => insideLoop(context.program, d),
  });
  contract.behaviours = behaviours;
  contract.typicalCommonCase = typicalCommonCase;
  return contract;
}

/** The contract's behaviours, computed from its classes when it has none (contracts cached by older versions). */
export function contractBehaviours(contract: FunctionContract): Behaviour[] {
  if (contract.behaviours) return contract.behaviours;
  const { behaviours, typicalCommonCase } = computeBehaviours(contract);
  contract.behaviours = behaviours;
  contract.typicalCommonCase = typicalCommonCase;
  return behaviours;
}

export function outcomeKey(path: { outcome: { kind: string; reason?: string } }): string {
  return path.outcome.kind === 'return' ? 'return' : `${path.outcome.kind}:${path.outcome.reason}`;
}

/** The identity of an explored path, as listed in a class's `traces`. */
export function pathKey(path: { trace: string; outcome: { kind: string; reason?: string } }): string {
  return `${path.trace}/${outcomeKey(path)}`;
}

/** The identity of a concrete run (see interp/interpreter.ts), comparable with a class's `traces`. */
export function runPathKey(run: { trace: string; error?: { reason: ReasonKind } }): string {
  const outcome = run.error ? { kind: ERROR_REASONS.has(run.error.reason) ? 'error' : 'incomplete', reason: run.error.reason } : { kind: 'return' };
  return pathKey({ trace: run.trace, outcome });
}

export function toContractRange(range: SourceRange): ContractRange {
  return { startLine: range.startLine, startColumn: range.startColumn, endLine: range.endLine, endColumn: range.endColumn, startByte: range.startByte, endByte: range.endByte };
}

function costFormulas(cost: Cost, terms: CostTerms, metrics: IrMetric[]): Partial<Record<IrMetric, string>> {
  const result: Partial<Record<IrMetric, string>> = {};
  for (const metric of metrics) result[metric] = formulaOf(cost, terms, metric);
  return result;
}

function formulaOf(cost: Cost, terms: CostTerms, metric: IrMetric): string {
  return formatPolynomial(cost[metric], [...terms].map(([key, c]) => ({ monomial: monomialPcvs(key), coefficient: c[metric] })));
}


function hasPcv(c: PathClass): boolean {
  return Object.values(c.cost).some((f) => f !== undefined && formulaPcvNames(f).length > 0);
}

/** Renders a decision as a C condition: the source text, negated when the branch was not taken. */
export function decisionText(d: BranchDecision): string {
  if (d.caseLabel !== undefined) {
    if (d.caseLabel === 'default') {
      const labels = d.otherLabels ?? [];
      return labels.length === 0 ? 'true' : labels.map((l) => `${wrap(d.text)} != ${l}`).join(' && ');
    }
    return `${wrap(d.text)} == ${d.caseLabel}`;
  }
  return d.taken ? d.text : negate(d.text);
}

function wrap(text: string): string {
  return /^[\w.\->\[\]]+$/.test(text) ? text : `(${text})`;
}

const FLIPPED: Record<string, string> = { '==': '!=', '!=': '==', '<': '>=', '>=': '<', '>': '<=', '<=': '>' };

/** Negates a condition's text readably: `a < b` becomes `a >= b`, `!x` becomes `x`. */
export function negate(text: string): string {
  const trimmed = text.trim();
  const comparison = topLevelComparison(trimmed);
  if (comparison) return `${comparison.left} ${FLIPPED[comparison.operator]} ${comparison.right}`;
  if (/^![\w.\->\[\]()]+$/.test(trimmed) && !trimmed.startsWith('!(')) return trimmed.slice(1);
  if (/^[\w.\->\[\]]+$/.test(trimmed)) return `!${trimmed}`;
  return `!(${trimmed})`;
}

function topLevelComparison(text: string): { left: string; operator: string; right: string } | undefined {
  let depth = 0;
  let found: { index: number; operator: string } | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0) {
      const two = text.slice(i, i + 2);
      if (two === '&&' || two === '||' || c === '?') return undefined;
      if (['==', '!=', '<=', '>='].includes(two)) {
        if (found) return undefined;
        found = { index: i, operator: two };
        i++;
      } else if ((c === '<' || c === '>') && text[i + 1] !== c && text[i - 1] !== c && text[i + 1] !== '=' && text[i - 1] !== '-') {
        if (found) return undefined;
        found = { index: i, operator: c };
      }
    }
  }
  if (!found) return undefined;
  return { left: text.slice(0, found.index).trim(), operator: found.operator, right: text.slice(found.index + found.operator.length).trim() };
}

/** One group of paths with the same cost, with its path-level condition and the witness of its first path. */
function memberOf(id: string, paths: CompletedPath[], fn: IrFunction, exploration: ExplorationResult, metrics: IrMetric[]): PathMember {
  const first = paths[0]!;
  return {
    id, condition: conditionOf(paths.map((p) => p.decisions.map(decisionText))), cost: costFormulas(first.cost, first.terms, metrics),
    paths: paths.length, traces: paths.map(pathKey), witness: witnessOf(first, fn, exploration),
  };
}

/** The value an unbounded PCV takes where classes are compared at their bounds. */
export const UNBOUNDED_PCV_VALUE = 1_000_000;

function cloneWitness(witness: Witness): Witness {
  return JSON.parse(JSON.stringify(witness)) as Witness;
}

/** The disjunction of the paths' conditions (one list of items per path), with the items they all share pulled out front. */
function conditionOf(items: string[][]): string {
  const perPath = mergeComplements(items.map(countRepeats));
  if (perPath.length === 1) return perPath[0]!.length === 0 ? 'true' : perPath[0]!.join(' && ');
  const shared = perPath[0]!.filter((d) => perPath.every((p) => p.includes(d)));
  const rests = dedupe(perPath.map((p) => p.filter((d) => !shared.includes(d))).map((r) => (r.length === 0 ? 'true' : r.length === 1 ? r[0]! : `(${r.join(' && ')})`)));
  const limit = 6;
  let alternatives = rests.includes('true') ? '' : rests.slice(0, limit).join(' || ');
  if (rests.length > limit && alternatives) alternatives += ` || ... (${rests.length - limit} more)`;
  const parts = [...shared];
  if (alternatives) parts.push(rests.length > 1 ? `(${alternatives})` : alternatives);
  return parts.length === 0 ? 'true' : parts.join(' && ');
}

/** Merges alternatives that differ only in one decision taken both ways: (A && x) || (A && !x) is A. */
function mergeComplements(alternatives: string[][]): string[][] {
  let current = alternatives.map((a) => [...a]);
  let changed = true;
  while (changed && current.length > 1) {
    changed = false;
    outer: for (let i = 0; i < current.length; i++) {
      for (let j = i + 1; j < current.length; j++) {
        const a = current[i]!;
        const b = current[j]!;
        if (a.length !== b.length) continue;
        const onlyA = a.filter((x) => !b.includes(x));
        const onlyB = b.filter((x) => !a.includes(x));
        if (onlyA.length === 1 && onlyB.length === 1 && (negate(onlyA[0]!) === onlyB[0] || negate(onlyB[0]!) === onlyA[0])) {
          const merged = a.filter((x) => x !== onlyA[0]);
          current = current.filter((_, k) => k !== i && k !== j);
          current.push(merged);
          changed = true;
          break outer;
        }
      }
    }
  }
  return current;
}


function dedupeConditions(items: ClassCondition[]): ClassCondition[] {
  const seen = new Set<string>();
  return items.filter((c) => {
    const key = `${c.text}@${c.file}:${c.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}

function uniqueReturns(paths: CompletedPath[], fn: IrFunction): string[] {
  const values = new Set<string>();
  for (const path of paths) {
    const rendered = renderReturn(path.returnValue, fn);
    if (rendered !== undefined) values.add(rendered);
  }
  return [...values].slice(0, 8);
}

/** The union of the paths' return ranges, when some return value is symbolic and every one has a range. */
function optionalRange(paths: CompletedPath[], fn: IrFunction): { returnRange?: { min: number; max: number } } {
  if (!paths.some((p) => p.returnValue?.kind === 'int' && p.returnValue.expr.op !== 'const')) return {};
  let union: { min: number; max: number } | undefined;
  for (const path of paths) {
    const value = path.returnValue;
    if (value?.kind !== 'int') return {};
    let range: { min: number; max: number } | undefined;
    if (value.expr.op === 'const') {
      const v = Number(fn.returnSigned ? toSigned(value.expr.value, value.expr.width) : value.expr.value);
      range = { min: v, max: v };
    } else {
      range = returnRange(value.expr, fn.returnSigned);
    }
    if (!range) return {};
    union = union ? { min: Math.min(union.min, range.min), max: Math.max(union.max, range.max) } : range;
  }
  return union ? { returnRange: union } : {};
}

function renderReturn(value: SymbolicValue | undefined, fn: IrFunction): string | undefined {
  if (!value) return undefined;
  if (value.kind === 'null') return 'NULL';
  if (value.kind === 'pointer') return `&${value.object.replace(/#\d+$/, '')}`;
  if (value.expr.op === 'const') return String(fn.returnSigned ? toSigned(value.expr.value, value.expr.width) : value.expr.value);
  return 'symbolic';
}

/** Concrete inputs from the path's model (or `model`): arguments, the bytes of every input object read, external results. */
export function witnessOf(path: CompletedPath, fn: IrFunction, exploration: ExplorationResult, model: Model = path.witnessModel): Witness {
  const evaluator = new ModelEvaluator(model);
  const args: Witness['args'] = {};
  for (const param of fn.params) {
    if (param.type.kind !== 'int') continue;
    const raw = evaluator.bitvec(symbol(`arg:${param.name}`, param.type.width));
    args[param.name] = numberForJson(param.type.signed ? toSigned(raw, param.type.width) : raw);
  }
  const memory: Witness['memory'] = {};
  // Only the bytes the path condition reads are constrained; every other byte may be 0. Asking the
  // model for those alone keeps large tables (flow tables, tries) from costing one z3 call per byte.
  const read = new Map<string, Set<bigint>>();
  forEachSelect(path.constraints, (base, index) => {
    if (base === undefined) return;
    const indices = read.get(base) ?? new Set<bigint>();
    indices.add(evaluator.bitvec(index));
    read.set(base, indices);
  });
  let packet: Witness['packet'];
  for (const input of exploration.inputObjects) {
    const extent = path.inputExtents.get(input.arrayName);
    if (!extent) continue;
    let end = 0;
    extent.offsets.forEach((offset, i) => {
      const at = evaluator.bitvec(offset);
      end = Math.max(end, Math.min(input.size, Number(at) + extent.sizes[i]!));
    });
    if (input.kind === 'packet') end = Number(evaluator.bitvec(packetLength()));
    // Only the bytes read are asked for: an object may be a 64 MiB table read at two places.
    const bytes = new Map<number, number>();
    const array = arraySymbol(input.arrayName);
    for (const index of read.get(input.arrayName) ?? []) if (index < BigInt(end)) bytes.set(Number(index), Number(evaluator.arrayByte(array, index)));
    // The bytes stop at the last one that is not 0 (the rest are 0); a packet's length says how long it is.
    if (input.kind === 'packet') packet = { length: end, bytes: witnessBytes(bytes, false) };
    else memory[input.name] = witnessBytes(bytes);
  }
  const witness: Witness = { args, memory, pcv: {}, ...(packet ? { packet } : {}) };
  if (path.lazyObjects || path.externalWrites || exploration.initialHeap) addHeapToWitness(witness, path, evaluator, read, exploration.initialHeap);
  if (path.externalCalls.length > 0) {
    witness.externals = {};
    for (const call of path.externalCalls) {
      if (call.width !== 0) witness.externals[call.key] = numberForJson(evaluator.bitvec(symbol(`ext:${call.key}`, call.width)));
      for (const write of call.writes ?? []) witness.externals[`${call.key}.${write.param}`] = numberForJson(evaluator.bitvec(symbol(`ext:${call.key}.${write.param}`, write.width)));
    }
  }
  return witness;
}
