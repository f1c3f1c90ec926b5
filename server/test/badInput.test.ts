// Bad input gets a clear, coded report and loses nothing: the rest of the file is still analysed.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { analyze, AnalysisResult } from '../src/core/analysis';
import { diskFileSystem } from '../src/cli/main';
import { Reasons } from '../src/core/reasons';
import { hexToBytes } from '../src/core/contract/witness';

const engine = path.resolve(__dirname, '../../../test-fixtures/engine');

async function analyzeFixture(name: string, options = {}): Promise<AnalysisResult> {
  return analyze([{ path: path.join(engine, name) }], options, diskFileSystem);
}

function contract(result: AnalysisResult, name: string) {
  const found = result.contracts.find((c) => c.name === name);
  assert.ok(found, `no contract for ${name}; have ${result.contracts.map((c) => c.name).join(', ')}`);
  return found;
}

test('a syntax error skips only the broken function', async () => {
  const result = await analyzeFixture('syntax_error.c');
  const diagnostic = result.diagnostics.find((d) => d.reason === 'syntax-error');
  assert.equal(diagnostic?.functionName, 'broken_fn');
  assert.equal(Reasons['syntax-error'].code, 'PC401');
  assert.ok(contract(result, 'good_fn').complete);
  assert.ok(!result.contracts.some((c) => c.name === 'broken_fn'));
});

test('a missing include is reported and the function is still analysed', async () => {
  const result = await analyzeFixture('missing_include.c');
  const diagnostic = result.diagnostics.find((d) => d.reason === 'missing-include');
  assert.match(diagnostic?.message ?? '', /does_not_exist\.h/);
  assert.equal(diagnostic?.startLine, 3);
  assert.ok(contract(result, 'missing_include_entry').complete);
});

test('goto is refused with a reason at its line, other functions are analysed', async () => {
  const result = await analyzeFixture('unsupported_goto.c');
  const diagnostic = result.diagnostics.find((d) => d.functionName === 'uses_goto');
  assert.equal(diagnostic?.reason, 'unsupported');
  assert.match(diagnostic?.message ?? '', /goto/);
  assert.ok(contract(result, 'no_goto').complete);
});

test('recursion ends the path as incomplete with PC201', async () => {
  const c = contract(await analyzeFixture('recursion.c'), 'recursion_entry');
  assert.equal(c.complete, false);
  assert.ok(c.incompleteReasons.some((r) => r.code === 'PC201'));
});

test('a possible division by zero becomes an error class with a witness that divides by zero', async () => {
  const c = contract(await analyzeFixture('div_by_zero.c'), 'div_by_zero_entry');
  const errorClass = c.classes.find((k) => k.reason?.kind === 'division-by-zero');
  assert.ok(errorClass, 'no division-by-zero class');
  assert.equal(errorClass.outcome, 'error');
  // The divisor is the packet's first byte: 0 (bytes past the witness's text are 0).
  assert.equal(hexToBytes(errorClass.witness.memory.pkt ?? '')[0] ?? 0, 0);
});

test('an out-of-bounds read becomes an error class whose witness index is out of range', async () => {
  const c = contract(await analyzeFixture('out_of_bounds.c'), 'out_of_bounds_entry');
  const errorClass = c.classes.find((k) => k.reason?.kind === 'out-of-bounds');
  assert.ok(errorClass);
  assert.ok(Number(errorClass.witness.args.idx) >= 16);
  assert.ok(c.classes.some((k) => k.outcome === 'return'));
});

test('a call without a body is listed as unmodelled and its classes are lower bounds', async () => {
  const c = contract(await analyzeFixture('unknown_call.c'), 'unknown_call_entry');
  assert.deepEqual(c.unmodelledCalls.map((u) => u.callee), ['lookup_route']);
  assert.ok(c.classes.some((k) => k.lowerBound));
  const withCall = c.classes.find((k) => k.lowerBound)!;
  assert.ok(withCall.witness.externals && 'lookup_route#1' in withCall.witness.externals);
});

test('without loop summaries, a loop bounded only by the input ends as needs-pcv past the unroll limit', async () => {
  const c = contract(await analyzeFixture('unbounded_loop.c', { execution: { unrollLimit: 3, summarizeLoops: false } }), 'unbounded_loop_entry');
  assert.equal(c.complete, false);
  assert.ok(c.incompleteReasons.some((r) => r.kind === 'needs-pcv'));
  assert.ok(c.classes.some((k) => k.outcome === 'incomplete'));
});

test('path explosion stops at the path limit and says so', async () => {
  const c = contract(await analyzeFixture('path_explosion.c', { execution: { maxPaths: 64 } }), 'path_explosion_entry');
  assert.equal(c.statistics.paths, 64);
  assert.equal(c.complete, false);
  assert.ok(c.incompleteReasons.some((r) => r.code === 'PC301'));
});

