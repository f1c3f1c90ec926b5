// Expressions: rvalues (operators, comparisons, pointer arithmetic, assignments, `?:`, statement
// expressions) and conditions, which go straight into branches where C short-circuits.
import type { Node } from 'web-tree-sitter';
import { CType, IntType, Types, findField, isInteger, pointerTo, promote, sizeOf, usualArithmetic, typeToString } from '../syntax/cTypes';
import { decodeStringLiteral, parseCharLiteral, parseIntegerLiteral } from '../syntax/translationUnit';
import type { BinaryOp, ComparePredicate, Instruction, Operand } from './ir';
import { RValue, internString } from './loweringState';
import { PlaceLowering, decayed, isPointerValue, pointeeOf, widthOf } from './lowerPlaces';

export abstract class ExpressionLowering extends PlaceLowering {
  // Implemented by the statement and call layers (lowerStatements.ts, lowerCalls.ts).
  protected abstract lowerStatement(node: Node): void;
  protected abstract lowerCall(node: Node, discarded?: boolean): RValue;
  protected abstract lowerAsm(node: Node): RValue;

  // ----- conditions (short-circuit into control flow) -----

  /** Lowers a condition straight into branches, so `&&`, `||` and `!` need no value. */
  protected lowerCondition(node: Node, whenTrue: number, whenFalse: number): void {
    if (node.type === 'parenthesized_expression' && node.namedChildren[0]) {
      return this.lowerCondition(node.namedChildren[0], whenTrue, whenFalse);
    }
    if (node.type === 'binary_expression') {
      const operator = node.childForFieldName('operator')?.text;
      if (operator === '&&' || operator === '||') {
        const middle = this.newBlock();
        const left = node.childForFieldName('left')!;
        if (operator === '&&') this.lowerCondition(left, middle.id, whenFalse);
        else this.lowerCondition(left, whenTrue, middle.id);
        this.switchTo(middle);
        this.lowerCondition(node.childForFieldName('right')!, whenTrue, whenFalse);
        return;
      }
    }
    if (node.type === 'unary_expression' && node.childForFieldName('operator')?.text === '!') {
      return this.lowerCondition(node.childForFieldName('argument')!, whenFalse, whenTrue);
    }
    const condition = this.lowerBoolean(node);
    this.terminate({ op: 'branch', condition, whenTrue, whenFalse, text: this.conditionText(node), range: this.range(node) });
  }

  /** The condition as the user wrote it (macro names kept), from the source map. */
  private conditionText(node: Node): string {
    return this.unit.sourceText(node).replace(/\s+/g, ' ');
  }

  /** A 1-bit value that is true when the expression is non-zero. */
  protected lowerBoolean(node: Node): Operand {
    const value = this.lowerRValue(node);
    return this.toBoolean(value, node);
  }

  protected override toBoolean(value: RValue, node: Node): Operand {
    const fromCompare = value as RValue & { fromCompare?: Operand; zextInstruction?: Instruction };
    const instructions = this.current.instructions;
    if (fromCompare.fromCompare && fromCompare.zextInstruction && instructions[instructions.length - 1] === fromCompare.zextInstruction) {
      instructions.pop(); // branch on the comparison's bit; the int it was widened to is not needed
      return fromCompare.fromCompare;
    }
    const dst = this.newTemporary();
    if (value.type.kind === 'pointer' || value.type.kind === 'array') {
      this.emit({ op: 'compare', dst, predicate: 'ne', left: value.value, right: { kind: 'null' }, width: 64, pointers: true, range: this.range(node) });
    } else if (value.type.kind === 'int') {
      this.emit({ op: 'compare', dst, predicate: 'ne', left: value.value, right: { kind: 'imm', value: 0n, width: value.type.size * 8 }, width: value.type.size * 8, pointers: false, range: this.range(node) });
    } else {
      throw this.unsupported(`condition of type ${typeToString(value.type)}`, node);
    }
    return { kind: 'reg', id: dst };
  }

