// Hash-consed symbolic expressions (bit-vectors, booleans, byte arrays) that fold constants as they are built.
//
// The engine builds these, not z3 terms: most values stay concrete and never reach the solver,
// and identical sub-terms are shared, so caches can key on `id`.

export type Expr = BitVecExpr | BoolExpr | ArrayExpr;

interface Base {
  id: number;
  key: string;
  /** Longest chain of sub-expressions below this one (1 for a leaf); deep terms are kept from z3. */
  depth: number;
}

export type BitVecExpr = Base & { sort: 'bv'; width: number } & (
  | { op: 'const'; value: bigint }
  | { op: 'symbol'; name: string }
  | { op: BvBinaryOp; args: [BitVecExpr, BitVecExpr] }
  | { op: 'extract'; hi: number; lo: number; args: [BitVecExpr] }
  | { op: 'concat'; args: BitVecExpr[] }
  | { op: 'zext' | 'sext'; args: [BitVecExpr] }
  | { op: 'ite'; cond: BoolExpr; args: [BitVecExpr, BitVecExpr] }
  | { op: 'select'; array: ArrayExpr; args: [BitVecExpr] }
);

export type BoolExpr = Base & { sort: 'bool' } & (
  | { op: 'true' | 'false' }
  | { op: 'cmp'; predicate: CmpPredicate; args: [BitVecExpr, BitVecExpr] }
  | { op: 'not'; arg: BoolExpr }
  | { op: 'and' | 'or'; list: BoolExpr[] }
);

/** A byte array indexed by 64-bit offsets: a base (symbolic or concrete bytes) plus stores. */
export type ArrayExpr = Base & { sort: 'array' } & (
  | { op: 'arraySymbol'; name: string }
  | { op: 'arrayConst'; name: string; data: Uint8Array }
  | { op: 'store'; array: ArrayExpr; index: BitVecExpr; value: BitVecExpr }
);

export type BvBinaryOp = 'add' | 'sub' | 'mul' | 'udiv' | 'sdiv' | 'urem' | 'srem' | 'and' | 'or' | 'xor' | 'shl' | 'lshr' | 'ashr';
export type CmpPredicate = 'eq' | 'ult' | 'ule' | 'slt' | 'sle';

const table = new Map<string, Expr>();
let nextId = 0;

function intern<T extends Expr>(key: string, make: (id: number) => Omit<T, 'depth'> & { depth?: number }): T {
  const existing = table.get(key);
  if (existing) return existing as T;
  const created = make(nextId++) as T;
  created.depth = 1 + childDepth(created);
  table.set(key, created);
  return created;
}

function childDepth(e: Expr): number {
  const node = e as unknown as { args?: Expr[]; list?: Expr[]; arg?: Expr; cond?: Expr; array?: Expr; index?: Expr; value?: Expr };
  let depth = 0;
  for (const child of node.args ?? []) depth = Math.max(depth, child.depth);
  for (const child of node.list ?? []) depth = Math.max(depth, child.depth);
  for (const child of [node.arg, node.cond, node.array, node.index, node.value]) {
    if (child && typeof child === 'object') depth = Math.max(depth, child.depth);
  }
  return depth;
}

/** Drops the intern table (between analyses) so memory does not grow without bound. */
export function resetExpressionTable(): void {
  table.clear();
}

/** Expressions in the intern table. */
export function expressionCount(): number {
  return table.size;
}