test('cancellation ends the analysis as incomplete instead of hanging', async () => {
  const controller = new AbortController();
  controller.abort();
  const c = contract(await analyzeFixture('path_explosion.c', { execution: { signal: controller.signal } }), 'path_explosion_entry');
  assert.equal(c.complete, false);
  assert.ok(c.incompleteReasons.some((r) => r.kind === 'cancelled'));
});

test('malformed half-typed C never throws', async () => {
  const text = 'int f(int a) { if (a > 3 { return a +; }\nint g(int b) { return b * 2; }\nstruct s { int x';
  const result = await analyze([{ path: '/virtual/half.c', text }], {}, { readFile: () => undefined });
  assert.ok(result.diagnostics.some((d) => d.reason === 'syntax-error'));
});

test('every prefix of the example NF (half-typed code) is analysed without throwing', async () => {
  const fs = await import('fs');
  const file = path.resolve(engine, '..', 'packet_parser.c');
  const text = fs.readFileSync(file, 'utf8');
  const cuts = [0.15, 0.3, 0.45, 0.6, 0.7, 0.8, 0.9, 0.97].map((f) => Math.floor(text.length * f));
  for (const cut of cuts) {
    const result = await analyze([{ path: file, text: text.slice(0, cut) }], { execution: { maxPaths: 16 } as never }, diskFileSystem);
    assert.ok(Array.isArray(result.contracts), `prefix of ${cut} characters`);
    assert.ok(!result.diagnostics.some((d) => d.reason === 'internal-error'), `internal error on a prefix of ${cut} characters: ${result.diagnostics.map((d) => d.message).join('; ')}`);
    assert.ok(!result.contracts.some((c) => c.incompleteReasons.some((r) => r.kind === 'internal-error')), `internal error exploring a prefix of ${cut} characters`);
  }
});

test('floating point and variable-length arrays are refused, with the construct named: the function, or the paths through the statement', async () => {
  const text = 'int f(int n) { int a[n]; a[0] = 1; return a[0]; }\nint g(double x) { return 1; }\nint h(int y) { return y + 1; }\n';
  const result = await analyze([{ path: '/virtual/refused.c', text }], {}, { readFile: () => undefined });
  const byFunction = new Map(result.diagnostics.map((d) => [d.functionName, d]));
  assert.match(byFunction.get('f')?.message ?? '', /variable-length array/);
  assert.equal(byFunction.get('f')?.reason, 'unsupported');
  assert.match(byFunction.get('g')?.message ?? '', /floating point \('double'\)/);
  // A parameter's type stops the whole function; a statement stops the paths that reach it, here all of f's.
  assert.deepEqual(result.contracts.map((c) => c.name), ['f', 'h']);
  const f = result.contracts[0]!;
  assert.equal(f.complete, false);
  assert.deepEqual(f.classes.map((c) => `${c.outcome} ${c.reason?.kind}`), ['incomplete unsupported']);
  assert.match(f.classes[0]!.reason!.message, /variable-length array/);
});

test('analyze() reuses the parsed and lowered unit only while every file it read, found or not, reads the same', async () => {
  const texts: Record<string, string | undefined> = { '/v/main.c': '#include "k.h"\nint f(void) { return K; }\n', '/v/k.h': '#define K 3\n' };
  const fileSystem = { readFile: (p: string) => texts[p] };
  const returns = (r: AnalysisResult) => r.contracts[0]!.classes.flatMap((c) => c.returns ?? []);
  const first = await analyze([{ path: '/v/main.c' }], {}, fileSystem);
  assert.deepEqual(returns(first), ['3']);
  const again = await analyze([{ path: '/v/main.c' }], {}, fileSystem);
  assert.equal(again.program, first.program, 'nothing changed: the unit is reused');
  texts['/v/k.h'] = '#define K 4\n';
  const edited = await analyze([{ path: '/v/main.c' }], {}, fileSystem);
  assert.notEqual(edited.program, first.program);
  assert.deepEqual(returns(edited), ['4']);
  delete texts['/v/k.h'];
  const missing = await analyze([{ path: '/v/main.c' }], {}, fileSystem);
  assert.ok(missing.diagnostics.some((d) => d.reason === 'missing-include'));
  texts['/v/k.h'] = '#define K 5\n';
  const found = await analyze([{ path: '/v/main.c' }], {}, fileSystem);
  assert.ok(!found.diagnostics.some((d) => d.reason === 'missing-include'));
  assert.deepEqual(returns(found), ['5']);
  const defined = await analyze([{ path: '/v/main.c' }], { defines: { EXTRA: '1' } }, fileSystem);
  assert.notEqual(defined.program, found.program, 'other options: parsed again');
});
