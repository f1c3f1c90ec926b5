// Lazy initialisation of memory the analysis did not allocate: objects behind pointers read from inputs or returned by unmodelled calls.
//
// As in generalized symbolic execution (Khurshid, Pasareanu and Visser), a pointer the analysed
// code did not store (a pointer field of a parameter's struct, a global pointer, a pointer inside
// such an object, the result of a call without a body) points, when it is first loaded, to a fresh
// object of its pointee type with symbolic contents, or is NULL. Which one is a 1-bit input symbol
// (`null:NAME`): a comparison with NULL forks on it, and a dereference assumes the pointer valid
// unless the path already decided it is NULL (then it is a null dereference). Distinct lazy objects
// never alias each other or anything else (the no-alias assumption, stated in every contract).
import type { Pointee } from '../ir/ir';
import { ArrayExpr, BitVecExpr, BoolExpr, bv, compare, symbol } from '../term/expr';

/**
 * Where a lazy object's pointer came from: a byte offset of another object, or an unmodelled call's
 * result. A pointer read at a symbolic offset (`tx_buffer[port]`) has `index`: that offset, which a
 * witness evaluates, and its ordinal among such elements of its holder on the path (for its name).
 */
export type LazyOrigin =
  | { kind: 'field'; holder: string; offset: number; index?: { offset: BitVecExpr; ordinal: number } }
  | { kind: 'result'; key: string };

export interface LazyObjectInfo {
  origin: LazyOrigin;
  /** The 1-bit symbol that is 1 when the pointer is NULL. */
  nullSymbol: string;
  pointee: string;
  /** A DPDK mbuf's buffer (`buf_addr`), placed around the packet by `mbufBuffer` (packet.ts). */
  mbuf?: true;
  /** Behind a `void *` or an incomplete type: `OPAQUE_OBJECT_BYTES` large, an assumption of the contract. */
  opaqueSize?: true;
}

/** One lazy object of a finished path, for its witness. */
export interface LazyObjectRecord extends LazyObjectInfo {
  name: string;
  arrayName: string;
  size: number;
}

/** What an init function allocated (see core/initState.ts): the objects, and the pointers to them it stored. */
export interface InitHeap {
  init: string;
  objects: { name: string; size: number }[];
  pointers: { holder: string; offset: number; target: string }[];
  /** Pointers init stored that a witness cannot give (into globals, or inside an object): left to lazy initialisation. */
  skipped: string[];
  /** Why the init function could not be run to its end, if it could not. */
  failed?: string;
}

/** Elements an object indexed as an array may have when nothing else bounds it (`regions.arrayElements`). */
export const DEFAULT_ARRAY_ELEMENTS = 64;

/** The name of the object behind the pointer at `offset` of `holder` (a witness name), or behind a call's result. */
export function lazyObjectName(origin: LazyOrigin): string {
  if (origin.kind === 'result') return `${origin.key}@result`;
  return origin.index ? `${origin.holder}@[${origin.index.ordinal}]` : `${origin.holder}@${origin.offset}`;
}

/** The condition under which a lazily created pointer is NULL. */
export function nullCondition(nullSymbol: string): BoolExpr {
  return compare('eq', symbol(nullSymbol, 1), bv(1n, 1));
}

/**
 * The size of an object behind a `void *` or a pointer to an incomplete type: nothing says how large
 * it is (DPDK keeps `void *ipv4_lookup_struct` for a 64 MiB `struct rte_lpm`), so it is taken to be
 * as large as the accesses need, up to this many bytes, and the contract says so.
 */
export const OPAQUE_OBJECT_BYTES = 1 << 30;

/** The size given to a lazy object: its pointee's, a buffer's for scalars, `OPAQUE_OBJECT_BYTES` for `void *` and incomplete types. */
export function lazyObjectSize(pointee: Pointee | undefined, bufferBytes: number): { size: number; elementSize?: number; opaqueSize?: true } {
  if (pointee && pointee.isRecord && pointee.size > 0) return { size: pointee.size, elementSize: pointee.size };
  if (pointee && pointee.size === 0) return { size: OPAQUE_OBJECT_BYTES, opaqueSize: true };
  return { size: bufferBytes };
}

/**
 * Whether bytes [offset, offset + count) of `bytes` still hold the input array `root` unchanged: the
 * store chain above it writes only constant offsets outside the range. A loop that forgot the object,
 * a store at a symbolic offset or a write by an unmodelled call makes it false.
 */
export function stillInput(bytes: ArrayExpr, root: string, offset: number, count: number): boolean {
  let current = bytes;
  while (current.op === 'store') {
    if (current.index.op !== 'const') return false;
    const at = Number(current.index.value);
    if (at >= offset && at < offset + count) return false;
    current = current.array;
  }
  // A global no analysed function writes keeps its initial bytes (`global:NAME`), zero where it holds a pointer.
  return (current.op === 'arraySymbol' || current.op === 'arrayConst') && current.name === root;
}

/**
 * NULL comparisons of pointers under lazy initialisation: the condition that both are NULL when one
 * or both may be, undefined when neither may be (the caller's own rules apply).
 */
export function nullableEquality<V extends { kind: string }>(left: V, right: V, isNull: (v: V) => boolean): BoolExpr | undefined {
  const nullableOf = (v: V) => ('nullable' in v ? (v.nullable as BoolExpr | undefined) : undefined);
  const leftNull = isNull(left) ? undefined : nullableOf(left);
  const rightNull = isNull(right) ? undefined : nullableOf(right);
  if (isNull(left) && rightNull) return rightNull;
  if (isNull(right) && leftNull) return leftNull;
  return undefined;
}
