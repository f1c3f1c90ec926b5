// Places in memory and what they hold: lvalues, loads and stores (bit-fields too), struct copies,
// initializers and compound literals, C's conversions, and the static types and sizes of expressions.
import type { Node } from 'web-tree-sitter';
import { ArrayType, CType, IntType, PointerType, RecordType, Types, findField, pointerTo, sizeOf, uncomputedSize, typeToString } from '../syntax/cTypes';
import { decodeStringLiteral } from '../syntax/translationUnit';
import type { BinaryOp, MbufLayout, Operand, PacketField, Pointee } from './ir';
import { PACKET_CONTEXTS } from './ir';
import { LValue, LoweringState, RValue } from './loweringState';

export abstract class PlaceLowering extends LoweringState {
  // Implemented by the expression layer (lowerExpressions.ts).
  protected abstract lowerRValue(node: Node): RValue;
  protected abstract toBoolean(value: RValue, node: Node): Operand;
  protected abstract emitBinary(operator: BinaryOp, left: Operand, right: Operand, type: IntType, node: Node): RValue;
  protected abstract pointerArithmetic(pointer: RValue, index: RValue, subtract: boolean, node: Node): RValue;

  // ----- places -----

  protected lowerLValue(node: Node): LValue {
    switch (node.type) {
      case 'parenthesized_expression': return this.lowerLValue(node.namedChildren[0]!);
      case 'compound_literal_expression': return this.lowerCompoundLiteral(node);
      case 'identifier': {
        const name = node.text;
        const binding = this.lookup(name);
        if (binding?.kind === 'register') return { kind: 'register', register: binding.register, type: binding.type };
        if (binding?.kind === 'slot') return { kind: 'memory', address: this.emitAddressOfSlot(binding.slot, node), type: binding.type };
        const global = this.unit.globals.get(name);
        if (global) {
          this.requireKnownSize(global.type, node);
          if (global.type.kind === 'record' && !global.type.complete) throw this.failure('unknown-type', `global '${name}' has incomplete type`, node);
          const dst = this.newTemporary();
          this.emit({ op: 'address', dst, base: { kind: 'global', name }, range: this.range(node) });
          if (this.isWriteContext(node)) this.context.writtenGlobals.add(name);
          return { kind: 'memory', address: { kind: 'reg', id: dst }, type: global.type };
        }
        throw this.undeclared(name, node);
      }
      case 'subscript_expression': {
        const base = this.lowerRValue(node.childForFieldName('argument')!);
        const index = this.lowerRValue(node.childForFieldName('index')!);
        const [pointer, offset] = isPointerValue(base.type) ? [base, index] : [index, base];
        if (!isPointerValue(pointer.type)) throw this.unsupported('subscript of a non-pointer', node);
        const element = this.pointerArithmetic(pointer, offset, false, node);
        return { kind: 'memory', address: element.value, type: pointeeOf(pointer.type) };
      }
      case 'field_expression': {
        const operator = node.childForFieldName('operator')!.text;
        const argumentNode = node.childForFieldName('argument')!;
        const fieldName = node.childForFieldName('field')!.text;
        let address: Operand;
        let record: CType;
        if (operator === '->') {
          const pointer = this.lowerRValue(argumentNode);
          if (!isPointerValue(pointer.type)) throw this.unsupported("'->' on a non-pointer", node);
          address = pointer.value;
          record = pointeeOf(pointer.type);
          this.requireKnownSize(record, node);
        } else {
          const place = this.lowerLValue(argumentNode);
          if (place.kind !== 'memory') throw this.unsupported("'.' on a value that is not in memory", node);
          address = place.address;
          record = place.type;
        }
        if (record.kind !== 'record') throw this.failure('unknown-type', `'${argumentNode.text}' is not a struct or union`, node);
        if (!record.complete) throw this.failure('unknown-type', `${typeToString(record)} is incomplete; is a header missing?`, node);
        const field = findField(record, fieldName);
        if (!field) throw this.failure('unknown-identifier', `no field '${fieldName}' in ${typeToString(record)}`, node);
        return { kind: 'memory', address: this.offsetPointer(address, field.offset, node), type: field.type, bitOffset: field.bitOffset, bitWidth: field.bitWidth };
      }
      case 'pointer_expression': {
        if (node.childForFieldName('operator')!.text !== '*') throw this.unsupported("'&' result as an assignable place", node);
        const pointer = this.lowerRValue(node.childForFieldName('argument')!);
        if (!isPointerValue(pointer.type)) throw this.unsupported("'*' on a non-pointer", node);
        return { kind: 'memory', address: pointer.value, type: pointeeOf(pointer.type) };
      }
      case 'call_expression': {
        throw this.unsupported('assigning to a call result', node);
      }
      default:
        throw this.unsupported(`'${node.text.slice(0, 30)}' as an assignable place`, node);
    }
  }

