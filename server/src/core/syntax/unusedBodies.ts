// Blanks the bodies of header functions that no code of the main file can reach, before tree-sitter parses the unit.
//
// A DPDK example includes about 5,000 inline function definitions from its headers; parsing,
// collecting and lowering them costs several times what the example's own code does, and none of
// them can change a contract unless the main file reaches them. The expanded text is scanned at the
// token level (the source map already has every output token): a header function is kept when its
// name is used by the main file's code, by an initialiser in a header (a table of function
// pointers), or by the body of a function that is kept, transitively. Every other header definition
// is blanked whole, its specifiers and declarator included (nothing kept refers to it, and a few of
// gcc's intrinsics declarators, read without their body, would not parse); offsets, lines and the
// source map stay valid. Over-approximating is safe: any identifier with a function's name keeps it.
import type { SourceMap } from './preprocessor';

/** Top-level function definitions found in the expanded text, by name. */
interface DefinitionSpan {
  name: string;
  /** Output token index of the definition's first token, of the body's `{` and of its closing `}`. */
  start: number;
  open: number;
  close: number;
  fromHeader: boolean;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The text with unused header function bodies blanked, and the names of those functions.
 * `mainFiles` are the source map's file ids whose code is always kept; `roots` are names kept as
 * well (requested entries).
 */
export function blankUnusedHeaderBodies(text: string, map: SourceMap, mainFiles: ReadonlySet<number>, roots: Iterable<string> = []): { text: string; blanked: Set<string> } {
  const count = map.outStart.length;
  const tokens: string[] = new Array(count);
  for (let i = 0; i < count; i++) tokens[i] = text.slice(map.outStart[i]!, map.outEnd[i]!).trim();
  const fromMain = (i: number) => mainFiles.has(map.locs[i]!.file);

  const definitions: DefinitionSpan[] = [];
  // Tokens outside every definition's body that make names used: the main file's, and header
  // initialisers (`= { .handler = f }`), which are how tables of function pointers reach code.
  const used = new Set<string>(roots);
  let braceDepth = 0;
  let parenDepth = 0;
  let inInitialiser = false;
  /** The first token of the current top-level item (after the last top-level `;` or definition). */
  let itemStart = 0;
  let unnamedDefinitionEnd = -1;
  for (let i = 0; i < count; i++) {
    const t = tokens[i]!;
    if (t === '') continue;
    if (braceDepth === 0 && parenDepth === 0 && t === '{' && !inInitialiser) {
      const close = matchingBrace(tokens, i);
      const name = definitionName(tokens, i);
      if (close < 0) break; // unbalanced text: leave everything as it is
      if (name !== undefined) {
        definitions.push({ name, start: itemStart, open: i, close, fromHeader: !fromMain(i) || !fromMain(close) });
        if (fromMain(i)) for (let j = i + 1; j < close; j++) if (IDENTIFIER.test(tokens[j]!)) used.add(tokens[j]!);
        i = close;
        itemStart = close + 1;
        continue;
      }
    }
    if (t === '{') {
      // A definition whose name this scan cannot read: the item ends with its body.
      if (braceDepth === 0 && parenDepth === 0 && !inInitialiser && previousToken(tokens, i) === ')') unnamedDefinitionEnd = matchingBrace(tokens, i);
      braceDepth++;
    } else if (t === '}') {
      braceDepth = Math.max(0, braceDepth - 1);
      if (i === unnamedDefinitionEnd) itemStart = i + 1;
    }
    else if (t === '(') parenDepth++;
    else if (t === ')') parenDepth = Math.max(0, parenDepth - 1);
    else if (t === '=' && braceDepth === 0 && parenDepth === 0) inInitialiser = true;
    else if (t === ';' && braceDepth === 0 && parenDepth === 0) {
      inInitialiser = false;
      itemStart = i + 1;
    }
    if ((fromMain(i) || inInitialiser) && IDENTIFIER.test(t)) used.add(t);
  }

  // Close the set over the bodies of the functions it names.
  const byName = new Map<string, DefinitionSpan[]>();
  for (const d of definitions) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
  const work = [...used];
  const expanded = new Set<DefinitionSpan>();
  while (work.length > 0) {
    const name = work.pop()!;
    for (const d of byName.get(name) ?? []) {
      if (expanded.has(d)) continue;
      expanded.add(d);
      for (let j = d.open + 1; j < d.close; j++) {
        const t = tokens[j]!;
        if (IDENTIFIER.test(t) && !used.has(t)) {
          used.add(t);
          work.push(t);
        }
      }
    }
  }

  const blanked = new Set<string>();
  /** Output ranges to blank, and whether a `;` must end the declaration left in front. */
  const ranges: [number, number, number][] = [];
  for (const d of definitions) {
    if (!d.fromHeader || used.has(d.name)) continue;
    blanked.add(d.name);
    // The item's tokens up to the body come from the header too, or only the body goes.
    const whole = [...Array(d.open - d.start).keys()].every((k) => !fromMain(d.start + k));
    ranges.push([map.outStart[whole ? d.start : d.open]!, map.outEnd[d.close]!, whole ? 0 : 1]);
  }
  if (ranges.length === 0) return { text, blanked };
  let out = '';
  let at = 0;
  for (const [start, end, semicolon] of ranges) {
    out += text.slice(at, start) + (semicolon ? ';' : '') + text.slice(start + semicolon, end).replace(/[^\n]/g, ' ');
    at = end;
  }
  return { text: out + text.slice(at), blanked };
}

/** The last non-blank token before index `i`. */
function previousToken(tokens: readonly string[], i: number): string | undefined {
  let j = i - 1;
  while (j >= 0 && tokens[j] === '') j--;
  return tokens[j];
}

/** The output token index of the `}` that closes the `{` at `open`, or -1. */
function matchingBrace(tokens: readonly string[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j];
    if (t === '{') depth++;
    else if (t === '}' && --depth === 0) return j;
  }
  return -1;
}

/**
 * The name of the function whose body starts at the top-level `{` at `open`: the identifier before
 * the parameter list that ends just before it. Anything else (an initialiser, a struct, a
 * declarator this scan does not read, such as a function returning a function pointer) is
 * undefined, and that body is never blanked.
 */
function definitionName(tokens: readonly string[], open: number): string | undefined {
  if (previousToken(tokens, open) !== ')') return undefined;
  let j = open - 1;
  while (tokens[j] === '') j--;
  let depth = 0;
  for (; j >= 0; j--) {
    const t = tokens[j];
    if (t === ')') depth++;
    else if (t === '(' && --depth === 0) break;
  }
  j--;
  while (j >= 0 && tokens[j] === '') j--;
  const name = tokens[j];
  return name !== undefined && IDENTIFIER.test(name) && !KEYWORDS.has(name) ? name : undefined;
}

/** Words that can stand before `(` but never name a function. */
const KEYWORDS = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', '__attribute__', '__attribute', '__typeof__', 'typeof', '__asm__', 'asm', '_Alignof', '__alignof__']);
