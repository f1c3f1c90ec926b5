// Models: concrete values for symbols, and evaluating any expression under one with SMT-LIB
// semantics (identical to z3's). The executor keeps one per path; the solver returns them.
import { ArrayExpr, BitVecExpr, BoolExpr, evaluateBinary, evaluateCompare, mask, toSigned } from './expr';

/** Concrete values for symbols; evaluates any expression. Layered: a child overrides some symbols. */
export interface Model {
  /** Value of a scalar symbol (0 when unconstrained). */
  scalar(name: string, width: number): bigint;
  /** Value of byte `index` of an array symbol (0 when unconstrained). */
  byte(arrayName: string, index: bigint): bigint;
}

export const EMPTY_MODEL: Model = { scalar: () => 0n, byte: () => 0n };

/** Evaluates an expression under a model with SMT-LIB semantics (identical to z3's). */
export class ModelEvaluator {
  private readonly bvCache = new Map<number, bigint>();
  private readonly boolCache = new Map<number, boolean>();

  constructor(readonly model: Model) {}

  bitvec(e: BitVecExpr): bigint {
    const cached = this.bvCache.get(e.id);
    if (cached !== undefined) return cached;
    let value: bigint;
    switch (e.op) {
      case 'const': value = e.value; break;
      case 'symbol': value = this.model.scalar(e.name, e.width) & mask(e.width); break;
      case 'extract': value = (this.bitvec(e.args[0]) >> BigInt(e.lo)) & mask(e.width); break;
      case 'concat': {
        value = 0n;
        for (const part of e.args) value = (value << BigInt(part.width)) | this.bitvec(part);
        break;
      }
      case 'zext': value = this.bitvec(e.args[0]); break;
      case 'sext': value = BigInt.asUintN(e.width, toSigned(this.bitvec(e.args[0]), e.args[0].width)); break;
      case 'ite': value = this.boolean(e.cond) ? this.bitvec(e.args[0]) : this.bitvec(e.args[1]); break;
      case 'select': value = this.arrayByte(e.array, this.bitvec(e.args[0])); break;
      default: value = evaluateBinary(e.op, this.bitvec(e.args[0]), this.bitvec(e.args[1]), e.width);
    }
    this.bvCache.set(e.id, value);
    return value;
  }

  boolean(e: BoolExpr): boolean {
    const cached = this.boolCache.get(e.id);
    if (cached !== undefined) return cached;
    let value: boolean;
    switch (e.op) {
      case 'true': value = true; break;
      case 'false': value = false; break;
      case 'not': value = !this.boolean(e.arg); break;
      case 'and': value = e.list.every((x) => this.boolean(x)); break;
      case 'or': value = e.list.some((x) => this.boolean(x)); break;
      case 'cmp': value = evaluateCompare(e.predicate, this.bitvec(e.args[0]), this.bitvec(e.args[1]), e.args[0].width); break;
    }
    this.boolCache.set(e.id, value);
    return value;
  }

  arrayByte(array: ArrayExpr, index: bigint): bigint {
    let current = array;
    while (current.op === 'store') {
      if (this.bitvec(current.index) === index) return this.bitvec(current.value);
      current = current.array;
    }
    if (current.op === 'arrayConst') return index < BigInt(current.data.length) ? BigInt(current.data[Number(index)]!) : 0n;
    return this.model.byte(current.name, index) & 0xffn;
  }
}

/** A model that takes the symbols in `names` from `child` and everything else from `parent`. */
export function layeredModel(child: Model, names: ReadonlySet<string>, parent: Model): Model {
  return {
    scalar: (name, width) => (names.has(name) ? child.scalar(name, width) : parent.scalar(name, width)),
    byte: (name, index) => (names.has(name) ? child.byte(name, index) : parent.byte(name, index)),
  };
}