  // ----- expressions -----

  protected lowerExpressionForEffect(node: Node): void {
    if (node.type === 'comma_expression') {
      this.lowerExpressionForEffect(node.childForFieldName('left')!);
      this.lowerExpressionForEffect(node.childForFieldName('right')!);
      return;
    }
    if (node.type === 'cast_expression' && this.typeOfDescriptor(node.childForFieldName('type')!).kind === 'void') {
      this.lowerExpressionForEffect(node.childForFieldName('value')!);
      return;
    }
    if (node.type === 'update_expression') {
      this.lowerUpdate(node, false);
      return;
    }
    if (node.type === 'call_expression') {
      this.lowerCall(node, true);
      return;
    }
    this.lowerRValue(node);
  }

  protected override lowerRValue(node: Node): RValue {
    switch (node.type) {
      case 'parenthesized_expression': {
        const inner = node.namedChildren[0]!;
        if (inner.type === 'compound_statement') return this.lowerStatementExpression(inner);
        return this.lowerRValue(inner);
      }
      case 'extension_expression': return this.lowerRValue(node.namedChildren[node.namedChildren.length - 1]!);
      case 'number_literal': return this.lowerNumber(node);
      case 'char_literal': return { value: { kind: 'imm', value: BigInt.asUintN(32, parseCharLiteral(node.text)), width: 32 }, type: Types.int };
      case 'true': return { value: { kind: 'imm', value: 1n, width: 32 }, type: Types.int };
      case 'false': return { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.int };
      case 'null': return { value: { kind: 'null' }, type: pointerTo(Types.void) };
      case 'string_literal':
      case 'concatenated_string': return this.lowerString(node);
      case 'identifier': return this.lowerIdentifierValue(node);
      case 'binary_expression': return this.lowerBinary(node);
      case 'unary_expression': return this.lowerUnary(node);
      case 'update_expression': return this.lowerUpdate(node, true);
      case 'assignment_expression': return this.lowerAssignment(node);
      case 'conditional_expression': return this.lowerConditional(node);
      case 'cast_expression': {
        const type = this.typeOfDescriptor(node.childForFieldName('type')!);
        const valueNode = node.childForFieldName('value')!;
        if (type.kind === 'void') {
          this.lowerExpressionForEffect(valueNode);
          return { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.void };
        }
        return this.convert(this.lowerRValue(valueNode), type, node, true);
      }
      case 'sizeof_expression': return { value: { kind: 'imm', value: BigInt(this.sizeofNode(node)), width: 64 }, type: Types.ulong };
      case 'offsetof_expression': {
        const type = this.typeOfDescriptor(node.childForFieldName('type')!);
        const member = node.childForFieldName('member')!.text;
        const field = type.kind === 'record' ? findField(type, member) : undefined;
        if (!field) throw this.failure('unknown-identifier', `no field '${member}' in ${typeToString(type)}`, node);
        return { value: { kind: 'imm', value: BigInt(field.offset), width: 64 }, type: Types.ulong };
      }
      case 'call_expression': {
        return this.lowerCall(node);
      }
      case 'comma_expression':
        this.lowerExpressionForEffect(node.childForFieldName('left')!);
        return this.lowerRValue(node.childForFieldName('right')!);
      case 'subscript_expression':
      case 'field_expression':
      case 'pointer_expression':
        if (node.type === 'pointer_expression' && node.childForFieldName('operator')?.text === '&') {
          return this.addressOf(this.lowerLValue(node.childForFieldName('argument')!), node);
        }
        return this.load(this.lowerLValue(node), node);
      case 'compound_literal_expression': return this.load(this.lowerCompoundLiteral(node), node);
      case 'generic_expression': throw this.unsupported('_Generic', node);
      case 'gnu_asm_expression': return this.lowerAsm(node);
      case 'ERROR': throw this.failure('syntax-error', `syntax error near '${node.text.slice(0, 30)}'`, node);
      default: throw this.unsupported(`expression '${node.type}'`, node);
    }
  }

