// Functions without a body take their cost from declared contracts (*.pcontract.json), validated against the shipped schema.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyze } from '../src/core/analysis';
import { diskFileSystem } from '../src/cli/main';
import { BPF_CONTRACTS_FILE, builtinContracts, builtinContractsPath, parseDeclaredContracts } from '../src/core/declared/declaredContracts';
import { interpret } from '../src/core/interp/interpreter';
import { evaluateFormula } from '../src/core/cost/formula';

const fixture = path.resolve(__dirname, '../../../test-fixtures/engine/declared.c');

test('a declared contract beside the source gives each case its class, formula and bounded PCV', async () => {
  const result = await analyze([{ path: fixture }], {}, diskFileSystem);
  const c = result.contracts[0]!;
  const hit = c.classes.find((k) => k.condition.endsWith('flow_table_lookup(): hit'))!;
  const miss = c.classes.find((k) => k.condition.endsWith('flow_table_lookup(): miss'))!;
  assert.equal(hit.cost.instructions, '46 + 9*t');
  assert.equal(miss.cost.memory_accesses, '9 + 2*t');
  assert.equal(hit.lowerBound, false);
  assert.equal(miss.lowerBound, true); // log_packet has neither body nor contract
  assert.deepEqual(c.unmodelledCalls.map((u) => u.callee), ['log_packet']);
  assert.deepEqual(c.pcvs.map((p) => [p.name, p.bound]), [['t', 8]]);
  assert.equal(c.worstCase?.atBounds, 51 + 9 * 8);
  assert.ok(c.classes.every((k) => k.witnessVerified !== false));
});

test('an invalid contract file is reported with its problems and the analysis goes on', async () => {
  const bad = JSON.stringify({ version: 1, functions: { f: { cases: [{ returns: 'zero', cost: { instructions: '3 + q' } }] } } });
  const files: Record<string, string> = { '/virtual/main.c': 'int f(int);\nint g(int a) { return f(a) + 1; }\n', '/virtual/bad.pcontract.json': bad };
  const result = await analyze([{ path: '/virtual/main.c' }], { contractFiles: ['/virtual/bad.pcontract.json'] }, { readFile: (p) => files[p] });
  const problems = result.diagnostics.filter((d) => d.reason === 'invalid-contract');
  assert.ok(problems.length > 0);
  assert.match(problems[0]!.message, /^\/virtual\/bad\.pcontract\.json: \/functions\/f\/cases\/0\/returns/);
  assert.deepEqual(result.contracts[0]!.unmodelledCalls.map((u) => u.callee), ['f']);
});

