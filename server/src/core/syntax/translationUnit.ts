// Builds a translation unit from C files: follows includes, applies the preprocessor at the syntax-tree level, and collects declarations.
//
// Each file is parsed on its own with tree-sitter (so ranges are exact and trees can be reparsed
// incrementally). Preprocessing happens on the trees: `#if` branches are chosen by evaluating their
// conditions, object-like and function-like macros are expanded where they are used by parsing
// their expansion as a snippet, and `#include` pulls in the named file's declarations.
import * as path from 'path';
import { Parser, Node, Tree } from 'web-tree-sitter';
import { collectSyntaxErrors, loadCParser } from './cParser';
import { builtinHeader, builtinHeaderPath } from './builtinHeaders';
import {
  CType, FieldSpec, RecordType, Types, IntType, layoutRecord, pointerTo, sizeOf, typeToString,
} from './cTypes';
import type { ReasonKind } from '../reasons';

/** Read access to source files, injected so that the editor can supply unsaved buffers. */
export interface FileSystem {
  readFile(filePath: string): string | undefined;
}

export interface FrontEndOptions {
  includeDirs: string[];
  defines: Record<string, string>;
}

export interface Diagnostic {
  reason: ReasonKind;
  message: string;
  file: string;
  startByte: number;
  endByte: number;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  /** Function the problem belongs to, when it is inside one. */
  functionName?: string;
}

export interface MacroDefinition {
  name: string;
  params: string[] | undefined; // undefined for object-like macros
  variadic: boolean;
  body: string;
  file: string;
}

export interface GlobalDeclaration {
  name: string;
  type: CType;
  file: string;
  node: Node;           // the declarator node
  initializer: Node | undefined;
  isConst: boolean;
  isExtern: boolean;
}

export interface FunctionDeclaration {
  name: string;
  type: Extract<CType, { kind: 'function' }>;
  paramNames: string[];
  file: string;
  definition: Node | undefined; // function_definition node when the body is known
  hasSyntaxError: boolean;
  annotations: string[];
  /** 0-based line of the declaration or definition that was recorded. */
  line: number;
}

export interface ParsedFile {
  path: string;
  text: string;
  tree: Tree;
}

/** Everything the lowering needs to know about the program. */
export class TranslationUnit {
  readonly files = new Map<string, ParsedFile>();
  readonly macros = new Map<string, MacroDefinition>();
  readonly typedefs = new Map<string, CType>();
  readonly records = new Map<string, RecordType>();
  readonly enumConstants = new Map<string, bigint>();
  readonly globals = new Map<string, GlobalDeclaration>();
  readonly functions = new Map<string, FunctionDeclaration>();
  readonly diagnostics: Diagnostic[] = [];
  /** Files the main files included, resolved, for dependency tracking. */
  readonly includedFiles = new Set<string>();
  private anonymousCounter = 0;
  private snippetCache = new Map<string, Node | undefined>();
  /** Every tree this unit parsed, snippet trees included: their memory is in tree-sitter's WASM heap until `dispose()`. */
  private readonly trees: Tree[] = [];

  constructor(readonly parser: Parser, readonly options: FrontEndOptions, private readonly fileSystem: FileSystem) {
    for (const [name, value] of Object.entries(options.defines)) {
      this.macros.set(name, { name, params: undefined, variadic: false, body: value, file: '<command line>' });
    }
  }

  /** Reads a main file and everything it includes. */
  addMainFile(filePath: string, text?: string): void {
    const content = text ?? this.fileSystem.readFile(filePath);
    if (content === undefined) {
      this.diagnostics.push(this.fileDiagnostic('missing-include', `cannot read '${filePath}'`, filePath));
      return;
    }
    this.processFile(filePath, content);
  }

  // ----- files and directives -----

  private processFile(filePath: string, text: string): void {
    if (this.files.has(filePath)) return; // every file is read once, which also honours include guards
    const tree = this.parser.parse(text);
    if (!tree) return;
    this.trees.push(tree);
    const parsed: ParsedFile = { path: filePath, text, tree };
    this.files.set(filePath, parsed);
    for (const error of collectSyntaxErrors(tree.rootNode)) {
      if (this.insideFunction(tree.rootNode, error.startByte)) continue; // reported with the function
      this.diagnostics.push({
        reason: 'syntax-error', message: error.message, file: filePath, startByte: error.startByte, endByte: error.endByte,
        startLine: error.startLine, startColumn: error.startColumn, endLine: error.startLine, endColumn: error.startColumn + 1,
      });
    }
    this.processItems(tree.rootNode.namedChildren, filePath);
  }

