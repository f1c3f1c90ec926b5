// C types with x86-64 LP64 sizes, alignment, struct/union layout and the usual arithmetic conversions.

export interface IntType { kind: 'int'; size: 1 | 2 | 4 | 8 | 16; signed: boolean; name: string; isBool?: boolean }
export interface VoidType { kind: 'void' }
export interface PointerType { kind: 'pointer'; to: CType }
export interface ArrayType {
  kind: 'array';
  of: CType;
  length: number | undefined;
  /** The size expression when it could not be computed (the length is then a placeholder 0). */
  sizeUnknown?: string;
}
export interface FieldLayout { name: string; type: CType; offset: number; bitOffset?: number; bitWidth?: number }
export interface RecordType {
  kind: 'record';
  tag: string;
  union: boolean;
  fields: FieldLayout[];
  size: number;
  align: number;
  complete: boolean;
  packed: boolean;
}
export interface FunctionType { kind: 'function'; returns: CType; params: CType[]; variadic: boolean }
export type CType = IntType | VoidType | PointerType | ArrayType | RecordType | FunctionType;

function int(size: 1 | 2 | 4 | 8 | 16, signed: boolean, name: string): IntType {
  return { kind: 'int', size, signed, name };
}

export const Types = {
  void: { kind: 'void' } as VoidType,
  bool: { kind: 'int', size: 1, signed: false, name: '_Bool', isBool: true } as IntType,
  char: int(1, true, 'char'),
  schar: int(1, true, 'signed char'),
  uchar: int(1, false, 'unsigned char'),
  short: int(2, true, 'short'),
  ushort: int(2, false, 'unsigned short'),
  int: int(4, true, 'int'),
  uint: int(4, false, 'unsigned int'),
  long: int(8, true, 'long'),
  ulong: int(8, false, 'unsigned long'),
  llong: int(8, true, 'long long'),
  ullong: int(8, false, 'unsigned long long'),
  // GCC's 128-bit integers (`__int128`, `__uint128_t`): 64x64-bit products in hashes and divisions.
  int128: int(16, true, '__int128'),
  uint128: int(16, false, 'unsigned __int128'),
};

export function pointerTo(to: CType): PointerType {
  return { kind: 'pointer', to };
}

export function isInteger(t: CType): t is IntType {
  return t.kind === 'int';
}

export function isPointerLike(t: CType): boolean {
  return t.kind === 'pointer' || t.kind === 'array' || t.kind === 'function';
}

export function isScalar(t: CType): boolean {
  return t.kind === 'int' || t.kind === 'pointer';
}

export function sizeOf(t: CType): number {
  switch (t.kind) {
    case 'int': return t.size;
    case 'pointer': return 8;
    case 'void': return 1;
    case 'array': return (t.length ?? 0) * sizeOf(t.of);
    case 'record': return t.size;
    case 'function': return 1;
  }
}

export function alignOf(t: CType): number {
  switch (t.kind) {
    case 'int': return t.size;
    case 'pointer': return 8;
    case 'array': return alignOf(t.of);
    case 'record': return t.align;
    default: return 1;
  }
}

/** Integer promotion: types narrower than int become int (all their values fit). */
export function promote(t: IntType): IntType {
  return t.size < 4 ? Types.int : t;
}

/** The usual arithmetic conversions of C for two integer operands. */
export function usualArithmetic(a: IntType, b: IntType): IntType {
  const pa = promote(a);
  const pb = promote(b);
  if (pa.size === pb.size && pa.signed === pb.signed) return pa;
  if (pa.signed === pb.signed) return pa.size > pb.size ? pa : pb;
  const [unsigned, signed] = pa.signed ? [pb, pa] : [pa, pb];
  if (unsigned.size >= signed.size) return unsigned;
  return signed; // the signed type is wider and holds every value of the unsigned one (LP64)
}

export interface FieldSpec {
  name: string;
  type: CType;
  bitWidth?: number;
  /** `__attribute__((aligned(N)))` on the member: at least this alignment. */
  align?: number;
}

