// The state of one preprocessor run (macros, source map, file stack, diagnostics) and the helpers every
// layer uses. The layers build on it: macro expansion, then directives, then the driver (../preprocessor.ts).
import { LexedFile, PpToken, lexFile } from '../lexer';
import { IncludeResolver } from './includes';
import { SourceMap } from './sourceMap';
import type { FileFrame, Macro, PreprocessorDiagnostic, PreprocessorFileSystem, PreprocessorOptions, Token } from './types';

export class PreprocessorState {
  protected macros = new Map<string, Macro>();
  protected map = new SourceMap();
  protected diagnostics: PreprocessorDiagnostic[] = [];
  protected readonly stack: FileFrame[] = [];
  protected pragmaOnce = new Set<string>();
  /** Guard macro of each file that has one, so a second include of it is skipped without reading it. */
  protected guards = new Map<string, string>();
  protected included: string[] = [];
  /** While the preamble of the main file is being read: where it ends, and the reads it made. */
  protected capture: { slot: string; preambleText: string; boundaryIndex: number; frame?: FileFrame; reads: Map<string, string | undefined> } | undefined;
  protected readonly files: PreprocessorFileSystem;
  protected counter = 0;
  protected mainPath = '';
  /** gcc's include search over the options' folders. */
  protected readonly includes: IncludeResolver;

  constructor(protected readonly options: PreprocessorOptions, fileSystem: PreprocessorFileSystem) {
    // Every read of the preamble is recorded, so that a cached preamble is used only while each answers the same.
    this.files = options.preambles ? {
      readFile: (filePath) => {
        const text = fileSystem.readFile(filePath);
        this.capture?.reads.set(filePath, text);
        return text;
      },
    } : fileSystem;
    this.includes = new IncludeResolver(options, this.files);
    for (const name of ['__LINE__', '__FILE__', '__COUNTER__', '__INCLUDE_LEVEL__', '__BASE_FILE__', '_Pragma']) {
      const builtin = ({ __LINE__: 'line', __FILE__: 'file', __COUNTER__: 'counter', __INCLUDE_LEVEL__: 'include-level', __BASE_FILE__: 'base-file', _Pragma: 'pragma' } as const)[name as '__LINE__'];
      this.macros.set(name, { name, params: undefined, variadic: false, body: [], file: '<built-in>', builtin });
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

  protected pushFile(filePath: string, text: string, searchIndex: number, lexed = this.lex(text)): void {
    const fileId = this.map.fileId(filePath, text);
    if (lexed.guard) this.guards.set(filePath, lexed.guard);
    this.stack.push({ path: filePath, fileId, tokens: lexed.tokens, index: 0, conditionals: [], searchIndex, guard: lexed.guard });
  }

  protected active(frame: FileFrame): boolean {
    const top = frame.conditionals[frame.conditionals.length - 1];
    return !top || top.active;
  }

  protected report(frame: FileFrame, at: PpToken, kind: PreprocessorDiagnostic['kind'], message: string): void {
    this.diagnostics.push({ kind, message, file: frame.path, offset: at.start, end: at.end });
  }

  protected reportAt(t: Token, kind: PreprocessorDiagnostic['kind'], message: string): void {
    this.diagnostics.push({ kind, message, file: this.map.files[t.loc.file] ?? this.mainPath, offset: t.loc.start, end: t.loc.end });
  }
}
