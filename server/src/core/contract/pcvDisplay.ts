// How PCVs and cost formulas are shown to people: instances grouped into sums, typical values, call sites.
import { evaluateFormula, formulaPcvNames } from '../cost/formula';
import { CONSTANT_TERM, compareMonomials, monomialKey, monomialPcvs } from '../cost/monomial';

/** What the display needs of a PCV (a subset of `FunctionContract['pcvs']` entries). */
export interface DisplayPcv {
  name: string;
  description: string;
  bound?: number;
  typical?: number;
  /** `callee@line` for a declared contract's PCV, `function@line` for a loop's. */
  site?: string;
}

/** `grouped`: instances of one PCV across calls as one sum (`66*Σc [10 calls]`); `perCallSite`: each instance by its call site (`c[map_get@169]`). */
export type PcvDisplayMode = 'grouped' | 'perCallSite';

/**
 * The PCV an instance belongs to: `c''` (third call on a path) and `c'@e` (second call inside the
 * loop of `e`) are instances of `c`. Primes and `@` suffixes are the engine's way of keeping
 * instances apart; a reader first wants to know which quantity they count.
 */
export function pcvBase(name: string): string {
  const unprimed = name.replace(/'/g, '');
  // Loop PCVs without an annotation are named `iterations@FUNCTION:LINE`: that `@` is part of the name.
  const generated = /^iterations@[\w$]+:\d+/.exec(unprimed);
  if (generated) return generated[0];
  const at = unprimed.indexOf('@');
  return at > 0 ? unprimed.slice(0, at) : unprimed;
}

/** The description without the engine's notes on instances (`(in map_get, declared in ...)`, `; on other paths ...`). */
export function pcvMeaning(description: string): string {
  return description.replace(/; on other paths .*$/, '').replace(/\s*\(in [\w$]+, declared in [^)]*\)/, '').replace(/\s*\(summed over the iterations[^)]*\)/, '').trim();
}

/** A polynomial formula as monomial key (factors sorted, joined by `*`; `''` for the constant) to coefficient. */
export function polynomialOf(formula: string): Map<string, number> {
  const result = new Map<string, number>();
  const text = formula.replace(/\s+/g, '');
  if (text === '') return result;
  // Contract formulas come from formatPolynomial: sums and differences of products of one integer and PCVs.
  const terms = text.replace(/-/g, '+-').split('+').filter((t) => t !== '');
  for (const term of terms) {
    const negative = term.startsWith('-');
    const factors = (negative ? term.slice(1) : term).split('*');
    let coefficient = negative ? -1 : 1;
    const names: string[] = [];
    for (const factor of factors) {
      if (/^[0-9]+$/.test(factor)) coefficient *= Number(factor);
      else names.push(factor);
    }
    const key = monomialKey(names);
    result.set(key, (result.get(key) ?? 0) + coefficient);
  }
  return result;
}

/** Writes a polynomial back in the engine's order (constant, then by degree and name). */
export function formulaOfPolynomial(polynomial: ReadonlyMap<string, number>): string {
  const constant = polynomial.get('') ?? 0;
  const terms = [...polynomial].filter(([k, c]) => k !== CONSTANT_TERM && c !== 0).sort(([a], [b]) => compareMonomials(a, b));
  const parts: string[] = [];
  if (constant !== 0 || terms.length === 0) parts.push(String(constant));
  for (const [key, c] of terms) {
    const text = `${Math.abs(c) === 1 ? '' : `${Math.abs(c)}*`}${key}`;
    parts.push(parts.length === 0 ? (c < 0 ? `-${text}` : text) : (c < 0 ? `- ${text}` : `+ ${text}`));
  }
  return parts.join(' ').replace(/^\+ /, '');
}

/**
 * A cost formula for reading: instances of one PCV with one coefficient become one sum with a count
 * (`66*Σc [10 calls]`), or, per call site, `66*c[map_get@117]`. The JSON keeps every instance.
 */
