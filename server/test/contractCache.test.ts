// Re-analysis reuses cached contracts: an edit recomputes the edited function's entries and their callers only.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze } from '../src/core/analysis';
import { MemoryContractCache } from '../src/core/cache/contractCache';
import { DEFAULT_EXECUTION_OPTIONS } from '../src/core/symex/executor';

const noFiles = { readFile: () => undefined };

const source = (scaleBody: string, otherBody: string) => `#include <stdint.h>
static uint32_t scale(uint32_t x) { ${scaleBody} }
static uint32_t clamp(uint32_t x) { if (x > 100) return 100; return x; }
uint32_t entry_uses_scale(uint32_t a) { return clamp(scale(a)); }
uint32_t entry_uses_clamp(uint32_t a) { return clamp(a + 1); }
uint32_t entry_alone(uint32_t a) { ${otherBody} }
`;

test('editing one function recomputes only the entries that reach it', async () => {
  const cache = new MemoryContractCache();
  const file = '/virtual/cache.c';
  const first = await analyze([{ path: file, text: source('return x * 2;', 'return a ^ 5;') }], { cache }, noFiles);
  assert.deepEqual(first.recomputed.sort(), ['entry_alone', 'entry_uses_clamp', 'entry_uses_scale']);

  const unchanged = await analyze([{ path: file, text: source('return x * 2;', 'return a ^ 5;') }], { cache }, noFiles);
  assert.deepEqual(unchanged.recomputed, []);
  assert.deepEqual(unchanged.contracts, JSON.parse(JSON.stringify(first.contracts)));

  // Same length, so no function moves: only scale's caller is recomputed.
  const edited = await analyze([{ path: file, text: source('return x * 3;', 'return a ^ 5;') }], { cache }, noFiles);
  assert.deepEqual(edited.recomputed, ['entry_uses_scale']);

  const other = await analyze([{ path: file, text: source('return x * 3;', 'return a ^ 6;') }], { cache }, noFiles);
  assert.deepEqual(other.recomputed, ['entry_alone']);

  // Changing an option invalidates everything.
  const options = await analyze([{ path: file, text: source('return x * 3;', 'return a ^ 6;') }], { cache, metrics: ['instructions'] }, noFiles);
  assert.equal(options.recomputed.length, 3);
});

test('cached contracts survive a round trip through their serialised form', async () => {
  const cache = new MemoryContractCache();
  const file = '/virtual/roundtrip.c';
  const text = source('return x + 7;', 'if (a > 3) return a; return 0;');
  const fresh = await analyze([{ path: file, text }], { cache }, noFiles);
  const reused = await analyze([{ path: file, text }], { cache }, noFiles);
  assert.deepEqual(JSON.parse(JSON.stringify(fresh.contracts)), reused.contracts);
});

// entry_top calls outer (which calls inner) and side; nothing calls leaf_only but entry_other.
const compositional = { ...DEFAULT_EXECUTION_OPTIONS, compositional: true };
const layered = (innerBody: string, sideBody: string) => `#include <stdint.h>
static uint32_t inner(uint32_t x) { ${innerBody} }
static uint32_t outer(uint32_t x) { if (x > 50) return inner(x) + 1; return x; }
static uint32_t side(uint32_t x) { ${sideBody} }
static uint32_t leaf_only(uint32_t x) { return x | 1; }
uint32_t entry_top(uint32_t a, uint32_t b) { return outer(a) + side(b); }
uint32_t entry_other(uint32_t a) { return leaf_only(a); }
`;

test('editing one function body recomputes its summary and its callers\u2019 summaries only', async () => {
  const cache = new MemoryContractCache();
  const file = '/virtual/layered.c';
  const first = await analyze([{ path: file, text: layered('return x * 2;', 'return x + 3;') }], { cache, execution: compositional }, noFiles);
  assert.deepEqual(first.summaries!.computed.sort(), ['inner', 'leaf_only', 'outer', 'side']);
  assert.equal(cache.summaryCount, 4);

  // inner changes (same length, so nothing moves): inner and outer are summarised again; side and
  // leaf_only are neither recomputed nor even read, entry_other's contract comes from the cache.
  const edited = await analyze([{ path: file, text: layered('return x * 5;', 'return x + 3;') }], { cache, execution: compositional }, noFiles);
  assert.deepEqual(edited.recomputed, ['entry_top']);
  assert.deepEqual(edited.summaries!.computed, ['inner', 'outer']); // inner finishes first, inside outer's exploration
  assert.deepEqual(edited.summaries!.reused, ['side']);

  // side changes: only side is summarised again; outer and inner come from the cache.
  const other = await analyze([{ path: file, text: layered('return x * 5;', 'return x + 4;') }], { cache, execution: compositional }, noFiles);
  assert.deepEqual(other.recomputed, ['entry_top']);
  assert.deepEqual(other.summaries!.computed, ['side']);
  assert.deepEqual(other.summaries!.reused, ['outer']); // outer's summary holds inner's effects: inner is not read

  // The contract built from cached summaries equals one built from scratch.
  const scratch = await analyze([{ path: file, text: layered('return x * 5;', 'return x + 4;') }], { execution: compositional }, noFiles);
  const strip = (r: typeof other) => r.contracts.filter((c) => c.name === 'entry_top').map(({ statistics: _s, ...c }) => { void _s; return { ...c, classes: c.classes.map(({ witness: _w, ...k }) => { void _w; return k; }) }; });
  assert.deepEqual(strip(other), strip(scratch));
});

test('editing an annotation before a function, in place, recomputes it', async () => {
  const cache = new MemoryContractCache();
  const file = '/virtual/assume.c';
  const text = (limit: string) => `#include <stdint.h>
uint8_t table[16];
/*@ assume i < ${limit} */
int get(unsigned i) { return table[i]; }
`;
  const first = await analyze([{ path: file, text: text('16') }], { cache }, noFiles);
  assert.deepEqual(first.recomputed, ['get']);
  assert.ok(first.contracts[0]!.classes.every((c) => c.outcome === 'return'));
  // Same length and lines: only the annotation's text differs, and with it the contract.
  const edited = await analyze([{ path: file, text: text('99') }], { cache }, noFiles);
  assert.deepEqual(edited.recomputed, ['get']);
  assert.ok(edited.contracts[0]!.classes.some((c) => c.outcome === 'error'), 'i may now be out of bounds');
});
