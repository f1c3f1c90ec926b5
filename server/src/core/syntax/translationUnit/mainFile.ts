// Preprocessing and parsing a main file with the front end's options, and the process-wide caches that
// make a rebuild cheap: tokenised headers, preprocessed preambles and the last parse of each main file.
import type { Edit, Parser, Tree } from 'web-tree-sitter';
import { builtinHeader, builtinHeaderPath } from '../builtinHeaders';
import type { LexedFile } from '../lexer';
import { BUILTIN_PREDEFINES } from '../predefinedMacros';
import { PreambleCache, PreprocessResult, preprocess } from '../preprocessor';
import type { FileSystem, FrontEndOptions } from './model';

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

export function parseMainFile(parser: Parser, filePath: string, text: string, incremental: boolean): Tree | null {
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

/** Runs the preprocessor over a main file with the front end's options and caches. */
export function preprocessMainFile(filePath: string, content: string, o: FrontEndOptions, fileSystem: FileSystem): PreprocessResult {
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
  }, fileSystem);
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