/**
 * Lays out a struct or union following the System V x86-64 ABI; `packed` drops padding, and
 * `recordAlign` (an `aligned(N)` attribute on the type) raises the alignment and so the size.
 */
export function layoutRecord(tag: string, union: boolean, specs: FieldSpec[], packed: boolean, recordAlign = 1): RecordType {
  const fields: FieldLayout[] = [];
  let offset = 0;
  let maxAlign = 1;
  let size = 0;
  let bitCursor = 0; // bit position inside the current storage unit run, for bit-fields
  for (const spec of specs) {
    const fieldAlign = Math.max(packed ? 1 : alignOf(spec.type), spec.align ?? 1);
    const fieldSize = sizeOf(spec.type);
    maxAlign = Math.max(maxAlign, fieldAlign);
    if (spec.bitWidth !== undefined) {
      // Bit-fields pack into storage units of their declared type, like gcc on x86-64.
      const unitBits = fieldSize * 8;
      if (union) {
        fields.push({ name: spec.name, type: spec.type, offset: 0, bitOffset: 0, bitWidth: spec.bitWidth });
        size = Math.max(size, fieldSize);
        continue;
      }
      let absoluteBit = offset * 8 + bitCursor;
      const unitStart = Math.floor(absoluteBit / unitBits) * unitBits;
      if (!packed && absoluteBit + spec.bitWidth > unitStart + unitBits) absoluteBit = unitStart + unitBits;
      const storageStart = packed ? Math.floor(absoluteBit / 8) : Math.floor(absoluteBit / unitBits) * unitBits / 8;
      if (spec.name) {
        fields.push({ name: spec.name, type: spec.type, offset: storageStart, bitOffset: absoluteBit - storageStart * 8, bitWidth: spec.bitWidth });
      }
      const endBit = absoluteBit + spec.bitWidth;
      offset = Math.floor(endBit / 8);
      bitCursor = endBit % 8;
      size = Math.max(size, Math.ceil(endBit / 8));
      continue;
    }
    if (bitCursor > 0) { offset += 1; bitCursor = 0; }
    if (union) {
      fields.push({ name: spec.name, type: spec.type, offset: 0 });
      size = Math.max(size, fieldSize);
    } else {
      offset = alignUp(offset, fieldAlign);
      fields.push({ name: spec.name, type: spec.type, offset });
      offset += fieldSize;
      size = offset;
    }
  }
  if (bitCursor > 0) size = Math.max(size, offset + 1);
  const align = Math.max(packed ? 1 : maxAlign, recordAlign, ...specs.map((f) => f.align ?? 1));
  return { kind: 'record', tag, union, fields, size: alignUp(size, align), align, complete: true, packed };
}

export function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

export function typeToString(t: CType): string {
  switch (t.kind) {
    case 'int': return t.name;
    case 'void': return 'void';
    case 'pointer': return typeToString(t.to) + ' *';
    case 'array': return `${typeToString(t.of)}[${t.length ?? ''}]`;
    case 'record': return `${t.union ? 'union' : 'struct'} ${t.tag}`;
    case 'function': return `${typeToString(t.returns)}(${t.params.map(typeToString).join(', ')})`;
  }
}

export function findField(record: RecordType, name: string): FieldLayout | undefined {
  for (const field of record.fields) {
    if (field.name === name) return field;
    // Anonymous struct/union members expose their fields directly.
    if (field.name === '' && field.type.kind === 'record') {
      const inner = findField(field.type, name);
      if (inner) return { ...inner, offset: field.offset + inner.offset };
    }
  }
  return undefined;
}

/**
 * The size expression of an array, inside `t` (its elements, fields or nested records), whose size
 * could not be computed; undefined when every size is known. A type with such an array has no
 * reliable layout, so code that depends on it is reported instead of analysed.
 */
export function uncomputedSize(t: CType, seen: Set<CType> = new Set()): string | undefined {
  if (seen.has(t)) return undefined;
  seen.add(t);
  if (t.kind === 'array') return t.sizeUnknown ?? uncomputedSize(t.of, seen);
  if (t.kind === 'record') {
    for (const field of t.fields) {
      const found = uncomputedSize(field.type, seen);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