  protected lowerLValueOfPointer(operand: Node): LValue {
    const pointer = this.lowerRValue(operand);
    if (!isPointerValue(pointer.type)) throw this.unsupported("'*' on a non-pointer", operand);
    return { kind: 'memory', address: pointer.value, type: pointeeOf(pointer.type) };
  }

  /** Whether a global's identifier is written or its address escapes here (so its initial value is not known). */
  private isWriteContext(node: Node): boolean {
    let child = node;
    let parent = node.parent;
    while (parent && (parent.type === 'parenthesized_expression' || parent.type === 'subscript_expression' && parent.childForFieldName('argument')?.id === child.id || parent.type === 'field_expression' && parent.childForFieldName('operator')?.text === '.')) {
      child = parent;
      parent = parent.parent;
    }
    if (!parent) return false;
    if (parent.type === 'assignment_expression' && parent.childForFieldName('left')?.id === child.id) return true;
    if (parent.type === 'update_expression') return true;
    if (parent.type === 'pointer_expression' && parent.childForFieldName('operator')?.text === '&') return true;
    // An array or struct used as a whole (passed, assigned to a pointer) escapes.
    const global = this.unit.globals.get(node.text);
    if (global && (global.type.kind === 'array' || global.type.kind === 'record') && child.id === node.id && parent.type !== 'sizeof_expression') return true;
    if (child.id !== node.id && parent.type === 'field_expression' && parent.childForFieldName('operator')?.text === '->') return false;
    if (child.id !== node.id && (parent.type === 'argument_list' || parent.type === 'init_declarator' || parent.type === 'assignment_expression' || parent.type === 'return_statement')) {
      const type = global?.type;
      return type !== undefined && (type.kind === 'array' || type.kind === 'record');
    }
    return false;
  }

  protected load(place: LValue, node: Node): RValue {
    if (place.kind === 'register') return { value: { kind: 'reg', id: place.register }, type: place.type };
    const type = place.type;
    if (type.kind === 'array') return { value: place.address, type: pointerTo(type.of) }; // arrays decay
    if (type.kind === 'function') return { value: place.address, type: pointerTo(type) };
    if (type.kind === 'record') return { value: place.address, type }; // used only by member access and copies
    if (type.kind === 'void') throw this.unsupported('reading a void value', node);
    const dst = this.newTemporary();
    if (place.bitWidth !== undefined && type.kind === 'int') {
      const storageWidth = type.size * 8;
      this.emit({ op: 'load', dst, address: place.address, width: storageWidth, pointer: false, range: this.range(node) });
      return this.extractBits({ kind: 'reg', id: dst }, type, place.bitOffset ?? 0, place.bitWidth, node);
    }
    const mbuf = type.kind === 'pointer' ? this.mbufBuffer(node) : undefined;
    this.emit({
      op: 'load', dst, address: place.address, width: widthOf(type), pointer: type.kind === 'pointer', range: this.range(node),
      ...(type.kind === 'pointer' ? { pointee: { ...pointeeInfo(type), ...(mbuf ? { mbuf } : {}) } } : {}),
    });
    return { value: { kind: 'reg', id: dst }, type };
  }

  private extractBits(storage: Operand, type: IntType, bitOffset: number, bitWidth: number, node: Node): RValue {
    const width = type.size * 8;
    const shiftedLeft = this.emitBinary('shl', storage, { kind: 'imm', value: BigInt(width - bitOffset - bitWidth), width }, type, node);
    return this.emitBinary(type.signed ? 'ashr' : 'lshr', shiftedLeft.value, { kind: 'imm', value: BigInt(width - bitWidth), width }, type, node);
  }

