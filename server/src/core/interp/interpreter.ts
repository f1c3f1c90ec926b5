// The reference concrete interpreter: runs the IR on one concrete input (a witness) with the same
// cost model as the symbolic engine, so that `perfcontract run` can cross-check its contracts.
//
// It deliberately shares nothing with the symbolic engine except the IR types, the cost table,
// PathTrace, the region sizes, the witness format and the closed list of reasons.
//
// Memory model: every memory object (global, pointer-parameter region, address-taken local slot,
// string literal) is a byte array plus a side table of pointer values stored at exact byte offsets
// by pointer stores. Pointer stores write only the side table (the bytes underneath are left as
// they were); integer stores and memset write bytes and drop every side-table entry they overlap;
// memcpy copies bytes and the side-table entries lying entirely inside the source range.

import type {
  AddressBase, BasicBlock, BinaryOp, ComparePredicate, Instruction, IrFunction, IrProgram, Operand, SourceRange, Terminator,
} from '../ir/ir';
import { addCost, Cost, instructionCost, intrinsicCost, terminatorCost, zeroCost } from '../cost/costModel';
import type { ReasonKind } from '../reasons';
import { PathTrace } from '../ir/pathTrace';
import { DEFAULT_REGION_OPTIONS, parameterRegionSize, RegionOptions } from '../ir/regionSize';
import { hexToBytes, Witness } from '../contract/witness';
import { PACKET_OBJECT } from '../symex/packet';
import { countMarks, loopBody, loopMarkNames, loopPcv, pcvInstanceName } from '../ir/loops';
import { runsInFull } from '../ir/fullUnroll';
import { DeclaredCase, DeclaredContracts, DeclaredWrite, caseCost, contractForDiscardedResult, nameCasePcvs, rangeOf } from '../declared/declaredContracts';

export interface InterpretOptions {
  regions: RegionOptions;
  /** Executed instructions + terminators allowed before the run ends with 'time-limit'. */
  maxSteps: number;
  /**
   * When the analysis summarised loops after this many explicit iterations: count the remaining
   * iterations as PCVs and identify the path as the analysis does (only a loop's last iteration
   * shapes the path identity). Undefined: every iteration counts in the path identity.
   */
  summarizeAfter?: number;
  /**
   * Calls to allocators without a body (`ALLOCATORS`) return a fresh zero-filled object named
   * `init:CALLEE#k`: used to run an init function whose allocations the analysis starts from.
   */
  allocate?: boolean;
  /**
   * With `summarizeAfter`: loops that the analysis ran in full under this limit (a contract's
   * `fullUnrollLimit`, `ir/fullUnroll.ts`) are not summarised here either. Undefined: none.
   */
  fullUnrollLimit?: number;
  /** Contracts of functions without a body: their cost is the matching case's, at the witness's PCV values. */
  declaredContracts?: DeclaredContracts;
  /** As in the analysis: calls to a function with a body and a declared contract use the contract. */
  preferDeclaredContracts?: boolean;
  /**
   * Reports every call to these functions (executed from their bodies): the k-th call's result,
   * what it stored through the out-parameters its declared contract `writes`, and the loop PCVs it
   * counted (by PCV name without primes). Lets a run of a library's code be replayed against the
   * library's contracts. The loops run inside an observed call to a function whose declared
   * contract has an `unrollLimit` are counted with that limit, as its contract's PCVs were derived.
   */
  observeCalls?: { callees: ReadonlySet<string>; record: (call: ObservedCall) => void };
  /** For a declared call: the value of one of its case's PCVs (default: the witness's `pcv`). */
  declaredPcvValue?: (callee: string, k: number, pcv: string) => number | undefined;
  /**
   * For a declared call: the globals the code behind it left (from an observed run), written into
   * memory after the call. A contract states the cost, result and out-parameters of a call, not its
   * other effects on state, which the rest of the call's caller may read (a backend marked down
   * before a Maglev repopulation).
   */
  declaredGlobalEffects?: (callee: string, k: number) => readonly (readonly [string, Uint8Array])[] | undefined;
}

export const DEFAULT_MAX_STEPS = 10_000_000;

export interface ObservedCall {
  callee: string;
  /** 1-based, per callee, in call order (as `externals` keys count). */
  k: number;
  /** Signed return value; undefined for void functions. */
  returned?: bigint;
  /** Out-parameter name -> the integer it holds after the call. */
  writes: Record<string, bigint>;
  /** PCV name without primes -> the largest value a loop of that PCV counted during the call. */
  pcv: Record<string, number>;
  /** Globals the call wrote, with their bytes after it. */
  globals: [string, Uint8Array][];
}

/** Largest call depth (the entry function is depth 1); deeper calls end with 'recursion'. */
export const MAX_CALL_DEPTH = 1000;

export type ConcreteValue =
  | { kind: 'int'; value: bigint /* unsigned bits, masked to width */ }
  | { kind: 'pointer'; object: string; offset: bigint }
  | { kind: 'null' };

type PointerOrNull = Exclude<ConcreteValue, { kind: 'int' }>;
const NULL_POINTER: PointerOrNull = { kind: 'null' };

export interface InterpretResult {
  returnValue: ConcreteValue | undefined;
  cost: Cost;
  /** PathTrace digest of the executed path. */
  trace: string;
  /** Values of the PCVs of summarised loops on this run (empty without `summarizeAfter`). */
  pcv: Record<string, number>;
  /**
   * The callee of each PCV a declared contract's case introduced on this run. Names follow the
   * order of occurrence on the path (`t`, `t'`, ...), so on another path the same name can count
   * another callee's PCV.
   */
  pcvCallees: Record<string, string>;
  /** Sizes passed to memcpy/memset/memcmp on this run, per intrinsic (each size once). */
  intrinsicSizes: Record<string, number[]>;
  error?: { reason: ReasonKind; message: string; range: SourceRange };
  /** Final contents of every memory object, by object name. */
  memory: Map<string, Uint8Array>;
  /** Final pointer side tables (pointers stored by the code), by object name. */
  pointers: Map<string, Map<number, { object: string; offset: bigint } | null>>;
}

interface MemoryObject {
  bytes: Uint8Array;
  /**
   * A witness heap object's size when larger than its given bytes: `bytes` grows, zero-filled, up to
   * it as the run reaches further, so a lazily sized table of many megabytes costs only what is read.
   */
  limit?: number;
  /** Pointer values stored by pointer stores, keyed by byte offset. */
  pointers: Map<number, PointerOrNull>;
}

