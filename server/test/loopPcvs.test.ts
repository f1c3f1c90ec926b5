// Loops past the unroll limit become performance-critical variables: named, located, valued in witnesses, bounded by the formula.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { analyze, AnalysisResult } from '../src/core/analysis';
import { DEFAULT_EXECUTION_OPTIONS } from '../src/core/symex/executor';
import { diskFileSystem } from '../src/cli/main';
import { interpret } from '../src/core/interp/interpreter';
import { evaluateFormula, formulaPcvNames } from '../src/core/cost/formula';
import { runPathKey } from '../src/core/contract/contract';
import { TOTAL_PCV_NOTE } from '../src/core/ir/loops';

const fixture = path.resolve(__dirname, '../../../test-fixtures/engine/pcv_loops.c');

let cached: AnalysisResult | undefined;
async function result(): Promise<AnalysisResult> {
  cached ??= await analyze([{ path: fixture }], {}, diskFileSystem);
  return cached;
}

/**
 * The fixture with no loop run in full (`fullUnrollLimit: 0`): its loops with constant caps up to 64
 * iterations would otherwise run in full and have no PCV, and these tests are about the PCVs.
 */
let cachedSummarised: AnalysisResult | undefined;
async function summarised(): Promise<AnalysisResult> {
  cachedSummarised ??= await analyze([{ path: fixture }], { execution: { ...DEFAULT_EXECUTION_OPTIONS, fullUnrollLimit: 0 } }, diskFileSystem);
  return cachedSummarised;
}

test('an annotated loop takes its PCV name and description from the annotation', async () => {
  const c = (await result()).contracts.find((k) => k.name === 'skip_options')!;
  assert.deepEqual(c.pcvs.map((p) => p.name), ['option_words']);
  assert.equal(c.pcvs[0]!.description, '32-bit words of IPv4 options');
  assert.match(c.pcvs[0]!.origin, /pcv_loops\.c:40$/);
  assert.equal(c.pcvs[0]!.bound, 10);
  assert.equal(c.pcvs[0]!.boundSource, 'annotation');
  assert.ok(c.classes.some((k) => /\d+ \+ 14\*option_words/.test(k.cost.instructions!)));
});

test('a loop with a constant trip count above the unroll limit runs in full: no PCV, an exact constant', async () => {
  const r = await result();
  const c = r.contracts.find((k) => k.name === 'counted_sum')!;
  assert.deepEqual(c.pcvs, []);
  assert.equal(c.classes.length, 1);
  const only = c.classes[0]!;
  assert.match(only.cost.instructions!, /^\d+$/);
  // Its 32 iterations are within the full-unroll limit: the interpreter runs it in full too (no
  // PCV counted), lands in the class, and the constant is its exact cost.
  assert.equal(c.fullUnrollLimit, 64);
  const run = interpret(r.program, 'counted_sum', only.witness, { summarizeAfter: c.unrollLimit, fullUnrollLimit: c.fullUnrollLimit });
  assert.equal(run.pcv['iterations@counted_sum:21'], undefined);
  assert.ok(only.traces.includes(runPathKey(run)));
  assert.equal(evaluateFormula(only.cost.instructions!, run.pcv), run.cost.instructions);
});

test('a loop whose trip count is a constant argument at its call runs in full there, and keeps its PCV where it is not', async () => {
  const r = await result();
  const fixed = r.contracts.find((k) => k.name === 'fixed_sums')!;
  assert.deepEqual(fixed.pcvs, []);
  assert.equal(fixed.classes.length, 1);
  const only = fixed.classes[0]!;
  const run = interpret(r.program, 'fixed_sums', only.witness, { summarizeAfter: fixed.unrollLimit, fullUnrollLimit: fixed.fullUnrollLimit });
  assert.ok(only.traces.includes(runPathKey(run)));
  assert.equal(Number(only.cost.instructions), run.cost.instructions);
  assert.equal(Number(only.cost.memory_accesses), run.cost.memory_accesses);
  // Where the trip count is an input (capped_sum, the same loop with a cap), the loop has a PCV
  // unless the cap lets it run in full.
  assert.equal((await summarised()).contracts.find((k) => k.name === 'capped_sum')!.pcvs.length, 1);
});

test('a loop that returns from inside, with its trip count fixed, runs in full in a callee and in the entry', async () => {
  const r = await result();
  for (const [name, returns] of [['imaps_index', 'symbolic'], ['imaps_slot', '7']] as const) {
    const c = r.contracts.find((k) => k.name === name)!;
    assert.deepEqual(c.pcvs, [], name);
    assert.equal(c.classes.length, 1, name);
    const only = c.classes[0]!;
    assert.deepEqual(only.returns, [returns], name);
    assert.equal(only.paths, 1, name);
    const run = interpret(r.program, name, only.witness, { summarizeAfter: c.unrollLimit, fullUnrollLimit: c.fullUnrollLimit });
    assert.ok(only.traces.includes(runPathKey(run)), name);
    assert.equal(Number(only.cost.instructions), run.cost.instructions, name);
  }
});

