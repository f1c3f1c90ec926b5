// An edit recomputes the edited function's summary and contract and those of its callers, nothing else (from the analysis's work log).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, AnalysisOptions, AnalysisResult } from '../src/core/analysis';
import { MemoryContractCache } from '../src/core/cache/contractCache';
import type { FunctionContract } from '../src/core/contract/contract';

const FILE = '/virtual/flows.c';
const noFiles = { readFile: () => undefined };

// A leaf with a loop (map_get), a middle function (flow_lookup), two handlers that reach the leaf
// through it, and a handler with a helper of its own. Every function is an entry, as in the editor.
const source = `#include <stdint.h>
#define SLOTS 8
struct entry { uint32_t key; uint32_t value; uint8_t used; };
static struct entry table[SLOTS];

int map_get(uint32_t key, uint32_t *value)
{
    for (uint32_t i = 0; i < SLOTS; i++) {
        struct entry *e = &table[(key + i) & (SLOTS - 1)];
        if (!e->used) return 0;
        if (e->key == key) { *value = e->value; return 1; }
    }
    return 0;
}

uint32_t flow_lookup(uint32_t src, uint32_t dst)
{
    uint32_t value = 0;
    if (map_get(src ^ dst, &value)) return value + 1;
    return 0;
}

uint32_t parse_len(uint32_t len) { return len > 1500 ? 1500 : len; }

uint32_t handler_a(uint32_t src, uint32_t dst) { return flow_lookup(src, dst) + 2; }

uint32_t handler_b(uint32_t src) { return flow_lookup(src, 7) * 3; }

uint32_t handler_c(uint32_t len) { return parse_len(len) + 1; }
`;

const ENTRIES = ['map_get', 'flow_lookup', 'parse_len', 'handler_a', 'handler_b', 'handler_c'];

/** The work an analysis executed: entries explored, and functions summarised (once per call shape). */
function workLog(result: AnalysisResult): { contracts: string[]; summaries: string[] } {
  return { contracts: [...result.recomputed].sort(), summaries: [...(result.summaries?.computed ?? [])].sort() };
}

function comparable(contract: FunctionContract): unknown {
  const { statistics: _statistics, classes, ...rest } = contract;
  void _statistics;
  return { ...rest, classes: classes.map(({ witness: _witness, ...c }) => { void _witness; return c; }) };
}

/** Replaces `from` by `to` once; every edit keeps the line count (typing inside one line). */
function edited(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `'${from}' occurs once`);
  return text.replace(from, to);
}

test('an edit recomputes exactly the edited function and its callers up the call graph, from summaries', async () => {
  const cache = new MemoryContractCache();
  const options: Partial<AnalysisOptions> = { entries: ENTRIES, cache };
  const run = (text: string) => analyze([{ path: FILE, text }], options, noFiles);

  const cold = await run(source);
  assert.deepEqual(workLog(cold), { contracts: [...ENTRIES].sort(), summaries: ['flow_lookup', 'map_get', 'parse_len'] });
  // The handlers instantiate summaries: nothing below them is executed inline.
  assert.deepEqual(cold.summaries!.use.handler_a!.inlined, []);
  assert.equal(cold.summaries!.use.handler_a!.instantiated.flow_lookup, 1);

  // Nothing changed: nothing is executed.
  assert.deepEqual(workLog(await run(source)), { contracts: [], summaries: [] });

  // The leaf: its summary and every summary and contract above it.
  const leaf = edited(source, 'if (!e->used) return 0;', 'if (!e->used) return 9;');
  const afterLeaf = await run(leaf);
  assert.deepEqual(workLog(afterLeaf), { contracts: ['flow_lookup', 'handler_a', 'handler_b', 'map_get'], summaries: ['flow_lookup', 'map_get'] });

  // The middle function: its own summary; the leaf's comes from the cache or is not needed at all.
  const middle = edited(leaf, 'return value + 1;', 'return value + 4;');
  const afterMiddle = await run(middle);
  assert.deepEqual(workLog(afterMiddle), { contracts: ['flow_lookup', 'handler_a', 'handler_b'], summaries: ['flow_lookup'] });
  assert.deepEqual(afterMiddle.summaries!.reused, ['map_get']);

  // A handler: its contract only, from the cached summary of the function it calls.
  const handler = edited(middle, 'flow_lookup(src, dst) + 2', 'flow_lookup(src, dst) + 5');
  const afterHandler = await run(handler);
  assert.deepEqual(workLog(afterHandler), { contracts: ['handler_a'], summaries: [] });
  assert.deepEqual(afterHandler.summaries!.reused, ['flow_lookup']);

  // What the cache and summaries gave equals a cold analysis of the same text, inlined.
  const scratch = await analyze([{ path: FILE, text: handler }], { entries: ENTRIES, execution: { compositional: false } as AnalysisOptions['execution'] }, noFiles);
  // Through JSON on both sides: cached contracts are stored as JSON (no undefined fields).
  const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
  assert.deepEqual(json(afterHandler.contracts.map(comparable)), json(scratch.contracts.map(comparable)));
});

test('with declared contracts preferred, an edit in a callee that has one leaves its callers alone', async () => {
  const contracts = JSON.stringify({ version: 1, functions: { map_get: { cases: [
    { name: 'hit', returns: 1, cost: { instructions: '30', memory_accesses: '6' } },
    { name: 'miss', returns: 0, cost: { instructions: '20', memory_accesses: '4' } },
  ] } } });
  const withContract = source;
  const cache = new MemoryContractCache();
  const options: Partial<AnalysisOptions> = {
    entries: ENTRIES, cache, contractFiles: ['/virtual/map.pcontract.json'], execution: { preferDeclaredContracts: true } as AnalysisOptions['execution'],
  };
  const files: Record<string, string> = { '/virtual/map.pcontract.json': contracts };
  const analyseWith = (text: string) => analyze([{ path: FILE, text }], options, { readFile: (p) => files[p] });
  await analyseWith(withContract);
  const after = await analyseWith(edited(withContract, 'if (!e->used) return 0;', 'if (!e->used) return 9;'));
  assert.deepEqual(workLog(after).contracts, ['map_get']);
});
