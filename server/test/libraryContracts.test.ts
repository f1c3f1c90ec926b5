// Declared contracts with out-parameters, contracts derived from code (--format pcontract), and the
// NF library's shipped contract files checked against what the engine derives from the library's code.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyze } from '../src/core/analysis';
import { DEFAULT_EXECUTION_OPTIONS } from '../src/core/symex/executor';
import { diskFileSystem } from '../src/cli/main';
import { builtinContracts, builtinContractsPath, parseDeclaredContracts, Polynomial } from '../src/core/declared/declaredContracts';
import { INTRINSICS } from '../src/core/syntax/builtinHeaders';
import { declaredFromContract } from '../src/core/contract/deriveDeclared';
import { interpret } from '../src/core/interp/interpreter';
import { cli } from './support/runCli';

const nf = path.resolve(__dirname, '../../../test-fixtures/nf');
const lib = path.join(nf, 'lib');

const OUT_PARAMETER_SOURCE = `
#include <stdint.h>
int lookup(uint32_t key, int32_t *slot);
static int32_t table[16];
int handler(uint32_t key) {
  int32_t slot;
  if (!lookup(key, &slot)) return -1;
  return table[slot];
}
`;

function outParameterContract(writes: unknown): string {
  return JSON.stringify({
    version: 1,
    functions: {
      lookup: {
        cases: [
          { name: 'found', returns: 1, writes: { slot: writes }, cost: { instructions: '10' } },
          { name: 'missing', returns: 0, cost: { instructions: '4' } },
        ],
      },
    },
  });
}

async function analyzeOutParameter(writes: unknown) {
  const files: Record<string, string> = { '/virtual/h.c': OUT_PARAMETER_SOURCE, '/virtual/lookup.pcontract.json': outParameterContract(writes) };
  return analyze([{ path: '/virtual/h.c' }], { contractFiles: ['/virtual/lookup.pcontract.json'] }, { readFile: (p) => files[p] });
}

test('a declared out-parameter range keeps the caller in bounds, and its witness value is replayed', async () => {
  const result = await analyzeOutParameter({ min: 0, max: 15 });
  assert.deepEqual(result.diagnostics, []);
  const c = result.contracts[0]!;
  assert.ok(c.complete);
  assert.deepEqual(c.classes.map((k) => k.outcome), ['return', 'return']);
  const found = c.classes.find((k) => k.condition.includes('found'))!;
  const slot = found.witness.externals?.['lookup#1.slot'];
  assert.equal(typeof slot, 'number');
  assert.ok((slot as number) >= 0 && (slot as number) <= 15);
  const run = interpret(result.program, 'handler', found.witness, { declaredContracts: result.declaredContracts });
  assert.equal(run.error, undefined);
  assert.ok(found.witnessVerified !== false);
});

test('without a range that fits the table, the caller gets its out-of-bounds class', async () => {
  const result = await analyzeOutParameter({ min: 0, max: 16 });
  const errors = result.contracts[0]!.classes.filter((k) => k.outcome === 'error');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.reason?.code, 'PC103');
});

test('a write to a parameter that is not a pointer to an integer is reported', async () => {
  const files: Record<string, string> = {
    '/virtual/h.c': 'int lookup(int key, int slot);\nint h(int k) { return lookup(k, 0); }\n',
    '/virtual/c.pcontract.json': JSON.stringify({ version: 1, functions: { lookup: { cases: [{ returns: 1, writes: { slot: 3 }, cost: { instructions: '1' } }] } } }),
  };
  const result = await analyze([{ path: '/virtual/h.c' }], { contractFiles: ['/virtual/c.pcontract.json'] }, { readFile: (p) => files[p] });
  assert.ok(result.diagnostics.some((d) => d.reason === 'invalid-contract' && /writes\.slot: parameter 'slot' of 'lookup' is not a pointer to an integer/.test(d.message)));
});

test('--format pcontract derives a valid contract file whose cases bound the derived classes', async () => {
  const loops = path.resolve(__dirname, '../../../test-fixtures/engine/pcv_loops.c');
  const { stdout, code } = await cli(['contract', loops, '--format', 'pcontract']);
  assert.equal(code, 0);
  const parsed = parseDeclaredContracts(stdout, 'derived.pcontract.json');
  assert.deepEqual(parsed.errors, []);
  assert.ok(parsed.contracts.size > 0);
  const json = JSON.parse(stdout) as { functions: Record<string, { cases: { pcvs?: Record<string, string> }[] }> };
  assert.ok(Object.values(json.functions).some((f) => f.cases.some((c) => Object.keys(c.pcvs ?? {}).length > 0)), 'a loop PCV reaches the derived contract');
});

