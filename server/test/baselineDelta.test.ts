// The Δ against a baseline (cli/baseline.ts, shared by `check` and the editor's lens): a loop that only moved is the same loop.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze } from '../src/core/analysis';
import { formatFormulaDelta, formulaDelta, movedLoopSites } from '../src/cli/baseline';
import type { FunctionContract } from '../src/core/contract/contract';

const noFiles = { readFile: () => undefined };

// Two loops without a name (their PCVs carry their lines), bounded by an argument.
const HANDLER = `#include <stdint.h>
uint32_t scan(const uint8_t *p, uint32_t n, uint32_t m)
{
    uint32_t s = 0;
    if (n > 40) n = 40;
    if (m > 20) m = 20;
    for (uint32_t i = 0; i < n; i++) {
        s += p[i & 63];
    }
    for (uint32_t j = 0; j < m; j++) {
        s ^= j;
    }
    return s;
}
`;

async function contractOf(text: string): Promise<FunctionContract> {
  const result = await analyze([{ path: '/virtual/scan.c', text }], { entries: ['scan'] }, noFiles);
  return result.contracts.find((c) => c.name === 'scan')!;
}

test('a loop that moved with its function, or inside it, keeps its PCV; an added loop is a change', async () => {
  const base = await contractOf(HANDLER);
  const sites = base.pcvs.map((p) => p.name).filter((n) => n.includes('@scan:'));
  assert.ok(sites.length >= 2, `two loop PCVs with their lines: ${JSON.stringify(base.pcvs.map((p) => p.name))}`);

  // Three lines above the function: every loop is three lines further down.
  const moved = await contractOf(HANDLER.replace('#include <stdint.h>\n', '#include <stdint.h>\n/* a\n   comment\n*/\n'));
  assert.notDeepEqual(moved.pcvs.map((p) => p.name), base.pcvs.map((p) => p.name), 'the PCV names carry the new lines');
  assert.deepEqual([...formulaDelta(moved, base, 'instructions')], [], 'no change when the function only moved');

  // A line inserted inside the function, before the loops (the function starts where it did).
  const inside = await contractOf(HANDLER.replace('    uint32_t s = 0;\n', '    uint32_t s = 0;\n    /* start */\n'));
  assert.deepEqual([...movedLoopSites(inside, base, 'instructions').entries()].filter(([from, to]) => from !== to).length, 2);
  assert.deepEqual([...formulaDelta(inside, base, 'instructions')], [], 'no change when the loops only moved inside it');

  // Three lines inside, before the loops: the first loop lands on the second one's old line, and
  // is still the first loop (the two cost differently per iteration).
  const shifted = await contractOf(HANDLER.replace('    uint32_t s = 0;\n', '    uint32_t s = 0;\n    /* one\n       two\n       three */\n'));
  assert.deepEqual([...formulaDelta(shifted, base, 'instructions')], [], 'no change when a loop moved onto the line of another');

  // A third loop in front: the sites no longer pair one to one, and the change shows.
  const added = await contractOf(HANDLER.replace('    uint32_t s = 0;\n', '    uint32_t s = 0;\n    for (uint32_t k = 0; k < (m & 7); k++) {\n        s += k;\n    }\n'));
  const delta = formulaDelta(added, base, 'instructions');
  assert.ok(delta.size > 0);
  assert.match(formatFormulaDelta(delta, 'instr'), /\+\d+\*iterations@scan:\d+/);
});
