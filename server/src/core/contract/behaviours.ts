// Behaviour classes: path classes grouped by what happens to the packet (outcome, declared cases, calls, loops), at most about ten per function.
import type { IrMetric } from '../cost/costModel';
import type { ClassCondition, FunctionContract, PathClass } from './contract';
import { DisplayPcv, formulaOfPolynomial, isTotal, pcvBase, polynomialOf, valueAt, valueAtBounds } from './pcvDisplay';
import { CONSTANT_TERM, monomialPcvs } from '../cost/monomial';

/** More behaviours than this are merged further (coarser grouping), so that a reader can take them in at once. */
export const MAX_BEHAVIOURS = 10;

/** The value an attacker-driven PCV without a bound is taken at (the engine's convention for unbounded PCVs). */
const UNBOUNDED = 1_000_000;

export interface Behaviour {
  /** `B1`, `B2`, ... in the order of their cheapest member class. */
  id: string;
  /** Plain words from the code: the declared cases taken, the functions gone through, the outcome (`map_get miss, map_put stored x2, returns NAT_EXTERNAL_PORT`). */
  name: string;
  /** The outcome in words: `returns NF_ACTION_DROP (-1)`, `error PC101 ...`. */
  outcome: string;
  /** One line: the conditions every member class shares that not every class of the function has. */
  condition: string;
  /** The member path classes. */
  classes: string[];
  /** Per metric, the per-monomial maximum of the members' formulas: with PCVs never negative, at least every member's cost. */
  cost: Partial<Record<IrMetric, string>>;
  /**
   * The per-monomial maximum of the members a typical packet takes: those with the fewest loop
   * iterations unrolled before summarisation (extra iterations are the PCVs' growth, which the
   * typical values already count). Primary metric only.
   */
  typicalFormula: string;
  /** `typicalFormula` with every PCV at its typical value; null when a value overflows. */
  typicalCost: number | null;
  /** Primary metric with every PCV at its bound; null when a PCV of the formula has no bound. */
  boundCost: number | null;
  /**
   * Packet contents select the behaviour, and it costs more than `factor` times the common case at
   * typical values, or its cost grows in a PCV an attacker drives (`pcvs`, each with how).
   */
  adversarial?: {
    factor: number;
    pcvs: { name: string; perUnit: number; how: string }[];
    drivenBy: ClassCondition[];
  };
}

export interface BehaviourContext {
  /** The name of a constant a class returns (`NF_ACTION_DROP`), when the code returns it by name. */
  returnName?: (c: PathClass, value: string) => string | undefined;
  /** Whether a decision lies inside a loop (its declared cases then say how the loop went, not what happened to the packet). */
  insideLoop?: (d: ClassCondition) => boolean;
  /** The decisions that packet bytes decide, per class id (default: the class's `adversarial.drivenBy`). */
  packetDecisions?: Map<string, ClassCondition[]>;
  adversarialFactor?: number;
}

interface Features {
  outcome: string;
  outcomeKind: PathClass['outcome'];
  cases: string[];
  loopCases: string[];
  functions: string[];
  loops: string[];
  /** Whether any class of the function calls a function with a declared contract (for naming: whether none of the group's members does). */
  anyDeclared: boolean;
  /** Decisions taken inside loops (unrolled iterations). */
  loopDecisions: number;
}