interface Frame {
  fn: IrFunction;
  blocks: Map<number, BasicBlock>;
  registers: (ConcreteValue | undefined)[];
  /** Slot id -> memory object name for this activation. */
  slots: Map<number, string>;
  block: BasicBlock;
  /** Index of the next instruction of `block` to run; `instructions.length` means the terminator. */
  index: number;
  /** The call instruction in the caller waiting for this frame's return value. */
  pendingCall?: Extract<Instruction, { op: 'call' }>;
  /** Loops entered in this activation: header -> visits of the header in the current entry. */
  loops: Map<number, LoopState>;
  /** Set for an observed call (see InterpretOptions.observeCalls). */
  /**
   * `counts`: the loop PCVs this activation (and the calls below it) counted, per PCV name: the
   * largest entry's count, or for a total loop the iterations since the call began. Counted here,
   * not from the PCVs' values, which keep the largest over a summarised loop's iterations around the call.
   */
  observation?: { callee: string; k: number; args: ConcreteValue[]; pcvBefore: Record<string, number>; counts: Record<string, number> };
  /** The unroll limit this activation's loops are counted with; undefined: not counted. */
  summarizeAfter?: number;
  /** The full-unroll limit this activation's loops are counted with (see InterpretOptions.fullUnrollLimit). */
  fullUnrollLimit?: number;
}

interface LoopState {
  visits: number;
  pcv?: string;
  /**
   * Count marks of this loop: mark name -> its PCV instance, iterations that reached it, and (for a
   * total loop) the PCV's value when this entry into the loop began.
   */
  marks?: Map<string, { pcv: string; count: number; start: number }>;
  /** `/*@ pcv NAME total *\/`: the PCVs sum the entries' iterations instead of keeping the largest. */
  total?: boolean;
  /** For a total loop, its PCV's value when this entry began. */
  start?: number;
  /** The mark the current summarised iteration reached. */
  marked?: string;
  plainCount?: number;
  /** PCV instance counters when summarising began: every summarised iteration reuses the same names. */
  instancesAtStart?: Map<string, number>;
}

/**
 * A PathTrace that can hold back the decisions of a summarised loop's iterations: each iteration's
 * decisions are dropped when the next begins, and the last one's are kept when the loop is left.
 */
class CollapsingTrace {
  private readonly base = new PathTrace();
  private readonly buffers: ((t: PathTrace) => void)[][] = [];

  decide(functionName: string, from: number, to: number): void {
    this.record((t) => t.decide(functionName, from, to));
  }

  declaredCase(callee: string, caseIndex: number): void {
    this.record((t) => t.declaredCase(callee, caseIndex));
  }

  enter(functionName: string): void {
    this.record((t) => t.enter(functionName));
  }

  exit(): void {
    this.record((t) => t.exit());
  }

  open(): void {
    this.buffers.push([]);
  }

  restartIteration(): void {
    const top = this.buffers[this.buffers.length - 1];
    if (top) top.length = 0;
  }

  close(): void {
    const operations = this.buffers.pop() ?? [];
    for (const operation of operations) this.record(operation);
  }

  digest(): string {
    while (this.buffers.length > 0) this.close();
    return this.base.digest();
  }

  private record(operation: (t: PathTrace) => void): void {
    const top = this.buffers[this.buffers.length - 1];
    if (top) top.push(operation);
    else operation(this.base);
  }
}

/** Ends the run: a program error or a limit. The range is that of the instruction being run. */
class Stop {
  constructor(readonly reason: ReasonKind, readonly message: string) {}
}

const INTRINSICS = new Set(['memcpy', 'memset', 'memcmp']);

function int(value: bigint): ConcreteValue {
  return { kind: 'int', value };
}

const ZERO: ConcreteValue = int(0n);

/** Parses an integer from a witness: a JSON integer or a decimal string (negative allowed). */
function witnessInteger(value: number | string, what: string): bigint {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`witness value for ${what} is not an integer: ${value}`);
    return BigInt(value);
  }
  const text = value.trim();
  if (!/^[+-]?[0-9]+$/.test(text)) throw new Error(`witness value for ${what} is not a decimal integer: '${value}'`);
  return BigInt(text);
}

/** `record[key]` when it is the record's own property (so `constructor` etc. are not found). */
function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function byteCount(width: number): number {
  return Math.max(1, Math.ceil(width / 8));
}

class Machine {
  readonly memory = new Map<string, MemoryObject>();
  readonly cost: Cost = zeroCost();
  readonly trace = new CollapsingTrace();
  readonly pcv: Record<string, number> = {};
  readonly pcvCallees: Record<string, string> = {};
  readonly intrinsicSizes: Record<string, number[]> = {};
  private pcvInstances = new Map<string, number>();
  /** Total declared PCVs whose witness value was charged (at their first call). */
  private readonly witnessTotalsCharged = new Set<string>();
  private readonly observedCounts = new Map<string, number>();
  /** Per observed call in progress (innermost last): the memory objects written since it began. */
  private readonly observedWrites: Set<string>[] = [];
  private readonly stack: Frame[] = [];
  /** Witness names (parameters, globals, heap objects) -> memory object names. */
  private readonly witnessObjects = new Map<string, string>();
  private readonly functionBlocks = new Map<string, Map<number, BasicBlock>>();
  private readonly externalCalls = new Map<string, number>();
  private steps = 0;
  private frameCounter = 0;
  /** Range of the instruction or terminator being run, for errors. */
  range: SourceRange;

  constructor(
    private readonly program: IrProgram,
    private readonly witness: Witness,
    private readonly options: InterpretOptions,
    entry: IrFunction,
  ) {
    this.range = entry.range;
  }

  // ---------------------------------------------------------------- setup

  setUpStrings(): void {
    this.program.strings.forEach((bytes, index) => {
      this.memory.set(`str#${index}`, { bytes: new Uint8Array(bytes), pointers: new Map() });
    });
  }

  setUpGlobals(): void {
    for (const global of this.program.globals.values()) {
      const bytes = new Uint8Array(global.size);
      const hex = own(this.witness.memory, global.name);
      if (hex !== undefined) {
        const given = hexToBytes(hex);
        bytes.set(given.subarray(0, global.size));
      } else {
        bytes.set(global.initial.subarray(0, global.size));
      }
      this.memory.set(global.name, { bytes, pointers: new Map() });
      this.witnessObjects.set(global.name, global.name);
    }
    for (const global of this.program.globals.values()) {
      const object = this.memory.get(global.name)!;
      for (const initial of global.initialPointers) {
        const target = this.baseObjectName(initial.target, undefined);
        object.pointers.set(initial.offset, { kind: 'pointer', object: target, offset: BigInt(initial.targetOffset) });
      }
    }
  }