test('formulas may only use the PCVs their case declares, and no min or max', () => {
  const undeclared = parseDeclaredContracts(JSON.stringify({ version: 1, functions: { f: { cases: [{ cost: { instructions: '3 + 2*q' } }] } } }), 'x.pcontract.json');
  assert.match(undeclared.errors[0] ?? '', /'q' in the instructions formula is not one of the case's pcvs/);
  const nonlinear = parseDeclaredContracts(JSON.stringify({ version: 1, functions: { f: { cases: [{ pcvs: { n: 'n' }, cost: { instructions: 'max(n, 3)' } }] } } }), 'x.pcontract.json');
  assert.match(nonlinear.errors[0] ?? '', /max\(\.\.\.\) is not allowed/);
  const good = parseDeclaredContracts(JSON.stringify({ version: 1, functions: { f: { cases: [{ pcvs: { n: 'n', m: 'm' }, cost: { instructions: '(n + 1) * (m + 2)' } }] } } }), 'x.pcontract.json');
  assert.deepEqual(Object.fromEntries(good.contracts.get('f')!.cases[0]!.cost.instructions), { '': 2, m: 1, 'm*n': 1, n: 2 });
});

test('a void function with a declared contract is charged the same by the analysis and by run', async () => {
  const files: Record<string, string> = {
    '/virtual/v.c': 'void audit(int);\nint f(int a) { audit(a); return a; }\n',
    '/virtual/v.pcontract.json': JSON.stringify({ version: 1, functions: { audit: { cases: [{ cost: { instructions: '100', memory_accesses: '7' } }] } } }),
  };
  const result = await analyze([{ path: '/virtual/v.c' }], { contractFiles: ['/virtual/v.pcontract.json'] }, { readFile: (p) => files[p] });
  const only = result.contracts[0]!.classes[0]!;
  const run = interpret(result.program, 'f', only.witness, { declaredContracts: result.declaredContracts });
  assert.equal(String(run.cost.instructions), only.cost.instructions);
  assert.equal(only.lowerBound, false);
});

test('a contract annotation at the declaration is used, reported when invalid, and a contract file overrides it', async () => {
  const annotated = [
    '#include <stdint.h>',
    '/*@ contract { "cases": [',
    '  { "name": "found", "returns": 1, "pcvs": { "c": "collisions" }, "bounds": { "c": 4 }, "cost": { "instructions": "30 + 12*c", "memory_accesses": "6 + 3*c" } },',
    '  { "name": "absent", "returns": 0, "cost": { "instructions": "18", "memory_accesses": "4" } } ] } */',
    'int map_has(uint32_t key);',
    '/*@ contract { "cases": [ { "cost": { "instructions": "oops(" } } ] } */',
    'int broken(uint32_t key);',
    'int g(uint32_t k) { return map_has(k) + broken(k); }',
    '',
  ].join('\n');
  const files: Record<string, string> = { '/virtual/a.c': annotated };
  const result = await analyze([{ path: '/virtual/a.c' }], {}, { readFile: (p) => files[p] });
  const c = result.contracts[0]!;
  assert.deepEqual(c.classes.map((k) => k.condition).sort(), ['map_has(): absent', 'map_has(): found']);
  assert.ok(c.classes.some((k) => /\+ 12\*c$/.test(k.cost.instructions!)));
  assert.deepEqual(c.unmodelledCalls.map((u) => u.callee), ['broken']);
  const problem = result.diagnostics.find((d) => d.reason === 'invalid-contract');
  assert.equal(problem?.functionName, 'broken');
  assert.equal(problem?.startLine, 6);

  files['/virtual/override.pcontract.json'] = JSON.stringify({ version: 1, functions: { map_has: { cases: [{ cost: { instructions: '7', memory_accesses: '1' } }] } } });
  const overridden = await analyze([{ path: '/virtual/a.c' }], { contractFiles: ['/virtual/override.pcontract.json'] }, { readFile: (p) => files[p] });
  assert.equal(overridden.contracts[0]!.classes.length, 1);
});

test('a declared contract of a function returning a pointer splits on NULL (returns 0) and an object (returns 1)', async () => {
  const text = `#include <stdint.h>
/*@ contract { "cases": [
  { "name": "miss", "returns": 0, "pcvs": { "c": "bucket entries compared" }, "bounds": { "c": 8 }, "cost": { "instructions": "35 + 12*c", "memory_accesses": "5 + 2*c" } },
  { "name": "hit", "returns": 1, "pcvs": { "c": "bucket entries compared" }, "bounds": { "c": 8 }, "cost": { "instructions": "40 + 12*c", "memory_accesses": "6 + 2*c" } } ] } */
extern void *flow_lookup(const void *map, const uint32_t *key);
struct flow { uint64_t packets; uint32_t port; };
int fwd(uint32_t key, const void *map)
{
    struct flow *f = flow_lookup(map, &key);
    if (!f) return -1;
    f->packets++;
    if (f->port > 8) return -2;
    return (int)f->port;
}
`;
  const result = await analyze([{ path: '/virtual/fwd.c', text }], {}, { readFile: () => undefined });
  const c = result.contracts[0]!;
  assert.ok(c.complete);
  assert.deepEqual(c.unmodelledCalls, []);
  const byReturn = new Map(c.classes.map((k) => [k.returns.join(), k]));
  assert.equal(byReturn.get('-1')!.condition, 'flow_lookup(): miss');
  assert.equal(byReturn.get('-1')!.cost.instructions, '42 + 12*c');
  assert.match(byReturn.get('-2')!.condition, /^flow_lookup\(\): hit && f->port > 8$/);
  for (const k of c.classes) {
    assert.equal(k.lowerBound, false, k.id);
    assert.equal(k.witnessVerified, true, k.id);
    // The run of the witness costs what the class formula gives at its PCVs.
    const run = interpret(result.program, 'fwd', k.witness, { declaredContracts: result.declaredContracts });
    assert.equal(run.cost.instructions, evaluateFormula(k.cost.instructions!, { c: k.witness.pcv.c ?? 0 }), `${k.id} at ${JSON.stringify(k.witness.pcv)}`);
  }
});

test('the BPF helpers have built-in contracts: a map lookup is a hit or a miss with its cost, not an unmodelled call', async () => {
  const text = `#include <stdint.h>
struct xdp_md { uint32_t data; uint32_t data_end; uint32_t data_meta; uint32_t ingress_ifindex; uint32_t rx_queue_index; };
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;
static long (*bpf_redirect)(uint32_t ifindex, uint64_t flags) = (void *) 23;
struct { uint32_t type; } tx_ports;
int xdp_forward(struct xdp_md *ctx)
{
    uint32_t key = ctx->ingress_ifindex;
    uint32_t *port = bpf_map_lookup_elem(&tx_ports, &key);
    if (!port) return 1;
    return (int)bpf_redirect(*port, 0);
}
`;
  const result = await analyze([{ path: '/virtual/xdp_forward.c', text }], {}, { readFile: () => undefined });
  const c = result.contracts[0]!;
  assert.ok(c.complete);
  assert.deepEqual(c.unmodelledCalls, []);
  assert.deepEqual(c.classes.map((k) => k.condition).sort(), ['bpf_map_lookup_elem(): hit', 'bpf_map_lookup_elem(): miss']);
  assert.ok(c.classes.every((k) => k.lowerBound === false && k.witnessVerified), JSON.stringify(c.classes));
  assert.deepEqual(c.pcvs.map((p) => [p.name, p.bound ?? null, p.typical]), [['c', null, 1]]);
  assert.ok(c.classes.every((k) => /\b10\*c\b/.test(k.cost.instructions!)), JSON.stringify(c.classes.map((k) => k.cost)));
  // A lookup whose result is discarded (a warm-up) merges its cases, in the analysis and in the run.
  const warm = `${text.split('int xdp_forward')[0]}int xdp_warm(struct xdp_md *ctx)
{
    uint32_t key = ctx->rx_queue_index;
    bpf_map_lookup_elem(&tx_ports, &key);
    return 2;
}
`;
  const warmed = await analyze([{ path: '/virtual/xdp_warm.c', text: warm }], {}, { readFile: () => undefined });
  const only = warmed.contracts[0]!;
  assert.equal(only.classes.length, 1);
  assert.equal(only.classes[0]!.witnessVerified, true);
  const run = interpret(warmed.program, 'xdp_warm', only.classes[0]!.witness, { declaredContracts: warmed.declaredContracts });
  assert.equal(run.cost.instructions, evaluateFormula(only.classes[0]!.cost.instructions!, { c: only.classes[0]!.witness.pcv.c ?? 0 }));
});

test('the built-in BPF helper contracts are valid, installed beside the C library, and say they are estimates', () => {
  const file = builtinContractsPath(BPF_CONTRACTS_FILE);
  assert.ok(file, 'docs/bpf.pcontract.json is installed');
  const parsed = parseDeclaredContracts(fs.readFileSync(file!, 'utf8'), file!);
  assert.deepEqual(parsed.errors, []);
  assert.ok(parsed.contracts.has('bpf_map_lookup_elem') && parsed.contracts.has('bpf_redirect_map'));
  for (const [name, contract] of parsed.contracts) assert.match(contract.description ?? '', /ESTIMATE, not measured/, name);
  // Loaded with the C library's, so any analysis sees them.
  assert.ok(builtinContracts().contracts.has('bpf_map_lookup_elem') && builtinContracts().contracts.has('strlen'));
});