/** Groups the contract's classes into behaviours, choosing the finest grouping that gives at most MAX_BEHAVIOURS. */
export function computeBehaviours(contract: FunctionContract, context: BehaviourContext = {}): { behaviours: Behaviour[]; typicalCommonCase: number | null } {
  const pcvs = contract.pcvs as DisplayPcv[];
  const primary = contract.metrics[0]!;
  const features = new Map(contract.classes.map((c) => [c.id, featuresOf(c, contract, context)]));
  // From finest to coarsest; the first with at most MAX_BEHAVIOURS groups is taken.
  const levels: Level[] = [
    { cases: (f) => f.cases, loops: true, loopCases: true, functions: true },
    { cases: (f) => f.cases, loops: true, loopCases: false, functions: true },
    { cases: (f) => f.cases, loops: false, loopCases: false, functions: true },
    { cases: (f) => f.cases, loops: false, loopCases: false, functions: false },
    { cases: (f) => [...new Set(f.cases)].sort(), loops: false, loopCases: false, functions: false },
    // The last table answer usually decides the outcome (forward to the port found, flood when absent).
    { cases: (f) => f.cases.slice(-1).map(withoutCount), loops: false, loopCases: false, functions: false },
    { cases: (f) => f.cases.slice(0, 1).map(withoutCount), loops: false, loopCases: false, functions: false },
    { cases: () => [], loops: false, loopCases: false, functions: true },
    { cases: () => [], loops: false, loopCases: false, functions: false },
  ];
  const keyOf = (level: Level, f: Features) => [f.outcome, '|', ...level.cases(f), '|', ...(level.loops ? f.loops : []), '|', ...(level.loopCases ? f.loopCases : []), '|', ...(level.functions ? f.functions : [])].join('\u0000');
  // Functions every class goes through say nothing about a behaviour.
  const everyClassCalls = contract.classes.length > 1 ? [...features.values()].map((f) => f.functions).reduce((x, y) => x.filter((n) => y.includes(n))) : [];
  for (const f of features.values()) f.functions = f.functions.filter((n) => !everyClassCalls.includes(n));
  let chosen = 0;
  let groups = new Map<string, PathClass[]>();
  for (let level = 0; level < levels.length; level++) {
    chosen = level;
    groups = groupBy(contract.classes, (c) => keyOf(levels[level]!, features.get(c.id)!));
    if (groups.size <= MAX_BEHAVIOURS) break;
  }
  let members = [...groups.values()];
  if (members.length > MAX_BEHAVIOURS) {
    // Even by outcome alone there are too many (many distinct return values): keep the largest, merge the rest.
    members.sort((a, b) => b.length - a.length);
    members = [...members.slice(0, MAX_BEHAVIOURS - 1), members.slice(MAX_BEHAVIOURS - 1).flat()];
  }
  // The common case: the median typical cost of the behaviours that return (the lower one of two).
  const typicalMembers = (group: PathClass[]) => {
    const fewest = Math.min(...group.map((c) => features.get(c.id)!.loopDecisions));
    return group.filter((c) => features.get(c.id)!.loopDecisions === fewest);
  };
  const everywhere = sharedDecisions(contract.classes);
  const behaviours = members.map((group) => {
    const cost: Partial<Record<IrMetric, string>> = {};
    for (const metric of contract.metrics) {
      const formulas = group.map((c) => c.cost[metric]).filter((f): f is string => f !== undefined);
      if (formulas.length > 0) cost[metric] = maximumFormula(formulas);
    }
    const merged = group.length > 1 && new Set(group.map((c) => keyOf(levels[chosen]!, features.get(c.id)!))).size > 1;
    const f = { ...features.get(group[0]!.id)!, anyDeclared: group.every((c) => features.get(c.id)!.cases.length === 0) && features.get(group[0]!.id)!.anyDeclared };
    const outcome = merged ? 'several outcomes' : f.outcome;
    const typicalFormula = maximumFormula(typicalMembers(group).map((c) => c.cost[primary] ?? '0'));
    const typical = valueAt(typicalFormula, pcvs);
    const bound = cost[primary] !== undefined ? valueAtBounds(cost[primary]!, pcvs) : undefined;
    return {
      id: '',
      name: merged ? `other outcomes (${group.length} path classes)` : nameOf(f, levels[chosen]!),
      outcome,
      condition: conditionOf(group, everywhere),
      classes: group.map((c) => c.id),
      cost,
      typicalFormula,
      typicalCost: typical ?? null,
      boundCost: bound ?? null,
    } as Behaviour;
  });
  const order = (b: Behaviour) => b.typicalCost ?? Number.MAX_SAFE_INTEGER;
  behaviours.sort((a, b) => order(a) - order(b) || a.classes.length - b.classes.length);
  behaviours.forEach((b, i) => { b.id = `B${i + 1}`; });
  dedupeNames(behaviours);
  const returning = behaviours.filter((b) => b.typicalCost !== null && contract.classes.some((c) => b.classes.includes(c.id) && c.outcome === 'return'))
    .map((b) => b.typicalCost!).sort((a, b) => a - b);
  const typicalCommonCase = returning.length > 0 ? returning[Math.floor((returning.length - 1) / 2)]! : null;
  const factor = context.adversarialFactor ?? 5;
  for (const b of behaviours) {
    const driven = dedupe(b.classes.flatMap((id) => context.packetDecisions?.get(id) ?? contract.classes.find((c) => c.id === id)?.adversarial?.drivenBy ?? []));
    if (driven.length === 0) continue;
    const members = contract.classes.filter((c) => b.classes.includes(c.id));
    if (members.every((c) => c.outcome === 'incomplete')) continue;
    // Growth that only the members with extra loop iterations have (expiry work before the packet is looked at) is not what packet contents select.
    // Loops count wherever they are; a declared call's PCVs only on the members a typical packet
    // takes, since the others' calls can be expiry work that has nothing to do with the packet.
    const loopTerms = [...polynomialOf(b.cost[primary] ?? '0')].filter(([k]) => k !== CONSTANT_TERM && monomialPcvs(k).every((n) => isLoopPcv(contract, n)));
    const reachable = maximumFormula([b.typicalFormula, formulaOfPolynomial(new Map(loopTerms))]);
    let attackerPcvs = attackerTerms(reachable, contract);
    // An attacker's PCV matters when driving it to its bound (the others typical) costs more than the factor.
    if (attackerPcvs.length > 0 && typicalCommonCase) {
      const driven = Object.fromEntries(contract.pcvs.filter((p) => p.attacker).map((p) => [p.name, p.bound ?? UNBOUNDED]));
      const worst = valueAt(reachable, pcvs, driven);
      if (worst !== undefined && worst <= factor * typicalCommonCase) attackerPcvs = [];
    }
    const ratio = typicalCommonCase && b.typicalCost !== null ? b.typicalCost / typicalCommonCase : 0;
    if (ratio <= factor && attackerPcvs.length === 0) continue;
    b.adversarial = { factor: Math.round(ratio * 100) / 100, pcvs: attackerPcvs, drivenBy: driven };
  }
  return { behaviours, typicalCommonCase };
}