  /** Stores a value into a place after converting it to the place's type; returns the stored value. */
  protected assign(place: LValue, value: RValue, node: Node): RValue {
    const converted = this.convert(value, place.type, node);
    if (place.kind === 'register') {
      const last = this.current.instructions[this.current.instructions.length - 1];
      const source = converted.value;
      if (!this.isTerminated() && source.kind === 'reg' && this.temporaries.has(source.id) && last && 'dst' in last && last.dst === source.id) {
        // Retarget the computation into the variable's register instead of copying it.
        (last as { dst: number }).dst = place.register;
        this.temporaries.delete(source.id);
      } else {
        this.emit({ op: 'copy', dst: place.register, src: source, width: widthOf(place.type), range: this.range(node) });
      }
      return { value: { kind: 'reg', id: place.register }, type: place.type };
    }
    if (place.type.kind === 'array' || place.type.kind === 'record') throw this.unsupported('assigning an array', node);
    if (place.bitWidth !== undefined && place.type.kind === 'int') {
      this.storeBits(place, converted, node);
      return converted;
    }
    this.emit({ op: 'store', address: place.address, value: converted.value, width: widthOf(place.type), pointer: place.type.kind === 'pointer', range: this.range(node) });
    return converted;
  }

  private storeBits(place: Extract<LValue, { kind: 'memory' }>, value: RValue, node: Node): void {
    const type = place.type as IntType;
    const width = type.size * 8;
    const mask = ((1n << BigInt(place.bitWidth!)) - 1n) << BigInt(place.bitOffset ?? 0);
    const old = this.newTemporary();
    this.emit({ op: 'load', dst: old, address: place.address, width, pointer: false, range: this.range(node) });
    const cleared = this.emitBinary('and', { kind: 'reg', id: old }, { kind: 'imm', value: BigInt.asUintN(width, ~mask), width }, type, node);
    const shifted = this.emitBinary('shl', value.value, { kind: 'imm', value: BigInt(place.bitOffset ?? 0), width }, type, node);
    const masked = this.emitBinary('and', shifted.value, { kind: 'imm', value: mask, width }, type, node);
    const combined = this.emitBinary('or', cleared.value, masked.value, type, node);
    this.emit({ op: 'store', address: place.address, value: combined.value, width, pointer: false, range: this.range(node) });
  }

  /** Struct assignment copies field by field (each scalar a load and a store), like unoptimised code. */
  protected copyAggregate(destination: LValue, source: LValue, node: Node): void {
    if (destination.kind !== 'memory' || source.kind !== 'memory') throw this.unsupported('struct copy', node);
    const type = destination.type;
    if (type.kind !== 'record' && type.kind !== 'array') {
      this.assign(destination, this.load(source, node), node);
      return;
    }
    const parts = type.kind === 'array'
      ? Array.from({ length: type.length ?? 0 }, (_, i) => ({ offset: i * sizeOf(type.of), type: type.of as CType }))
      : type.union ? [{ offset: 0, type: { kind: 'array', of: Types.uchar, length: type.size } as CType }] : type.fields.filter((f) => f.bitWidth === undefined).map((f) => ({ offset: f.offset, type: f.type }));
    if (type.kind === 'record' && type.fields.some((f) => f.bitWidth !== undefined)) throw this.unsupported('copying a struct with bit-fields', node);
    for (const part of parts) {
      this.copyAggregate(
        { kind: 'memory', address: this.offsetPointer(destination.address, part.offset, node), type: part.type },
        { kind: 'memory', address: this.offsetPointer(source.address, part.offset, node), type: part.type },
        node,
      );
    }
  }

  protected addressOf(place: LValue, node: Node): RValue {
    if (place.kind === 'register') throw this.failure('unsupported', 'taking the address of a register variable', node);
    return { value: place.address, type: pointerTo(place.type) };
  }

  protected emitAddressOfSlot(slot: number, node: Node): Operand {
    const dst = this.newTemporary();
    this.emit({ op: 'address', dst, base: { kind: 'slot', slot }, range: this.range(node) });
    return { kind: 'reg', id: dst };
  }

