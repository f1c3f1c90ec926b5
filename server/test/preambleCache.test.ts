// A build that resumes from a cached preamble and reparses incrementally equals a full one; a changed header, flag or preamble misses.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import { spawnSync } from 'child_process';
import { FileSystem, FrontEndOptions, buildTranslationUnit, clearPreambleCache, preambleCacheStatistics } from '../src/core/syntax/translationUnit';
import { lowerProgram } from '../src/core/ir/lowerProgram';
import { analyze } from '../src/core/analysis';
import { emptyCompilerFlags, frontEndOptions, readCompilerFlag } from '../src/cli/compilerFlags';

/** Everything a build gives that the rest of the engine reads: expanded text, places, declarations, IR. */
async function buildSummary(files: FileSystem, main: string, text: string | undefined, options: FrontEndOptions): Promise<Record<string, string>> {
  const unit = await buildTranslationUnit([{ path: main, text }], options, files);
  try {
    const lowered = lowerProgram(unit);
    const plain = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (v instanceof Map || v instanceof Set ? [...v] : typeof v === 'bigint' ? `${v}n` : v));
    return {
      text: unit.files.get(main)?.text ?? '<no main file>',
      // The whole syntax tree, so that an incremental reparse is checked against a fresh one.
      tree: unit.files.get(main)?.tree.rootNode.toString() ?? '<no tree>',
      headers: plain([...unit.files.entries()].map(([p, f]) => [p, f.text.length])),
      diagnostics: plain(unit.diagnostics),
      functions: plain([...unit.functions.values()].map((f) => [f.name, f.file, f.line, !!f.definition, f.definition ? unit.sourceRange(f.definition).startLine : -1])),
      macros: plain([...unit.macros.values()]),
      program: plain(lowered.program),
      loweringDiagnostics: plain(lowered.diagnostics),
    };
  } finally {
    unit.dispose();
  }
}

function assertSame(actual: Record<string, string>, expected: Record<string, string>, what: string): void {
  for (const key of Object.keys(expected)) assert.equal(actual[key], expected[key], `${what}: ${key} differs`);
}

/** Hits and misses of the process's preamble cache during `run`. */
async function counted<T>(run: () => Promise<T>): Promise<{ value: T; hits: number; misses: number }> {
  const before = preambleCacheStatistics();
  const value = await run();
  const after = preambleCacheStatistics();
  return { value, hits: after.hits - before.hits, misses: after.misses - before.misses };
}

const HEADERS: Record<string, string> = {
  '/proj/include/ring/slot.h': [
    '/* A slot of a ring: guarded, and its accessor is a function-like macro. */',
    '#ifndef RING_SLOT_H',
    '#define RING_SLOT_H',
    'typedef unsigned short slot_len_t;',
    'struct slot { unsigned char *data; slot_len_t len; unsigned hits; };',
    '#define SLOT_AT(s, off, T) (*(T *)((s)->data + (off)))',
    '#ifdef RING_TRACE',
    'static inline void slot_trace(struct slot *s) { s->hits += 2; }',
    '#else',
    'static inline void slot_trace(struct slot *s) { (void)s; }',
    '#endif',
    '#endif',
    '',
  ].join('\n'),
  '/proj/include/ring/mix.h': [
    '#pragma once',
    '#include "slot.h"',
    'static inline unsigned mix(unsigned a, unsigned b) { return (a << 5) ^ (b >> 3) ^ MIX_SEED; }',
    'static inline unsigned unused_in_main(unsigned a) { return a * 3; }',
    '',
  ].join('\n'),
};

const MAIN = '/proj/src/fwd.c';
const MAIN_TEXT = [
  '// Forwards slots; the preamble defines what the headers test.',
  '#define RING_TRACE 1',
  '#define MIX_SEED 0x2f',
  '#include <ring/mix.h>',
  '#include <ring/slot.h>',
  '#include "absent_config.h"',
  '#if defined(RING_TRACE) && MIX_SEED > 16',
  '#define BIG_SEED 1',
  '#endif',
  '',
  '/* The handler. */',
  'int forward(struct slot *s, unsigned key) {',
  '  slot_trace(s);',
  '  if (s->len < 4) return -1;',
  '  unsigned short port = SLOT_AT(s, 2, unsigned short);',
  '#ifdef BIG_SEED',
  '  key = mix(key, port);',
  '#endif',
  '  return (int)(key & 7) + __LINE__ + __COUNTER__;',
  '}',
  '',
].join('\n');