  private lowerNumber(node: Node): RValue {
    const text = node.text;
    if (/[.eEpP]/.test(text) && !/^0[xX]/.test(text) || /[fF]$/.test(text) && !/^0[xX]/.test(text)) throw this.unsupported('floating point', node);
    const literal = parseIntegerLiteral(text);
    let type: IntType;
    const candidates: IntType[] = literal.unsigned
      ? (literal.long ? [Types.ulong] : [Types.uint, Types.ulong])
      : literal.decimal
        ? (literal.long ? [Types.long] : [Types.int, Types.long, Types.ulong])
        : (literal.long ? [Types.long, Types.ulong] : [Types.int, Types.uint, Types.long, Types.ulong]);
    const magnitude = literal.value < 0n ? -literal.value : literal.value;
    const fitsMagnitude = (bits: number, signed: boolean) => magnitude < (signed ? 1n << BigInt(bits - 1) : 1n << BigInt(bits));
    type = candidates.find((c) => fitsMagnitude(c.size * 8, c.signed)) ?? Types.ulong;
    return { value: { kind: 'imm', value: BigInt.asUintN(type.size * 8, literal.value), width: type.size * 8 }, type };
  }

  private lowerString(node: Node): RValue {
    const parts = node.type === 'concatenated_string' ? node.namedChildren.filter((c) => c?.type === 'string_literal') : [node];
    const index = internString(this.context, [...parts.flatMap((p) => decodeStringLiteral(p!.text)), 0]);
    const dst = this.newTemporary();
    this.emit({ op: 'address', dst, base: { kind: 'string', index }, range: this.range(node) });
    return { value: { kind: 'reg', id: dst }, type: pointerTo(Types.char) };
  }

  private lowerIdentifierValue(node: Node): RValue {
    const name = node.text;
    if ((name === '__func__' || name === '__FUNCTION__' || name === '__PRETTY_FUNCTION__') && !this.lookup(name)) {
      // C99 6.4.2.2: a static array holding the enclosing function's name.
      const index = internString(this.context, [...Buffer.from(this.name, 'utf8'), 0]);
      const dst = this.newTemporary();
      this.emit({ op: 'address', dst, base: { kind: 'string', index }, range: this.range(node) });
      return { value: { kind: 'reg', id: dst }, type: pointerTo(Types.char) };
    }
    const binding = this.lookup(name);
    if (binding?.kind === 'register') return { value: { kind: 'reg', id: binding.register }, type: binding.type };
    if (binding || this.unit.globals.has(name)) return this.load(this.lowerLValue(node), node);
    const enumValue = this.unit.enumConstants.get(name);
    if (enumValue !== undefined) return { value: { kind: 'imm', value: BigInt.asUintN(32, enumValue), width: 32 }, type: Types.int };
    if (this.unit.functions.has(name)) throw this.unsupported(`using function '${name}' as a value (function pointers)`, node);
    throw this.undeclared(name, node);
  }

  private lowerBinary(node: Node): RValue {
    const operator = node.childForFieldName('operator')!.text;
    const leftNode = node.childForFieldName('left')!;
    const rightNode = node.childForFieldName('right')!;
    if (operator === '&&' || operator === '||') return this.lowerLogicalValue(node);
    const castType = this.typedefInParentheses(leftNode);
    if (castType && ['*', '&', '+', '-'].includes(operator)) {
      // `(u16)*p`: tree-sitter cannot know that u16 names a type; with the typedef in scope it is a cast of a unary expression.
      // FIXME(precedence): `(T)-a*b` is read as `(T)(-(a*b))`; tree-sitter already grouped the right side.
      const operand = this.lowerUnaryOf(operator, rightNode, node);
      return castType.kind === 'void' ? { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.void } : this.convert(operand, castType, node, true);
    }
    const left = this.lowerRValue(leftNode);
    const right = this.lowerRValue(rightNode);
    return this.binaryOperation(operator, left, right, node);
  }

