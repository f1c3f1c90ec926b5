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