test('a masked return value gets a range, so a derived contract keeps its class out of the other values\' cases', async () => {
  const source = `
#include <stdint.h>
static uint32_t slots[64];
int find(uint32_t key)
{
    uint32_t i;
    for (i = 0; i < 64; i++) {
        uint32_t s = (key + i) & 63;
        if (slots[s] == key) {
            return (int)s;
        }
    }
    return -1;
}
`;
  // The loop is summarised (not run in full, as its constant 64 would allow): the hit's and the miss's formulas share its PCV.
  const result = await analyze([{ path: '/virtual/find.c' }], { execution: { ...DEFAULT_EXECUTION_OPTIONS, unrollLimit: 0, fullUnrollLimit: 0 } }, { readFile: (p) => (p === '/virtual/find.c' ? source : undefined) });
  const contract = result.contracts[0]!;
  const found = contract.classes.filter((c) => c.returns.includes('symbolic'));
  assert.ok(found.length > 0 && found.every((c) => c.returnRange?.min === 0 && c.returnRange.max === 63), JSON.stringify(found.map((c) => c.returnRange)));
  const derived = declaredFromContract(contract);
  const missing = derived.cases.find((c) => c.returns === -1)!;
  const other = derived.cases.find((c) => c.name === 'returns another value')!;
  assert.deepEqual(other.returns, { min: 0, max: 63 });
  // A miss is not charged for the hit's key comparison and return.
  const constant = (formula: string) => Number(/^(\d+)/.exec(formula)![1]);
  assert.ok(constant(missing.cost.instructions!) < constant(other.cost.instructions!), `${missing.cost.instructions} vs ${other.cost.instructions}`);
  assert.deepEqual(parseDeclaredContracts(JSON.stringify({ version: 1, functions: { find: derived } }), 'derived').errors, []);
});

/** Whether two `returns` values (an integer or a range) share a value. */
function overlaps(a: number | { min: number; max: number }, b: number | { min: number; max: number }): boolean {
  const range = (x: typeof a) => (typeof x === 'number' ? { min: x, max: x } : x);
  return range(a).min <= range(b).max && range(b).min <= range(a).max;
}

/** Term-by-term comparison of two cost polynomials (PCVs are never negative). */
function bounds(upper: Polynomial, lower: Polynomial): boolean {
  return [...lower].every(([term, coefficient]) => (upper.get(term) ?? 0) >= coefficient);
}

test('the NF library contract files bound every returning class derived from the library code', async () => {
  const shipped = new Map<string, ReturnType<typeof parseDeclaredContracts>['contracts'] extends Map<string, infer C> ? C : never>();
  for (const file of ['lib/map.pcontract.json', 'lib/dchain.pcontract.json', 'lib/maglev.pcontract.json', 'bridge.pcontract.json']) {
    const parsed = parseDeclaredContracts(fs.readFileSync(path.join(nf, file), 'utf8'), file);
    assert.deepEqual(parsed.errors, []);
    for (const [name, contract] of parsed.contracts) shipped.set(name, contract);
  }
  const checks: [string, string[]][] = [
    ['lib/dchain.c', ['dchain_allocate_new_index', 'dchain_rejuvenate_index', 'dchain_free_index', 'dchain_is_index_allocated', 'dchain_expire_one']],
    ['lib/map.c', ['map_get', 'map_put', 'map_erase']],
    ['bridge.c', ['mac_table_find', 'mac_table_insert']],
    ['lib/maglev.c', ['maglev_lookup', 'maglev_is_up', 'maglev_set_up', 'maglev_needs_population']],
  ];
  for (const [file, entries] of checks) {
    // Each function is derived with the unroll limit its shipped contract declares (the map's: 0,
    // every probe counted by its PCVs), as `--unroll N --format pcontract` derives it.
    const limits = new Map<number, string[]>();
    for (const entry of entries) {
      const limit = shipped.get(entry)?.unrollLimit ?? DEFAULT_EXECUTION_OPTIONS.unrollLimit;
      limits.set(limit, [...(limits.get(limit) ?? []), entry]);
    }
    const contracts = [];
    for (const [unrollLimit, group] of limits) {
      const result = await analyze([{ path: path.join(nf, file) }], { includeDirs: [lib], entries: group, execution: { ...DEFAULT_EXECUTION_OPTIONS, unrollLimit, timeLimitMs: 6000 } }, diskFileSystem);
      contracts.push(...result.contracts);
    }
    for (const contract of contracts) {
      const derived = parseDeclaredContracts(JSON.stringify({ version: 1, functions: { [contract.name]: declaredFromContract(contract) } }), 'derived');
      assert.deepEqual(derived.errors, []);
      const declared = shipped.get(contract.name)!;
      for (const c of derived.contracts.get(contract.name)!.cases) {
        const matching = declared.cases.filter((d) => c.returns === undefined || d.returns === undefined || overlaps(d.returns, c.returns));
        assert.ok(matching.length > 0, `${contract.name}: no shipped case for ${c.name}`);
        for (const d of matching) {
          for (const metric of ['instructions', 'memory_accesses'] as const) {
            assert.ok(bounds(d.cost[metric], c.cost[metric]), `${contract.name} ${d.name} ${metric}: ${[...d.cost[metric]]} does not bound the derived ${[...c.cost[metric]]}`);
          }
        }
      }
    }
  }
});