  private binaryOperation(operator: string, left: RValue, right: RValue, node: Node): RValue {
    const leftPointer = isPointerValue(left.type);
    const rightPointer = isPointerValue(right.type);
    if (['==', '!=', '<', '<=', '>', '>='].includes(operator)) {
      if (leftPointer || rightPointer) return this.comparePointers(operator, left, right, node);
      return this.compareIntegers(operator, left, right, node);
    }
    if (operator === '+' || operator === '-') {
      if (leftPointer && rightPointer && operator === '-') {
        const dst = this.newTemporary();
        this.emit({ op: 'pointerDiff', dst, left: left.value, right: right.value, range: this.range(node) });
        const elementSize = BigInt(sizeOf(pointeeOf(left.type)) || 1);
        if (elementSize === 1n) return { value: { kind: 'reg', id: dst }, type: Types.long };
        const q = this.newTemporary();
        this.emit({ op: 'binary', dst: q, operator: 'sdiv', left: { kind: 'reg', id: dst }, right: { kind: 'imm', value: elementSize, width: 64 }, width: 64, range: this.range(node) });
        return { value: { kind: 'reg', id: q }, type: Types.long };
      }
      if (leftPointer || rightPointer) {
        const pointer = leftPointer ? left : right;
        const index = leftPointer ? right : left;
        return this.pointerArithmetic(pointer, index, operator === '-', node);
      }
    }
    if (!isInteger(left.type) || !isInteger(right.type)) throw this.unsupported(`operator '${operator}' on ${typeToString(left.type)} and ${typeToString(right.type)}`, node);
    if (operator === '<<' || operator === '>>') {
      const type = promote(left.type);
      const l = this.convert(left, type, node);
      const r = this.convert(right, type, node); // the shift amount is converted to the result width for the IR
      const op: BinaryOp = operator === '<<' ? 'shl' : type.signed ? 'ashr' : 'lshr';
      return this.emitBinary(op, l.value, r.value, type, node);
    }
    const type = usualArithmetic(left.type, right.type);
    const l = this.convert(left, type, node);
    const r = this.convert(right, type, node);
    const ops: Record<string, BinaryOp> = {
      '+': 'add', '-': 'sub', '*': 'mul', '/': type.signed ? 'sdiv' : 'udiv', '%': type.signed ? 'srem' : 'urem',
      '&': 'and', '|': 'or', '^': 'xor',
    };
    const op = ops[operator];
    if (!op) throw this.unsupported(`operator '${operator}'`, node);
    return this.emitBinary(op, l.value, r.value, type, node);
  }

  protected override emitBinary(operator: BinaryOp, left: Operand, right: Operand, type: IntType, node: Node): RValue {
    const folded = foldConstants(operator, left, right, type.size * 8);
    if (folded !== undefined) return { value: { kind: 'imm', value: folded, width: type.size * 8 }, type };
    const dst = this.newTemporary();
    this.emit({ op: 'binary', dst, operator, left, right, width: type.size * 8, range: this.range(node) });
    return { value: { kind: 'reg', id: dst }, type };
  }

  private compareIntegers(operator: string, left: RValue, right: RValue, node: Node): RValue {
    if (!isInteger(left.type) || !isInteger(right.type)) throw this.unsupported(`comparison of ${typeToString(left.type)} and ${typeToString(right.type)}`, node);
    const type = usualArithmetic(left.type, right.type);
    const l = this.convert(left, type, node);
    const r = this.convert(right, type, node);
    const predicate = comparePredicate(operator, type.signed);
    const dst = this.newTemporary();
    this.emit({ op: 'compare', dst, predicate, left: l.value, right: r.value, width: type.size * 8, pointers: false, range: this.range(node) });
    return this.booleanToInt({ kind: 'reg', id: dst }, node);
  }

