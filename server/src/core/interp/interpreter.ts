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
//
// This module is the entry and runs instructions and terminators; the machine's layers are in
// ./interpreter/: memory (state, setup, loads and stores), loops (PCV counting), calls.

import type { BinaryOp, ComparePredicate, Instruction, IrProgram, Terminator } from '../ir/ir';
import { addCost, instructionCost, terminatorCost } from '../cost/costModel';
import { DEFAULT_REGION_OPTIONS } from '../ir/regionSize';
import { hexToBytes, Witness } from '../contract/witness';
import { PACKET_OBJECT } from '../symex/packet';
import { CallHandler } from './interpreter/calls';
import {
  ConcreteValue, DEFAULT_MAX_STEPS, Frame, InterpretOptions, InterpretResult, NULL_POINTER, PointerOrNull, Stop, byteCount, int,
} from './interpreter/types';

export type { ConcreteValue, InterpretOptions, InterpretResult, ObservedCall } from './interpreter/types';
export { DEFAULT_MAX_STEPS, MAX_CALL_DEPTH } from './interpreter/types';
export { ALLOCATORS } from './interpreter/calls';

class Machine extends CallHandler {
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
