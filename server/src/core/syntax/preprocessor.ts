// The C preprocessor (C11 6.10 plus gcc's extensions) at the token level: expands a translation unit into one text and its source map.
//
// Macro expansion follows Prosser's algorithm with hide sets (the one behind C's "no recursion"
// rule), so rescanning, `#`, `##`, variadic macros (`, ## __VA_ARGS__`, `__VA_OPT__`) and macros
// taking types or any tokens as arguments behave as in gcc. Inactive branches are skipped at the
// token level and never reach the parser. Every output token records where the user sees it
// (`SourceMap`): its spelling for ordinary tokens and macro arguments, the invocation for the
// tokens a macro body produced.
import * as path from 'path';
import { LexedFile, PpToken, lexFile } from './lexer';

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
interface Token {
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

const EMPTY_HIDE: ReadonlySet<string> = new Set();

/** Maps output offsets back to source files. Segments are sorted by output offset. */
export class SourceMap {
  readonly files: string[] = [];
  readonly fileTexts: string[] = [];
  /** The expanded text the map describes. */
  output = '';
  private readonly fileIndex = new Map<string, number>();
  /** Per output token: output start, output end, its location, the expansion it came out of. */
  readonly outStart: number[] = [];
  readonly outEnd: number[] = [];
  readonly locs: Location[] = [];
  readonly expansions: number[] = [];
  /** Per output token: spelled at its location (else produced by the macro invoked there); space before it. */
  readonly spelled: boolean[] = [];
  readonly spaceBefore: boolean[] = [];
  /** Output range of each outermost expansion (index = expansion id). */
  readonly expansionRanges: { start: number; end: number }[] = [{ start: 0, end: 0 }];
  private lineStarts = new Map<number, number[]>();

  /** A copy that a run can extend without changing this one (the arrays' elements are never mutated once emitted). */
  copy(): SourceMap {
    const map = new SourceMap();
    map.files.push(...this.files);
    map.fileTexts.push(...this.fileTexts);
    for (const [file, id] of this.fileIndex) map.fileIndex.set(file, id);
    map.output = this.output;
    const writable = map as { -readonly [K in keyof SourceMap]: SourceMap[K] };
    writable.outStart = this.outStart.slice();
    writable.outEnd = this.outEnd.slice();
    writable.locs = this.locs.slice();
    writable.expansions = this.expansions.slice();
    writable.spelled = this.spelled.slice();
    writable.spaceBefore = this.spaceBefore.slice();
    writable.expansionRanges = this.expansionRanges.slice();
    return map;
  }

  fileId(filePath: string, text: string): number {
    let id = this.fileIndex.get(filePath);
    if (id === undefined) {
      id = this.files.length;
      this.files.push(filePath);
      this.fileTexts.push(text);
      this.fileIndex.set(filePath, id);
    }
    return id;
  }