test('a probing loop gets its bound from the guard, and the worst case is taken at the bound', async () => {
  const c = (await summarised()).contracts.find((k) => k.name === 'probe_lookup')!;
  assert.deepEqual(c.pcvs.map((p) => [p.name, p.bound, p.boundSource]), [['probes', 14, 'guard']]);
  assert.equal(c.worstCase?.unbounded, undefined);
  const worst = c.classes.find((k) => k.id === c.worstCase!.class)!;
  assert.equal(c.worstCase?.atBounds, evaluateFormula(worst.cost.instructions!, { probes: 14 }));
  assert.ok(c.worstToBestRatio !== null && c.worstToBestRatio > 10);
  assert.ok(formulaPcvNames(c.classes.find((k) => k.id === c.worstCase!.class)!.cost.instructions!).includes('probes'));
});

test('a constant cap in a two-condition loop guard bounds the PCV', async () => {
  const c = (await summarised()).contracts.find((k) => k.name === 'capped_sum')!;
  assert.deepEqual(c.pcvs.map((p) => [p.bound, p.boundSource]), [[8, 'guard']]);
  assert.equal(c.worstCase?.unbounded, undefined);
});

test('a counter narrower than int (i++ widened and truncated back) still bounds its loop, unless it could wrap before the cap', async () => {
  const narrow = (await summarised()).contracts.find((k) => k.name === 'narrow_counter_sum')!;
  assert.deepEqual(narrow.pcvs.map((p) => [p.bound, p.boundSource]), [[28, 'guard']]);
  assert.equal(narrow.worstCase?.unbounded, undefined);
  // 0, 100, 200, 44, ...: the counter never reaches 250 by steps of 100 without wrapping.
  const wrapping = (await summarised()).contracts.find((k) => k.name === 'wrapping_counter_sum')!;
  assert.deepEqual(wrapping.pcvs.map((p) => [p.bound, p.boundSource]), [[undefined, undefined]]);
});

test('nested summarised loops give product terms', async () => {
  const c = (await result()).contracts.find((k) => k.name === 'nested_block')!;
  assert.ok(c.classes.some((k) => /\*iterations@nested_block:72\*iterations@nested_block:73/.test(k.cost.instructions!) || /iterations@nested_block:72\*iterations@nested_block:73/.test(k.cost.instructions!)), JSON.stringify(c.classes.map((k) => k.cost.instructions)));
});

