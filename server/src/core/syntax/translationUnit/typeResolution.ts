// Types: type specifiers, declarators, `typeof`, struct and union layout with their attributes, enums,
// and the integer constant expressions that array sizes, enum values and bit widths need.
import type { Node } from 'web-tree-sitter';
import {
  CType, FieldSpec, RecordType, Types, IntType, alignOf, layoutRecord, pointerTo, sizeOf, typeToString,
} from '../cTypes';
import { TYPEOF_PLACEHOLDER } from '../typeofExpressions';
import { decodeStringLiteral, literalType, parseCharLiteral, parseIntegerLiteral } from './literals';
import { SourcePositions } from './positions';

export class TypeResolver extends SourcePositions {
  /** Resolves a type specifier node (primitive, sized, typedef name, struct/union/enum). */
  resolveTypeSpecifier(node: Node, file: string): CType {
    switch (node.type) {
      case 'primitive_type': return primitiveType(node.text) ?? Types.int;
      case 'sized_type_specifier': return sizedType(node);
      case 'type_identifier': {
        const resolved = this.typedefs.get(node.text);
        if (resolved) return resolved;
        const typeofArgument = node.text.startsWith(TYPEOF_PLACEHOLDER) ? this.typeofArguments.get(node.text) : undefined;
        if (typeofArgument !== undefined) return this.typeofExpression(typeofArgument, file, node);
        const primitive = primitiveType(node.text);
        if (primitive) return primitive;
        this.diagnostics.push(this.nodeDiagnostic('unknown-type', `unknown type '${node.text}'; is a header missing?`, file, node));
        return Types.int;
      }
      case 'struct_specifier':
      case 'union_specifier': return this.resolveRecord(node, file);
      case 'enum_specifier': return this.resolveEnum(node, file);
      case 'macro_type_specifier': {
        // `typeof(T)` / `__typeof__(T)` parse as a macro-like type; a type argument is resolved, a
        // single name that is not a type is a variable (other expressions were rewritten before parsing).
        const name = node.childForFieldName('name')?.text ?? '';
        const descriptor = node.childForFieldName('type');
        if (/^(typeof|__typeof__|__typeof)$/.test(name) && descriptor) {
          const inner = descriptor.childForFieldName('type');
          const variable = inner?.type === 'type_identifier' && !this.typedefs.has(inner.text) && !inner.text.startsWith(TYPEOF_PLACEHOLDER)
            && descriptor.namedChildren.length === 1;
          if (!variable) return this.resolveTypeDescriptor(descriptor, file);
          return this.typeofExpression(inner.text, file, node);
        }
        this.diagnostics.push(this.nodeDiagnostic('unsupported', `'${node.text}' is not a type this analysis reads`, file, node));
        return Types.int;
      }
      default: return Types.int;
    }
  }

  /**
   * The type a name in parentheses casts to, for casts the grammar read as other expressions
   * (`(u16)(x)`, `(u16)*p`): a typedef, or a `typeof` placeholder (`round_up`'s `(__typeof__(x))(y)`).
   */
  typeNamed(name: string, file: string, node: Node): CType | undefined {
    const typedef = this.typedefs.get(name);
    if (typedef) return typedef;
    const typeofArgument = name.startsWith(TYPEOF_PLACEHOLDER) ? this.typeofArguments.get(name) : undefined;
    return typeofArgument === undefined ? undefined : this.typeofExpression(typeofArgument, file, node);
  }

  /**
   * The type of `typeof(text)`: in a function being lowered, the expression's type in its scope;
   * elsewhere a global's type. Anything else is reported, never read as int in silence.
   */
  private typeofExpression(text: string, file: string, node: Node): CType {
    if (this.expressionTyper) return this.expressionTyper(text);
    const global = /^\s*[A-Za-z_]\w*\s*$/.test(text) ? this.globals.get(text.trim()) : undefined;
    if (global) return global.type;
    const literal = /^\s*\(*\s*(\d\w*)\s*\)*\s*$/.exec(text);
    if (literal) return literalType(literal[1]!);
    this.diagnostics.push(this.nodeDiagnostic('unsupported', `typeof of the expression '${text.trim()}' outside a function is not supported`, file, node));
    return Types.int;
  }