  /** Creates the entry frame, with its parameters taken from the witness. */
  enterEntry(fn: IrFunction): void {
    const frame = this.newFrame(fn, this.options.summarizeAfter, this.options.fullUnrollLimit);
    for (const param of fn.params) {
      if (param.type.kind === 'int') {
        const given = own(this.witness.args, param.name);
        const value = given === undefined ? 0n : witnessInteger(given, `parameter '${param.name}'`);
        frame.registers[param.register] = int(BigInt.asUintN(param.type.width, value));
      } else {
        const size = parameterRegionSize(param.type, this.options.regions);
        const hex = own(this.witness.memory, param.name);
        const given = hex !== undefined ? hexToBytes(hex) : new Uint8Array(0);
        const bytes = new Uint8Array(Math.max(size, given.length));
        bytes.set(given);
        // A parameter shadowing a global still gets its own object.
        const name = this.memory.has(param.name) ? `${param.name}@param` : param.name;
        this.memory.set(name, { bytes, pointers: new Map() });
        this.witnessObjects.set(param.name, name);
        frame.registers[param.register] = { kind: 'pointer', object: name, offset: 0n };
      }
    }
    this.stack.push(frame);
  }

  /**
   * Rebuilds the witness's heap: its lazily created objects and the pointers to them inside
   * parameters' pointees, globals and other heap objects (as the analysis created them on first load).
   */
  setUpHeap(): void {
    for (const [name, hex] of Object.entries(this.witness.heap ?? {})) {
      const bytes = hexToBytes(hex);
      const size = own(this.witness.heapSizes, name);
      if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) throw new Error(`witness heap size of '${name}' is not a byte count: ${size}`);
      this.memory.set(name, { bytes, pointers: new Map(), ...(size !== undefined && size > bytes.length ? { limit: size } : {}) });
      this.witnessObjects.set(name, name);
    }
    for (const [holder, pointers] of Object.entries(this.witness.pointers ?? {})) {
      if (/^.+#\d+:arg\d+$/.test(holder)) continue; // memory written by an unmodelled call: set after that call
      const object = this.memory.get(this.witnessObjects.get(holder) ?? '');
      if (!object) throw new Error(`witness pointers name an unknown object '${holder}'`);
      for (const [offset, target] of Object.entries(pointers)) {
        object.pointers.set(Number(offset), this.heapPointer(target, `pointer at ${holder}+${offset}`));
      }
    }
  }

  private heapPointer(target: string | null, what: string): PointerOrNull {
    if (target === null) return { kind: 'null' };
    if (!this.memory.has(target) || own(this.witness.heap, target) === undefined) throw new Error(`witness ${what} names '${target}', which is not in its heap`);
    return { kind: 'pointer', object: target, offset: 0n };
  }

  /** An unmodelled call's writes, from the witness: the bytes of each object it reaches after the call. */
  private externalWrites(frame: Frame, ins: Extract<Instruction, { op: 'call' }>, key: string): void {
    for (const [name, hex] of Object.entries(own(this.witness.externalWrites, key) ?? {})) {
      let objectName = this.witnessObjects.get(name);
      const argument = name.startsWith(`${key}:arg`) ? Number(name.slice(key.length + 4)) : undefined;
      if (argument !== undefined) {
        // The code's own memory behind an argument: named after the call, its pointers lazily created after it.
        const pointer = ins.args[argument] ? this.readPointer(frame, ins.args[argument]!) : undefined;
        objectName = pointer?.kind === 'pointer' ? pointer.object : undefined;
      }
      const object = objectName === undefined ? undefined : this.memory.get(objectName);
      if (!object) throw new Error(`witness writes of '${key}' name an unknown object '${name}'`);
      const bytes = hexToBytes(hex);
      if (object.limit !== undefined && bytes.length > object.bytes.length) this.grow(object, bytes.length);
      object.bytes.set(bytes.subarray(0, object.bytes.length));
      if (argument !== undefined) {
        this.witnessObjects.set(name, objectName!);
        object.pointers.clear();
        for (const [offset, target] of Object.entries(own(this.witness.pointers, name) ?? {})) {
          object.pointers.set(Number(offset), this.heapPointer(target, `pointer at ${name}+${offset}`));
        }
      }
    }
  }

  private newFrame(fn: IrFunction, summarizeAfter: number | undefined, fullUnrollLimit: number | undefined): Frame {
    let blocks = this.functionBlocks.get(fn.name);
    if (!blocks) {
      blocks = new Map(fn.blocks.map((b) => [b.id, b]));
      this.functionBlocks.set(fn.name, blocks);
    }
    const number = this.frameCounter++;
    const slots = new Map<number, string>();
    for (const slot of fn.slots) {
      const name = `${fn.name}.${slot.name}#${number}`;
      this.memory.set(name, { bytes: new Uint8Array(slot.size), pointers: new Map() });
      slots.set(slot.id, name);
    }
    const block = blocks.get(fn.entry);
    if (!block) throw new Error(`function '${fn.name}' has no entry block b${fn.entry}`);
    return { fn, blocks, registers: new Array(fn.registerCount).fill(undefined), slots, block, index: 0, loops: new Map(), summarizeAfter, fullUnrollLimit };
  }

  // ---------------------------------------------------------------- main loop

  /** Runs until the entry function returns; returns its return value. */
  run(): ConcreteValue | undefined {
    for (;;) {
      const frame = this.stack[this.stack.length - 1];
      if (frame.summarizeAfter !== undefined && frame.fn.countMarks.length > 0) this.noteMark(frame);
      if (frame.index < frame.block.instructions.length) {
        const instruction = frame.block.instructions[frame.index];
        this.range = instruction.range;
        this.step();
        this.execute(frame, instruction);
      } else {
        const terminator = frame.block.terminator;
        this.range = terminator.range;
        this.step();
        const done = this.terminate(frame, terminator);
        if (done) return done.value;
      }
    }
  }

  private step(): void {
    if (this.steps >= this.options.maxSteps) throw new Stop('time-limit', `the run exceeded ${this.options.maxSteps} steps`);
    this.steps++;
  }

  // ---------------------------------------------------------------- values

  private read(frame: Frame, operand: Operand): ConcreteValue {
    switch (operand.kind) {
      case 'reg': return frame.registers[operand.id] ?? ZERO;
      case 'imm': return int(BigInt.asUintN(operand.width, operand.value));
      case 'null': return { kind: 'null' };
    }
  }

  /** The operand as an integer of `width` bits. */
  private readInt(frame: Frame, operand: Operand, width: number): bigint {
    const value = this.read(frame, operand);
    if (value.kind !== 'int') throw new Stop('invalid-pointer', 'a pointer is used as an integer');
    return BigInt.asUintN(width, value.value);
  }

  /** The operand as a pointer; the integer 0 is the null pointer. */
  private readPointer(frame: Frame, operand: Operand): PointerOrNull {
    return this.toPointer(this.read(frame, operand));
  }

  private toPointer(value: ConcreteValue): PointerOrNull {
    if (value.kind !== 'int') return value;
    if (value.value === 0n) return { kind: 'null' };
    throw new Stop('invalid-pointer', 'an integer is used as a pointer');
  }

  private set(frame: Frame, dst: number, value: ConcreteValue): void {
    frame.registers[dst] = value;
  }

  // ---------------------------------------------------------------- memory