  private insideFunction(root: Node, byte: number): boolean {
    for (const child of root.namedChildren) {
      if (child && child.type === 'function_definition' && child.startIndex <= byte && byte < child.endIndex) return true;
    }
    return false;
  }

  private processItems(items: (Node | null)[], file: string): void {
    for (const item of items) if (item) this.processItem(item, file);
  }

  private processItem(node: Node, file: string): void {
    switch (node.type) {
      case 'preproc_include': return this.processInclude(node, file);
      case 'preproc_def': return this.defineMacro(node, file, false);
      case 'preproc_function_def': return this.defineMacro(node, file, true);
      case 'preproc_call': return this.processDirective(node, file);
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_elif':
      case 'preproc_elifdef':
        return this.processItems(this.activeBranch(node), file);
      case 'function_definition': return this.processFunctionDefinition(node, file);
      case 'declaration': return this.processDeclaration(node, file);
      case 'type_definition': return this.processTypedef(node, file);
      case 'struct_specifier':
      case 'union_specifier':
      case 'enum_specifier':
        this.resolveTypeSpecifier(node, file);
        return;
      case 'expression_statement':
        // `struct x {...} __attribute__((packed));` parses oddly at the top level; resolve the specifier inside.
        for (const child of node.namedChildren) if (child && /_specifier$/.test(child.type)) this.resolveTypeSpecifier(child, file);
        return;
      case 'comment':
      case 'ERROR':
        return;
      default:
        return;
    }
  }

  private processInclude(node: Node, file: string): void {
    const pathNode = node.childForFieldName('path');
    if (!pathNode) return;
    const raw = pathNode.text;
    const isSystem = pathNode.type === 'system_lib_string';
    const name = raw.slice(1, -1);
    const candidates: string[] = [];
    if (!isSystem) candidates.push(path.resolve(path.dirname(file), name));
    for (const dir of this.options.includeDirs) candidates.push(path.resolve(dir, name));
    for (const candidate of candidates) {
      const text = this.fileSystem.readFile(candidate);
      if (text !== undefined) {
        this.includedFiles.add(candidate);
        this.processFile(candidate, text);
        return;
      }
    }
    const builtin = builtinHeader(name);
    if (builtin !== undefined) {
      this.processFile(builtinHeaderPath(name), builtin);
      return;
    }
    this.diagnostics.push(this.nodeDiagnostic('missing-include',
      `cannot find include file ${raw}${isSystem ? ' (not one of the modelled system headers)' : ''}; declarations from it will be unknown. Add its folder with -I or the includePaths setting.`,
      file, node));
  }

  private defineMacro(node: Node, file: string, functionLike: boolean): void {
    const name = node.childForFieldName('name')?.text;
    if (!name) return;
    const body = (node.childForFieldName('value')?.text ?? '').replace(/\\\n/g, ' ').trim();
    let params: string[] | undefined;
    let variadic = false;
    if (functionLike) {
      const paramsNode = node.childForFieldName('parameters');
      params = [];
      for (const p of paramsNode?.children ?? []) {
        if (!p) continue;
        if (p.type === 'identifier') params.push(p.text);
        if (p.type === '...') variadic = true;
      }
    }
    this.macros.set(name, { name, params, variadic, body, file });
    this.snippetCache.clear();
  }

  private processDirective(node: Node, file: string): void {
    const directive = node.childForFieldName('directive')?.text;
    const argument = node.childForFieldName('argument')?.text.trim() ?? '';
    if (directive === '#undef') this.macros.delete(argument);
    if (directive === '#error') {
      this.diagnostics.push(this.nodeDiagnostic('unsupported', `#error ${argument}`, file, node));
    }
  }

  /** The children of the branch of a conditional group that the current macros select. */
  activeBranch(node: Node): (Node | null)[] {
    let taken: boolean;
    if (node.type === 'preproc_ifdef' || node.type === 'preproc_elifdef') {
      const name = node.childForFieldName('name')?.text ?? '';
      const negated = /^#\s*(ifndef|elifndef)/.test(node.text);
      taken = this.macros.has(name) !== negated;
    } else {
      const condition = node.childForFieldName('condition');
      taken = condition ? this.evaluatePreprocessorCondition(condition) !== 0n : false;
    }
    const alternative = node.childForFieldName('alternative');
    if (taken) {
      return node.namedChildren.filter((c) => c && c.id !== alternative?.id && c.id !== node.childForFieldName('condition')?.id && c.id !== node.childForFieldName('name')?.id);
    }
    if (!alternative) return [];
    if (alternative.type === 'preproc_else') return alternative.namedChildren;
    return this.activeBranch(alternative);
  }