  private resolveRecord(node: Node, file: string): CType {
    const union = node.type === 'union_specifier';
    const nameNode = node.childForFieldName('name');
    const body = node.childForFieldName('body');
    const tag = nameNode?.text ?? `<anonymous ${this.anonymousCounter++}>`;
    const key = (union ? 'union ' : 'struct ') + tag;
    if (!body) {
      const known = this.records.get(key);
      if (known) return known;
      // Incomplete until defined; pointers to it still work, and the definition fills this object in place.
      const incomplete: RecordType = { kind: 'record', tag, union, fields: [], size: 0, align: 1, complete: false, packed: false };
      this.records.set(key, incomplete);
      return incomplete;
    }
    const attributes = this.attributesOf(node);
    const packed = attributes.packed;
    const specs: FieldSpec[] = [];
    this.collectFields(body.namedChildren, file, specs);
    const laidOut = layoutRecord(tag, union, specs, packed, attributes.aligned);
    const existing = this.records.get(key);
    if (existing && !existing.complete) {
      Object.assign(existing, laidOut);
      return existing;
    }
    this.records.set(key, laidOut);
    return laidOut;
  }

  /**
   * `packed` and `aligned(N)` from the attribute specifiers of a struct specifier or member
   * declaration, and of the declaration around a struct specifier (`typedef struct {...} __attribute__((aligned(64))) T`).
   */
  private attributesOf(node: Node): { packed: boolean; aligned: number } {
    const result = { packed: false, aligned: 1 };
    const specifiers: Node[] = [];
    const collect = (n: Node | null) => {
      for (const c of n?.children ?? []) {
        if (c?.type === 'attribute_specifier') specifiers.push(c);
        else if (c?.type === 'attributed_declarator') collect(c);
      }
    };
    collect(node);
    if (node.type !== 'field_declaration' && node.parent && /^(declaration|type_definition|field_declaration)$/.test(node.parent.type)) collect(node.parent);
    for (const specifier of specifiers) {
      for (const attribute of specifier.namedChildren[0]?.namedChildren ?? []) {
        if (!attribute) continue;
        const name = (attribute.type === 'call_expression' ? attribute.childForFieldName('function')?.text : attribute.text)?.replace(/^__(.*)__$/, '$1');
        if (name === 'packed') result.packed = true;
        if (name === 'aligned') {
          const argument = attribute.type === 'call_expression' ? attribute.childForFieldName('arguments')?.namedChildren[0] : undefined;
          // `aligned` alone is the largest alignment of the target (16 on x86-64).
          const value = argument ? this.tryConstantValue(argument, this.fileOf(argument)) : 16n;
          if (value !== undefined && value > 0n) result.aligned = Math.max(result.aligned, Number(value));
        }
      }
    }
    return result;
  }

  private collectFields(items: (Node | null)[], file: string, specs: FieldSpec[]): void {
    for (const field of items) {
      if (!field) continue;
      if (field.type !== 'field_declaration') continue;
      const typeNode = field.childForFieldName('type');
      if (!typeNode) continue;
      const base = this.resolveTypeSpecifier(typeNode, file);
      const declarators = field.childrenForFieldName('declarator').filter((d): d is Node => !!d);
      const bitfield = field.namedChildren.find((c) => c?.type === 'bitfield_clause');
      const bitWidth = bitfield ? Number(this.constantValue(bitfield.namedChildren[0]!, file)) : undefined;
      if (declarators.length === 0) {
        specs.push({ name: '', type: base, bitWidth }); // anonymous struct/union member or padding bit-field
        continue;
      }
      const fieldAlign = this.attributesOf(field).aligned;
      for (const declarator of declarators) {
        const { name, type } = this.resolveDeclarator(declarator, base, file);
        specs.push({ name: name ?? '', type, bitWidth, align: fieldAlign > 1 ? fieldAlign : undefined });
      }
    }
  }

  private resolveEnum(node: Node, file: string): CType {
    const body = node.childForFieldName('body');
    if (body) {
      let next = 0n;
      const enumerators: Node[] = [];
      const collect = (items: (Node | null)[]) => {
        for (const item of items) {
          if (!item) continue;
          if (item.type === 'enumerator') enumerators.push(item);
        }
      };
      collect(body.namedChildren);
      for (const enumerator of enumerators) {
        const name = enumerator.childForFieldName('name')?.text;
        const value = enumerator.childForFieldName('value');
        if (value) next = this.constantValue(value, file);
        if (name) this.enumConstants.set(name, next);
        next += 1n;
      }
    }
    // Enumeration constants are ints. gcc gives an enum type without negative values 'unsigned int';
    // the layout is the same, but comparisons of such variables are treated as signed here.
    return Types.int;
  }