/** The per-monomial maximum of polynomial formulas: never below any of them when every PCV is at least 0. */
export function maximumFormula(formulas: string[]): string {
  const result = new Map<string, number>();
  for (const formula of formulas) {
    for (const [key, c] of polynomialOf(formula)) result.set(key, Math.max(result.get(key) ?? 0, c));
  }
  return formulaOfPolynomial(result);
}

/** Linear terms of PCVs an attacker drives, with the cost of each unit; grouped by PCV. */
function attackerTerms(formula: string, contract: FunctionContract): { name: string; perUnit: number; how: string }[] {
  const result = new Map<string, { name: string; perUnit: number; how: string }>();
  for (const [key, c] of polynomialOf(formula)) {
    if (key === '' || c <= 0) continue;
    for (const name of monomialPcvs(key)) {
      const pcv = contract.pcvs.find((p) => p.name === name);
      if (!pcv?.attacker) continue;
      const base = pcvBase(name);
      const known = result.get(base);
      if (!known || known.perUnit < c) result.set(base, { name: base, perUnit: c, how: pcv.attacker });
    }
  }
  return [...result.values()];
}

function isLoopPcv(contract: FunctionContract, name: string): boolean {
  const p = contract.pcvs.find((x) => x.name === name);
  return p !== undefined && !/\bdeclared in\b/.test(p.description);
}