  private comparePointers(operator: string, left: RValue, right: RValue, node: Node): RValue {
    const asPointer = (v: RValue): Operand => {
      if (isPointerValue(v.type)) return v.value;
      if (v.value.kind === 'imm' && v.value.value === 0n) return { kind: 'null' };
      throw this.unsupported('comparing a pointer with a non-zero integer', node);
    };
    const dst = this.newTemporary();
    this.emit({ op: 'compare', dst, predicate: comparePredicate(operator, false), left: asPointer(left), right: asPointer(right), width: 64, pointers: true, range: this.range(node) });
    return this.booleanToInt({ kind: 'reg', id: dst }, node);
  }

  /** C comparisons yield an int; keep the 1-bit value around so conditions can branch on it directly. */
  private booleanToInt(bit: Operand, node: Node): RValue {
    const dst = this.newTemporary();
    this.emit({ op: 'cast', dst, cast: 'zext', src: bit, from: 1, to: 32, range: this.range(node) });
    const result: RValue & { fromCompare?: Operand } = { value: { kind: 'reg', id: dst }, type: Types.int };
    result.fromCompare = bit;
    // Conditions use the 1-bit value; drop the zext again when they do (see toBoolean).
    (result as RValue & { zextInstruction?: Instruction }).zextInstruction = this.current.instructions[this.current.instructions.length - 1];
    return result;
  }

  protected override pointerArithmetic(pointer: RValue, index: RValue, subtract: boolean, node: Node): RValue {
    if (!isInteger(index.type)) throw this.unsupported('pointer arithmetic with a non-integer', node);
    const elementSize = sizeOf(pointeeOf(pointer.type)) || 1;
    let offset = this.convert(index, Types.long, node).value;
    if (elementSize !== 1) offset = this.emitBinary('mul', offset, { kind: 'imm', value: BigInt(elementSize), width: 64 }, Types.long, node).value;
    if (subtract) offset = this.emitBinary('sub', { kind: 'imm', value: 0n, width: 64 }, offset, Types.long, node).value;
    const dst = this.newTemporary();
    this.emit({ op: 'offset', dst, pointer: pointer.value, byteOffset: offset, range: this.range(node) });
    return { value: { kind: 'reg', id: dst }, type: decayed(pointer.type) };
  }

  private lowerLogicalValue(node: Node): RValue {
    // a && b as a value: branch, then materialise 0 or 1 in a register.
    const result = this.newTemporary();
    const whenTrue = this.newBlock();
    const whenFalse = this.newBlock();
    const join = this.newBlock();
    this.lowerCondition(node, whenTrue.id, whenFalse.id);
    this.switchTo(whenTrue);
    this.emit({ op: 'copy', dst: result, src: { kind: 'imm', value: 1n, width: 32 }, width: 32, range: this.range(node) });
    this.jumpTo(join, node);
    this.switchTo(whenFalse);
    this.emit({ op: 'copy', dst: result, src: { kind: 'imm', value: 0n, width: 32 }, width: 32, range: this.range(node) });
    this.jumpTo(join, node);
    this.switchTo(join);
    this.temporaries.delete(result); // assigned in two places: never retarget
    return { value: { kind: 'reg', id: result }, type: Types.int };
  }

  private lowerUnary(node: Node): RValue {
    const operator = node.childForFieldName('operator')!.text;
    const argumentNode = node.childForFieldName('argument')!;
    if (operator === '!') {
      const value = this.lowerRValue(argumentNode);
      const bit = this.toBoolean(value, argumentNode);
      const dst = this.newTemporary();
      this.emit({ op: 'compare', dst, predicate: 'eq', left: bit, right: { kind: 'imm', value: 0n, width: 1 }, width: 1, pointers: false, range: this.range(node) });
      return this.booleanToInt({ kind: 'reg', id: dst }, node);
    }
    const value = this.lowerRValue(argumentNode);
    if (!isInteger(value.type)) throw this.unsupported(`unary '${operator}' on ${typeToString(value.type)}`, node);
    const type = promote(value.type);
    const converted = this.convert(value, type, node);
    const width = type.size * 8;
    if (operator === '+') return converted;
    if (operator === '-') return this.emitBinary('sub', { kind: 'imm', value: 0n, width }, converted.value, type, node);
    if (operator === '~') return this.emitBinary('xor', converted.value, { kind: 'imm', value: (1n << BigInt(width)) - 1n, width }, type, node);
    throw this.unsupported(`unary operator '${operator}'`, node);
  }

