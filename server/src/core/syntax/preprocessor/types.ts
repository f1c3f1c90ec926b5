// The preprocessor's shared types: its options and results, macros and diagnostics, the tokens of an
// expansion (with hide sets), conditional groups and the stack frames of the files being read.
import type { LexedFile, PpToken } from '../lexer';
import type { PreambleCache } from './preambleCache';
import type { SourceMap } from './sourceMap';

export interface PreprocessorFileSystem {
  readFile(filePath: string): string | undefined;
}

export interface IncludeSearch {
  /** `-iquote` folders, searched for `#include "..."` after the including file's folder. */
  quote: string[];
  /** `-I` folders. */
  angled: string[];
  /** `-isystem` folders. */
  system: string[];
  /** The compiler's own folders (gcc's include folder, /usr/include...), searched after `-isystem`. */
  builtinSystem: string[];
  /** `-idirafter` folders, searched last. */
  after: string[];
}

export interface PreprocessorOptions {
  search: IncludeSearch;
  /** Text defining the predefined macros (`#define NAME VALUE` lines), read before the main file. */
  predefines: string;
  /** `-D` and `-U`, in command-line order. */
  commandLine: ({ define: string; value: string } | { undefine: string })[];
  /** `-include` files, read before the main file as if included from its first line. */
  forcedIncludes: string[];
  /** Headers the engine models itself, used where a header is not found on disk. */
  modelledHeader?: (name: string) => { path: string; text: string } | undefined;
  /** Prefer the modelled headers over the folders in `builtinSystem` (no real C library in use). */
  modelsFirst?: boolean;
  /** Known builtins and attributes for `__has_builtin` and `__has_attribute`. */
  hasBuiltin?: (name: string) => boolean;
  hasAttribute?: (name: string) => boolean;
  /** A shared cache of tokenised files, keyed by content. */
  lexCache?: Map<string, LexedFile>;
  /**
   * The main files' preambles (`PreambleCache`): a run whose main file starts with the same
   * directives, under the same options, with every file they read unchanged, resumes after them.
   * The functions above (`modelledHeader`, `hasBuiltin`, `hasAttribute`) must answer the same for
   * every run sharing one cache: they are not part of its key.
   */
  preambles?: PreambleCache;
}

export interface Macro {
  name: string;
  /** Parameter names; undefined for object-like macros. */
  params: string[] | undefined;
  variadic: boolean;
  body: Token[];
  file: string;
  /** A builtin with a computed expansion (`__LINE__`, `__FILE__`, `__COUNTER__`...). */
  builtin?: 'line' | 'file' | 'counter' | 'include-level' | 'base-file' | 'pragma';
}

export interface PreprocessorDiagnostic {
  kind: 'missing-include' | 'error-directive' | 'bad-directive' | 'bad-macro-call';
  message: string;
  file: string;
  offset: number;
  end: number;
}

/** Where the user sees an output token: a file and offsets in it. */
export interface Location {
  file: number;
  start: number;
  end: number;
}

/** A token during expansion: a lexer token plus its hide set and where it maps to. */
export interface Token {
  kind: PpToken['kind'];
  text: string;
  loc: Location;
  lineStart: boolean;
  spaceBefore: boolean;
  hide: ReadonlySet<string> | undefined;
  /** The outermost macro expansion this token came out of (0 for tokens of a file). */
  expansion: number;
  /** The token's text is spelled at `loc` (a file token or a macro argument), not produced by a macro body. */
  spelled?: boolean;
  /** A placemarker (empty argument next to `##`). */
  placemarker?: boolean;
  /** Not a macro name any more (the painted-blue rule for names found inside their own expansion). */
  noExpand?: boolean;
}

export const EMPTY_HIDE: ReadonlySet<string> = new Set();

export interface PreprocessResult {
  text: string;
  map: SourceMap;
  macros: Map<string, Macro>;
  diagnostics: PreprocessorDiagnostic[];
  /** Every file read, resolved, main file first. */
  includedFiles: string[];
}

export function joinTokens(tokens: readonly { text: string; spaceBefore: boolean }[]): string {
  let out = '';
  tokens.forEach((t, i) => {
    if (i > 0 && t.spaceBefore) out += ' ';
    out += t.text;
  });
  return out;
}

export interface Conditional {
  /** This group's text is being emitted. */
  active: boolean;
  /** Some branch of the group was taken already (so later ones are skipped). */
  taken: boolean;
  /** The enclosing group was active. */
  parentActive: boolean;
  sawElse: boolean;
}

export interface FileFrame {
  path: string;
  fileId: number;
  tokens: PpToken[];
  index: number;
  conditionals: Conditional[];
  /** Position in the search list where this file was found, for `#include_next`. */
  searchIndex: number;
  guard: string | undefined;
}