  /** Index of the output token covering `offset`, or the next one after it (the last one at the end). */
  tokenAt(offset: number): number {
    let lo = 0;
    let hi = this.outStart.length - 1;
    if (hi < 0) return -1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.outEnd[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the output token covering the character before `offset`. */
  tokenBefore(offset: number): number {
    const index = this.tokenAt(Math.max(0, offset - 1));
    if (index > 0 && this.outStart[index]! >= offset) return index - 1;
    return index;
  }

  /** 0-based line and column of an offset in a source file. */
  position(file: number, offset: number): { line: number; column: number } {
    let starts = this.lineStarts.get(file);
    if (!starts) {
      starts = [0];
      const text = this.fileTexts[file]!;
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts.set(file, starts);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, column: offset - starts[lo]! };
  }
}

export interface PreprocessResult {
  text: string;
  map: SourceMap;
  macros: Map<string, Macro>;
  diagnostics: PreprocessorDiagnostic[];
  /** Every file read, resolved, main file first. */
  includedFiles: string[];
}

/**
 * The state of a run just before the first line of code of its main file: everything the
 * directives before it (the preamble: `#include`s, `#define`s, conditionals, comments) left.
 */
interface PreambleSnapshot {
  /** Options, main file path and include guard: one slot per main file and options. */
  slot: string;
  /** The main file's text up to the end of its preamble's last token. */
  preambleText: string;
  /** Index of the main file's first token after the preamble. */
  boundaryIndex: number;
  /** Every read the preamble made (found or not), to check that each still answers the same. */
  reads: Map<string, string | undefined>;
  macros: Map<string, Macro>;
  guards: Map<string, string>;
  pragmaOnce: Set<string>;
  included: string[];
  diagnostics: PreprocessorDiagnostic[];
  map: SourceMap;
  out: string;
  counter: number;
  expansionCount: number;
  mainFileId: number;
  conditionals: Conditional[];
  previous: Token | undefined;
  forceLine: boolean;
}

/**
 * Preprocessed preambles, the way clangd keeps them: a main file's leading directives expanded once
 * (its headers read, their macros defined, their text expanded and mapped), so that an edit below
 * them only preprocesses the rest of the file. A snapshot is used only when its options, main file,
 * preamble text and every file it read (a failed lookup included) answer the same now; the resumed
 * run then gives exactly the output, map, macros and diagnostics of a run from the start.
 * One snapshot per main file and options; the least recently used are dropped beyond `limit`
 * snapshots or beyond `tokenLimit` output tokens in all (a snapshot's memory is about 140 bytes a
 * token: the preamble of DPDK's l2fwd example is 336,000 tokens, 46 MB), the newest always kept.
 */
export class PreambleCache {
  private readonly slots = new Map<string, PreambleSnapshot>();
  /** Runs that resumed from a snapshot, and runs that preprocessed their preamble. */
  hits = 0;
  misses = 0;

  constructor(readonly limit = 3, readonly tokenLimit = Infinity) {}

  get size(): number {
    return this.slots.size;
  }

  /** Output tokens of the snapshots kept (their memory is proportional). */
  get tokens(): number {
    let total = 0;
    for (const snapshot of this.slots.values()) total += snapshot.map.outStart.length;
    return total;
  }

  clear(): void {
    this.slots.clear();
  }

  /** The snapshot for this slot and preamble if every file it read answers the same. */
  find(slot: string, preambleText: string, fileSystem: PreprocessorFileSystem): PreambleSnapshot | undefined {
    const snapshot = this.slots.get(slot);
    if (!snapshot || snapshot.preambleText !== preambleText) return undefined;
    for (const [filePath, text] of snapshot.reads) {
      if (fileSystem.readFile(filePath) !== text) {
        this.slots.delete(slot);
        return undefined;
      }
    }
    this.slots.delete(slot);
    this.slots.set(slot, snapshot); // most recently used last
    return snapshot;
  }

  store(snapshot: PreambleSnapshot): void {
    this.slots.delete(snapshot.slot);
    this.slots.set(snapshot.slot, snapshot);
    while (this.slots.size > 1 && (this.slots.size > this.limit || this.tokens > this.tokenLimit)) this.slots.delete(this.slots.keys().next().value!);
  }
}

/** Expands `text` (an annotation's expression) with the macros a translation unit ended with. */
export function expandText(text: string, macros: Map<string, Macro>): string {
  const pp = new Preprocessor({ search: { quote: [], angled: [], system: [], builtinSystem: [], after: [] }, predefines: '', commandLine: [], forcedIncludes: [] }, { readFile: () => undefined });
  return pp.expandStandalone(text, macros);
}

/** Renders a macro's replacement list as text. */
export function macroBodyText(macro: Macro): string {
  return joinTokens(macro.body);
}

function joinTokens(tokens: readonly { text: string; spaceBefore: boolean }[]): string {
  let out = '';
  tokens.forEach((t, i) => {
    if (i > 0 && t.spaceBefore) out += ' ';
    out += t.text;
  });
  return out;
}

interface Conditional {
  /** This group's text is being emitted. */
  active: boolean;
  /** Some branch of the group was taken already (so later ones are skipped). */
  taken: boolean;
  /** The enclosing group was active. */
  parentActive: boolean;
  sawElse: boolean;
}

interface FileFrame {
  path: string;
  fileId: number;
  tokens: PpToken[];
  index: number;
  conditionals: Conditional[];
  /** Position in the search list where this file was found, for `#include_next`. */
  searchIndex: number;
  guard: string | undefined;
}

/** Runs the preprocessor over one main file. */
export function preprocess(mainPath: string, mainText: string, options: PreprocessorOptions, fileSystem: PreprocessorFileSystem): PreprocessResult {
  return new Preprocessor(options, fileSystem).run(mainPath, mainText);
}

class Preprocessor {
  private macros = new Map<string, Macro>();
  private map = new SourceMap();
  private diagnostics: PreprocessorDiagnostic[] = [];
  private readonly stack: FileFrame[] = [];
  private pragmaOnce = new Set<string>();
  /** Guard macro of each file that has one, so a second include of it is skipped without reading it. */
  private guards = new Map<string, string>();
  private included: string[] = [];
  /** The last token emitted, and whether the next one starts a line (the emitter's state). */
  private previous: Token | undefined;
  private forceLine = false;
  /** The emitter is reading its next token (no expansion is in progress). */
  private topRead = false;
  /** While the preamble of the main file is being read: where it ends, and the reads it made. */
  private capture: { slot: string; preambleText: string; boundaryIndex: number; frame?: FileFrame; reads: Map<string, string | undefined> } | undefined;
  private readonly files: PreprocessorFileSystem;
  /** Tokens pushed back in front of the input (macro expansions being rescanned). */
  private readonly pending: Token[] = [];
  private out = '';
  private counter = 0;
  private expansionCount = 0;
  private mainPath = '';
  private readonly searchList: { dir: string; system: boolean }[];

  constructor(private readonly options: PreprocessorOptions, fileSystem: PreprocessorFileSystem) {
    // Every read of the preamble is recorded, so that a cached preamble is used only while each answers the same.
    this.files = options.preambles ? {
      readFile: (filePath) => {
        const text = fileSystem.readFile(filePath);
        this.capture?.reads.set(filePath, text);
        return text;
      },
    } : fileSystem;
    const s = options.search;
    this.searchList = [
      ...s.angled.map((dir) => ({ dir, system: false })),
      ...s.system.map((dir) => ({ dir, system: true })),
      ...s.builtinSystem.map((dir) => ({ dir, system: true })),
      ...s.after.map((dir) => ({ dir, system: true })),
    ];
    for (const name of ['__LINE__', '__FILE__', '__COUNTER__', '__INCLUDE_LEVEL__', '__BASE_FILE__', '_Pragma']) {
      const builtin = ({ __LINE__: 'line', __FILE__: 'file', __COUNTER__: 'counter', __INCLUDE_LEVEL__: 'include-level', __BASE_FILE__: 'base-file', _Pragma: 'pragma' } as const)[name as '__LINE__'];
      this.macros.set(name, { name, params: undefined, variadic: false, body: [], file: '<built-in>', builtin });
    }
  }

  run(mainPath: string, mainText: string): PreprocessResult {
    this.mainPath = mainPath;
    const cache = this.options.preambles;
    // The main file is lexed outside the shared cache: its text changes with every edit, and each
    // version kept there would stay until the cache is cleared (thousands of versions of a file).
    const mainLexed = lexFile(mainText);
    const preamble = cache ? this.preambleOf(mainPath, mainText, mainLexed) : undefined;
    if (cache && preamble) {
      const snapshot = cache.find(preamble.slot, preamble.preambleText, this.files);
      if (snapshot) {
        cache.hits++;
        return this.resume(snapshot, mainPath, mainText, mainLexed);
      }
      cache.misses++;
      this.capture = { ...preamble, reads: new Map() };
    }
    this.runText('<built-in>', this.options.predefines);
    const commandLine = this.options.commandLine.map((c) => ('define' in c ? `#define ${c.define} ${c.value}` : `#undef ${c.undefine}`)).join('\n');
    this.runText('<command line>', commandLine);
    this.included.push(mainPath);
    // -include files behave as if included from the main file's first line, searched from its folder.
    this.pushFile(mainPath, mainText, -1, mainLexed);
    const mainFrame = this.stack[this.stack.length - 1]!;
    if (this.capture) this.capture.frame = mainFrame;
    for (const forced of [...this.options.forcedIncludes].reverse()) {
      const found = this.findInclude(forced, false, mainFrame, false);
      if (found) {
        this.included.push(found.path);
        this.pushFile(found.path, found.text, found.searchIndex);
      } else {
        this.diagnostics.push({ kind: 'missing-include', message: `cannot find the -include file '${forced}'`, file: mainPath, offset: 0, end: 0 });
      }
    }
    this.emitAll();
    this.capture = undefined;
    return this.finish();
  }

  private finish(): PreprocessResult {
    this.map.output = this.out;
    return { text: this.out, map: this.map, macros: this.macros, diagnostics: this.diagnostics, includedFiles: this.included };
  }

  /**
   * Where the main file's preamble ends: before its first token that is not on a directive line.
   * None when the file starts with code or is only directives (nothing to resume after).
   */
  private preambleOf(mainPath: string, mainText: string, lexed: LexedFile): { slot: string; preambleText: string; boundaryIndex: number } | undefined {
    const tokens = lexed.tokens;
    let i = 0;
    while (i < tokens.length && tokens[i]!.lineStart && tokens[i]!.text === '#' && tokens[i]!.kind === 'punctuator') {
      i++;
      while (i < tokens.length && !tokens[i]!.lineStart) i++;
    }
    if (i === 0 || i >= tokens.length) return undefined;
    const { preambles: _cache, lexCache: _lexCache, modelledHeader: _m, hasBuiltin: _b, hasAttribute: _a, ...options } = this.options;
    // The main file's include guard comes from its whole text and changes how a re-include of it behaves.
    const slot = JSON.stringify([options, mainPath, lexed.guard ?? null]);
    return { slot, preambleText: mainText.slice(0, tokens[i - 1]!.end), boundaryIndex: i };
  }

  /** Records the state at the end of the preamble (the emitter is between tokens, nothing pending). */
  private takeSnapshot(frame: FileFrame): void {
    const capture = this.capture!;
    this.capture = undefined;
    this.options.preambles!.store({
      slot: capture.slot, preambleText: capture.preambleText, boundaryIndex: capture.boundaryIndex, reads: capture.reads,
      macros: new Map(this.macros), guards: new Map(this.guards), pragmaOnce: new Set(this.pragmaOnce), included: [...this.included],
      diagnostics: [...this.diagnostics], map: this.map.copy(), out: this.out, counter: this.counter, expansionCount: this.expansionCount,
      mainFileId: frame.fileId, conditionals: frame.conditionals.map((c) => ({ ...c })), previous: this.previous, forceLine: this.forceLine,
    });
  }

  /** Continues a run from a preamble's snapshot: the main file from its first line of code. */
  private resume(snapshot: PreambleSnapshot, mainPath: string, mainText: string, lexed: LexedFile): PreprocessResult {
    this.macros = new Map(snapshot.macros);
    this.guards = new Map(snapshot.guards);
    this.pragmaOnce = new Set(snapshot.pragmaOnce);
    this.included = [...snapshot.included];
    this.diagnostics = [...snapshot.diagnostics];
    this.map = snapshot.map.copy();
    this.map.fileTexts[snapshot.mainFileId] = mainText;
    this.out = snapshot.out;
    this.counter = snapshot.counter;
    this.expansionCount = snapshot.expansionCount;
    this.previous = snapshot.previous;
    this.forceLine = snapshot.forceLine;
    this.stack.push({
      path: mainPath, fileId: snapshot.mainFileId, tokens: lexed.tokens, index: snapshot.boundaryIndex,
      conditionals: snapshot.conditionals.map((c) => ({ ...c })), searchIndex: -1, guard: lexed.guard,
    });
    this.emitAll();
    return this.finish();
  }

  expandStandalone(text: string, macros: Map<string, Macro>): string {
    for (const [name, macro] of macros) this.macros.set(name, macro);
    const fileId = this.map.fileId('<expression>', text);
    const tokens = lexFile(text).tokens.filter((t) => t.kind !== 'annotation')
      .map((p): Token => ({ kind: p.kind, text: p.text, loc: { file: fileId, start: p.start, end: p.end }, lineStart: false, spaceBefore: p.spaceBefore, hide: EMPTY_HIDE, expansion: 0 }));
    const expanded = this.expandList(tokens);
    let out = '';
    expanded.forEach((t, i) => {
      if (i > 0 && (t.spaceBefore || needsSpace(expanded[i - 1]!, t))) out += ' ';
      out += t.text;
    });
    return out;
  }

  /** Reads predefinitions and command-line macros: only their directives count. */
  private runText(name: string, text: string): void {
    this.pushFile(name, text, -1);
    const depth = this.stack.length;
    while (this.stack.length >= depth) {
      const t = this.nextFileToken();
      if (!t) break;
    }
  }

  private lex(text: string): LexedFile {
    const cache = this.options.lexCache;
    let lexed = cache?.get(text);
    if (!lexed) {
      lexed = lexFile(text);
      cache?.set(text, lexed);
    }
    return lexed;
  }

  private pushFile(filePath: string, text: string, searchIndex: number, lexed = this.lex(text)): void {
    const fileId = this.map.fileId(filePath, text);
    if (lexed.guard) this.guards.set(filePath, lexed.guard);
    this.stack.push({ path: filePath, fileId, tokens: lexed.tokens, index: 0, conditionals: [], searchIndex, guard: lexed.guard });
  }

  // ----- reading tokens -----

  /** The next token of the active text of the files, handling directives on the way. */
  private nextFileToken(): Token | undefined {
    for (;;) {
      const frame = this.stack[this.stack.length - 1];
      if (!frame) return undefined;
      if (frame.index >= frame.tokens.length) {
        if (frame.conditionals.length > 0) {
          this.diagnostics.push({ kind: 'bad-directive', message: `unterminated #if at the end of '${path.basename(frame.path)}'`, file: frame.path, offset: frame.tokens[frame.tokens.length - 1]?.end ?? 0, end: frame.tokens[frame.tokens.length - 1]?.end ?? 0 });
        }
        this.stack.pop();
        // A token after an include begins a new line in the including file.
        return { kind: 'other', text: '', loc: { file: frame.fileId, start: 0, end: 0 }, lineStart: true, spaceBefore: false, hide: EMPTY_HIDE, expansion: 0, placemarker: true };
      }
      if (this.capture && frame === this.capture.frame && frame.index === this.capture.boundaryIndex && this.topRead && this.pending.length === 0) this.takeSnapshot(frame);
      const t = frame.tokens[frame.index]!;
      if (t.lineStart && t.text === '#' && t.kind === 'punctuator') {
        const line = this.directiveLine(frame);
        this.directive(frame, line, t);
        continue;
      }
      frame.index++;
      if (!this.active(frame)) continue;
      return { kind: t.kind, text: t.text, loc: { file: frame.fileId, start: t.start, end: t.end }, lineStart: t.lineStart, spaceBefore: t.spaceBefore, hide: EMPTY_HIDE, expansion: 0, spelled: true };
    }
  }

  private active(frame: FileFrame): boolean {
    const top = frame.conditionals[frame.conditionals.length - 1];
    return !top || top.active;
  }

  /** The tokens of the directive line starting at frame.index (the '#'), advancing past it. */
  private directiveLine(frame: FileFrame): PpToken[] {
    const line: PpToken[] = [];
    frame.index++;
    while (frame.index < frame.tokens.length && !frame.tokens[frame.index]!.lineStart) {
      const t = frame.tokens[frame.index++]!;
      if (t.kind !== 'annotation') line.push(t);
    }
    return line;
  }

  private next(): Token | undefined {
    for (;;) {
      const t = this.pending.length > 0 ? this.pending.pop()! : this.nextFileToken();
      if (!t) return undefined;
      if (t.placemarker && t.text === '') {
        if (this.pending.length === 0 && !t.expansion) return t; // end-of-file marker
        continue;
      }
      return t;
    }
  }

  private pushBack(tokens: Token[]): void {
    for (let i = tokens.length - 1; i >= 0; i--) this.pending.push(tokens[i]!);
  }

  // ----- output -----

  private emitAll(): void {
    for (;;) {
      this.topRead = true;
      const t = this.next();
      this.topRead = false;
      if (!t) break;
      if (t.placemarker) {
        this.forceLine = true;
        continue;
      }
      if (t.kind === 'identifier' && !t.noExpand) {
        const expanded = this.tryExpand(t, () => this.next(), (back) => this.pushBack(back));
        if (expanded) {
          if (t.expansion === 0) {
            // An outermost expansion: its tokens map to the invocation (arguments keep their own spelling).
            const id = ++this.expansionCount;
            for (const e of expanded) e.expansion = id;
            this.map.expansionRanges[id] = { start: -1, end: -1 };
          }
          if (expanded.length > 0) {
            expanded[0] = { ...expanded[0]!, lineStart: t.lineStart, spaceBefore: t.spaceBefore };
          } else if (t.lineStart) {
            this.forceLine = true;
          }
          this.pushBack(expanded);
          continue;
        }
      }
      if (t.kind === 'annotation' && t.expansion !== 0) continue;
      let separator = '';
      if (this.previous === undefined) separator = '';
      else if (this.forceLine || t.lineStart || this.previous.kind === 'annotation' && this.previous.text.startsWith('//')) separator = '\n';
      else if (t.spaceBefore || needsSpace(this.previous, t)) separator = ' ';
      this.forceLine = false;
      this.out += separator;
      const start = this.out.length;
      this.out += t.text;
      this.map.outStart.push(start);
      this.map.outEnd.push(this.out.length);
      this.map.locs.push(t.loc);
      this.map.expansions.push(t.expansion);
      this.map.spelled.push(t.spelled === true);
      this.map.spaceBefore.push(t.spaceBefore);
      if (t.expansion) {
        const range = this.map.expansionRanges[t.expansion]!;
        if (range.start < 0) range.start = start;
        range.end = this.out.length;
      }
      this.previous = t;
    }
    this.out += '\n';
  }

  // ----- macro expansion -----

  /**
   * Expands the macro named by `t` if it is one and (for function-like macros) an argument list
   * follows. Returns the replacement tokens (not yet rescanned), or undefined when `t` is not an
   * invocation.
   */
  private tryExpand(t: Token, read: () => Token | undefined, unread: (tokens: Token[]) => void): Token[] | undefined {
    const macro = this.macros.get(t.text);
    if (!macro || t.hide?.has(t.text)) {
      if (macro) t.noExpand = true;
      return undefined;
    }
    if (macro.builtin) return this.expandBuiltin(macro, t, read, unread);
    if (!macro.params) {
      const hide = addHide(t.hide, t.text);
      return this.substitute(macro, [], hide, t);
    }
    // Function-like: the next token (across lines) must be '('.
    const skipped: Token[] = [];
    let open = read();
    while (open && (open.placemarker || open.kind === 'annotation')) {
      skipped.push(open);
      open = read();
    }
    if (!open || open.text !== '(' || open.kind !== 'punctuator') {
      unread([...skipped.filter((s) => s.kind === 'annotation'), ...(open ? [open] : [])]);
      return undefined;
    }
    const args = this.collectArguments(read, t);
    if (!args) return [];
    const { list, close } = args;
    const expected = macro.params.length;
    if (!macro.variadic && expected === 0 && list.length === 1 && list[0]!.length === 0) list.length = 0;
    if (macro.variadic ? list.length < expected : list.length !== expected) {
      this.reportAt(t, 'bad-macro-call', `macro '${macro.name}' takes ${expected}${macro.variadic ? ' or more' : ''} argument${expected === 1 ? '' : 's'}, ${list.length} given`);
      return [];
    }
    const hide = addHide(intersectHide(t.hide, close.hide), t.text);
    // The invocation's extent, for the tokens its body produces.
    const invocation: Token = close.loc.file === t.loc.file && close.loc.end >= t.loc.start && t.expansion === 0
      ? { ...t, loc: { file: t.loc.file, start: t.loc.start, end: close.loc.end } }
      : t;
    return this.substitute(macro, list, hide, invocation);
  }

  /** The arguments of a macro call after its '(' up to the matching ')'; undefined at the end of input. */
  private collectArguments(read: () => Token | undefined, name: Token): { list: Token[][]; close: Token } | undefined {
    const list: Token[][] = [[]];
    let depth = 0;
    for (;;) {
      const t = read();
      if (!t) {
        this.reportAt(name, 'bad-macro-call', `unterminated call of macro '${name.text}'`);
        return undefined;
      }
      if (t.placemarker && t.text === '') continue;
      if (t.kind === 'annotation') continue;
      if (t.kind === 'punctuator') {
        if (t.text === '(') depth++;
        else if (t.text === ')') {
          if (depth === 0) return { list, close: t };
          depth--;
        } else if (t.text === ',' && depth === 0) {
          list.push([]);
          continue;
        }
      }
      list[list.length - 1]!.push(t);
    }
  }

  /** Replaces the parameters in a macro body (C11 6.10.3.1-3), giving tokens with the hide set `hide`. */
  private substitute(macro: Macro, args: Token[][], hide: ReadonlySet<string>, invocation: Token): Token[] {
    const params = macro.params ?? [];
    const body = macro.body;
    const argumentOf = (name: string): Token[] | undefined => {
      if (macro.variadic && name === '__VA_ARGS__') return joinVariadic(args.slice(params.length));
      const index = params.indexOf(name);
      return index >= 0 ? args[index] ?? [] : undefined;
    };
    const expandedCache = new Map<string, Token[]>();
    const expandedArgument = (name: string): Token[] => {
      let cached = expandedCache.get(name);
      if (!cached) {
        cached = this.expandList(argumentOf(name)!);
        expandedCache.set(name, cached);
      }
      return cached;
    };
    const vaPresent = macro.variadic && args.length > params.length && args.slice(params.length).some((a) => a.length > 0);
    const out: Token[] = [];
    const fromBody = (b: Token): Token => ({ ...b, loc: invocation.loc, hide, expansion: invocation.expansion, spelled: false });
    for (let i = 0; i < body.length; i++) {
      const b = body[i]!;
      const nextIsPaste = body[i + 1]?.text === '##' && body[i + 1]!.kind === 'punctuator';
      const prevIsPaste = i > 0 && body[i - 1]!.text === '##' && body[i - 1]!.kind === 'punctuator';
      if (b.kind === 'punctuator' && b.text === '#' && macro.params && body[i + 1] && argumentOf(body[i + 1]!.text)) {
        out.push({ ...fromBody(b), kind: 'string', text: stringify(argumentOf(body[i + 1]!.text)!), spaceBefore: b.spaceBefore });
        i++;
        continue;
      }
      if (b.kind === 'punctuator' && b.text === '##') {
        // GNU: `, ## __VA_ARGS__` drops the comma when there are no variadic arguments.
        const nextToken = body[i + 1];
        if (nextToken && nextToken.text === '__VA_ARGS__' && macro.variadic && out[out.length - 1]?.text === ',') {
          if (!vaPresent) {
            out.pop();
            i++;
            continue;
          }
          // Otherwise the arguments follow the comma, fully expanded, without pasting.
          out.push(...expandedArgument('__VA_ARGS__').map((a) => ({ ...a, hide: unionHide(a.hide, hide) })));
          i++;
          continue;
        }
        if (!nextToken) continue;
        const right = argumentOf(nextToken.text);
        const rightTokens = right !== undefined ? right.map((r) => ({ ...r })) : [fromBody(nextToken)];
        i++;
        const left = out.pop();
        if (rightTokens.length === 0) {
          if (left) out.push(left);
          continue;
        }
        if (!left || left.placemarker) {
          out.push(...rightTokens.map((r) => ({ ...r, hide: unionHide(r.hide, hide) })));
          continue;
        }
        const pasted = this.paste(left, rightTokens[0]!, invocation, hide);
        out.push(...pasted, ...rightTokens.slice(1).map((r) => ({ ...r, hide: unionHide(r.hide, hide) })));
        continue;
      }
      if (b.kind === 'identifier' && b.text === '__VA_OPT__' && macro.variadic && body[i + 1]?.text === '(') {
        let depth = 0;
        let j = i + 1;
        const inner: Token[] = [];
        for (; j < body.length; j++) {
          const x = body[j]!;
          if (x.text === '(') { depth++; if (depth === 1) continue; }
          if (x.text === ')') { depth--; if (depth === 0) break; }
          inner.push(x);
        }
        if (vaPresent) {
          const sub: Macro = { ...macro, body: inner };
          out.push(...this.substitute(sub, args, hide, invocation));
        } else {
          out.push({ ...fromBody(b), text: '', placemarker: true });
        }
        i = j;
        continue;
      }
      const arg = b.kind === 'identifier' ? argumentOf(b.text) : undefined;
      if (arg !== undefined) {
        if (nextIsPaste) {
          // An operand of ##: the argument unexpanded (a placemarker when empty).
          out.push(...(arg.length > 0 ? arg.map((a, k) => ({ ...a, spaceBefore: k === 0 ? b.spaceBefore : a.spaceBefore })) : [{ ...fromBody(b), text: '', placemarker: true }]));
        } else {
          const expanded = expandedArgument(b.text);
          out.push(...expanded.map((a, k) => ({ ...a, hide: unionHide(a.hide, hide), spaceBefore: k === 0 ? b.spaceBefore : a.spaceBefore })));
        }
        continue;
      }
      if (prevIsPaste) continue;
      out.push(fromBody(b));
    }
    return out.filter((t) => !t.placemarker);
  }

  /** `##`: the two tokens' texts glued and lexed again; not one token gives the pieces, as gcc warns. */
  private paste(left: Token, right: Token, invocation: Token, hide: ReadonlySet<string>): Token[] {
    const text = left.text + right.text;
    const lexed = lexFile(text).tokens;
    if (lexed.length === 1) {
      return [{ ...left, kind: lexed[0]!.kind, text: lexed[0]!.text, hide: unionHide(left.hide, hide), noExpand: false, spelled: false, loc: left.expansion || left.loc.file !== invocation.loc.file ? left.loc : invocation.loc }];
    }
    return [left, right];
  }

  /** Fully expands a token list on its own (a macro argument): nothing after the list is read. */
  private expandList(tokens: Token[]): Token[] {
    const input = [...tokens].reverse();
    const output: Token[] = [];
    const read = (): Token | undefined => input.pop();
    const unread = (back: Token[]): void => { for (let i = back.length - 1; i >= 0; i--) input.push(back[i]!); };
    for (;;) {
      const t = read();
      if (!t) break;
      if (t.kind === 'identifier' && !t.noExpand) {
        const expanded = this.tryExpand(t, read, unread);
        if (expanded) {
          if (expanded.length > 0) expanded[0] = { ...expanded[0]!, spaceBefore: t.spaceBefore };
          unread(expanded);
          continue;
        }
      }
      output.push(t);
    }
    return output;
  }

  private expandBuiltin(macro: Macro, t: Token, read: () => Token | undefined, unread: (tokens: Token[]) => void): Token[] | undefined {
    const frame = this.stack[this.stack.length - 1];
    const make = (kind: Token['kind'], text: string): Token[] => [{ ...t, kind, text, hide: addHide(t.hide, t.text), spelled: false }];
    switch (macro.builtin) {
      case 'line': {
        const file = t.loc.file;
        return make('number', String(this.map.position(file, t.loc.start).line + 1));
      }
      case 'file': return make('string', JSON.stringify(this.map.files[t.loc.file] ?? frame?.path ?? ''));
      case 'base-file': return make('string', JSON.stringify(this.mainPath));
      case 'counter': return make('number', String(this.counter++));
      case 'include-level': return make('number', String(Math.max(0, this.stack.length - 1)));
      case 'pragma': {
        // _Pragma("...") is a directive for the compiler: it produces no tokens.
        const open = read();
        if (!open || open.text !== '(') {
          unread(open ? [open] : []);
          return undefined;
        }
        this.collectArguments(read, t);
        return [];
      }
      default: return undefined;
    }
  }

  // ----- directives -----

  private directive(frame: FileFrame, line: PpToken[], hash: PpToken): void {
    const name = line[0]?.text ?? '';
    const isActive = this.active(frame);
    const rest = line.slice(1);
    switch (name) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        if (!isActive) {
          frame.conditionals.push({ active: false, taken: true, parentActive: false, sawElse: false });
          return;
        }
        const value = name === 'if' ? this.evaluate(frame, rest, line[0]!) : this.isDefined(rest[0]?.text ?? '') === (name === 'ifdef');
        frame.conditionals.push({ active: value, taken: value, parentActive: true, sawElse: false });
        return;
      }
      case 'elif':
      case 'elifdef':
      case 'elifndef': {
        const top = frame.conditionals[frame.conditionals.length - 1];
        if (!top) return this.report(frame, line[0]!, 'bad-directive', `#${name} without #if`);
        if (!top.parentActive || top.taken) {
          top.active = false;
          return;
        }
        const value = name === 'elif' ? this.evaluate(frame, rest, line[0]!) : this.isDefined(rest[0]?.text ?? '') === (name === 'elifdef');
        top.active = value;
        top.taken = value;
        return;
      }
      case 'else': {
        const top = frame.conditionals[frame.conditionals.length - 1];
        if (!top) return this.report(frame, line[0]!, 'bad-directive', '#else without #if');
        top.active = top.parentActive && !top.taken;
        top.taken = true;
        top.sawElse = true;
        return;
      }
      case 'endif': {
        if (!frame.conditionals.pop()) this.report(frame, line[0]!, 'bad-directive', '#endif without #if');
        return;
      }
      default:
        break;
    }
    if (!isActive) return;
    switch (name) {
      case '': return; // the null directive
      case 'define': return this.define(frame, rest);
      case 'undef': {
        if (rest[0]) this.macros.delete(rest[0].text);
        return;
      }
      case 'include':
      case 'include_next':
      case 'import':
        return this.include(frame, rest, name === 'include_next', hash);
      case 'error':
        return this.report(frame, hash, 'error-directive', `#error ${line.length > 1 ? this.sourceText(frame, rest) : ''}`.trim());
      case 'pragma':
        if (rest[0]?.text === 'once') this.pragmaOnce.add(frame.path);
        return;
      case 'line':
      case 'warning':
      case 'ident':
      case 'sccs':
      case 'assert':
      case 'unassert':
        // #line changes only what __LINE__ and gcc's messages say; this map keeps real positions.
        return;
      default:
        if (/^[0-9]/.test(name)) return; // `# 33 "file"` line markers of preprocessed input
        return this.report(frame, line[0]!, 'bad-directive', `unknown directive '#${name}'`);
    }
  }