function featuresOf(c: PathClass, contract: FunctionContract, context: BehaviourContext): Features {
  const cases: string[] = [];
  const loopCases: string[] = [];
  const functions: string[] = [];
  let loopDecisions = 0;
  // Functions whose last decision was inside one of their loops: a callee's decisions then belong to
  // that loop too (a helper the loop calls), until the entry function or that function decides again.
  const inLoopNow = new Set<string>();
  const loopAround = (d: ClassCondition): boolean => {
    const own = context.insideLoop?.(d) ?? false;
    if (d.functionName === contract.name) inLoopNow.clear();
    const around = [...inLoopNow].some((f) => f !== d.functionName);
    if (own) inLoopNow.add(d.functionName);
    else inLoopNow.delete(d.functionName);
    return own || around;
  };
  for (const d of decisionsOf(c)) {
    const inLoop = loopAround(d);
    if (inLoop) loopDecisions++;
    const declared = /^([\w$]+)\(\): (.+)$/.exec(d.text);
    if (declared) {
      // Inside a loop: by the loop structure, or because the call's PCVs are the loop's totals (`t@e`), which also covers helpers the loop calls.
      const counted = inLoop || contract.pcvs.some((p) => p.site === `${declared[1]}@${d.line}` && isTotal(p));
      (counted ? loopCases : cases).push(`${declared[1]} ${declared[2]}`);
      continue;
    }
    if (d.functionName !== contract.name && !inLoop && !functions.includes(d.functionName)) functions.push(d.functionName);
  }
  const loopPcvs = contract.pcvs.filter((p) => !/\bdeclared in\b/.test(p.description) && !isTotal(p));
  const names = new Set(Object.values(c.cost).flatMap((f) => (f ? [...polynomialOf(f).keys()].flatMap(monomialPcvs) : [])));
  const loops = [...new Set(loopPcvs.filter((p) => names.has(p.name)).map((p) => pcvBase(p.name)))].sort();
  return { outcome: outcomeOf(c, context), outcomeKind: c.outcome, cases: collapseRepeats(cases), loopCases: collapseRepeats(loopCases), functions, loops, loopDecisions, anyDeclared: contract.classes.some((k) => decisionsOf(k).some((d) => /^[\w$]+\(\): /.test(d.text))) };
}

function outcomeOf(c: PathClass, context: BehaviourContext): string {
  if (c.outcome === 'error') return `error ${c.reason?.code ?? ''} ${c.reason?.kind ?? ''}`.trim();
  if (c.outcome === 'incomplete') return `unexplored (${c.reason?.code ?? 'incomplete'})`;
  if (c.returns.length === 0) return 'returns';
  const named = c.returns.map((value) => {
    if (value === 'symbolic') return 'a computed value';
    const name = context.returnName?.(c, value);
    return name && name !== value ? `${name} (${value})` : value;
  });
  return `returns ${named.join(' or ')}`;
}

interface Level {
  cases: (f: Features) => string[];
  loops: boolean;
  loopCases: boolean;
  functions: boolean;
}

function nameOf(f: Features, level: Level): string {
  const parts: string[] = [];
  const cases = level.cases(f);
  if (cases.length > 0) parts.push(cases.join(', '));
  if (level.loops && f.loops.length > 0) parts.push(`loops over ${f.loops.join(', ')}`);
  if (level.loopCases && f.loopCases.length > 0) parts.push(`in loops: ${f.loopCases.join(', ')}`);
  const showFunctions = level.functions && f.functions.length > 0 && cases.length === 0;
  if (showFunctions) parts.push(`through ${f.functions.slice(-2).join(', ')}`);
  if (cases.length === 0 && !showFunctions && f.outcomeKind === 'return' && f.anyDeclared) parts.push('no table calls');
  parts.push(f.outcome);
  return parts.join(', ');
}

function withoutCount(text: string): string {
  return text.replace(/ x\d+$/, '');
}

function collapseRepeats(items: string[]): string[] {
  const result: { text: string; count: number }[] = [];
  for (const item of items) {
    const last = result[result.length - 1];
    if (last && last.text === item) last.count++;
    else result.push({ text: item, count: 1 });
  }
  return result.map((r) => (r.count === 1 ? r.text : `${r.text} x${r.count}`));
}

