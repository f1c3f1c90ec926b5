// Cost formulas: the strings in a contract's cost maps, such as `204` or `12 + 9*n + 2*n*t`.
//
// Grammar (C-like; spaces may appear between tokens):
//   formula := term (('+' | '-') term)*
//   term    := factor ('*' factor)*
//   factor  := INTEGER | PCV | '(' formula ')' | ('min' | 'max') '(' formula (',' formula)* ')'
//   INTEGER := [0-9]+                       (decimal, at most Number.MAX_SAFE_INTEGER)
//   PCV     := [A-Za-z_][A-Za-z0-9_@:.']*   (for example `n`, `probes@flow_update`, `t'`)
// `min` and `max` are reserved: they are only valid as calls.
//
// Values are JS numbers. Every constant, PCV value and intermediate result must be a safe integer
// (|x| <= Number.MAX_SAFE_INTEGER); anything else is a FormulaError, never a rounded result.

import { CONSTANT_TERM, monomialKey, monomialPcvs } from './monomial';

export type FormulaNode =
  | { kind: 'number'; value: number }
  | { kind: 'pcv'; name: string }
  | { kind: 'binary'; operator: '+' | '-' | '*'; left: FormulaNode; right: FormulaNode }
  | { kind: 'call'; callee: 'min' | 'max'; args: FormulaNode[] };

/** A bad formula, a missing PCV value, or a result that is not a safe integer. */
export class FormulaError extends Error {
  /** 1-based column in the formula text, for syntax errors. */
  readonly column?: number;
  /** For a missing-PCV error: the PCVs that have no value, sorted. */
  readonly missing?: string[];

  constructor(message: string, options: { column?: number; missing?: string[] } = {}) {
    super(message);
    this.name = 'FormulaError';
    this.column = options.column;
    this.missing = options.missing;
  }
}

const IDENTIFIER_START = /[A-Za-z_]/;
const IDENTIFIER_PART = /[A-Za-z0-9_@:.']/;
const PCV_NAME = /^[A-Za-z_][A-Za-z0-9_@:.']*$/;
/** Bounds the recursion on deeply nested input such as 10,000 opening parentheses. */
const MAX_DEPTH = 200;

interface Token {
  kind: 'number' | 'name' | 'punct' | 'end';
  text: string;
  /** 1-based column of the token's first character. */
  column: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c)) {
      while (i < text.length && /[0-9]/.test(text[i]!)) i++;
      if (i < text.length && (IDENTIFIER_PART.test(text[i]!))) {
        let end = i;
        while (end < text.length && IDENTIFIER_PART.test(text[end]!)) end++;
        throw syntaxError(text, start + 1, `invalid number '${text.slice(start, end)}' (constants are non-negative decimal integers, and names cannot start with a digit)`);
      }
      tokens.push({ kind: 'number', text: text.slice(start, i), column: start + 1 });
    } else if (IDENTIFIER_START.test(c)) {
      while (i < text.length && IDENTIFIER_PART.test(text[i]!)) i++;
      tokens.push({ kind: 'name', text: text.slice(start, i), column: start + 1 });
    } else if ('+-*(),'.includes(c)) {
      i++;
      tokens.push({ kind: 'punct', text: c, column: start + 1 });
    } else {
      throw syntaxError(text, start + 1, `unexpected character '${c}'`);
    }
  }
  tokens.push({ kind: 'end', text: '', column: text.length + 1 });
  return tokens;
}

function syntaxError(text: string, column: number, message: string): FormulaError {
  return new FormulaError(`bad formula '${text}': ${message} at column ${column}`, { column });
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the formula' : `'${token.text}'`;
}