  private sourceText(frame: FileFrame, tokens: PpToken[]): string {
    const text = this.map.fileTexts[frame.fileId]!;
    return text.slice(tokens[0]!.start, tokens[tokens.length - 1]!.end).replace(/\\\r?\n/g, '').replace(/\s+/g, ' ');
  }

  private define(frame: FileFrame, rest: PpToken[]): void {
    const nameToken = rest[0];
    if (!nameToken || nameToken.kind !== 'identifier') {
      if (nameToken) this.report(frame, nameToken, 'bad-directive', `'#define ${nameToken.text}': a macro name must be an identifier`);
      return;
    }
    const toToken = (p: PpToken): Token => ({ kind: p.kind, text: p.text, loc: { file: frame.fileId, start: p.start, end: p.end }, lineStart: false, spaceBefore: p.spaceBefore, hide: EMPTY_HIDE, expansion: 0 });
    let params: string[] | undefined;
    let variadic = false;
    let bodyStart = 1;
    // Function-like only when '(' follows the name with no space.
    if (rest[1]?.text === '(' && !rest[1].spaceBefore) {
      params = [];
      let j = 2;
      for (; j < rest.length; j++) {
        const p = rest[j]!;
        if (p.text === ')') break;
        if (p.text === ',') continue;
        if (p.text === '...') {
          variadic = true;
          continue;
        }
        if (p.kind === 'identifier') {
          // GNU named variadic parameter: `args...`.
          if (rest[j + 1]?.text === '...') {
            variadic = true;
            params.push(p.text);
            j++;
            continue;
          }
          params.push(p.text);
        }
      }
      bodyStart = j + 1;
      // A GNU named variadic parameter stands for __VA_ARGS__.
      if (variadic && rest.slice(2, j).some((p, k, all) => p.kind === 'identifier' && all[k + 1]?.text === '...')) {
        const named = params.pop()!;
        const body = rest.slice(bodyStart).map(toToken).map((b) => (b.text === named ? { ...b, text: '__VA_ARGS__' } : b));
        this.setMacro({ name: nameToken.text, params, variadic, body, file: frame.path });
        return;
      }
    }
    const body = rest.slice(bodyStart).map(toToken);
    if (body[0]) body[0] = { ...body[0], spaceBefore: false };
    this.setMacro({ name: nameToken.text, params, variadic, body, file: frame.path });
  }