  private baseObjectName(base: AddressBase, frame: Frame | undefined): string {
    switch (base.kind) {
      case 'global':
        if (!this.program.globals.has(base.name)) throw new Error(`unknown global '${base.name}'`);
        return base.name;
      case 'string':
        if (base.index < 0 || base.index >= this.program.strings.length) throw new Error(`unknown string literal #${base.index}`);
        return `str#${base.index}`;
      case 'slot': {
        const name = frame?.slots.get(base.slot);
        if (name === undefined) throw new Error(`unknown slot ${base.slot}${frame ? ` in '${frame.fn.name}'` : ''}`);
        return name;
      }
    }
  }

  /** Inside observed calls, remembers which object a write goes to. */
  private noteWrite(pointer: PointerOrNull): void {
    if (this.observedWrites.length === 0 || pointer.kind === 'null') return;
    for (const written of this.observedWrites) written.add(pointer.object);
  }

  /** Checks that `bytes` bytes from `pointer` are inside its object; returns the object and offset. */
  private access(pointer: PointerOrNull, bytes: bigint, what: string): { object: MemoryObject; offset: number } {
    if (pointer.kind === 'null') throw new Stop('null-dereference', `${what} through a null pointer`);
    const object = this.memory.get(pointer.object);
    if (!object) throw new Error(`unknown memory object '${pointer.object}'`);
    if (object.limit !== undefined && pointer.offset >= 0n && pointer.offset + bytes > BigInt(object.bytes.length) && pointer.offset + bytes <= BigInt(object.limit)) {
      this.grow(object, Number(pointer.offset + bytes));
    }
    const size = BigInt(object.limit ?? object.bytes.length);
    if (pointer.offset < 0n || pointer.offset + bytes > size) {
      throw new Stop('out-of-bounds', `${what} of ${bytes} byte(s) at offset ${pointer.offset} of '${pointer.object}' (size ${size})`);
    }
    return { object, offset: Number(pointer.offset) };
  }

  /** Extends a heap object's zero-filled bytes to at least `end` (at most its limit), doubling to keep growth cheap. */
  private grow(object: MemoryObject, end: number): void {
    const grown = new Uint8Array(Math.min(object.limit ?? end, Math.max(end, 2 * object.bytes.length)));
    grown.set(object.bytes.subarray(0, grown.length));
    object.bytes = grown;
  }

  /** Drops the side-table pointers overlapping [offset, offset + length). */
  private dropPointers(object: MemoryObject, offset: number, length: number): void {
    for (const at of [...object.pointers.keys()]) {
      if (at < offset + length && at + 8 > offset) object.pointers.delete(at);
    }
  }

  private loadInt(object: MemoryObject, offset: number, width: number): bigint {
    let value = 0n;
    const n = byteCount(width);
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(object.bytes[offset + i]);
    return BigInt.asUintN(width, value);
  }

  private storeInt(object: MemoryObject, offset: number, width: number, value: bigint): void {
    const n = byteCount(width);
    let v = BigInt.asUintN(n * 8, value);
    for (let i = 0; i < n; i++) {
      object.bytes[offset + i] = Number(v & 0xffn);
      v >>= 8n;
    }
    this.dropPointers(object, offset, n);
  }

  // ---------------------------------------------------------------- instructions

  private execute(frame: Frame, ins: Instruction): void {
    switch (ins.op) {
      case 'copy': {
        const value = this.read(frame, ins.src);
        this.set(frame, ins.dst, value.kind === 'int' ? int(BigInt.asUintN(ins.width, value.value)) : value);
        break;
      }
      case 'binary':
        this.set(frame, ins.dst, int(this.binary(ins.operator, this.readInt(frame, ins.left, ins.width), this.readInt(frame, ins.right, ins.width), ins.width)));
        break;
      case 'compare': {
        const result = ins.pointers
          ? this.comparePointers(ins.predicate, this.readPointer(frame, ins.left), this.readPointer(frame, ins.right))
          : compareInts(ins.predicate, this.readInt(frame, ins.left, ins.width), this.readInt(frame, ins.right, ins.width), ins.width);
        this.set(frame, ins.dst, int(result ? 1n : 0n));
        break;
      }
      case 'cast': {
        const value = this.readInt(frame, ins.src, ins.from);
        let result: bigint;
        switch (ins.cast) {
          case 'zext': result = value; break;
          case 'sext': result = BigInt.asIntN(ins.from, value); break;
          case 'trunc': result = value; break;
        }
        this.set(frame, ins.dst, int(BigInt.asUintN(ins.to, result)));
        break;
      }
      case 'address':
        this.set(frame, ins.dst, { kind: 'pointer', object: this.baseObjectName(ins.base, frame), offset: 0n });
        break;
      case 'offset': {
        const pointer = this.readPointer(frame, ins.pointer);
        const delta = BigInt.asIntN(64, this.readInt(frame, ins.byteOffset, 64));
        if (pointer.kind === 'null') {
          if (delta !== 0n) throw new Stop('invalid-pointer', 'non-zero offset added to a null pointer');
          this.set(frame, ins.dst, pointer);
        } else {
          this.set(frame, ins.dst, { kind: 'pointer', object: pointer.object, offset: BigInt.asIntN(64, pointer.offset + delta) });
        }
        break;
      }
      case 'packetPointer': {
        // The XDP packet (symex/packet.ts): `data` at its start, `data_end` one past its last byte.
        let packet = this.memory.get(PACKET_OBJECT);
        if (!packet) {
          const given = this.witness.packet;
          const length = given === undefined ? 0 : given.length;
          if (!Number.isSafeInteger(length) || length < 0) throw new Error(`witness packet length is not a byte count: ${length}`);
          const bytes = new Uint8Array(length);
          if (given?.bytes) bytes.set(hexToBytes(given.bytes).subarray(0, length));
          packet = { bytes, pointers: new Map() };
          this.memory.set(PACKET_OBJECT, packet);
        }
        this.set(frame, ins.dst, { kind: 'pointer', object: PACKET_OBJECT, offset: ins.field === 'data_end' ? BigInt(packet.bytes.length) : 0n });
        break;
      }
      case 'pointerDiff': {
        const left = this.readPointer(frame, ins.left);
        const right = this.readPointer(frame, ins.right);
        if (left.kind !== 'pointer' || right.kind !== 'pointer' || left.object !== right.object) {
          throw new Stop('invalid-pointer', 'difference of pointers into different objects');
        }
        this.set(frame, ins.dst, int(BigInt.asUintN(64, left.offset - right.offset)));
        break;
      }
      case 'load': {
        const { object, offset } = this.access(this.readPointer(frame, ins.address), BigInt(byteCount(ins.width)), 'load');
        if (ins.pointer) {
          const stored = object.pointers.get(offset) ?? (this.loadInt(object, offset, 64) === 0n ? NULL_POINTER : undefined);
          if (!stored) throw new Stop('invalid-pointer', 'load of a pointer that was not stored');
          this.set(frame, ins.dst, stored);
        } else {
          this.set(frame, ins.dst, int(this.loadInt(object, offset, ins.width)));
        }
        break;
      }
      case 'store': {
        const address = this.readPointer(frame, ins.address);
        this.noteWrite(address);
        if (ins.pointer) {
          const value = this.readPointer(frame, ins.value);
          const n = byteCount(ins.width);
          const { object, offset } = this.access(address, BigInt(n), 'store');
          this.dropPointers(object, offset, n);
          object.pointers.set(offset, value);
        } else {
          const value = this.readInt(frame, ins.value, ins.width);
          const { object, offset } = this.access(address, BigInt(byteCount(ins.width)), 'store');
          this.storeInt(object, offset, ins.width, value);
        }
        break;
      }
      case 'call':
        this.call(frame, ins);
        return; // `call` advances the frame itself
    }
    addCost(this.cost, instructionCost(ins));
    frame.index++;
  }

