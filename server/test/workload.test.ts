// Workloads: the schema and selectors, predict --workload's statistics and throughput, distill, and the distilled workloads of the NF corpus against the interpreter.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli, repo } from './support/runCli';
import { parseWorkload, resolveSelector, SelectableFunction, WorkloadError, FunctionWorkload, readWorkload } from '../src/cli/workload';
import { predictWorkload } from '../src/cli/workloadPrediction';
import { distillWorkload } from '../src/cli/distill';
import { NF_REGISTRY, findNf, NfDefinition } from '../src/measure/nfRegistry';
import { interpretTrace, NfContract, nfContract, lowerNf } from '../src/measure/session';
import { generateTrace, writeTrace } from '../src/measure/measureCli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-workload-'));

/** A small contract: a loop class, a constant class, an adversarial error class. */
const flow: SelectableFunction & { metrics: string[] } = {
  name: 'flow',
  metrics: ['instructions', 'memory_accesses'],
  pcvs: [{ name: 'n', bound: 10 }, { name: 't' }],
  classes: [
    { id: 'C1', cost: { instructions: '10 + 4*n', memory_accesses: '2 + n' }, outcome: 'return', returns: ['0'], decisions: [{ text: 'len >= 14' }, { text: 'hit' }], traces: ['aaaa/return'] },
    { id: 'C2', cost: { instructions: '7', memory_accesses: '0' }, outcome: 'return', returns: ['-1'], decisions: [{ text: 'len < 14' }], traces: ['bbbb/return'] },
    { id: 'C3', cost: { instructions: '20 + 3*n*t', memory_accesses: 'n' }, outcome: 'error', reason: { code: 'PC101' }, returns: [], decisions: [{ text: 'len >= 14' }, { text: '!(hit)' }], traces: ['cccc/error:x'], adversarial: { factor: 'unbounded' } },
  ],
  worstCase: { class: 'C3' },
  bestCase: { class: 'C2' },
};

function workloadOf(fw: FunctionWorkload): string {
  return JSON.stringify({ version: 1, functions: { flow: fw } });
}

test('workload schema: valid files parse; bad ones give a WorkloadError naming the problem', () => {
  const ok = parseWorkload(workloadOf({ classes: [{ select: { class: 'C1' }, share: 1, pcvs: { n: { uniform: [0, 'bound'] }, t: { histogram: [[1, 2], [3, 1]] } } }] }));
  assert.equal(ok.functions.flow!.classes.length, 1);
  const bad: [string, RegExp][] = [
    ['{', /not valid JSON/],
    [JSON.stringify({ version: 2, functions: { flow: { classes: [{ select: { class: 'C1' }, share: 1 }] } } }), /not a valid workload/],
    [workloadOf({ classes: [{ select: { class: 'C1' }, share: 0 }] }), /share must be > 0/],
    [workloadOf({ classes: [{ select: {}, share: 1 }] }), /select must NOT have fewer than 1 properties/],
    [workloadOf({ classes: [{ select: { class: 'C1' }, share: 1, pcvs: { n: { uniform: [5, 2] } } }] }), /uniform range \[5, 2\] is empty/],
    [workloadOf({ classes: [{ select: { class: 'C1' }, share: 1, joint: [{ pcv: { n: 1 }, weight: 1 }, { pcv: { t: 1 }, weight: 1 }] }] }), /must name the same PCVs/],
    [workloadOf({ classes: [{ select: { class: 'C1' }, share: 1, pcvs: { n: { constant: -1 } } }] }), /not a valid workload/],
  ];
  for (const [text, message] of bad) assert.throws(() => parseWorkload(text, 'w.json'), (e: unknown) => e instanceof WorkloadError && e.message.startsWith('PW001 bad-workload: ') && message.test(e.message), text);
});

test('selectors: path first, then behaviour (decisions, returns, outcome, reason, adversarial, case)', () => {
  const ids = (s: Parameters<typeof resolveSelector>[1]) => resolveSelector(flow, s).classes.map((c) => c.id);
  assert.deepEqual(ids({ path: ['bbbb/return'], returns: ['0'] }), ['C2'], 'a path found decides alone');
  assert.deepEqual(ids({ path: ['gone/return'], returns: ['0'] }), ['C1'], 'a path not found falls back to behaviour');
  assert.deepEqual(ids({ path: ['gone/return'] }), [], 'a path alone, not found, matches nothing');
  assert.deepEqual(ids({ decisions: ['len>=14'] }), ['C1', 'C3'], 'decisions compare without spaces; both classes have one more');
  assert.deepEqual(ids({ decisions: ['len >= 14', '!(hit)'], outcome: 'error' }), ['C3']);
  assert.deepEqual(ids({ decisions: ['len >= 14', 'hit'] }), ['C1']);
  assert.deepEqual(ids({ outcome: 'error', reason: 'PC101' }), ['C3']);
  assert.deepEqual(ids({ adversarial: false }), ['C1', 'C2']);
  assert.deepEqual(ids({ case: 'best' }), ['C2']);
  assert.deepEqual(ids({ class: 'C9' }), []);
});