  private offsetPointer(pointer: Operand, offset: number, node: Node): Operand {
    if (offset === 0) return pointer;
    const dst = this.newTemporary();
    this.emit({ op: 'offset', dst, pointer, byteOffset: { kind: 'imm', value: BigInt.asUintN(64, BigInt(offset)), width: 64 }, range: this.range(node) });
    return { kind: 'reg', id: dst };
  }

  // ----- initializers -----

  /** Writes an initializer into a place; aggregates are zero-filled where the list says nothing. */
  protected lowerInitializer(place: LValue, initializer: Node, zeroFill: boolean): void {
    const type = place.type;
    if (initializer.type === 'initializer_list' && (type.kind === 'array' || type.kind === 'record')) {
      const items = initializer.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      const cursor = { at: 0 };
      this.lowerAggregateItems(place, items, cursor, zeroFill, initializer, true);
      if (cursor.at < items.length) throw this.failure('unsupported', 'too many initializers', items[cursor.at]!);
      return;
    }
    if (initializer.type === 'string_literal' && type.kind === 'array') {
      const bytes = decodeStringLiteral(initializer.text);
      for (let i = 0; i < (type.length ?? 0); i++) {
        const address = this.offsetPointer(place.kind === 'memory' ? place.address : { kind: 'null' }, i, initializer);
        this.emit({ op: 'store', address, value: { kind: 'imm', value: BigInt(bytes[i] ?? 0), width: 8 }, width: 8, pointer: false, range: this.range(initializer) });
      }
      return;
    }
    if (initializer.type === 'initializer_list') {
      // `int x = { 5 };` is allowed for scalars.
      const first = initializer.namedChildren.find((c) => c && c.type !== 'comment');
      if (first) this.lowerInitializer(place, first, zeroFill);
      else this.zeroFill(place, initializer);
      return;
    }
    if (type.kind === 'record') {
      const source = this.lowerLValue(initializer);
      this.copyAggregate(place, source, initializer);
      return;
    }
    this.assign(place, this.lowerRValue(initializer), initializer);
  }

  /**
   * Fills the aggregate `place` from `items`, starting at `cursor.at`: every item of its own braced
   * list when `braced`, else only as many as its elements take, which is how C initialises a nested
   * aggregate without its own braces (brace elision, C11 6.7.9 paragraph 20: the kernel's
   * `(struct in6_addr){ 0x00, ..., 0xfe }` fills the union's first member, a 16-byte array).
   * A designator always belongs to the braced list around it.
   */
  private lowerAggregateItems(place: LValue, items: Node[], cursor: { at: number }, zeroFill: boolean, node: Node, braced: boolean): void {
    const type = place.type as ArrayType | RecordType;
    const written = new Set<number>();
    const elements = type.kind === 'array'
      ? Array.from({ length: type.length ?? 0 }, (_, i) => ({ offset: i * sizeOf(type.of), type: type.of as CType, name: String(i) }))
      : type.fields.map((f) => ({ offset: f.offset, type: f.type, name: f.name, bitOffset: f.bitOffset, bitWidth: f.bitWidth }));
    const elementPlace = (element: (typeof elements)[number], at: Node): LValue => ({
      kind: 'memory', address: this.offsetPointer(place.kind === 'memory' ? place.address : { kind: 'null' }, element.offset, at), type: element.type,
      bitOffset: (element as { bitOffset?: number }).bitOffset, bitWidth: (element as { bitWidth?: number }).bitWidth,
    });
    let position = 0;
    while (cursor.at < items.length) {
      const item = items[cursor.at]!;
      if (item.type === 'initializer_pair') {
        if (!braced) break;
        const designator = item.childForFieldName('designator');
        if (designator?.type === 'subscript_designator') position = Number(this.unit.constantValue(designator.namedChildren[0]!, this.file));
        else if (designator) {
          const fieldName = designator.type === 'field_designator' ? designator.namedChildren[0]?.text : designator.text;
          position = elements.findIndex((e) => e.name === fieldName);
          if (position < 0) throw this.failure('unknown-identifier', `no field '${fieldName}' in ${typeToString(type)}`, designator);
        }
        const element = elements[position];
        if (!element) throw this.failure('unsupported', 'too many initializers', item);
        cursor.at++;
        this.lowerInitializer(elementPlace(element, item), item.childForFieldName('value')!, zeroFill);
      } else {
        const element = elements[position];
        if (!element) {
          if (braced) throw this.failure('unsupported', 'too many initializers', item);
          break;
        }
        if (this.takesElidedItems(element.type, item)) this.lowerAggregateItems(elementPlace(element, item), items, cursor, zeroFill, item, false);
        else {
          cursor.at++;
          this.lowerInitializer(elementPlace(element, item), item, zeroFill);
        }
      }
      written.add(position);
      position++;
      if (type.kind === 'record' && type.union) break;
      if (!braced && position >= elements.length) break;
    }
    if (zeroFill) {
      elements.forEach((element, index) => {
        if (written.has(index) || (type.kind === 'record' && type.union && written.size > 0)) return;
        this.zeroFill(elementPlace(element, node), node);
      });
    }
  }

