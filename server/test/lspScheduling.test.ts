// Files opened together each get their first diagnostics before any of them is analysed function by function (the 47-58 s first-diagnostics outliers).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspTestClient, PublishedDiagnostics, repo, Status } from './support/lspClient';

test('nat.c, lb.c and router.c opened together: every first diagnostics comes before any job of them ends', async () => {
  const nf = path.join(repo, 'test-fixtures', 'nf');
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-lsp-first-'));
  const client = new LspTestClient({ rootPath: nf, settings: { includePaths: ['lib'], cacheDirectory: cache } });
  const events: string[] = [];
  const first = new Set<string>();
  client.diagnosticListeners.push((params: PublishedDiagnostics) => {
    const file = path.basename(params.uri);
    if (!first.has(file)) events.push(`first diagnostics ${file}`);
    first.add(file);
  });
  const allFirst = new Promise<void>((resolve) => client.diagnosticListeners.push(() => first.size === 3 && resolve()));
  client.connection.onNotification('perfcontract/status', (status: Status) => {
    if (status.state !== 'analysing') events.push(`job ended ${path.basename(status.uri ?? '')}`);
  });
  try {
    await client.initialize();
    const files = ['nat.c', 'lb.c', 'router.c'];
    for (const file of files) await client.open(path.join(nf, file), fs.readFileSync(path.join(nf, file), 'utf8'));
    await allFirst;
    // With an empty cache every job analyses functions one by one (seconds each, some to the time
    // limit); before the fix the second and third files waited for those whole jobs.
    const firstJobEnd = events.findIndex((e) => e.startsWith('job ended'));
    assert.ok(firstJobEnd === -1 || firstJobEnd >= 3, `first diagnostics must all come before any job ends:\n${events.join('\n')}`);
    assert.deepEqual(new Set(events.slice(0, 3).map((e) => e.replace('first diagnostics ', ''))), new Set(files), events.join('\n'));
  } finally {
    await client.shutdown();
  }
});

test('the functions on screen (perfcontract/visibleRanges) are analysed before the others', { timeout: 120_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-lsp-visible-'));
  // Without a visible range, functions with parameters go first; the parameterless one is on screen.
  const text = `int handler(int x) {\n  if (x > 3) return x * 2;\n  return x;\n}\n\nint helper(int y) {\n  return y + 1;\n}\n\nint setup(void) {\n  return 7;\n}\n`;
  const file = path.join(root, 'screen.c');
  fs.writeFileSync(file, text);
  const orderWith = async (ranges: { start: number; end: number }[] | undefined): Promise<string[]> => {
    // A fresh cache each time, so every function is analysed.
    const client = new LspTestClient({ rootPath: root, settings: { cacheDirectory: fs.mkdtempSync(path.join(root, 'cache-')) } });
    try {
      await client.initialize();
      const uri = `file://${file}`;
      if (ranges) await client.connection.sendNotification('perfcontract/visibleRanges', { uri, ranges });
      await client.open(file, text);
      await client.settledDiagnostics(uri);
      const recomputed = (await client.lastAnalysis(uri)).recomputed;
      assert.equal(await client.shutdown(), 0);
      return recomputed;
    } finally {
      client.process.kill();
    }
  };
  assert.deepEqual(await orderWith(undefined), ['handler', 'helper', 'setup']);
  assert.deepEqual(await orderWith([{ start: 9, end: 11 }]), ['setup', 'handler', 'helper']);
  assert.deepEqual(await orderWith([{ start: 5, end: 10 }]), ['helper', 'setup', 'handler']);
  fs.rmSync(root, { recursive: true, force: true });
});
