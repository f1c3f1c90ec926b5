// The token-level preprocessor against gcc -E on tricky cases, and its source map.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { IncludeSearch, preprocess } from '../src/core/syntax/preprocessor';
import { lexFile } from '../src/core/syntax/lexer';

const noSearch: IncludeSearch = { quote: [], angled: [], system: [], builtinSystem: [], after: [] };
const disk = { readFile: (p: string) => { try { return fs.readFileSync(p, 'utf8'); } catch { return undefined; } } };

function ours(file: string, search: IncludeSearch = noSearch, defines: Record<string, string> = {}) {
  return preprocess(file, fs.readFileSync(file, 'utf8'), {
    search, predefines: '', forcedIncludes: [], commandLine: Object.entries(defines).map(([define, value]) => ({ define, value })),
  }, disk);
}

/** gcc -E without predefined macros or system folders, so that both sides see the same input. */
function gccTokens(file: string, flags: string[] = []): string[] {
  const result = spawnSync('gcc', ['-E', '-P', '-undef', '-nostdinc', ...flags, file], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return lexFile(result.stdout).tokens.map((t) => t.text);
}

function tokens(text: string): string[] {
  return lexFile(text).tokens.map((t) => t.text);
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pc-pp-'));
}

// C11 6.10.3.5 examples 3 and 4, GNU variadics, __VA_OPT__, and macros taking types.
const TRICKY = String.raw`
#define x 3
#define f(a) f(x * (a))
#undef x
#define x 2
#define g f
#define z z[0]
#define h g(~
#define m(a) a(w)
#define w 0,1
#define t(a) a
#define p() int
#define q(x) x
#define r(x,y) x ## y
#define str(x) # x
f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);
g(x+(3,4)-w) | h 5) & m
(f)^m(m);
p() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };
char c[2][6] = { str(hello), str() };
#define eprintf(fmt, ...) fprintf(stderr, fmt, ## __VA_ARGS__)
eprintf("a"); eprintf("a", 1, 2);
#define F(...) call(0 __VA_OPT__(,) __VA_ARGS__)
F(a,b) F()
#define CAT(a,b) a##b
#define XCAT(a,b) CAT(a,b)
XCAT(x, y) CAT(x, y) str(  a  "b\n"  'c' )
#define LPAREN (
#define RPAREN )
#define F2(x, y) x + y
#define ELLIP_FUNC(...) __VA_ARGS__
ELLIP_FUNC(F2, LPAREN, 'a', 'b', RPAREN);
#define mtod(m, t) ((t)((char *)(m)->buf + (m)->off))
mtod(mb, struct eth *)->type;
#define foo(args...) bar(args)
foo(1,2) foo()
#define AND &
#define OBJ (1 AND 2)
#define SELF SELF + 1
SELF OBJ
#define EMPTY
#define FN() fn
FN EMPTY () FN()
`;

const CONDITIONS = String.raw`
#define TWO 2
#if defined(TWO) && TWO == 2 && !defined NOPE && (1 ? 2 : 3) == 2 && -1 < 0
ok_arith
#endif
#if -1 > 0u
ok_unsigned_conversion
#endif
#if 0xffffffffffffffff == -1
ok_wraps
#endif
#if (2 || 1/0) && !(0 && 1/0)
ok_short_circuit
#endif
#ifdef NOPE
#error not taken
' unterminated quote in a skipped line
#elif TWO > 1
ok_elif
#else
bad_else
#endif
#if UNDEFINED_NAME == 0 && 'A' == 65 && (1 << 62) > 0
ok_undefined_is_zero
#endif
`;

test('macro expansion matches gcc -E on the C standard\'s examples and GNU variadics', () => {
  const dir = tempDir();
  const file = path.join(dir, 'tricky.c');
  fs.writeFileSync(file, TRICKY);
  const result = ours(file);
  assert.deepEqual(tokens(result.text), gccTokens(file));
  assert.deepEqual(result.diagnostics, []);
});

test('#if arithmetic, defined, unsigned conversions and skipped branches match gcc -E', () => {
  const dir = tempDir();
  const file = path.join(dir, 'conditions.c');
  fs.writeFileSync(file, CONDITIONS);
  const result = ours(file);
  assert.deepEqual(tokens(result.text), gccTokens(file));
  assert.deepEqual(tokens(result.text), ['ok_arith', 'ok_unsigned_conversion', 'ok_wraps', 'ok_short_circuit', 'ok_elif', 'ok_undefined_is_zero']);
});

test('includes: guards, #pragma once, #include_next, __has_include and the -I/-isystem order', () => {
  const dir = tempDir();
  for (const sub of ['a', 'b', 'sys']) fs.mkdirSync(path.join(dir, sub));
  fs.writeFileSync(path.join(dir, 'guarded.h'), '#ifndef GUARDED_H\n#define GUARDED_H\nguarded_once\n#endif\n');
  fs.writeFileSync(path.join(dir, 'once.h'), '#pragma once\nonce_once\n');
  fs.writeFileSync(path.join(dir, 'a', 'layer.h'), 'layer_a\n#include_next <layer.h>\n');
  fs.writeFileSync(path.join(dir, 'b', 'layer.h'), 'layer_b\n');
  fs.writeFileSync(path.join(dir, 'sys', 'layer.h'), 'layer_sys\n');
  fs.writeFileSync(path.join(dir, 'sys', 'only_sys.h'), 'only_sys\n');
  const main = path.join(dir, 'main.c');
  fs.writeFileSync(main, [
    '#include "guarded.h"', '#include "guarded.h"', '#include "once.h"', '#include "once.h"',
    '#include <layer.h>', '#include <only_sys.h>',
    '#define HEADER <only_sys.h>', '#include HEADER',
    '#if __has_include(<layer.h>) && !__has_include("missing.h")', 'has_include_ok', '#endif',
  ].join('\n'));
  const search: IncludeSearch = { ...noSearch, angled: [path.join(dir, 'a'), path.join(dir, 'b')], system: [path.join(dir, 'sys')] };
  const result = ours(main, search);
  const expected = gccTokens(main, ['-I', path.join(dir, 'a'), '-I', path.join(dir, 'b'), '-isystem', path.join(dir, 'sys')]);
  assert.deepEqual(tokens(result.text), expected);
  assert.deepEqual(tokens(result.text), ['guarded_once', 'once_once', 'layer_a', 'layer_b', 'only_sys', 'only_sys', 'has_include_ok']);
  assert.ok(result.includedFiles.includes(path.join(dir, 'b', 'layer.h')));
});

test('#error in an active branch and a missing include are diagnostics at the directive', () => {
  const dir = tempDir();
  const file = path.join(dir, 'errors.c');
  const text = '#if 0\n#error inactive\n#endif\nint a;\n#error "active one"\n  #include "nowhere.h"\nint b;\n';
  fs.writeFileSync(file, text);
  const result = ours(file);
  assert.deepEqual(tokens(result.text), ['int', 'a', ';', 'int', 'b', ';']);
  assert.deepEqual(result.diagnostics.map((d) => [d.kind, d.message.slice(0, 24), d.offset]), [
    ['error-directive', '#error "active one"', text.indexOf('#error "active')],
    ['missing-include', 'cannot find include file', text.indexOf('#include')],
  ]);
});

test('the source map points expanded tokens at the invocation and argument tokens at their spelling', () => {
  const dir = tempDir();
  const file = path.join(dir, 'map.c');
  const text = '#define LIMIT 1500\n#define CHECK(v) ((v) > LIMIT)\nint f(int len) { return CHECK(len + 1); }\n';
  fs.writeFileSync(file, text);
  const result = ours(file);
  const map = result.map;
  const at = (needle: string, nth = 0) => {
    let offset = -1;
    for (let i = 0; i <= nth; i++) offset = result.text.indexOf(needle, offset + 1);
    const index = map.tokenAt(offset);
    const loc = map.locs[index]!;
    return { text: map.fileTexts[loc.file]!.slice(loc.start, loc.end), spelled: map.spelled[index] };
  };
  assert.deepEqual(at('len', 1), { text: 'len', spelled: true }); // an argument keeps its spelling
  assert.deepEqual(at('1500'), { text: 'CHECK(len + 1)', spelled: false }); // nested expansions map to the outermost invocation
  assert.deepEqual(at('>'), { text: 'CHECK(len + 1)', spelled: false });
  const position = map.position(map.locs[map.tokenAt(result.text.indexOf('return'))]!.file, text.indexOf('return'));
  assert.deepEqual(position, { line: 2, column: 17 });
});

test('line splices, comments and annotations: annotations stay, comments are spaces', () => {
  const dir = tempDir();
  const file = path.join(dir, 'splice.c');
  fs.writeFileSync(file, '#define LONG 1 + \\\n  2\nint a = LONG; /* gone */ // gone too\n/*@ bound n <= LONG */\nint b;\n//@ pcv x\nint c;\n');
  const result = ours(file);
  assert.deepEqual(tokens(result.text), ['int', 'a', '=', '1', '+', '2', ';', '/*@ bound n <= LONG */', 'int', 'b', ';', '//@ pcv x', 'int', 'c', ';']);
});