  /** Whether `item` starts the unbraced items of an aggregate element (not its own list, string or struct value). */
  private takesElidedItems(type: CType, item: Node): boolean {
    if (type.kind !== 'array' && type.kind !== 'record') return false;
    if (item.type === 'initializer_list') return false;
    if (type.kind === 'array' && item.type === 'string_literal') return false;
    if (type.kind === 'record') {
      try {
        if (this.staticTypeOf(item).kind === 'record') return false;
      } catch {
        return true;
      }
    }
    return true;
  }

  /**
   * `(T){ ... }`: an unnamed object of type T in the enclosing block (C11 6.5.2.5), initialised as a
   * declaration would be, members not named being zero. One stack slot per literal in the code.
   */
  protected lowerCompoundLiteral(node: Node): LValue {
    let type = this.typeOfDescriptor(node.childForFieldName('type')!);
    const initializer = node.childForFieldName('value')!;
    if (type.kind === 'array' && type.length === undefined) type = { ...type, length: initializer.namedChildren.filter((c) => c && c.type !== 'comment').length };
    this.requireKnownSize(type, node);
    if (type.kind === 'record' && !type.complete) throw this.failure('unknown-type', `a compound literal of incomplete type ${typeToString(type)}`, node);
    // Slots are named objects to the executor: each literal gets its own name (its place in the source).
    const at = this.range(node);
    const slot = this.newSlot(`(${typeToString(type)}){...}@${at.startLine + 1}:${at.startColumn + 1}`, sizeOf(type));
    const place: LValue = { kind: 'memory', address: this.emitAddressOfSlot(slot, node), type };
    this.lowerInitializer(place, initializer, true);
    return place;
  }

  private zeroFill(place: LValue, node: Node): void {
    const type = place.type;
    if (type.kind === 'array' || type.kind === 'record') {
      const elements = type.kind === 'array'
        ? Array.from({ length: type.length ?? 0 }, (_, i) => ({ offset: i * sizeOf(type.of), type: type.of as CType }))
        : (type.union ? type.fields.slice(0, 1) : type.fields).map((f) => ({ offset: f.offset, type: f.type, bitOffset: f.bitOffset, bitWidth: f.bitWidth }));
      for (const element of elements) {
        const address = this.offsetPointer(place.kind === 'memory' ? place.address : { kind: 'null' }, element.offset, node);
        this.zeroFill({ kind: 'memory', address, type: element.type, bitOffset: (element as { bitOffset?: number }).bitOffset, bitWidth: (element as { bitWidth?: number }).bitWidth }, node);
      }
      return;
    }
    const zero: RValue = type.kind === 'pointer' ? { value: { kind: 'null' }, type } : { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.int };
    this.assign(place, zero, node);
  }

  // ----- conversions -----

