// Builds a translation unit from C files: runs the preprocessor, parses its output with tree-sitter, and collects declarations.
//
// Each main file is preprocessed at the token level (`preprocessor.ts`) into one text, which
// tree-sitter parses once. Inactive `#if` branches never reach the parser, macros are expanded
// before parsing, and the source map of the expansion takes every node back to the file, line and
// column where the user wrote it (`sourceRange`) and to the text the user wrote (`sourceText`).
import { Edit, Parser, Node, Tree } from 'web-tree-sitter';
import { collectSyntaxErrors, loadCParser } from './cParser';
import { builtinHeader, builtinHeaderPath } from './builtinHeaders';
import {
  CType, FieldSpec, RecordType, Types, IntType, alignOf, layoutRecord, pointerTo, sizeOf, typeToString,
} from './cTypes';
import { Macro, PreambleCache, PreprocessResult, SourceMap, expandText, macroBodyText, preprocess } from './preprocessor';
import { blankUnusedHeaderBodies } from './unusedBodies';
import { TYPEOF_PLACEHOLDER, rewriteTypeofExpressions } from './typeofExpressions';
import type { LexedFile } from './lexer';
import { BUILTIN_PREDEFINES } from './predefinedMacros';
import type { ReasonKind } from '../reasons';

/** Read access to source files, injected so that the editor can supply unsaved buffers. */
export interface FileSystem {
  readFile(filePath: string): string | undefined;
}

export interface FrontEndOptions {
  /** `-I` folders. */
  includeDirs: string[];
  /** `-D` macros (applied before `undefines`). */
  defines: Record<string, string>;
  /** `-U` macros. */
  undefines?: string[];
  /** `-iquote`, `-isystem` and `-idirafter` folders. */
  quoteIncludeDirs?: string[];
  systemIncludeDirs?: string[];
  afterIncludeDirs?: string[];
  /** `-include` files. */
  forcedIncludes?: string[];
  /**
   * The compiler's own include folders (gcc's, then /usr/include). When given, headers come from
   * them as in a build, and the engine's modelled headers only stand in for headers not found.
   * When absent, the modelled headers (`builtinHeaders.ts`) are the C library.
   */
  builtinIncludeDirs?: string[];
  /** Predefined macros as `#define` lines (gcc -dM -E); the built-in table of gcc's when absent. */
  predefines?: string;
  /**
   * Parse the bodies of header functions the main files never reach (`unusedBodies.ts`). Off by
   * default: they cannot change a contract, and they are most of a DPDK unit's parsing and lowering.
   */
  keepUnusedHeaderBodies?: boolean;
  /** Functions whose bodies are kept even when no main file reaches them (requested entries). */
  keepBodiesOf?: string[];
  /**
   * Reuse what earlier builds in this process left (default true): the preprocessed preamble of a
   * main file when its leading directives, these options and every file they read are unchanged
   * (`PreambleCache`), and the main file's last syntax tree, reparsed incrementally where the
   * expanded text changed. The result is the same either way: false is for measuring and testing.
   */
  incremental?: boolean;
}

