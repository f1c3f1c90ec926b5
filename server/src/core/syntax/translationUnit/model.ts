// The translation unit's public data types: the front end's options and file access, places in the
// source and diagnostics, and what it collects (macros, globals, functions, parsed files).
import type { Node, Tree } from 'web-tree-sitter';
import type { CType } from '../cTypes';
import type { ReasonKind } from '../../reasons';

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