  /** Evaluates an `#if` condition: undefined identifiers are 0, as the C preprocessor says. */
  evaluatePreprocessorCondition(node: Node, expanding: Set<string> = new Set()): bigint {
    switch (node.type) {
      case 'preproc_defined': {
        const name = node.namedChildren.find((c) => c?.type === 'identifier')?.text ?? '';
        return this.macros.has(name) ? 1n : 0n;
      }
      case 'identifier': {
        const macro = this.macros.get(node.text);
        if (!macro || macro.params || expanding.has(node.text)) return 0n;
        const snippet = this.parseExpressionSnippet(macro.body);
        if (!snippet) return 0n;
        return this.evaluatePreprocessorCondition(snippet, new Set([...expanding, node.text]));
      }
      case 'number_literal': return parseIntegerLiteral(node.text).value;
      case 'char_literal': return parseCharLiteral(node.text);
      case 'parenthesized_expression': {
        const inner = node.namedChildren[0];
        return inner ? this.evaluatePreprocessorCondition(inner, expanding) : 0n;
      }
      case 'unary_expression': {
        const operand = node.childForFieldName('argument');
        const value = operand ? this.evaluatePreprocessorCondition(operand, expanding) : 0n;
        const operator = node.childForFieldName('operator')?.text;
        if (operator === '!') return value === 0n ? 1n : 0n;
        if (operator === '-') return -value;
        if (operator === '~') return ~value;
        return value;
      }
      case 'binary_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const operator = node.childForFieldName('operator')?.text ?? '';
        const l = left ? this.evaluatePreprocessorCondition(left, expanding) : 0n;
        if (operator === '&&') return l !== 0n && right && this.evaluatePreprocessorCondition(right, expanding) !== 0n ? 1n : 0n;
        if (operator === '||') return l !== 0n || (right && this.evaluatePreprocessorCondition(right, expanding) !== 0n) ? 1n : 0n;
        const r = right ? this.evaluatePreprocessorCondition(right, expanding) : 0n;
        return applyConstantOperator(operator, l, r);
      }
      case 'conditional_expression': {
        const c = node.childForFieldName('condition');
        const t = node.childForFieldName('consequence');
        const f = node.childForFieldName('alternative');
        return c && this.evaluatePreprocessorCondition(c, expanding) !== 0n
          ? (t ? this.evaluatePreprocessorCondition(t, expanding) : 0n)
          : (f ? this.evaluatePreprocessorCondition(f, expanding) : 0n);
      }
      case 'call_expression': {
        const fn = node.childForFieldName('function');
        if (fn?.text === 'defined') {
          const arg = node.childForFieldName('arguments')?.namedChildren[0];
          return arg && this.macros.has(arg.text) ? 1n : 0n;
        }
        return 0n;
      }
      default:
        return 0n;
    }
  }

  // ----- declarations -----

  private processFunctionDefinition(node: Node, file: string): void {
    const typeNode = node.childForFieldName('type');
    const declarator = node.childForFieldName('declarator');
    if (!typeNode || !declarator) return;
    const base = this.resolveTypeSpecifier(typeNode, file);
    const { name, type, paramNames } = this.resolveDeclarator(declarator, base, file);
    if (!name || type.kind !== 'function') return;
    this.functions.set(name, {
      name, type, paramNames, file, definition: node, hasSyntaxError: node.hasError,
      annotations: precedingAnnotations(node), line: node.startPosition.row,
    });
  }

  private processDeclaration(node: Node, file: string): void {
    const typeNode = node.childForFieldName('type');
    if (!typeNode) return;
    const base = this.resolveTypeSpecifier(typeNode, file);
    const qualifiers = node.children.filter((c) => c && (c.type === 'type_qualifier' || c.type === 'storage_class_specifier')).map((c) => c!.text);
    const isConst = qualifiers.includes('const') || /\bconst\b/.test(typeNode.parent?.text.split(typeNode.text)[0] ?? '');
    const isExtern = qualifiers.includes('extern');
    for (const declarator of node.childrenForFieldName('declarator')) {
      if (!declarator) continue;
      const initializer = declarator.type === 'init_declarator' ? declarator.childForFieldName('value') ?? undefined : undefined;
      const inner = declarator.type === 'init_declarator' ? declarator.childForFieldName('declarator') : declarator;
      if (!inner) continue;
      const resolved = this.resolveDeclarator(inner, base, file);
      if (!resolved.name) continue;
      let type = resolved.type;
      if (type.kind === 'function') {
        const existing = this.functions.get(resolved.name);
        if (!existing) {
          this.functions.set(resolved.name, {
            name: resolved.name, type, paramNames: resolved.paramNames, file, definition: undefined, hasSyntaxError: false,
            annotations: precedingAnnotations(node), line: node.startPosition.row,
          });
        }
        continue;
      }
      if (type.kind === 'array' && type.length === undefined && initializer) {
        type = { ...type, length: initializerLength(initializer) };
      }
      const existing = this.globals.get(resolved.name);
      if (existing && existing.initializer && !initializer) continue; // a later tentative declaration
      this.globals.set(resolved.name, { name: resolved.name, type, file, node: inner, initializer, isConst: isConst || isConstType(typeNode, node), isExtern });
    }
  }

  private processTypedef(node: Node, file: string): void {
    const typeNode = node.childForFieldName('type');
    if (!typeNode) return;
    const base = this.resolveTypeSpecifier(typeNode, file);
    for (const declarator of node.childrenForFieldName('declarator')) {
      if (!declarator) continue;
      const { name, type } = this.resolveDeclarator(declarator, base, file);
      if (name) this.typedefs.set(name, type);
    }
  }

  /** Resolves a type specifier node (primitive, sized, typedef name, struct/union/enum). */
  resolveTypeSpecifier(node: Node, file: string): CType {
    switch (node.type) {
      case 'primitive_type': return primitiveType(node.text) ?? Types.int;
      case 'sized_type_specifier': return sizedType(node);
      case 'type_identifier': {
        const resolved = this.typedefs.get(node.text);
        if (resolved) return resolved;
        const macro = this.macros.get(node.text);
        if (macro && !macro.params) {
          const primitive = primitiveType(macro.body) ?? this.typedefs.get(macro.body);
          if (primitive) return primitive;
        }
        this.diagnostics.push(this.nodeDiagnostic('unknown-type', `unknown type '${node.text}'; is a header missing?`, file, node));
        return Types.int;
      }
      case 'struct_specifier':
      case 'union_specifier': return this.resolveRecord(node, file);
      case 'enum_specifier': return this.resolveEnum(node, file);
      case 'macro_type_specifier': return Types.int;
      default: return Types.int;
    }
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
    const packed = /__attribute__\s*\(\(\s*(__)?packed(__)?\s*\)\)/.test(node.parent?.text ?? '') || /__attribute__\s*\(\(\s*(__)?packed/.test(node.text.slice(body.endIndex - node.startIndex));
    const specs: FieldSpec[] = [];
    this.collectFields(body.namedChildren, file, specs);
    const laidOut = layoutRecord(tag, union, specs, packed);
    const existing = this.records.get(key);
    if (existing && !existing.complete) {
      Object.assign(existing, laidOut);
      return existing;
    }
    this.records.set(key, laidOut);
    return laidOut;
  }

  private collectFields(items: (Node | null)[], file: string, specs: FieldSpec[]): void {
    for (const field of items) {
      if (!field) continue;
      if (field.type === 'preproc_if' || field.type === 'preproc_ifdef') {
        this.collectFields(this.activeBranch(field), file, specs);
        continue;
      }
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
      for (const declarator of declarators) {
        const { name, type } = this.resolveDeclarator(declarator, base, file);
        specs.push({ name: name ?? '', type, bitWidth });
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
          else if (item.type === 'preproc_if' || item.type === 'preproc_ifdef') collect(this.activeBranch(item));
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
        const length = sizeNode ? Number(this.constantValue(sizeNode, file)) : undefined;
        const inner = node.childForFieldName('declarator');
        // int a[2][3]: the outer declarator applies last, so build inside-out.
        const type: CType = { kind: 'array', of: base, length };
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
        const macro = this.macros.get(node.text);
        if (macro && !macro.params && !expanding.has(node.text)) {
          const snippet = this.parseExpressionSnippet(macro.body);
          return snippet ? this.tryConstantValue(snippet, file, new Set([...expanding, node.text])) : undefined;
        }
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
      case 'sizeof_expression': {
        const t = node.childForFieldName('type');
        if (t) return BigInt(sizeOf(this.resolveTypeDescriptor(t, file)));
        return undefined; // sizeof of an expression needs expression types; the lowering handles it
      }
      case 'call_expression': {
        const fn = node.childForFieldName('function');
        const macro = fn ? this.macros.get(fn.text) : undefined;
        if (macro?.params && !expanding.has(macro.name)) {
          const expansion = this.expandFunctionMacro(macro, node);
          const snippet = expansion !== undefined ? this.parseExpressionSnippet(expansion) : undefined;
          return snippet ? this.tryConstantValue(snippet, file, new Set([...expanding, macro.name])) : undefined;
        }
        return undefined;
      }
      default: return undefined;
    }
  }

  /** Substitutes the arguments of a function-like macro call into its body; undefined when unsupported. */
  expandFunctionMacro(macro: MacroDefinition, call: Node): string | undefined {
    const argsNode = call.childForFieldName('arguments');
    const args = splitMacroArguments(argsNode?.text ?? '()');
    const params = macro.params ?? [];
    if (macro.body.includes('#')) return undefined; // stringification and token pasting are not supported
    if (!macro.variadic && args.length !== params.length && !(params.length === 0 && args.length === 1 && args[0] === '')) return undefined;
    return macro.body.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (word) => {
      const index = params.indexOf(word);
      if (index >= 0) return args[index] ?? '';
      if (word === '__VA_ARGS__' && macro.variadic) return args.slice(params.length).join(', ');
      return word;
    });
  }

  /** Parses `text` as a C expression; the node lives in a private snippet tree. */
  parseExpressionSnippet(text: string): Node | undefined {
    if (this.snippetCache.has('e:' + text)) return this.snippetCache.get('e:' + text);
    const tree = this.parser.parse(`void __snippet(void) { (${text}); }`);
    if (tree) this.trees.push(tree);
    let result: Node | undefined;
    if (tree && !tree.rootNode.hasError) {
      const statement = tree.rootNode.namedChildren[0]?.childForFieldName('body')?.namedChildren[0];
      const parenthesized = statement?.namedChildren[0];
      result = parenthesized?.namedChildren[0] ?? undefined;
    }
    this.snippetCache.set('e:' + text, result);
    return result;
  }

  /** Parses `text` as a C statement (for macros such as `do { ... } while (0)`). */
  parseStatementSnippet(text: string): Node | undefined {
    if (this.snippetCache.has('s:' + text)) return this.snippetCache.get('s:' + text);
    const tree = this.parser.parse(`void __snippet(void) { ${text}; }`);
    if (tree) this.trees.push(tree);
    let result: Node | undefined;
    if (tree && !tree.rootNode.hasError) {
      result = tree.rootNode.namedChildren[0]?.childForFieldName('body')?.namedChildren[0] ?? undefined;
    }
    this.snippetCache.set('s:' + text, result);
    return result;
  }

  nodeDiagnostic(reason: ReasonKind, message: string, file: string, node: Node, functionName?: string): Diagnostic {
    return {
      reason, message, file, startByte: node.startIndex, endByte: node.endIndex,
      startLine: node.startPosition.row, startColumn: node.startPosition.column,
      endLine: node.endPosition.row, endColumn: node.endPosition.column, functionName,
    };
  }

  private fileDiagnostic(reason: ReasonKind, message: string, file: string): Diagnostic {
    return { reason, message, file, startByte: 0, endByte: 0, startLine: 0, startColumn: 0, endLine: 0, endColumn: 0 };
  }

  typeName(t: CType): string {
    return typeToString(t);
  }

  /**
   * Frees every tree this unit parsed (files and snippets). tree-sitter keeps trees in its WASM heap,
   * which the garbage collector does not see: a long-lived host that drops units without this grows
   * by about 0.5 MB per analysis of an NF file, up to the WASM heap's 2 GiB cap. After it, no `Node`
   * of the unit may be read (declarations keep their plain data: names, types, annotations, lines).
   */
  dispose(): void {
    for (const tree of this.trees.splice(0)) tree.delete();
    this.snippetCache.clear();
  }
}

/** Builds a translation unit for the given main files. */
export async function buildTranslationUnit(
  mainFiles: { path: string; text?: string }[], options: FrontEndOptions, fileSystem: FileSystem,
): Promise<TranslationUnit> {
  const parser = await loadCParser();
  const unit = new TranslationUnit(parser, options, fileSystem);
  for (const file of mainFiles) unit.addMainFile(file.path, file.text);
  return unit;
}

// ----- helpers -----

const PRIMITIVES: Record<string, IntType | Extract<CType, { kind: 'void' }>> = {
  void: Types.void, char: Types.char, short: Types.short, int: Types.int, long: Types.long,
  bool: Types.bool, _Bool: Types.bool, signed: Types.int, unsigned: Types.uint,
  size_t: Types.ulong, ssize_t: Types.long, ptrdiff_t: Types.long, intptr_t: Types.long, uintptr_t: Types.ulong,
  int8_t: Types.schar, int16_t: Types.short, int32_t: Types.int, int64_t: Types.long,
  uint8_t: Types.uchar, uint16_t: Types.ushort, uint32_t: Types.uint, uint64_t: Types.ulong,
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
  if (longs >= 1) return unsigned ? Types.ulong : Types.long;
  return unsigned ? Types.uint : Types.int;
}

function isConstType(typeNode: Node, declaration: Node): boolean {
  for (const child of declaration.children) {
    if (!child) continue;
    if (child.id === typeNode.id) break;
    if (child.type === 'type_qualifier' && child.text === 'const') return true;
  }
  return false;
}

function initializerLength(initializer: Node): number {
  if (initializer.type === 'string_literal') return decodeStringLiteral(initializer.text).length + 1;
  if (initializer.type !== 'initializer_list') return 1;
  let index = 0;
  let max = 0;
  for (const item of initializer.namedChildren) {
    if (!item || item.type === 'comment') continue;
    if (item.type === 'initializer_pair') {
      const designator = item.childForFieldName('designator');
      if (designator?.type === 'subscript_designator') {
        const n = designator.namedChildren[0];
        if (n?.type === 'number_literal') index = Number(parseIntegerLiteral(n.text).value);
      }
    }
    index++;
    max = Math.max(max, index);
  }
  return max;
}

/** Comments of the form `/*@ ... *\/` directly before a node (annotations). */
export function precedingAnnotations(node: Node): string[] {
  const annotations: string[] = [];
  let previous = node.previousSibling;
  while (previous && previous.type === 'comment') {
    const match = /^\/\*@([\s\S]*)\*\/$/.exec(previous.text) ?? /^\/\/@(.*)$/.exec(previous.text);
    if (match) annotations.unshift(match[1]!.trim());
    previous = previous.previousSibling;
  }
  return annotations;
}

export function parseIntegerLiteral(text: string): { value: bigint; unsigned: boolean; long: boolean; decimal: boolean } {
  const trimmed = text.replace(/'/g, '').trim();
  if (trimmed.startsWith('-') || trimmed.startsWith('+')) {
    // tree-sitter folds a sign into the literal; C sees unary minus applied to the literal.
    const inner = parseIntegerLiteral(trimmed.slice(1));
    return { ...inner, value: trimmed.startsWith('-') ? -inner.value : inner.value };
  }
  const cleaned = trimmed;
  const match = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$/.exec(cleaned);
  if (!match) return { value: 0n, unsigned: false, long: false, decimal: true };
  const digits = match[1]!;
  const suffix = match[2]!.toLowerCase();
  let value: bigint;
  if (/^0[0-7]+$/.test(digits)) value = BigInt('0o' + digits.slice(1));
  else value = BigInt(digits);
  return { value, unsigned: suffix.includes('u'), long: suffix.includes('l'), decimal: !/^0/.test(digits) || digits === '0' };
}

export function parseCharLiteral(text: string): bigint {
  const body = text.replace(/^[LuU8]*'/, '').replace(/'$/, '');
  const bytes = decodeStringLiteral('"' + body + '"');
  return BigInt.asIntN(8, BigInt(bytes[0] ?? 0));
}

/** Decodes a C string literal's escapes into bytes (without the terminating zero). */
export function decodeStringLiteral(text: string): number[] {
  const body = text.replace(/^[LuU8]*"/, '').replace(/"$/, '');
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
      continue;
    }
    const n = body[++i] ?? '';
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11, '?': 63 };
    if (n === 'x') {
      const hex = /^[0-9a-fA-F]+/.exec(body.slice(i + 1))![0];
      bytes.push(parseInt(hex, 16) & 0xff);
      i += hex.length;
    } else if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      bytes.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else {
      bytes.push(simple[n] ?? n.charCodeAt(0));
    }
  }
  return bytes;
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

function splitMacroArguments(text: string): string[] {
  const inner = text.trim().replace(/^\(/, '').replace(/\)$/, '');
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of inner) {
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ')' || c === ']' || c === '}') depth--;
    if (c === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  args.push(current.trim());
  return args;
}
