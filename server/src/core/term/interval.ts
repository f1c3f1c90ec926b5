// Unsigned value ranges of bit-vector expressions, from their structure alone (no solver): a mask,
// a remainder, a zero-extended byte. Sound but coarse: anything it cannot follow is the whole range
// of the expression's width.
import type { BitVecExpr } from './expr';

export interface Interval { lo: bigint; hi: bigint }

const full = (width: number): Interval => ({ lo: 0n, hi: (1n << BigInt(width)) - 1n });
const bitMask = (value: bigint): bigint => {
  let mask = 0n;
  while (mask < value) mask = (mask << 1n) | 1n;
  return mask;
};

/** The unsigned values `expr` can take, over-approximated. */
export function unsignedInterval(expr: BitVecExpr, memo = new Map<number, Interval>()): Interval {
  const known = memo.get(expr.id);
  if (known) return known;
  const result = compute(expr, memo);
  memo.set(expr.id, result);
  return result;
}

function compute(e: BitVecExpr, memo: Map<number, Interval>): Interval {
  const max = full(e.width).hi;
  const of = (x: BitVecExpr) => unsignedInterval(x, memo);
  const fits = (i: Interval): Interval => (i.hi <= max && i.lo >= 0n ? i : full(e.width));
  switch (e.op) {
    case 'const': return { lo: e.value, hi: e.value };
    case 'zext': return of(e.args[0]);
    case 'sext': {
      const inner = of(e.args[0]);
      // A value whose sign bit is clear extends to itself.
      return inner.hi < 1n << BigInt(e.args[0].width - 1) ? inner : full(e.width);
    }
    case 'extract': {
      const inner = of(e.args[0]);
      return e.lo === 0 && inner.hi <= max ? inner : full(e.width);
    }
    case 'select': return full(e.width);
    case 'ite': {
      const a = of(e.args[0]);
      const b = of(e.args[1]);
      return { lo: a.lo < b.lo ? a.lo : b.lo, hi: a.hi > b.hi ? a.hi : b.hi };
    }
    case 'and': {
      const a = of(e.args[0]);
      const b = of(e.args[1]);
      return { lo: 0n, hi: a.hi < b.hi ? a.hi : b.hi };
    }
    case 'or':
    case 'xor': {
      const a = of(e.args[0]);
      const b = of(e.args[1]);
      return { lo: 0n, hi: bitMask(a.hi > b.hi ? a.hi : b.hi) };
    }
    case 'add': {
      const a = of(e.args[0]);
      const b = of(e.args[1]);
      return fits({ lo: a.lo + b.lo, hi: a.hi + b.hi });
    }
    case 'sub': {
      const a = of(e.args[0]);
      const b = of(e.args[1]);
      return a.lo >= b.hi ? { lo: a.lo - b.hi, hi: a.hi - b.lo } : full(e.width);
    }
    case 'mul': {
      const a = of(e.args[0]);
      const b = of(e.args[1]);
      return fits({ lo: a.lo * b.lo, hi: a.hi * b.hi });
    }
    case 'urem': {
      const a = of(e.args[0]);
      const d = e.args[1];
      if (d.op !== 'const' || d.value === 0n) return full(e.width);
      return { lo: 0n, hi: a.hi < d.value - 1n ? a.hi : d.value - 1n };
    }
    case 'udiv': {
      const a = of(e.args[0]);
      const d = e.args[1];
      if (d.op !== 'const' || d.value === 0n) return full(e.width);
      return { lo: a.lo / d.value, hi: a.hi / d.value };
    }
    case 'lshr': {
      const a = of(e.args[0]);
      const k = e.args[1];
      if (k.op !== 'const' || k.value >= BigInt(e.width)) return full(e.width);
      return { lo: a.lo >> k.value, hi: a.hi >> k.value };
    }
    default: return full(e.width);
  }
}

/**
 * The values a return register can hold as the function's type reads them (signed or not), or
 * undefined when the range is the whole type (nothing learnt) or crosses the sign boundary.
 */
export function returnRange(expr: BitVecExpr, signed: boolean): { min: number; max: number } | undefined {
  const range = unsignedInterval(expr);
  const whole = full(expr.width);
  if (range.lo === whole.lo && range.hi === whole.hi) return undefined;
  if (signed && range.hi >= 1n << BigInt(expr.width - 1)) return undefined;
  if (range.hi > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { min: Number(range.lo), max: Number(range.hi) };
}