test('a total PCV sums the iterations of every entry: its terms are not multiplied by the loops around it', async () => {
  const r = await summarised();
  const c = r.contracts.find((k) => k.name === 'ragged_rows')!;
  const cells = c.pcvs.find((p) => p.name === "cells''")!;
  assert.ok(cells.description.endsWith(TOTAL_PCV_NOTE), cells.description);
  const rows = c.pcvs.find((p) => p.name === 'rows_walked')!;
  // 13 summarised iterations per row (15 minus 2 unrolled), over at most 6 summarised rows.
  assert.deepEqual([rows.bound, cells.bound], [6, 78]);
  const formulas = c.classes.map((k) => k.cost.instructions!);
  assert.ok(formulas.some((f) => /\bcells''/.test(f)), formulas.join('\n'));
  assert.ok(formulas.every((f) => !/cells[']*\*rows_walked|rows_walked\*cells/.test(f)), formulas.join('\n'));
  // Eight rows of 5 cells: rows 3-8 are summarised, and each of their inner loops has 3 summarised
  // iterations, so the total counts 18 (the longest entry would count 3).
  const bytes = Buffer.alloc(32);
  for (let i = 0; i < 8; i++) bytes[i] = 5;
  const run = interpret(r.program, 'ragged_rows', { args: { rows: 8 }, memory: { pkt: bytes.toString('hex') }, pcv: {} }, { summarizeAfter: c.unrollLimit, fullUnrollLimit: c.fullUnrollLimit });
  assert.equal(run.pcv["cells''"], 18);
  assert.equal(run.pcv.rows_walked, 6);
  const landed = c.classes.find((k) => k.traces.includes(runPathKey(run)))!;
  const predicted = evaluateFormula(landed.cost.instructions!, run.pcv);
  assert.ok(predicted >= run.cost.instructions && predicted - run.cost.instructions < 40, `predicted ${predicted}, ran ${run.cost.instructions}`);
});

test('random inputs land in a class whose formula bounds their measured cost', async () => {
  const r = await summarised();
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const name of ['skip_options', 'counted_sum', 'nested_block', 'probe_lookup', 'capped_sum', 'ragged_rows', 'fixed_sums', 'imaps_index', 'imaps_slot']) {
    const c = r.contracts.find((k) => k.name === name)!;
    const fn = r.program.functions.get(name)!;
    for (let trial = 0; trial < 150; trial++) {
      const args: Record<string, number> = {};
      for (const p of fn.params) if (p.type.kind === 'int') args[p.name] = Math.floor(random() * (p.name === 'len' ? 80 : 24));
      const bytes = Buffer.alloc(64);
      for (let i = 0; i < bytes.length; i++) bytes[i] = random() < 0.7 ? Math.floor(random() * 256) : 0;
      bytes[0] = 0x40 | Math.floor(random() * 16);
      const memory: Record<string, string> = {};
      for (const p of fn.params) if (p.type.kind === 'pointer') memory[p.name] = bytes.toString('hex');
      const run = interpret(r.program, name, { args, memory, pcv: {} }, { summarizeAfter: c.unrollLimit, fullUnrollLimit: c.fullUnrollLimit });
      const key = runPathKey(run);
      const landed = c.classes.find((k) => k.traces.includes(key));
      assert.ok(landed, `${name} ${JSON.stringify(args)}: no class for this run`);
      for (const pcv of c.pcvs) {
        if (pcv.bound !== undefined) assert.ok((run.pcv[pcv.name] ?? 0) <= pcv.bound, `${name}: ${pcv.name} = ${run.pcv[pcv.name]} exceeds its bound ${pcv.bound}`);
      }
      for (const metric of c.metrics) {
        const predicted = evaluateFormula(landed.cost[metric]!, Object.fromEntries(c.pcvs.map((p) => [p.name, run.pcv[p.name] ?? 0])));
        assert.ok(predicted >= run.cost[metric], `${name} ${landed.id} ${metric}: predicted ${predicted} < measured ${run.cost[metric]}`);
      }
    }
  }
});

test('classes far above the common case that packet bytes select are adversarial, with the conditions that select them', async () => {
  const r = await result();
  const options = r.contracts.find((k) => k.name === 'skip_options')!;
  const adversarial = options.classes.filter((k) => k.adversarial);
  assert.ok(adversarial.length > 0);
  for (const k of adversarial) {
    assert.ok(k.adversarial!.factor === 'unbounded' || k.adversarial!.factor > 5);
    assert.ok(k.adversarial!.drivenBy.some((d) => d.text === 'ip[w * 4] != 0' && d.line === 41), JSON.stringify(k.adversarial));
  }
  // The table is state and the key a scalar argument: no packet bytes select the long probes.
  const lookup = r.contracts.find((k) => k.name === 'probe_lookup')!;
  assert.ok(lookup.classes.every((k) => !k.adversarial));
  // A larger factor leaves nothing adversarial.
  const relaxed = await analyze([{ path: fixture }], { entries: ['skip_options'], adversarialFactor: 50 }, diskFileSystem);
  assert.ok(relaxed.contracts[0]!.classes.every((k) => !k.adversarial));
});

test('a count mark splits a loop: collisions and other probes get their own PCVs and per-iteration costs', async () => {
  const split = path.resolve(__dirname, '../../../test-fixtures/engine/pcv_split.c');
  const r = await analyze([{ path: split }], {}, diskFileSystem);
  const c = r.contracts[0]!;
  assert.ok(c.complete);
  const t = c.pcvs.find((p) => p.name === 't')!;
  const collisions = c.pcvs.find((p) => p.name === 'c')!;
  assert.equal(collisions.description, 'collisions: same hash, another key');
  assert.match(collisions.origin, /pcv_split\.c:30$/);
  assert.equal(collisions.bound, t.bound);
  // A collision compares the key, a probe past another hash does not: the split shows it.
  assert.ok(Number(collisions.perIteration!.instructions) > Number(t.perIteration!.instructions), `${collisions.perIteration!.instructions} vs ${t.perIteration!.instructions}`);
  assert.ok(c.classes.some((k) => /\d+ \+ \d+\*c \+ \d+\*t/.test(k.cost.instructions!)));
  // Slots 5..10: collisions at 5, 6 (explicit iterations), 7 and 9, another hash at 8, the key at 10.
  const slots = new Uint8Array(32 * 24);
  const put = (index: number, hash: number, k0: number, value: number) => {
    const view = new DataView(slots.buffer, index * 24, 24);
    view.setUint32(0, hash, true);
    view.setUint32(4, k0, true);
    view.setInt32(16, value, true);
    view.setUint8(20, 1);
  };
  for (const index of [5, 6, 7, 9]) put(index, 5, 9, 0);
  put(8, 99, 5, 0);
  put(10, 5, 5, 42);
  const witness = { args: { k0: 5, k1: 0, k2: 0 }, memory: { slots: Buffer.from(slots).toString('hex') }, pcv: {} };
  const run = interpret(r.program, 'lookup', witness, { summarizeAfter: c.unrollLimit, fullUnrollLimit: c.fullUnrollLimit });
  assert.equal(run.returnValue?.kind === 'int' ? Number(run.returnValue.value) : undefined, 42);
  assert.equal(run.pcv.c, 2);
  assert.equal(run.pcv.t, 1);
  const landed = c.classes.find((k) => k.traces.includes(runPathKey(run)));
  assert.ok(landed, 'the run lands in a class');
  assert.ok(evaluateFormula(landed.cost.instructions!, run.pcv) >= run.cost.instructions);
});

test('a summarised loop that calls a declared contract lands in its class however many iterations ran, and so do the calls after it', async () => {
  // The shape of the NFs' expiry loops: each iteration asks a declared-contract function whether
  // one more entry expired, and the same function is called again after the loop. The analysis
  // explores one representative iteration; a concrete run counts every call.
  const source = `
extern int expire_one(unsigned now);
int expire_all(unsigned now, unsigned key)
{
    unsigned n;
    /*@ pcv e "expired entries" */
    for (n = 0; n < 64; n++) {
        if (!expire_one(now)) {
            break;
        }
    }
    return expire_one(key) ? (int)n : -1;
}
`;
  const contracts = JSON.stringify({ version: 1, functions: { expire_one: { cases: [
    { name: 'expired', returns: 1, cost: { instructions: '12', memory_accesses: '3' } },
    { name: 'none', returns: 0, cost: { instructions: '5', memory_accesses: '1' } },
  ] } } });
  const files: Record<string, string> = { '/virtual/expire.c': source, '/virtual/expire.pcontract.json': contracts };
  const r = await analyze([{ path: '/virtual/expire.c' }], { entries: ['expire_all'], contractFiles: ['/virtual/expire.pcontract.json'] }, { readFile: (p) => files[p] });
  const c = r.contracts[0]!;
  assert.ok(c.complete);
  for (const expired of [0, 1, 2, 3, 4, 7, 40]) {
    const externals: Record<string, number> = {};
    for (let k = 1; k <= expired; k++) externals[`expire_one#${k}`] = 1;
    externals[`expire_one#${expired + 1}`] = 0;
    externals[`expire_one#${expired + 2}`] = 1;
    const run = interpret(r.program, 'expire_all', { args: { now: 1, key: 2 }, memory: {}, pcv: {}, externals }, { summarizeAfter: c.unrollLimit, fullUnrollLimit: c.fullUnrollLimit, declaredContracts: r.declaredContracts });
    assert.equal(run.returnValue?.kind === 'int' ? Number(run.returnValue.value) : undefined, expired);
    const landed = c.classes.find((k) => k.traces.includes(runPathKey(run)));
    assert.ok(landed, `${expired} expired: no class for this run (pcv ${JSON.stringify(run.pcv)})`);
    for (const metric of c.metrics) assert.ok(evaluateFormula(landed.cost[metric]!, run.pcv) >= run.cost[metric], `${expired} expired, ${metric}`);
  }
});

test('a declared call in a summarised loop has total PCVs: the formula charges their sum over the iterations, not the loop PCV times the largest', async () => {
  // The shape of the NFs' expiry loops: every iteration erases one entry, whose declared cost grows
  // with the slots it probed, and the probes differ from one call to the next. The same function is
  // called after the loop (a PCV of its own), and in erase_each on the pass that leaves the loop.
  const source = `
extern int erase_one(unsigned key);
static int erase_range(unsigned n)
{
    unsigned i;
    int erased = 0;
    /*@ pcv e "entries walked" */
    for (i = 0; i < n && i < 64; i++) {
        if (erase_one(i)) {
            erased++;
        }
    }
    return erased + erase_one(n);
}
int erase_all(unsigned n)
{
    return erase_range(n);
}
static int erase_at(unsigned key)
{
    return erase_one(key) ? 2 : 1;
}
int erase_each(unsigned n)
{
    unsigned i;
    int erased = 0;
    /*@ pcv f "entries walked" */
    for (i = 0; i < n && i < 32; i++) {
        int r = erase_at(i);
        if (r > 1 && (i & 7) == 7) {
            break;
        }
        erased += r;
    }
    return erased;
}
`;
  const contracts = JSON.stringify({ version: 1, functions: { erase_one: { cases: [
    { name: 'erased', returns: 1, cost: { instructions: '12 + 4*t', memory_accesses: '3 + t' }, pcvs: { t: 'slots probed' }, bounds: { t: 16 } },
    { name: 'absent', returns: 0, cost: { instructions: '7 + 4*t', memory_accesses: '2 + t' }, pcvs: { t: 'slots probed' }, bounds: { t: 16 } },
  ] } } });
  const files: Record<string, string> = { '/virtual/erase.c': source, '/virtual/erase.pcontract.json': contracts };
  const analyse = (execution: Record<string, boolean>) => analyze([{ path: '/virtual/erase.c' }], {
    entries: ['erase_all', 'erase_each'], contractFiles: ['/virtual/erase.pcontract.json'], execution: execution as never,
  }, { readFile: (p) => files[p] });
  const r = await analyse({ concreteLoops: false, compositional: false });
  // The same contracts from summaries (the loop in a summarised callee, the call in one).
  const composed = await analyse({ compositional: true, compositionalLoops: true, concreteLoops: false });
  const shape = (result: AnalysisResult) => result.contracts.map((c) => ({ pcvs: c.pcvs, costs: c.classes.map((k) => k.cost) }));
  assert.deepEqual(shape(composed), shape(r));
  assert.deepEqual([composed.summaries?.use.erase_all?.instantiated.erase_range, composed.summaries?.use.erase_each?.instantiated.erase_at !== undefined], [1, true]);
  let seed = 4242;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const [entry, loopPcv, cap, leaving] of [['erase_all', 'e', 64, 0], ['erase_each', 'f', 32, 1]] as const) {
    const c = r.contracts.find((k) => k.name === entry)!;
    assert.ok(c.complete);
    const loop = c.pcvs.find((p) => p.name === loopPcv)!;
    const totals = c.pcvs.filter((p) => p.description.startsWith('slots probed') && p.description.endsWith(TOTAL_PCV_NOTE));
    assert.ok(totals.length > 0, JSON.stringify(c.pcvs));
    // The declared bound per call times the loop's (and one more call when the pass that leaves the
    // loop calls too): the worst case at the bounds is unchanged.
    for (const t of totals) assert.equal(t.bound, 16 * (loop.bound! + leaving), JSON.stringify(t));
    assert.ok(totals.every((t) => t.name.endsWith(`@${loopPcv}`)), JSON.stringify(totals));
    // No term multiplies a total by the loop's PCV.
    const totalNames = new Set(totals.map((t) => t.name));
    assert.ok(c.classes.some((k) => formulaPcvNames(k.cost.instructions!).some((n) => totalNames.has(n))));
    for (const k of c.classes) {
      const products = k.cost.instructions!.split(' + ').map((term) => term.split('*'));
      assert.ok(!products.some((names) => names.includes(loopPcv) && names.some((n) => totalNames.has(n))), k.cost.instructions);
    }
    let largestGap = 0;
    for (let trial = 0; trial < 120; trial++) {
      const n = Math.floor(random() * (cap + 6));
      const externals: Record<string, number> = {};
      const probes: number[] = [];
      for (let k = 1; k <= cap + 1; k++) {
        externals[`erase_one#${k}`] = random() < 0.6 ? 1 : 0;
        probes.push(1 + Math.floor(random() * 16));
      }
      const run = interpret(r.program, entry, { args: { n }, memory: {}, pcv: {}, externals }, {
        summarizeAfter: c.unrollLimit, fullUnrollLimit: c.fullUnrollLimit, declaredContracts: r.declaredContracts, declaredPcvValue: (_callee, k) => probes[k - 1],
      });
      const landedClass = c.classes.find((k) => k.traces.includes(runPathKey(run)));
      assert.ok(landedClass, `${entry} n=${n}: no class for this run`);
      // A class that merges paths (classMerge.ts) charges its dearest member; the precision checked
      // here is that of the run's own path, its member's formula (the class is never below it).
      const landed = landedClass.members?.find((m) => m.traces.includes(runPathKey(run))) ?? landedClass;
      const values = Object.fromEntries(c.pcvs.map((p) => [p.name, run.pcv[p.name] ?? 0]));
      for (const p of c.pcvs) if (p.bound !== undefined) assert.ok(values[p.name]! <= p.bound, `${p.name} = ${values[p.name]} above ${p.bound}`);
      for (const metric of c.metrics) {
        const predicted = evaluateFormula(landed.cost[metric]!, values);
        assert.ok(predicted >= run.cost[metric], `${entry} n=${n} ${metric}: predicted ${predicted} < measured ${run.cost[metric]}`);
        // Only the constant part of an iteration is its worst path's (the cases' 12 against 7, the
        // branches around the call): the probes are charged exactly. Charging the loop's PCV times
        // the largest probe count would be far above.
        const slack = (metric === 'instructions' ? 10 : 2) * (values[loopPcv] ?? 0) + 12;
        assert.ok(predicted - run.cost[metric] <= slack, `${entry} n=${n} ${metric}: predicted ${predicted}, measured ${run.cost[metric]}, pcv ${JSON.stringify(values)}`);
        if (metric === 'instructions') largestGap = Math.max(largestGap, predicted - run.cost[metric]);
      }
      // A witness gives a total's value once: the run charges it once and reports it unchanged.
      const again = interpret(r.program, entry, { args: { n }, memory: {}, pcv: values, externals }, { summarizeAfter: c.unrollLimit, fullUnrollLimit: c.fullUnrollLimit, declaredContracts: r.declaredContracts });
      assert.equal(again.cost.instructions, run.cost.instructions);
      for (const t of totals) assert.equal(again.pcv[t.name] ?? 0, values[t.name]);
    }
    assert.ok(largestGap > 0 || cap > 0);
  }
});

test('an observed call reports its own loop counts, also after a longer call in the same summarised loop', async () => {
  // Replaying a run against declared contracts takes each call's loop counts from its observation:
  // in a summarised loop, the loop's PCV keeps the largest count so far, which a shorter later call
  // does not change, so the counts must come from the call itself.
  const source = `
int probe(unsigned k)
{
    unsigned i;
    int acc = 0;
    /*@ pcv t "probes" */
    for (i = 0; i < k; i++) {
        acc += (int)i;
    }
    return acc;
}
int sweep(unsigned n)
{
    unsigned j;
    int total = 0;
    for (j = 0; j < n; j++) {
        total += probe(n - j);
    }
    return total;
}
`;
  const contracts = JSON.stringify({ version: 1, functions: { probe: { unrollLimit: 0, cases: [
    { name: 'any', pcvs: { t: 'probes' }, cost: { instructions: '10 + 7*t', memory_accesses: '0' } },
  ] } } });
  const files: Record<string, string> = { '/virtual/probe.c': source, '/virtual/probe.pcontract.json': contracts };
  const r = await analyze([{ path: '/virtual/probe.c' }], { entries: ['sweep'], contractFiles: ['/virtual/probe.pcontract.json'] }, { readFile: (p) => files[p] });
  const observed: { k: number; t: number | undefined }[] = [];
  interpret(r.program, 'sweep', { args: { n: 7 }, memory: {}, pcv: {} }, {
    summarizeAfter: 2, declaredContracts: r.declaredContracts,
    observeCalls: { callees: new Set(['probe']), record: (call) => observed.push({ k: call.k, t: call.pcv.t }) },
  });
  assert.deepEqual(observed, [7, 6, 5, 4, 3, 2, 1].map((t, i) => ({ k: i + 1, t })));
});

/** Functions written for the full-unroll tests, in styles the fixtures above do not use (a countdown, a do/while, a state scan). */
const FULL_UNROLL_SOURCE = `#include <stdint.h>
static const uint16_t ports[5] = { 53, 67, 123, 161, 514 };

int udp_service(uint16_t port)
{
    int k = 4;
    while (k >= 0) {
        if (ports[k] == port)
            return k;
        k--;
    }
    return -1;
}

uint32_t zero_stop(const uint8_t *p)
{
    uint8_t i = 0;
    uint32_t s = 0;
    do {
        if (p[i] == 0)
            break;
        s += p[i];
        i++;
    } while (i < 8);
    return s;
}

struct slot { uint32_t key; uint8_t used; };
struct slots { struct slot s[16]; };

int count_live(const struct slots *t, uint32_t key)
{
    int live = 0;
    for (unsigned j = 0; j < 16; j++) {
        if (t->s[j].used && t->s[j].key != key)
            live++;
    }
    return live;
}
`;

async function fullUnrollResult(fullUnrollLimit?: number): Promise<AnalysisResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'full-unroll-'));
  const file = path.join(dir, 'full_unroll.c');
  fs.writeFileSync(file, FULL_UNROLL_SOURCE);
  return analyze([{ path: file }], fullUnrollLimit === undefined ? {} : { execution: { ...DEFAULT_EXECUTION_OPTIONS, fullUnrollLimit } }, diskFileSystem);
}