let natWithContracts: Awaited<ReturnType<typeof analyze>> | undefined;

test('the NAT analysed against the library contracts is complete and free of error classes', async () => {
  const result = await analyze([{ path: path.join(nf, 'nat.c') }], { includeDirs: [lib], entries: ['nf_process'] }, diskFileSystem);
  natWithContracts = result;
  const c = result.contracts[0]!;
  assert.ok(c.complete, JSON.stringify(c.incompleteReasons));
  assert.deepEqual(c.classes.filter((k) => k.outcome !== 'return').map((k) => k.reason?.message), []);
  assert.deepEqual(c.unmodelledCalls, []);
  // Hash-map probes and expired flows reach the formulas, bounded by the contracts and the loop guard.
  const names = c.pcvs.map((p) => p.name);
  assert.ok(names.includes('t') && names.includes('e'), names.join(', '));
  assert.ok(c.pcvs.every((p) => p.bound !== undefined));
  // A call's PCVs are named in the order of the calls on its path, so one name can count different
  // callees' probes on different paths: the glossary says which.
  const third = c.pcvs.find((p) => p.name === "t''")!;
  assert.match(third.description, /\(in map_put, declared in map\.pcontract\.json\); on other paths t'' counts the PCV of [a-z_, ]*map_get/);
  // A witness replays every call it names; the classes where the expiry loop runs to its bound
  // would need values for 1024 calls inside summarised iterations, so only they may miss.
  const missed = c.classes.filter((k) => k.witnessVerified === false);
  assert.ok(missed.every((k) => k.condition.includes('n >= NAT_MAX_FLOWS')), missed.map((k) => k.condition).join('\n'));
  // Counted in paths: merged classes (one per loop behaviour) make the class count smaller, not the misses fewer.
  const paths = (classes: typeof c.classes) => classes.reduce((n, k) => n + k.paths, 0);
  assert.ok(paths(missed) < paths(c.classes) / 4, `${paths(missed)} of ${paths(c.classes)} paths in classes whose witness misses`);
});

test('with the library bodies among the files, preferring contracts gives the same NAT contract', async () => {
  assert.ok(natWithContracts, 'runs after the previous test');
  const files = ['nat.c', 'lib/map.c', 'lib/dchain.c'].map((f) => ({ path: path.join(nf, f) }));
  const result = await analyze(files, { includeDirs: [lib], entries: ['nf_process'], execution: { ...DEFAULT_EXECUTION_OPTIONS, preferDeclaredContracts: true } }, diskFileSystem);
  assert.equal(result.preferDeclaredContracts, true);
  const summary = (r: typeof result) => r.contracts[0]!.classes.map((k) => `${k.outcome} ${k.cost.instructions} ${k.cost.memory_accesses} ${k.condition}`).sort();
  assert.deepEqual(summary(result), summary(natWithContracts));
  assert.ok(result.contracts[0]!.complete);
});

// ----- the built-in contract library for C library functions -----

