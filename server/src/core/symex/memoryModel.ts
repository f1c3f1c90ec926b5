// The memory model: resolving and bounds-checking accesses, the XDP packet and DPDK mbuf buffers,
// objects created lazily behind pointers the analysed code did not store, pointers at symbolic
// offsets, and what unmodelled calls may write.
import type { Instruction, MbufLayout, Operand, Pointee, SourceRange } from '../ir/ir';
import { BitVecExpr, BoolExpr, TRUE, and, arraySymbol, binary, bv, compare, concat, extract, not, select, store, zeroExtend } from '../term/expr';
import { DEFAULT_ARRAY_ELEMENTS, LazyOrigin, lazyObjectName, lazyObjectSize, nullCondition, stillInput } from './lazyMemory';
import { DEFAULT_PACKET_MAX_LENGTH, MBUF_BUFFER_SIZE, MBUF_HEADROOM, PACKET_BYTES, PACKET_LENGTH_NAME, PACKET_OBJECT, packetLength, packetLengthBound } from './packet';
import { SymbolicValue, MemoryObject, Frame, State, PathEnd, displayObject, rangeText } from './state';
import { ExplorerCore } from './explorerCore';

export abstract class MemoryModel extends ExplorerCore {
  /** Resolves an address and checks null and bounds for `bytes` bytes (forking error paths). */
  protected async access(state: State, frame: Frame, address: Operand, bytes: number, range: SourceRange): Promise<{ object: MemoryObject; offset: BitVecExpr } | 'forked'> {
    const pointer = this.value(frame, address);
    if (pointer.kind === 'null' || (pointer.kind === 'int' && pointer.expr.op === 'const' && pointer.expr.value === 0n)) {
      throw new PathEnd({ kind: 'error', reason: 'null-dereference', message: 'memory access through a null pointer', range });
    }
    if (pointer.kind !== 'pointer') throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'an integer is used as a pointer', range });
    const object = state.memory.get(pointer.object);
    if (!object) throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: `no object '${pointer.object}'`, range });
    const offset = pointer.offset;
    if (pointer.nullable) await this.assumeValid(state, pointer.nullable, range);
    if (object.elementSize !== undefined && object.arrayElements === undefined) await this.growIntoArray(object, offset, bytes, range);
    // In bounds: offset <= size - bytes, as unsigned 64-bit (negative offsets wrap to huge values).
    const limit = BigInt(object.size - bytes);
    let outOfBounds = limit < 0n ? TRUE : not(compare('ule', offset, bv(limit, 64)));
    let message = `access of ${bytes} byte${bytes === 1 ? '' : 's'} may fall outside '${displayObject(object.name)}' (${object.size} bytes)`;
    if (object.length) {
      // The packet: the access must also end within its length, as the verifier demands.
      outOfBounds = limit < 0n ? TRUE : not(and([compare('ule', offset, bv(limit, 64)), compare('ule', binary('add', offset, bv(BigInt(bytes), 64)), object.length)]));
      message = `access of ${bytes} byte${bytes === 1 ? '' : 's'} may fall outside the packet (${PACKET_LENGTH_NAME} bytes; the verifier rejects it)`;
    }
    await this.assumeInArray(state, object, offset, bytes);
    if (await this.check(state, outOfBounds, { kind: 'error', reason: 'out-of-bounds', message, range })) return 'forked';
    this.recorder?.accessed(object.name);
    if (object.inputArray) {
      const extent = state.inputExtents.get(object.inputArray) ?? { offsets: [], sizes: [] };
      extent.offsets.push(offset);
      extent.sizes.push(bytes);
      state.inputExtents.set(object.inputArray, extent);
    }
    return { object, offset };
  }

  // ----- the XDP packet (packet.ts) -----

  protected async accessRange(state: State, frame: Frame, address: Operand, n: number, range: SourceRange): Promise<{ object: MemoryObject; offset: BitVecExpr } | 'forked'> {
    if (n === 0) {
      const pointer = this.value(frame, address);
      if (pointer.kind !== 'pointer') throw new PathEnd({ kind: 'error', reason: 'null-dereference', message: 'memory intrinsic on a null pointer', range });
      return { object: state.memory.get(pointer.object)!, offset: pointer.offset };
    }
    return this.access(state, frame, address, n, range);
  }

  // ----- terminators -----

  /** The packet object, created on the first `packetPointer` of the path: symbolic bytes, length `pkt:len` <= the maximum. */
  protected packetObject(state: State): MemoryObject {
    const existing = state.memory.get(PACKET_OBJECT);
    if (existing) return existing;
    const max = this.options.packetMaxLength ?? DEFAULT_PACKET_MAX_LENGTH;
    const object: MemoryObject = {
      name: PACKET_OBJECT, size: max, length: packetLength(), bytes: arraySymbol(PACKET_BYTES), pointers: new Map(), input: true, inputArray: PACKET_BYTES,
    };
    state.memory.set(PACKET_OBJECT, object);
    // Its witness gives the length even when the path reads no byte of it.
    if (!state.inputExtents.has(PACKET_BYTES)) state.inputExtents.set(PACKET_BYTES, { offsets: [], sizes: [] });
    if (!this.inputObjects.some((i) => i.kind === 'packet')) this.inputObjects.push({ name: 'packet', arrayName: PACKET_BYTES, size: max, kind: 'packet' });
    // The model so far gives the new length 0, which the bound allows.
    state.constraints.push(packetLengthBound(max));
    return object;
  }

  /**
   * A DPDK mbuf's buffer, lazily created behind `buf_addr`: the mbuf's `buf_len` is the buffer's
   * size and the packet (`data_len` bytes from `data_off`) lies inside it, so `rte_pktmbuf_mtod`
   * reads are in bounds (what DPDK guarantees). Skipped when the mbuf's fields are no longer its input's.
   */
  protected async mbufBuffer(state: State, mbuf: MemoryObject, buffer: string, layout: MbufLayout): Promise<void> {
    const object = state.memory.get(buffer);
    if (!object?.lazy || !mbuf.lazyRoot || ![layout.dataOff, layout.dataLen, layout.bufLen].every((at) => stillInput(mbuf.bytes, mbuf.lazyRoot!, at, 2))) return;
    const field = (at: number) => zeroExtend(this.readBytes(mbuf, bv(BigInt(at), 64), 2), 32);
    const size = bv(BigInt(MBUF_BUFFER_SIZE), 32);
    const inside = and([
      compare('eq', field(layout.bufLen), size),
      compare('ule', field(layout.dataOff), bv(BigInt(MBUF_HEADROOM), 32)),
      compare('ule', binary('add', field(layout.dataOff), field(layout.dataLen)), size),
    ]);
    const answer = await this.feasible(state, inside);
    if (answer.result !== 'sat') return;
    this.addConstraint(state, inside, answer.model!);
    object.size = MBUF_BUFFER_SIZE;
    // `buf_addr` is a `void *`, but its size is now the mbuf's: no longer an opaque object.
    const { opaqueSize: _opaque, ...lazy } = object.lazy;
    object.lazy = { ...lazy, mbuf: true };
  }

  // ----- lazy initialisation (lazyMemory.ts) -----

  /**
   * The value of a pointer load where the analysed code stored no pointer: a lazily created object
   * when the bytes are still an input's, NULL when they are zero, else the path ends (PC107).
   */
  protected unstoredPointer(state: State, object: MemoryObject, offset: BitVecExpr, instruction: Extract<Instruction, { op: 'load' }>): SymbolicValue {
    const at = offset.op === 'const' ? Number(offset.value) : undefined;
    if (at !== undefined && object.lazyRoot && object.witnessName && stillInput(object.bytes, object.lazyRoot, at, 8)) {
      const value = this.createLazy(state, { kind: 'field', holder: object.witnessName, offset: at }, instruction.pointee);
      object.pointers.set(at, value);
      return value;
    }
    const bytes = this.readBytes(object, offset, 8);
    if (bytes.op === 'const' && bytes.value === 0n) return { kind: 'null' };
    throw new PathEnd({
      kind: 'error', reason: 'invalid-pointer', range: instruction.range,
      message: `load of a pointer the memory model cannot follow (from '${displayObject(object.name)}': its bytes were written as integers, forgotten by a summarised loop, or read at a symbolic offset)`,
    });
  }

  /**
   * A pointer loaded at a symbolic offset of an object whose bytes are still all its input's (a
   * per-port table of pointers set up by init, `tx_buffer[port]`): that element's own lazily created
   * object, `HOLDER@[k]` for the path's k-th such element (its witness gives the offset). An offset
   * equal on this path to one already followed gives the same object; one that may or may not be
   * equal to it ends the path as unsupported: aliasing between elements is not modelled. A concrete
   * offset after such loads is checked the same way, then handled as usual.
   */
  protected async indexedPointer(state: State, object: MemoryObject, offset: BitVecExpr, instruction: Extract<Instruction, { op: 'load' }>): Promise<SymbolicValue> {
    if (offset.op !== 'const') {
      const aligned = compare('eq', binary('and', offset, bv(7n, 64)), bv(0n, 64));
      const answer = await this.feasible(state, aligned);
      if (answer.result === 'unknown') this.stop('solver-unknown', `the solver could not decide whether a pointer read from '${displayObject(object.name)}' is aligned (${rangeText(instruction.range)})`);
      if (answer.result !== 'sat') return this.unstoredPointer(state, object, offset, instruction);
      this.addConstraint(state, aligned, answer.model!);
    }
    const known = [
      ...[...object.pointers].map(([at, value]) => ({ offset: bv(BigInt(at), 64) as BitVecExpr, value })),
      ...(object.indexedPointers ?? []),
    ];
    for (const entry of known) {
      if (entry.offset === offset) return entry.value;
      const same = compare('eq', offset, entry.offset);
      const mayBeSame = await this.feasible(state, same);
      if (mayBeSame.result === 'unsat') continue;
      const mayDiffer = await this.feasible(state, not(same));
      if (mayBeSame.result === 'sat' && mayDiffer.result === 'unsat') return entry.value;
      throw new PathEnd({
        kind: 'incomplete', reason: 'unsupported', range: instruction.range,
        message: `two pointers read from '${displayObject(object.name)}' may or may not be the same element; aliasing between its elements is not modelled`,
      });
    }
    if (offset.op === 'const' || !object.lazyRoot || !object.witnessName || !stillInput(object.bytes, object.lazyRoot, 0, object.size)) return this.unstoredPointer(state, object, offset, instruction);
    const ordinal = (object.indexedPointers?.length ?? 0) + 1;
    const value = this.createLazy(state, { kind: 'field', holder: object.witnessName!, offset: -1, index: { offset, ordinal } }, instruction.pointee);
    object.indexedPointers = [...(object.indexedPointers ?? []), { offset, value }];
    return value;
  }

  /**
   * A pointer stored at a symbolic offset (`buf->pkts[buf->length++] = m`): kept with its offset
   * beside the object's other pointers, where `indexedPointer` finds it. A pointer at an offset that
   * must be the same is replaced; one that may be the same is forgotten. As for a pointer stored at
   * a constant offset, the bytes are not written: a later load is checked against this entry first,
   * so another field or element is still lazily initialised only where it cannot be this one.
   */
  protected async storeIndexedPointer(state: State, object: MemoryObject, offset: BitVecExpr, value: SymbolicValue, range: SourceRange): Promise<void> {
    const aligned = compare('eq', binary('and', offset, bv(7n, 64)), bv(0n, 64));
    const answer = await this.feasible(state, aligned);
    if (answer.result === 'unknown') this.stop('solver-unknown', `the solver could not decide whether a pointer stored in '${displayObject(object.name)}' is aligned (${rangeText(range)})`);
    if (answer.result !== 'sat') throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: 'storing a pointer at a misaligned symbolic offset is not supported', range });
    this.addConstraint(state, aligned, answer.model!);
    const mayOverlap = async (at: BitVecExpr): Promise<boolean> => at !== offset && (await this.feasible(state, compare('eq', offset, at))).result !== 'unsat';
    for (const at of [...object.pointers.keys()]) if (at !== undefined && await mayOverlap(bv(BigInt(at), 64))) object.pointers.delete(at);
    const kept: Array<{ offset: BitVecExpr; value: SymbolicValue }> = [];
    for (const entry of object.indexedPointers ?? []) if (entry.offset !== offset && !(await mayOverlap(entry.offset))) kept.push(entry);
    object.indexedPointers = [...kept, { offset, value }];
  }

  /** The object's symbolic-offset pointers that bytes [offset, offset + count) cannot overlap on this path. */
  protected async indexedPointersApart(state: State, object: MemoryObject, offset: BitVecExpr, count: number): Promise<Array<{ offset: BitVecExpr; value: SymbolicValue }>> {
    const apart: Array<{ offset: BitVecExpr; value: SymbolicValue }> = [];
    for (const entry of object.indexedPointers ?? []) {
      const overlap = and([compare('ult', offset, binary('add', entry.offset, bv(8n, 64))), compare('ult', entry.offset, binary('add', offset, bv(BigInt(count), 64)))]);
      if ((await this.feasible(state, overlap)).result === 'unsat') apart.push(entry);
    }
    return apart;
  }

  /** A fresh object of the pointee's type with symbolic contents, and a pointer to it that may be NULL. */
  protected createLazy(state: State, origin: LazyOrigin, pointee: Pointee | undefined): SymbolicValue {
    const name = lazyObjectName(origin);
    const { size, elementSize, opaqueSize } = lazyObjectSize(pointee, this.options.regions.bufferBytes);
    const arrayName = `mem:${name}`;
    const nullSymbol = `null:${name}`;
    state.memory.set(name, {
      name, size, bytes: arraySymbol(arrayName), pointers: new Map(), input: true, inputArray: arrayName, lazyRoot: arrayName, witnessName: name,
      lazy: { origin, nullSymbol, pointee: pointee?.name ?? 'void', ...(opaqueSize ? { opaqueSize } : {}) }, ...(elementSize !== undefined ? { elementSize } : {}),
    });
    return { kind: 'pointer', object: name, offset: bv(0n, 64), nullable: nullCondition(nullSymbol) };
  }

  /**
   * A dereference of a lazily created pointer assumes it is not NULL (the code did not check), unless
   * the path already decided it is: then it is a null dereference.
   */
  private async assumeValid(state: State, nullable: BoolExpr, range: SourceRange): Promise<void> {
    const valid = not(nullable);
    const answer = await this.feasible(state, valid);
    if (answer.result === 'unknown') this.stop('solver-unknown', `the solver could not decide whether a pointer is NULL (${rangeText(range)})`);
    if (answer.result !== 'sat') throw new PathEnd({ kind: 'error', reason: 'null-dereference', message: 'memory access through a pointer that is NULL on this path', range });
    this.addConstraint(state, valid, answer.model!);
  }

  /**
   * A struct object accessed beyond its first element is an array of up to `arrayElements` elements;
   * the path assumes the access is inside it (an assumption of the contract, not an error class), and
   * is an out-of-bounds error only where no element count up to the bound can hold it.
   */
  private async growIntoArray(object: MemoryObject, offset: BitVecExpr, bytes: number, range: SourceRange): Promise<void> {
    const elementSize = object.elementSize!;
    if (offset.op === 'const' && offset.value + BigInt(bytes) <= BigInt(elementSize)) return;
    this.recorder?.unsupported(`it indexes '${displayObject(object.name)}' as an array, which a summary cannot express`, range);
    object.arrayElements = this.options.regions.arrayElements ?? DEFAULT_ARRAY_ELEMENTS;
    object.size = object.arrayElements * elementSize;
    const input = this.inputObjects.find((i) => i.arrayName === object.inputArray);
    if (input) input.size = Math.max(input.size, object.size);
    const name = object.witnessName ?? displayObject(object.name);
    if (!this.arrayObjects.some((a) => a.name === name)) this.arrayObjects.push({ name, elements: object.arrayElements, elementSize });
  }

  /** Inside an object indexed as an array, the path assumes the access falls inside its elements. */
  private async assumeInArray(state: State, object: MemoryObject, offset: BitVecExpr, bytes: number): Promise<void> {
    if (object.arrayElements === undefined) return;
    const inside = compare('ule', offset, bv(BigInt(object.size - bytes), 64));
    if (inside.op === 'true') return;
    const answer = await this.feasible(state, inside);
    if (answer.result === 'sat') this.addConstraint(state, inside, answer.model!);
  }

  /**
   * An unmodelled call may write everything its pointer arguments reach: those objects get fresh
   * contents (the array `ext:KEY>NAME`, given by the witness's `externalWrites`). In inputs and lazy
   * objects, pointers already followed stay and the others are lazily created from the new contents.
   * The code's own memory behind an argument (a local passed as an out-parameter, `&e`) loses its
   * pointers: they are lazily created too, named after the call (`KEY:argN@OFFSET`).
   */
  protected forgetReachable(state: State, key: string, args: SymbolicValue[], everything = false): void {
    const seen = new Set<string>();
    const queue: { name: string; label: string | undefined }[] = [];
    args.forEach((arg, index) => { if (arg.kind === 'pointer') queue.push({ name: arg.object, label: `${key}:arg${index}` }); });
    // A "memory" clobber: every object a witness names (globals, what parameters and lazy
    // pointers reach) and what their stored pointers reach; the function's locals stay.
    if (everything) for (const object of state.memory.values()) if (object.witnessName) queue.push({ name: object.name, label: undefined });
    while (queue.length > 0) {
      const { name, label } = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const object = state.memory.get(name);
      if (!object || object.readOnly) continue;
      for (const value of [...object.pointers.values(), ...(object.indexedPointers ?? []).map((entry) => entry.value)]) if (value.kind === 'pointer') queue.push({ name: value.object, label: undefined });
      // Memory the code allocated that the call reaches only through stored pointers has no name a witness can give.
      if (!object.witnessName && label === undefined) continue;
      if (!object.witnessName) {
        object.witnessName = label;
        object.pointers = new Map();
      }
      const witnessName = object.witnessName!;
      const arrayName = `ext:${key}>${witnessName}`;
      object.bytes = arraySymbol(arrayName);
      object.inputArray = arrayName;
      object.lazyRoot = arrayName;
      state.externalWrites = [...(state.externalWrites ?? []), { key, object: witnessName, arrayName, size: object.size }];
    }
  }

  protected readBytes(object: MemoryObject, offset: BitVecExpr, count: number): BitVecExpr {
    const parts: BitVecExpr[] = [];
    for (let i = count - 1; i >= 0; i--) parts.push(select(object.bytes, binary('add', offset, bv(BigInt(i), 64))));
    return concat(parts);
  }

  protected writeBytes(object: MemoryObject, offset: BitVecExpr, value: BitVecExpr, count: number): void {
    let bytes = object.bytes;
    for (let i = 0; i < count; i++) bytes = store(bytes, binary('add', offset, bv(BigInt(i), 64)), extract(8 * i + 7, 8 * i, value));
    object.bytes = bytes;
  }

  protected dropPointers(object: MemoryObject, offset: BitVecExpr, count: number): void {
    // A store may hit an element read at a symbolic offset: those are forgotten (a later read is PC107).
    object.indexedPointers = undefined;
    if (object.pointers.size === 0) return;
    if (offset.op !== 'const') { object.pointers.clear(); return; }
    const start = Number(offset.value);
    for (const at of [...object.pointers.keys()]) if (at < start + count && at + 8 > start) object.pointers.delete(at);
  }
}