test('loops with a small constant trip bound run in full, early exits included: no PCV, one exact class per exit', async () => {
  const r = await fullUnrollResult();
  const service = r.contracts.find((k) => k.name === 'udp_service')!;
  assert.ok(service.complete);
  assert.deepEqual(service.pcvs, []);
  assert.deepEqual(service.classes.map((k) => k.returns?.[0]).sort(), ['-1', '0', '1', '2', '3', '4']);
  const stop = r.contracts.find((k) => k.name === 'zero_stop')!;
  assert.ok(stop.complete);
  assert.deepEqual(stop.pcvs, []);
  // A zero at byte 0..7, or none: nine ways through the do/while, each with its own constant cost.
  assert.equal(stop.classes.reduce((n, k) => n + k.paths, 0), 9);
  for (const c of [service, stop]) {
    for (const k of c.classes) {
      assert.notEqual(k.witnessVerified, false, `${c.name} ${k.id}`);
      const run = interpret(r.program, c.name, k.witness, { summarizeAfter: c.unrollLimit, fullUnrollLimit: c.fullUnrollLimit });
      assert.ok(k.traces.includes(runPathKey(run)), `${c.name} ${k.id}`);
      assert.equal(String(run.cost.instructions), k.cost.instructions, `${c.name} ${k.id}`);
    }
  }
});