  private binary(operator: BinaryOp, a: bigint, b: bigint, width: number): bigint {
    switch (operator) {
      case 'add': return BigInt.asUintN(width, a + b);
      case 'sub': return BigInt.asUintN(width, a - b);
      case 'mul': return BigInt.asUintN(width, a * b);
      case 'and': return a & b;
      case 'or': return a | b;
      case 'xor': return a ^ b;
      case 'udiv':
      case 'urem':
        if (b === 0n) throw new Stop('division-by-zero', `${operator} by zero`);
        return operator === 'udiv' ? a / b : a % b;
      case 'sdiv':
      case 'srem': {
        if (b === 0n) throw new Stop('division-by-zero', `${operator} by zero`);
        const sa = BigInt.asIntN(width, a);
        const sb = BigInt.asIntN(width, b);
        if (sb === -1n && sa === -(1n << BigInt(width - 1))) {
          throw new Stop('division-overflow', `${operator} of the minimum ${width}-bit value by -1`);
        }
        // BigInt division truncates toward zero and the remainder takes the dividend's sign, as in C.
        return BigInt.asUintN(width, operator === 'sdiv' ? sa / sb : sa % sb);
      }
      case 'shl':
      case 'lshr':
      case 'ashr': {
        if (b >= BigInt(width)) throw new Stop('oversized-shift', `${operator} of a ${width}-bit value by ${b}`);
        if (operator === 'shl') return BigInt.asUintN(width, a << b);
        if (operator === 'lshr') return a >> b;
        return BigInt.asUintN(width, BigInt.asIntN(width, a) >> b);
      }
    }
  }

  private comparePointers(predicate: ComparePredicate, left: PointerOrNull, right: PointerOrNull): boolean {
    if (predicate === 'eq' || predicate === 'ne') {
      const equal = left.kind === 'null' || right.kind === 'null'
        ? left.kind === right.kind
        : left.object === right.object && left.offset === right.offset;
      return predicate === 'eq' ? equal : !equal;
    }
    if (left.kind !== 'pointer' || right.kind !== 'pointer' || left.object !== right.object) {
      throw new Stop('invalid-pointer', `ordered comparison (${predicate}) of pointers into different objects`);
    }
    const a = BigInt.asUintN(64, left.offset);
    const b = BigInt.asUintN(64, right.offset);
    switch (predicate) {
      case 'ult': case 'slt': return a < b;
      case 'ule': case 'sle': return a <= b;
      case 'ugt': case 'sgt': return a > b;
      case 'uge': case 'sge': return a >= b;
    }
  }

  // ---------------------------------------------------------------- calls

  private call(frame: Frame, ins: Extract<Instruction, { op: 'call' }>): void {
    const callee = this.options.preferDeclaredContracts && !ins.returnsPointer && this.options.declaredContracts?.has(ins.callee)
      ? undefined : this.program.functions.get(ins.callee);
    const args = ins.args.map((arg, i) => {
      const value = this.read(frame, arg);
      return value.kind === 'int' ? int(BigInt.asUintN(ins.argWidths[i] ?? 64, value.value)) : value;
    });
    if (callee) {
      if (this.stack.length + 1 > MAX_CALL_DEPTH) {
        throw new Stop('recursion', `call depth exceeds ${MAX_CALL_DEPTH} (calling '${ins.callee}')`);
      }
      addCost(this.cost, instructionCost(ins));
      frame.index++;
      const observed = this.options.observeCalls?.callees.has(callee.name) === true;
      // Inside an observed call, loops count as the callee's declared contract was derived.
      const declaredLimit = observed && frame.summarizeAfter !== undefined ? this.options.declaredContracts?.get(callee.name)?.unrollLimit : undefined;
      // A declared contract's loops were counted as it was derived: with its unroll limit, and none run in full.
      const next = this.newFrame(callee, declaredLimit ?? frame.summarizeAfter, declaredLimit !== undefined ? undefined : frame.fullUnrollLimit);
      callee.params.forEach((param, i) => {
        const value = args[i] ?? ZERO;
        next.registers[param.register] = param.type.kind === 'int' && value.kind === 'int'
          ? int(BigInt.asUintN(param.type.width, value.value))
          : value;
      });
      next.pendingCall = ins;
      if (observed) {
        const k = (this.observedCounts.get(callee.name) ?? 0) + 1;
        this.observedCounts.set(callee.name, k);
        next.observation = { callee: callee.name, k, args, pcvBefore: { ...this.pcv }, counts: {} };
        this.observedWrites.push(new Set());
      }
      this.trace.enter(callee.name);
      this.stack.push(next);
      return;
    }
    let result: ConcreteValue | undefined;
    if (INTRINSICS.has(ins.callee)) {
      result = this.intrinsic(ins.callee as 'memcpy' | 'memset' | 'memcmp', args);
    } else {
      result = this.external(frame, ins);
      addCost(this.cost, instructionCost(ins));
    }
    if (ins.dst !== undefined) this.set(frame, ins.dst, this.callResult(ins, result));
    frame.index++;
  }

  /** The value a call instruction's destination receives. */
  private callResult(ins: Extract<Instruction, { op: 'call' }>, value: ConcreteValue | undefined): ConcreteValue {
    if (ins.returnsPointer) return value === undefined ? { kind: 'null' } : this.toPointer(value);
    if (value === undefined) return ZERO;
    if (value.kind !== 'int') throw new Stop('invalid-pointer', `'${ins.callee}' returns a pointer where an integer is expected`);
    return int(BigInt.asUintN(ins.returnWidth, value.value));
  }

