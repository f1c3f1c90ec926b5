// Calls: into functions with a body (new frames, observed calls), to declared contracts (their cases'
// cost, PCVs and out-parameters), to unmodelled functions (the witness's results and writes), intrinsics.
import type { Instruction } from '../../ir/ir';
import { addCost, instructionCost, intrinsicCost } from '../../cost/costModel';
import { hexToBytes } from '../../contract/witness';
import { DeclaredCase, DeclaredContracts, DeclaredWrite, caseCost, contractForDiscardedResult, nameCasePcvs, rangeOf } from '../../declared/declaredContracts';
import { LoopCounter } from './loops';
import {
  ConcreteValue, Frame, MAX_CALL_DEPTH, ObservedCall, PointerOrNull, Stop, ZERO, int, own, witnessInteger,
} from './types';
import { monomialValue } from '../../cost/monomial';

const INTRINSICS = new Set(['memcpy', 'memset', 'memcmp']);

export class CallHandler extends LoopCounter {
  protected call(frame: Frame, ins: Extract<Instruction, { op: 'call' }>): void {
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
  protected callResult(ins: Extract<Instruction, { op: 'call' }>, value: ConcreteValue | undefined): ConcreteValue {
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

  protected reportObservation(frame: Frame, value: ConcreteValue | undefined): void {
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
      const factor = monomialValue(term, (name) => thisCall.get(name) ?? this.pcv[name] ?? 0);
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
