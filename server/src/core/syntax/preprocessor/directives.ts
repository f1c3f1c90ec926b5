// Directives: conditional groups (`#if` and its family, with the expression's `defined` and `__has_*`
// operands), `#define`, `#undef`, `#include` (with include guards and `#pragma once`), `#error`...
import type { PpToken } from '../lexer';
import { ConditionParser } from './conditions';
import { MacroExpander } from './expansion';
import { EMPTY_HIDE, FileFrame, Macro, Token, joinTokens } from './types';

export class DirectiveProcessor extends MacroExpander {
  protected directive(frame: FileFrame, line: PpToken[], hash: PpToken): void {
    const name = line[0]?.text ?? '';
    const isActive = this.active(frame);
    const rest = line.slice(1);
    switch (name) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        if (!isActive) {
          frame.conditionals.push({ active: false, taken: true, parentActive: false, sawElse: false });
          return;
        }
        const value = name === 'if' ? this.evaluate(frame, rest, line[0]!) : this.isDefined(rest[0]?.text ?? '') === (name === 'ifdef');
        frame.conditionals.push({ active: value, taken: value, parentActive: true, sawElse: false });
        return;
      }
      case 'elif':
      case 'elifdef':
      case 'elifndef': {
        const top = frame.conditionals[frame.conditionals.length - 1];
        if (!top) return this.report(frame, line[0]!, 'bad-directive', `#${name} without #if`);
        if (!top.parentActive || top.taken) {
          top.active = false;
          return;
        }
        const value = name === 'elif' ? this.evaluate(frame, rest, line[0]!) : this.isDefined(rest[0]?.text ?? '') === (name === 'elifdef');
        top.active = value;
        top.taken = value;
        return;
      }
      case 'else': {
        const top = frame.conditionals[frame.conditionals.length - 1];
        if (!top) return this.report(frame, line[0]!, 'bad-directive', '#else without #if');
        top.active = top.parentActive && !top.taken;
        top.taken = true;
        top.sawElse = true;
        return;
      }
      case 'endif': {
        if (!frame.conditionals.pop()) this.report(frame, line[0]!, 'bad-directive', '#endif without #if');
        return;
      }
      default:
        break;
    }
    if (!isActive) return;
    switch (name) {
      case '': return; // the null directive
      case 'define': return this.define(frame, rest);
      case 'undef': {
        if (rest[0]) this.macros.delete(rest[0].text);
        return;
      }
      case 'include':
      case 'include_next':
      case 'import':
        return this.include(frame, rest, name === 'include_next', hash);
      case 'error':
        return this.report(frame, hash, 'error-directive', `#error ${line.length > 1 ? this.sourceText(frame, rest) : ''}`.trim());
      case 'pragma':
        if (rest[0]?.text === 'once') this.pragmaOnce.add(frame.path);
        return;
      case 'line':
      case 'warning':
      case 'ident':
      case 'sccs':
      case 'assert':
      case 'unassert':
        // #line changes only what __LINE__ and gcc's messages say; this map keeps real positions.
        return;
      default:
        if (/^[0-9]/.test(name)) return; // `# 33 "file"` line markers of preprocessed input
        return this.report(frame, line[0]!, 'bad-directive', `unknown directive '#${name}'`);
    }
  }

  private sourceText(frame: FileFrame, tokens: PpToken[]): string {
    const text = this.map.fileTexts[frame.fileId]!;
    return text.slice(tokens[0]!.start, tokens[tokens.length - 1]!.end).replace(/\\\r?\n/g, '').replace(/\s+/g, ' ');
  }

  private define(frame: FileFrame, rest: PpToken[]): void {
    const nameToken = rest[0];
    if (!nameToken || nameToken.kind !== 'identifier') {
      if (nameToken) this.report(frame, nameToken, 'bad-directive', `'#define ${nameToken.text}': a macro name must be an identifier`);
      return;
    }
    const toToken = (p: PpToken): Token => ({ kind: p.kind, text: p.text, loc: { file: frame.fileId, start: p.start, end: p.end }, lineStart: false, spaceBefore: p.spaceBefore, hide: EMPTY_HIDE, expansion: 0 });
    let params: string[] | undefined;
    let variadic = false;
    let bodyStart = 1;
    // Function-like only when '(' follows the name with no space.
    if (rest[1]?.text === '(' && !rest[1].spaceBefore) {
      params = [];
      let j = 2;
      for (; j < rest.length; j++) {
        const p = rest[j]!;
        if (p.text === ')') break;
        if (p.text === ',') continue;
        if (p.text === '...') {
          variadic = true;
          continue;
        }
        if (p.kind === 'identifier') {
          // GNU named variadic parameter: `args...`.
          if (rest[j + 1]?.text === '...') {
            variadic = true;
            params.push(p.text);
            j++;
            continue;
          }
          params.push(p.text);
        }
      }
      bodyStart = j + 1;
      // A GNU named variadic parameter stands for __VA_ARGS__.
      if (variadic && rest.slice(2, j).some((p, k, all) => p.kind === 'identifier' && all[k + 1]?.text === '...')) {
        const named = params.pop()!;
        const body = rest.slice(bodyStart).map(toToken).map((b) => (b.text === named ? { ...b, text: '__VA_ARGS__' } : b));
        this.setMacro({ name: nameToken.text, params, variadic, body, file: frame.path });
        return;
      }
    }
    const body = rest.slice(bodyStart).map(toToken);
    if (body[0]) body[0] = { ...body[0], spaceBefore: false };
    this.setMacro({ name: nameToken.text, params, variadic, body, file: frame.path });
  }

  private setMacro(macro: Macro): void {
    this.macros.set(macro.name, macro);
  }

  private isDefined(name: string): boolean {
    return this.macros.has(name);
  }

  private include(frame: FileFrame, rest: PpToken[], next: boolean, at: PpToken): void {
    let spec: string;
    let angled: boolean;
    const first = rest[0];
    if (first?.kind === 'string') {
      spec = first.text.slice(1, -1);
      angled = false;
    } else if (first?.text === '<') {
      const end = rest.findIndex((t) => t.text === '>');
      if (end < 0) return this.report(frame, at, 'bad-directive', 'missing \'>\' in #include');
      spec = this.map.fileTexts[frame.fileId]!.slice(first.end, rest[end]!.start);
      angled = true;
    } else if (first) {
      // A computed include: the macro-expanded tokens must form "..." or <...>.
      const tokens = this.expandList(rest.map((p) => ({ kind: p.kind, text: p.text, loc: { file: frame.fileId, start: p.start, end: p.end }, lineStart: false, spaceBefore: p.spaceBefore, hide: EMPTY_HIDE, expansion: 0 })));
      const text = joinTokens(tokens);
      if (/^".*"$/.test(text)) { spec = text.slice(1, -1); angled = false; }
      else if (/^<.*>$/.test(text)) { spec = text.slice(1, -1).replace(/\s+/g, ''); angled = true; }
      else return this.report(frame, at, 'bad-directive', `#include expects "FILE" or <FILE>, got '${text}'`);
    } else {
      return this.report(frame, at, 'bad-directive', '#include without a file name');
    }
    const found = this.includes.find(spec, angled, frame, next);
    if (!found) {
      this.diagnostics.push({
        kind: 'missing-include',
        message: `cannot find include file ${angled ? `<${spec}>` : `"${spec}"`}; declarations from it will be unknown. Add its folder with -I or the includePaths setting.`,
        file: frame.path, offset: at.start, end: rest[rest.length - 1]?.end ?? at.end,
      });
      return;
    }
    if (this.pragmaOnce.has(found.path)) return;
    const guard = this.guards.get(found.path);
    if (guard && this.macros.has(guard)) return;
    if (this.stack.length > 200) return this.report(frame, at, 'bad-directive', `#include nested too deeply (${spec})`);
    if (!this.included.includes(found.path)) this.included.push(found.path);
    this.pushFile(found.path, found.text, found.searchIndex);
  }

  // ----- #if -----

  private evaluate(frame: FileFrame, tokens: PpToken[], at: PpToken): boolean {
    const toToken = (p: PpToken): Token => ({ kind: p.kind, text: p.text, loc: { file: frame.fileId, start: p.start, end: p.end }, lineStart: false, spaceBefore: p.spaceBefore, hide: EMPTY_HIDE, expansion: 0 });
    // `defined` and `__has_include` apply to the unexpanded tokens.
    const prepared: Token[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.kind === 'identifier' && t.text === 'defined') {
        let name: string | undefined;
        if (tokens[i + 1]?.text === '(') { name = tokens[i + 2]?.text; i += 3; } else { name = tokens[i + 1]?.text; i += 1; }
        prepared.push({ ...toToken(t), kind: 'number', text: name !== undefined && this.isDefined(name) ? '1' : '0' });
        continue;
      }
      if (t.kind === 'identifier' && (t.text === '__has_include' || t.text === '__has_include_next')) {
        let j = i + 1;
        if (tokens[j]?.text === '(') j++;
        let spec = '';
        let angled = false;
        const arg = tokens[j];
        if (arg?.kind === 'string') { spec = arg.text.slice(1, -1); j++; } else if (arg?.text === '<') {
          const end = tokens.findIndex((x, k) => k > j && x.text === '>');
          spec = this.map.fileTexts[frame.fileId]!.slice(arg.end, tokens[end]?.start ?? arg.end);
          angled = true;
          j = end + 1;
        }
        if (tokens[j]?.text === ')') j++;
        const found = spec ? this.includes.find(spec, angled, frame, t.text === '__has_include_next') : undefined;
        prepared.push({ ...toToken(t), kind: 'number', text: found ? '1' : '0' });
        i = j - 1;
        continue;
      }
      prepared.push(toToken(t));
    }
    const expanded = this.expandList(prepared);
    const values: Token[] = [];
    for (let i = 0; i < expanded.length; i++) {
      const t = expanded[i]!;
      if (t.kind === 'identifier') {
        if (t.text === 'defined') {
          let name: string | undefined;
          if (expanded[i + 1]?.text === '(') { name = expanded[i + 2]?.text; i += 3; } else { name = expanded[i + 1]?.text; i += 1; }
          values.push({ ...t, kind: 'number', text: name !== undefined && this.isDefined(name) ? '1' : '0' });
          continue;
        }
        const query = { __has_builtin: this.options.hasBuiltin, __has_attribute: this.options.hasAttribute, __has_cpp_attribute: () => false, __has_feature: () => false, __has_extension: () => false, __has_c_attribute: () => false, __has_warning: () => false }[t.text];
        if (query !== undefined || t.text.startsWith('__has_')) {
          let j = i + 1;
          let name = '';
          if (expanded[j]?.text === '(') {
            let depth = 0;
            for (; j < expanded.length; j++) {
              const x = expanded[j]!;
              if (x.text === '(') depth++;
              else if (x.text === ')') { depth--; if (depth === 0) break; } else name += x.text;
            }
          }
          const normalised = name.replace(/^__(.*)__$/, '$1');
          values.push({ ...t, kind: 'number', text: query?.(normalised) || query?.(name) ? '1' : '0' });
          i = j;
          continue;
        }
        values.push({ ...t, kind: 'number', text: '0' }); // identifiers left after expansion are 0 (C11 6.10.1p4)
        continue;
      }
      values.push(t);
    }
    try {
      const parser = new ConditionParser(values);
      const value = parser.parse();
      return value.value !== 0n;
    } catch (error) {
      this.report(frame, at, 'bad-directive', `cannot evaluate '#if ${this.sourceText(frame, tokens.length > 0 ? tokens : [at])}': ${(error as Error).message}`);
      return false;
    }
  }
}
