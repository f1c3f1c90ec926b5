// An error on one of z3's threads must not end the process: z3 is given up on and the analysis ends incomplete.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { execFile } from 'child_process';
import { promisify } from 'util';

const run = promisify(execFile);

// Runs in a child process, because the failure is delivered as an uncaught exception.
function script(failures: number): string {
  return `
const { analyze } = require(${JSON.stringify(path.resolve(__dirname, '../src/core/analysis.js'))});
const files = { '/v/a.c': 'int f(int x, int y) { if (x > 3) { if (y < x) return 1; return 2; } return 3; }\\n' };
const fs = { readFile: (p) => files[p] };
(async () => {
  const before = await analyze([{ path: '/v/a.c' }], {}, fs);
  for (let i = 0; i < ${failures}; i++) {
    // What z3's thread pool reports when one of its threads dies.
    await new Promise((resolve) => {
      setImmediate(() => { throw new Error('Pthread 0x0 sent an error! undefined:undefined: Maximum call stack size exceeded'); });
      setTimeout(resolve, 50);
    });
  }
  const after = await analyze([{ path: '/v/a.c' }], {}, fs);
  process.stdout.write(JSON.stringify({ before: before.contracts[0].complete, after: after.contracts[0].complete, codes: after.contracts[0].incompleteReasons.map((r) => r.code), failure: after.solverFailure, failureBefore: before.solverFailure }));
})();
`;
}

interface Outcome { before: boolean; after: boolean; codes: string[]; failure?: string; failureBefore?: string }

test('after a z3 thread failure z3 is given up: later queries answer unknown and the result says so', async () => {
  const { stdout } = await run(process.execPath, ['-e', script(1)]);
  const result = JSON.parse(stdout) as Outcome;
  assert.equal(result.before, true);
  assert.equal(result.failureBefore, undefined);
  assert.equal(result.after, false);
  assert.ok(result.codes.includes('PC304'), result.codes.join(', '));
  assert.match(result.failure ?? '', /^z3 failed 1 times? and is no longer used in this process: Pthread/);
});

test('other uncaught exceptions still end the process with an error', async () => {
  const script = `require(${JSON.stringify(path.resolve(__dirname, '../src/core/analysis.js'))}).analyze([{ path: '/v/a.c' }], {}, { readFile: () => 'int f(int x) { return x > 1; }' })
    .then(() => setImmediate(() => { throw new Error('an ordinary bug'); }));`;
  await assert.rejects(run(process.execPath, ['-e', script]), (error: { code: number; stderr: string }) => error.code === 1 && /an ordinary bug/.test(error.stderr));
});

// A call into z3 that spins on a lock blocks the main thread: no timer can end it, the CLI's watchdog thread does.
test('the CLI watchdog ends a process whose main thread stays blocked, with PC305 on stderr', async () => {
  const blocked = `
const { startWatchdog } = require(${JSON.stringify(path.resolve(__dirname, '../src/cli/watchdog.js'))});
startWatchdog(1500);
setTimeout(() => { process.stdout.write('blocking\\n'); for (;;) {} }, 100);
`;
  const started = Date.now();
  await assert.rejects(run(process.execPath, ['-e', blocked], { timeout: 60_000 }), (error: { signal: string; stdout: string; stderr: string }) => {
    assert.equal(error.signal, 'SIGKILL');
    assert.equal(error.stdout, 'blocking\n');
    assert.match(error.stderr, /^perfcontract: PC305 the analysis stopped responding for \d+ s/);
    return true;
  });
  assert.ok(Date.now() - started < 30_000, 'the watchdog fired long after its limit');
});

test('the CLI watchdog leaves a responsive process alone and does not keep it alive', async () => {
  const responsive = `
const { startWatchdog } = require(${JSON.stringify(path.resolve(__dirname, '../src/cli/watchdog.js'))});
const watchdog = startWatchdog(1000);
let ticks = 0;
const interval = setInterval(() => { if (++ticks === 30) { clearInterval(interval); process.stdout.write('done'); } }, 100);
`;
  const { stdout } = await run(process.execPath, ['-e', responsive], { timeout: 60_000 });
  assert.equal(stdout, 'done');
});

