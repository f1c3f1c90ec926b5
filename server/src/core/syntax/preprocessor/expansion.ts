// Macro expansion by Prosser's algorithm with hide sets: invocations and their arguments, `#`, `##`,
// variadic macros (`, ## __VA_ARGS__`, `__VA_OPT__`) and the builtins (`__LINE__`, `_Pragma`...).
import { lexFile } from '../lexer';
import { PreprocessorState } from './state';
import { EMPTY_HIDE, Macro, Token } from './types';

export class MacroExpander extends PreprocessorState {
  /**
   * Expands the macro named by `t` if it is one and (for function-like macros) an argument list
   * follows. Returns the replacement tokens (not yet rescanned), or undefined when `t` is not an
   * invocation.
   */
  protected tryExpand(t: Token, read: () => Token | undefined, unread: (tokens: Token[]) => void): Token[] | undefined {
    const macro = this.macros.get(t.text);
    if (!macro || t.hide?.has(t.text)) {
      if (macro) t.noExpand = true;
      return undefined;
    }
    if (macro.builtin) return this.expandBuiltin(macro, t, read, unread);
    if (!macro.params) {
      const hide = addHide(t.hide, t.text);
      return this.substitute(macro, [], hide, t);
    }
    // Function-like: the next token (across lines) must be '('.
    const skipped: Token[] = [];
    let open = read();
    while (open && (open.placemarker || open.kind === 'annotation')) {
      skipped.push(open);
      open = read();
    }
    if (!open || open.text !== '(' || open.kind !== 'punctuator') {
      unread([...skipped.filter((s) => s.kind === 'annotation'), ...(open ? [open] : [])]);
      return undefined;
    }
    const args = this.collectArguments(read, t);
    if (!args) return [];
    const { list, close } = args;
    const expected = macro.params.length;
    if (!macro.variadic && expected === 0 && list.length === 1 && list[0]!.length === 0) list.length = 0;
    if (macro.variadic ? list.length < expected : list.length !== expected) {
      this.reportAt(t, 'bad-macro-call', `macro '${macro.name}' takes ${expected}${macro.variadic ? ' or more' : ''} argument${expected === 1 ? '' : 's'}, ${list.length} given`);
      return [];
    }
    const hide = addHide(intersectHide(t.hide, close.hide), t.text);
    // The invocation's extent, for the tokens its body produces.
    const invocation: Token = close.loc.file === t.loc.file && close.loc.end >= t.loc.start && t.expansion === 0
      ? { ...t, loc: { file: t.loc.file, start: t.loc.start, end: close.loc.end } }
      : t;
    return this.substitute(macro, list, hide, invocation);
  }

  /** The arguments of a macro call after its '(' up to the matching ')'; undefined at the end of input. */
  private collectArguments(read: () => Token | undefined, name: Token): { list: Token[][]; close: Token } | undefined {
    const list: Token[][] = [[]];
    let depth = 0;
    for (;;) {
      const t = read();
      if (!t) {
        this.reportAt(name, 'bad-macro-call', `unterminated call of macro '${name.text}'`);
        return undefined;
      }
      if (t.placemarker && t.text === '') continue;
      if (t.kind === 'annotation') continue;
      if (t.kind === 'punctuator') {
        if (t.text === '(') depth++;
        else if (t.text === ')') {
          if (depth === 0) return { list, close: t };
          depth--;
        } else if (t.text === ',' && depth === 0) {
          list.push([]);
          continue;
        }
      }
      list[list.length - 1]!.push(t);
    }
  }