/** An editor's view of the files: a map, so that a test can change a header or add a missing one. */
function memoryFiles(): { files: Map<string, string>; fileSystem: FileSystem } {
  const files = new Map(Object.entries(HEADERS));
  return { files, fileSystem: { readFile: (p) => files.get(p) } };
}

const OPTIONS: FrontEndOptions = { includeDirs: ['/proj/include', '/proj/include/ring'], defines: { FWD_BUILD: '1' } };

test('a build resumed from the cached preamble equals a full build, before and after an edit below the preamble', async () => {
  clearPreambleCache();
  const { fileSystem } = memoryFiles();
  const uncached = await buildSummary(fileSystem, MAIN, MAIN_TEXT, { ...OPTIONS, incremental: false });
  assert.match(uncached.diagnostics, /absent_config\.h/, 'the missing include is reported');
  assert.match(uncached.text, /s->hits \+= 2/, 'the #ifdef in the header sees the preamble macro');
  assert.match(uncached.text, /mix\(key, port\)/, 'the #if on preamble macros is taken');
  const first = await counted(() => buildSummary(fileSystem, MAIN, MAIN_TEXT, OPTIONS));
  assert.deepEqual([first.hits, first.misses], [0, 1]);
  assertSame(first.value, uncached, 'the build that fills the cache');
  const second = await counted(() => buildSummary(fileSystem, MAIN, MAIN_TEXT, OPTIONS));
  assert.deepEqual([second.hits, second.misses], [1, 0]);
  assertSame(second.value, uncached, 'the same text from the cache');
  // A one-line edit inside the function, and one just below the preamble (a comment and a declaration).
  for (const edited of [
    MAIN_TEXT.replace('  if (s->len < 4) return -1;', '  if (s->len < 6) return -2;\n  s->hits++;'),
    MAIN_TEXT.replace('/* The handler. */', '/* The handler, edited. */\nstatic int seen;\n#define LOCAL_MAX 9'),
  ]) {
    const expected = await buildSummary(fileSystem, MAIN, edited, { ...OPTIONS, incremental: false });
    const resumed = await counted(() => buildSummary(fileSystem, MAIN, edited, OPTIONS));
    assert.deepEqual([resumed.hits, resumed.misses], [1, 0]);
    assertSame(resumed.value, expected, 'an edit below the preamble');
    assert.notEqual(resumed.value.text, uncached.text);
  }
});

test('a changed header, a header that appears, a changed flag or a changed preamble misses the cache', async () => {
  clearPreambleCache();
  const { files, fileSystem } = memoryFiles();
  await buildSummary(fileSystem, MAIN, MAIN_TEXT, OPTIONS);
  const cases: [string, () => { text: string; options: FrontEndOptions }, RegExp][] = [
    ['a header changed', () => {
      files.set('/proj/include/ring/slot.h', HEADERS['/proj/include/ring/slot.h']!.replace('s->hits += 2', 's->hits += 5'));
      return { text: MAIN_TEXT, options: OPTIONS };
    }, /s->hits \+= 5/],
    ['a missing header appeared', () => {
      files.set('/proj/src/absent_config.h', '#define CONFIG_SEEN 1\nint config_value;\n');
      return { text: MAIN_TEXT, options: OPTIONS };
    }, /int config_value;/],
    ['a -D flag changed', () => ({ text: MAIN_TEXT, options: { ...OPTIONS, defines: { FWD_BUILD: '2' } } }), /mix\(key, port\)/],
    ['an -I folder was added', () => ({ text: MAIN_TEXT, options: { ...OPTIONS, includeDirs: [...OPTIONS.includeDirs, '/proj/other'] } }), /mix\(key, port\)/],
    ['the preamble changed', () => ({ text: MAIN_TEXT.replace('#define MIX_SEED 0x2f', '#define MIX_SEED 0x0f'), options: OPTIONS }), /^(?![\s\S]*mix\(key, port\))/],
  ];
  for (const [what, change, expectedText] of cases) {
    const { text, options } = change();
    const expected = await buildSummary(fileSystem, MAIN, text, { ...options, incremental: false });
    const built = await counted(() => buildSummary(fileSystem, MAIN, text, options));
    assert.deepEqual([built.hits, built.misses], [0, 1], `${what}: must miss`);
    assertSame(built.value, expected, what);
    assert.match(built.value.text, expectedText, `${what}: the change is seen`);
    // The snapshot just made is used by the next build of the same text.
    const again = await counted(() => buildSummary(fileSystem, MAIN, text, options));
    assert.deepEqual([again.hits, again.misses], [1, 0], `${what}: the new preamble is cached`);
  }
  assert.ok(preambleCacheStatistics().entries <= 3, 'at most three preambles are kept');
});