export function mask(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

export function toSigned(value: bigint, width: number): bigint {
  return BigInt.asIntN(width, value);
}

// ----- constructors -----

export function bv(value: bigint, width: number): BitVecExpr {
  const v = BigInt.asUintN(width, value);
  return intern(`c${width}:${v}`, (id) => ({ id, key: `c${width}:${v}`, sort: 'bv', width, op: 'const', value: v }));
}

export function symbol(name: string, width: number): BitVecExpr {
  return intern(`s${width}:${name}`, (id) => ({ id, key: `s${width}:${name}`, sort: 'bv', width, op: 'symbol', name }));
}

export const TRUE: BoolExpr = intern('T', (id) => ({ id, key: 'T', sort: 'bool', op: 'true' }));
export const FALSE: BoolExpr = intern('F', (id) => ({ id, key: 'F', sort: 'bool', op: 'false' }));

export function boolConst(value: boolean): BoolExpr {
  return value ? TRUE : FALSE;
}

export function isConst(e: BitVecExpr): e is BitVecExpr & { op: 'const'; value: bigint } {
  return e.op === 'const';
}

export function constValue(e: BitVecExpr): bigint | undefined {
  return e.op === 'const' ? e.value : undefined;
}

export function binary(op: BvBinaryOp, a: BitVecExpr, b: BitVecExpr): BitVecExpr {
  const width = a.width;
  if (a.op === 'const' && b.op === 'const') return bv(evaluateBinary(op, a.value, b.value, width), width);
  // Algebraic identities that keep common address arithmetic small.
  if (b.op === 'const') {
    if (b.value === 0n && (op === 'add' || op === 'sub' || op === 'or' || op === 'xor' || op === 'shl' || op === 'lshr' || op === 'ashr')) return a;
    if (b.value === 0n && (op === 'mul' || op === 'and')) return bv(0n, width);
    if (b.value === 1n && (op === 'mul' || op === 'udiv' || op === 'sdiv')) return a;
    if (b.value === mask(width) && op === 'and') return a;
    if (op === 'add' && a.op === 'add' && a.args[1].op === 'const') return binary('add', a.args[0], bv(a.args[1].value + b.value, width));
    if (op === 'sub') return binary('add', a, bv(-b.value, width));
  }
  if (a.op === 'const') {
    if (a.value === 0n && (op === 'add' || op === 'or' || op === 'xor')) return b;
    if (a.value === 0n && (op === 'mul' || op === 'and' || op === 'shl' || op === 'lshr' || op === 'ashr' || op === 'udiv' || op === 'urem')) {
      if (op === 'mul' || op === 'and' || op === 'shl' || op === 'lshr' || op === 'ashr') return bv(0n, width);
    }
    if ((op === 'add' || op === 'mul' || op === 'and' || op === 'or' || op === 'xor')) return binary(op, b, a); // constants go right
  }
  if (op === 'sub' && a.id === b.id) return bv(0n, width);
  if (op === 'xor' && a.id === b.id) return bv(0n, width);
  if ((op === 'and' || op === 'or') && a.id === b.id) return a;
  const key = `${op}${width}(${a.id},${b.id})`;
  return intern(key, (id) => ({ id, key, sort: 'bv', width, op, args: [a, b] }) as BitVecExpr);
}

export function extract(hi: number, lo: number, a: BitVecExpr): BitVecExpr {
  const width = hi - lo + 1;
  if (lo === 0 && hi === a.width - 1) return a;
  if (a.op === 'const') return bv(a.value >> BigInt(lo), width);
  if (a.op === 'extract') return extract(hi + a.lo, lo + a.lo, a.args[0]);
  if (a.op === 'zext' || a.op === 'sext') {
    const inner = a.args[0];
    if (hi < inner.width) return extract(hi, lo, inner);
    if (a.op === 'zext' && lo >= inner.width) return bv(0n, width);
  }
  if (a.op === 'concat') {
    // Find the concatenated part that covers [lo, hi] exactly or partially.
    let position = a.width;
    for (const part of a.args) {
      const partHi = position - 1;
      const partLo = position - part.width;
      if (hi <= partHi && lo >= partLo) return extract(hi - partLo, lo - partLo, part);
      position = partLo;
    }
  }
  const key = `x${hi}:${lo}(${a.id})`;
  return intern(key, (id) => ({ id, key, sort: 'bv', width, op: 'extract', hi, lo, args: [a] }) as BitVecExpr);
}

/** Concatenation, most significant part first. */
export function concat(parts: BitVecExpr[]): BitVecExpr {
  const flat: BitVecExpr[] = [];
  for (const part of parts) {
    if (part.op === 'concat') flat.push(...part.args);
    else flat.push(part);
  }
  // Merge adjacent constants and adjacent extracts of the same value.
  const merged: BitVecExpr[] = [];
  for (const part of flat) {
    const last = merged[merged.length - 1];
    if (last && last.op === 'const' && part.op === 'const') {
      merged[merged.length - 1] = bv((last.value << BigInt(part.width)) | part.value, last.width + part.width);
    } else if (last && last.op === 'extract' && part.op === 'extract' && last.args[0].id === part.args[0].id && last.lo === part.hi + 1) {
      merged[merged.length - 1] = extract(last.hi, part.lo, part.args[0]);
    } else {
      merged.push(part);
    }
  }
  if (merged.length === 1) return merged[0]!;
  const width = merged.reduce((sum, p) => sum + p.width, 0);
  const key = `cat(${merged.map((p) => p.id).join(',')})`;
  return intern(key, (id) => ({ id, key, sort: 'bv', width, op: 'concat', args: merged }) as BitVecExpr);
}

export function zeroExtend(a: BitVecExpr, width: number): BitVecExpr {
  if (width === a.width) return a;
  if (width < a.width) return extract(width - 1, 0, a);
  if (a.op === 'const') return bv(a.value, width);
  if (a.op === 'zext') return zeroExtend(a.args[0], width);
  const key = `zx${width}(${a.id})`;
  return intern(key, (id) => ({ id, key, sort: 'bv', width, op: 'zext', args: [a] }) as BitVecExpr);
}

export function signExtend(a: BitVecExpr, width: number): BitVecExpr {
  if (width === a.width) return a;
  if (width < a.width) return extract(width - 1, 0, a);
  if (a.op === 'const') return bv(toSigned(a.value, a.width), width);
  if (a.op === 'sext') return signExtend(a.args[0], width);
  const key = `sx${width}(${a.id})`;
  return intern(key, (id) => ({ id, key, sort: 'bv', width, op: 'sext', args: [a] }) as BitVecExpr);
}

export function ite(cond: BoolExpr, a: BitVecExpr, b: BitVecExpr): BitVecExpr {
  if (cond.op === 'true') return a;
  if (cond.op === 'false') return b;
  if (a.id === b.id) return a;
  const key = `ite(${cond.id},${a.id},${b.id})`;
  return intern(key, (id) => ({ id, key, sort: 'bv', width: a.width, op: 'ite', cond, args: [a, b] }) as BitVecExpr);
}

export function compare(predicate: CmpPredicate, a: BitVecExpr, b: BitVecExpr): BoolExpr {
  if (a.op === 'const' && b.op === 'const') return boolConst(evaluateCompare(predicate, a.value, b.value, a.width));
  if (a.id === b.id) return boolConst(predicate === 'eq' || predicate === 'ule' || predicate === 'sle');
  if (predicate === 'eq' && a.op === 'const') return compare('eq', b, a);
  if (predicate === 'eq' && b.op === 'const' && a.op === 'ite' && a.args[0].op === 'const' && a.args[1].op === 'const') {
    // ite(c, x, y) == k with constants folds to c, !c, true or false (booleans stored as bits).
    const thenMatches = a.args[0].value === b.value;
    const elseMatches = a.args[1].value === b.value;
    if (thenMatches && elseMatches) return TRUE;
    if (thenMatches) return a.cond;
    if (elseMatches) return not(a.cond);
    return FALSE;
  }
  if (predicate === 'eq' && b.op === 'const') {
    // zext(x) == c  <=>  x == c (when c fits) — keeps byte comparisons small.
    if (a.op === 'zext') {
      const inner = a.args[0];
      return b.value <= mask(inner.width) ? compare('eq', inner, bv(b.value, inner.width)) : FALSE;
    }
    if (a.op === 'add' && a.args[1].op === 'const') return compare('eq', a.args[0], bv(b.value - a.args[1].value, a.width));
  }
  if (predicate === 'ult' && b.op === 'const' && b.value === 0n) return FALSE;
  if (predicate === 'ule' && a.op === 'const' && a.value === 0n) return TRUE;
  const key = `${predicate}(${a.id},${b.id})`;
  return intern(key, (id) => ({ id, key, sort: 'bool', op: 'cmp', predicate, args: [a, b] }) as BoolExpr);
}

export function not(a: BoolExpr): BoolExpr {
  if (a.op === 'true') return FALSE;
  if (a.op === 'false') return TRUE;
  if (a.op === 'not') return a.arg;
  const key = `!(${a.id})`;
  return intern(key, (id) => ({ id, key, sort: 'bool', op: 'not', arg: a }) as BoolExpr);
}

export function and(list: BoolExpr[]): BoolExpr {
  const items: BoolExpr[] = [];
  for (const item of list) {
    if (item.op === 'false') return FALSE;
    if (item.op === 'true') continue;
    if (item.op === 'and') items.push(...item.list);
    else items.push(item);
  }
  const unique = [...new Map(items.map((i) => [i.id, i])).values()];
  if (unique.length === 0) return TRUE;
  if (unique.length === 1) return unique[0]!;
  const key = `and(${unique.map((i) => i.id).join(',')})`;
  return intern(key, (id) => ({ id, key, sort: 'bool', op: 'and', list: unique }) as BoolExpr);
}

export function or(list: BoolExpr[]): BoolExpr {
  const items: BoolExpr[] = [];
  for (const item of list) {
    if (item.op === 'true') return TRUE;
    if (item.op === 'false') continue;
    if (item.op === 'or') items.push(...item.list);
    else items.push(item);
  }
  const unique = [...new Map(items.map((i) => [i.id, i])).values()];
  if (unique.length === 0) return FALSE;
  if (unique.length === 1) return unique[0]!;
  const key = `or(${unique.map((i) => i.id).join(',')})`;
  return intern(key, (id) => ({ id, key, sort: 'bool', op: 'or', list: unique }) as BoolExpr);
}

export function arraySymbol(name: string): ArrayExpr {
  return intern(`A:${name}`, (id) => ({ id, key: `A:${name}`, sort: 'array', op: 'arraySymbol', name }));
}

export function arrayConst(name: string, data: Uint8Array): ArrayExpr {
  return intern(`K:${name}`, (id) => ({ id, key: `K:${name}`, sort: 'array', op: 'arrayConst', name, data }));
}

export function store(array: ArrayExpr, index: BitVecExpr, value: BitVecExpr): ArrayExpr {
  const key = `st(${array.id},${index.id},${value.id})`;
  return intern(key, (id) => ({ id, key, sort: 'array', op: 'store', array, index, value }));
}

/** Reads one byte, resolving stores at concrete indices without building terms. */
export function select(array: ArrayExpr, index: BitVecExpr): BitVecExpr {
  let current = array;
  while (true) {
    if (current.op === 'store') {
      if (current.index.id === index.id) return current.value;
      if (current.index.op === 'const' && index.op === 'const') {
        current = current.array;
        continue;
      }
      break;
    }
    if (current.op === 'arrayConst' && index.op === 'const') {
      return bv(BigInt(index.value < BigInt(current.data.length) ? current.data[Number(index.value)]! : 0), 8);
    }
    break;
  }
  const key = `sel(${current.id},${index.id})`;
  const base = current;
  return intern(key, (id) => ({ id, key, sort: 'bv', width: 8, op: 'select', array: base, args: [index] }) as BitVecExpr);
}

// ----- concrete semantics (shared by folding and model evaluation; they match SMT-LIB) -----

export function evaluateBinary(op: BvBinaryOp, a: bigint, b: bigint, width: number): bigint {
  const m = mask(width);
  switch (op) {
    case 'add': return (a + b) & m;
    case 'sub': return (a - b) & m;
    case 'mul': return (a * b) & m;
    case 'udiv': return b === 0n ? m : a / b;
    case 'urem': return b === 0n ? a : a % b;
    case 'sdiv': {
      const sa = toSigned(a, width);
      const sb = toSigned(b, width);
      if (sb === 0n) return sa < 0n ? 1n : m;
      return BigInt.asUintN(width, sa / sb);
    }
    case 'srem': {
      const sa = toSigned(a, width);
      const sb = toSigned(b, width);
      if (sb === 0n) return a;
      return BigInt.asUintN(width, sa % sb);
    }
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return b >= BigInt(width) ? 0n : (a << b) & m;
    case 'lshr': return b >= BigInt(width) ? 0n : a >> b;
    case 'ashr': {
      const sa = toSigned(a, width);
      return BigInt.asUintN(width, b >= BigInt(width) ? (sa < 0n ? -1n : 0n) : sa >> b);
    }
  }
}

export function evaluateCompare(predicate: CmpPredicate, a: bigint, b: bigint, width: number): boolean {
  switch (predicate) {
    case 'eq': return a === b;
    case 'ult': return a < b;
    case 'ule': return a <= b;
    case 'slt': return toSigned(a, width) < toSigned(b, width);
    case 'sle': return toSigned(a, width) <= toSigned(b, width);
  }
}

/** Names of the symbols (scalars and arrays) an expression depends on, cached per expression. */
const symbolCache = new Map<number, ReadonlySet<string>>();

export function symbolsOf(e: Expr): ReadonlySet<string> {
  const cached = symbolCache.get(e.id);
  if (cached) return cached;
  const result = new Set<string>();
  const children: Expr[] = [];
  switch (e.sort) {
    case 'bv':
      if (e.op === 'symbol') result.add(e.name);
      else if (e.op === 'select') children.push(e.array, ...e.args);
      else if (e.op === 'ite') children.push(e.cond, ...e.args);
      else if (e.op !== 'const') children.push(...e.args);
      break;
    case 'bool':
      if (e.op === 'cmp') children.push(...e.args);
      else if (e.op === 'not') children.push(e.arg);
      else if (e.op === 'and' || e.op === 'or') children.push(...e.list);
      break;
    case 'array':
      if (e.op === 'arraySymbol') result.add(e.name);
      else if (e.op === 'store') children.push(e.array, e.index, e.value);
      break;
  }
  for (const child of children) for (const s of symbolsOf(child)) result.add(s);
  symbolCache.set(e.id, result);
  return result;
}

/**
 * Calls `visit` once for every `select` in the expressions, with the array symbol at the bottom of
 * its store chain (undefined for constant arrays) and the index read.
 */
export function forEachSelect(roots: readonly Expr[], visit: (base: string | undefined, index: BitVecExpr) => void): void {
  const seen = new Set<number>();
  const stack: Expr[] = [...roots];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    switch (e.sort) {
      case 'bv':
        if (e.op === 'select') {
          let base: ArrayExpr = e.array;
          while (base.op === 'store') base = base.array;
          visit(base.op === 'arraySymbol' ? base.name : undefined, e.args[0]);
          stack.push(e.array, ...e.args);
        } else if (e.op === 'ite') stack.push(e.cond, ...e.args);
        else if (e.op !== 'const' && e.op !== 'symbol') stack.push(...e.args);
        break;
      case 'bool':
        if (e.op === 'cmp') stack.push(...e.args);
        else if (e.op === 'not') stack.push(e.arg);
        else if (e.op === 'and' || e.op === 'or') stack.push(...e.list);
        break;
      case 'array':
        if (e.op === 'store') stack.push(e.array, e.index, e.value);
        break;
    }
  }
}

export function clearSymbolCache(): void {
  symbolCache.clear();
}