  /** Replaces the parameters in a macro body (C11 6.10.3.1-3), giving tokens with the hide set `hide`. */
  private substitute(macro: Macro, args: Token[][], hide: ReadonlySet<string>, invocation: Token): Token[] {
    const params = macro.params ?? [];
    const body = macro.body;
    const argumentOf = (name: string): Token[] | undefined => {
      if (macro.variadic && name === '__VA_ARGS__') return joinVariadic(args.slice(params.length));
      const index = params.indexOf(name);
      return index >= 0 ? args[index] ?? [] : undefined;
    };
    const expandedCache = new Map<string, Token[]>();
    const expandedArgument = (name: string): Token[] => {
      let cached = expandedCache.get(name);
      if (!cached) {
        cached = this.expandList(argumentOf(name)!);
        expandedCache.set(name, cached);
      }
      return cached;
    };
    const vaPresent = macro.variadic && args.length > params.length && args.slice(params.length).some((a) => a.length > 0);
    const out: Token[] = [];
    const fromBody = (b: Token): Token => ({ ...b, loc: invocation.loc, hide, expansion: invocation.expansion, spelled: false });
    for (let i = 0; i < body.length; i++) {
      const b = body[i]!;
      const nextIsPaste = body[i + 1]?.text === '##' && body[i + 1]!.kind === 'punctuator';
      const prevIsPaste = i > 0 && body[i - 1]!.text === '##' && body[i - 1]!.kind === 'punctuator';
      if (b.kind === 'punctuator' && b.text === '#' && macro.params && body[i + 1] && argumentOf(body[i + 1]!.text)) {
        out.push({ ...fromBody(b), kind: 'string', text: stringify(argumentOf(body[i + 1]!.text)!), spaceBefore: b.spaceBefore });
        i++;
        continue;
      }
      if (b.kind === 'punctuator' && b.text === '##') {
        // GNU: `, ## __VA_ARGS__` drops the comma when there are no variadic arguments.
        const nextToken = body[i + 1];
        if (nextToken && nextToken.text === '__VA_ARGS__' && macro.variadic && out[out.length - 1]?.text === ',') {
          if (!vaPresent) {
            out.pop();
            i++;
            continue;
          }
          // Otherwise the arguments follow the comma, fully expanded, without pasting.
          out.push(...expandedArgument('__VA_ARGS__').map((a) => ({ ...a, hide: unionHide(a.hide, hide) })));
          i++;
          continue;
        }
        if (!nextToken) continue;
        const right = argumentOf(nextToken.text);
        const rightTokens = right !== undefined ? right.map((r) => ({ ...r })) : [fromBody(nextToken)];
        i++;
        const left = out.pop();
        if (rightTokens.length === 0) {
          if (left) out.push(left);
          continue;
        }
        if (!left || left.placemarker) {
          out.push(...rightTokens.map((r) => ({ ...r, hide: unionHide(r.hide, hide) })));
          continue;
        }
        const pasted = this.paste(left, rightTokens[0]!, invocation, hide);
        out.push(...pasted, ...rightTokens.slice(1).map((r) => ({ ...r, hide: unionHide(r.hide, hide) })));
        continue;
      }
      if (b.kind === 'identifier' && b.text === '__VA_OPT__' && macro.variadic && body[i + 1]?.text === '(') {
        let depth = 0;
        let j = i + 1;
        const inner: Token[] = [];
        for (; j < body.length; j++) {
          const x = body[j]!;
          if (x.text === '(') { depth++; if (depth === 1) continue; }
          if (x.text === ')') { depth--; if (depth === 0) break; }
          inner.push(x);
        }
        if (vaPresent) {
          const sub: Macro = { ...macro, body: inner };
          out.push(...this.substitute(sub, args, hide, invocation));
        } else {
          out.push({ ...fromBody(b), text: '', placemarker: true });
        }
        i = j;
        continue;
      }
      const arg = b.kind === 'identifier' ? argumentOf(b.text) : undefined;
      if (arg !== undefined) {
        if (nextIsPaste) {
          // An operand of ##: the argument unexpanded (a placemarker when empty).
          out.push(...(arg.length > 0 ? arg.map((a, k) => ({ ...a, spaceBefore: k === 0 ? b.spaceBefore : a.spaceBefore })) : [{ ...fromBody(b), text: '', placemarker: true }]));
        } else {
          const expanded = expandedArgument(b.text);
          out.push(...expanded.map((a, k) => ({ ...a, hide: unionHide(a.hide, hide), spaceBefore: k === 0 ? b.spaceBefore : a.spaceBefore })));
        }
        continue;
      }
      if (prevIsPaste) continue;
      out.push(fromBody(b));
    }
    return out.filter((t) => !t.placemarker);
  }

