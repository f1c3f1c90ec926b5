// Compositional summaries must give the contracts inlining gives: same classes, conditions, costs, PCVs and path identities.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import * as fs from 'fs';
import { AnalysisOptions, AnalysisResult, analyze } from '../src/core/analysis';
import { diskFileSystem } from '../src/cli/main';
import { ContractCache, MemoryContractCache } from '../src/core/cache/contractCache';
import type { FunctionContract } from '../src/core/contract/contract';
import { and, arraySymbol, binary, bv, compare, extract, not, resetExpressionTable, select, store, symbol } from '../src/core/term/expr';
import { FunctionSummary, Rebuilder, SummaryUse, deserializeSummary, serializeSummary } from '../src/core/symex/summaries';
import { execFile } from 'child_process';
import { promisify } from 'util';

const root = path.resolve(__dirname, '../../../test-fixtures');
const nfLib = path.join(root, 'nf', 'lib');
const noFiles = { readFile: () => undefined };
/** Loop-free callees summarised; callees with loops inlined. */
const compositional = { execution: { compositional: true, compositionalLoops: false } as AnalysisOptions['execution'] };
/** Callees with loops summarised too, and every loop past the unroll limit keeps its PCV (no concrete runs). */
const withLoops = { execution: { compositional: true, compositionalLoops: true, concreteLoops: false } as AnalysisOptions['execution'] };

interface Case {
  name: string; files: string[]; options: Partial<AnalysisOptions>;
  /** Compare only the default with inlining (the NFs analysed against their library's contracts take long). */
  defaultOnly?: boolean;
  /**
   * Every loop summarised from its first iteration (`unrollLimit: 0`): whether a witness lands in
   * its class depends on which model the solver gave (docs/limitations.md, witnesses through
   * summarised loops), so `witnessVerified` can differ between two equally valid witnesses.
   */
  witnessesMayMiss?: boolean;
}
/**
 * The registry's settings, with a longer time limit than its 30 s: a contract cut short by the
 * time limit in one of the two runs only (a loaded machine) would differ for that reason alone.
 */
const nfModular = (extra: Partial<AnalysisOptions['execution']> = {}): Partial<AnalysisOptions> => ({
  entries: ['nf_process'], includeDirs: [nfLib], execution: { preferDeclaredContracts: true, timeLimitMs: 120_000, ...extra } as AnalysisOptions['execution'],
});

const cases: Case[] = [
  { name: 'packet_parser.c', files: [path.join(root, 'packet_parser.c')], options: {} },
  ...fs.readdirSync(path.join(root, 'engine')).filter((f) => f.endsWith('.c')).sort()
    // path_explosion.c at 2,048 paths meets its time limit first on a busy machine, at a point that
    // differs between the two runs: 256 paths end it by the path limit, as its snapshot does.
    .map((f) => ({ name: `engine/${f}`, files: [path.join(root, 'engine', f)], options: f === 'path_explosion.c' ? { execution: { maxPaths: 256 } as AnalysisOptions['execution'] } : {} })),
  { name: 'nf/router.c', files: [path.join(root, 'nf', 'router.c'), path.join(root, 'nf', 'lpm.c')], options: { entries: ['nf_process'], includeDirs: [nfLib] } },
  { name: 'nf/firewall.c', files: [path.join(root, 'nf', 'firewall.c')], options: { entries: ['nf_process'], includeDirs: [nfLib] } },
  // With the vector's code: a call with pointers to a function without a body forgets what they
  // reach, which a summary cannot record (docs/summaries.md), so its callers would be inlined.
  { name: 'nf/policer.c', files: [path.join(root, 'nf', 'policer.c'), path.join(nfLib, 'token_bucket.c'), path.join(nfLib, 'vector.c')], options: { entries: ['nf_process'], includeDirs: [nfLib] } },
  // The NFs the validation analyses against their library's contracts, with the registry's settings.
  { name: 'nf/nat.c', files: ['nat.c', 'lib/map.c', 'lib/dchain.c'].map((f) => path.join(root, 'nf', f)), options: nfModular(), defaultOnly: true },
  { name: 'nf/bridge.c', files: ['bridge.c', 'lib/dchain.c'].map((f) => path.join(root, 'nf', f)), options: nfModular(), defaultOnly: true },
  {
    name: 'nf/lb.c', files: ['lb.c', 'lib/map.c', 'lib/dchain.c', 'lib/vector.c', 'lib/maglev.c'].map((f) => path.join(root, 'nf', f)),
    options: nfModular({ unrollLimit: 0 }), defaultOnly: true, witnessesMayMiss: true,
  },
];

