// Re-analysis reuses cached contracts: an edit recomputes the edited function's entries and their callers only.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze } from '../src/core/analysis';
import { MemoryContractCache } from '../src/core/cache/contractCache';

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