  /** Converts a value to a type following C's rules (integer widening/narrowing, pointer casts). */
  protected convert(value: RValue, to: CType, node: Node, explicit = false): RValue {
    const from = value.type;
    if (to.kind === 'int' && to.isBool) {
      if (from.kind === 'int' && from.isBool) return value;
      const bit = this.toBoolean(value, node);
      const dst = this.newTemporary();
      this.emit({ op: 'cast', dst, cast: 'zext', src: bit, from: 1, to: 8, range: this.range(node) });
      return { value: { kind: 'reg', id: dst }, type: to };
    }
    if (to.kind === 'int' && from.kind === 'int') {
      const fromWidth = from.size * 8;
      const toWidth = to.size * 8;
      if (fromWidth === toWidth) return { value: value.value, type: to };
      if (value.value.kind === 'imm') {
        const raw = from.signed ? BigInt.asIntN(fromWidth, value.value.value) : value.value.value;
        return { value: { kind: 'imm', value: BigInt.asUintN(toWidth, raw), width: toWidth }, type: to };
      }
      const dst = this.newTemporary();
      const cast = toWidth < fromWidth ? 'trunc' : from.signed ? 'sext' : 'zext';
      this.emit({ op: 'cast', dst, cast, src: value.value, from: fromWidth, to: toWidth, range: this.range(node) });
      return { value: { kind: 'reg', id: dst }, type: to };
    }
    if (to.kind === 'pointer') {
      if (isPointerValue(from)) return { value: value.value, type: to };
      if (from.kind === 'int' && value.value.kind === 'imm' && value.value.value === 0n) return { value: { kind: 'null' }, type: to };
      if (from.kind === 'int') {
        const packet = this.packetField(node);
        if (packet) {
          const dst = this.newTemporary();
          this.emit({ op: 'packetPointer', dst, field: packet, src: value.value, range: this.range(node) });
          return { value: { kind: 'reg', id: dst }, type: to };
        }
        throw this.failure('invalid-pointer', `converting the integer '${node.text.slice(0, 30)}' to a pointer`, node);
      }
    }
    if (to.kind === 'int' && isPointerValue(from)) {
      throw this.failure('invalid-pointer', `converting the pointer '${node.text.slice(0, 30)}' to an integer`, node);
    }
    if (to.kind === 'record' && from.kind === 'record' && to === from) return value;
    if (to.kind === 'void') return value;
    if (explicit || from !== to) {
      if (from.kind === to.kind && from.kind !== 'int') return { value: value.value, type: to };
      throw this.unsupported(`conversion from ${typeToString(from)} to ${typeToString(to)}`, node);
    }
    return value;
  }

  /**
   * The packet field an integer converted to a pointer reads, when it is `CTX->data`, `CTX->data_end`
   * or `CTX->data_meta` of an XDP context (`struct xdp_md *`) or a socket buffer (`struct __sk_buff *`),
   * under any casts and parentheses: `(void *)(long)ctx->data`. The executor and the interpreter make
   * it a pointer into the one packet object (symex/packet.ts).
   */
  private packetField(node: Node): PacketField | undefined {
    let inner: Node | null = node;
    while (inner && (inner.type === 'cast_expression' || inner.type === 'parenthesized_expression')) {
      inner = inner.type === 'cast_expression' ? inner.childForFieldName('value') : inner.namedChild(0);
    }
    if (!inner || inner.type !== 'field_expression') return undefined;
    const field = inner.childForFieldName('field')?.text;
    if (field !== 'data' && field !== 'data_end' && field !== 'data_meta') return undefined;
    const argument = inner.childForFieldName('argument');
    if (!argument) return undefined;
    let type: CType;
    try { type = this.staticTypeOf(argument); } catch { return undefined; }
    const record = inner.childForFieldName('operator')?.text === '->' ? (type.kind === 'pointer' ? type.to : undefined) : type;
    if (!record || record.kind !== 'record' || !PACKET_CONTEXTS.has(record.tag)) return undefined;
    return field;
  }

  /** For `M->buf_addr` of a DPDK `struct rte_mbuf`: where the mbuf keeps `data_off`, `data_len` and `buf_len`. */
  private mbufBuffer(node: Node): MbufLayout | undefined {
    if (node.type !== 'field_expression' || node.childForFieldName('field')?.text !== 'buf_addr') return undefined;
    const argument = node.childForFieldName('argument');
    if (!argument) return undefined;
    let type: CType;
    try { type = this.staticTypeOf(argument); } catch { return undefined; }
    const record = node.childForFieldName('operator')?.text === '->' ? (type.kind === 'pointer' ? type.to : undefined) : type;
    if (!record || record.kind !== 'record' || record.tag !== 'rte_mbuf') return undefined;
    const offsets = ['data_off', 'data_len', 'buf_len'].map((name) => {
      const field = findField(record, name);
      return field && field.type.kind === 'int' && field.type.size === 2 && field.bitWidth === undefined ? field.offset : undefined;
    });
    if (offsets.some((o) => o === undefined)) return undefined;
    return { dataOff: offsets[0]!, dataLen: offsets[1]!, bufLen: offsets[2]! };
  }

