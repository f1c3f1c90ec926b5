// Include resolution: where `#include`, `#include_next`, `__has_include` and `-include` find a file,
// searching the folders as gcc does, with the engine's modelled headers as the last resort.
import * as path from 'path';
import type { FileFrame, PreprocessorFileSystem, PreprocessorOptions } from './types';

export class IncludeResolver {
  private readonly searchList: { dir: string; system: boolean }[];

  constructor(private readonly options: PreprocessorOptions, private readonly files: PreprocessorFileSystem) {
    const s = options.search;
    this.searchList = [
      ...s.angled.map((dir) => ({ dir, system: false })),
      ...s.system.map((dir) => ({ dir, system: true })),
      ...s.builtinSystem.map((dir) => ({ dir, system: true })),
      ...s.after.map((dir) => ({ dir, system: true })),
    ];
  }

  /** gcc's search: the including file's folder (for "..."), -iquote, -I, -isystem, the system folders, -idirafter. */
  find(spec: string, angled: boolean, from: FileFrame, next: boolean): { path: string; text: string; searchIndex: number } | undefined {
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
}
