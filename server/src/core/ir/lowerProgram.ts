// Lowers a whole translation unit: every function body to IR, every global to its initial bytes.
import type { Node } from 'web-tree-sitter';
import { CType, sizeOf, findField } from '../syntax/cTypes';
import { Diagnostic, TranslationUnit, decodeStringLiteral } from '../syntax/translationUnit';
import { INTRINSICS } from '../syntax/builtinHeaders';
import { AnalysisError } from '../reasons';
import type { AddressBase, IrFunction, IrGlobal, IrProgram, SourceRange } from './ir';
import { LoweringContext, internString, lowerFunction } from './lowerFunction';

export interface LoweredProgram {
  program: IrProgram;
  /** Problems found while lowering, each tied to a function when it is inside one. */
  diagnostics: Diagnostic[];
  /** Functions that could not be lowered, with the reason. */
  failedFunctions: Map<string, Diagnostic>;
}

/** Lowers every defined function (optionally only `only`) and every global of the unit. */
export function lowerProgram(unit: TranslationUnit, only?: Set<string>, entryAssumptions?: ReadonlyMap<string, readonly string[]>): LoweredProgram {
  const context: LoweringContext = { unit, strings: [], stringIndex: new Map(), writtenGlobals: new Set(), ...(entryAssumptions ? { entryAssumptions } : {}) };
  const functions = new Map<string, IrFunction>();
  const diagnostics: Diagnostic[] = [];
  const failedFunctions = new Map<string, Diagnostic>();
  const externals = new Set<string>();
  for (const [name, declaration] of unit.functions) {
    if (!declaration.definition) {
      if (!INTRINSICS.has(name)) externals.add(name);
      continue;
    }
    if (only && !only.has(name)) continue;
    if (declaration.hasSyntaxError) {
      const errorNode = findErrorNode(declaration.definition) ?? declaration.definition;
      const diagnostic = unit.nodeDiagnostic('syntax-error', `function '${name}' has a syntax error near '${errorNode.text.slice(0, 30).replace(/\s+/g, ' ')}'; it is skipped until the error is fixed`, declaration.file, errorNode, name);
      failedFunctions.set(name, diagnostic);
      diagnostics.push(diagnostic);
      continue;
    }
    try {
      functions.set(name, lowerFunction(context, name));
    } catch (caught) {
      // Any failure stays inside this function: the others are still lowered and analysed.
      const error = caught instanceof AnalysisError ? caught : new AnalysisError('internal-error', `internal error while lowering '${name}': ${(caught as Error).message}`);
      const range = (error as AnalysisError & { range?: SourceRange }).range;
      const diagnostic: Diagnostic = range
        ? { reason: error.reason, message: error.message, file: range.file, startByte: range.startByte, endByte: range.endByte, startLine: range.startLine, startColumn: range.startColumn, endLine: range.endLine, endColumn: range.endColumn, functionName: name }
        : unit.nodeDiagnostic(error.reason, error.message, declaration.file, declaration.definition, name);
      failedFunctions.set(name, diagnostic);
      diagnostics.push(diagnostic);
    }
  }
  // A statement that could not be modelled in a function that otherwise lowered ends the paths that
  // reach it; it is still reported where it is.
  for (const deferred of context.deferredFailures ?? []) {
    if (!functions.has(deferred.functionName)) continue;
    const { range } = deferred;
    diagnostics.push({
      reason: deferred.reason, message: `${deferred.message}; paths that reach it end there, the rest of '${deferred.functionName}' is analysed`,
      file: range.file, startByte: range.startByte, endByte: range.endByte, startLine: range.startLine, startColumn: range.startColumn, endLine: range.endLine, endColumn: range.endColumn,
      functionName: deferred.functionName,
    });
  }
  const globals = new Map<string, IrGlobal>();
  for (const [name, global] of unit.globals) {
    const size = sizeOf(global.type);
    const initial = new Uint8Array(size);
    const initialPointers: IrGlobal['initialPointers'] = [];
    let constant = true;
    if (global.initializer) {
      const writer = new InitializerWriter(unit, global.file, initial, initialPointers, context);
      constant = writer.write(global.initializer, global.type, 0);
      if (!constant) {
        diagnostics.push(unit.nodeDiagnostic('unsupported', `the initializer of '${name}' is not constant; its contents are treated as unknown`, global.file, global.initializer));
      }
    }
    const range: SourceRange = unit.sourceRange(global.node);
    globals.set(name, {
      name, size, initial, initialPointers,
      readOnly: constant && (global.isConst || !context.writtenGlobals.has(name)),
      isConst: global.isConst,
      range,
    });
  }
  return { program: { functions, globals, strings: context.strings, externals }, diagnostics, failedFunctions };
}

function findErrorNode(node: Node): Node | undefined {
  if (node.type === 'ERROR' || node.isMissing) return node;
  for (const child of node.children) {
    if (child && (child.hasError || child.isMissing)) {
      const found = findErrorNode(child);
      if (found) return found;
    }
  }
  return undefined;
}

/** Writes a constant initializer into a global's bytes; returns false when it is not constant. */
class InitializerWriter {
  constructor(
    private readonly unit: TranslationUnit,
    private readonly file: string,
    private readonly bytes: Uint8Array,
    private readonly pointers: IrGlobal['initialPointers'],
    private readonly context: LoweringContext,
  ) {}