test('a constant-bound scan whose iterations fork on per-entry state is summarised, not run in full, and stays complete', async () => {
  const r = await fullUnrollResult();
  const live = r.contracts.find((k) => k.name === 'count_live')!;
  assert.ok(live.complete, JSON.stringify(live.incompleteReasons));
  assert.deepEqual(live.pcvs.map((p) => [p.name, p.bound]), [['iterations@count_live:34', 14]]);
  assert.ok(live.classes.length <= 16, `${live.classes.length} classes`);
});

test('fullUnrollLimit below the trip bound (or 0) summarises the loop again', async () => {
  const r = await fullUnrollResult(4);
  const service = r.contracts.find((k) => k.name === 'udp_service')!;
  assert.equal(service.fullUnrollLimit, 4);
  assert.deepEqual(service.pcvs.map((p) => p.name), ['iterations@udp_service:7']);
  const none = await fullUnrollResult(0);
  assert.deepEqual(none.contracts.find((k) => k.name === 'udp_service')!.pcvs.map((p) => p.name), ['iterations@udp_service:7']);
});

/** Loops bounded by a computed limit (a masked header field), and one bounded by nothing but an argument. */
const SOLVER_BOUND_SOURCE = `#include <stdint.h>
uint32_t sum_pairs(const uint8_t *p)
{
    uint32_t words = (uint32_t)(p[0] >> 4) * 2;
    uint32_t k = 0, s = 0;
    while (k < words) {
        s += p[1 + k];
        k += 2;
    }
    return s;
}

uint32_t sum_all(const uint8_t *p, uint32_t len)
{
    uint32_t s = 0;
    for (uint32_t i = 0; i < len; i++)
        s += p[i & 63];
    return s;
}
`;

