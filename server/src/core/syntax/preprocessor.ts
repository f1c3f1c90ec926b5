// The C preprocessor (C11 6.10 plus gcc's extensions) at the token level: expands a translation unit into one text and its source map.
//
// Macro expansion follows Prosser's algorithm with hide sets (the one behind C's "no recursion"
// rule), so rescanning, `#`, `##`, variadic macros (`, ## __VA_ARGS__`, `__VA_OPT__`) and macros
// taking types or any tokens as arguments behave as in gcc. Inactive branches are skipped at the
// token level and never reach the parser. Every output token records where the user sees it
// (`SourceMap`): its spelling for ordinary tokens and macro arguments, the invocation for the
// tokens a macro body produced.
//
// This module is the entry and the driver (reading the files, the preamble cache, the output); the
// layers it builds on are in ./preprocessor/: state, macro expansion, directives, `#if` expressions,
// include resolution, the source map and the preamble cache.
import * as path from 'path';
import { LexedFile, PpToken, lexFile } from './lexer';
import { DirectiveProcessor } from './preprocessor/directives';
import type { PreambleSnapshot } from './preprocessor/preambleCache';
import { EMPTY_HIDE, FileFrame, Macro, PreprocessResult, PreprocessorFileSystem, PreprocessorOptions, Token, joinTokens } from './preprocessor/types';

export type { IncludeSearch, Location, Macro, PreprocessResult, PreprocessorDiagnostic, PreprocessorFileSystem, PreprocessorOptions } from './preprocessor/types';
export { PreambleCache } from './preprocessor/preambleCache';
export { SourceMap } from './preprocessor/sourceMap';

/** Expands `text` (an annotation's expression) with the macros a translation unit ended with. */
export function expandText(text: string, macros: Map<string, Macro>): string {
  const pp = new Preprocessor({ search: { quote: [], angled: [], system: [], builtinSystem: [], after: [] }, predefines: '', commandLine: [], forcedIncludes: [] }, { readFile: () => undefined });
  return pp.expandStandalone(text, macros);
}

/** Renders a macro's replacement list as text. */
export function macroBodyText(macro: Macro): string {
  return joinTokens(macro.body);
}

/** Runs the preprocessor over one main file. */
export function preprocess(mainPath: string, mainText: string, options: PreprocessorOptions, fileSystem: PreprocessorFileSystem): PreprocessResult {
  return new Preprocessor(options, fileSystem).run(mainPath, mainText);
}

class Preprocessor extends DirectiveProcessor {
  /** The last token emitted, and whether the next one starts a line (the emitter's state). */
  private previous: Token | undefined;
  private forceLine = false;
  /** The emitter is reading its next token (no expansion is in progress). */
  private topRead = false;
  /** Tokens pushed back in front of the input (macro expansions being rescanned). */
  private readonly pending: Token[] = [];
  private out = '';
  private expansionCount = 0;

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
      const found = this.includes.find(forced, false, mainFrame, false);
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