  private external(frame: Frame, ins: Extract<Instruction, { op: 'call' }>): ConcreteValue | undefined {
    const k = (this.externalCalls.get(ins.callee) ?? 0) + 1;
    this.externalCalls.set(ins.callee, k);
    const key = `${ins.callee}#${k}`;
    const allocation = this.options.allocate && ins.returnsPointer ? allocationSize(ins.callee, ins.args.map((a) => this.read(frame, a))) : undefined;
    if (allocation !== undefined) {
      const name = `init:${key}`;
      this.memory.set(name, { bytes: new Uint8Array(allocation), pointers: new Map() });
      return { kind: 'pointer', object: name, offset: 0n };
    }
    const found = this.options.declaredContracts?.get(ins.callee);
    if (!found) this.externalWrites(frame, ins, key);
    // A pointer result is the object the witness names (or NULL); a declared contract's cases read it
    // as 0 when NULL and 1 otherwise, as in the analysis.
    const pointer = ins.returnsPointer ? this.heapPointer(own(this.witness.externalPointers, key) ?? null, `result of '${key}'`) : undefined;
    const given = own(this.witness.externals, key);
    const value = pointer ? (pointer.kind === 'null' ? 0n : 1n) : given === undefined ? 0n : witnessInteger(given, `external call '${key}'`);
    const contract = found && ins.dst === undefined ? contractForDiscardedResult(found) : found;
    if (contract) {
      const chosen = this.chargeDeclared(contract, k, BigInt.asIntN(ins.returnWidth || 32, value));
      for (const write of chosen.writes) this.declaredWrite(frame, ins, key, write);
      for (const [name, bytes] of this.options.declaredGlobalEffects?.(contract.name, k) ?? []) {
        const object = this.memory.get(name);
        if (!object || object.bytes.length !== bytes.length) continue;
        object.bytes.set(bytes);
      }
    }
    if (pointer) return pointer;
    if (ins.returnWidth === 0) return undefined;
    return int(BigInt.asUintN(ins.returnWidth, value));
  }

  /** Stores a declared case's out-parameter value: the witness's `callee#k.param`, else the range's minimum. */
  private declaredWrite(frame: Frame, ins: Extract<Instruction, { op: 'call' }>, key: string, write: DeclaredWrite): void {
    const [min, max] = rangeOf(write.value);
    const given = own(this.witness.externals, `${key}.${write.param}`);
    const raw = given === undefined ? BigInt(min) : witnessInteger(given, `out-parameter '${key}.${write.param}'`);
    const value = write.signed ? BigInt.asIntN(write.width, raw) : BigInt.asUintN(write.width, raw);
    if (value < BigInt(min) || value > BigInt(max)) throw new Stop('unsupported', `out-parameter '${write.param}' of '${ins.callee}' gets ${value}, outside its declared range`);
    const operand = ins.args[write.argIndex];
    if (!operand) throw new Stop('unsupported', `'${ins.callee}' is called without its out-parameter '${write.param}'`);
    const { object, offset } = this.access(this.readPointer(frame, operand), BigInt(write.width / 8), 'declared out-parameter');
    this.storeInt(object, offset, write.width, BigInt.asUintN(write.width, value));
  }

