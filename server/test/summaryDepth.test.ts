// A summary whose memory holds a long chain of stores (an initialiser filling a table) instantiates without overflowing the stack.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { AnalysisOptions, analyze } from '../src/core/analysis';
import { diskFileSystem } from '../src/cli/main';

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