/** Reference implementations of the C library functions the built-in library covers. */
const LIBC_REFERENCE = `
#include <stddef.h>
size_t strlen(const char *s)
{
    size_t n = 0;
    /*@ pcv n "bytes before the terminating NUL" */
    while (s[n] != 0) {
        n++;
    }
    return n;
}
size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    /*@ pcv n "bytes examined before the NUL or the limit" */
    while (n < max && s[n] != 0) {
        n++;
    }
    return n;
}
int strcmp(const char *a, const char *b)
{
    size_t i = 0;
    /*@ pcv n "equal bytes compared" */
    while (a[i] != 0 && a[i] == b[i]) {
        i++;
    }
    return (int)(unsigned char)a[i] - (int)(unsigned char)b[i];
}
int strncmp(const char *a, const char *b, size_t max)
{
    size_t i = 0;
    /*@ pcv n "equal bytes compared" */
    while (i < max && a[i] != 0 && a[i] == b[i]) {
        i++;
    }
    if (i == max) {
        return 0;
    }
    return (int)(unsigned char)a[i] - (int)(unsigned char)b[i];
}
`;

test('the built-in C library contracts validate against the schema and cover functions the engine does not model otherwise', () => {
  const file = builtinContractsPath();
  assert.ok(file, 'docs/libc.pcontract.json is installed');
  const parsed = parseDeclaredContracts(fs.readFileSync(file!, 'utf8'), file!);
  assert.deepEqual(parsed.errors, []);
  assert.deepEqual([...parsed.contracts.keys()].sort(), ['strcmp', 'strlen', 'strncmp', 'strnlen']);
  // None of them is an intrinsic of the executor, nor has a body in a modelled header.
  for (const name of parsed.contracts.keys()) assert.ok(!INTRINSICS.has(name), name);
});

test('the built-in contracts bound every returning class derived from reference implementations', async () => {
  const { contracts: shipped } = builtinContracts();
  const result = await analyze([{ path: '/virtual/libc_reference.c', text: LIBC_REFERENCE }], {}, { readFile: () => undefined });
  assert.deepEqual(result.contracts.map((c) => c.name).sort(), ['strcmp', 'strlen', 'strncmp', 'strnlen']);
  for (const contract of result.contracts) {
    assert.ok(contract.complete, contract.name);
    // The derived PCV counts summarised iterations; the declared one every byte, which is never fewer.
    const derived = parseDeclaredContracts(JSON.stringify({ version: 1, functions: { [contract.name]: declaredFromContract(contract) } }), 'derived');
    assert.deepEqual(derived.errors, []);
    const declared = shipped.get(contract.name)!;
    for (const c of derived.contracts.get(contract.name)!.cases) {
      const matching = declared.cases.filter((d) => c.returns === undefined || d.returns === undefined || d.returns === c.returns);
      assert.ok(matching.length > 0, `${contract.name}: no built-in case for ${c.name}`);
      for (const d of matching) {
        for (const metric of ['instructions', 'memory_accesses'] as const) {
          const derivedCost = new Map([...c.cost[metric]].map(([term, k]) => [term === '' ? '' : 'n', k]));
          assert.ok(bounds(d.cost[metric], derivedCost), `${contract.name} ${d.name} ${metric}: ${[...d.cost[metric]]} does not bound the derived ${[...c.cost[metric]]}`);
        }
      }
    }
  }
});

const LIBC_CALLER = `
#include <stddef.h>
#include <stdint.h>
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int name_check(const char *name, const char *expected)
{
    if (strlen(name) > 16) {
        return -1;
    }
    return strcmp(name, expected) == 0;
}
`;

test('calls to C library functions use the built-in contracts by default, and a project contract replaces them', async () => {
  const result = await analyze([{ path: '/virtual/caller.c', text: LIBC_CALLER }], {}, { readFile: () => undefined });
  const contract = result.contracts[0]!;
  assert.deepEqual(contract.unmodelledCalls, []);
  assert.deepEqual(contract.pcvs.map((p) => p.name), ["n", "n'"]);
  assert.match(contract.pcvs[0]!.description, /in strlen, declared in libc\.pcontract\.json/);
  assert.ok(contract.classes.some((k) => k.condition.includes('strcmp(): equal')), contract.classes.map((k) => k.condition).join('; '));
  assert.ok(contract.classes.every((k) => !k.lowerBound));

  const own = JSON.stringify({ version: 1, functions: { strlen: { cases: [{ name: 'fixed', cost: { instructions: '5' } }] } } });
  const files: Record<string, string> = { '/virtual/own.pcontract.json': own };
  const replaced = await analyze([{ path: '/virtual/caller.c', text: LIBC_CALLER }], { contractFiles: ['/virtual/own.pcontract.json'] }, { readFile: (p) => files[p] });
  assert.deepEqual(replaced.contracts[0]!.pcvs.map((p) => p.name), ['n']);
  assert.match(replaced.contracts[0]!.pcvs[0]!.description, /in strcmp/);
});
