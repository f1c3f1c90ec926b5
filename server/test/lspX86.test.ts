// The language server's x86 metrics, through a real JSON-RPC client: off by default, grounded on
// saved files when enabled, and a clear PG007 while the buffer has unsaved changes.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspTestClient, positionOf, repo } from './support/lspClient';

const SOURCE = fs.readFileSync(path.join(repo, 'test-fixtures', 'x86', 'options.c'), 'utf8');

function workspaceWith(text: string): { root: string; file: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-lsp-x86-'));
  const file = path.join(root, 'options.c');
  fs.writeFileSync(file, text);
  return { root, file };
}

describe('language server x86 metrics', () => {
  let client: LspTestClient;
  let file: string;
  let uri: string;
  before(async () => {
    const ws = workspaceWith(SOURCE);
    file = ws.file;
    client = new LspTestClient({ rootPath: ws.root, settings: { x86: { enabled: true, cflags: '-O1' }, timeLimitMs: 30000 } });
    await client.initialize();
    uri = await client.open(file, SOURCE);
    await client.settledDiagnostics(uri, 1, 120_000);
  });
  after(async () => {
    await client.shutdown();
  });

  test('a saved file gets x86 columns and the grounding in the hover', async () => {
    const hover = await client.hover(uri, positionOf(SOURCE, 'parse(uint8_t'));
    const text = hover!.contents.value;
    assert.match(text, /\n- B1 [^\n]*: \*\*\d+\*\*[^\n]* · \d+ x86 instr · \d+ cycles/);
    assert.match(text, /x86 metrics: gcc -O1 \(--cflags\), \d+ calls replayed under valgrind in \d+ ms; \d+ of \d+ classes estimated\./);
  });

  test('unsaved changes hold x86 metrics back (PG007) until the file is saved', async () => {
    const edited = SOURCE.replace('return (int)options;', 'return (int)options + 1;');
    assert.notEqual(edited, SOURCE);
    const version = await client.change(uri, [{ text: edited }]);
    await client.settledDiagnostics(uri, version, 120_000);
    const pending = (await client.hover(uri, positionOf(edited, 'parse(uint8_t')))!.contents.value;
    assert.match(pending, /x86 metrics unavailable: PG007 x86 metrics are computed from saved files; save options\.c/);
    assert.doesNotMatch(pending, / x86 instr · /);
    // Saved: the server analyses again and grounds the saved text.
    fs.writeFileSync(file, edited);
    const started = (await client.lastAnalysis(uri)).jobsStarted;
    const analysing = client.waitFor('perfcontract/status', (s: { uri?: string; state: string }) => s.uri === uri && s.state === 'analysing', 30_000);
    await client.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
    await analysing;
    await client.settledDiagnostics(uri, version, 120_000);
    assert.ok((await client.lastAnalysis(uri)).jobsStarted > started, 'saving did not start an analysis');
    const grounded = (await client.hover(uri, positionOf(edited, 'parse(uint8_t')))!.contents.value;
    assert.match(grounded, /x86 metrics: gcc -O1/);
  });
});

test('x86 metrics are off by default: no compile, no x86 columns', async () => {
  const ws = workspaceWith(SOURCE);
  const client = new LspTestClient({ rootPath: ws.root, settings: {} });
  try {
    await client.initialize();
    const uri = await client.open(ws.file, SOURCE);
    await client.settledDiagnostics(uri, 1, 120_000);
    const text = (await client.hover(uri, positionOf(SOURCE, 'parse(uint8_t')))!.contents.value;
    // Not /x86/ alone: the full-contract link carries the file's URI, and the temporary folder's name says x86.
    assert.doesNotMatch(text, /x86 instr|x86 metrics|cycles/);
  } finally {
    await client.shutdown();
  }
});
