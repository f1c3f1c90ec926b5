// The server's safety net, however it is started: an exception escaping a handler is logged with its request and answered with an LSP error, and the next request is answered; a worker near a WebAssembly memory cap is replaced without losing a document.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspTestClient, positionOf } from './support/lspClient';

const SOURCE = `#include <stdint.h>

int clamp(uint32_t x)
{
    if (x > 100) {
        return 100;
    }
    return (int)x;
}
`;

function workspace(): { root: string; file: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-lsp-safety-'));
  const file = path.join(root, 'clamp.c');
  fs.writeFileSync(file, SOURCE);
  return { root, file };
}

const TEST_FAULT_REQUEST = 'perfcontract/testFault';

for (const entry of ['cli', 'main'] as const) {
  describe(`the safety net when the server is started ${entry === 'cli' ? 'as `perfcontract lsp --stdio`' : 'as `node main.js --stdio`'}`, () => {
    test('exceptions escaping request handlers are answered with LSP errors, logged with the request, and the server keeps answering', async () => {
      const { root, file } = workspace();
      const client = new LspTestClient({ rootPath: root, env: { PERFCONTRACT_TEST_FAULTS: '1' }, entry });
      try {
        await client.initialize();
        const uri = await client.open(file, SOURCE);
        await client.settledDiagnostics(uri);
        for (const kind of ['timer', 'rejection', 'async']) {
          await assert.rejects(client.connection.sendRequest(TEST_FAULT_REQUEST, { kind }), (error: { code?: number; message?: string }) => {
            assert.equal(error.code, -32603, `the ${kind} fault must be answered with InternalError`);
            assert.match(error.message ?? '', new RegExp(`test fault \\(${kind}\\)`));
            return true;
          });
          // The next request is answered as usual.
          const hover = await client.hover(uri, positionOf(SOURCE, 'clamp', 1));
          assert.match(hover?.contents.value ?? '', /clamp/, `the hover after the ${kind} fault`);
          assert.ok(client.alive, `the server must survive the ${kind} fault`);
        }
        // A fault after the request was answered has no request to answer: it is logged with the request that started it.
        const detachedLogged = client.waitFor('window/logMessage', (p: { message: string }) => /uncaught exception while handling perfcontract\/testFault \(detached\).*test fault \(detached\)/s.test(p.message), 10_000);
        assert.equal(await client.connection.sendRequest(TEST_FAULT_REQUEST, { kind: 'detached' }), 'answered');
        await detachedLogged;
        const lenses = await client.codeLenses(uri);
        assert.ok(lenses.length > 0, 'code lenses after the detached fault');
        for (const kind of ['timer', 'rejection']) {
          const logged = client.log.find((line) => line.includes(`while handling perfcontract/testFault (${kind})`));
          assert.ok(logged, `the ${kind} fault is logged with its request:\n${client.log.join('\n')}`);
          assert.match(logged!, new RegExp(`Error: test fault \\(${kind}\\)\\n\\s+at `), 'with its stack');
        }
        assert.ok(client.alive);
      } finally {
        await client.shutdown();
      }
    });
  });
}

test('a worker whose WebAssembly memory nears its cap is replaced between jobs, with a log line, and no open document is lost', async () => {
  const { root, file } = workspace();
  // A fraction this low puts tree-sitter's first 32 MB over the limit: the worker is replaced after every job.
  const client = new LspTestClient({ rootPath: root, env: { PERFCONTRACT_TEST_RECYCLE_FRACTION: '0.001' } });
  try {
    const replaced = client.waitFor('window/logMessage', (p: { message: string }) => /replacing the analysis worker before its WebAssembly memory runs out: tree-sitter \d+ MB of 2048 MB/.test(p.message), 60_000);
    await client.initialize();
    const uri = await client.open(file, SOURCE);
    await client.settledDiagnostics(uri);
    await replaced;
    // The document is still open and analysed on the next worker after an edit.
    const edited = SOURCE.replace('return 100;', 'return 99;');
    await client.change(uri, [{ text: edited }]);
    await client.settledDiagnostics(uri);
    const hover = await client.hover(uri, positionOf(edited, 'clamp', 1));
    assert.match(hover?.contents.value ?? '', /clamp/);
    const lenses = await client.codeLenses(uri);
    assert.ok(lenses.some((l) => /\d+ instr · \d+ behaviour/.test(l.command?.title ?? '')), `a contract lens after the worker was replaced: ${JSON.stringify(lenses)}`);
    const state = await client.lastAnalysis(uri);
    assert.equal(state.jobsFailed, 0, 'no job lost to the replacement');
    assert.ok(client.alive);
  } finally {
    await client.shutdown();
  }
});