/** A place in a source file, as the user sees it (after mapping an expanded text back). */
export interface SourcePlace {
  file: string;
  startByte: number;
  endByte: number;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface Diagnostic extends SourcePlace {
  reason: ReasonKind;
  message: string;
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

/**
 * A file of the unit. A main file's `text` is its preprocessed text and `tree` its parse; a header's
 * `text` is its own content and `tree` the parse of the main file that included it (the unit owns
 * each tree once, see `dispose`).
 */
export interface ParsedFile {
  path: string;
  text: string;
  tree: Tree;
}

/**
 * Spellings the tree-sitter grammar does not parse, mapped to ones it does with the same meaning:
 * `__builtin_offsetof(T, m)` is the grammar's `offsetof(T, m)`.
 */
const FRONT_END_PREDEFINES = '\n#define __builtin_offsetof(T, M) offsetof(T, M)\n';

/** Tokenised files shared by every unit of the process, keyed by content (the header cache). */
const lexCache = new Map<string, LexedFile>();
const LEX_CACHE_LIMIT = 4000;

/**
 * The main files' preprocessed preambles, shared by every unit of the process: the language
 * server's analysis process keeps them across analyses, so an edit below a DPDK unit's `#include`s
 * does not preprocess its headers again. A DPDK preamble holds its expanded text and source map
 * (46 MB for l2fwd's 336,000 tokens) and the analysis process's heap is limited to 192 MB
 * (analysisHost.ts): three main files at most, and beyond 400,000 tokens in all only the newest.
 */
const preambles = new PreambleCache(3, 400_000);

/**
 * The last parse of each main file: its expanded text and a copy of its tree, which this map owns
 * (deleted when replaced, dropped or cleared). The next build of the file describes the change
 * between the texts as one edit (the common prefix and suffix kept) and tree-sitter reparses only
 * around it: 10 ms instead of 280 ms for l2fwd's 1.7 MB after a one-line edit. tree-sitter gives
 * the tree a fresh parse would (its own tests check incremental against fresh parses, errors
 * included); preambleCache.test.ts compares the whole trees. As many files as preambles are kept.
 */
const lastParses = new Map<string, { text: string; tree: Tree }>();
let reparses = 0;

function parseMainFile(parser: Parser, filePath: string, text: string, incremental: boolean): Tree | null {
  const previous = incremental ? lastParses.get(filePath) : undefined;
  let tree: Tree | null;
  if (previous) {
    lastParses.delete(filePath);
    previous.tree.edit(editBetween(previous.text, text));
    tree = parser.parse(text, previous.tree);
    previous.tree.delete();
    reparses++;
  } else {
    tree = parser.parse(text);
  }
  if (tree && incremental) {
    lastParses.set(filePath, { text, tree: tree.copy() });
    while (lastParses.size > preambles.limit) {
      const [oldest, kept] = lastParses.entries().next().value!;
      kept.tree.delete();
      lastParses.delete(oldest);
    }
  }
  return tree;
}

/** The edit that turns `before` into `after`: the text between their common prefix and suffix replaced (indices and columns in UTF-16 units, as web-tree-sitter takes them). */
function editBetween(before: string, after: string): Edit {
  const shorter = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  const pointAt = (text: string, offset: number) => {
    let row = 0;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
      row++;
      lineStart = i + 1;
    }
    return { row, column: offset - lineStart };
  };
  return {
    startIndex: prefix, oldEndIndex: before.length - suffix, newEndIndex: after.length - suffix,
    startPosition: pointAt(before, prefix), oldEndPosition: pointAt(before, before.length - suffix), newEndPosition: pointAt(after, after.length - suffix),
  };
}

/**
 * How many builds resumed from a cached preamble (`hits`) or preprocessed theirs (`misses`), how
 * many preambles are kept and their output tokens, and how many parses were incremental.
 */
export function preambleCacheStatistics(): { hits: number; misses: number; entries: number; tokens: number; reparses: number } {
  return { hits: preambles.hits, misses: preambles.misses, entries: preambles.size, tokens: preambles.tokens, reparses };
}

/** Forgets every cached preamble and kept tree (their memory goes back to the process and to tree-sitter). */
export function clearPreambleCache(): void {
  preambles.clear();
  for (const { tree } of lastParses.values()) tree.delete();
  lastParses.clear();
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
  /** Header functions whose bodies were not parsed because no main file reaches them. */
  readonly blankedBodies = new Set<string>();
  /** The argument text of each `typeof` of an expression, by its placeholder type name (`typeofExpressions.ts`). */
  readonly typeofArguments = new Map<string, string>();
  /**
   * The type of an expression's text in the scope being lowered, set by the lowering of a function
   * while it runs: `typeof` of an expression is resolved with it.
   */
  expressionTyper: ((text: string) => CType) | undefined;
  private anonymousCounter = 0;
  private snippetCache = new Map<string, Node | undefined>();
  /** Every tree this unit created (main files and snippets): `dispose` deletes them. */
  private readonly ownedTrees: Tree[] = [];
  private readonly sourceMaps = new Map<Tree, SourceMap>();
  private finalMacros = new Map<string, Macro>();


  constructor(readonly parser: Parser, readonly options: FrontEndOptions, private readonly fileSystem: FileSystem) {}

  /** Reads a main file, preprocesses it with everything it includes, and parses the result. */
  addMainFile(filePath: string, text?: string): void {
    const content = text ?? this.fileSystem.readFile(filePath);
    if (content === undefined) {
      this.diagnostics.push(this.fileDiagnostic('missing-include', `cannot read '${filePath}'`, filePath));
      return;
    }
    if (this.files.has(filePath)) return;
    const result = this.preprocess(filePath, content);
    result.text = blankDeclaratorAttributes(result.text, result.map);
    if (!this.options.keepUnusedHeaderBodies) {
      const pruned = blankUnusedHeaderBodies(result.text, result.map, new Set([result.map.files.indexOf(filePath)]), this.options.keepBodiesOf);
      result.text = pruned.text;
      for (const name of pruned.blanked) this.blankedBodies.add(name);
    }
    result.text = rewriteTypeofExpressions(result.text, result.map, this.typeofArguments);
    result.map.output = result.text;
    const tree = parseMainFile(this.parser, filePath, result.text, this.options.incremental !== false);
    if (!tree) return;
    this.ownedTrees.push(tree);
    this.sourceMaps.set(tree, result.map);
    this.files.set(filePath, { path: filePath, text: result.text, tree });
    for (const included of result.includedFiles) {
      if (included === filePath) continue;
      this.includedFiles.add(included);
      if (!this.files.has(included)) {
        const index = result.map.files.indexOf(included);
        this.files.set(included, { path: included, text: index >= 0 ? result.map.fileTexts[index]! : '', tree });
      }
    }
    for (const [name, macro] of result.macros) {
      this.finalMacros.set(name, macro);
      if (!macro.builtin) this.macros.set(name, { name, params: macro.params, variadic: macro.variadic, body: macroBodyText(macro), file: macro.file });
    }
    for (const d of result.diagnostics) {
      const reason: ReasonKind = d.kind === 'missing-include' ? 'missing-include' : d.kind === 'error-directive' ? 'unsupported' : 'syntax-error';
      this.diagnostics.push(this.placeDiagnostic(reason, d.message, result.map, d.file, d.offset, d.end));
    }
    const items = tree.rootNode.namedChildren;
    const functionRanges = items.filter((c): c is Node => c?.type === 'function_definition').map((c) => [c.startIndex, c.endIndex] as const);
    for (const error of collectSyntaxErrors(tree.rootNode)) {
      if (insideRanges(functionRanges, error.startByte)) continue; // reported with the function
      const place = this.placeOfRange(tree, error.startByte, error.endByte);
      this.diagnostics.push({ reason: 'syntax-error', message: error.message, ...place });
    }
    this.processItems(items);
  }

  private preprocess(filePath: string, content: string): PreprocessResult {
    const o = this.options;
    const models = o.builtinIncludeDirs === undefined;
    if (lexCache.size > LEX_CACHE_LIMIT) lexCache.clear();
    return preprocess(filePath, content, {
      search: {
        quote: o.quoteIncludeDirs ?? [], angled: o.includeDirs, system: o.systemIncludeDirs ?? [],
        builtinSystem: o.builtinIncludeDirs ?? [], after: o.afterIncludeDirs ?? [],
      },
      predefines: (o.predefines ?? BUILTIN_PREDEFINES) + FRONT_END_PREDEFINES,
      commandLine: [
        ...Object.entries(o.defines).map(([define, value]) => ({ define, value })),
        ...(o.undefines ?? []).map((undefine) => ({ undefine })),
      ],
      forcedIncludes: o.forcedIncludes ?? [],
      modelledHeader: (name) => {
        const text = builtinHeader(name);
        return text === undefined ? undefined : { path: builtinHeaderPath(name), text };
      },
      modelsFirst: models,
      hasBuiltin: (name) => KNOWN_BUILTINS.has(name) || name.startsWith('__builtin_') || name.startsWith('__sync_') || name.startsWith('__atomic_'),
      hasAttribute: (name) => KNOWN_ATTRIBUTES.has(name.replace(/^__(.*)__$/, '$1')),
      lexCache,
      preambles: o.incremental === false ? undefined : preambles,
    }, this.fileSystem);
  }

  /** Deletes every tree this unit created (web-tree-sitter trees live in WebAssembly memory). */
  dispose(): void {
    for (const tree of this.ownedTrees) tree.delete();
    this.ownedTrees.length = 0;
    this.snippetCache.clear();
    this.sourceMaps.clear();
  }

  // ----- positions -----

  /** Where the user wrote `node`: its file and range there (the macro invocation for expanded code). */
  sourceRange(node: Node): SourcePlace {
    return this.placeOfRange(node.tree, node.startIndex, node.endIndex);
  }

  /** The file `node` was written in. */
  fileOf(node: Node): string {
    return this.sourceRange(node).file;
  }

  /**
   * The text the user wrote for `node`: the source between its first and last tokens, so that macro
   * names stay as written (`ether_type != ETHERTYPE_IPV4`). A node inside one expansion, or spread
   * over several files, is shown expanded.
   */
  sourceText(node: Node): string {
    const map = this.sourceMaps.get(node.tree);
    if (!map || node.endIndex <= node.startIndex) return node.text;
    const first = map.tokenAt(node.startIndex);
    const last = map.tokenBefore(node.endIndex);
    if (first < 0 || last < first) return node.text;
    const out = map.output;
    let text = '';
    let previous: { file: number; end: number } | undefined;
    let previousKey: string | undefined;
    /** Output offset up to which an invocation already printed stands for the tokens. */
    let coveredEnd = -1;
    for (let i = first; i <= last; i++) {
      if (map.outStart[i]! < coveredEnd) continue;
      // A token of an expansion (an argument's spelled token included) stands for its invocation
      // when the whole expansion is inside the node.
      const invocation = map.spelled[i] ? this.invocationTokenOf(map, i) : i;
      const loc = map.locs[i]!;
      let piece: string;
      let key: string | undefined;
      let place: { file: number; start: number; end: number } | undefined;
      const range = invocation >= 0 ? this.expansionRun(map, invocation) : undefined;
      if (range && range.start >= node.startIndex && range.end <= node.endIndex) {
        const call = map.locs[invocation]!;
        key = `${call.file}:${call.start}:${call.end}`;
        coveredEnd = range.end;
        if (key === previousKey) continue;
        piece = map.fileTexts[call.file]!.slice(call.start, call.end);
        place = call;
      } else if (map.spelled[i]) {
        piece = map.fileTexts[loc.file]!.slice(loc.start, loc.end);
        place = loc;
      } else {
        key = `${loc.file}:${loc.start}:${loc.end}`;
        piece = out.slice(map.outStart[i]!, map.outEnd[i]!);
      }
      if (text !== '') {
        const gap = previous && place && place.file === previous.file && place.start >= previous.end
          ? map.fileTexts[place.file]!.slice(previous.end, place.start) : undefined;
        if (gap !== undefined && /^\s*$/.test(gap)) text += gap;
        else if (map.spaceBefore[i] || (/[A-Za-z0-9_$]$/.test(text) && /^[A-Za-z0-9_$]/.test(piece))) text += ' ';
      }
      text += piece;
      previous = place ? { file: place.file, end: place.end } : undefined;
      previousKey = key;
    }
    return text.replace(/\\\r?\n/g, ' ');
  }

  /**
   * For a spelled token inside a macro expansion (an argument), a token the macro produced whose
   * invocation contains it (not a macro used inside the argument), or -1.
   */
  private invocationTokenOf(map: SourceMap, i: number): number {
    const expansion = map.expansions[i]!;
    if (!expansion) return -1;
    const at = map.outStart[i]!;
    const checked = new Set<string>();
    const contains = (j: number) => {
      // Tokens produced by one invocation share its location: each is looked at once.
      const l = map.locs[j]!;
      const key = `${l.file}:${l.start}:${l.end}`;
      if (map.spelled[j] || checked.has(key)) return false;
      checked.add(key);
      const run = this.expansionRun(map, j);
      return run.start <= at && at < run.end;
    };
    for (let j = i - 1; j >= 0 && map.expansions[j] === expansion; j--) if (contains(j)) return j;
    for (let j = i + 1; j < map.outStart.length && map.expansions[j] === expansion; j++) if (contains(j)) return j;
    return -1;
  }

  /**
   * The output range of the expansion that produced token `i`: the tokens around it whose source
   * locations lie within its invocation (its body's tokens and its arguments' tokens).
   */
  private expansionRun(map: SourceMap, i: number): { start: number; end: number } {
    const k = map.locs[i]!;
    const within = (j: number): boolean => {
      const l = map.locs[j]!;
      return l.file === k.file && l.start >= k.start && l.end <= k.end;
    };
    let a = i;
    while (a > 0 && within(a - 1)) a--;
    let b = i;
    while (b < map.locs.length - 1 && within(b + 1)) b++;
    return { start: map.outStart[a]!, end: map.outEnd[b]! };
  }

  private placeOfRange(tree: Tree, startIndex: number, endIndex: number): SourcePlace {
    const map = this.sourceMaps.get(tree);
    if (!map || map.outStart.length === 0) {
      return { file: '<unknown>', startByte: startIndex, endByte: endIndex, startLine: 0, startColumn: 0, endLine: 0, endColumn: 0 };
    }
    const first = map.tokenAt(startIndex);
    let last = endIndex > startIndex ? map.tokenBefore(endIndex) : first;
    const a = map.locs[first]!;
    let b = map.locs[last]!;
    // A range that ends in another file (a node spanning an include) ends at its first file's last token.
    while (b.file !== a.file && last > first) b = map.locs[--last]!;
    const end = b.file === a.file && b.end >= a.start ? b.end : a.end;
    const s = map.position(a.file, a.start);
    const e = map.position(a.file, end);
    return { file: map.files[a.file]!, startByte: a.start, endByte: end, startLine: s.line, startColumn: s.column, endLine: e.line, endColumn: e.column };
  }

  private placeDiagnostic(reason: ReasonKind, message: string, map: SourceMap, file: string, offset: number, end: number): Diagnostic {
    const index = map.files.indexOf(file);
    if (index < 0) return { reason, message, file, startByte: offset, endByte: end, startLine: 0, startColumn: 0, endLine: 0, endColumn: 0 };
    const s = map.position(index, offset);
    const e = map.position(index, end);
    return { reason, message, file, startByte: offset, endByte: end, startLine: s.line, startColumn: s.column, endLine: e.line, endColumn: e.column };
  }

  private processItems(items: (Node | null)[]): void {
    for (const item of items) if (item) this.processItem(item, this.fileOf(item));
  }

  private processItem(node: Node, file: string): void {
    switch (node.type) {
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
      default:
        return;
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
      annotations: precedingAnnotations(node), line: this.sourceRange(node).startLine,
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
            annotations: precedingAnnotations(node), line: this.sourceRange(node).startLine,
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

  /** Parses `text` as a C expression; the node lives in a private snippet tree. */
  parseExpressionSnippet(text: string, expand = true): Node | undefined {
    const key = (expand ? 'e:' : 'r:') + text;
    if (this.snippetCache.has(key)) return this.snippetCache.get(key);
    // Annotations are comments, so their macros are expanded here, with the unit's final macros;
    // text taken from the expanded output (a typeof argument) is parsed as it is.
    const tree = this.parser.parse(`void __snippet(void) { (${expand ? expandText(text, this.finalMacros) : text}); }`);
    if (tree) this.ownedTrees.push(tree);
    let result: Node | undefined;
    if (tree && !tree.rootNode.hasError) {
      const statement = tree.rootNode.namedChildren[0]?.childForFieldName('body')?.namedChildren[0];
      const parenthesized = statement?.namedChildren[0];
      result = parenthesized?.namedChildren[0] ?? undefined;
    }
    this.snippetCache.set(key, result);
    return result;
  }

  /** Parses `text` as a C statement (for macros such as `do { ... } while (0)`). */
  parseStatementSnippet(text: string): Node | undefined {
    if (this.snippetCache.has('s:' + text)) return this.snippetCache.get('s:' + text);
    const tree = this.parser.parse(`void __snippet(void) { ${expandText(text, this.finalMacros)}; }`);
    if (tree) this.ownedTrees.push(tree);
    let result: Node | undefined;
    if (tree && !tree.rootNode.hasError) {
      result = tree.rootNode.namedChildren[0]?.childForFieldName('body')?.namedChildren[0] ?? undefined;
    }
    this.snippetCache.set('s:' + text, result);
    return result;
  }

  /** A diagnostic at the place the user wrote `node` (`file` is used only for snippet nodes). */
  nodeDiagnostic(reason: ReasonKind, message: string, file: string, node: Node, functionName?: string): Diagnostic {
    if (!this.sourceMaps.has(node.tree)) {
      return {
        reason, message, file, startByte: node.startIndex, endByte: node.endIndex,
        startLine: node.startPosition.row, startColumn: node.startPosition.column,
        endLine: node.endPosition.row, endColumn: node.endPosition.column, functionName,
      };
    }
    return { reason, message, ...this.sourceRange(node), functionName };
  }

  private fileDiagnostic(reason: ReasonKind, message: string, file: string): Diagnostic {
    return { reason, message, file, startByte: 0, endByte: 0, startLine: 0, startColumn: 0, endLine: 0, endColumn: 0 };
  }

  typeName(t: CType): string {
    return typeToString(t);
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

/**
 * Blanks `__attribute__((...))` and `__asm__("label")` written after a declarator (`int v
 * __attribute__((section(".maps")));`, `void f(void) __attribute__((noreturn));`), which the
 * tree-sitter grammar does not accept there. They say nothing about types or layout outside a
 * struct, so they are replaced by spaces: offsets, and so the source map, stay the same. Inside a
 * struct or union body they are kept, since `aligned` and `packed` on a member change the layout.
 */
function blankDeclaratorAttributes(text: string, map: SourceMap): string {
  const count = map.outStart.length;
  const tokenText = (i: number) => (i >= 0 && i < count ? text.slice(map.outStart[i]!, map.outEnd[i]!) : '');
  const isWord = (t: string) => /^[A-Za-z_$][\w$]*$/.test(t);
  const blanks: [number, number][] = [];
  const recordScopes: boolean[] = [];
  for (let i = 0; i < count; i++) {
    const t = tokenText(i);
    if (t === '{') {
      let record = false;
      for (let j = i - 1, depth = 0; j >= 0 && i - j < 40; j--) {
        const p = tokenText(j);
        if (p === ')') depth++;
        else if (p === '(') depth--;
        else if (depth === 0 && (p === ';' || p === '{' || p === '}' || p === '=')) break;
        if (depth === 0 && (p === 'struct' || p === 'union')) { record = true; break; }
      }
      recordScopes.push(record);
      continue;
    }
    if (t === '}') { recordScopes.pop(); continue; }
    const isAttribute = t === '__attribute__' || t === '__attribute';
    const isAsmLabel = t === '__asm__' || t === '__asm' || t === 'asm';
    if (!isAttribute && !isAsmLabel) continue;
    if (recordScopes[recordScopes.length - 1]) continue;
    const previous = tokenText(i - 1);
    if (!(isWord(previous) || previous === ')' || previous === ']' || previous === '*') || previous === 'struct' || previous === 'union' || previous === 'enum') continue;
    if (tokenText(i + 1) !== '(') continue;
    let depth = 0;
    let end = i + 1;
    for (; end < count; end++) {
      const p = tokenText(end);
      if (p === '(') depth++;
      else if (p === ')' && --depth === 0) break;
    }
    const next = tokenText(end + 1);
    if (isAsmLabel && !/^"/.test(tokenText(i + 2))) continue; // an asm statement, not a label
    // After the declarator (`f(void) __attribute__((x));`), or between a pointer's `*` and its name
    // (`void * __attribute__((x)) f(void)`), which the grammar reads as a function named __attribute__.
    if (next === ';' || next === ',' || next === '=' || next === '{' || next === '__attribute__' || next === '__asm__' || next === '__asm' || (previous === '*' && isWord(next))) {
      blanks.push([map.outStart[i]!, map.outEnd[end]!]);
      i = end;
    }
  }
  if (blanks.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of blanks) {
    out += text.slice(at, start) + text.slice(start, end).replace(/[^\n]/g, ' ');
    at = end;
  }
  return out + text.slice(at);
}

/** Whether `offset` is inside one of the sorted, disjoint ranges. */
function insideRanges(ranges: readonly (readonly [number, number])[], offset: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = ranges[mid]!;
    if (offset < start) hi = mid - 1;
    else if (offset >= end) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Builtins `__has_builtin` admits besides the `__builtin_`, `__sync_` and `__atomic_` families. */
const KNOWN_BUILTINS: ReadonlySet<string> = new Set(['__has_builtin', '__builtin_offsetof', '__builtin_types_compatible_p', '__builtin_va_arg']);

/** Attributes `__has_attribute` admits: what gcc knows and the front end reads or ignores safely. */
const KNOWN_ATTRIBUTES: ReadonlySet<string> = new Set([
  'aligned', 'packed', 'always_inline', 'noinline', 'unused', 'used', 'const', 'pure', 'noreturn', 'cold', 'hot', 'section',
  'weak', 'visibility', 'deprecated', 'format', 'nonnull', 'warn_unused_result', 'fallthrough', 'malloc', 'alloc_size',
  'constructor', 'destructor', 'may_alias', 'mode', 'noclone', 'cleanup', 'error', 'warning', 'flatten', 'externally_visible',
  'returns_nonnull', 'sentinel', 'access', 'nonstring', 'designated_init', 'btf_type_tag', 'btf_decl_tag', 'preserve_access_index',
  'transparent_union', 'vector_size', 'no_instrument_function', 'optimize', 'target', 'artificial', 'gnu_inline', 'leaf', 'nothrow',
  'alias', 'copy', 'no_sanitize_address', 'no_stack_protector', 'naked', 'warn_if_not_aligned', 'diagnose_as_builtin',
]);

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

/** The type of an integer constant (C11 6.4.4.1, LP64): by its suffix, then by its value. */
function literalType(text: string): CType {
  const literal = parseIntegerLiteral(text);
  if (literal.long) return literal.unsigned ? Types.ulong : Types.long;
  if (literal.unsigned) return literal.value > 0xffffffffn ? Types.ulong : Types.uint;
  if (literal.value <= 0x7fffffffn) return Types.int;
  if (!literal.decimal && literal.value <= 0xffffffffn) return Types.uint;
  return !literal.decimal && literal.value > 0x7fffffffffffffffn ? Types.ulong : Types.long;
}