/** Callees each fixture instantiates from summaries with `compositionalLoops` and no concrete loop runs, so the comparison really exercises them. */
const summarised: Record<string, string[]> = {
  'packet_parser.c': ['ipv4_dec_ttl', 'tcp_rules', 'udp_rules'],
  'engine/calls.c': ['scaled', 'clamp', 'bump'],
  'engine/loops.c': ['sum4'],
  'engine/pointers.c': ['xor_bytes'],
  'nf/router.c': ['ipv4_decrement_ttl', 'ether_type_get', 'ipv4_header_csum', 'lpm_lookup'],
  'nf/firewall.c': ['fw_rule_matches', 'ether_type_get', 'fw_classify'],
  'nf/policer.c': ['policer_check', 'ipv4_hdr_len', 'policer_expire'],
};

/**
 * What may differ between the two ways: the statistics (solver calls, time), and a witness's input
 * values (a class's and each member's), which come from different but equally valid solver models
 * (each is still run through the interpreter, so `witnessVerified` must agree).
 */
const comparable = (contract: FunctionContract): unknown => comparableContract(contract);

function comparableContract(contract: FunctionContract, witnessesMayMiss = false): unknown {
  const { statistics: _statistics, classes, worstCase, ...rest } = contract;
  void _statistics;
  // The search for an adversarial witness starts from the worst class's witness, so what it finds
  // (and in how many runs) depends on the model too.
  const { witnessSearch: _search, ...worst } = worstCase ?? { witnessSearch: undefined };
  void _search;
  const verified = <T extends { witnessVerified?: boolean }>(item: T) => (witnessesMayMiss ? {} : { witnessVerified: item.witnessVerified });
  return {
    ...rest,
    worstCase: worstCase ? worst : null,
    classes: classes.map(({ witness: _witness, witnessVerified: _verified, members, ...c }) => {
      void _witness; void _verified;
      return {
        ...c, ...verified({ witnessVerified: _verified }),
        ...(members ? { members: members.map(({ witness: _w, witnessVerified: _v, ...m }) => { void _w; return { ...m, ...verified({ witnessVerified: _v }) }; }) } : {}),
      };
    }),
  };
}

async function run(c: Case, compositional: boolean, compositionalLoops = false, concreteLoops = true): Promise<AnalysisResult> {
  const execution = { ...(c.options.execution ?? {}), compositional, compositionalLoops, concreteLoops } as AnalysisOptions['execution'];
  return analyze(c.files.map((f) => ({ path: f })), { ...c.options, execution }, diskFileSystem);
}

interface Comparison {
  failure?: string; inlined: unknown[]; composed: unknown[]; byDefault: unknown[]; withLoops: unknown[]; inlinedEveryLoop: unknown[]; inlinedSummaries: unknown;
  use: SummaryUse[]; defaultUse: SummaryUse[];
}

/** The three contracts of one case, in comparable form (exported for a fresh process, see below). */
export async function compareCase(name: string): Promise<Comparison> {
  const c = cases.find((k) => k.name === name)!;
  const inlined = await run(c, false);
  // The default: callees with loops summarised too, loops with a fixed trip count run concretely.
  const byDefault = await run(c, true, true);
  const composed = c.defaultOnly ? inlined : await run(c, true);
  // Without concrete runs every loop past the unroll limit keeps its PCV.
  const withLoops = c.defaultOnly ? byDefault : await run(c, true, true, false);
  const inlinedEveryLoop = c.defaultOnly ? inlined : await run(c, false, false, false);
  const comparable = (contract: FunctionContract) => comparableContract(contract, c.witnessesMayMiss);
  // An unknown answer in one run only (a query that hit the solver's time limit on a loaded machine)
  // changes what is explored; it is reported (PC304), and the case is compared again in a fresh process.
  const unknowns = [inlined, composed, byDefault, withLoops, inlinedEveryLoop].map((r) => JSON.stringify(r.contracts.flatMap((k) => k.incompleteReasons).filter((i) => i.kind === 'solver-unknown')));
  const unknown = unknowns.every((u) => u === unknowns[0]) ? undefined : { message: unknowns.join(' / ') };
  return {
    failure: inlined.solverFailure ?? composed.solverFailure ?? byDefault.solverFailure ?? withLoops.solverFailure ?? inlinedEveryLoop.solverFailure
      ?? (unknown ? `the solver answered unknown: ${unknown.message}` : undefined),
    inlined: inlined.contracts.map(comparable), composed: composed.contracts.map(comparable), byDefault: byDefault.contracts.map(comparable),
    withLoops: withLoops.contracts.map(comparable), inlinedEveryLoop: inlinedEveryLoop.contracts.map(comparable),
    inlinedSummaries: inlined.summaries ?? null, use: c.defaultOnly ? [] : Object.values(withLoops.summaries!.use), defaultUse: Object.values(byDefault.summaries!.use),
  };
}