test('a guard against a computed limit gets the largest trip count the path allows from the solver; a free argument gets no bound and is named', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'solver-bound-'));
  const file = path.join(dir, 'bounds.c');
  fs.writeFileSync(file, SOLVER_BOUND_SOURCE);
  const r = await analyze([{ path: file }], {}, diskFileSystem);
  // words <= 30: k = 0, 2 unrolled, then k = 4, 6, ..., 28 — 13 summarised iterations at most.
  const pairs = r.contracts.find((k) => k.name === 'sum_pairs')!;
  assert.deepEqual(pairs.pcvs.map((p) => [p.bound, p.boundSource]), [[13, 'solver']]);
  assert.equal(pairs.worstCase?.unbounded, undefined);
  // The bound is tight: p[0] = 0xF0 runs exactly 13 summarised iterations.
  const run = interpret(r.program, 'sum_pairs', { args: {}, memory: { p: 'f0' + '00'.repeat(40) }, pcv: {} }, { summarizeAfter: pairs.unrollLimit, fullUnrollLimit: pairs.fullUnrollLimit });
  assert.equal(run.pcv[pairs.pcvs[0]!.name], 13);
  const all = r.contracts.find((k) => k.name === 'sum_all')!;
  assert.deepEqual(all.pcvs.map((p) => [p.bound, p.unboundedBy]), [[undefined, ['len']]]);
  assert.equal(all.worstCase?.unbounded, true);
});