/** Parses a cost formula. Throws a FormulaError that gives the column of the first problem. */
export function parseFormula(text: string): FormulaNode {
  if (typeof text !== 'string') throw new FormulaError(`a formula must be a string, got ${text === null ? 'null' : typeof text}`);
  const tokens = tokenize(text);
  let position = 0;
  let depth = 0;
  const peek = (): Token => tokens[position]!;
  const next = (): Token => tokens[position++]!;
  const fail = (token: Token, message: string): never => {
    throw syntaxError(text, token.column, message);
  };
  const expect = (punct: string, context: string): void => {
    const token = peek();
    if (token.kind !== 'punct' || token.text !== punct) fail(token, `expected '${punct}' ${context}, found ${describe(token)}`);
    position++;
  };

  const formula = (): FormulaNode => {
    if (++depth > MAX_DEPTH) fail(peek(), `formula nested more than ${MAX_DEPTH} levels deep`);
    let left = term();
    for (;;) {
      const token = peek();
      if (token.kind !== 'punct' || (token.text !== '+' && token.text !== '-')) break;
      position++;
      left = { kind: 'binary', operator: token.text, left, right: term() };
    }
    depth--;
    return left;
  };
  const term = (): FormulaNode => {
    let left = factor();
    while (peek().kind === 'punct' && peek().text === '*') {
      position++;
      left = { kind: 'binary', operator: '*', left, right: factor() };
    }
    return left;
  };
  const factor = (): FormulaNode => {
    const token = next();
    if (token.kind === 'number') {
      const value = Number(token.text);
      if (!Number.isSafeInteger(value)) fail(token, `constant ${token.text} is larger than ${Number.MAX_SAFE_INTEGER}`);
      return { kind: 'number', value };
    }
    if (token.kind === 'name') {
      if (token.text === 'min' || token.text === 'max') {
        expect('(', `after ${token.text}`);
        const args = [formula()];
        while (peek().kind === 'punct' && peek().text === ',') {
          position++;
          args.push(formula());
        }
        expect(')', `to close ${token.text}(`);
        return { kind: 'call', callee: token.text, args };
      }
      const after = peek();
      if (after.kind === 'punct' && after.text === '(') fail(token, `unknown function '${token.text}' (only min and max can be called)`);
      return { kind: 'pcv', name: token.text };
    }
    if (token.kind === 'punct' && token.text === '(') {
      const inner = formula();
      expect(')', `to close the '(' at column ${token.column}`);
      return inner;
    }
    if (token.kind === 'punct' && token.text === '-') fail(token, `unary minus is not supported`);
    return fail(token, `expected a number, a PCV name, '(', min or max, found ${describe(token)}`);
  };

  if (peek().kind === 'end') fail(peek(), 'empty formula');
  const node = formula();
  const rest = peek();
  if (rest.kind !== 'end') {
    fail(rest, rest.kind === 'punct' && rest.text === ')' ? `unmatched ')'` : `expected an operator (+, -, *) or the end of the formula, found ${describe(rest)}`);
  }
  return node;
}

function toNode(formula: FormulaNode | string): FormulaNode {
  return typeof formula === 'string' ? parseFormula(formula) : formula;
}

/** The PCV names a formula uses, sorted and without duplicates. */
export function formulaPcvNames(formula: FormulaNode | string): string[] {
  const names = new Set<string>();
  const visit = (node: FormulaNode): void => {
    switch (node.kind) {
      case 'number': return;
      case 'pcv': names.add(node.name); return;
      case 'binary': visit(node.left); visit(node.right); return;
      case 'call': node.args.forEach(visit); return;
    }
  };
  visit(toNode(formula));
  return [...names].sort();
}

/**
 * Evaluates a formula with the given PCV values. Throws a FormulaError naming every PCV that has no
 * value, or when a PCV value or any intermediate result is not a safe integer.
 */
