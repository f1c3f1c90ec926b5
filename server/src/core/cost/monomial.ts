// Monomials of cost polynomials. A monomial is keyed by the PCV names of its product, sorted and
// joined by '*' (`c*t'`), and the constant term by ''. Polynomials everywhere (the executor's cost
// terms, declared contracts, formulas, contracts, x86 grounding, the editor's calculator) are maps
// from these keys, and every module builds, reads and renames keys through here.

export type MonomialKey = string;

/** The key of the constant term. */
export const CONSTANT_TERM: MonomialKey = '';

/** The key of the product of these PCVs (in any order, repeats kept: `n*n` is n squared). */
export function monomialKey(pcvs: Iterable<string>): MonomialKey {
  return [...pcvs].sort().join('*');
}

/** The PCV names of a monomial, in key order (none for the constant term). */
export function monomialPcvs(key: MonomialKey): string[] {
  return key === CONSTANT_TERM ? [] : key.split('*');
}

/** The monomial's degree: how many PCVs it multiplies (0 for the constant term). */
export function monomialDegree(key: MonomialKey): number {
  return monomialPcvs(key).length;
}

/** The monomial with every PCV renamed (and the product sorted again). */
export function renameMonomial(key: MonomialKey, rename: (pcv: string) => string): MonomialKey {
  return monomialKey(monomialPcvs(key).map(rename));
}

/** The product of two monomials. */
export function multiplyMonomials(a: MonomialKey, b: MonomialKey): MonomialKey {
  return monomialKey([...monomialPcvs(a), ...monomialPcvs(b)]);
}

/** The monomial's value when each PCV has the value `value` gives (1 for the constant term). */
export function monomialValue(key: MonomialKey, value: (pcv: string) => number): number {
  return monomialPcvs(key).reduce((product, name) => product * value(name), 1);
}

/** Lower degree first, then by key (code-unit order): the order formulas print their terms in. */
export function compareMonomials(a: MonomialKey, b: MonomialKey): number {
  return monomialDegree(a) - monomialDegree(b) || (a < b ? -1 : a > b ? 1 : 0);
}
