// Behaviour classes, typical PCV values, attacker PCVs and the grouped PCV display, on code written for these tests and on the fixtures.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyze } from '../src/core/analysis';
import { diskFileSystem } from '../src/cli/main';
import { MAX_BEHAVIOURS, maximumFormula } from '../src/core/contract/behaviours';
import { displayFormula, pcvBase, polynomialOf } from '../src/core/contract/pcvDisplay';
import { evaluateFormula, formulaPcvNames } from '../src/core/cost/formula';
import type { FunctionContract } from '../src/core/contract/contract';

// A classifier in another style than the NFs: an enum of verdicts, a switch, a helper per protocol,
// a packet-driven option loop with a typical value, and a declared table with typical and attacker.
const SOURCE = `#include <stdint.h>
enum verdict { VERDICT_PASS = 3, VERDICT_DROP = 7, VERDICT_SLOW = 9 };
int table_find(uint32_t key);

static enum verdict by_port(const uint8_t *p)
{
    if (p[2] == 0) {
        return VERDICT_DROP;
    }
    return VERDICT_PASS;
}

/*@ typical opts = 2 */
enum verdict classify(const uint8_t *p, uint16_t len)
{
    int sum = 0;
    if (len < 40) {
        return VERDICT_DROP;
    }
    switch (p[0]) {
    case 6:
        return by_port(p);
    case 17:
        /*@ pcv opts "option bytes walked" */
        /*@ bound opts <= 30 */
        for (int i = 4; i < p[1]; i++) {
            sum += p[i];
        }
        return sum > 100 ? VERDICT_SLOW : VERDICT_PASS;
    default:
        if (table_find(p[3]) < 0) {
            return VERDICT_DROP;
        }
        return VERDICT_PASS;
    }
}
`;

const CONTRACTS = JSON.stringify({
  version: 1,
  functions: {
    table_find: {
      typical: { probes: 0 },
      attacker: { probes: 'keys chosen to collide: each adds a probe' },
      cases: [
        { name: 'found', returns: { min: 0, max: 100 }, pcvs: { probes: 'probes past other keys' }, bounds: { probes: 500 }, cost: { instructions: '10 + 8*probes' } },
        { name: 'absent', returns: -1, pcvs: { probes: 'probes past other keys' }, bounds: { probes: 500 }, cost: { instructions: '12 + 8*probes' } },
      ],
    },
  },
});

async function classify(): Promise<FunctionContract> {
  const files: Record<string, string> = { '/virtual/classify.c': SOURCE, '/virtual/t.pcontract.json': CONTRACTS };
  const result = await analyze([{ path: '/virtual/classify.c' }], { entries: ['classify'], contractFiles: ['/virtual/t.pcontract.json'] }, { readFile: (p) => files[p] });
  assert.deepEqual(result.diagnostics, []);
  return result.contracts[0]!;
}

/** Every member's formula is at most its behaviour's, at PCV values from 0 to past the bounds. */
function assertSound(contract: FunctionContract): void {
  for (const b of contract.behaviours!) {
    for (const metric of contract.metrics) {
      const formula = b.cost[metric]!;
      for (const id of b.classes) {
        const member = contract.classes.find((c) => c.id === id)!.cost[metric]!;
        for (const value of [0, 1, 3, 1000]) {
          const values = Object.fromEntries([...formulaPcvNames(formula), ...formulaPcvNames(member)].map((n) => [n, value]));
          assert.ok(evaluateFormula(member, values) <= evaluateFormula(formula, values), `${b.id} ${metric}: ${member} above ${formula} at ${value}`);
        }
      }
    }
  }
}

test('behaviours are named from enum constants, declared cases and helpers, and bound their classes', async () => {
  const c = await classify();
  const names = c.behaviours!.map((b) => b.name);
  assert.ok(c.behaviours!.length <= MAX_BEHAVIOURS);
  assert.ok(names.includes('table_find absent, returns VERDICT_DROP (7)'), names.join('\n'));
  assert.ok(names.includes('table_find found, returns VERDICT_PASS (3)'), names.join('\n'));
  // One class returns either constant (same cost): both are named.
  assert.ok(names.includes('through by_port, returns VERDICT_DROP (7) or VERDICT_PASS (3)'), names.join('\n'));
  // VERDICT_SLOW is returned only through a conditional expression: its value stays a number.
  assert.ok(names.includes('loops over opts, no table calls, returns 9 or VERDICT_PASS (3)'), names.join('\n'));
  // Every class is in exactly one behaviour.
  const members = c.behaviours!.flatMap((b) => b.classes).sort();
  assert.deepEqual(members, c.classes.map((k) => k.id).sort());
  assertSound(c);
});

