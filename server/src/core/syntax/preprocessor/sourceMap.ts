// The source map of a preprocessed text: for each output token, the file offsets where the user sees it
// and the macro expansion it came out of; line and column lookup in the source files.
import type { Location } from './types';

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