  private setMacro(macro: Macro): void {
    this.macros.set(macro.name, macro);
  }

  private isDefined(name: string): boolean {
    return this.macros.has(name);
  }

  private include(frame: FileFrame, rest: PpToken[], next: boolean, at: PpToken): void {
    let spec: string;
    let angled: boolean;
    const first = rest[0];
    if (first?.kind === 'string') {
      spec = first.text.slice(1, -1);
      angled = false;
    } else if (first?.text === '<') {
      const end = rest.findIndex((t) => t.text === '>');
      if (end < 0) return this.report(frame, at, 'bad-directive', 'missing \'>\' in #include');
      spec = this.map.fileTexts[frame.fileId]!.slice(first.end, rest[end]!.start);
      angled = true;
    } else if (first) {
      // A computed include: the macro-expanded tokens must form "..." or <...>.
      const tokens = this.expandList(rest.map((p) => ({ kind: p.kind, text: p.text, loc: { file: frame.fileId, start: p.start, end: p.end }, lineStart: false, spaceBefore: p.spaceBefore, hide: EMPTY_HIDE, expansion: 0 })));
      const text = joinTokens(tokens);
      if (/^".*"$/.test(text)) { spec = text.slice(1, -1); angled = false; }
      else if (/^<.*>$/.test(text)) { spec = text.slice(1, -1).replace(/\s+/g, ''); angled = true; }
      else return this.report(frame, at, 'bad-directive', `#include expects "FILE" or <FILE>, got '${text}'`);
    } else {
      return this.report(frame, at, 'bad-directive', '#include without a file name');
    }
    const found = this.findInclude(spec, angled, frame, next);
    if (!found) {
      this.diagnostics.push({
        kind: 'missing-include',
        message: `cannot find include file ${angled ? `<${spec}>` : `"${spec}"`}; declarations from it will be unknown. Add its folder with -I or the includePaths setting.`,
        file: frame.path, offset: at.start, end: rest[rest.length - 1]?.end ?? at.end,
      });
      return;
    }
    if (this.pragmaOnce.has(found.path)) return;
    const guard = this.guards.get(found.path);
    if (guard && this.macros.has(guard)) return;
    if (this.stack.length > 200) return this.report(frame, at, 'bad-directive', `#include nested too deeply (${spec})`);
    if (!this.included.includes(found.path)) this.included.push(found.path);
    this.pushFile(found.path, found.text, found.searchIndex);
  }