test("a path selects a merged class's member and is charged the member's cost; behaviour selects the class", () => {
  // C4 merges the paths that took the loop's first iteration explicitly (C4.1) with those that did not (C4.2).
  const merged: SelectableFunction = {
    ...flow,
    classes: [...flow.classes, {
      id: 'C4', cost: { instructions: '30 + 5*n', memory_accesses: '4 + n' }, outcome: 'return', returns: ['1'], decisions: [{ text: 'len > 60' }], traces: ['dddd/return', 'eeee/return'],
      members: [
        { id: 'C4.1', cost: { instructions: '30 + 5*n', memory_accesses: '4 + n' }, traces: ['dddd/return'] },
        { id: 'C4.2', cost: { instructions: '12 + 5*n', memory_accesses: '1 + n' }, traces: ['eeee/return'] },
      ],
    }],
  };
  const charged = (select: Parameters<typeof resolveSelector>[1]) => predictWorkload(merged, { classes: [{ select, share: 1, pcvs: { n: { constant: 2 } } }] }).entries[0]!;
  assert.deepEqual([charged({ path: ['eeee/return'] }).charged, charged({ path: ['eeee/return'] }).statistics.instructions!.mean], ['C4.2', 22]);
  assert.deepEqual([charged({ path: ['dddd/return'] }).charged, charged({ path: ['dddd/return'] }).statistics.instructions!.mean], ['C4.1', 40]);
  // Paths in both members: the dearer member, as for any selector that stands for several.
  assert.deepEqual(charged({ path: ['dddd/return', 'eeee/return'] }).candidates, ['C4.1', 'C4.2']);
  assert.deepEqual([charged({ returns: ['1'] }).charged, charged({ returns: ['1'] }).statistics.instructions!.mean], ['C4', 40]);
});

test('predictWorkload: exact mean, p50, p99 and max over the mix; time shares and packets per second', () => {
  const wf: FunctionWorkload = {
    pcvs: { t: { constant: 2 } },
    classes: [
      { label: 'hits', select: { returns: ['0'] }, share: 0.9, pcvs: { n: { histogram: [[0, 1], [1, 1]] } } },
      { label: 'runts', select: { decisions: ['len < 14'] }, share: 0.09 },
      { label: 'attack', select: { adversarial: true }, share: 0.01, pcvs: { n: 'bound' } },
    ],
  };
  const p = predictWorkload(flow, wf, { clockGhz: 1, cyclesPerInstruction: 2 });
  // Costs: hits 10 or 14 (0.45 each), runts 7 (0.09), attack 20 + 3*10*2 = 80 (0.01).
  const mean = 0.45 * 10 + 0.45 * 14 + 0.09 * 7 + 0.01 * 80;
  assert.ok(Math.abs(p.statistics.instructions!.mean - mean) < 1e-9);
  assert.deepEqual({ ...p.statistics.instructions!, mean: 0 }, { mean: 0, p50: 10, p99: 14, max: 80 });
  assert.equal(p.statistics.memory_accesses!.max, 10);
  assert.deepEqual(p.entries.map((e) => [e.charged, e.selectedBy, e.pcvsAtBound]), [['C1', 'behaviour', []], ['C2', 'behaviour', []], ['C3', 'behaviour', []]]);
  assert.equal(p.timeMetric, 'cycles');
  assert.ok(Math.abs(p.cyclesPerPacket! - 2 * mean) < 1e-9);
  assert.equal(p.packetsPerSecond, Math.floor(1e9 / (2 * mean)));
  assert.equal(p.worstCasePacketsPerSecond, Math.floor(1e9 / 160));
  const shares = p.entries.map((e) => e.timeShare);
  assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.ok(Math.abs(shares[2]! - (0.01 * 80) / mean) < 1e-9);
});

