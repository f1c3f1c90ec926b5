// The intermediate representation: per-function control-flow graphs of explicit, typed instructions.
//
// Registers are mutable virtual registers (no SSA): a local whose address is never taken is a
// register; everything else (globals, pointed-to data, address-taken locals) lives in memory and
// is reached only through `load` and `store`. Widths are in bits (1 for branch conditions,
// 8/16/32/64 for integers, 64 for pointers). Signedness lives in the opcodes, as in LLVM.
import type { ReasonKind } from '../reasons';

export interface SourceRange {
  file: string;
  startByte: number;
  endByte: number;
  startLine: number;   // 0-based
  startColumn: number; // 0-based, UTF-16 code units
  endLine: number;
  endColumn: number;
}

/** The file of a range that stands for the command line (`--assume`). */
export const COMMAND_LINE = '<command line>';

export type Operand =
  | { kind: 'reg'; id: number }
  | { kind: 'imm'; value: bigint; width: number }
  | { kind: 'null' };

export type BinaryOp = 'add' | 'sub' | 'mul' | 'udiv' | 'sdiv' | 'urem' | 'srem' | 'and' | 'or' | 'xor' | 'shl' | 'lshr' | 'ashr';
export type ComparePredicate = 'eq' | 'ne' | 'ult' | 'ule' | 'ugt' | 'uge' | 'slt' | 'sle' | 'sgt' | 'sge';
export type CastOp = 'zext' | 'sext' | 'trunc';

/** Memory a pointer can start from: a global, an address-taken local slot, or a string literal. */
export type AddressBase =
  | { kind: 'global'; name: string }
  | { kind: 'slot'; slot: number }
  | { kind: 'string'; index: number };

export type Instruction = (
  | { op: 'copy'; dst: number; src: Operand; width: number }
  | { op: 'binary'; dst: number; operator: BinaryOp; left: Operand; right: Operand; width: number }
  | { op: 'compare'; dst: number; predicate: ComparePredicate; left: Operand; right: Operand; width: number; pointers: boolean }
  | { op: 'cast'; dst: number; cast: CastOp; src: Operand; from: number; to: number }
  /** Pointer to the start of a memory object. */
  | { op: 'address'; dst: number; base: AddressBase }
  /** dst = pointer + byteOffset (byteOffset is a signed 64-bit integer). */
  | { op: 'offset'; dst: number; pointer: Operand; byteOffset: Operand }
  /** Byte difference of two pointers into the same object, as a signed 64-bit integer. */
  | { op: 'pointerDiff'; dst: number; left: Operand; right: Operand }
  /** Loads `width` bits little-endian; `pointer` says the loaded value is a pointer. */
  | { op: 'load'; dst: number; address: Operand; width: number; pointer: boolean; pointee?: Pointee }
  | { op: 'store'; address: Operand; value: Operand; width: number; pointer: boolean }
  /**
   * A pointer into the packet from an XDP context's `data` (offset 0), `data_end` (offset = the
   * packet's length) or `data_meta` (offset 0, no metadata) field; `src` is the field's integer value,
   * which only the lowering's cost sees (symex/packet.ts).
   */
  | { op: 'packetPointer'; dst: number; field: PacketField; src: Operand }
  | {
    op: 'call'; dst: number | undefined; callee: string; args: Operand[]; argWidths: number[]; returnWidth: number; returnsPointer: boolean; pointee?: Pointee;
    /** An `asm` with a "memory" clobber: the call may write every object outside the function's own locals. */
    clobbersMemory?: boolean;
  }
) & {
  range: SourceRange;
  /** Part of an `assume` annotation's condition: not code of the function, so it costs nothing. */
  assumption?: true;
};

/**
 * What a loaded or returned pointer points to, for memory the analysis did not allocate (lazy
 * objects): the pointee's size (0 when incomplete or void) and whether it is a struct or union.
 */
