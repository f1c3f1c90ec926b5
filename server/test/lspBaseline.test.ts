// The language server against a baseline (perfcontract.baseline): Δ lenses, the growth diagnostic PC509 and perfcontract/compare, over a temporary git repository.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspTestClient, PublishedDiagnostics } from './support/lspClient';
import { cli } from './support/runCli';

const COMMITTED = `#include <stdint.h>

int checksum(const uint8_t *p, unsigned n) {
  unsigned s = 0;
  for (unsigned i = 0; i < n && i < 64; i++) s += p[i];
  return (int)s;
}

int classify(int x) {
  if (x > 10) return 1;
  return 0;
}

int stable(int x) {
  return x * 3 + 1;
}
`;

/** The buffer as edited since the commit: a nested loop (a new PCV degree), more work in classify, a new function. */
const EDITED = `#include <stdint.h>

int checksum(const uint8_t *p, unsigned n) {
  unsigned s = 0;
  for (unsigned i = 0; i < n && i < 64; i++)
    for (unsigned j = 0; j < n && j < 32; j++) s += p[i] ^ p[j];
  return (int)s;
}

int classify(int x) {
  int y = x * 7;
  y = (y ^ (y >> 3)) + (y << 2);
  y = y * 13 + (y >> 5);
  if (y > 10) return 1;
  return 0;
}

int stable(int x) {
  return x * 3 + 1;
}

int fresh(int x) {
  return x - 1;
}
`;

type Lens = { range: { start: { line: number } }; command?: { title: string } };

function lensesOf(lenses: Lens[], text: string, name: string): string[] {
  const line = text.split('\n').findIndex((l) => new RegExp(`^int ${name}\\(`).test(l));
  return lenses.filter((l) => l.range.start.line === line).map((l) => l.command?.title ?? '');
}