  /** gcc's search: the including file's folder (for "..."), -iquote, -I, -isystem, the system folders, -idirafter. */
  findInclude(spec: string, angled: boolean, from: FileFrame, next: boolean): { path: string; text: string; searchIndex: number } | undefined {
    const read = (candidate: string, searchIndex: number) => {
      const text = this.files.readFile(candidate);
      return text === undefined ? undefined : { path: candidate, text, searchIndex };
    };
    if (path.isAbsolute(spec)) return read(spec, -1);
    let startIndex = 0;
    if (next && from.searchIndex >= 0) startIndex = from.searchIndex + 1;
    else if (!angled && !next) {
      if (path.isAbsolute(from.path) || from.path.includes('/')) {
        const found = read(path.resolve(path.dirname(from.path), spec), -1);
        if (found) return found;
      }
      for (const dir of this.options.search.quote) {
        const found = read(path.resolve(dir, spec), -1);
        if (found) return found;
      }
    }
    const modelled = this.options.modelledHeader?.(spec);
    const builtinStart = this.options.search.angled.length + this.options.search.system.length;
    for (let i = startIndex; i < this.searchList.length; i++) {
      if (modelled && this.options.modelsFirst && i === builtinStart) return { ...modelled, searchIndex: i };
      const found = read(path.resolve(this.searchList[i]!.dir, spec), i);
      if (found) return found;
    }
    return modelled ? { ...modelled, searchIndex: this.searchList.length } : undefined;
  }