test('typical values come from annotations and contract files; attacker PCVs from packet-driven loops and contracts', async () => {
  const c = await classify();
  const opts = c.pcvs.find((p) => p.name === 'opts')!;
  assert.equal(opts.typical, 2);
  assert.equal(opts.typicalSource, 'annotation');
  assert.match(opts.attacker!, /packet bytes decide how often its loop runs \(`i < p\[1\]`\)/);
  const probes = c.pcvs.find((p) => p.name === 'probes')!;
  assert.deepEqual([probes.typical, probes.typicalSource, probes.attacker, probes.site], [0, 'contract', 'keys chosen to collide: each adds a probe', 'table_find@31']);
  // Typical costs use the typical values; the loop at its bound (30) makes its behaviours adversarial.
  const slow = c.behaviours!.find((b) => /loops over opts/.test(b.name))!;
  assert.equal(slow.typicalCost, evaluateFormula(slow.typicalFormula, { opts: 2 }));
  assert.deepEqual(slow.adversarial?.pcvs.map((p) => p.name), ['opts']);
  // The table's probes cost 8 each: at the bound 500 that is far above the common case.
  const absent = c.behaviours!.find((b) => b.name.startsWith('table_find absent'))!;
  assert.deepEqual(absent.adversarial?.pcvs.map((p) => [p.name, p.perUnit]), [['probes', 8]]);
  // A behaviour that packet bytes do not select beyond `len` is never adversarial.
  assert.equal(c.behaviours!.find((b) => b.name === 'returns VERDICT_DROP (7)')?.adversarial, undefined);
});

test('the fixtures give at most ten behaviours that bound their classes', async () => {
  const root = path.resolve(__dirname, '../../../test-fixtures');
  for (const file of ['packet_parser.c', 'engine/declared.c', 'engine/pcv_loops.c', 'engine/loops.c']) {
    const result = await analyze([{ path: path.join(root, file) }], {}, diskFileSystem);
    for (const contract of result.contracts) {
      assert.ok(contract.behaviours!.length <= MAX_BEHAVIOURS, `${file} ${contract.name}`);
      assertSound(contract);
    }
  }
  assert.ok(fs.existsSync(path.join(root, 'nf', 'nat.c')));
});

test('PCV instances print grouped with a count, or per call site', () => {
  const pcvs = [
    { name: 'c', description: 'probes (in map_get, declared in map.pcontract.json)', site: 'map_get@117' },
    { name: "c'", description: 'probes (in map_put, declared in map.pcontract.json)', site: 'map_put@137' },
    { name: 'c@e', description: 'probes (in map_erase, declared in map.pcontract.json) (summed over the iterations of the loops around it)', site: 'map_erase@64' },
    { name: 'e', description: 'expired flows', site: 'expire@60' },
  ];
  const formula = "100 + 66*c + 66*c' + 66*c@e + 310*e";
  assert.equal(displayFormula(formula, pcvs), '100 + 66*Σc [3 calls] + 310*e');
  assert.equal(displayFormula(formula, pcvs, 'perCallSite'), '100 + 66*c[map_get@117] + 66*c[map_put@137] + 66*c[map_erase@64] + 310*e[expire@60]');
  assert.deepEqual(["t''", "t'@e", 'iterations@f:12', "iterations@f:12'"].map(pcvBase), ['t', 't', 'iterations@f:12', 'iterations@f:12']);
  assert.equal(maximumFormula(['3 + 2*a', '5 + b', '1 + 4*a*b']), '5 + 2*a + b + 4*a*b');
  assert.deepEqual([...polynomialOf('7 + 2*a - b')], [['', 7], ['a', 2], ['b', -1]]);
});

test('a behaviour whose member classes took a decision both ways does not print it: a || !a is true', async () => {
  const text = `#include <stdint.h>
int weight(const uint8_t *p, unsigned i, int urgent) {
  const uint8_t w[4] = { 1, 2, 3, 4 };
  int extra = urgent ? p[0] : 1;
  return w[i] + extra;
}
`;
  const result = await analyze([{ path: '/virtual/weight.c', text }], { entries: ['weight'] }, { readFile: () => undefined });
  const contract = result.contracts[0]!;
  const behaviours = contract.behaviours ?? [];
  // Each outcome is reached with urgent and without: the conditions do not mention it.
  assert.ok(behaviours.length >= 2, JSON.stringify(behaviours.map((b) => b.name)));
  for (const b of behaviours) assert.ok(!/urgent|one of/.test(b.condition), `${b.name}: ${b.condition}`);
  assert.deepEqual(behaviours.map((b) => b.condition), behaviours.map(() => 'true'));
});
