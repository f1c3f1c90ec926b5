// A summary whose memory holds a long chain of stores (an initialiser filling a table) instantiates without overflowing the stack.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { AnalysisOptions, analyze } from '../src/core/analysis';
import { diskFileSystem } from '../src/cli/main';
import { MemoryContractCache } from '../src/core/cache/contractCache';

const repo = path.resolve(__dirname, '../../..');
const NF = path.join(repo, 'test-fixtures/nf');

// The NAT's nf_init calls map_init and dchain_init, which fill 1,024-entry tables: instantiating
// their summaries once recursed per store and ended the entry as PC900 (call stack exceeded).
test('the NAT init function, whose callees fill large tables, gets the same contract from summaries as inlined', async () => {
  const files = ['nat.c', 'lib/map.c', 'lib/dchain.c'].map((f) => ({ path: path.join(NF, f) }));
  const base = { entries: ['nf_init'], includeDirs: [path.join(NF, 'lib')] };
  const summarised = await analyze(files, { ...base, execution: { preferDeclaredContracts: true } as AnalysisOptions['execution'] }, diskFileSystem);
  const inlined = await analyze(files, { ...base, execution: { preferDeclaredContracts: true, compositional: false } as AnalysisOptions['execution'] }, diskFileSystem);
  const a = summarised.contracts.find((c) => c.name === 'nf_init')!;
  const b = inlined.contracts.find((c) => c.name === 'nf_init')!;
  assert.deepEqual(a.incompleteReasons, []);
  assert.equal(a.complete, true);
  assert.deepEqual(a.classes.map((c) => c.cost), b.classes.map((c) => c.cost));
});

// The language server keeps summaries in its cache in serialised form: writing them walked the same
// chains recursively, so the editor still showed nf_init as PC900 after the rebuild was fixed.
test('the same summaries go through a contract cache and are reused from it', async () => {
  const files = ['nat.c', 'lib/map.c', 'lib/dchain.c'].map((f) => ({ path: path.join(NF, f) }));
  const cache = new MemoryContractCache();
  const options = { entries: ['nf_init'], includeDirs: [path.join(NF, 'lib')], cache, execution: { preferDeclaredContracts: true } as AnalysisOptions['execution'] };
  const first = (await analyze(files, options, diskFileSystem)).contracts.find((c) => c.name === 'nf_init')!;
  assert.deepEqual(first.incompleteReasons, []);
  const second = await analyze(files, { ...options, cache }, diskFileSystem);
  const again = second.contracts.find((c) => c.name === 'nf_init')!;
  assert.deepEqual(again.incompleteReasons, []);
  assert.deepEqual(again.classes.map((c) => c.cost), first.classes.map((c) => c.cost));
});