describe('baseline in the editor', () => {
  let root: string;
  let file: string;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-lsp-baseline-'));
    file = path.join(root, 'handler.c');
    fs.writeFileSync(file, COMMITTED);
    const git = (...args: string[]) => execFileSync('git', ['-C', root, '-c', 'user.name=perfcontract', '-c', 'user.email=perfcontract@localhost', ...args], { stdio: 'pipe' });
    git('init', '-q');
    git('add', 'handler.c');
    git('commit', '-q', '-m', 'handler');
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('an edited buffer shows its change against HEAD in lenses and PC509, unchanged functions show none', { timeout: 180_000 }, async () => {
    const client = new LspTestClient({ rootPath: root, settings: { baseline: 'HEAD', cacheDirectory: path.join(root, '.cache') } });
    try {
      await client.initialize();
      const uri = await client.open(file, EDITED);
      const published = await client.waitFor<PublishedDiagnostics>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'PC509'), 150_000);
      const growth = published.diagnostics.filter((d) => d.code === 'PC509');
      const byName = (name: string) => growth.find((d) => d.message.startsWith(`'${name}' grew against HEAD`));
      // classify: 3 instructions at HEAD, 11 now.
      const classify = byName('classify');
      assert.ok(classify, `classify grew: ${JSON.stringify(growth)}`);
      assert.match(classify.message, /its worst case with every PCV at its bound grew from 3 to 11 instructions \(\+8, \+266\.7%\)/);
      assert.match(classify.message, /more than the 5% allowed \(perfcontract\.baselineGrowthPercent\)\.$/);
      assert.equal(classify.severity, 2);
      assert.deepEqual(classify.data.kinds, ['worst:instructions', 'typical:instructions']);
      // checksum: a loop inside a loop is a product of two PCVs. At HEAD its single loop (at most
      // 64 iterations) ran in full, with no PCV (--full-unroll-limit): degree 0.
      const checksum = byName('checksum');
      assert.ok(checksum, `checksum grew: ${JSON.stringify(growth)}`);
      assert.match(checksum.message, /its instructions cost is now of degree 2 in its PCVs \(was 0; class C\d+: /);
      assert.ok(checksum.data.kinds.includes('degree:instructions'));
      assert.equal(byName('stable'), undefined, 'an unchanged function does not grow');
      assert.equal(byName('fresh'), undefined, 'a new function has nothing to grow against');
      assert.equal(growth.length, 2);

      const lenses = await client.codeLenses(uri) as Lens[];
      assert.deepEqual(lensesOf(lenses, EDITED, 'classify').filter((t) => t.startsWith('Δ')), ['Δ +8 instr vs HEAD']);
      const checksumDelta = lensesOf(lenses, EDITED, 'checksum').find((t) => t.startsWith('Δ'));
      assert.ok(checksumDelta, `checksum has a Δ lens: ${JSON.stringify(lensesOf(lenses, EDITED, 'checksum'))}`);
      // The constant part shrinks (HEAD's 64 explicit iterations become PCV terms), the PCV terms are new.
      assert.match(checksumDelta, /^Δ -\d+ instr \+\d+\*iterations@checksum:/);
      assert.ok(checksumDelta.length <= 60, checksumDelta);
      assert.ok(lensesOf(lenses, EDITED, 'fresh').includes('new since HEAD'));
      assert.ok(!lensesOf(lenses, EDITED, 'stable').some((t) => t.startsWith('Δ') || t.startsWith('new since')), 'no Δ lens on an unchanged function');
      // The cost lens stays first.
      assert.match(lensesOf(lenses, EDITED, 'classify')[0]!, /^11 instr · 1 behaviour/);

      // A larger allowance: classify's +266.7% stays flagged, a 300% allowance lets it pass; the degree still counts.
      await client.changeSettings({ baseline: 'HEAD', cacheDirectory: path.join(root, '.cache'), baselineGrowthPercent: 300 });
      const relaxed = await client.waitFor<PublishedDiagnostics>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'PC509') && !p.diagnostics.some((d) => d.message.startsWith("'classify' grew")), 150_000);
      assert.deepEqual(relaxed.diagnostics.filter((d) => d.code === 'PC509').map((d) => d.message.split(' grew')[0]), ["'checksum'"]);

      // Side by side: perfcontract/compare gives both sets of contracts.
      const compared = await client.connection.sendRequest('perfcontract/compare', { uri, baseline: 'HEAD' }) as { label: string; current: { functions: { name: string; classes: { cost: { instructions: string } }[] }[] }; baseline: { functions: { name: string; file: string; classes: { cost: { instructions: string } }[] }[] } };
      assert.equal(compared.label, 'HEAD');
      assert.deepEqual(compared.current.functions.map((f) => f.name).sort(), ['checksum', 'classify', 'fresh', 'stable']);
      assert.deepEqual(compared.baseline.functions.map((f) => f.name).sort(), ['checksum', 'classify', 'stable']);
      assert.equal(compared.baseline.functions[0]!.file, file, 'baseline locations are at the work tree\'s paths');
      assert.deepEqual(compared.baseline.functions.find((f) => f.name === 'classify')!.classes.map((c) => c.cost.instructions), ['3']);

      // A revision that does not exist: a clear error, and the server keeps going.
      await assert.rejects(client.connection.sendRequest('perfcontract/compare', { uri, baseline: 'no-such-revision' }), /cannot compare with 'no-such-revision': the baseline 'no-such-revision' is neither a saved contract file nor a git revision of /);
      assert.equal((await client.lastAnalysis(uri)).upToDate, true);
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.process.kill();
    }
  });

  test('a saved contract file as the baseline', { timeout: 180_000 }, async () => {
    const saved = path.join(root, 'saved.contract.json');
    const contract = await cli(['contract', file, '--format', 'json']);
    assert.equal(contract.code, 0, contract.stderr);
    fs.writeFileSync(saved, contract.stdout);
    const client = new LspTestClient({ rootPath: root, settings: { baseline: 'saved.contract.json', cacheDirectory: path.join(root, '.cache') } });
    try {
      await client.initialize();
      const uri = await client.open(file, EDITED);
      const published = await client.waitFor<PublishedDiagnostics>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.filter((d) => d.code === 'PC509').length === 2, 150_000);
      assert.ok(published.diagnostics.some((d) => d.message.startsWith("'classify' grew against saved.contract.json: ")));
      const lenses = await client.codeLenses(uri) as Lens[];
      assert.ok(lensesOf(lenses, EDITED, 'classify').includes('Δ +8 instr vs saved.contract.json'), JSON.stringify(lensesOf(lenses, EDITED, 'classify')));
      // The baseline turned off: no Δ lens, no PC509.
      await client.changeSettings({ baseline: '', cacheDirectory: path.join(root, '.cache') });
      const off = await client.waitFor<PublishedDiagnostics>('textDocument/publishDiagnostics', (p) => p.uri === uri && !p.diagnostics.some((d) => d.code === 'PC509') && p.diagnostics.length >= 0, 150_000);
      assert.equal(off.diagnostics.filter((d) => d.code === 'PC509').length, 0);
      await client.settledDiagnostics(uri);
      const plain = await client.codeLenses(uri) as Lens[];
      assert.ok(!plain.some((l) => l.command?.title.startsWith('Δ') || l.command?.title.startsWith('new since')), JSON.stringify(plain.map((l) => l.command?.title)));
      assert.equal(await client.shutdown(), 0);
    } finally {
      client.process.kill();
    }
  });
});
