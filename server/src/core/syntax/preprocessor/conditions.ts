// `#if` expressions: a parser and evaluator over the already expanded tokens, in intmax_t and
// uintmax_t (64 bits) as C11 6.10.1 says.
import type { Token } from './types';

interface PpValue { value: bigint; unsigned: boolean }

/** Evaluates a `#if` expression in intmax_t/uintmax_t (64 bits), as C11 6.10.1 says. */
export class ConditionParser {
  private i = 0;
  /** Inside an operand that is not evaluated (after `0 &&`, `1 ||`, the untaken side of `?:`): no division errors. */
  private unevaluated = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): PpValue {
    if (this.tokens.length === 0) throw new Error('empty expression');
    const v = this.conditional();
    if (this.i < this.tokens.length) throw new Error(`unexpected '${this.tokens[this.i]!.text}'`);
    return v;
  }

  private peek(): string | undefined {
    return this.tokens[this.i]?.text;
  }

  private conditional(): PpValue {
    const c = this.binary(0);
    if (this.peek() !== '?') return c;
    this.i++;
    if (c.value === 0n) this.unevaluated++;
    const t = this.conditional();
    if (c.value === 0n) this.unevaluated--;
    if (this.peek() !== ':') throw new Error("missing ':'");
    this.i++;
    if (c.value !== 0n) this.unevaluated++;
    const f = this.conditional();
    if (c.value !== 0n) this.unevaluated--;
    const unsigned = t.unsigned || f.unsigned;
    return c.value !== 0n ? norm(t.value, unsigned) : norm(f.value, unsigned);
  }

  private static readonly PRECEDENCE: Record<string, number> = {
    '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
  };

  private binary(minPrecedence: number): PpValue {
    let left = this.unary();
    for (;;) {
      const op = this.peek();
      const precedence = op !== undefined ? ConditionParser.PRECEDENCE[op] : undefined;
      if (precedence === undefined || precedence <= minPrecedence - 1 || precedence < minPrecedence) return left;
      this.i++;
      const skips = (op === '&&' && left.value === 0n) || (op === '||' && left.value !== 0n);
      if (skips) this.unevaluated++;
      const right = this.binary(precedence + 1);
      if (skips) this.unevaluated--;
      left = (op === '/' || op === '%') && right.value === 0n && this.unevaluated > 0 ? { value: 0n, unsigned: false } : apply(op!, left, right);
    }
  }

  private unary(): PpValue {
    const t = this.tokens[this.i];
    if (!t) throw new Error('unexpected end of expression');
    if (t.kind === 'punctuator') {
      if (t.text === '(') {
        this.i++;
        const v = this.conditional();
        if (this.peek() !== ')') throw new Error("missing ')'");
        this.i++;
        return v;
      }
      if (t.text === '!' || t.text === '-' || t.text === '+' || t.text === '~') {
        this.i++;
        const v = this.unary();
        if (t.text === '!') return { value: v.value === 0n ? 1n : 0n, unsigned: false };
        if (t.text === '-') return { value: norm(-v.value, v.unsigned).value, unsigned: v.unsigned };
        if (t.text === '~') return norm(~v.value, v.unsigned);
        return v;
      }
    }
    this.i++;
    if (t.kind === 'number') return parsePpNumber(t.text);
    if (t.kind === 'char') {
      const body = t.text.replace(/^[LuU8]*'/, '').replace(/'$/, '');
      const c = body.startsWith('\\') ? ({ n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 } as Record<string, number>)[body[1]!] ?? (body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 8) || 0) : body.charCodeAt(0);
      return { value: BigInt(c), unsigned: false };
    }
    throw new Error(`unexpected '${t.text}'`);
  }
}

function norm(value: bigint, unsigned: boolean): PpValue {
  return { value: unsigned ? BigInt.asUintN(64, value) : BigInt.asIntN(64, value), unsigned };
}

function apply(op: string, l: PpValue, r: PpValue): PpValue {
  const unsigned = l.unsigned || r.unsigned;
  const a = norm(l.value, unsigned).value;
  const b = norm(r.value, unsigned).value;
  const bool = (x: boolean): PpValue => ({ value: x ? 1n : 0n, unsigned: false });
  switch (op) {
    case '||': return bool(a !== 0n || b !== 0n);
    case '&&': return bool(a !== 0n && b !== 0n);
    case '|': return norm(a | b, unsigned);
    case '^': return norm(a ^ b, unsigned);
    case '&': return norm(a & b, unsigned);
    case '==': return bool(a === b);
    case '!=': return bool(a !== b);
    case '<': return bool(a < b);
    case '>': return bool(a > b);
    case '<=': return bool(a <= b);
    case '>=': return bool(a >= b);
    case '<<': return norm(a << (b & 63n), l.unsigned);
    case '>>': return norm(norm(l.value, l.unsigned).value >> (b & 63n), l.unsigned);
    case '+': return norm(a + b, unsigned);
    case '-': return norm(a - b, unsigned);
    case '*': return norm(a * b, unsigned);
    case '/': if (b === 0n) throw new Error('division by zero'); return norm(a / b, unsigned);
    case '%': if (b === 0n) throw new Error('division by zero'); return norm(a % b, unsigned);
    default: throw new Error(`unexpected '${op}'`);
  }
}

function parsePpNumber(text: string): PpValue {
  const match = /^(0[xX][0-9a-fA-F']+|0[bB][01']+|0[0-7']*|[1-9][0-9']*)([uUlL]*)$/.exec(text);
  if (!match) throw new Error(`'${text}' is not an integer`);
  const digits = match[1]!.replace(/'/g, '');
  const value = /^0[0-7]+$/.test(digits) ? BigInt('0o' + digits.slice(1)) : BigInt(digits);
  const unsigned = /u/i.test(match[2]!) || value > 0x7fffffffffffffffn;
  return norm(value, unsigned);
}