  /** Applies a declarator to a base type: pointers, arrays, functions, parentheses. */
  resolveDeclarator(node: Node, base: CType, file: string): { name: string | undefined; type: CType; paramNames: string[] } {
    switch (node.type) {
      case 'identifier':
      case 'field_identifier':
      case 'type_identifier':
        return { name: node.text, type: base, paramNames: [] };
      case 'pointer_declarator':
      case 'abstract_pointer_declarator': {
        const inner = node.childForFieldName('declarator');
        const type = pointerTo(base);
        return inner ? this.resolveDeclarator(inner, type, file) : { name: undefined, type, paramNames: [] };
      }
      case 'array_declarator':
      case 'abstract_array_declarator': {
        const sizeNode = node.childForFieldName('size');
        const value = sizeNode ? this.tryConstantValue(sizeNode, file) : undefined;
        let type: CType = { kind: 'array', of: base, length: value === undefined ? undefined : Number(value) };
        if (sizeNode && value === undefined && !this.isLocalArraySize(sizeNode)) {
          // Never a silent 0: the diagnostic says why, and code using the type is reported (uncomputedSize).
          const text = this.sourceText(sizeNode).replace(/\s+/g, ' ');
          this.diagnostics.push(this.nodeDiagnostic('unknown-type', `the array size '${text}' could not be computed; code that depends on this type is not analysed`, file, sizeNode));
          type = { kind: 'array', of: base, length: 0, sizeUnknown: text };
        }
        const inner = node.childForFieldName('declarator');
        // int a[2][3]: the outer declarator applies last, so build inside-out.
        return inner ? this.resolveDeclarator(inner, type, file) : { name: undefined, type, paramNames: [] };
      }
      case 'function_declarator':
      case 'abstract_function_declarator': {
        const paramsNode = node.childForFieldName('parameters');
        const params: CType[] = [];
        const paramNames: string[] = [];
        let variadic = false;
        for (const p of paramsNode?.namedChildren ?? []) {
          if (!p) continue;
          if (p.type === 'variadic_parameter') { variadic = true; continue; }
          if (p.type !== 'parameter_declaration') continue;
          const typeNode = p.childForFieldName('type');
          if (!typeNode) continue;
          const pBase = this.resolveTypeSpecifier(typeNode, file);
          const pDecl = p.childForFieldName('declarator');
          let { name, type } = pDecl ? this.resolveDeclarator(pDecl, pBase, file) : { name: undefined, type: pBase };
          if (type.kind === 'void' && !pDecl) continue; // f(void)
          if (type.kind === 'array') type = pointerTo(type.of); // array parameters are pointers
          params.push(type);
          paramNames.push(name ?? `arg${params.length}`);
        }
        if (paramsNode?.text.includes('...')) variadic = true;
        const fnType: CType = { kind: 'function', returns: base, params, variadic };
        const inner = node.childForFieldName('declarator');
        if (!inner) return { name: undefined, type: fnType, paramNames };
        const result = this.resolveDeclarator(inner, fnType, file);
        return { ...result, paramNames: result.type.kind === 'function' ? paramNames : result.paramNames };
      }
      case 'parenthesized_declarator':
      case 'abstract_parenthesized_declarator': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'attribute_specifier');
        return inner ? this.resolveDeclarator(inner, base, file) : { name: undefined, type: base, paramNames: [] };
      }
      case 'init_declarator': {
        const inner = node.childForFieldName('declarator');
        return inner ? this.resolveDeclarator(inner, base, file) : { name: undefined, type: base, paramNames: [] };
      }
      case 'attributed_declarator': {
        const inner = node.namedChildren[0];
        return inner ? this.resolveDeclarator(inner, base, file) : { name: undefined, type: base, paramNames: [] };
      }
      default:
        return { name: undefined, type: base, paramNames: [] };
    }
  }

  /** A size inside a parameter list or a function body (a variable-length array or a decaying parameter). */
  private isLocalArraySize(sizeNode: Node): boolean {
    // A parameter's array type decays to a pointer, so its size does not matter; a local's
    // variable length is reported by the lowering.
    for (let n: Node | null = sizeNode.parent; n; n = n.parent) {
      if (n.type === 'parameter_declaration' || n.type === 'compound_statement') return true;
      if (n.type === 'translation_unit' || n.type === 'field_declaration_list') return false;
    }
    return false;
  }

  /** Resolves a type_descriptor (in casts and sizeof). */
  resolveTypeDescriptor(node: Node, file: string): CType {
    const typeNode = node.childForFieldName('type');
    const base = typeNode ? this.resolveTypeSpecifier(typeNode, file) : Types.int;
    const declarator = node.childForFieldName('declarator');
    return declarator ? this.resolveDeclarator(declarator, base, file).type : base;
  }

  // ----- constants and macros -----

  /** Evaluates an integer constant expression (array sizes, enum values, case labels, bit widths). */
  constantValue(node: Node, file: string, expanding: Set<string> = new Set()): bigint {
    const value = this.tryConstantValue(node, file, expanding);
    if (value === undefined) {
      this.diagnostics.push(this.nodeDiagnostic('unsupported', `'${node.text}' is not an integer constant expression`, file, node));
      return 0n;
    }
    return value;
  }

  tryConstantValue(node: Node, file: string, expanding: Set<string> = new Set()): bigint | undefined {
    switch (node.type) {
      case 'number_literal': return parseIntegerLiteral(node.text).value;
      case 'char_literal': return parseCharLiteral(node.text);
      case 'true': return 1n;
      case 'false': return 0n;
      case 'parenthesized_expression': return node.namedChildren[0] ? this.tryConstantValue(node.namedChildren[0], file, expanding) : undefined;
      case 'identifier': {
        const e = this.enumConstants.get(node.text);
        if (e !== undefined) return e;
        return undefined;
      }
      case 'unary_expression': {
        const arg = node.childForFieldName('argument');
        const v = arg ? this.tryConstantValue(arg, file, expanding) : undefined;
        if (v === undefined) return undefined;
        const op = node.childForFieldName('operator')?.text;
        return op === '-' ? -v : op === '~' ? ~v : op === '!' ? (v === 0n ? 1n : 0n) : v;
      }
      case 'binary_expression': {
        const l = node.childForFieldName('left');
        const r = node.childForFieldName('right');
        const lv = l ? this.tryConstantValue(l, file, expanding) : undefined;
        const rv = r ? this.tryConstantValue(r, file, expanding) : undefined;
        if (lv === undefined || rv === undefined) return undefined;
        return applyConstantOperator(node.childForFieldName('operator')?.text ?? '', lv, rv);
      }
      case 'conditional_expression': {
        const c = node.childForFieldName('condition');
        const cv = c ? this.tryConstantValue(c, file, expanding) : undefined;
        if (cv === undefined) return undefined;
        const branch = node.childForFieldName(cv !== 0n ? 'consequence' : 'alternative');
        return branch ? this.tryConstantValue(branch, file, expanding) : undefined;
      }
      case 'cast_expression': {
        const v = node.childForFieldName('value');
        const t = node.childForFieldName('type');
        const value = v ? this.tryConstantValue(v, file, expanding) : undefined;
        if (value === undefined || !t) return undefined;
        const type = this.resolveTypeDescriptor(t, file);
        if (type.kind !== 'int') return undefined;
        return type.signed ? BigInt.asIntN(type.size * 8, value) : BigInt.asUintN(type.size * 8, value);
      }
      case 'call_expression': {
        // `(u16)(x)`: a cast that tree-sitter parsed as a call through a parenthesised typedef name.
        let fn = node.childForFieldName('function');
        if (fn?.type !== 'parenthesized_expression') return undefined;
        fn = fn.namedChildren.length === 1 ? fn.namedChildren[0] ?? null : null;
        const type = fn?.type === 'identifier' && !this.globals.has(fn.text) && !this.functions.has(fn.text) ? this.typeNamed(fn.text, file, fn) : undefined;
        const args = node.childForFieldName('arguments')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
        if (!type || type.kind !== 'int' || args.length !== 1) return undefined;
        const value = this.tryConstantValue(args[0]!, file, expanding);
        if (value === undefined) return undefined;
        return type.signed ? BigInt.asIntN(type.size * 8, value) : BigInt.asUintN(type.size * 8, value);
      }
      case 'alignof_expression': {
        const t = node.childForFieldName('type');
        return t ? BigInt(alignOf(this.resolveTypeDescriptor(t, file))) : undefined;
      }
      case 'sizeof_expression': {
        const t = node.childForFieldName('type');
        if (t) return BigInt(sizeOf(this.resolveTypeDescriptor(t, file)));
        // `sizeof (T)` with T a typedef name parses as sizeof of a parenthesised identifier.
        let v = node.childForFieldName('value');
        while (v?.type === 'parenthesized_expression' && v.namedChildren.length === 1) v = v.namedChildren[0] ?? null;
        const typedef = v?.type === 'identifier' ? this.typedefs.get(v.text) : undefined;
        if (typedef && !this.globals.has(v!.text)) return BigInt(sizeOf(typedef));
        // sizeof("RG_"): the string's bytes and its terminating zero (C11 6.4.5).
        if (v?.type === 'string_literal') return BigInt(decodeStringLiteral(v.text).length + 1);
        if (v?.type === 'concatenated_string') return BigInt(v.namedChildren.filter((c) => c?.type === 'string_literal').reduce((n, c) => n + decodeStringLiteral(c!.text).length, 0) + 1);
        if (v?.type === 'char_literal') return 4n; // a character constant is an int in C
        if (v?.type === 'number_literal') {
          const literal = parseIntegerLiteral(v.text);
          return literal.long || (!literal.unsigned && literal.value > 0x7fffffffn) || literal.value > 0xffffffffn ? 8n : 4n;
        }
        return undefined; // sizeof of an expression needs expression types; the lowering handles it
      }
      default: return undefined;
    }
  }

  typeName(t: CType): string {
    return typeToString(t);
  }
}