  write(node: Node, type: CType, offset: number): boolean {
    if (node.type === 'initializer_list') {
      const items = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      if (type.kind === 'array' || type.kind === 'record') {
        const cursor = { at: 0 };
        return this.writeItems(items, cursor, type, offset, true) && cursor.at === items.length;
      }
      return items[0] ? this.write(items[0], type, offset) : true;
    }
    if (node.type === 'string_literal' && type.kind === 'array') {
      const data = decodeStringLiteral(node.text);
      for (let i = 0; i < Math.min(data.length, type.length ?? data.length); i++) this.bytes[offset + i] = data[i]!;
      return true;
    }
    if (type.kind === 'pointer') return this.writePointer(node, offset);
    if (type.kind === 'int') {
      const value = this.unit.tryConstantValue(node, this.file);
      if (value === undefined) return false;
      writeLittleEndian(this.bytes, offset, type.size, value);
      return true;
    }
    return false;
  }

  /**
   * Writes `items` from `cursor.at` into the aggregate at `offset`: all of its braced list when
   * `braced`, else as many as its elements take (brace elision, C11 6.7.9 paragraph 20), as the
   * function lowering does for locals. A designator belongs to the braced list around it.
   */
  private writeItems(items: Node[], cursor: { at: number }, type: CType & { kind: 'array' | 'record' }, offset: number, braced: boolean): boolean {
    let position = 0;
    let ok = true;
    const count = type.kind === 'array' ? type.length ?? Infinity : type.fields.length;
    while (cursor.at < items.length) {
      const item = items[cursor.at]!;
      let value = item;
      if (item.type === 'initializer_pair') {
        if (!braced) break;
        const designator = item.childForFieldName('designator');
        if (type.kind === 'array') {
          const indexNode = designator?.namedChildren[0];
          if (designator?.type === 'subscript_designator' && indexNode) position = Number(this.unit.constantValue(indexNode, this.file));
        } else {
          const fieldName = designator?.type === 'field_designator' ? designator.namedChildren[0]?.text : designator?.text;
          position = fieldName ? type.fields.findIndex((f) => f.name === fieldName) : -1;
          if (position < 0) {
            // A member of an anonymous struct or union inside this one.
            const nested = fieldName ? findField(type, fieldName) : undefined;
            if (!nested) return false;
            cursor.at++;
            ok = this.write(item.childForFieldName('value')!, nested.type, offset + nested.offset) && ok;
            continue;
          }
        }
        value = item.childForFieldName('value')!;
      }
      if (position >= count) {
        if (braced) return false;
        break;
      }
      const field = type.kind === 'record' ? type.fields[position]! : undefined;
      const elementType = field ? field.type : (type as { of: CType }).of;
      const at = offset + (field ? field.offset : position * sizeOf(elementType));
      const elided = value === item && (elementType.kind === 'array' || elementType.kind === 'record')
        && item.type !== 'initializer_list' && !(item.type === 'string_literal' && elementType.kind === 'array');
      if (elided) ok = this.writeItems(items, cursor, elementType as CType & { kind: 'array' | 'record' }, at, false) && ok;
      else {
        cursor.at++;
        if (field?.bitWidth !== undefined) {
          const v = this.unit.tryConstantValue(value, this.file);
          if (v === undefined) return false;
          const storage = readLittleEndian(this.bytes, at, sizeOf(field.type));
          const mask = ((1n << BigInt(field.bitWidth)) - 1n) << BigInt(field.bitOffset ?? 0);
          writeLittleEndian(this.bytes, at, sizeOf(field.type), (storage & ~mask) | ((v << BigInt(field.bitOffset ?? 0)) & mask));
        } else ok = this.write(value, elementType, at) && ok;
      }
      position++;
      if (type.kind === 'record' && type.union) break;
      if (!braced && position >= count) break;
    }
    return ok;
  }

  private writePointer(node: Node, offset: number): boolean {
    let inner = node;
    while (inner.type === 'parenthesized_expression' || inner.type === 'cast_expression') {
      inner = inner.type === 'cast_expression' ? inner.childForFieldName('value')! : inner.namedChildren[0]!;
    }
    const constant = this.unit.tryConstantValue(inner, this.file);
    if (constant === 0n) return true; // null
    let target: AddressBase | undefined;
    if (inner.type === 'pointer_expression' && inner.childForFieldName('operator')?.text === '&') {
      const argument = inner.childForFieldName('argument');
      if (argument?.type === 'identifier' && this.unit.globals.has(argument.text)) target = { kind: 'global', name: argument.text };
    } else if (inner.type === 'identifier' && this.unit.globals.get(inner.text)?.type.kind === 'array') {
      target = { kind: 'global', name: inner.text };
    } else if (inner.type === 'string_literal') {
      target = { kind: 'string', index: internString(this.context, [...decodeStringLiteral(inner.text), 0]) };
    }
    if (!target) return false;
    this.pointers.push({ offset, target, targetOffset: 0 });
    return true;
  }
}

function writeLittleEndian(bytes: Uint8Array, offset: number, size: number, value: bigint): void {
  let v = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    bytes[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

function readLittleEndian(bytes: Uint8Array, offset: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i] ?? 0);
  return v;
}
