// Cost formulas: parsing, evaluation, errors and polynomial rendering.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { evaluateFormula, formatPolynomial, formatPolynomialMap, FormulaError, formulaPcvNames, parseFormula } from '../src/core/cost/formula';
import { CONSTANT_TERM, compareMonomials, monomialDegree, monomialKey, monomialPcvs, monomialValue, multiplyMonomials, renameMonomial } from '../src/core/cost/monomial';
import { formatRatio } from '../src/core/contract/ratio';

const evaluate = (text: string, pcv: Record<string, number> = {}) => evaluateFormula(text, pcv);

/** Asserts that `fn` throws a FormulaError whose message matches `pattern` (and whose column is `column`, if given). */
function throwsFormulaError(fn: () => unknown, pattern: RegExp, column?: number): FormulaError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof FormulaError, `expected a FormulaError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  if (column !== undefined) assert.equal(caught.column, column, caught.message);
  return caught;
}

test('constants and the formulas the contract prints today evaluate to themselves', () => {
  assert.equal(evaluate('204'), 204);
  assert.equal(evaluate('0'), 0);
  assert.equal(evaluate('  17 '), 17);
  assert.deepEqual(parseFormula('4'), { kind: 'number', value: 4 });
});

test('* binds tighter than + and -, which associate to the left', () => {
  assert.equal(evaluate('2 + 3 * 4'), 14);
  assert.equal(evaluate('2 * 3 + 4'), 10);
  assert.equal(evaluate('(2 + 3) * 4'), 20);
  assert.equal(evaluate('10 - 3 - 2'), 5);
  assert.equal(evaluate('10 - (3 - 2)'), 9);
  assert.equal(evaluate('10 - 2 * 3 + 1'), 5);
  assert.equal(evaluate('2*3*4'), 24);
  assert.equal(evaluate('((((7))))'), 7);
  assert.equal(evaluate('1 - 5'), -4);
});

test('PCVs take their values from the map, including names with @ : . and \'', () => {
  assert.equal(evaluate('12 + 9*n', { n: 3 }), 39);
  assert.equal(evaluate('12 + 9*n + 2*n*t', { n: 3, t: 5 }), 69);
  assert.equal(evaluate("probes@flow_update * 7 + iterations@parse:12 + t' + a.b", { 'probes@flow_update': 2, 'iterations@parse:12': 5, "t'": 1, 'a.b': 100 }), 120);
  assert.equal(evaluate('_x1 * 2', { _x1: 21 }), 42);
  assert.deepEqual(parseFormula('n'), { kind: 'pcv', name: 'n' });
});

test('min and max take one or more arguments, which are full formulas', () => {
  assert.equal(evaluate('min(3, 1, 2)'), 1);
  assert.equal(evaluate('max(3, 1, 2)'), 3);
  assert.equal(evaluate('max(7)'), 7);
  assert.equal(evaluate('4 + 2 * max(n - 1, 0)', { n: 0 }), 4);
  assert.equal(evaluate('4 + 2 * max(n - 1, 0)', { n: 5 }), 12);
  assert.equal(evaluate('min(max(1, 2), max(3, 4)) * 10'), 20);
  assert.equal(evaluate('min (1, 2)'), 1);
});

test('formulaPcvNames lists the names sorted and once each', () => {
  assert.deepEqual(formulaPcvNames('t*n + n + max(z, a) + 4'), ['a', 'n', 't', 'z']);
  assert.deepEqual(formulaPcvNames('204'), []);
  assert.deepEqual(formulaPcvNames(parseFormula('b@f + a@f')), ['a@f', 'b@f']);
});

test('syntax errors are FormulaErrors with a clear message and the 1-based column', () => {
  throwsFormulaError(() => parseFormula(''), /empty formula/, 1);
  throwsFormulaError(() => parseFormula('   '), /empty formula/, 4);
  throwsFormulaError(() => parseFormula('10 + * n'), /expected a number, a PCV name.*found '\*' at column 6/, 6);
  throwsFormulaError(() => parseFormula('10 +'), /found the end of the formula at column 5/, 5);
  throwsFormulaError(() => parseFormula('(1 + 2'), /expected '\)' to close the '\(' at column 1/, 7);
  throwsFormulaError(() => parseFormula('1 + 2)'), /unmatched '\)'/, 6);
  throwsFormulaError(() => parseFormula('3 n'), /expected an operator/, 3);
  throwsFormulaError(() => parseFormula('2 / n'), /unexpected character '\/'/, 3);
  throwsFormulaError(() => parseFormula('-3 + n'), /unary minus/, 1);
  throwsFormulaError(() => parseFormula('2.5'), /invalid number '2.5'/, 1);
  throwsFormulaError(() => parseFormula('12n'), /invalid number '12n'/, 1);
  throwsFormulaError(() => parseFormula('foo(1)'), /unknown function 'foo'/, 1);
  throwsFormulaError(() => parseFormula('min + 1'), /expected '\(' after min/, 5);
  throwsFormulaError(() => parseFormula('max()'), /found '\)'/, 5);
  throwsFormulaError(() => parseFormula('min(1, )'), /found '\)'/, 8);
  throwsFormulaError(() => parseFormula('min(1 2)'), /expected '\)' to close min\(/, 7);
  throwsFormulaError(() => parseFormula('9007199254740993'), /larger than 9007199254740991/, 1);
  throwsFormulaError(() => parseFormula('@n'), /unexpected character '@'/, 1);
  const error = throwsFormulaError(() => parseFormula('1 + + 2'), /bad formula '1 \+ \+ 2'/);
  assert.equal(error.name, 'FormulaError');
});

test('deep nesting is an error, not a stack overflow', () => {
  throwsFormulaError(() => parseFormula('('.repeat(100_000) + '1' + ')'.repeat(100_000)), /nested more than/);
  assert.equal(evaluate('('.repeat(100) + '1' + ')'.repeat(100)), 1);
});

test('a missing PCV is a FormulaError that names every missing PCV', () => {
  const error = throwsFormulaError(() => evaluate('10 + 4*n + m*k', { k: 1 }), /no value for PCVs 'm', 'n'/);
  assert.deepEqual(error.missing, ['m', 'n']);
  throwsFormulaError(() => evaluate('n', {}), /no value for PCV 'n'$/);
  // Names from Object.prototype are not values.
  throwsFormulaError(() => evaluate('constructor + 1', {}), /no value for PCV 'constructor'/);
  throwsFormulaError(() => evaluate('n', { n: 1.5 }), /PCV 'n' must be a safe integer/);
  throwsFormulaError(() => evaluate('n', { n: Number.NaN }), /PCV 'n' must be a safe integer/);
});

test('results beyond Number.MAX_SAFE_INTEGER are rejected, not rounded', () => {
  assert.equal(evaluate('9007199254740990 + 1'), Number.MAX_SAFE_INTEGER);
  throwsFormulaError(() => evaluate('9007199254740991 + 1'), /beyond the safe integer range/);
  throwsFormulaError(() => evaluate('n * n', { n: 100_000_000 }), /beyond the safe integer range/);
  throwsFormulaError(() => evaluate('0 - 9007199254740991 - 1'), /beyond the safe integer range/);
  throwsFormulaError(() => evaluate('n', { n: 2 ** 53 }), /must be a safe integer/);
  assert.equal(evaluate('0 * (0 - 5)'), 0);
  assert.ok(Object.is(evaluate('0 * (0 - 5)'), 0), '-0 is normalised to 0');
});

test('formatPolynomial renders constant first, then terms by degree and name', () => {
  assert.equal(formatPolynomial(12, [{ monomial: ['n'], coefficient: 9 }, { monomial: ['n', 't'], coefficient: 2 }]), '12 + 9*n + 2*n*t');
  assert.equal(formatPolynomial(12, [{ monomial: ['t', 'n'], coefficient: 2 }, { monomial: ['n'], coefficient: 9 }]), '12 + 9*n + 2*n*t');
  assert.equal(formatPolynomial(0, [{ monomial: ['t'], coefficient: 1 }, { monomial: ['a', 'b'], coefficient: 3 }, { monomial: ['n'], coefficient: 1 }]), 'n + t + 3*a*b');
  assert.equal(formatPolynomial(204, []), '204');
  assert.equal(formatPolynomial(0, []), '0');
  assert.equal(formatPolynomial(0, [{ monomial: ['n'], coefficient: 0 }]), '0');
  assert.equal(formatPolynomial(5, [{ monomial: ['n'], coefficient: 0 }]), '5');
  assert.equal(formatPolynomial(0, [{ monomial: ['n', 'n'], coefficient: 4 }, { monomial: ['z'], coefficient: 1 }]), 'z + 4*n*n');
  assert.equal(formatPolynomial(1, [{ monomial: ["iterations@parse:12"], coefficient: 3 }]), '1 + 3*iterations@parse:12');
});

test('formatPolynomial adds up equal monomials and constant terms', () => {
  assert.equal(formatPolynomial(1, [{ monomial: ['n'], coefficient: 2 }, { monomial: ['n'], coefficient: 3 }, { monomial: [], coefficient: 4 }]), '5 + 5*n');
  assert.equal(formatPolynomial(0, [{ monomial: ['n', 't'], coefficient: 2 }, { monomial: ['t', 'n'], coefficient: -2 }]), '0');
});

test('formatPolynomial renders negative coefficients as subtraction that parses back', () => {
  assert.equal(formatPolynomial(5, [{ monomial: ['n'], coefficient: -2 }]), '5 - 2*n');
  assert.equal(formatPolynomial(0, [{ monomial: ['n'], coefficient: -1 }, { monomial: ['m', 'n'], coefficient: 3 }]), '0 - n + 3*m*n');
  assert.equal(formatPolynomial(-7, []), '0 - 7');
  assert.equal(evaluate(formatPolynomial(0, [{ monomial: ['n'], coefficient: -1 }, { monomial: ['m', 'n'], coefficient: 3 }]), { n: 2, m: 4 }), 22);
});

test('formatPolynomial output parses and evaluates to the polynomial', () => {
  const terms = [{ monomial: ['n'], coefficient: 9 }, { monomial: ['n', 't'], coefficient: 2 }, { monomial: ["t'"], coefficient: 1 }];
  const text = formatPolynomial(12, terms);
  for (const [n, t, tp] of [[0, 0, 0], [1, 2, 3], [10, 7, 100]] as const) {
    assert.equal(evaluate(text, { n, t, "t'": tp }), 12 + 9 * n + 2 * n * t + tp);
  }
});

test('formatPolynomial rejects bad names and unsafe numbers', () => {
  throwsFormulaError(() => formatPolynomial(0, [{ monomial: ['9n'], coefficient: 1 }]), /'9n' is not a valid PCV name/);
  throwsFormulaError(() => formatPolynomial(0, [{ monomial: ['min'], coefficient: 1 }]), /'min' is not a valid PCV name/);
  throwsFormulaError(() => formatPolynomial(0.5, []), /not a safe integer/);
  throwsFormulaError(() => formatPolynomial(0, [{ monomial: ['n'], coefficient: 2 ** 60 }]), /not a safe integer/);
  throwsFormulaError(() => formatPolynomial(Number.MAX_SAFE_INTEGER, [{ monomial: [], coefficient: 1 }]), /beyond the safe integer range/);
});

test('cost ratios: two decimals below 100, whole numbers with thousands separators from there', () => {
  assert.equal(formatRatio(30.65), '30.65');
  assert.equal(formatRatio(99.99), '99.99');
  assert.equal(formatRatio(100), '100');
  assert.equal(formatRatio(276540.85), '276,541');
  assert.equal(formatRatio(23678809.88), '23,678,810');
});

test('monomial keys: sorted PCV names joined by *, the constant term empty, renaming and products sort again', () => {
  assert.equal(monomialKey(['t', 'c', "c'"]), "c*c'*t");
  assert.equal(monomialKey([]), CONSTANT_TERM);
  assert.deepEqual(monomialPcvs(CONSTANT_TERM), []);
  assert.deepEqual(monomialPcvs("c*t'"), ['c', "t'"]);
  assert.equal(monomialDegree('n*n'), 2);
  assert.equal(monomialDegree(CONSTANT_TERM), 0);
  assert.equal(renameMonomial("t*t'", (n) => (n === 't' ? 'z' : n)), "t'*z");
  assert.equal(renameMonomial(CONSTANT_TERM, () => 'x'), CONSTANT_TERM);
  assert.equal(multiplyMonomials('t', 'c*n'), 'c*n*t');
  assert.equal(multiplyMonomials(CONSTANT_TERM, 'n'), 'n');
  assert.equal(monomialValue('n*n*t', (n) => (n === 'n' ? 3 : 2)), 18);
  assert.equal(monomialValue(CONSTANT_TERM, () => 7), 1);
  assert.deepEqual(['t*n', 'z', 'c', 'a*b*c'].sort(compareMonomials), ['c', 'z', 't*n', 'a*b*c']);
  // The printed order of a formula follows compareMonomials: degree, then name.
  assert.equal(formatPolynomialMap(new Map([['z', 1], ['a*b', 2], ['', 5], ['c', 3]])), '5 + 3*c + z + 2*a*b');
});