  // ----- #if -----

  private evaluate(frame: FileFrame, tokens: PpToken[], at: PpToken): boolean {
    const toToken = (p: PpToken): Token => ({ kind: p.kind, text: p.text, loc: { file: frame.fileId, start: p.start, end: p.end }, lineStart: false, spaceBefore: p.spaceBefore, hide: EMPTY_HIDE, expansion: 0 });
    // `defined` and `__has_include` apply to the unexpanded tokens.
    const prepared: Token[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.kind === 'identifier' && t.text === 'defined') {
        let name: string | undefined;
        if (tokens[i + 1]?.text === '(') { name = tokens[i + 2]?.text; i += 3; } else { name = tokens[i + 1]?.text; i += 1; }
        prepared.push({ ...toToken(t), kind: 'number', text: name !== undefined && this.isDefined(name) ? '1' : '0' });
        continue;
      }
      if (t.kind === 'identifier' && (t.text === '__has_include' || t.text === '__has_include_next')) {
        let j = i + 1;
        if (tokens[j]?.text === '(') j++;
        let spec = '';
        let angled = false;
        const arg = tokens[j];
        if (arg?.kind === 'string') { spec = arg.text.slice(1, -1); j++; } else if (arg?.text === '<') {
          const end = tokens.findIndex((x, k) => k > j && x.text === '>');
          spec = this.map.fileTexts[frame.fileId]!.slice(arg.end, tokens[end]?.start ?? arg.end);
          angled = true;
          j = end + 1;
        }
        if (tokens[j]?.text === ')') j++;
        const found = spec ? this.findInclude(spec, angled, frame, t.text === '__has_include_next') : undefined;
        prepared.push({ ...toToken(t), kind: 'number', text: found ? '1' : '0' });
        i = j - 1;
        continue;
      }
      prepared.push(toToken(t));
    }
    const expanded = this.expandList(prepared);
    const values: Token[] = [];
    for (let i = 0; i < expanded.length; i++) {
      const t = expanded[i]!;
      if (t.kind === 'identifier') {
        if (t.text === 'defined') {
          let name: string | undefined;
          if (expanded[i + 1]?.text === '(') { name = expanded[i + 2]?.text; i += 3; } else { name = expanded[i + 1]?.text; i += 1; }
          values.push({ ...t, kind: 'number', text: name !== undefined && this.isDefined(name) ? '1' : '0' });
          continue;
        }
        const query = { __has_builtin: this.options.hasBuiltin, __has_attribute: this.options.hasAttribute, __has_cpp_attribute: () => false, __has_feature: () => false, __has_extension: () => false, __has_c_attribute: () => false, __has_warning: () => false }[t.text];
        if (query !== undefined || t.text.startsWith('__has_')) {
          let j = i + 1;
          let name = '';
          if (expanded[j]?.text === '(') {
            let depth = 0;
            for (; j < expanded.length; j++) {
              const x = expanded[j]!;
              if (x.text === '(') depth++;
              else if (x.text === ')') { depth--; if (depth === 0) break; } else name += x.text;
            }
          }
          const normalised = name.replace(/^__(.*)__$/, '$1');
          values.push({ ...t, kind: 'number', text: query?.(normalised) || query?.(name) ? '1' : '0' });
          i = j;
          continue;
        }
        values.push({ ...t, kind: 'number', text: '0' }); // identifiers left after expansion are 0 (C11 6.10.1p4)
        continue;
      }
      values.push(t);
    }
    try {
      const parser = new ConditionParser(values);
      const value = parser.parse();
      return value.value !== 0n;
    } catch (error) {
      this.report(frame, at, 'bad-directive', `cannot evaluate '#if ${this.sourceText(frame, tokens.length > 0 ? tokens : [at])}': ${(error as Error).message}`);
      return false;
    }
  }

