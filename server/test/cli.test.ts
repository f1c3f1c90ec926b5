// The perfcontract command line, run as a user would: a real process, real files, real output.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { cli, repo } from './support/runCli';

const parser = path.join(repo, 'test-fixtures', 'packet_parser.c');


test('contract --format json prints the documented fields', async () => {
  const { code, stdout } = await cli(['contract', parser, '--format', 'json']);
  assert.equal(code, 0);
  const json = JSON.parse(stdout);
  assert.equal(json.version, 1);
  const fn = json.functions[0];
  assert.equal(fn.name, 'handle_packet');
  for (const key of ['name', 'file', 'range', 'pcvs', 'classes', 'worstCase', 'complete', 'incompleteReasons']) assert.ok(key in fn, key);
  for (const c of fn.classes) {
    for (const key of ['id', 'condition', 'cost', 'paths', 'witness']) assert.ok(key in c, key);
    assert.match(c.cost.instructions, /^\d+$/);
  }
  assert.ok(fn.classes.some((c: { id: string }) => c.id === fn.worstCase.class));
});

test('run places every witness of the example NF in its own class with the same cost', async () => {
  const { stdout } = await cli(['contract', parser, '--format', 'json']);
  const fn = JSON.parse(stdout).functions[0];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-'));
  for (const c of fn.classes.slice(0, 4)) {
    const input = path.join(dir, `${c.id}.json`);
    fs.writeFileSync(input, JSON.stringify(c.witness));
    const result = await cli(['run', parser, '--entry', 'handle_packet', '--input', input, '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.class, c.id);
    assert.equal(String(report.cost.instructions), c.cost.instructions);
    assert.equal(String(report.cost.memory_accesses), c.cost.memory_accesses);
  }
});

test('markdown is the default format and -D selects #ifdef branches', async () => {
  const macros = path.join(repo, 'test-fixtures', 'engine', 'macros.c');
  const plain = await cli(['contract', macros]);
  const featured = await cli(['contract', macros, '-D', 'FEATURE_X']);
  assert.equal(plain.code, 0);
  assert.match(plain.stdout, /^## `/);
  assert.notEqual(plain.stdout, featured.stdout);
});

test('usage errors exit with 2 and say what is wrong', async () => {
  assert.equal((await cli([])).code, 2);
  const unknown = await cli(['contract', parser, '--bogus']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--bogus'/);
  const missing = await cli(['contract', '/nonexistent/file.c']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read/);
  const entry = await cli(['contract', parser, '--entry', 'no_such_function']);
  assert.equal(entry.code, 1);
  assert.match(entry.stderr, /no function named 'no_such_function'/);
});

test('--inline gives the contract summaries give (the default), and the old --compositional switches are accepted', async () => {
  const file = path.join(repo, 'test-fixtures', 'packet_parser.c');
  const shape = (stdout: string) => (JSON.parse(stdout) as { functions: { name: string; classes: { id: string; condition: string; cost: Record<string, string>; outcome: string }[] }[] }).functions
    .map((f) => ({ name: f.name, classes: f.classes.map((c) => ({ id: c.id, condition: c.condition, cost: c.cost, outcome: c.outcome })) }));
  const inlined = await cli(['contract', file, '--format', 'json', '--inline']);
  const summarised = await cli(['contract', file, '--format', 'json']);
  const old = await cli(['contract', file, '--format', 'json', '--compositional', '--compositional-loops']);
  assert.equal(inlined.code, 0, inlined.stderr);
  assert.equal(summarised.code, 0, summarised.stderr);
  assert.equal(old.code, 0, old.stderr);
  assert.deepEqual(shape(summarised.stdout), shape(inlined.stdout));
  assert.deepEqual(shape(old.stdout), shape(summarised.stdout));
});

test('--full-unroll-limit decides which constant-bound loops run in full, and the JSON says which limit it used', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-'));
  const file = path.join(dir, 'dscp.c');
  // A countdown over a constant table with an early exit: 8 iterations at most.
  fs.writeFileSync(file, [
    '#include <stdint.h>',
    'static const uint8_t classes[8] = { 0, 8, 10, 18, 26, 34, 46, 48 };',
    'int dscp_class(uint8_t tos) {',
    '    for (int k = 7; k >= 0; k -= 1)',
    '        if (classes[k] == (tos >> 2)) return k;',
    '    return -1;',
    '}',
    '',
  ].join('\n'));
  const full = JSON.parse((await cli(['contract', file, '--format', 'json'])).stdout).functions[0];
  assert.equal(full.fullUnrollLimit, 64);
  assert.deepEqual(full.pcvs, []);
  assert.equal(full.classes.length, 9);
  const summarised = JSON.parse((await cli(['contract', file, '--format', 'json', '--full-unroll-limit', '7'])).stdout).functions[0];
  assert.equal(summarised.fullUnrollLimit, 7);
  assert.deepEqual(summarised.pcvs.map((p: { name: string }) => p.name), ['iterations@dscp_class:4']);
  assert.equal((await cli(['contract', file, '--full-unroll-limit', '-1'])).code, 2);
});

test('an expression nested 2,000 deep ends its function with PC205, and the other functions still get contracts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-'));
  const file = path.join(dir, 'deep.c');
  const sum = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? 'v' : '(v ^ 1)')).join(' + ');
  fs.writeFileSync(file, `#include <stdint.h>\nuint32_t deep(uint32_t v) { return ${sum}; }\nint shallow(int a) { if (a > 3) return 1; return 0; }\n`);
  const { code, stdout, stderr } = await cli(['contract', file, '--format', 'json']);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /Maximum call stack/);
  const functions = JSON.parse(stdout).functions as { name: string; complete: boolean; incompleteReasons: { code: string }[]; classes: unknown[] }[];
  const deep = functions.find((f) => f.name === 'deep')!;
  assert.equal(deep.complete, false);
  assert.deepEqual(deep.incompleteReasons.map((r) => r.code), ['PC205']);
  const shallow = functions.find((f) => f.name === 'shallow')!;
  assert.ok(shallow.complete);
  assert.ok(shallow.classes.length >= 1);
});

test('run --contract places the witness in the saved contract by path identity, without analysing again', async () => {
  const { stdout } = await cli(['contract', parser, '--format', 'json']);
  const saved = JSON.parse(stdout);
  // Renamed classes prove that the answer comes from the saved file, not from a new analysis.
  for (const c of saved.functions[0].classes) c.id = `saved-${c.id}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-'));
  const contractFile = path.join(dir, 'saved.json');
  fs.writeFileSync(contractFile, JSON.stringify(saved));
  for (const c of saved.functions[0].classes.slice(0, 3)) {
    const input = path.join(dir, `${c.id}.json`);
    fs.writeFileSync(input, JSON.stringify(c.witness));
    const result = await cli(['run', parser, '--entry', 'handle_packet', '--input', input, '--contract', contractFile, '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.class, c.id);
    assert.equal(String(report.cost.instructions), c.cost.instructions);
  }
  const missing = await cli(['run', parser, '--entry', 'no_such_function', '--input', path.join(dir, `${saved.functions[0].classes[0].id}.json`), '--contract', contractFile]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no contract for 'no_such_function'/);
});
