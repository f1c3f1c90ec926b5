// compile_commands.json as the language server reads it: every preprocessor flag of the file's entry, read the way the CLI reads gcc's flags.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { compileFlagsFor } from '../src/lsp/serverSettings';

const root = '/work/project';
const database = (entries: unknown[]) => (p: string) => (p === path.join(root, 'compile_commands.json') ? JSON.stringify(entries) : undefined);

test('every preprocessor flag of the entry reaches the front end, relative folders from its directory', () => {
  const flags = compileFlagsFor(path.join(root, 'src', 'nf.c'), [root], database([
    { directory: path.join(root, 'build'), file: '../src/nf.c', arguments: ['gcc', '-O2', '-march=native', '-I../include', '-isystem', '/opt/dpdk/include', '-iquote', 'gen', '-idirafter', '/opt/late', '-include', 'rte_config.h', '-DMAX_FLOWS=1024', '-UNDEBUG', '-std=gnu11', '-o', 'nf.o', '-c', '../src/nf.c'] },
  ]));
  assert.equal(flags.problem, undefined);
  assert.deepEqual(flags.includeDirs, [path.join(root, 'include')]);
  assert.deepEqual(flags.defines, { MAX_FLOWS: '1024', __OPTIMIZE__: '1' });
  const fe = flags.frontEnd!;
  assert.deepEqual(fe.systemIncludeDirs, ['/opt/dpdk/include']);
  assert.deepEqual(fe.quoteIncludeDirs, [path.join(root, 'build', 'gen')]);
  assert.deepEqual(fe.afterIncludeDirs, ['/opt/late']);
  assert.deepEqual(fe.forcedIncludes, ['rte_config.h']);
  assert.deepEqual(fe.undefines, ['NDEBUG']);
  // A real build's command: gcc's own headers and macros, as the CLI does for the same flags.
  assert.ok(fe.builtinIncludeDirs && fe.builtinIncludeDirs.length > 0);
  assert.match(fe.predefines ?? '', /#define __STDC_VERSION__ 201112L/);
});

test('a command with only -I and -D keeps the modelled C library, and a command string is split like a shell', () => {
  const flags = compileFlagsFor(path.join(root, 'app.c'), [root], database([
    { directory: root, file: 'app.c', command: 'cc -I lib "-DGREETING=\\"hi there\\"" app.c' },
  ]));
  assert.deepEqual(flags.includeDirs, [path.join(root, 'lib')]);
  assert.deepEqual(flags.defines, { GREETING: '"hi there"' });
  assert.equal(flags.frontEnd!.builtinIncludeDirs, undefined);
});

test('no entry for the file: no flags; a broken database is a problem to report', () => {
  assert.deepEqual(compileFlagsFor(path.join(root, 'other.c'), [root], database([{ directory: root, file: 'app.c', command: 'cc -Ilib app.c' }])).includeDirs, []);
  const broken = compileFlagsFor(path.join(root, 'app.c'), [root], (p) => (p === path.join(root, 'compile_commands.json') ? '{ not json' : undefined));
  assert.match(broken.problem ?? '', /not valid JSON/);
});