export function evaluateFormula(formula: FormulaNode | string, pcv: Record<string, number>): number {
  const node = toNode(formula);
  const has = (name: string) => Object.prototype.hasOwnProperty.call(pcv, name) && pcv[name] !== undefined;
  const missing = formulaPcvNames(node).filter((name) => !has(name));
  if (missing.length > 0) {
    const list = missing.map((m) => `'${m}'`).join(', ');
    throw new FormulaError(`no value for PCV${missing.length > 1 ? 's' : ''} ${list}`, { missing });
  }
  const safe = (value: number, what: string): number => {
    if (!Number.isSafeInteger(value)) throw new FormulaError(`${what} is beyond the safe integer range (±${Number.MAX_SAFE_INTEGER})`);
    // Normalise -0 (from 0 * -n) so results print as 0.
    return value === 0 ? 0 : value;
  };
  const evaluate = (n: FormulaNode): number => {
    switch (n.kind) {
      case 'number':
        return n.value;
      case 'pcv': {
        const value = pcv[n.name]!;
        if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new FormulaError(`PCV '${n.name}' must be a safe integer, got ${String(value)}`);
        return value;
      }
      case 'binary': {
        const left = evaluate(n.left);
        const right = evaluate(n.right);
        const result = n.operator === '+' ? left + right : n.operator === '-' ? left - right : left * right;
        return safe(result, `${left} ${n.operator} ${right}`);
      }
      case 'call': {
        const values = n.args.map(evaluate);
        return n.callee === 'min' ? Math.min(...values) : Math.max(...values);
      }
    }
  };
  return evaluate(node);
}

/**
 * Renders a polynomial as a formula: `12 + 9*n + 2*n*t`. The constant comes first, then the terms by
 * degree and then by name; factors inside a monomial are sorted and equal monomials are added up.
 * Coefficient 1 is left out, zero terms are dropped, and everything zero renders as `0`. Negative
 * coefficients render as subtraction (`5 - 2*n`; `0 - 2*n` when nothing comes before, since the
 * grammar has no unary minus), so the result always parses back with parseFormula.
 */
export function formatPolynomial(constant: number, terms: { monomial: string[]; coefficient: number }[]): string {
  if (!Number.isSafeInteger(constant)) throw new FormulaError(`the constant ${constant} is not a safe integer`);
  let total = constant;
  const byMonomial = new Map<string, { factors: string[]; coefficient: number }>();
  for (const term of terms) {
    if (!Number.isSafeInteger(term.coefficient)) throw new FormulaError(`the coefficient ${term.coefficient} of ${term.monomial.join('*') || '1'} is not a safe integer`);
    for (const name of term.monomial) {
      if (!PCV_NAME.test(name) || name === 'min' || name === 'max') throw new FormulaError(`'${name}' is not a valid PCV name`);
    }
    if (term.monomial.length === 0) {
      total = addSafe(total, term.coefficient);
      continue;
    }
    const factors = [...term.monomial].sort();
    const key = monomialKey(factors);
    const existing = byMonomial.get(key);
    if (existing) existing.coefficient = addSafe(existing.coefficient, term.coefficient);
    else byMonomial.set(key, { factors, coefficient: term.coefficient });
  }
  const ordered = [...byMonomial.entries()]
    .filter(([, t]) => t.coefficient !== 0)
    .sort(([ka, a], [kb, b]) => a.factors.length - b.factors.length || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const parts: { negative: boolean; text: string }[] = [];
  if (total !== 0) parts.push({ negative: total < 0, text: String(Math.abs(total)) });
  for (const [key, t] of ordered) {
    const magnitude = Math.abs(t.coefficient);
    parts.push({ negative: t.coefficient < 0, text: magnitude === 1 ? key : `${magnitude}*${key}` });
  }
  if (parts.length === 0) return '0';
  let result = parts[0]!.negative ? `0 - ${parts[0]!.text}` : parts[0]!.text;
  for (const part of parts.slice(1)) result += `${part.negative ? ' - ' : ' + '}${part.text}`;
  return result;
}

function addSafe(a: number, b: number): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new FormulaError(`${a} + ${b} is beyond the safe integer range (±${Number.MAX_SAFE_INTEGER})`);
  return sum;
}

/** Renders a polynomial held as monomial -> coefficient ('' for the constant, `a*b` for products). */
export function formatPolynomialMap(poly: ReadonlyMap<string, number>): string {
  return formatPolynomial(poly.get(CONSTANT_TERM) ?? 0, [...poly].filter(([m]) => m !== CONSTANT_TERM).map(([m, c]) => ({ monomial: monomialPcvs(m), coefficient: c })));
}