function sharedDecisions(classes: PathClass[]): Set<string> {
  if (classes.length === 0) return new Set();
  let shared = new Set(decisionsOf(classes[0]!).map((d) => d.text));
  for (const c of classes.slice(1)) shared = new Set(decisionsOf(c).map((d) => d.text).filter((t) => shared.has(t)));
  return shared;
}

/** The decisions all members share, less those every class of the function shares; the last three when longer. */
function conditionOf(group: PathClass[], everywhere: Set<string>): string {
  const shared = [...sharedDecisions(group)].filter((t) => !everywhere.has(t));
  if (shared.length > 0) return shared.length > 3 ? `... && ${shared.slice(-3).join(' && ')}` : shared.join(' && ');
  if (group.length === 1) return group[0]!.condition;
  const cover = simplifiedCover(group.map((c) => decisionsOf(c).map((d) => d.text).filter((t) => !everywhere.has(t))));
  if (cover.length === 1) {
    const only = cover[0]!;
    if (only.length === 0) return 'true';
    return only.length > 3 ? `... && ${only.slice(-3).join(' && ')}` : only.join(' && ');
  }
  const last = [...new Set(cover.map((c) => c[c.length - 1]).filter((t): t is string => t !== undefined))];
  if (last.length === 0) return 'true';
  return `one of: ${last.slice(0, 2).join(' || ')}${last.length > 2 ? ` || ... (${last.length - 2} more)` : ''}`;
}

/**
 * The members' conditions (conjunctions of decisions) as a smaller disjunction with the same
 * meaning: two conjunctions that differ only in one decision taken both ways merge without it
 * (`a && b || a && !b` is `a`), and a conjunction that contains another is absorbed by it
 * (`a || a && b` is `a`). Sides of a switch are not merged: only complementary decisions are.
 */
function simplifiedCover(conjunctions: string[][]): string[][] {
  let cover = conjunctions.map((c) => [...c]);
  for (let changed = true; changed;) {
    changed = false;
    cover = cover.filter((c, i) => !cover.some((other, j) => j !== i && other.length <= c.length && other.every((t) => c.includes(t)) && (other.length < c.length || j < i)));
    outer: for (let i = 0; i < cover.length; i++) {
      for (let j = i + 1; j < cover.length; j++) {
        const a = cover[i]!;
        const b = cover[j]!;
        if (a.length !== b.length) continue;
        const onlyA = a.filter((t) => !b.includes(t));
        const onlyB = b.filter((t) => !a.includes(t));
        if (onlyA.length === 1 && onlyB.length === 1 && complementary(onlyA[0]!, onlyB[0]!)) {
          cover[i] = a.filter((t) => t !== onlyA[0]);
          cover.splice(j, 1);
          changed = true;
          break outer;
        }
      }
    }
  }
  return cover;
}

const FLIPPED: Record<string, string> = { '==': '!=', '!=': '==', '<': '>=', '>=': '<', '>': '<=', '<=': '>' };

/** Whether two decision texts are the two sides of one condition (`x` and `!(x)`, `a < b` and `a >= b`). */
function complementary(a: string, b: string): boolean {
  const negated = (x: string, y: string) => y === `!(${x})` || y === `!${x}` && /^[\w.>-]+$/.test(x);
  if (negated(a, b) || negated(b, a)) return true;
  const comparison = /^(.+?) (==|!=|<=|>=|<|>) (.+)$/;
  const ma = comparison.exec(a);
  const mb = comparison.exec(b);
  return !!ma && !!mb && ma[1] === mb[1] && ma[3] === mb[3] && FLIPPED[ma[2]!] === mb[2];
}

function dedupeNames(behaviours: Behaviour[]): void {
  const seen = new Map<string, number>();
  for (const b of behaviours) {
    const n = (seen.get(b.name) ?? 0) + 1;
    seen.set(b.name, n);
    if (n > 1) b.name = `${b.name} (${n})`;
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function dedupe<T extends { text: string; line: number; file?: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((d) => {
    const key = `${d.text}@${d.file ?? ''}:${d.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A class's decisions; contracts read by the editor's view may leave them out. */
function decisionsOf(c: PathClass): ClassCondition[] {
  return c.decisions ?? [];
}