  private reportObservation(frame: Frame, value: ConcreteValue | undefined): void {
    const { callee, k, args, counts } = frame.observation!;
    const written = this.observedWrites.pop() ?? new Set<string>();
    const globals: [string, Uint8Array][] = [...written].filter((name) => this.program.globals.has(name)).map((name) => [name, this.memory.get(name)!.bytes.slice()]);
    const call: ObservedCall = { callee, k, writes: {}, pcv: {}, globals };
    if (value?.kind === 'int') call.returned = BigInt.asIntN(frame.fn.returnWidth, value.value);
    const writes = new Map<string, { argIndex: number; width: number; signed: boolean }>();
    for (const c of this.options.declaredContracts?.get(callee)?.cases ?? []) for (const w of c.writes) writes.set(w.param, w);
    for (const [param, w] of writes) {
      const pointer = args[w.argIndex];
      if (!pointer || pointer.kind !== 'pointer') continue;
      const { object, offset } = this.access(pointer, BigInt(w.width / 8), 'observed out-parameter');
      const raw = this.loadInt(object, offset, w.width);
      call.writes[param] = w.signed ? BigInt.asIntN(w.width, raw) : raw;
    }
    for (const [name, counted] of Object.entries(counts)) {
      const base = name.replace(/'+$/, '');
      call.pcv[base] = Math.max(call.pcv[base] ?? 0, counted);
    }
    this.options.observeCalls!.record(call);
  }

  /** The PCV of the innermost loop on the call stack that is in its summarised iterations (or the pass that leaves them). */
  private innermostSummarisedLoop(): string | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const loops = [...this.stack[i]!.loops.values()];
      for (let j = loops.length - 1; j >= 0; j--) if (loops[j]!.pcv !== undefined) return loops[j]!.pcv;
    }
    return undefined;
  }

  /** Adds the cost of the first case of a declared contract that matches the returned value, and returns that case. */
  private chargeDeclared(contract: NonNullable<ReturnType<DeclaredContracts['get']>>, k: number, returned: bigint): DeclaredCase {
    const index = contract.cases.findIndex((c) => c.returns === undefined
      || (typeof c.returns === 'number' ? returned === BigInt(c.returns) : returned >= BigInt(c.returns.min) && returned <= BigInt(c.returns.max)));
    if (index < 0) throw new Stop('unsupported', `no case of the declared contract of '${contract.name}' returns ${returned}`);
    const c = contract.cases[index]!;
    // In a summarised loop, a call's PCVs are totals named after the innermost such loop (`t@e`):
    // one name recurs in every iteration, and its value is the sum over the calls, as the analysis
    // charges it once, not per iteration.
    const loop = this.innermostSummarisedLoop();
    const renamed = nameCasePcvs(c, this.pcvInstances, loop);
    const total = loop !== undefined;
    const thisCall = new Map<string, number>();
    for (const [pcv, name] of renamed) {
      this.pcvCallees[name] = contract.name;
      const given = this.options.declaredPcvValue?.(contract.name, k, pcv);
      if (given !== undefined) {
        this.pcv[name] = total ? (this.pcv[name] ?? 0) + given : Math.max(this.pcv[name] ?? 0, given);
        thisCall.set(name, given);
      } else {
        // The witness gives the value, for a total the sum over the calls: charged at the first one.
        const value = own(this.witness.pcv, name) ?? 0;
        thisCall.set(name, total && this.witnessTotalsCharged.has(name) ? 0 : value);
        if (total) this.witnessTotalsCharged.add(name);
        this.pcv[name] = value;
      }
    }
    const cost = caseCost(c, (pcv) => renamed.get(pcv) ?? pcv);
    addCost(this.cost, cost.constant);
    for (const [term, coefficient] of cost.terms) {
      const factor = term.split('*').reduce((product, name) => product * (thisCall.get(name) ?? this.pcv[name] ?? 0), 1);
      addCost(this.cost, { instructions: coefficient.instructions * factor, memory_accesses: coefficient.memory_accesses * factor });
    }
    this.trace.declaredCase(contract.name, index);
    return c;
  }

  /** memcpy / memset / memcmp; counts the call and its extra cost only when it succeeds. */
  private intrinsic(name: 'memcpy' | 'memset' | 'memcmp', args: ConcreteValue[]): ConcreteValue {
    if (args.length < 3) throw new Stop('unsupported', `${name} called with ${args.length} argument(s)`);
    const nValue = args[2];
    if (nValue.kind !== 'int') throw new Stop('invalid-pointer', `${name} size is a pointer`);
    const n = BigInt.asUintN(64, nValue.value);
    const sizes = this.intrinsicSizes[name] ??= [];
    if (!sizes.includes(Number(n))) sizes.push(Number(n));
    const call = { instructions: 1, memory_accesses: 0 };
    switch (name) {
      case 'memcpy': {
        const dst = this.toPointer(args[0]);
        const src = this.toPointer(args[1]);
        const to = this.access(dst, n, 'memcpy destination');
        this.noteWrite(dst);
        const from = this.access(src, n, 'memcpy source');
        const count = Number(n);
        addCost(this.cost, call);
        addCost(this.cost, intrinsicCost('memcpy', count));
        const bytes = from.object.bytes.slice(from.offset, from.offset + count);
        const moved: [number, PointerOrNull][] = [];
        for (const [at, value] of from.object.pointers) {
          if (at >= from.offset && at + 8 <= from.offset + count) moved.push([at - from.offset + to.offset, value]);
        }
        to.object.bytes.set(bytes, to.offset);
        this.dropPointers(to.object, to.offset, count);
        for (const [at, value] of moved) to.object.pointers.set(at, value);
        return dst;
      }
      case 'memset': {
        const dst = this.toPointer(args[0]);
        const c = args[1];
        if (c.kind !== 'int') throw new Stop('invalid-pointer', 'memset value is a pointer');
        const to = this.access(dst, n, 'memset destination');
        this.noteWrite(dst);
        const count = Number(n);
        addCost(this.cost, call);
        addCost(this.cost, intrinsicCost('memset', count));
        to.object.bytes.fill(Number(c.value & 0xffn), to.offset, to.offset + count);
        this.dropPointers(to.object, to.offset, count);
        return dst;
      }
      case 'memcmp': {
        const a = this.access(this.toPointer(args[0]), n, 'memcmp first operand');
        const b = this.access(this.toPointer(args[1]), n, 'memcmp second operand');
        const count = Number(n);
        let difference = 0;
        for (let i = 0; i < count && difference === 0; i++) difference = a.object.bytes[a.offset + i]! - b.object.bytes[b.offset + i]!;
        // Every byte is charged (see intrinsicCost): the cost does not depend on the data.
        addCost(this.cost, call);
        addCost(this.cost, intrinsicCost('memcmp', count));
        return int(BigInt.asUintN(32, BigInt(difference)));
      }
    }
  }

  // ---------------------------------------------------------------- terminators

  /** Runs a terminator; returns the entry function's return value when the run is over. */
  private terminate(frame: Frame, t: Terminator): { value: ConcreteValue | undefined } | undefined {
    switch (t.op) {
      case 'jump':
        this.goTo(frame, t.target);
        break;
      case 'branch': {
        const condition = this.read(frame, t.condition);
        const taken = condition.kind === 'int' ? BigInt.asUintN(1, condition.value) !== 0n : condition.kind === 'pointer';
        const target = taken ? t.whenTrue : t.whenFalse;
        this.trace.decide(frame.fn.name, frame.block.id, target);
        this.goTo(frame, target);
        break;
      }
      case 'switch': {
        const value = this.readInt(frame, t.value, t.width);
        const match = t.cases.find((c) => BigInt.asUintN(t.width, c.value) === value);
        const target = match ? match.target : t.defaultTarget;
        this.trace.decide(frame.fn.name, frame.block.id, target);
        this.goTo(frame, target);
        break;
      }
      case 'return': {
        const fn = frame.fn;
        let value: ConcreteValue | undefined;
        if (t.value !== undefined && (fn.returnWidth > 0 || fn.returnsPointer)) {
          value = fn.returnsPointer ? this.readPointer(frame, t.value) : int(this.readInt(frame, t.value, fn.returnWidth));
        }
        this.leaveAllLoops(frame);
        if (frame.observation) this.reportObservation(frame, value);
        if (this.stack.length === 1) {
          addCost(this.cost, terminatorCost(t));
          this.stack.pop();
          return { value };
        }
        const call = frame.pendingCall!;
        const result = call.dst !== undefined ? this.callResult(call, value) : undefined;
        addCost(this.cost, terminatorCost(t));
        this.stack.pop();
        this.trace.exit();
        const caller = this.stack[this.stack.length - 1];
        if (call.dst !== undefined) this.set(caller, call.dst, result!);
        return undefined;
      }
      case 'unreachable':
        throw new Stop(t.failure ?? 'missing-return', t.reason);
    }
    addCost(this.cost, terminatorCost(t));
    return undefined;
  }

  private goTo(frame: Frame, target: number): void {
    const block = frame.blocks.get(target);
    if (!block) throw new Error(`function '${frame.fn.name}' has no block b${target}`);
    if (frame.summarizeAfter !== undefined) this.trackLoops(frame, frame.block.id, block);
    frame.block = block;
    frame.index = 0;
  }

  /** A summarised iteration that reaches a count mark is counted by the mark's PCV (as in the analysis). */
  private noteMark(frame: Frame): void {
    const mark = countMarks(frame.fn).get(frame.block.id)?.get(frame.index);
    if (!mark) return;
    const state = frame.loops.get(mark.header);
    if (state?.pcv !== undefined) state.marked = mark.name;
  }

  /** Counts loop iterations the way the analysis summarises them (see InterpretOptions.summarizeAfter). */
  private trackLoops(frame: Frame, from: number, to: BasicBlock): void {
    const limit = frame.summarizeAfter!;
    // Leaving loops: innermost first, which is the reverse of entry order.
    for (const [header, state] of [...frame.loops].reverse()) {
      const body = loopBody(frame.fn, header);
      if (body.has(from) && !body.has(to.id)) this.leaveLoop(frame, header, state);
    }
    if (to.loopHeader === undefined) return;
    let state = frame.loops.get(to.id);
    if (!state || !loopBody(frame.fn, to.id).has(from)) {
      if (state) this.leaveLoop(frame, to.id, state);
      state = { visits: 0 };
      frame.loops.set(to.id, state);
    }
    state.visits++;
    if (state.visits === limit + 1 && !runsInFull(this.program, frame.fn, to.id, frame.fullUnrollLimit)) {
      const { name: base, total } = loopPcv(frame.fn, frame.fn.loops[to.loopHeader]!);
      const instance = this.pcvInstances.get(base) ?? 0;
      this.pcvInstances.set(base, instance + 1);
      state.pcv = pcvInstanceName(base, instance);
      state.total = total;
      state.start = total ? this.pcv[state.pcv] ?? 0 : 0;
      state.marks = new Map();
      state.plainCount = 0;
      for (const name of loopMarkNames(frame.fn, to.id)) {
        const markInstance = this.pcvInstances.get(name) ?? 0;
        this.pcvInstances.set(name, markInstance + 1);
        const markPcv = pcvInstanceName(name, markInstance);
        state.marks.set(name, { pcv: markPcv, count: 0, start: total ? this.pcv[markPcv] ?? 0 : 0 });
        this.pcv[markPcv] = Math.max(this.pcv[markPcv] ?? 0, 0);
        this.countObserved(markPcv, total, 0);
      }
      state.instancesAtStart = new Map(this.pcvInstances);
      // The analysis explores one representative iteration, so loops nested in it have one PCV each,
      // standing for their largest count over all iterations.
      this.pcv[state.pcv] = Math.max(this.pcv[state.pcv] ?? 0, 0);
      this.countObserved(state.pcv, total, 0);
      this.trace.open();
    } else if (state.pcv !== undefined) {
      // One more summarised iteration done: counted by the mark it reached, else by the loop's PCV.
      const mark = state.marked === undefined ? undefined : state.marks!.get(state.marked);
      if (mark) {
        mark.count++;
        this.countIterations(state, mark.pcv, mark.start, mark.count);
      } else {
        state.plainCount = (state.plainCount ?? 0) + 1;
      }
      state.marked = undefined;
      this.countIterations(state, state.pcv, state.start ?? 0, state.plainCount ?? 0);
      this.pcvInstances = new Map(state.instancesAtStart);
      this.trace.restartIteration();
    }
  }

  /** A PCV after `count` iterations of this entry: a total loop's adds them to the earlier entries', others keep the largest. */
  private countIterations(state: LoopState, pcv: string, start: number, count: number): void {
    this.pcv[pcv] = state.total ? start + count : Math.max(this.pcv[pcv] ?? 0, count);
    this.countObserved(pcv, state.total === true, count);
  }

  /** A loop PCV's count in every observed call in progress (see Frame.observation). */
  private countObserved(pcv: string, total: boolean, count: number): void {
    for (const frame of this.stack) {
      const observation = frame.observation;
      if (!observation) continue;
      observation.counts[pcv] = total ? (this.pcv[pcv] ?? 0) - (observation.pcvBefore[pcv] ?? 0) : Math.max(observation.counts[pcv] ?? 0, count);
    }
  }

  private leaveLoop(frame: Frame, header: number, state: LoopState): void {
    if (state.pcv !== undefined) this.trace.close();
    frame.loops.delete(header);
  }

  /** A return leaves every loop of the returning activation. */
  private leaveAllLoops(frame: Frame): void {
    for (const [header, state] of [...frame.loops].reverse()) this.leaveLoop(frame, header, state);
  }

  snapshot(): Map<string, Uint8Array> {
    return new Map([...this.memory].map(([name, object]) => [name, object.bytes]));
  }

  pointerSnapshot(): InterpretResult['pointers'] {
    const pointers: InterpretResult['pointers'] = new Map();
    for (const [name, object] of this.memory) {
      if (object.pointers.size === 0) continue;
      pointers.set(name, new Map([...object.pointers].map(([at, p]) => [at, p.kind === 'null' ? null : { object: p.object, offset: p.offset }])));
    }
    return pointers;
  }
}

