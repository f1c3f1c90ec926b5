// Which class is the worst: by its formula at the PCV bounds, or, when a PCV has no bound, by how fast its cost grows.
import { evaluateFormula, formulaPcvNames } from '../cost/formula';
import { polynomialOf } from './pcvDisplay';
import { monomialPcvs } from '../cost/monomial';

/** How a contract ranked its classes for the worst case (`FunctionContract.worstCase.ranking`). */
export type WorstCaseRanking = 'bounds' | 'growth';

/** The growth of a cost formula in its unbounded PCVs: the highest degree, then that degree's coefficients, largest first. */
export interface Growth { degree: number; leading: number[] }

/**
 * Compares two cost formulas as worst cases (positive when `a` is worse). Formulas whose PCVs
 * all have bounds compare by their value at the bounds. When either has a PCV without a bound,
 * the one that grows faster in those PCVs is worse: the higher degree, then the larger leading
 * coefficients (in decreasing order); only equal growth falls back to the value with every
 * unbounded PCV at `unboundedValue`.
 */
export function compareWorst(a: string, b: string, bounds: ReadonlyMap<string, number | undefined>, unboundedValue: number): number {
  const growthA = growthOf(a, bounds);
  const growthB = growthOf(b, bounds);
  if (growthA.degree !== growthB.degree) return growthA.degree - growthB.degree;
  for (let i = 0; i < Math.max(growthA.leading.length, growthB.leading.length); i++) {
    const difference = (growthA.leading[i] ?? 0) - (growthB.leading[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return valueAtBounds(a, bounds, unboundedValue) - valueAtBounds(b, bounds, unboundedValue);
}

/** The growth of a formula in the PCVs that have no bound (degree 0 when it has none). */
export function growthOf(formula: string, bounds: ReadonlyMap<string, number | undefined>): Growth {
  let degree = 0;
  const byDegree = new Map<number, number[]>();
  for (const [key, coefficient] of polynomialOf(formula)) {
    if (key === '' || coefficient <= 0) continue;
    const unbounded = monomialPcvs(key).filter((n) => bounds.get(n) === undefined).length;
    if (unbounded === 0) continue;
    degree = Math.max(degree, unbounded);
    byDegree.set(unbounded, [...(byDegree.get(unbounded) ?? []), coefficient]);
  }
  return { degree, leading: degree === 0 ? [] : byDegree.get(degree)!.sort((x, y) => y - x) };
}

/** The formula's value with every PCV at its bound, and unbounded ones at `unboundedValue`. */
export function valueAtBounds(formula: string, bounds: ReadonlyMap<string, number | undefined>, unboundedValue: number): number {
  return evaluateFormula(formula, Object.fromEntries(formulaPcvNames(formula).map((n) => [n, bounds.get(n) ?? unboundedValue])));
}
