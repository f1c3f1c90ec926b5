// Where the user wrote a node, through the preprocessor's source map: its file, range and line, the
// text as written (macro names kept), and diagnostics placed there.
import type { Node, Tree } from 'web-tree-sitter';
import type { ReasonKind } from '../../reasons';
import type { SourceMap } from '../preprocessor';
import type { Diagnostic, SourcePlace } from './model';
import { UnitState } from './state';

export class SourcePositions extends UnitState {
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

  protected placeOfRange(tree: Tree, startIndex: number, endIndex: number): SourcePlace {
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

  protected placeDiagnostic(reason: ReasonKind, message: string, map: SourceMap, file: string, offset: number, end: number): Diagnostic {
    const index = map.files.indexOf(file);
    if (index < 0) return { reason, message, file, startByte: offset, endByte: end, startLine: 0, startColumn: 0, endLine: 0, endColumn: 0 };
    const s = map.position(index, offset);
    const e = map.position(index, end);
    return { reason, message, file, startByte: offset, endByte: end, startLine: s.line, startColumn: s.column, endLine: e.line, endColumn: e.column };
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

  protected fileDiagnostic(reason: ReasonKind, message: string, file: string): Diagnostic {
    return { reason, message, file, startByte: 0, endByte: 0, startLine: 0, startColumn: 0, endLine: 0, endColumn: 0 };
  }
}