  private lowerUpdate(node: Node, wantValue: boolean): RValue {
    const operator = node.childForFieldName('operator')!.text;
    const argumentNode = node.childForFieldName('argument')!;
    const prefix = node.text.trimStart().startsWith(operator);
    const place = this.lowerLValue(argumentNode);
    const old = this.load(place, node);
    let saved = old;
    if (wantValue && !prefix && place.kind === 'register') {
      // The register is about to change; keep the old value for the postfix result.
      const copy = this.newTemporary();
      this.emit({ op: 'copy', dst: copy, src: old.value, width: widthOf(old.type), range: this.range(node) });
      saved = { value: { kind: 'reg', id: copy }, type: old.type };
    }
    const one: RValue = { value: { kind: 'imm', value: 1n, width: 32 }, type: Types.int };
    const updated = this.binaryOperation(operator === '++' ? '+' : '-', old, one, node);
    const stored = this.assign(place, updated, node);
    return prefix ? stored : saved;
  }

  private lowerAssignment(node: Node): RValue {
    const operator = node.childForFieldName('operator')!.text;
    const leftNode = node.childForFieldName('left')!;
    const rightNode = node.childForFieldName('right')!;
    const place = this.lowerLValue(leftNode);
    if (operator === '=') {
      if (place.type.kind === 'record') {
        this.copyAggregate(place, this.lowerLValue(rightNode), node);
        return { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.void };
      }
      return this.assign(place, this.lowerRValue(rightNode), node);
    }
    const binaryOperator = operator.slice(0, -1);
    const current = this.load(place, node);
    const right = this.lowerRValue(rightNode);
    return this.assign(place, this.binaryOperation(binaryOperator, current, right, node), node);
  }

  private lowerConditional(node: Node): RValue {
    const condition = node.childForFieldName('condition')!;
    const consequence = node.childForFieldName('consequence')!;
    const alternative = node.childForFieldName('alternative')!;
    const whenTrue = this.newBlock();
    const whenFalse = this.newBlock();
    const join = this.newBlock();
    this.lowerCondition(condition, whenTrue.id, whenFalse.id);
    const result = this.newTemporary();
    this.temporaries.delete(result);
    this.switchTo(whenTrue);
    const t = this.lowerRValue(consequence);
    const trueEnd = this.current;
    this.switchTo(whenFalse);
    const f = this.lowerRValue(alternative);
    const falseEnd = this.current;
    let type: CType;
    if (isInteger(t.type) && isInteger(f.type)) type = usualArithmetic(t.type, f.type);
    else if (isPointerValue(t.type)) type = decayed(t.type);
    else if (isPointerValue(f.type)) type = decayed(f.type);
    else if (t.type.kind === 'void' && f.type.kind === 'void') type = Types.void;
    else throw this.unsupported(`'?:' with ${typeToString(t.type)} and ${typeToString(f.type)}`, node);
    const width = widthOf(type);
    this.switchTo(trueEnd);
    if (type.kind !== 'void') this.emit({ op: 'copy', dst: result, src: this.convert(t, type, consequence).value, width, range: this.range(consequence) });
    this.jumpTo(join, node);
    this.switchTo(falseEnd);
    if (type.kind !== 'void') this.emit({ op: 'copy', dst: result, src: this.convert(f, type, alternative).value, width, range: this.range(alternative) });
    this.jumpTo(join, node);
    this.switchTo(join);
    return { value: { kind: 'reg', id: result }, type };
  }