const PRIMITIVES: Record<string, IntType | Extract<CType, { kind: 'void' }>> = {
  void: Types.void, char: Types.char, short: Types.short, int: Types.int, long: Types.long,
  bool: Types.bool, _Bool: Types.bool, signed: Types.int, unsigned: Types.uint,
  size_t: Types.ulong, ssize_t: Types.long, ptrdiff_t: Types.long, intptr_t: Types.long, uintptr_t: Types.ulong,
  int8_t: Types.schar, int16_t: Types.short, int32_t: Types.int, int64_t: Types.long,
  uint8_t: Types.uchar, uint16_t: Types.ushort, uint32_t: Types.uint, uint64_t: Types.ulong,
  __int128: Types.int128, __int128_t: Types.int128, __uint128_t: Types.uint128,
};

function primitiveType(name: string): CType | undefined {
  return PRIMITIVES[name.trim()];
}

function sizedType(node: Node): CType {
  const words = node.children.filter((c) => c && c.type !== 'type_qualifier').map((c) => c!.text);
  const unsigned = words.includes('unsigned');
  const longs = words.filter((w) => w === 'long').length;
  if (words.includes('char')) return unsigned ? Types.uchar : words.includes('signed') ? Types.schar : Types.char;
  if (words.includes('short')) return unsigned ? Types.ushort : Types.short;
  if (words.includes('__int128')) return unsigned ? Types.uint128 : Types.int128;
  if (longs >= 1) return unsigned ? Types.ulong : Types.long;
  return unsigned ? Types.uint : Types.int;
}

function applyConstantOperator(operator: string, l: bigint, r: bigint): bigint {
  switch (operator) {
    case '+': return l + r;
    case '-': return l - r;
    case '*': return l * r;
    case '/': return r === 0n ? 0n : l / r;
    case '%': return r === 0n ? 0n : l % r;
    case '<<': return l << r;
    case '>>': return l >> r;
    case '&': return l & r;
    case '|': return l | r;
    case '^': return l ^ r;
    case '==': return l === r ? 1n : 0n;
    case '!=': return l !== r ? 1n : 0n;
    case '<': return l < r ? 1n : 0n;
    case '<=': return l <= r ? 1n : 0n;
    case '>': return l > r ? 1n : 0n;
    case '>=': return l >= r ? 1n : 0n;
    case '&&': return l !== 0n && r !== 0n ? 1n : 0n;
    case '||': return l !== 0n || r !== 0n ? 1n : 0n;
    default: return 0n;
  }
}