test('a file with no directive before its code, or with only directives, builds without a preamble', async () => {
  clearPreambleCache();
  const { fileSystem } = memoryFiles();
  for (const text of ['int f(int x) { return x + 1; }\n#define LATE 1\n', '#define ONLY 1\n#include <ring/slot.h>\n']) {
    const expected = await buildSummary(fileSystem, MAIN, text, { ...OPTIONS, incremental: false });
    const built = await counted(() => buildSummary(fileSystem, MAIN, text, OPTIONS));
    assert.deepEqual([built.hits, built.misses], [0, 0]);
    assertSame(built.value, expected, JSON.stringify(text));
  }
});

/** The real units this machine has: DPDK's l2fwd when its headers are installed (npm test installs them). */
function realUnits(): { main: string; options: FrontEndOptions }[] {
  const main = '/usr/share/dpdk/examples/l2fwd/main.c';
  const cflags = spawnSync('pkg-config', ['--cflags', 'libdpdk'], { encoding: 'utf8' });
  if (!fs.existsSync('/usr/include/dpdk') || !fs.existsSync(main) || cflags.status !== 0) return [];
  const argv = [...cflags.stdout.trim().split(/\s+/), '-I', '/usr/share/dpdk/examples/l2fwd'];
  const flags = emptyCompilerFlags();
  for (let i = 0; i < argv.length; i++) i += Math.max(1, readCompilerFlag(argv, i, flags)) - 1;
  return [{ main, options: frontEndOptions(flags, true) }];
}

test('a real unit (DPDK l2fwd when installed, else the fixture through the disk) is the same cached and uncached after an edit', async () => {
  clearPreambleCache();
  const disk: FileSystem = { readFile: (p) => { try { return fs.readFileSync(p, 'utf8'); } catch { return undefined; } } };
  const { fileSystem: memory } = memoryFiles();
  const units = realUnits().map((u) => ({ ...u, fileSystem: disk, text: fs.readFileSync(u.main, 'utf8') }));
  units.push({ main: MAIN, options: OPTIONS, fileSystem: memory, text: MAIN_TEXT });
  for (const unit of units) {
    // The first function definition gets one more statement: a one-line edit below the preamble.
    const edited = unit.text.replace(/\n(static |int )([^;{]*\)\s*\{)/, '\n$1$2\n\tvolatile int edited_line = 1; (void)edited_line;');
    assert.notEqual(edited, unit.text, `${unit.main}: the edit applies`);
    const expected = await buildSummary(unit.fileSystem, unit.main, edited, { ...unit.options, incremental: false });
    await buildSummary(unit.fileSystem, unit.main, unit.text, unit.options);
    const reparsed = preambleCacheStatistics().reparses;
    const resumed = await counted(() => buildSummary(unit.fileSystem, unit.main, edited, unit.options));
    assert.deepEqual([resumed.hits, resumed.misses], [1, 0], unit.main);
    assert.equal(preambleCacheStatistics().reparses, reparsed + 1, `${unit.main}: the tree was reparsed incrementally`);
    assertSame(resumed.value, expected, unit.main);
    assert.match(resumed.value.text, /edited_line/);
  }
});

test('the analysis rebuilds a unit for an entry whose body was blanked from the cached preamble, with the same program', async () => {
  clearPreambleCache();
  const { fileSystem } = memoryFiles();
  const request = (incremental: boolean) => analyze([{ path: MAIN, text: MAIN_TEXT }], {
    includeDirs: OPTIONS.includeDirs, defines: OPTIONS.defines, frontEnd: { incremental }, entries: ['unused_in_main'], lowerOnly: true,
  }, fileSystem);
  const plain = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (v instanceof Map || v instanceof Set ? [...v] : typeof v === 'bigint' ? `${v}n` : v));
  const expected = await request(false);
  assert.ok(expected.program.functions.has('unused_in_main'), 'the header function is lowered for the entry');
  const built = await counted(() => request(true));
  // The first build fills the cache; the rebuild with the entry's body kept resumes from it.
  assert.deepEqual([built.hits, built.misses], [1, 1]);
  assert.equal(plain(built.value.program), plain(expected.program));
  assert.equal(plain(built.value.diagnostics), plain(expected.diagnostics));
});