  private report(frame: FileFrame, at: PpToken, kind: PreprocessorDiagnostic['kind'], message: string): void {
    this.diagnostics.push({ kind, message, file: frame.path, offset: at.start, end: at.end });
  }

  private reportAt(t: Token, kind: PreprocessorDiagnostic['kind'], message: string): void {
    this.diagnostics.push({ kind, message, file: this.map.files[t.loc.file] ?? this.mainPath, offset: t.loc.start, end: t.loc.end });
  }
}

function addHide(hide: ReadonlySet<string> | undefined, name: string): ReadonlySet<string> {
  if (hide?.has(name)) return hide;
  const next = new Set(hide ?? []);
  next.add(name);
  return next;
}

function intersectHide(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): ReadonlySet<string> {
  if (!a || !b || a.size === 0 || b.size === 0) return EMPTY_HIDE;
  const out = new Set<string>();
  for (const x of a) if (b.has(x)) out.add(x);
  return out;
}

function unionHide(a: ReadonlySet<string> | undefined, b: ReadonlySet<string>): ReadonlySet<string> {
  if (!a || a.size === 0) return b;
  if (b.size === 0) return a;
  let all = true;
  for (const x of b) if (!a.has(x)) { all = false; break; }
  if (all) return a;
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}

function joinVariadic(args: Token[][]): Token[] {
  const out: Token[] = [];
  args.forEach((a, i) => {
    if (i > 0) out.push({ kind: 'punctuator', text: ',', loc: a[0]?.loc ?? out[out.length - 1]?.loc ?? { file: 0, start: 0, end: 0 }, lineStart: false, spaceBefore: false, hide: EMPTY_HIDE, expansion: a[0]?.expansion ?? 0 });
    out.push(...a);
  });
  return out;
}

