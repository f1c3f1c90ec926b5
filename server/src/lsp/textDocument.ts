// An open editor buffer: its text, version and conversions between LSP positions (UTF-16 or UTF-8) and string offsets.
//
// The engine reports positions as offsets into the JavaScript string (UTF-16 code units), so the
// server keeps text as a string and converts LSP positions in whichever encoding was negotiated.

export type PositionEncoding = 'utf-16' | 'utf-8';

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export interface ContentChange { range?: Range; text: string }

/** One applied change, in string offsets and 0-based rows/UTF-16 columns (what tree-sitter's edit API takes). */
export interface AppliedEdit {
  startIndex: number; oldEndIndex: number; newEndIndex: number;
  startPosition: { row: number; column: number }; oldEndPosition: { row: number; column: number }; newEndPosition: { row: number; column: number };
}

export class EditorDocument {
  private lineStarts: number[] | undefined;

  constructor(readonly uri: string, readonly path: string, public version: number, private content: string, readonly encoding: PositionEncoding) {}

  get text(): string {
    return this.content;
  }

  /** Applies LSP content changes in order; a change without a range replaces the whole text. */
  applyChanges(changes: ContentChange[], version: number): AppliedEdit[] {
    const edits: AppliedEdit[] = [];
    for (const change of changes) {
      const start = change.range ? this.offsetAt(change.range.start) : 0;
      const end = change.range ? Math.max(start, this.offsetAt(change.range.end)) : this.content.length;
      const startPosition = this.pointAt(start);
      const oldEndPosition = this.pointAt(end);
      this.content = this.content.slice(0, start) + change.text + this.content.slice(end);
      this.lineStarts = undefined;
      const newEnd = start + change.text.length;
      edits.push({ startIndex: start, oldEndIndex: end, newEndIndex: newEnd, startPosition, oldEndPosition, newEndPosition: this.pointAt(newEnd) });
    }
    this.version = version;
    return edits;
  }

  /** String offset of an LSP position; positions past a line's end clamp to it, past the text to its end. */
  offsetAt(position: Position): number {
    const starts = this.starts();
    if (position.line < 0) return 0;
    if (position.line >= starts.length) return this.content.length;
    const lineStart = starts[position.line]!;
    const lineEnd = position.line + 1 < starts.length ? starts[position.line + 1]! : this.content.length;
    if (this.encoding === 'utf-16') {
      // Code units, taken literally (even inside a surrogate pair), so the buffer matches the client's.
      let contentEnd = lineEnd;
      while (contentEnd > lineStart && (this.content.charCodeAt(contentEnd - 1) === 0x0a || this.content.charCodeAt(contentEnd - 1) === 0x0d)) contentEnd--;
      return lineStart + Math.max(0, Math.min(position.character, contentEnd - lineStart));
    }
    let offset = lineStart;
    let units = 0;
    while (offset < lineEnd && units < position.character) {
      const code = this.content.charCodeAt(offset);
      if (code === 0x0a || code === 0x0d) break;
      const width = this.codeUnitsOfCharAt(offset);
      units += this.encoding === 'utf-8' ? utf8Length(this.content.codePointAt(offset)!) : width;
      offset += width;
    }
    return offset;
  }

  /** LSP position of a string offset in the negotiated encoding. */
  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.content.length));
    const starts = this.starts();
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= clamped) low = middle;
      else high = middle - 1;
    }
    const lineStart = starts[low]!;
    if (this.encoding === 'utf-16') return { line: low, character: clamped - lineStart };
    let character = 0;
    for (let i = lineStart; i < clamped;) {
      const width = this.codeUnitsOfCharAt(i);
      character += utf8Length(this.content.codePointAt(i)!);
      i += width;
    }
    return { line: low, character };
  }

  /** Position of a 0-based line and UTF-16 column (as the engine reports them). */
  positionOfLineColumn(line: number, column: number): Position {
    const starts = this.starts();
    if (line >= starts.length) return this.positionAt(this.content.length);
    return this.positionAt(starts[line]! + column);
  }

  /** Row and UTF-16 column of a string offset. */
  pointAt(offset: number): { row: number; column: number } {
    const starts = this.starts();
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { row: low, column: offset - starts[low]! };
  }

  lineCount(): number {
    return this.starts().length;
  }

  lineText(line: number): string {
    const starts = this.starts();
    if (line < 0 || line >= starts.length) return '';
    const end = line + 1 < starts.length ? starts[line + 1]! : this.content.length;
    return this.content.slice(starts[line]!, end).replace(/\r?\n$/, '');
  }

  lineStartOffset(line: number): number {
    const starts = this.starts();
    return starts[Math.max(0, Math.min(line, starts.length - 1))]!;
  }

  private codeUnitsOfCharAt(offset: number): number {
    const code = this.content.charCodeAt(offset);
    if (code >= 0xd800 && code <= 0xdbff && offset + 1 < this.content.length) {
      const next = this.content.charCodeAt(offset + 1);
      if (next >= 0xdc00 && next <= 0xdfff) return 2;
    }
    return 1;
  }

  private starts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = 0; i < this.content.length; i++) {
        const code = this.content.charCodeAt(i);
        if (code === 0x0a) starts.push(i + 1);
        else if (code === 0x0d && this.content.charCodeAt(i + 1) !== 0x0a) starts.push(i + 1);
      }
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }
}

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}