test('a path-limit stop says which loop holds the branch points it left', async () => {
  const { contractOf } = await import('./support/virtualContract');
  // A walk that forks four ways on every byte it reads: 3 paths end it inside the loop.
  const { contract } = await contractOf(`
    #include <stdint.h>
    int walk(const uint8_t *p)
    {
      int score = 0;
      for (int i = 0; i < 6; i++) {
        switch (p[i] & 3) {
        case 0: score += 1; break;
        case 1: score += 3; break;
        case 2: score -= 2; break;
        default: score ^= 5; break;
        }
      }
      return score;
    }`, 'walk', { maxPaths: 3 });
  assert.equal(contract.complete, false);
  const stop = contract.incompleteReasons.find((r) => r.kind === 'path-limit');
  assert.ok(stop, JSON.stringify(contract.incompleteReasons));
  assert.match(stop.message, /branch points? left to explore .*; (all are|it is|\d+ are) inside the for loop at line 6 of walk/);
});

test('an exit inside the body bounds the loop when every iteration passes it and steps its counter', async () => {
  const file = path.resolve(__dirname, '../../../test-fixtures/engine/loop_exits.c');
  const analysis = await analyze([{ path: file }], {}, diskFileSystem);
  const bounds = Object.fromEntries(analysis.contracts.map((c) => [c.name, c.pcvs.map((p) => p.bound ?? null)]));
  // route: `hops == MAX_HOPS` (8) after the 2 explicit iterations; count_tlvs: `++n >= 16`;
  // skip_tags steps `depth` on some iterations only: its bound comes from `i < 200` alone.
  assert.deepEqual(bounds, { route: [6], count_tlvs: [14], skip_tags: [198] });
});