// The comparison runs in a child process; when z3 failed there (an intermittent crash of one of its
// threads), answered unknown in one run only, or stopped responding (a z3 call that never returns:
// the child is killed after COMPARE_LIMIT_MS), it runs once more in another.
const COMPARE_LIMIT_MS = 360_000;

async function compareInFreshProcess(name: string): Promise<Comparison> {
  const script = `require(${JSON.stringify(__filename)}).compareCase(${JSON.stringify(name)}).then((r) => process.stdout.write(JSON.stringify(r)));`;
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { env: { ...process.env, PC_COMPARE_ONLY: '1' }, maxBuffer: 256 * 1024 * 1024, timeout: COMPARE_LIMIT_MS, killSignal: 'SIGKILL' });
    return JSON.parse(stdout) as Comparison;
  } catch (error) {
    const e = error as { killed?: boolean; signal?: string; code?: number; stderr?: string };
    const why = e.killed ? `stopped responding and was killed after ${COMPARE_LIMIT_MS / 1000} s` : `exited with ${e.signal ?? e.code}: ${String(e.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
    return { failure: `the comparison process ${why}`, inlined: [], composed: [], byDefault: [], withLoops: [], inlinedEveryLoop: [], inlinedSummaries: null, use: [], defaultUse: [] };
  }
}

if (process.env.PC_COMPARE_ONLY !== '1') registerTests();

function registerTests(): void {
for (const c of cases) {
  test(`summaries == inlining: ${c.name}`, async () => {
    // Each case runs in a process of its own, so that z3's state after one case cannot affect another.
    let result = await compareInFreshProcess(c.name);
    if (result.failure) result = await compareInFreshProcess(c.name);
    if (result.failure) assert.fail(`z3 failed or answered unknown, in this process and in a fresh one: ${result.failure}`);
    assert.equal(result.inlinedSummaries, null);
    // Through JSON on both sides, so that a fresh process's answer compares the same way.
    const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
    assert.deepEqual(json(result.composed), json(result.inlined), 'loop-free callees summarised');
    assert.deepEqual(json(result.byDefault), json(result.inlined), 'the default: callees with loops summarised too, fixed loops run concretely');
    assert.deepEqual(json(result.withLoops), json(result.inlinedEveryLoop), 'callees with loops summarised too (every loop keeps its PCV)');
    // By default a callee is inlined only for a reason a summary cannot express, never because it has a loop.
    for (const inlined of result.defaultUse.flatMap((u) => u.inlined)) assert.doesNotMatch(inlined.reason, /summarising loops is off/, JSON.stringify(inlined));
    for (const callee of summarised[c.name] ?? []) {
      assert.ok(result.use.some((u) => (u.instantiated[callee] ?? 0) > 0), `${callee} should be instantiated from its summary in ${c.name}: ${JSON.stringify(result.use)}`);
    }
  });
}
registerOtherTests();
}

function registerOtherTests(): void {


const perSite = `#include <stdint.h>
static uint32_t sum_to(uint32_t n)
{
    uint32_t s = 0;
    /*@ pcv k "terms added" */
    for (uint32_t i = 0; i < n; i++) {
        s += i;
    }
    return s;
}
uint32_t per_site_entry(uint32_t x)
{
    return sum_to(10) + sum_to(x & 7) + sum_to(20);
}
`;

test("a summarised loop's PCV bound is settled per call site from the caller's values, as inlining does", async () => {
  const file = '/virtual/per_site.c';
  const composed = await analyze([{ path: file, text: perSite }], withLoops, noFiles);
  const inlined = await analyze([{ path: file, text: perSite }], { execution: { compositional: false, concreteLoops: false } as AnalysisOptions['execution'] }, noFiles);
  assert.deepEqual(composed.summaries!.computed, ['sum_to']);
  assert.equal(composed.summaries!.use.per_site_entry!.instantiated.sum_to! >= 3, true);
  // Two iterations run explicitly; the guard bounds the rest where the limit is a constant here.
  assert.deepEqual(composed.contracts[0]!.pcvs.map((p) => [p.name, p.bound ?? null]), [['k', 8], ["k'", null], ["k''", 18]]);
  assert.deepEqual(composed.contracts.map(comparable), inlined.contracts.map(comparable));
  // By default (no compositionalLoops) the two calls with a constant limit run in full: only the
  // middle call's loop keeps its PCV, under the name it has above.
  const concrete = await analyze([{ path: file, text: perSite }], { execution: { compositional: false } as AnalysisOptions['execution'] }, noFiles);
  assert.deepEqual(concrete.contracts[0]!.pcvs.map((p) => [p.name, p.bound ?? null]), [["k'", null]]);
  // The default summarises loops too: the two calls whose loop the caller's constant fixes are
  // inlined (their loop runs in full there), the middle one instantiates the summary.
  const byDefault = await analyze([{ path: file, text: perSite }], {}, noFiles);
  assert.deepEqual(byDefault.contracts.map(comparable), concrete.contracts.map(comparable));
  assert.equal(byDefault.summaries!.use.per_site_entry!.instantiated.sum_to, 1);
  assert.match(byDefault.summaries!.use.per_site_entry!.inlined.find((i) => i.callee === 'sum_to')!.reason, /fixed number of iterations at this call site/);
});

const twice = `#include <stdint.h>
/*@ contract { "cases": [
  { "name": "hit", "returns": { "min": 0, "max": 255 }, "pcvs": { "t": "buckets traversed" }, "bounds": { "t": 8 }, "cost": { "instructions": "20 + 9*t", "memory_accesses": "4 + 2*t" } },
  { "name": "miss", "returns": -1, "pcvs": { "t": "buckets traversed" }, "bounds": { "t": 8 }, "cost": { "instructions": "25 + 9*t", "memory_accesses": "5 + 2*t" } } ] } */
extern int table_lookup(uint32_t key);
extern void trace_port(int port);
static int lookup_port(uint32_t key)
{
    int port = table_lookup(key ^ 0x5a5a);
    trace_port(port);
    if (port < 0) return 0;
    return port + 1;
}
int twice_entry(uint32_t a, uint32_t b)
{
    return lookup_port(a) + lookup_port(b);
}
`;

test("a callee's PCVs and external calls are renamed per call site (t, then t')", async () => {
  const file = '/virtual/twice.c';
  const composed = await analyze([{ path: file, text: twice }], compositional, noFiles);
  const inlined = await analyze([{ path: file, text: twice }], { execution: { compositional: false } as AnalysisOptions['execution'] }, noFiles);
  // Once for the first call, then once on each of its two paths (hit, miss) for the second.
  assert.deepEqual(composed.summaries!.use.twice_entry!.instantiated, { lookup_port: 3 });
  const contract = composed.contracts[0]!;
  assert.deepEqual(contract.pcvs.map((p) => p.name), ['t', "t'"]);
  // hit+hit, miss+miss, and one class for hit+miss and miss+hit (same cost formula).
  assert.equal(contract.classes.length, 3);
  assert.ok(contract.classes.every((k) => k.cost.instructions!.includes("9*t'") && /9\*t\b/.test(k.cost.instructions!)), JSON.stringify(contract.classes.map((k) => k.cost)));
  assert.deepEqual(contract.unmodelledCalls.map((u) => u.callee), ['trace_port']);
  assert.deepEqual(comparable(contract), comparable(inlined.contracts[0]!));
  assert.ok(contract.classes.every((k) => k.witnessVerified === undefined || k.witnessVerified));
});

const fallbacks = `#include <stdint.h>
struct box { uint32_t *slot; uint32_t value; };
static void remember(struct box *b, uint32_t *where) { b->slot = where; }
static uint32_t grid(uint32_t n) { uint32_t s = 0; for (uint32_t i = 0; i < n; i++) for (uint32_t j = 0; j < 4; j++) s += i ^ j; return s; }
static uint32_t twice(uint32_t x) { return 2 * x; }
uint32_t fallback_entry(uint32_t n)
{
    struct box b;
    uint32_t cell = 7;
    remember(&b, &cell);
    b.value = twice(n);
    return *b.slot + b.value + grid(n & 3);
}
`;

test('callees a summary cannot express exactly are inlined, with the reason, and the contract is the same', async () => {
  const file = '/virtual/fallbacks.c';
  const composed = await analyze([{ path: file, text: fallbacks }], withLoops, noFiles);
  const inlined = await analyze([{ path: file, text: fallbacks }], { execution: { compositional: false } as AnalysisOptions['execution'] }, noFiles);
  const byDefault = await analyze([{ path: file, text: fallbacks }], compositional, noFiles);
  assert.match(byDefault.summaries!.use.fallback_entry!.inlined.find((i) => i.callee === 'grid')!.reason, /has a loop \(line 4\), and summarising loops is off/);
  assert.deepEqual(comparable((await analyze([{ path: file, text: fallbacks }], {}, noFiles)).contracts[0]!), comparable(inlined.contracts[0]!));
  assert.deepEqual(comparable(byDefault.contracts[0]!), comparable(inlined.contracts[0]!));
  const use = composed.summaries!.use.fallback_entry!;
  assert.deepEqual(use.instantiated, { twice: 1 });
  assert.deepEqual(use.inlined.map((i) => i.callee).sort(), ['grid', 'remember']);
  assert.match(use.inlined.find((i) => i.callee === 'remember')!.reason, /stores a pointer/);
  assert.match(use.inlined.find((i) => i.callee === 'grid')!.reason, /loop inside a loop/);
  // With compositionalLoops every loop keeps its PCV (grid's inner loop of 4 does not run in full).
  const inlinedEveryLoop = await analyze([{ path: file, text: fallbacks }], { execution: { compositional: false, concreteLoops: false } as AnalysisOptions['execution'] }, noFiles);
  assert.deepEqual(composed.contracts.map(comparable), inlinedEveryLoop.contracts.map(comparable));
});

const errors = `#include <stdint.h>
static uint8_t at(const uint8_t *buf, uint32_t i) { return buf[i]; }
static uint32_t ratio(uint32_t a, uint32_t b) { return a / b; }
uint32_t errors_entry(const uint8_t *pkt, uint32_t i, uint32_t d)
{
    uint8_t local[4] = { 1, 2, 3, 4 };
    return at(pkt, i) + at(local, 2) + ratio(100, d);
}
`;

test('errors inside a summarised callee end the caller path with the caller object named', async () => {
  const file = '/virtual/errors.c';
  const composed = await analyze([{ path: file, text: errors }], compositional, noFiles);
  const inlined = await analyze([{ path: file, text: errors }], { execution: { compositional: false } as AnalysisOptions['execution'] }, noFiles);
  assert.deepEqual(composed.summaries!.use.errors_entry!.instantiated, { at: 2, ratio: 1 });
  const messages = composed.contracts[0]!.classes.filter((k) => k.outcome === 'error').map((k) => k.reason!.message);
  assert.ok(messages.some((m) => m.includes("'pkt'")), messages.join('; '));
  assert.ok(!messages.some((m) => m.includes('$arg')), messages.join('; '));
  assert.deepEqual(composed.contracts.map(comparable), inlined.contracts.map(comparable));
});

test('summaries come back from the cache and give the same contract', async () => {
  const file = '/virtual/cached.c';
  const cache = new MemoryContractCache();
  const fresh = await analyze([{ path: file, text: twice }], { ...compositional, cache }, noFiles);
  assert.deepEqual(fresh.summaries!.computed, ['lookup_port']);
  assert.equal(cache.summaryCount, 1);
  // A new entry (same text above it) is analysed again, with the helper's summary from the cache.
  const grown = twice + 'int third_entry(uint32_t c) { return lookup_port(c); }\n';
  const again = await analyze([{ path: file, text: grown }], { ...compositional, cache, entries: ['twice_entry', 'third_entry'] }, noFiles);
  assert.deepEqual(again.recomputed, ['third_entry']);
  assert.deepEqual(again.summaries!.computed, []);
  assert.deepEqual(again.summaries!.reused, ['lookup_port']);
  const uncached = await analyze([{ path: file, text: grown }], { ...compositional, entries: ['third_entry'] }, noFiles);
  assert.deepEqual(comparable(again.contracts[1]!), comparable(uncached.contracts[0]!));
});

test('a serialised summary reads back to the same expressions, and substitution folds', () => {
  resetExpressionTable();
  const arg = symbol('sum:arg0', 32);
  const bytes = store(arraySymbol('sum:mem:$arg0'), bv(0n, 64), extract(7, 0, arg));
  const condition = and([compare('ult', arg, bv(10n, 32)), not(compare('eq', select(bytes, symbol('sum:off1', 64)), bv(0n, 8)))]);
  const summary: FunctionSummary = {
    functionName: 'f', shape: { args: [{ kind: 'int', width: 32 }, { kind: 'pointer', target: '$arg0', size: 4, offset: 'symbolic' }] }, pcvs: [], loops: [], touched: ['$arg0'], copiesMemory: false,
    concreteQuestions: [compare('ult', arg, bv(4n, 32))], concreteLoops: 1, pastUnroll: true,
    leaves: [{
      outcome: { kind: 'return' }, constraints: [condition], decisions: [], trace: [['decide', 'f', 0, 1]], cost: { instructions: 3, memory_accesses: 1 }, terms: [],
      pcvInstances: [], externalCounts: [], externalCalls: [], inputExtents: [['sum:mem:$arg0', { offsets: [symbol('sum:off1', 64)], sizes: [1] }]],
      writes: [['$arg0', bytes]], returnValue: { kind: 'int', expr: binary('add', arg, bv(1n, 32)) }, frames: 1, loops: [], forgetsAll: false, pcvEvents: [],
    }],
  };
  const text = JSON.stringify(serializeSummary(summary));
  resetExpressionTable();
  const back = deserializeSummary(JSON.parse(text));
  assert.equal(JSON.stringify(serializeSummary(back)), text);
  // Substituting constants folds the condition to a constant, as building it from constants would.
  const rebuild = new Rebuilder((name) => (name === 'sum:arg0' ? bv(3n, 32) : name === 'sum:off1' ? bv(0n, 64) : undefined), () => undefined);
  assert.equal(rebuild.boolean(back.leaves[0]!.constraints[0]!).op, 'true');
});

test('a cached summary in another format version is summarised again, not trusted', async () => {
  const file = '/virtual/stale.c';
  const cache = new MemoryContractCache();
  await analyze([{ path: file, text: twice }], { ...compositional, cache }, noFiles);
  // Same keys, no cached contract, and every stored summary claims a format this engine does not read.
  const keys: string[] = [];
  const stale: ContractCache = {
    get: () => undefined,
    set: () => undefined,
    getSummary: (key) => { keys.push(key); return { ...cache.getSummary(key)!, version: 99 }; },
    setSummary: () => undefined,
  };
  const again = await analyze([{ path: file, text: twice }], { ...compositional, cache: stale }, noFiles);
  assert.equal(keys.length, 1);
  assert.deepEqual(again.summaries!.computed, ['lookup_port']);
  assert.deepEqual(again.summaries!.reused, []);
});

// Last: a summary that runs out of time can leave z3 busy for the queries that follow it.
test('with compositionalLoops no NF callee of the router, the firewall or the policer needs inlining; without, the loops are', async () => {
  for (const name of ['nf/router.c', 'nf/firewall.c', 'nf/policer.c']) {
    const result = await run(cases.find((c) => c.name === name)!, true, true, false);
    // A summary gets half of the entry's time left; on a loaded machine a loop's summary can run out
    // of it (the callee is then inlined, which is sound). No callee may be inlined for a structural
    // reason. (Giving the summaries more time instead made the firewall's loop summary exhaust
    // z3's 2 GiB WASM heap.)
    const structural = result.summaries!.use.nf_process!.inlined.filter((i) => i.reason !== 'its exploration ran out of time');
    assert.deepEqual(structural, [], name);
  }
  const firewall = await run(cases.find((c) => c.name === 'nf/firewall.c')!, true);
  assert.deepEqual(firewall.summaries!.use.nf_process!.inlined, [{ callee: 'fw_classify', reason: 'it has a loop (line 157), and summarising loops is off (compositionalLoops)' }]);
  assert.ok((firewall.summaries!.use.nf_process!.instantiated.fw_rule_matches ?? 0) > 0, 'the loop-free callee inside the inlined loop is summarised');
});
}
