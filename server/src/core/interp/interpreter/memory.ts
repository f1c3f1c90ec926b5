// The machine's state and memory model: the memory objects set up from the program and the witness,
// call frames, reading operands, and checked loads and stores of bytes and stored pointers.
import type { AddressBase, BasicBlock, IrFunction, IrProgram, Operand, SourceRange } from '../../ir/ir';
import { Cost, zeroCost } from '../../cost/costModel';
import { parameterRegionSize } from '../../ir/regionSize';
import { hexToBytes, Witness } from '../../contract/witness';
import { CollapsingTrace } from './trace';
import {
  ConcreteValue, Frame, InterpretOptions, InterpretResult, MemoryObject, PointerOrNull, Stop, ZERO, byteCount, int, own, witnessInteger,
} from './types';

export class MachineMemory {
  readonly memory = new Map<string, MemoryObject>();
  readonly cost: Cost = zeroCost();
  readonly trace = new CollapsingTrace();
  readonly pcv: Record<string, number> = {};
  readonly pcvCallees: Record<string, string> = {};
  readonly intrinsicSizes: Record<string, number[]> = {};
  protected pcvInstances = new Map<string, number>();
  /** Total declared PCVs whose witness value was charged (at their first call). */
  protected readonly witnessTotalsCharged = new Set<string>();
  protected readonly observedCounts = new Map<string, number>();
  /** Per observed call in progress (innermost last): the memory objects written since it began. */
  protected readonly observedWrites: Set<string>[] = [];
  protected readonly stack: Frame[] = [];
  /** Witness names (parameters, globals, heap objects) -> memory object names. */
  protected readonly witnessObjects = new Map<string, string>();
  protected readonly functionBlocks = new Map<string, Map<number, BasicBlock>>();
  protected readonly externalCalls = new Map<string, number>();
  protected steps = 0;
  protected frameCounter = 0;
  /** Range of the instruction or terminator being run, for errors. */
  range: SourceRange;

  constructor(
    protected readonly program: IrProgram,
    protected readonly witness: Witness,
    protected readonly options: InterpretOptions,
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

  protected heapPointer(target: string | null, what: string): PointerOrNull {
    if (target === null) return { kind: 'null' };
    if (!this.memory.has(target) || own(this.witness.heap, target) === undefined) throw new Error(`witness ${what} names '${target}', which is not in its heap`);
    return { kind: 'pointer', object: target, offset: 0n };
  }

  protected newFrame(fn: IrFunction, summarizeAfter: number | undefined, fullUnrollLimit: number | undefined): Frame {
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

  // ---------------------------------------------------------------- values

  protected read(frame: Frame, operand: Operand): ConcreteValue {
    switch (operand.kind) {
      case 'reg': return frame.registers[operand.id] ?? ZERO;
      case 'imm': return int(BigInt.asUintN(operand.width, operand.value));
      case 'null': return { kind: 'null' };
    }
  }

  /** The operand as an integer of `width` bits. */
  protected readInt(frame: Frame, operand: Operand, width: number): bigint {
    const value = this.read(frame, operand);
    if (value.kind !== 'int') throw new Stop('invalid-pointer', 'a pointer is used as an integer');
    return BigInt.asUintN(width, value.value);
  }

  /** The operand as a pointer; the integer 0 is the null pointer. */
  protected readPointer(frame: Frame, operand: Operand): PointerOrNull {
    return this.toPointer(this.read(frame, operand));
  }

  protected toPointer(value: ConcreteValue): PointerOrNull {
    if (value.kind !== 'int') return value;
    if (value.value === 0n) return { kind: 'null' };
    throw new Stop('invalid-pointer', 'an integer is used as a pointer');
  }

  protected set(frame: Frame, dst: number, value: ConcreteValue): void {
    frame.registers[dst] = value;
  }

  // ---------------------------------------------------------------- memory

  protected baseObjectName(base: AddressBase, frame: Frame | undefined): string {
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
  protected noteWrite(pointer: PointerOrNull): void {
    if (this.observedWrites.length === 0 || pointer.kind === 'null') return;
    for (const written of this.observedWrites) written.add(pointer.object);
  }

  /** Checks that `bytes` bytes from `pointer` are inside its object; returns the object and offset. */
  protected access(pointer: PointerOrNull, bytes: bigint, what: string): { object: MemoryObject; offset: number } {
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
  protected grow(object: MemoryObject, end: number): void {
    const grown = new Uint8Array(Math.min(object.limit ?? end, Math.max(end, 2 * object.bytes.length)));
    grown.set(object.bytes.subarray(0, grown.length));
    object.bytes = grown;
  }

  /** Drops the side-table pointers overlapping [offset, offset + length). */
  protected dropPointers(object: MemoryObject, offset: number, length: number): void {
    for (const at of [...object.pointers.keys()]) {
      if (at < offset + length && at + 8 > offset) object.pointers.delete(at);
    }
  }

  protected loadInt(object: MemoryObject, offset: number, width: number): bigint {
    let value = 0n;
    const n = byteCount(width);
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(object.bytes[offset + i]);
    return BigInt.asUintN(width, value);
  }

  protected storeInt(object: MemoryObject, offset: number, width: number, value: bigint): void {
    const n = byteCount(width);
    let v = BigInt.asUintN(n * 8, value);
    for (let i = 0; i < n; i++) {
      object.bytes[offset + i] = Number(v & 0xffn);
      v >>= 8n;
    }
    this.dropPointers(object, offset, n);
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
