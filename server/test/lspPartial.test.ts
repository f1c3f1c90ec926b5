// Partial contracts while a long analysis runs: the lens and hover show the classes found so far, marked partial, and the final contract replaces them with an incomplete message in actionable words.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspTestClient, positionOf } from './support/lspClient';

/** 40 sequential input-dependent branches: 2^40 paths, far more than any time limit allows. */
function explodingSource(): string {
  const branches = Array.from({ length: 40 }, (_, i) => `    if (${i < 20 ? 'a' : 'b'} & ${1 << (i % 20)}u) {\n        s += ${i + 1};\n    }`).join('\n');
  return `#include <stdint.h>\n\nuint32_t many(uint32_t a, uint32_t b)\n{\n    uint32_t s = 0;\n${branches}\n    return s;\n}\n`;
}

test('a long analysis shows partial classes in its lens and hover, then the final contract with branch points left', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-lsp-partial-'));
  const source = explodingSource();
  const file = path.join(root, 'many.c');
  fs.writeFileSync(file, source);
  const timeLimitMs = 15_000;
  const client = new LspTestClient({ rootPath: root, settings: { timeLimitMs, maxPaths: 1_000_000, solverTimeoutMs: 5000 } });
  try {
    await client.initialize();
    const uri = await client.open(file, source);
    // While the analysis runs, lens refreshes arrive as partial results come in.
    let partialTitle: string | undefined;
    while (partialTitle === undefined) {
      await client.waitFor('workspace/codeLens/refresh', () => true, 60_000);
      const lenses = await client.codeLenses(uri);
      // The first partial results can have no finished path yet ("0 classes so far"): wait for one that has.
      partialTitle = lenses.map((l) => l.command?.title ?? '').find((t) => t.startsWith('analysing:') && !t.startsWith('analysing: 0 classes'));
      const state = await client.lastAnalysis(uri);
      if (partialTitle === undefined && state.upToDate) assert.fail(`the analysis ended without a partial lens: ${JSON.stringify(lenses)}`);
    }
    assert.match(partialTitle, /^analysing: \d+ class(es)? so far, \d+(-\d+)? instr \(partial\)$/);
    const hover = await client.hover(uri, positionOf(source, 'many', 1));
    assert.match(hover?.contents.value ?? '', /\*\*many\*\*: analysing \(partial results\)/);
    assert.match(hover?.contents.value ?? '', /\d+ branch points? left to explore; [\d.]+ s of the 15 s time limit used/);
    // The final contract replaces the partial one.
    const diagnostics = await client.settledDiagnostics(uri, client.version(uri), 120_000);
    const lenses = await client.codeLenses(uri);
    assert.ok(lenses.every((l) => !(l.command?.title ?? '').startsWith('analysing:')), JSON.stringify(lenses));
    assert.match(lenses[0]!.command!.title, /incomplete/);
    const incomplete = diagnostics.find((d) => d.code === 'PC505');
    assert.ok(incomplete, JSON.stringify(diagnostics));
    // It counts branch points left, not paths (2^40 paths would be the honest count of those).
    assert.match(incomplete.message, /PC302 stopped at the time limit \(15000 ms\) after \d+ paths, with \d+ branch points? left to explore \(each may hide many more paths\)/);
    assert.doesNotMatch(incomplete.message, /paths unexplored/);
    const final = await client.hover(uri, positionOf(source, 'many', 1));
    assert.doesNotMatch(final?.contents.value ?? '', /partial results/);
  } finally {
    await client.shutdown();
  }
});