test('predictWorkload: a uniform range, a PCV without a distribution at its bound, an unmatched entry at the worst case, an ambiguous one at its dearest class', () => {
  const p = predictWorkload(flow, { classes: [
    { label: 'u', select: { class: 'C1' }, share: 1, pcvs: { n: { uniform: [0, 3] } } },
    { label: 'gone', select: { path: ['nowhere/return'] }, share: 1 },
    { label: 'either', select: { decisions: ['len >= 14'] }, share: 2, pcvs: { n: { constant: 1 }, t: { constant: 1 } } },
  ] });
  const [u, gone, either] = p.entries;
  assert.equal(u!.statistics.instructions!.mean, 10 + 4 * 1.5);
  assert.equal(gone!.selectedBy, 'unmatched');
  assert.equal(gone!.charged, 'C3');
  assert.equal(gone!.statistics.instructions!.max, 20 + 3 * 10 * 1_000_000, 'n at its bound 10, t unbounded at 1,000,000');
  assert.deepEqual(either!.candidates, ['C1', 'C3']);
  assert.equal(either!.charged, 'C3', '23 instructions against 14');
  assert.equal(either!.share, 0.5);
  assert.ok(p.notes.some((n) => /'gone' matches no class/.test(n)));
  assert.ok(p.notes.some((n) => /'either' stands for 2 classes \(C1, C3\); it is charged the most expensive, C3/.test(n)));
  const bounded = predictWorkload(flow, { classes: [{ select: { class: 'C1' }, share: 1 }] });
  assert.deepEqual(bounded.entries[0]!.pcvsAtBound, ['n']);
  assert.equal(bounded.statistics.instructions!.mean, 50);
  // A wide uniform range is cut into 4096 parts, each at its top: an upper bound, close to the exact mean.
  const wide = predictWorkload({ ...flow, pcvs: [{ name: 'n', bound: 1_000_000 }] }, { classes: [{ select: { class: 'C1' }, share: 1, pcvs: { n: { uniform: [0, 'bound'] } } }] });
  const exact = 10 + 4 * 500_000;
  assert.ok(wide.statistics.instructions!.mean >= exact && wide.statistics.instructions!.mean < exact * 1.001);
  assert.equal(wide.statistics.instructions!.max, 10 + 4 * 1_000_000);
  assert.throws(() => predictWorkload(flow, { classes: [{ select: { class: 'C2' }, share: 1 }] }, { clockGhz: 3 }), /needs --cycles-per-instruction/);
});

const savedContract = path.join(dir, 'flow.json');
fs.writeFileSync(savedContract, JSON.stringify({ version: 1, functions: [flow] }));

test('predict --workload from the command line: text, json, and usage errors', async () => {
  const file = path.join(dir, 'w.json');
  fs.writeFileSync(file, JSON.stringify({ version: 1, name: 'mix', functions: { flow: { classes: [
    { label: 'hits', select: { returns: ['0'] }, share: 3, pcvs: { n: { constant: 2 } } },
    { label: 'runts', select: { decisions: ['len < 14'] }, share: 1 },
  ] } } }));
  const text = await cli(['predict', savedContract, '--workload', file, '--clock-ghz', '2', '--cycles-per-instruction', '1']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^workload: mix on flow/);
  assert.match(text.stdout, /instructions\s+15\.25\s+18\s+18\s+18/);
  assert.match(text.stdout, /C1\s+75\.0%\s+88\.5%\s+18\s+behaviour\s+hits/);
  assert.match(text.stdout, /packets per second: 131147540 \(at the mean cost; 111111111 if every packet cost the maximum\)/);
  const json = await cli(['predict', savedContract, '--workload', file, '--format', 'json', '--metrics', 'memory_accesses']);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.deepEqual(report.statistics, { memory_accesses: { mean: 3, p50: 4, p99: 4, max: 4 } });
  assert.equal(report.packetsPerSecond, undefined);
  for (const [args, code, message] of [
    [['--workload', file, '--class', 'C1'], 2, /--workload and --class do not go together/],
    [['--workload', file, '--pcv', 'n=1'], 2, /--pcv and --at-bounds do not go with it/],
    [['--workload', file, '--entry', 'other'], 1, /has nothing for 'other'/],
    [['--workload', path.join(dir, 'missing.json')], 1, /PW001 bad-workload: cannot read workload file/],
  ] as [string[], number, RegExp][]) {
    const result = await cli(['predict', savedContract, ...args]);
    assert.equal(result.code, code, result.stderr);
    assert.match(result.stderr, message);
  }
});

