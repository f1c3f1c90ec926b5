// The built-in DPDK hash-table contracts: used by calls in NF code, and their figures reproduced by a fresh callgrind measurement.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { analyze } from '../src/core/analysis';
import { builtinContracts } from '../src/core/declared/declaredContracts';
import { DPDK_CONTRACTS_SOURCE, measureHashContracts } from '../../scripts/dpdkContracts';

// A flow cache in the style of an NF built on DPDK: look the 5-tuple up, add it on a miss, drop
// when the table is full. The prototypes are DPDK's own (rte_hash.h), so no DPDK headers are needed.
const FLOW_CACHE = `
#include <stdint.h>
struct rte_hash;
int32_t rte_hash_lookup(const struct rte_hash *h, const void *key);
int32_t rte_hash_add_key(const struct rte_hash *h, const void *key);
struct tuple { uint32_t src, dst; uint16_t sport, dport; uint8_t proto; uint8_t pad[3]; };
struct flow { uint64_t packets; uint16_t out_port; };
static struct flow flows[4096];
int classify(const struct rte_hash *h, const struct tuple *t) {
  int32_t slot = rte_hash_lookup(h, t);
  if (slot < 0) {
    slot = rte_hash_add_key(h, t);
    if (slot < 0) return -1;
    if (slot >= 4096) return -1;
    flows[slot].packets = 0;
    flows[slot].out_port = t->dport & 3;
  }
  if (slot >= 4096) return -1;
  flows[slot].packets++;
  return flows[slot].out_port;
}
`;

test('DPDK hash calls take the built-in contract: hit, miss then added or full, with the collision PCV bounded', async () => {
  const result = await analyze([{ path: '/v/flows.c', text: FLOW_CACHE }], { entries: ['classify'] }, { readFile: () => undefined });
  const contract = result.contracts[0]!;
  assert.equal(contract.complete, true);
  assert.deepEqual(contract.unmodelledCalls, []);
  const conditions = contract.classes.map((c) => c.condition).join('\n');
  for (const taken of ['rte_hash_lookup(): hit', 'rte_hash_lookup(): miss', 'rte_hash_add_key(): added', 'rte_hash_add_key(): full']) assert.ok(conditions.includes(taken), `${taken} in\n${conditions}`);
  const collisions = contract.pcvs.filter((p) => /share the key's bucket and 16-bit signature/.test(p.description));
  assert.ok(collisions.length >= 2, JSON.stringify(contract.pcvs));
  assert.ok(collisions.every((p) => p.bound === 16));
  assert.ok(contract.classes.every((c) => c.witnessVerified !== false));
  // The miss-then-add path is the dearest: two searches of the table.
  const worst = contract.classes.find((c) => c.id === contract.worstCase?.class)!;
  assert.match(worst.condition, /rte_hash_lookup\(\): miss/);
});

test('the DPDK contract file is valid and built in, and a fresh callgrind measurement reproduces its figures', () => {
  // Instruction counts are deterministic for one build of the library; 5% leaves room for another patch release.
  const formulas = (document: { functions: Record<string, { cases: Array<{ name: string; cost: Record<string, string> }> }> }) =>
    Object.entries(document.functions).flatMap(([fn, c]) => c.cases.flatMap((k) => Object.entries(k.cost).map(([metric, f]) => ({ key: `${fn} ${k.name} ${metric}`, numbers: f.match(/\d+/g)!.map(Number) }))));
  const file: Parameters<typeof formulas>[0] = JSON.parse(fs.readFileSync(DPDK_CONTRACTS_SOURCE, 'utf8'));
  const schema = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../docs/pcontract.schema.json'), 'utf8'));
  const validate = new Ajv({ strict: false }).compile(schema);
  assert.ok(validate(file), JSON.stringify(validate.errors));
  const { contracts } = builtinContracts();
  for (const name of ['rte_hash_lookup', 'rte_hash_add_key', 'rte_hash_del_key', 'rte_lpm6_lookup']) assert.ok(contracts.has(name), name);
  const { contracts: fresh, lines } = measureHashContracts();
  const saved = new Map(formulas(file).map((f) => [f.key, f.numbers]));
  for (const { key, numbers } of formulas(fresh as unknown as Parameters<typeof formulas>[0])) {
    const before = saved.get(key);
    assert.ok(before, `${key} is not in the file`);
    numbers.forEach((n, i) => assert.ok(Math.abs(n - before[i]!) <= Math.max(2, 0.05 * before[i]!), `${key}: measured ${numbers.join(', ')}, file ${before.join(', ')}\n${lines.join('\n')}`));
  }
});