export function displayFormula(formula: string, pcvs: readonly DisplayPcv[], mode: PcvDisplayMode = 'grouped'): string {
  const polynomial = polynomialOf(formula);
  const byName = new Map(pcvs.map((p) => [p.name, p]));
  const constant = polynomial.get('') ?? 0;
  const parts: string[] = [];
  if (mode === 'perCallSite') {
    const labels = siteLabels(pcvs);
    for (const [key, c] of sortedTerms(polynomial)) parts.push(`${c === 1 ? '' : `${c}*`}${monomialPcvs(key).map((n) => labels.get(n) ?? n).join('*')}`);
  } else {
    // Group linear terms by (base PCV, coefficient); products keep their factors, named by base.
    const groups = new Map<string, { base: string; coefficient: number; names: string[]; degree: number }>();
    for (const [key, c] of sortedTerms(polynomial)) {
      const names = monomialPcvs(key);
      const base = names.map(pcvBase).join('*');
      const id = `${base}|${c}`;
      const group = groups.get(id) ?? { base, coefficient: c, names: [], degree: names.length };
      group.names.push(key);
      groups.set(id, group);
    }
    const ordered = [...groups.values()].sort((a, b) => a.degree - b.degree || (a.base < b.base ? -1 : a.base > b.base ? 1 : 0) || b.coefficient - a.coefficient);
    for (const g of ordered) {
      const coefficient = g.coefficient === 1 ? '' : `${g.coefficient}*`;
      if (g.names.length === 1) {
        parts.push(`${coefficient}${g.base}`);
        continue;
      }
      const declared = g.names.every((n) => monomialPcvs(n).some((f) => isDeclaredSite(byName.get(f))));
      parts.push(`${coefficient}Σ${g.base} [${g.names.length} ${declared ? 'calls' : 'loop runs'}]`);
    }
  }
  const head = constant !== 0 || parts.length === 0 ? [String(constant)] : [];
  return [...head, ...parts].join(' + ').replace(/\+ -/g, '- ');
}

/** Short labels of instances by site: `c[map_get@117]`; a second instance at one site gets `#2`. */
export function siteLabels(pcvs: readonly DisplayPcv[]): Map<string, string> {
  const labels = new Map<string, string>();
  const used = new Map<string, number>();
  for (const p of pcvs) {
    if (!p.site) {
      labels.set(p.name, p.name);
      continue;
    }
    const base = `${pcvBase(p.name)}[${p.site}]`;
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    labels.set(p.name, n === 1 ? base : `${base}#${n}`);
  }
  return labels;
}

function isDeclaredSite(p: DisplayPcv | undefined): boolean {
  return p?.site !== undefined && /\bdeclared in\b/.test(p.description);
}

function sortedTerms(polynomial: Map<string, number>): [string, number][] {
  return [...polynomial].filter(([k, c]) => k !== CONSTANT_TERM && c !== 0).sort(([a], [b]) => compareMonomials(a, b));
}

/** The typical value of every PCV; a PCV without one counts as 1 (a loop) or 0 (a total). */
export function typicalValues(pcvs: readonly DisplayPcv[]): Record<string, number> {
  return Object.fromEntries(pcvs.map((p) => [p.name, p.typical ?? defaultTypical(p)]));
}

/**
 * Without a declared typical value: 0 for totals (work summed over every packet's expiry, such as
 * `t@e`, which is nothing on most packets) and 1 for loops run per packet.
 */
export function defaultTypical(p: { name: string; description: string }): number {
  return isTotal(p) ? 0 : 1;
}

/** Totals: declared calls inside a summarised loop (`t@e`) and loops annotated `total`. */
export function isTotal(p: { name: string; description: string }): boolean {
  return pcvBase(p.name) !== p.name.replace(/'/g, '') || p.description.includes('(summed over the iterations of the loops around it)');
}

/** Each PCV at its bound; `undefined` when some PCV of the formula has none. */
export function valueAtBounds(formula: string, pcvs: readonly DisplayPcv[]): number | undefined {
  const bounds = new Map(pcvs.map((p) => [p.name, p.bound]));
  const names = formulaPcvNames(formula);
  if (names.some((n) => bounds.get(n) === undefined)) return undefined;
  return safeEvaluate(formula, Object.fromEntries(names.map((n) => [n, bounds.get(n)!])));
}

/** The formula at the given values (missing PCVs at their typical value); undefined on overflow. */
export function valueAt(formula: string, pcvs: readonly DisplayPcv[], values: Record<string, number> = {}): number | undefined {
  const typical = typicalValues(pcvs);
  const names = formulaPcvNames(formula);
  return safeEvaluate(formula, Object.fromEntries(names.map((n) => [n, values[n] ?? typical[n] ?? 1])));
}

function safeEvaluate(formula: string, values: Record<string, number>): number | undefined {
  try {
    return evaluateFormula(formula, values);
  } catch {
    return undefined;
  }
}

/** `1,234` */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