/** The fields of an XDP context (`struct xdp_md`, `struct __sk_buff`) that point into the packet. */
export type PacketField = 'data' | 'data_end' | 'data_meta';

/** Struct tags whose `data`/`data_end` fields are packet pointers. */
export const PACKET_CONTEXTS: ReadonlySet<string> = new Set(['xdp_md', '__sk_buff']);

export interface Pointee {
  size: number;
  isRecord: boolean;
  name: string;
  /**
   * Set on a load of a DPDK `struct rte_mbuf`'s `buf_addr`: the byte offsets of its `data_off`,
   * `data_len` and `buf_len` fields (16-bit), which tie the buffer to the packet in it (symex/packet.ts).
   */
  mbuf?: MbufLayout;
}

/** Where a DPDK `struct rte_mbuf` keeps the packet's position and length in its buffer. */
export interface MbufLayout {
  dataOff: number;
  dataLen: number;
  bufLen: number;
}

export type Terminator = (
  | { op: 'jump'; target: number }
  /** `condition` is a 1-bit value; `text` is the C source of the condition, for path classes. */
  /**
   * With `assumption` (the text of a `/*@ assume EXPR *\/`), the branch is a precondition, not code:
   * it costs nothing, decides no class, and its false side ends the path as `assumption-violated`.
   */
  | { op: 'branch'; condition: Operand; whenTrue: number; whenFalse: number; text: string; assumption?: string }
  | { op: 'switch'; value: Operand; width: number; cases: { value: bigint; target: number }[]; defaultTarget: number; text: string }
  | { op: 'return'; value: Operand | undefined }
  /**
   * Control reaches the end of a non-void function without `return`, or other undefined behaviour;
   * or, with `failure`, a statement the lowering could not model (`DEFERRED_LOWERING_FAILURES`):
   * a path that reaches it ends there with that reason, and the rest of the function is analysed.
   */
  | { op: 'unreachable'; reason: string; failure?: ReasonKind }
) & { range: SourceRange };

export interface BasicBlock {
  id: number;
  instructions: Instruction[];
  terminator: Terminator;
  /** Set on a loop's condition block: the id of the loop in `IrFunction.loops`. */
  loopHeader?: number;
}

export interface LoopInfo {
  id: number;
  header: number;
  kind: 'for' | 'while' | 'do';
  range: SourceRange;
  /** Text of the `/*@ ... *\/` annotations written just before the loop. */
  annotations: string[];
  /** Bounds declared with `/*@ bound NAME <= EXPR *\/` before the loop, EXPR evaluated as a constant. */
  bounds: Record<string, number>;
}

export type ParameterKind =
  | { kind: 'int'; width: number; signed: boolean }
  | { kind: 'pointer'; pointeeSize: number; pointeeName: string; pointeeIsRecord: boolean };

export interface IrParameter {
  name: string;
  register: number;
  type: ParameterKind;
}

export interface IrSlot {
  id: number;
  name: string;
  size: number;
}

export interface IrFunction {
  name: string;
  file: string;
  range: SourceRange;
  nameRange: SourceRange;
  params: IrParameter[];
  returnWidth: number; // 0 for void
  returnsPointer: boolean;
  returnSigned: boolean;
  /** Address-taken locals, each its own memory object created on entry. */
  slots: IrSlot[];
  blocks: BasicBlock[];
  entry: number;
  registerCount: number;
  /** Register id -> source-level name, for named locals and parameters. */
  registerNames: Map<number, string>;
  /** Registers of named locals and parameters whose C type is signed. */
  signedRegisters: Set<number>;
  loops: LoopInfo[];
  /**
   * `/*@ count NAME "description" *\/` before a statement in a loop body: the iterations of the
   * innermost loop around it that reach the statement (instruction `index` of `block`) are counted
   * by their own PCV NAME instead of the loop's.
   */
  countMarks: { name: string; description: string; block: number; index: number; line: number }[];
  /** Names of functions called (defined, intrinsic or external). */
  callees: string[];
  /** Annotations written in the comment just before the function. */
  annotations: string[];
  /** Source text of the function definition, used for hashing. */
  text: string;
}

