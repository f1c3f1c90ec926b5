// Turns a contract derived from a function's code into a declared contract (*.pcontract.json), so a
// data-structure library can be analysed once and its callers analysed without its bodies.
import type { IrMetric } from '../cost/costModel';
import type { FunctionContract, PathClass } from './contract';
import { Polynomial, toPolynomial } from '../declared/declaredContracts';
import { parseFormula } from '../cost/formula';
import { monomialDegree, monomialPcvs, renameMonomial } from '../cost/monomial';

/** One function's entry of a contract file, in the file's JSON form. */
export interface DeclaredContractJson {
  description: string;
  /** The unroll limit the derivation counted loop PCVs with (see DeclaredContract.unrollLimit). */
  unrollLimit?: number;
  cases: {
    name: string;
    returns?: number | { min: number; max: number };
    pcvs?: Record<string, string>;
    bounds?: Record<string, number>;
    cost: Partial<Record<IrMetric, string>>;
  }[];
}

/**
 * The declared form of a derived contract. Each case covers the calls that return one value: its
 * cost is, term by term, the largest over the classes that return that value or a value the
 * analysis could not fix (PCVs are never negative, so this bounds every such class). Classes that
 * end in an error or were not explored are not represented; the description says so.
 */
export function declaredFromContract(contract: FunctionContract): DeclaredContractJson {
  const returning = contract.classes.filter((c) => c.outcome === 'return');
  const concrete = [...new Set(returning.flatMap((c) => c.returns.filter((r) => r !== 'symbolic')))].sort((a, b) => Number(a) - Number(b));
  const unfixed = returning.filter((c) => c.returns.length === 0 || c.returns.includes('symbolic'));
  const names = pcvNames(contract);
  // A value the analysis could not fix may be any value in the class's return range, or any at all.
  const mayReturn = (c: PathClass, value: number) => !c.returnRange || (value >= c.returnRange.min && value <= c.returnRange.max);
  const cases: DeclaredContractJson['cases'] = concrete.map((value) => {
    const classes = returning.filter((c) => c.returns.includes(value) || (unfixed.includes(c) && mayReturn(c, Number(value))));
    return { name: `returns ${value}`, returns: Number(value), ...caseBody(contract, classes, names) };
  });
  // The other values (a void function has only this case): within the unfixed classes' ranges when
  // each has one, and the classes that may return them.
  if (unfixed.length > 0 || cases.length === 0) {
    const ranges = unfixed.map((c) => c.returnRange);
    const range = unfixed.length > 0 && ranges.every((r) => r !== undefined)
      ? { min: Math.min(...ranges.map((r) => r!.min)), max: Math.max(...ranges.map((r) => r!.max)) }
      : undefined;
    const classes = range ? returning.filter((c) => unfixed.includes(c) || c.returns.some((r) => Number(r) >= range.min && Number(r) <= range.max)) : returning;
    cases.push({ name: cases.length === 0 ? 'returns' : 'returns another value', ...(range ? { returns: range } : {}), ...caseBody(contract, classes, names) });
  }
  const notes: string[] = [`Derived from ${contract.name} (${contract.file.split('/').pop()}:${contract.range.startLine + 1}) by perfcontract`];
  const errors = contract.classes.filter((c) => c.outcome === 'error').length;
  if (errors > 0) notes.push(`${errors} error class${errors === 1 ? '' : 'es'} of the derivation (${[...new Set(contract.classes.filter((c) => c.outcome === 'error').map((c) => c.reason?.code))].join(', ')}) are not represented`);
  if (!contract.complete) notes.push(`the derivation is incomplete (${contract.incompleteReasons.map((r) => r.code).join(', ')}): the costs bound the explored classes only`);
  if (returning.some((c) => c.lowerBound)) notes.push('some classes call functions without a body or contract, whose cost is not counted');
  notes.push('out-parameters are not described: add "writes" by hand where callers index with them');
  if (returning.length === 0) throw new Error(`'${contract.name}' has no returning class to derive a declared contract from`);
  return { description: notes.join('; ') + '.', ...(contract.unrollLimit !== undefined ? { unrollLimit: contract.unrollLimit } : {}), cases };
}

function caseBody(contract: FunctionContract, classes: PathClass[], names: Map<string, string>): Omit<DeclaredContractJson['cases'][number], 'name' | 'returns'> {
  const cost: Partial<Record<IrMetric, string>> = {};
  const used = new Set<string>();
  for (const metric of contract.metrics) {
    const bound: Polynomial = new Map();
    for (const c of classes) {
      const formula = c.cost[metric];
      if (formula === undefined) continue;
      for (const [term, coefficient] of toPolynomial(parseFormula(formula))) {
        const renamed = renameMonomial(term, (n) => names.get(n) ?? n);
        bound.set(renamed, Math.max(bound.get(renamed) ?? 0, coefficient));
      }
    }
    for (const term of bound.keys()) for (const n of monomialPcvs(term)) used.add(n);
    cost[metric] = polynomialText(bound);
  }
  if (used.size === 0) return { cost };
  const pcvs: Record<string, string> = {};
  const bounds: Record<string, number> = {};
  for (const pcv of contract.pcvs) {
    const name = names.get(pcv.name)!;
    if (!used.has(name)) continue;
    pcvs[name] = pcv.description;
    if (pcv.bound !== undefined) bounds[name] = pcv.bound;
  }
  return Object.keys(bounds).length > 0 ? { pcvs, bounds, cost } : { pcvs, cost };
}

/** Contract-file PCV names: identifiers, so `t'` becomes `t_2` and `iterations@f:12` becomes `iterations_f_12`. */
function pcvNames(contract: FunctionContract): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const pcv of contract.pcvs) {
    const primes = /'+$/.exec(pcv.name)?.[0].length ?? 0;
    let name = pcv.name.replace(/'+$/, '').replace(/[^A-Za-z0-9_]/g, '_').replace(/^([0-9])/, '_$1') + (primes > 0 ? `_${primes + 1}` : '');
    while (taken.has(name)) name += '_';
    taken.add(name);
    names.set(pcv.name, name);
  }
  return names;
}

function polynomialText(polynomial: Polynomial): string {
  const terms = [...polynomial].filter(([, c]) => c !== 0).sort(([a], [b]) => monomialDegree(a) - monomialDegree(b) || a.localeCompare(b));
  const constant = polynomial.get('') ?? 0;
  const parts = terms.filter(([t]) => t !== '').map(([t, c]) => (c === 1 ? t : `${c}*${t}`));
  return [String(constant), ...parts].join(' + ');
}
