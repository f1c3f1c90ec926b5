// Splits C source text into preprocessing tokens (C11 6.4), keeping each token's position in the file.
//
// Line splices (backslash-newline) are removed from token texts but positions stay those of the
// original text, so a source map can point back into the file as the user sees it. Comments are
// whitespace, except `/*@ ... */` and `//@ ...` annotations, which the analysis reads and which are
// therefore kept as tokens of kind 'annotation'.

export type TokenKind = 'identifier' | 'number' | 'string' | 'char' | 'punctuator' | 'annotation' | 'other';

export interface PpToken {
  kind: TokenKind;
  text: string;
  /** Offsets of the token in its file's text (end exclusive). */
  start: number;
  end: number;
  /** First token on its (logical) line. */
  lineStart: boolean;
  /** Whitespace or a comment precedes the token on its line. */
  spaceBefore: boolean;
}

/** The tokens of a file, and the include guard it has if its whole content is one `#ifndef X` group. */
export interface LexedFile {
  tokens: PpToken[];
  guard: string | undefined;
}

const PUNCTUATORS = [
  '%:%:', '...', '<<=', '>>=',
  '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##',
  '<:', ':>', '<%', '%>', '%:',
];
const PUNCTUATOR_SET: ReadonlySet<string> = new Set(PUNCTUATORS);
const PUNCTUATOR_STARTS: ReadonlySet<string> = new Set(PUNCTUATORS.map((p) => p[0]!));
const DIGRAPHS: Record<string, string> = { '<:': '[', ':>': ']', '<%': '{', '%>': '}', '%:': '#', '%:%:': '##' };

/** Tokenises a whole file. Never throws: a stray character becomes a token of kind 'other'. */
export function lexFile(text: string): LexedFile {
  const tokens: PpToken[] = [];
  const n = text.length;
  let i = 0;
  let lineStart = true;
  let space = false;
  // Skips a backslash-newline at i, returning the next index after all consecutive splices.
  const splice = (j: number): number => {
    while (text.charCodeAt(j) === 92 /* \ */) {
      if (text[j + 1] === '\n') j += 2;
      else if (text[j + 1] === '\r' && text[j + 2] === '\n') j += 3;
      else break;
    }
    return j;
  };
  while (i < n) {
    i = splice(i);
    if (i >= n) break;
    const c = text[i]!;
    if (c === '\n') { lineStart = true; space = false; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') { space = true; i++; continue; }
    if (c === '/' && text[splice(i + 1)] === '*') {
      const bodyStart = splice(i + 1) + 1;
      let j = bodyStart;
      while (j < n && !(text[j] === '*' && text[splice(j + 1)] === '/')) j++;
      const end = Math.min(n, splice(j + 1) + 1);
      if (text[bodyStart] === '@') tokens.push({ kind: 'annotation', text: text.slice(i, end), start: i, end, lineStart, spaceBefore: space });
      // A comment spanning lines does not end the logical line for directives, as in gcc.
      space = true;
      i = end;
      continue;
    }
    if (c === '/' && text[splice(i + 1)] === '/') {
      let j = i;
      while (j < n && text[j] !== '\n') {
        if (text[j] === '\\' && (text[j + 1] === '\n' || (text[j + 1] === '\r' && text[j + 2] === '\n'))) j = splice(j);
        else j++;
      }
      if (text[splice(i + 1) + 1] === '@') {
        tokens.push({ kind: 'annotation', text: text.slice(i, j).replace(/\\\r?\n/g, ''), start: i, end: j, lineStart, spaceBefore: space });
      }
      space = true;
      i = j;
      continue;
    }
    const start = i;
    let kind: TokenKind;
    let tokenText: string;
    if (isIdentStart(c) || (c === '\\' && (text[i + 1] === 'u' || text[i + 1] === 'U'))) {
      // Encoding prefixes make string and character literals.
      let j = i;
      let word = '';
      while (j < n) {
        j = splice(j);
        const d = text[j];
        if (d === undefined || !isIdentPart(d)) break;
        word += d;
        j++;
      }
      if ((word === 'L' || word === 'u' || word === 'U' || word === 'u8') && (text[j] === '"' || text[j] === '\'')) {
        const lit = lexQuoted(text, j, splice);
        kind = text[j] === '"' ? 'string' : 'char';
        tokenText = word + lit.text;
        i = lit.end;
      } else {
        kind = 'identifier';
        tokenText = word || c;
        i = word ? j : i + 1;
      }
    } else if (isDigit(c) || (c === '.' && isDigit(text[splice(i + 1)] ?? ''))) {
      // pp-number: digits, identifier characters, '.', and e+ e- p+ P- exponents.
      let j = i;
      let word = '';
      while (j < n) {
        j = splice(j);
        const d = text[j];
        if (d === undefined) break;
        if ((d === '+' || d === '-') && /[eEpP]$/.test(word)) { word += d; j++; continue; }
        if (!(isIdentPart(d) || d === '.' || d === '\'')) break;
        word += d;
        j++;
      }
      kind = 'number';
      tokenText = word;
      i = j;
    } else if (c === '"' || c === '\'') {
      const lit = lexQuoted(text, i, splice);
      kind = c === '"' ? 'string' : 'char';
      tokenText = lit.text;
      i = lit.end;
    } else {
      let matched: string | undefined;
      if (PUNCTUATOR_STARTS.has(c)) {
        const four = text.substr(i, 4);
        if (PUNCTUATOR_SET.has(four)) matched = four;
        else if (PUNCTUATOR_SET.has(four.slice(0, 3))) matched = four.slice(0, 3);
        else if (PUNCTUATOR_SET.has(four.slice(0, 2))) matched = four.slice(0, 2);
      }
      if (matched) {
        kind = 'punctuator';
        tokenText = DIGRAPHS[matched] ?? matched;
        i += matched.length;
      } else {
        kind = '+-*/%<>=!&|^~?:;,.()[]{}#'.includes(c) ? 'punctuator' : 'other';
        tokenText = c;
        i++;
      }
    }
    tokens.push({ kind, text: tokenText, start, end: i, lineStart, spaceBefore: space });
    lineStart = false;
    space = false;
  }
  return { tokens, guard: findIncludeGuard(tokens) };
}

function lexQuoted(text: string, i: number, splice: (j: number) => number): { text: string; end: number } {
  const quote = text[i]!;
  let j = i + 1;
  let out = quote;
  while (j < text.length) {
    j = splice(j);
    const d = text[j];
    if (d === undefined || d === '\n') break; // unterminated: ends at the line, as gcc lexes it in skipped blocks
    if (d === '\\') {
      out += d + (text[j + 1] ?? '');
      j += 2;
      continue;
    }
    out += d;
    j++;
    if (d === quote) break;
  }
  return { text: out, end: j };
}

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$' || c.charCodeAt(0) > 127;
}