function compareInts(predicate: ComparePredicate, a: bigint, b: bigint, width: number): boolean {
  switch (predicate) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'ult': return a < b;
    case 'ule': return a <= b;
    case 'ugt': return a > b;
    case 'uge': return a >= b;
    case 'slt': return BigInt.asIntN(width, a) < BigInt.asIntN(width, b);
    case 'sle': return BigInt.asIntN(width, a) <= BigInt.asIntN(width, b);
    case 'sgt': return BigInt.asIntN(width, a) > BigInt.asIntN(width, b);
    case 'sge': return BigInt.asIntN(width, a) >= BigInt.asIntN(width, b);
  }
}

/**
 * Runs `entry` on the witness. Program errors and limits end the run and are reported in `error`
 * (the failing instruction's cost is not counted); malformed IR or witnesses throw.
 */
export function interpret(program: IrProgram, entry: string, witness: Witness, options?: Partial<InterpretOptions>): InterpretResult {
  const fn = program.functions.get(entry);
  if (!fn) throw new Error(`no function named '${entry}'`);
  const full: InterpretOptions = {
    regions: options?.regions ?? DEFAULT_REGION_OPTIONS,
    maxSteps: options?.maxSteps ?? DEFAULT_MAX_STEPS,
    summarizeAfter: options?.summarizeAfter,
    fullUnrollLimit: options?.fullUnrollLimit,
    declaredContracts: options?.declaredContracts,
    preferDeclaredContracts: options?.preferDeclaredContracts,
    observeCalls: options?.observeCalls,
    declaredPcvValue: options?.declaredPcvValue,
    declaredGlobalEffects: options?.declaredGlobalEffects,
    allocate: options?.allocate,
  };
  const machine = new Machine(program, witness, full, fn);
  machine.setUpStrings();
  machine.setUpGlobals();
  machine.enterEntry(fn);
  machine.setUpHeap();
  let returnValue: ConcreteValue | undefined;
  let error: InterpretResult['error'];
  try {
    returnValue = machine.run();
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    error = { reason: e.reason, message: e.message, range: machine.range };
  }
  const result: InterpretResult = {
    returnValue,
    cost: machine.cost,
    trace: machine.trace.digest(),
    pcv: machine.pcv,
    pcvCallees: machine.pcvCallees,
    intrinsicSizes: machine.intrinsicSizes,
    memory: machine.snapshot(),
    pointers: machine.pointerSnapshot(),
  };
  if (error) result.error = error;
  return result;
}

/** Allocators an init function may call (`allocate`), with the argument positions whose product is the size. */
export const ALLOCATORS: Record<string, number[]> = {
  malloc: [0], calloc: [0, 1], rte_malloc: [1], rte_zmalloc: [1], rte_calloc: [1, 2], rte_malloc_socket: [1], rte_zmalloc_socket: [1],
};

function allocationSize(callee: string, args: ConcreteValue[]): number | undefined {
  const positions = ALLOCATORS[callee];
  if (!positions) return undefined;
  let size = 1n;
  for (const p of positions) {
    const arg = args[p];
    if (!arg || arg.kind !== 'int') return undefined;
    size *= arg.value;
  }
  if (size <= 0n || size > 1n << 28n) throw new Stop('unsupported', `'${callee}' allocates ${size} bytes, which the interpreter does not model`);
  return Number(size);
}