  protected emitBinaryOfWidth(op: BinaryOp, left: Operand, right: Operand, width: number, node: Node): Operand {
    const folded = foldConstants(op, left, right, width);
    if (folded !== undefined) return { kind: 'imm', value: folded, width };
    const dst = this.newTemporary();
    this.emit({ op: 'binary', operator: op, dst, left, right, width, range: this.range(node) });
    return { kind: 'reg', id: dst };
  }

  /** `({ stmt; ...; expr; })`: the statements run in a scope of their own; the last expression is the value. */
  private lowerStatementExpression(body: Node): RValue {
    const items = body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    this.scopes.push(new Map());
    try {
      const last = items[items.length - 1];
      for (const item of items.slice(0, -1)) this.lowerStatement(item);
      if (last?.type === 'expression_statement' && last.namedChildren[0]) return this.lowerRValue(last.namedChildren[0]);
      if (last) this.lowerStatement(last);
      return { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.void };
    } finally {
      this.scopes.pop();
    }
  }

  /** The unary expression `operator operand` (for a typedef cast tree-sitter parsed as a binary expression). */
  private lowerUnaryOf(operator: string, operand: Node, node: Node): RValue {
    if (operator === '*') {
      return this.load(this.lowerLValueOfPointer(operand), node);
    }
    if (operator === '&') {
      const place = this.lowerLValue(operand);
      if (place.kind !== 'memory') throw this.unsupported(`taking the address of '${operand.text.slice(0, 30)}'`, node);
      return { value: place.address, type: pointerTo(place.type) };
    }
    const value = this.lowerRValue(operand);
    if (operator === '+') return value;
    if (!isInteger(value.type)) throw this.unsupported(`'-' on a non-integer`, node);
    const promoted = this.convert(value, promote(value.type), node);
    const width = widthOf(promoted.type);
    return { value: this.emitBinaryOfWidth('sub', { kind: 'imm', value: 0n, width }, promoted.value, width, node), type: promoted.type };
  }
}

/** Folds an operation on two constants, as a compiler does; leaves division by zero and oversized shifts to run time. */
function foldConstants(operator: BinaryOp, left: Operand, right: Operand, width: number): bigint | undefined {
  if (left.kind !== 'imm' || right.kind !== 'imm') return undefined;
  const a = BigInt.asUintN(width, left.value);
  const b = BigInt.asUintN(width, right.value);
  const sa = BigInt.asIntN(width, a);
  const sb = BigInt.asIntN(width, b);
  const wrap = (v: bigint) => BigInt.asUintN(width, v);
  switch (operator) {
    case 'add': return wrap(a + b);
    case 'sub': return wrap(a - b);
    case 'mul': return wrap(a * b);
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'udiv': return b === 0n ? undefined : a / b;
    case 'urem': return b === 0n ? undefined : a % b;
    case 'sdiv': return sb === 0n || (sb === -1n && sa === -(1n << BigInt(width - 1))) ? undefined : wrap(sa / sb);
    case 'srem': return sb === 0n || (sb === -1n && sa === -(1n << BigInt(width - 1))) ? undefined : wrap(sa % sb);
    case 'shl': return b >= BigInt(width) ? undefined : wrap(a << b);
    case 'lshr': return b >= BigInt(width) ? undefined : a >> b;
    case 'ashr': return b >= BigInt(width) ? undefined : wrap(sa >> b);
  }
}

function comparePredicate(operator: string, signed: boolean): ComparePredicate {
  switch (operator) {
    case '==': return 'eq';
    case '!=': return 'ne';
    case '<': return signed ? 'slt' : 'ult';
    case '<=': return signed ? 'sle' : 'ule';
    case '>': return signed ? 'sgt' : 'ugt';
    default: return signed ? 'sge' : 'uge';
  }
}
