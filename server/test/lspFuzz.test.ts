// Bounded random-edit fuzzing of the language server over stdio: nat.c, lb.c and router.c open together, 300 incremental edits with hovers and code lenses.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as os from 'os';
import * as path from 'path';
import { formatReport, runLspFuzz } from '../../scripts/fuzzLsp';

/**
 * Fails on a crash, an error response, a request over 2 s, a diagnostic range outside the text of
 * its version, or memory growth past `MEMORY_LIMITS` (scripts/fuzzLsp.ts). Seed 7, 300 edits: about
 * 30-40 s on a quiet 2-core machine, most of it the first analyses of the three files. The long run
 * is `npm run fuzz:lsp -- --edits 10000 --seed N` (figures in docs/lsp.md).
 */
test('300 random edits over three NF files: no crash, no error, no slow request, no stale range, no memory growth', async () => {
  const report = await runLspFuzz({ edits: 300, seed: 7, timeLimitMs: 2000, maxRequestMs: 2000, outDir: path.join(os.tmpdir(), 'perfcontract-fuzz-reproducers') });
  const summary = formatReport(report);
  assert.deepEqual(report.failures, [], summary);
  assert.equal(report.edits, 300, summary);
  assert.ok(report.diagnosticsChecked > 0 && report.hover.count > 0 && report.lens.count > 0, `the run must check diagnostics, hovers and lenses:\n${summary}`);
  assert.ok(report.treeSitterWasm.start !== undefined && report.treeSitterWasm.end !== undefined, `the worker's memory log must report tree-sitter's memory:\n${summary}`);
});