export interface IrGlobal {
  name: string;
  size: number;
  /** Concrete initial bytes (zero-filled when there is no initialiser). */
  initial: Uint8Array;
  /** Byte offsets at which the initialiser stores pointers: offset -> target. */
  initialPointers: { offset: number; target: AddressBase; targetOffset: number }[];
  /** True when the initial value is known: constant-initialised and never written by any function. */
  readOnly: boolean;
  isConst: boolean;
  range: SourceRange;
}

export interface IrProgram {
  functions: Map<string, IrFunction>;
  globals: Map<string, IrGlobal>;
  strings: Uint8Array[];
  /** Functions declared without a body (no definition in the analysed sources). */
  externals: Set<string>;
}

export function operandToString(o: Operand): string {
  if (o.kind === 'reg') return `%${o.id}`;
  if (o.kind === 'null') return 'null';
  return `${o.value}:i${o.width}`;
}

export function instructionToString(i: Instruction): string {
  switch (i.op) {
    case 'copy': return `%${i.dst} = copy i${i.width} ${operandToString(i.src)}`;
    case 'binary': return `%${i.dst} = ${i.operator} i${i.width} ${operandToString(i.left)}, ${operandToString(i.right)}`;
    case 'compare': return `%${i.dst} = cmp ${i.predicate} ${i.pointers ? 'ptr' : 'i' + i.width} ${operandToString(i.left)}, ${operandToString(i.right)}`;
    case 'cast': return `%${i.dst} = ${i.cast} i${i.from} ${operandToString(i.src)} to i${i.to}`;
    case 'address': return `%${i.dst} = address ${i.base.kind === 'global' ? '@' + i.base.name : i.base.kind === 'slot' ? 'slot' + i.base.slot : 'str' + i.base.index}`;
    case 'offset': return `%${i.dst} = offset ${operandToString(i.pointer)}, ${operandToString(i.byteOffset)}`;
    case 'packetPointer': return `%${i.dst} = packet.${i.field} ${operandToString(i.src)}`;
    case 'pointerDiff': return `%${i.dst} = ptrdiff ${operandToString(i.left)}, ${operandToString(i.right)}`;
    case 'load': return `%${i.dst} = load ${i.pointer ? 'ptr' : 'i' + i.width} ${operandToString(i.address)}`;
    case 'store': return `store ${i.pointer ? 'ptr' : 'i' + i.width} ${operandToString(i.value)}, ${operandToString(i.address)}`;
    case 'call': return `${i.dst !== undefined ? '%' + i.dst + ' = ' : ''}call ${i.callee}(${i.args.map(operandToString).join(', ')})`;
  }
}

export function terminatorToString(t: Terminator): string {
  switch (t.op) {
    case 'jump': return `jump b${t.target}`;
    case 'branch': return `branch ${operandToString(t.condition)}, b${t.whenTrue}, b${t.whenFalse}`;
    case 'switch': return `switch ${operandToString(t.value)} [${t.cases.map((c) => `${c.value}: b${c.target}`).join(', ')}] default b${t.defaultTarget}`;
    case 'return': return `return${t.value ? ' ' + operandToString(t.value) : ''}`;
    case 'unreachable': return `unreachable "${t.reason}"`;
  }
}

export function functionToString(f: IrFunction): string {
  const lines = [`function ${f.name}(${f.params.map((p) => `${p.name}=%${p.register}`).join(', ')})`];
  for (const block of f.blocks) {
    lines.push(`b${block.id}:${block.loopHeader !== undefined ? ' ; loop ' + block.loopHeader : ''}`);
    for (const instruction of block.instructions) lines.push('  ' + instructionToString(instruction));
    lines.push('  ' + terminatorToString(block.terminator));
  }
  return lines.join('\n');
}