  // ----- types and sizes -----

  protected typeOfDescriptor(node: Node): CType {
    return this.unit.resolveTypeDescriptor(node, this.file);
  }

  /** The type named by `(T)` when T is a typedef name and not a variable in scope (a cast tree-sitter parsed as an expression). */
  protected typedefInParentheses(node: Node): CType | undefined {
    if (node.type !== 'parenthesized_expression') return undefined;
    const inner = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    if (inner.length !== 1 || inner[0]!.type !== 'identifier') return undefined;
    const name = inner[0]!.text;
    if (this.lookup(name) || this.unit.globals.has(name) || this.unit.functions.has(name) || this.unit.enumConstants.has(name)) return undefined;
    return this.unit.typeNamed(name, this.file, node);
  }

  protected sizeofNode(node: Node): number {
    const typeNode = node.childForFieldName('type');
    if (typeNode) {
      const type = this.typeOfDescriptor(typeNode);
      this.requireKnownSize(type, node);
      return sizeOf(type);
    }
    const valueNode = node.childForFieldName('value')!;
    // `sizeof(T)` with T a typedef parses as sizeof of a parenthesised name.
    const typedef = this.typedefInParentheses(valueNode);
    if (typedef) return sizeOf(typedef);
    const type = this.staticTypeOf(valueNode);
    this.requireKnownSize(type, node);
    return sizeOf(type);
  }

  /** The type of an expression without emitting code (for sizeof). */
  protected staticTypeOf(node: Node): CType {
    const savedBlocks = this.blocks.length;
    const savedCurrent = this.current;
    const savedCount = this.current.instructions.length;
    const savedRegisters = this.registerCount;
    this.current = this.newBlock();
    try {
      const inner = node.type === 'parenthesized_expression' ? node.namedChildren[0]! : node;
      if (inner.type === 'identifier' || inner.type === 'subscript_expression' || inner.type === 'field_expression' || (inner.type === 'pointer_expression' && inner.childForFieldName('operator')?.text === '*')) {
        return this.lowerLValue(inner).type;
      }
      return this.lowerRValue(inner).type;
    } finally {
      this.blocks.length = savedBlocks;
      this.current = savedCurrent;
      this.current.instructions.length = savedCount;
      this.registerCount = savedRegisters;
    }
  }

  protected constantExpression(node: Node): bigint {
    const value = this.unit.tryConstantValue(node, this.file);
    if (value !== undefined) return value;
    if (node.type === 'sizeof_expression') return BigInt(this.sizeofNode(node));
    throw this.failure('unsupported', `'${node.text}' is not a constant expression`, node);
  }

  /** Stops the function (PC404) when `type`'s layout depends on an array size that was not computed. */
  protected requireKnownSize(type: CType, node: Node): void {
    const unknown = uncomputedSize(type);
    if (unknown !== undefined) {
      throw this.failure('unknown-type', `the layout of ${typeToString(type)} depends on the array size '${unknown}', which could not be computed`, node);
    }
  }
}

export function isPointerValue(t: CType): boolean {
  return t.kind === 'pointer' || t.kind === 'array';
}

export function pointeeOf(t: CType): CType {
  if (t.kind === 'pointer') return t.to;
  if (t.kind === 'array') return t.of;
  return Types.void;
}

export function decayed(t: CType): CType {
  return t.kind === 'array' ? pointerTo(t.of) : t;
}

export function widthOf(t: CType): number {
  if (t.kind === 'pointer' || t.kind === 'array') return 64;
  if (t.kind === 'int') return t.size * 8;
  return 0;
}

/** The pointee of a loaded or returned pointer, for lazily created objects (size 0: incomplete or void). */
export function pointeeInfo(type: PointerType): Pointee {
  const to = type.to;
  const complete = to.kind !== 'void' && to.kind !== 'function' && !(to.kind === 'record' && !to.complete);
  return { size: complete ? sizeOf(to) : 0, isRecord: to.kind === 'record', name: typeToString(to) };
}