// The NF corpus: every trace of every NF distilled (its packets through the interpreter, state
// carried), then predicted from the contract alone. The prediction must never be below the mean the
// interpreter measured, and within 5% of it.
const PACKETS = 200;
const CONTRACT_TIME_LIMIT_MS = 300_000;
const contracts = new Map<string, Promise<NfContract>>();
/** Two analyses at a time (the machine has two cores), all started by the first test that needs one. */
function contractOf(name: string): Promise<NfContract> {
  if (contracts.size === 0) startContracts();
  return contracts.get(name)!;
}
function startContracts(): void {
  const lanes: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
  NF_REGISTRY.forEach((nf, i) => {
    // A generous time limit: the contracts are complete within seconds on a quiet machine, but a
    // contract cut short by a loaded one would leave packets outside it.
    const contract = lanes[i % 2]!.then(() => nfContract(nf, { repoRoot: repo, timeLimitMs: CONTRACT_TIME_LIMIT_MS }));
    lanes[i % 2] = contract.catch(() => undefined);
    contract.catch(() => undefined);
    contracts.set(nf.name, contract);
  });
}

for (const nf of NF_REGISTRY) {
  test(`distilled workloads (${nf.name}): the prediction of every trace's workload is at least the interpreter's mean and within 5% of it`, async (t) => {
    const nfc = await contractOf(nf.name);
    assert.ok(nfc.contract.complete, `${nf.name}: the contract is incomplete: ${JSON.stringify(nfc.contract.incompleteReasons)}`);
    for (const generator of nf.traces) {
      const trace = generateTrace(nf, generator, PACKETS, 1);
      const runs = interpretTrace(nfc, nf, trace.packets, nfc.contract.unrollLimit);
      const workload = distillWorkload(nfc.contract, runs, { name: generator.name });
      // The file round-trips through the schema.
      const parsed = parseWorkload(JSON.stringify(workload));
      const prediction = predictWorkload(nfc.contract, parsed.functions.nf_process!);
      assert.ok(prediction.entries.every((e) => e.selectedBy === 'path' && e.method === 'exact'), `${nf.name} ${generator.name}: ${prediction.notes.join('; ')}`);
      for (const metric of nfc.contract.metrics) {
        const measured = runs.reduce((sum, r) => sum + r.cost[metric], 0) / runs.length;
        const predicted = prediction.statistics[metric]!.mean;
        const gap = (predicted - measured) / measured;
        t.diagnostic(`${nf.name} ${generator.name} ${metric}: measured mean ${measured.toFixed(2)}, predicted ${predicted.toFixed(2)}, gap ${(gap * 100).toFixed(2)}%`);
        // 1e-12: the two means add the same integers in another order.
        assert.ok(gap >= -1e-12, `${nf.name} ${generator.name} ${metric}: predicted ${predicted} below the measured mean ${measured}`);
        assert.ok(gap <= 0.05, `${nf.name} ${generator.name} ${metric}: predicted ${predicted}, ${(gap * 100).toFixed(2)}% above the measured mean ${measured}`);
        assert.ok(prediction.statistics[metric]!.max >= Math.max(...runs.map((r) => r.cost[metric])));
      }
    }
    // The shipped example workloads select their classes by behaviour, so they hold for this build.
    const means: Record<string, number> = {};
    for (const kind of ['typical', 'exceptional', 'adversarial']) {
      const file = path.join(repo, 'test-fixtures/nf/workloads', `${nf.name}-${kind}.json`);
      const example = readWorkload(file);
      const prediction = predictWorkload(nfc.contract, example.functions.nf_process!, { clockGhz: 3, cyclesPerInstruction: 1 });
      assert.deepEqual(prediction.entries.filter((e) => e.selectedBy === 'unmatched').map((e) => e.label), [], `${file}: ${prediction.notes.join('; ')}`);
      means[kind] = prediction.statistics.instructions!.mean;
      t.diagnostic(`${nf.name} ${kind} example: mean ${means[kind]!.toFixed(1)} instructions, p99 ${prediction.statistics.instructions!.p99}, ${prediction.packetsPerSecond} packets/s at 3 GHz and CPI 1`);
    }
    assert.ok(means.adversarial! > means.typical!, `${nf.name}: the adversarial example costs more than the typical one`);
  });
}