test('checks run on the calling thread: z3 starts no thread over many back-to-back checks', async () => {
  const { Z3Solver, z3ThreadCount } = await import('../src/core/solver/solver');
  const { bv, compare, symbol } = await import('../src/core/term/expr');
  const solver = new Z3Solver({ timeoutMs: 5000, resourceLimit: 5_000_000 });
  const x = symbol('x', 32);
  for (let i = 0; i < 300; i++) {
    const { result } = await solver.check([compare('ult', x, bv(BigInt(i + 1), 32))]);
    assert.equal(result, 'sat');
  }
  assert.equal(z3ThreadCount(), 0);
});

test('on the calling thread a query\'s timeout bounds it through z3\'s resource limit', async () => {
  const { Z3Solver } = await import('../src/core/solver/solver');
  const { binary, bv, compare, symbol } = await import('../src/core/term/expr');
  // Factoring a product of two 16-bit primes: easy for z3, but not within 4,000 resource units (1 ms).
  const a = symbol('a', 32);
  const b = symbol('b', 32);
  const query = [
    compare('ult', bv(1n, 32), a), compare('ult', bv(1n, 32), b), compare('ult', a, bv(1n << 16n, 32)), compare('ult', b, bv(1n << 16n, 32)),
    compare('eq', binary('mul', a, b), bv(65521n * 65519n, 32)),
  ];
  assert.equal((await new Z3Solver({ timeoutMs: 1, resourceLimit: 10_000_000 }).check(query)).result, 'unknown');
  const solved = await new Z3Solver({ timeoutMs: 5000, resourceLimit: 10_000_000 }).check(query);
  assert.equal(solved.result, 'sat');
  assert.equal(solved.model!.scalar('a', 32) * solved.model!.scalar('b', 32), 65521n * 65519n);
});

test('checks on the calling thread let the event loop run (a language server worker sees its cancellations)', async () => {
  const { Z3Solver } = await import('../src/core/solver/solver');
  const { bv, compare, symbol } = await import('../src/core/term/expr');
  const solver = new Z3Solver({ timeoutMs: 5000, resourceLimit: 5_000_000 });
  const x = symbol('y', 32);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const started = performance.now();
  // Every check answers through an already-settled promise; without a yield the timer would not run until the loop ends.
  for (let i = 0; performance.now() - started < 300; i++) await solver.check([compare('ult', x, bv(BigInt(i + 1), 32))]);
  clearInterval(timer);
  assert.ok(ticks > 0, 'the timer never ran while the checks went on');
});

test('with PERFCONTRACT_Z3_THREADS=1, checks run on one z3 thread, kept over many back-to-back checks (each thread is a worker isolate kept for good)', async () => {
  const script = `
const { Z3Solver, z3ThreadCount } = require(${JSON.stringify(path.resolve(__dirname, '../src/core/solver/solver.js'))});
const { bv, compare, symbol } = require(${JSON.stringify(path.resolve(__dirname, '../src/core/term/expr.js'))});
(async () => {
  const solver = new Z3Solver({ timeoutMs: 5000, resourceLimit: 5_000_000 });
  const x = symbol('x', 32);
  const answers = new Set();
  for (let i = 0; i < 300; i++) answers.add((await solver.check([compare('ult', x, bv(BigInt(i + 1), 32))])).result);
  process.stdout.write(JSON.stringify({ answers: [...answers], threads: z3ThreadCount() }));
  process.exit(0);
})();
`;
  const { stdout } = await run(process.execPath, ['-e', script], { env: { ...process.env, PERFCONTRACT_Z3_THREADS: '1' } });
  assert.deepEqual(JSON.parse(stdout), { answers: ['sat'], threads: 1 });
});
