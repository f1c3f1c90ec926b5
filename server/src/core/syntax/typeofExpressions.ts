// Makes `typeof(EXPRESSION)` parseable: tree-sitter's C grammar reads `typeof` only around a type or a single name.
//
// GNU C's `typeof (a + 1) _a = (a + 1);` is what `RTE_MIN`, the kernel's `min()` and `READ_ONCE()`
// expand to, with any expression as argument; the grammar turns it into a syntax error and the
// whole function is skipped. Before parsing, each `typeof (...)` whose argument is neither a type
// nor a single name is replaced by a placeholder type name `$tN` padded with blanks (offsets and
// the source map stay valid), and the argument's text is kept. The lowering gives the placeholder
// the type of that expression in the scope it is used in (`TranslationUnit.typeofArgument`).
import type { SourceMap } from './preprocessor';

/** The prefix of placeholder names; `$` never starts an identifier of portable C. */
export const TYPEOF_PLACEHOLDER = '$t';

const TYPEOF = new Set(['typeof', '__typeof__', '__typeof']);

/** Words that begin a type name (C11 6.7.2, 6.7.3 and gcc's extensions): such an argument is a type and parses already. */
const TYPE_WORDS = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '__signed__', '_Bool', '_Complex',
  'struct', 'union', 'enum', 'const', 'volatile', 'restrict', '__restrict', '__restrict__', '__const', '__volatile__',
  '_Atomic', '__int128', '_Float16', '_Float32', '_Float64', '_Float128', '__extension__', 'typeof', '__typeof__', '__typeof',
]);

/**
 * The text with every `typeof` of an expression replaced by a placeholder, and the placeholders'
 * argument texts (added to `arguments`, numbered after the ones already there).
 */
export function rewriteTypeofExpressions(text: string, map: SourceMap, argumentsByName: Map<string, string>): string {
  const count = map.outStart.length;
  const token = (i: number) => (i < count ? text.slice(map.outStart[i]!, map.outEnd[i]!) : '');
  const candidates: { open: number; close: number }[] = [];
  for (let i = 0; i < count; i++) {
    // Only tokens as long as a typeof keyword are read: a DPDK unit has 336,000 tokens and few typeofs.
    if (!TYPEOF_LENGTHS.has(map.outEnd[i]! - map.outStart[i]!) || !TYPEOF.has(token(i)) || token(i + 1) !== '(') continue;
    let depth = 0;
    let close = -1;
    for (let j = i + 1; j < count; j++) {
      const t = token(j);
      if (t === '(') depth++;
      else if (t === ')' && --depth === 0) {
        close = j;
        break;
      }
    }
    if (close < 0) break;
    const first = token(i + 2).trim();
    const singleName = close === i + 3 && /^[A-Za-z_]\w*$/.test(first);
    if (singleName || first === '' || TYPE_WORDS.has(first)) continue;
    candidates.push({ open: i, close });
  }
  if (candidates.length === 0) return text;
  // Innermost first, so that an argument's own typeof (READ_ONCE inside min) is a placeholder
  // by the time the outer argument's text is taken. Replacements keep the length of the text.
  candidates.sort((a, b) => (a.close - a.open) - (b.close - b.open));
  /** Replaced ranges so far, each with its new text (same length); an outer argument's text includes the inner ones. */
  const replaced: { start: number; end: number; text: string }[] = [];
  const current = (start: number, end: number): string => {
    const inside = replaced.filter((r) => r.start >= start && r.end <= end).sort((a, b) => a.start - b.start);
    let out = '';
    let at = start;
    for (const r of inside) {
      if (r.start < at) continue; // inside a range replaced later (an outer one): already in its text
      out += text.slice(at, r.start) + r.text;
      at = r.end;
    }
    return out + text.slice(at, end);
  };
  for (const { open, close } of candidates) {
    const name = `${TYPEOF_PLACEHOLDER}${argumentsByName.size}`;
    if (token(open).length < name.length) continue;
    const start = map.outStart[open]!;
    const end = map.outEnd[close]!;
    argumentsByName.set(name, current(map.outStart[open + 2]!, map.outEnd[close - 1]!));
    const blanked = current(start, end).replace(/[^\n]/g, ' ');
    // Ranges inside this one are covered by its text from now on.
    for (let k = replaced.length - 1; k >= 0; k--) if (replaced[k]!.start >= start && replaced[k]!.end <= end) replaced.splice(k, 1);
    replaced.push({ start, end, text: name + blanked.slice(name.length) });
  }
  return current(0, text.length);
}

const TYPEOF_LENGTHS = new Set([...TYPEOF].map((word) => word.length));
