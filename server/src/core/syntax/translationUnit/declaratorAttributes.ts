// Blanks the attributes and asm labels written after a declarator, which the tree-sitter grammar does
// not accept there, before a main file's expanded text is parsed.
import type { SourceMap } from '../preprocessor';

/**
 * Blanks `__attribute__((...))` and `__asm__("label")` written after a declarator (`int v
 * __attribute__((section(".maps")));`, `void f(void) __attribute__((noreturn));`), which the
 * tree-sitter grammar does not accept there. They say nothing about types or layout outside a
 * struct, so they are replaced by spaces: offsets, and so the source map, stay the same. Inside a
 * struct or union body they are kept, since `aligned` and `packed` on a member change the layout.
 */
export function blankDeclaratorAttributes(text: string, map: SourceMap): string {
  const count = map.outStart.length;
  const tokenText = (i: number) => (i >= 0 && i < count ? text.slice(map.outStart[i]!, map.outEnd[i]!) : '');
  const isWord = (t: string) => /^[A-Za-z_$][\w$]*$/.test(t);
  const blanks: [number, number][] = [];
  const recordScopes: boolean[] = [];
  for (let i = 0; i < count; i++) {
    const t = tokenText(i);
    if (t === '{') {
      let record = false;
      for (let j = i - 1, depth = 0; j >= 0 && i - j < 40; j--) {
        const p = tokenText(j);
        if (p === ')') depth++;
        else if (p === '(') depth--;
        else if (depth === 0 && (p === ';' || p === '{' || p === '}' || p === '=')) break;
        if (depth === 0 && (p === 'struct' || p === 'union')) { record = true; break; }
      }
      recordScopes.push(record);
      continue;
    }
    if (t === '}') { recordScopes.pop(); continue; }
    const isAttribute = t === '__attribute__' || t === '__attribute';
    const isAsmLabel = t === '__asm__' || t === '__asm' || t === 'asm';
    if (!isAttribute && !isAsmLabel) continue;
    if (recordScopes[recordScopes.length - 1]) continue;
    const previous = tokenText(i - 1);
    if (!(isWord(previous) || previous === ')' || previous === ']' || previous === '*') || previous === 'struct' || previous === 'union' || previous === 'enum') continue;
    if (tokenText(i + 1) !== '(') continue;
    let depth = 0;
    let end = i + 1;
    for (; end < count; end++) {
      const p = tokenText(end);
      if (p === '(') depth++;
      else if (p === ')' && --depth === 0) break;
    }
    const next = tokenText(end + 1);
    if (isAsmLabel && !/^"/.test(tokenText(i + 2))) continue; // an asm statement, not a label
    // After the declarator (`f(void) __attribute__((x));`), or between a pointer's `*` and its name
    // (`void * __attribute__((x)) f(void)`), which the grammar reads as a function named __attribute__.
    if (next === ';' || next === ',' || next === '=' || next === '{' || next === '__attribute__' || next === '__asm__' || next === '__asm' || (previous === '*' && isWord(next))) {
      blanks.push([map.outStart[i]!, map.outEnd[end]!]);
      i = end;
    }
  }
  if (blanks.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of blanks) {
    out += text.slice(at, start) + text.slice(start, end).replace(/[^\n]/g, ' ');
    at = end;
  }
  return out + text.slice(at);
}