test('a workload distilled on one build predicts another: the router with a jumbo-frame check and a packet counter', async (t) => {
  const router = findNf('router');
  const original = await contractOf('router');
  const variantDir = fs.mkdtempSync(path.join(repo, 'out', 'router-variant-'));
  const source = fs.readFileSync(path.join(repo, 'test-fixtures/nf/router.c'), 'utf8');
  const edited = '/* a rebuilt router */\n/* with a counter */\n' + source
    .replace('int nf_process(', 'static uint32_t router_packets;\n\nint nf_process(')
    .replace(/\(void\)now;[^\n]*\n/, '(void)now;\n    router_packets++;\n    if (len > 9000) {\n        return NF_ACTION_DROP;\n    }\n');
  assert.notEqual(edited, source);
  fs.writeFileSync(path.join(variantDir, 'router.c'), edited);
  const variant: NfDefinition = { ...router, name: 'router-variant', sources: [path.relative(repo, path.join(variantDir, 'router.c')), 'test-fixtures/nf/lpm.c'], includeDirs: [...router.includeDirs, 'test-fixtures/nf'] };
  const rebuilt = await nfContract(variant, { repoRoot: repo, timeLimitMs: CONTRACT_TIME_LIMIT_MS });
  assert.ok(original.contract.complete && rebuilt.contract.complete);
  const trace = generateTrace(router, router.traces[0]!, PACKETS, 3);
  const workload = distillWorkload(original.contract, interpretTrace(original, router, trace.packets, original.contract.unrollLimit), { name: 'typical' });
  const prediction = predictWorkload(rebuilt.contract, workload.functions.nf_process!);
  assert.ok(prediction.entries.every((e) => e.selectedBy === 'behaviour'), `every entry found by behaviour: ${prediction.entries.map((e) => `${e.label}: ${e.selectedBy}`).join('; ')}`);
  const runs = interpretTrace(rebuilt, variant, trace.packets, rebuilt.contract.unrollLimit);
  for (const metric of rebuilt.contract.metrics) {
    const measured = runs.reduce((sum, r) => sum + r.cost[metric], 0) / runs.length;
    const before = original.contract.metrics.includes(metric) ? predictWorkload(original.contract, workload.functions.nf_process!).statistics[metric]!.mean : NaN;
    const predicted = prediction.statistics[metric]!.mean;
    t.diagnostic(`router variant ${metric}: original build predicted ${before.toFixed(2)}, rebuilt predicted ${predicted.toFixed(2)}, rebuilt measured ${measured.toFixed(2)}`);
    assert.ok(predicted >= measured - 1e-9 && predicted <= measured * 1.05, `${metric}: predicted ${predicted}, measured ${measured}`);
    assert.ok(predicted > before, `${metric}: the counter makes every packet dearer`);
  }
  fs.rmSync(variantDir, { recursive: true, force: true });
});

test('distill from the command line writes a workload that predict reads; bad traces exit 1 with the reason', async () => {
  const router = findNf('router');
  const trace = generateTrace(router, router.traces[0]!, 50, 5);
  const files = writeTrace(trace, dir);
  const output = path.join(dir, 'router-typical.workload.json');
  const args = ['distill', ...router.sources.map((s) => path.join(repo, s)), '--entry', 'nf_process', '-I', path.join(repo, 'test-fixtures/nf/lib'), '--init', 'nf_init', '--trace', files.pcap, '--output', output];
  const result = await cli(args);
  assert.equal(result.code, 0, result.stderr);
  const workload = readWorkload(output);
  const entries = workload.functions.nf_process!.classes;
  assert.equal(entries.reduce((n, e) => n + (e.packets ?? 0), 0), 50);
  assert.equal(workload.source?.packets, 50);
  // The interpreter run of the same packets, as the validation does it, lands in the same shares.
  const lowered = await lowerNf(router, repo);
  const runs = interpretTrace(lowered, router, trace.packets, 2);
  const expected = new Map<string, number>();
  for (const r of runs) expected.set(r.pathKey, (expected.get(r.pathKey) ?? 0) + 1);
  for (const e of entries) assert.equal(e.packets, e.select.path!.reduce((n, p) => n + (expected.get(p) ?? 0), 0));
  const contract = path.join(dir, 'router.json');
  const saved = await cli(['contract', ...router.sources.map((s) => path.join(repo, s)), '--entry', 'nf_process', '-I', path.join(repo, 'test-fixtures/nf/lib'), '--format', 'json']);
  assert.equal(saved.code, 0, saved.stderr);
  fs.writeFileSync(contract, saved.stdout);
  const predicted = await cli(['predict', contract, '--workload', output, '--clock-ghz', '3', '--cycles-per-instruction', '1']);
  assert.equal(predicted.code, 0, predicted.stderr);
  assert.match(predicted.stdout, /packets per second: \d+/);
  fs.writeFileSync(path.join(dir, 'bad.pcap'), 'not a pcap');
  const bad = await cli([...args.slice(0, -4), '--trace', path.join(dir, 'bad.pcap')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /PM003/);
  fs.writeFileSync(path.join(dir, 'empty.pcap'), Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex'));
  const empty = await cli([...args.slice(0, -4), '--trace', path.join(dir, 'empty.pcap')]);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /PW002 cannot-distill: the trace '.*empty.pcap' has no packets/);
  const usage = await cli(['distill', path.join(repo, 'test-fixtures/nf/router.c'), '--entry', 'nf_process']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /needs --trace/);
});