function isIdentPart(c: string): boolean {
  return isIdentStart(c) || isDigit(c);
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** `#ifndef X` (or `#if !defined X`) first and its `#endif` last: the file is guarded by X. */
function findIncludeGuard(tokens: PpToken[]): string | undefined {
  let k = 0;
  while (tokens[k]?.kind === 'annotation') k++;
  const t = tokens;
  if (!(t[k]?.text === '#' && t[k]!.lineStart)) return undefined;
  let name: string | undefined;
  if (t[k + 1]?.text === 'ifndef' && t[k + 2]?.kind === 'identifier') name = t[k + 2]!.text;
  else if (t[k + 1]?.text === 'if' && t[k + 2]?.text === '!' && t[k + 3]?.text === 'defined') {
    name = t[k + 4]?.text === '(' ? t[k + 5]?.text : t[k + 4]?.text;
  }
  if (!name) return undefined;
  // The group opened at k must close at the file's last directive, with nothing after it.
  let depth = 0;
  for (let j = k; j < t.length; j++) {
    if (!(t[j]!.text === '#' && t[j]!.lineStart)) continue;
    const d = t[j + 1]?.text;
    if (d === 'if' || d === 'ifdef' || d === 'ifndef') depth++;
    else if ((d === 'else' || d === 'elif' || d === 'elifdef' || d === 'elifndef') && depth === 1) return undefined;
    else if (d === 'endif') {
      depth--;
      if (depth === 0) {
        let rest = j + 2;
        while (rest < t.length && !t[rest]!.lineStart) rest++;
        while (rest < t.length && t[rest]!.kind === 'annotation') rest++;
        return rest >= t.length ? name : undefined;
      }
    }
  }
  return undefined;
}