  /** `##`: the two tokens' texts glued and lexed again; not one token gives the pieces, as gcc warns. */
  private paste(left: Token, right: Token, invocation: Token, hide: ReadonlySet<string>): Token[] {
    const text = left.text + right.text;
    const lexed = lexFile(text).tokens;
    if (lexed.length === 1) {
      return [{ ...left, kind: lexed[0]!.kind, text: lexed[0]!.text, hide: unionHide(left.hide, hide), noExpand: false, spelled: false, loc: left.expansion || left.loc.file !== invocation.loc.file ? left.loc : invocation.loc }];
    }
    return [left, right];
  }

  /** Fully expands a token list on its own (a macro argument): nothing after the list is read. */
  protected expandList(tokens: Token[]): Token[] {
    const input = [...tokens].reverse();
    const output: Token[] = [];
    const read = (): Token | undefined => input.pop();
    const unread = (back: Token[]): void => { for (let i = back.length - 1; i >= 0; i--) input.push(back[i]!); };
    for (;;) {
      const t = read();
      if (!t) break;
      if (t.kind === 'identifier' && !t.noExpand) {
        const expanded = this.tryExpand(t, read, unread);
        if (expanded) {
          if (expanded.length > 0) expanded[0] = { ...expanded[0]!, spaceBefore: t.spaceBefore };
          unread(expanded);
          continue;
        }
      }
      output.push(t);
    }
    return output;
  }

  private expandBuiltin(macro: Macro, t: Token, read: () => Token | undefined, unread: (tokens: Token[]) => void): Token[] | undefined {
    const frame = this.stack[this.stack.length - 1];
    const make = (kind: Token['kind'], text: string): Token[] => [{ ...t, kind, text, hide: addHide(t.hide, t.text), spelled: false }];
    switch (macro.builtin) {
      case 'line': {
        const file = t.loc.file;
        return make('number', String(this.map.position(file, t.loc.start).line + 1));
      }
      case 'file': return make('string', JSON.stringify(this.map.files[t.loc.file] ?? frame?.path ?? ''));
      case 'base-file': return make('string', JSON.stringify(this.mainPath));
      case 'counter': return make('number', String(this.counter++));
      case 'include-level': return make('number', String(Math.max(0, this.stack.length - 1)));
      case 'pragma': {
        // _Pragma("...") is a directive for the compiler: it produces no tokens.
        const open = read();
        if (!open || open.text !== '(') {
          unread(open ? [open] : []);
          return undefined;
        }
        this.collectArguments(read, t);
        return [];
      }
      default: return undefined;
    }
  }
}

function addHide(hide: ReadonlySet<string> | undefined, name: string): ReadonlySet<string> {
  if (hide?.has(name)) return hide;
  const next = new Set(hide ?? []);
  next.add(name);
  return next;
}

function intersectHide(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): ReadonlySet<string> {
  if (!a || !b || a.size === 0 || b.size === 0) return EMPTY_HIDE;
  const out = new Set<string>();
  for (const x of a) if (b.has(x)) out.add(x);
  return out;
}

function unionHide(a: ReadonlySet<string> | undefined, b: ReadonlySet<string>): ReadonlySet<string> {
  if (!a || a.size === 0) return b;
  if (b.size === 0) return a;
  let all = true;
  for (const x of b) if (!a.has(x)) { all = false; break; }
  if (all) return a;
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}

function joinVariadic(args: Token[][]): Token[] {
  const out: Token[] = [];
  args.forEach((a, i) => {
    if (i > 0) out.push({ kind: 'punctuator', text: ',', loc: a[0]?.loc ?? out[out.length - 1]?.loc ?? { file: 0, start: 0, end: 0 }, lineStart: false, spaceBefore: false, hide: EMPTY_HIDE, expansion: a[0]?.expansion ?? 0 });
    out.push(...a);
  });
  return out;
}

/** `#x`: the argument's spelling as a string literal, with its whitespace collapsed (C11 6.10.3.2). */
function stringify(tokens: Token[]): string {
  let text = '';
  tokens.forEach((t, i) => {
    if (i > 0 && t.spaceBefore) text += ' ';
    text += t.kind === 'string' || t.kind === 'char' ? t.text.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : t.text;
  });
  return `"${text}"`;
}