test('a counter stepped by what the body reads is bounded by its least step, up, down or as a pointer', async () => {
  const file = path.resolve(__dirname, '../../../test-fixtures/engine/variable_steps.c');
  const analysis = await analyze([{ path: file }], {}, diskFileSystem);
  const pcvs = Object.fromEntries(analysis.contracts.map((c) => [c.name, c.pcvs.map((p) => ({ bound: p.bound ?? null, source: p.boundSource ?? null }))]));
  assert.deepEqual(pcvs, {
    // end <= 60, at >= 22 after the two explicit iterations, and a NOP steps by 1.
    count_options: [{ bound: 38, source: 'solver' }],
    // left <= 63 counts down by 4 while left >= 4: 15 iterations, 13 after the explicit ones.
    fold: [{ bound: 13, source: 'solver' }],
    // The walking pointer's offset: end - p <= 31, p at least 2 bytes in after the explicit ones.
    walk_tlv: [{ bound: 29, source: 'solver' }],
    // buf[at] may be 0: the loop may never end, and no bound is claimed.
    skip_records: [{ bound: null, source: null }],
  });
});

test('an exit inside the body on a variable stepped by what the body reads bounds the loop', async () => {
  const file = path.resolve(__dirname, '../../../test-fixtures/engine/body_exit_steps.c');
  const analysis = await analyze([{ path: file }], {}, diskFileSystem);
  const pcvs = Object.fromEntries(analysis.contracts.map((c) => [c.name, c.pcvs.map((p) => ({ bound: p.bound ?? null, source: p.boundSource ?? null }))]));
  assert.deepEqual(pcvs, {
    // `tokens < 0` leaves; tokens counts down from at most 24000 by at least 1 (l == 0 leaves
    // before the step): at most 23998 after the two explicit iterations, so 23998 more go round
    // and one more leaves. The check follows the step, so the summarised iteration may assume
    // tokens >= 0 at the header; without that, a havocked tokens could wrap and no bound holds.
    drain: [{ bound: 23999, source: 'solver' }],
    // `seen` steps by 0 on even bytes: no least step, no bound.
    skim: [{ bound: null, source: null }],
  });
});

test('a summarised iteration with a branch the solver cannot decide gives no class through the loop', async () => {
  // q * d + r == v[i] always holds, but showing it needs 64-bit multiplication and division: the
  // solver answers unknown, so the `odd += 5` side is never explored. Its cost is not in the
  // iteration's worst cost, so no path through the summarised loop may claim a formula.
  const source = `#include <stdint.h>
int scan(const uint64_t *v, uint32_t n)
{
    int odd = 0;
    for (uint32_t i = 0; i < n && i < 100; i++) {
        uint64_t d = v[i] | 1;
        uint64_t q = v[i] / d, r = v[i] % d;
        if (q * d + r != v[i])
            odd += 5;
        odd++;
    }
    return odd;
}
`;
  const r = await analyze([{ path: '/virtual/scan.c' }], { entries: ['scan'] }, { readFile: (p) => (p === '/virtual/scan.c' ? source : undefined) });
  const contract = r.contracts[0]!;
  assert.equal(contract.complete, false);
  assert.ok(contract.incompleteReasons.some((reason) => reason.kind === 'solver-unknown' && /inside the loop at line 5 of scan, so the worst cost of its iterations is not known/.test(reason.message)),
    JSON.stringify(contract.incompleteReasons));
  const loopPcv = contract.pcvs.find((p) => p.name.startsWith('iterations@scan'));
  for (const c of contract.classes) {
    if (c.outcome === 'incomplete') continue;
    assert.ok(!loopPcv || !Object.values(c.cost).some((formula) => formula?.includes(loopPcv.name)), `${c.id} has a formula in ${loopPcv?.name}: ${JSON.stringify(c.cost)}`);
  }
  // The paths that leave before the summary (n <= 2) keep their classes.
  assert.ok(contract.classes.some((c) => c.outcome !== 'incomplete'));
});