/** `#x`: the argument's spelling as a string literal, with its whitespace collapsed (C11 6.10.3.2). */
function stringify(tokens: Token[]): string {
  let text = '';
  tokens.forEach((t, i) => {
    if (i > 0 && t.spaceBefore) text += ' ';
    text += t.kind === 'string' || t.kind === 'char' ? t.text.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : t.text;
  });
  return `"${text}"`;
}

function needsSpace(previous: Token, t: Token): boolean {
  // Tokens that were apart must not join into one when printed next to each other.
  const a = previous.text[previous.text.length - 1] ?? '';
  const b = t.text[0] ?? '';
  const word = /[A-Za-z0-9_$.]/;
  if (word.test(a) && word.test(b)) return true;
  if (previous.kind === 'punctuator' && t.kind === 'punctuator') return true;
  if ((a === '+' || a === '-') && (b === '+' || b === '-')) return true;
  if (a === '/' && (b === '/' || b === '*')) return true;
  return false;
}

// ----- #if expressions -----

interface PpValue { value: bigint; unsigned: boolean }

/** Evaluates a `#if` expression in intmax_t/uintmax_t (64 bits), as C11 6.10.1 says. */
class ConditionParser {
  private i = 0;
  /** Inside an operand that is not evaluated (after `0 &&`, `1 ||`, the untaken side of `?:`): no division errors. */
  private unevaluated = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): PpValue {
    if (this.tokens.length === 0) throw new Error('empty expression');
    const v = this.conditional();
    if (this.i < this.tokens.length) throw new Error(`unexpected '${this.tokens[this.i]!.text}'`);
    return v;
  }

  private peek(): string | undefined {
    return this.tokens[this.i]?.text;
  }

  private conditional(): PpValue {
    const c = this.binary(0);
    if (this.peek() !== '?') return c;
    this.i++;
    if (c.value === 0n) this.unevaluated++;
    const t = this.conditional();
    if (c.value === 0n) this.unevaluated--;
    if (this.peek() !== ':') throw new Error("missing ':'");
    this.i++;
    if (c.value !== 0n) this.unevaluated++;
    const f = this.conditional();
    if (c.value !== 0n) this.unevaluated--;
    const unsigned = t.unsigned || f.unsigned;
    return c.value !== 0n ? norm(t.value, unsigned) : norm(f.value, unsigned);
  }

  private static readonly PRECEDENCE: Record<string, number> = {
    '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
  };

  private binary(minPrecedence: number): PpValue {
    let left = this.unary();
    for (;;) {
      const op = this.peek();
      const precedence = op !== undefined ? ConditionParser.PRECEDENCE[op] : undefined;
      if (precedence === undefined || precedence <= minPrecedence - 1 || precedence < minPrecedence) return left;
      this.i++;
      const skips = (op === '&&' && left.value === 0n) || (op === '||' && left.value !== 0n);
      if (skips) this.unevaluated++;
      const right = this.binary(precedence + 1);
      if (skips) this.unevaluated--;
      left = (op === '/' || op === '%') && right.value === 0n && this.unevaluated > 0 ? { value: 0n, unsigned: false } : apply(op!, left, right);
    }
  }

  private unary(): PpValue {
    const t = this.tokens[this.i];
    if (!t) throw new Error('unexpected end of expression');
    if (t.kind === 'punctuator') {
      if (t.text === '(') {
        this.i++;
        const v = this.conditional();
        if (this.peek() !== ')') throw new Error("missing ')'");
        this.i++;
        return v;
      }
      if (t.text === '!' || t.text === '-' || t.text === '+' || t.text === '~') {
        this.i++;
        const v = this.unary();
        if (t.text === '!') return { value: v.value === 0n ? 1n : 0n, unsigned: false };
        if (t.text === '-') return { value: norm(-v.value, v.unsigned).value, unsigned: v.unsigned };
        if (t.text === '~') return norm(~v.value, v.unsigned);
        return v;
      }
    }
    this.i++;
    if (t.kind === 'number') return parsePpNumber(t.text);
    if (t.kind === 'char') {
      const body = t.text.replace(/^[LuU8]*'/, '').replace(/'$/, '');
      const c = body.startsWith('\\') ? ({ n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 } as Record<string, number>)[body[1]!] ?? (body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 8) || 0) : body.charCodeAt(0);
      return { value: BigInt(c), unsigned: false };
    }
    throw new Error(`unexpected '${t.text}'`);
  }
}

function norm(value: bigint, unsigned: boolean): PpValue {
  return { value: unsigned ? BigInt.asUintN(64, value) : BigInt.asIntN(64, value), unsigned };
}

function apply(op: string, l: PpValue, r: PpValue): PpValue {
  const unsigned = l.unsigned || r.unsigned;
  const a = norm(l.value, unsigned).value;
  const b = norm(r.value, unsigned).value;
  const bool = (x: boolean): PpValue => ({ value: x ? 1n : 0n, unsigned: false });
  switch (op) {
    case '||': return bool(a !== 0n || b !== 0n);
    case '&&': return bool(a !== 0n && b !== 0n);
    case '|': return norm(a | b, unsigned);
    case '^': return norm(a ^ b, unsigned);
    case '&': return norm(a & b, unsigned);
    case '==': return bool(a === b);
    case '!=': return bool(a !== b);
    case '<': return bool(a < b);
    case '>': return bool(a > b);
    case '<=': return bool(a <= b);
    case '>=': return bool(a >= b);
    case '<<': return norm(a << (b & 63n), l.unsigned);
    case '>>': return norm(norm(l.value, l.unsigned).value >> (b & 63n), l.unsigned);
    case '+': return norm(a + b, unsigned);
    case '-': return norm(a - b, unsigned);
    case '*': return norm(a * b, unsigned);
    case '/': if (b === 0n) throw new Error('division by zero'); return norm(a / b, unsigned);
    case '%': if (b === 0n) throw new Error('division by zero'); return norm(a % b, unsigned);
    default: throw new Error(`unexpected '${op}'`);
  }
}

function parsePpNumber(text: string): PpValue {
  const match = /^(0[xX][0-9a-fA-F']+|0[bB][01']+|0[0-7']*|[1-9][0-9']*)([uUlL]*)$/.exec(text);
  if (!match) throw new Error(`'${text}' is not an integer`);
  const digits = match[1]!.replace(/'/g, '');
  const value = /^0[0-7]+$/.test(digits) ? BigInt('0o' + digits.slice(1)) : BigInt(digits);
  const unsigned = /u/i.test(match[2]!) || value > 0x7fffffffffffffffn;
  return norm(value, unsigned);
}
