// x86 grounding: the compiler command, the replay harness, the fit, the CLI, and a held-out check
// that no packet runs above its class's x86 formula on the compiled code.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';
import { analyze } from '../src/core/analysis';
import { DEFAULT_EXECUTION_OPTIONS } from '../src/core/symex/executor';
import { evaluateFormula, formulaPcvNames, parseFormula } from '../src/core/cost/formula';
import { bytesToHex, Witness } from '../src/core/contract/witness';
import type { FunctionContract, PathClass } from '../src/core/contract/contract';
import { toPolynomial } from '../src/core/declared/declaredContracts';
import { compilerCommandFor, relevantFlags, splitCommandLine } from '../src/ground/compileCommands';
import { DEFAULT_CYCLES_MODEL, Grounding, groundContract, UnitGrounding, X86_METRICS } from '../src/ground/ground';
import { buildHarness, runReplay } from '../src/ground/replay';
import { interpretSequence } from '../src/ground/sequence';
import { Random } from '../src/measure/traffic';
import { packetEstimated } from '../src/measure/validation';
import { cli, repo } from './support/runCli';

const FIXTURE = path.join(repo, 'test-fixtures', 'x86', 'options.c');
const fileSystem = { readFile: (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) };

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pc-x86-test-'));
}

test('splitCommandLine reads compile_commands.json command strings like a shell', () => {
  assert.deepEqual(splitCommandLine(`gcc -DNAME="a b" -I'inc dir' -O2 -c x.c`), ['gcc', '-DNAME=a b', '-Iinc dir', '-O2', '-c', 'x.c']);
  assert.deepEqual(splitCommandLine('cc  a\\ b  ""'), ['cc', 'a b', '']);
  assert.throws(() => splitCommandLine('gcc "open'), /PG006|unterminated/);
});

test('relevantFlags keeps what changes the code and resolves include folders', () => {
  assert.deepEqual(relevantFlags(['-O3', '-Wall', '-Iinc', '-I', 'other', '-DX=1', '-D', 'Y', '-std=c11', '-march=native', '-fno-strict-aliasing', '-c', 'a.c', '-o', 'a.o', '-MF', 'a.d'], '/p'),
    ['-O3', '-I/p/inc', '-I', '/p/other', '-DX=1', '-D', 'Y', '-std=c11', '-march=native', '-fno-strict-aliasing']);
});

test('compilerCommandFor finds compile_commands.json above the file, and --cflags wins over it', () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'src', 'nf'), { recursive: true });
  const file = path.join(dir, 'src', 'nf', 'a.c');
  fs.writeFileSync(file, 'int f(void) { return 0; }\n');
  fs.writeFileSync(path.join(dir, 'compile_commands.json'), JSON.stringify([
    { directory: dir, file: 'src/other.c', command: 'gcc -O1 -c src/other.c' },
    { directory: dir, file: 'src/nf/a.c', command: 'gcc -O3 -Iinclude -DFAST -c src/nf/a.c -o a.o' },
  ]));
  const found = compilerCommandFor(file, { extra: ['-I/extra'] });
  assert.equal(found.compiler, 'gcc');
  assert.deepEqual(found.flags, ['-O3', `-I${path.join(dir, 'include')}`, '-DFAST', '-I/extra']);
  assert.match(found.source, /^compile_commands\.json \(/);
  const override = compilerCommandFor(file, { cflags: '-O0 -g' });
  assert.deepEqual([override.source, ...override.flags], ['--cflags', '-O0', '-g']);
  const elsewhere = compilerCommandFor(path.join(tempDir(), 'b.c'), {});
  assert.deepEqual([elsewhere.source, ...elsewhere.flags], ['default', '-O2']);
  fs.writeFileSync(path.join(dir, 'compile_commands.json'), '{ not json');
  assert.throws(() => compilerCommandFor(file, {}), (e: Error & { code?: string }) => e.code === 'PG006');
});

/** An IPv4 packet behind a 14-byte Ethernet header, with random options and sometimes a valid checksum. */
function packet(random: Random): Witness {
  const ihl = 5 + random.int(11);
  const bytes = new Uint8Array(14 + ihl * 4 + 8);
  const ip = bytes.subarray(14);
  ip[0] = 0x40 | ihl;
  ip[9] = random.int(256);
  let at = 20;
  while (at < ihl * 4) {
    const choice = random.int(4);
    if (choice === 0 && random.chance(0.3)) {
      ip[at] = 0; // end of options
      break;
    }
    if (choice === 1) {
      ip[at++] = 1; // no-operation
      continue;
    }
    const length = Math.min(2 + random.int(6), ihl * 4 - at);
    if (length < 2) {
      ip[at++] = 1;
      continue;
    }
    ip[at] = 2 + random.int(100);
    ip[at + 1] = length;
    at += length;
  }
  if (random.chance(0.8)) {
    // A correct header checksum (the fixture returns -3 otherwise).
    let sum = 0;
    for (let i = 0; i < ihl * 2; i++) if (i !== 5) sum += (ip[2 * i]! << 8) | ip[2 * i + 1]!;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    const checksum = ~sum & 0xffff;
    ip[10] = checksum >> 8;
    ip[11] = checksum & 0xff;
  }
  return { args: { len: bytes.length }, memory: { pkt: bytesToHex(bytes) }, pcv: {} };
}

async function fixtureContract(): Promise<{ contract: FunctionContract; result: Awaited<ReturnType<typeof analyze>> }> {
  const result = await analyze([{ path: FIXTURE }], { entries: ['parse'] }, fileSystem);
  return { contract: result.contracts[0]!, result };
}

for (const opt of ['-O0', '-O2']) {
  test(`grounded at ${opt}, no held-out packet runs above its fitted class's x86 formula on the compiled code`, async () => {
    const { contract, result } = await fixtureContract();
    const random = new Random(11);
    const calibration = Array.from({ length: 200 }, () => packet(random));
    const workDir = tempDir();
    const command = { compiler: 'gcc', flags: [opt], source: 'test' };
    const lowered = { program: result.program, declaredContracts: result.declaredContracts, modular: false };
    const grounding = groundContract(contract, lowered, X86_METRICS, { command, sources: [FIXTURE], calibration, cyclesModel: DEFAULT_CYCLES_MODEL, workDir }) as Grounding;
    assert.ok(!('error' in grounding), JSON.stringify(grounding));
    assert.deepEqual(contract.metrics, ['instructions', 'memory_accesses', 'x86_instructions', 'x86_memory_accesses', 'cycles']);
    for (const c of contract.classes) for (const m of X86_METRICS) assert.ok((c.cost as Record<string, string>)[m], `${c.id} has no ${m}`);
    // The options loop's per-option cost is fitted (it varies inside classes), not scaled.
    assert.ok(Object.values(grounding.classes).some((c) => c.samples > 0 && !c.estimated), 'no class is fitted');

    // Held out: other packets, replayed on a fresh build and placed by the interpreter.
    const heldOut = Array.from({ length: 150 }, () => packet(random));
    const fn = result.program.functions.get('parse')!;
    const binary = buildHarness(fn, undefined, [FIXTURE], command, path.join(workDir, 'held-out'));
    const replay = runReplay(binary, fn, heldOut, new Map(), path.join(workDir, 'held-out'));
    const runs = interpretSequence({ program: result.program, declaredContracts: result.declaredContracts, entry: 'parse', summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit, modular: false }, heldOut);
    const byTrace = new Map(contract.classes.flatMap((c) => c.traces.map((t) => [t, c] as const)));
    let compared = 0;
    let fittedCompared = 0;
    const estimatedBelow: string[] = [];
    runs.forEach((run, i) => {
      const pathClass = byTrace.get(run.pathKey);
      assert.equal(BigInt(run.returnValue ?? 0), replay.results[i], `packet ${i}: the interpreter and the compiled code disagree`);
      if (!pathClass) return;
      compared++;
      const estimated = grounding.classes[pathClass.id]!.estimated;
      if (!estimated) fittedCompared++;
      const cost = replay.costs[i]!;
      for (const [metric, measured] of [['x86_instructions', cost.Ir], ['x86_memory_accesses', cost.Dr + cost.Dw]] as const) {
        const predicted = evaluateFormula((pathClass.cost as Record<string, string>)[metric]!, run.pcv);
        const message = `packet ${i} (${pathClass.id}, ${metric}): predicted ${predicted} < measured ${measured} (${(pathClass.cost as Record<string, string>)[metric]} at ${JSON.stringify(run.pcv)})`;
        // A fitted class is an upper bound; an estimated one says it is an estimate.
        if (!estimated) assert.ok(predicted >= measured, message);
        else if (predicted < measured) estimatedBelow.push(message);
      }
    });
    assert.ok(compared >= 100, `only ${compared} held-out packets landed in a class`);
    assert.ok(fittedCompared >= 50, `only ${fittedCompared} held-out packets landed in fitted classes`);
    if (estimatedBelow.length > 0) process.stdout.write(`${opt}: estimated classes below their measurement: ${estimatedBelow.join('; ')}\n`);
  });
}

test('-O0: memcmp calls are priced at their worst case, so probes the calibration never made stay below their class', async () => {
  const file = path.join(repo, 'test-fixtures', 'x86', 'keys.c');
  const result = await analyze([{ path: file }], { entries: ['find_station'] }, fileSystem);
  const contract = result.contracts[0]!;
  const mac = (mismatch: number) => {
    const bytes = new Uint8Array(6);
    if (mismatch >= 0) bytes[mismatch] = 1 + mismatch;
    return bytesToHex(bytes);
  };
  const call = (slot: number, mismatch: number): Witness => ({ args: { slot }, memory: { mac: mac(mismatch) }, pcv: {} });
  // Calibration probes the first 8 slots only, with every mismatch position (every class).
  const calibration = Array.from({ length: 8 * 7 }, (_, i) => call(i % 8, Math.floor(i / 8) - 1));
  const workDir = tempDir();
  const command = { compiler: 'gcc', flags: ['-O0'], source: 'test' };
  const lowered = { program: result.program, declaredContracts: result.declaredContracts, modular: false };
  const grounding = groundContract(contract, lowered, X86_METRICS, { command, sources: [file], calibration, cyclesModel: DEFAULT_CYCLES_MODEL, workDir }) as Grounding;
  assert.ok(!('error' in grounding), JSON.stringify(grounding));
  const memcmp = grounding.libraryCalls?.find((c) => c.intrinsic === 'memcmp');
  assert.ok(memcmp && memcmp.worstCase === 'benchmark' && memcmp.function.includes('memcmp'), JSON.stringify(grounding.libraryCalls));
  assert.deepEqual(memcmp.sizes, [6]);
  assert.ok(Object.values(grounding.classes).every((c) => !c.estimated), JSON.stringify(grounding.classes));

  // Held out: every slot of the table, so some operands lie where a vector load could cross a page.
  const heldOut = Array.from({ length: 1024 }, (_, slot) => call(slot, (slot % 7) - 1));
  const fn = result.program.functions.get('find_station')!;
  const binary = buildHarness(fn, undefined, [file], command, path.join(workDir, 'held-out'));
  const replay = runReplay(binary, fn, heldOut, new Map(), path.join(workDir, 'held-out'));
  const runs = interpretSequence({ program: result.program, declaredContracts: result.declaredContracts, entry: 'find_station', summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit, modular: false }, heldOut);
  const calibrated = runReplay(binary, fn, calibration, new Map(), path.join(workDir, 'held-out'));
  const largestCalibrated = Math.max(...calibrated.costs.map((c) => c.Ir));
  const byTrace = new Map(contract.classes.flatMap((c) => c.traces.map((t) => [t, c] as const)));
  let aboveCalibration = 0;
  runs.forEach((run, i) => {
    const pathClass = byTrace.get(run.pathKey);
    assert.ok(pathClass, `probe ${i} landed in no class`);
    const cost = replay.costs[i]!;
    if (cost.Ir > largestCalibrated) aboveCalibration++;
    for (const [metric, measured] of [['x86_instructions', cost.Ir], ['x86_memory_accesses', cost.Dr + cost.Dw]] as const) {
      const predicted = evaluateFormula((pathClass.cost as Record<string, string>)[metric]!, run.pcv);
      assert.ok(predicted >= measured, `slot ${i} (${pathClass.id}, ${metric}): predicted ${predicted} < measured ${measured}`);
    }
  });
  // The table does reach operands the calibration's memcmp paths did not cover.
  assert.ok(aboveCalibration > 0, 'no held-out probe cost more than every calibration probe');

  // The CLI's grounding record lists the library calls, and the schema accepts it.
  const printed = await cli(['contract', file, '--entry', 'find_station', '--format', 'json', '--metrics', 'x86_instructions', '--cflags', '-O0']);
  assert.equal(printed.code, 0, printed.stderr);
  const document = JSON.parse(printed.stdout) as { functions: (FunctionContract & { grounding: Grounding })[] };
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(fs.readFileSync(path.join(repo, 'docs', 'contract.schema.json'), 'utf8')));
  assert.ok(validate(document), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.deepEqual(document.functions[0]!.grounding.libraryCalls?.map((c) => [c.intrinsic, c.worstCase, c.sizes]), [['memcmp', 'benchmark', [6]]]);
});

/** A call of nested.c's sweep: one expired entry per chain length (0-15 slots probed to erase it). */
function sweepCall(chains: number[]): Witness {
  return { args: { expired: chains.length }, memory: { expiring: bytesToHex(Uint8Array.from(chains.length > 0 ? chains : [0])) }, pcv: {} };
}

/** Two erasures that each probe at least 2 slots: the unrolled outer iterations of the member whose formula has e*t''. */
function twoLongChains(random: Random): number[] {
  return [2 + random.int(14), 2 + random.int(14)];
}

/** A sweep of at most 3 entries: the outer PCV e (erasures beyond the unrolled two) is 0 or 1, so e*t'' is exact. */
function smallSweep(random: Random): number[] {
  return random.chance(0.5) ? [...twoLongChains(random), ...Array.from({ length: random.int(2) }, () => random.int(16))] : Array.from({ length: random.int(3) }, () => random.int(16));
}

/** Many erasures that probe 0-3 slots and one that probes 15: e*t'' charges each of them the 13 probes beyond the unrolled two of the longest. */
function raggedSweep(random: Random, entries: number): number[] {
  return [...twoLongChains(random), ...Array.from({ length: entries - 2 }, (_, i) => (i === entries >> 1 ? 15 : random.int(4)))];
}

/**
 * Many erasures of 4 slots each: its cost above the small sweeps' is mostly per erasure (e), a cost the
 * small sweeps (e <= 1) do not observe.
 */
function evenSweep(random: Random, entries: number): number[] {
  return [...twoLongChains(random), ...new Array<number>(entries - 2).fill(4)];
}

/** A class's or member's x86 formula at a call's PCVs (PCVs the call did not count are 0). */
function predictedAt(unit: { cost: Partial<Record<string, string>> }, metric: string, pcv: Record<string, number>): number {
  const formula = unit.cost[metric]!;
  return evaluateFormula(formula, Object.fromEntries(formulaPcvNames(formula).map((name) => [name, pcv[name] ?? 0])));
}

for (const opt of ['-O0', '-O2']) {
  test(`grounded at ${opt}, sweeps whose e*t'' only bounds their work neither drag the per-probe cost nor lift their class's constant`, async () => {
    const file = path.join(repo, 'test-fixtures', 'x86', 'nested.c');
    const result = await analyze([{ path: file }], { entries: ['sweep'] }, fileSystem);
    const random = new Random(23);
    // Calibration as traffic has it: mostly sweeps of 0-3 entries, and two long ones.
    const small = Array.from({ length: 60 }, () => sweepCall(smallSweep(random)));
    const nested = [sweepCall(raggedSweep(random, 200)), sweepCall(evenSweep(random, 120))];
    const heldOut = [...Array.from({ length: 60 }, () => sweepCall(smallSweep(random))), sweepCall(raggedSweep(random, 150)), sweepCall(evenSweep(random, 100))];
    const command = { compiler: 'gcc', flags: [opt], source: 'test' };
    const lowered = { program: result.program, declaredContracts: result.declaredContracts, modular: false };
    const ground = (calibration: Witness[]) => {
      const contract = structuredClone(result.contracts[0]!);
      const grounding = groundContract(contract, lowered, X86_METRICS, { command, sources: [file], calibration, cyclesModel: DEFAULT_CYCLES_MODEL, workDir: tempDir() });
      assert.ok(!('error' in grounding), JSON.stringify(grounding));
      return { contract, grounding: grounding as Grounding };
    };
    const { contract, grounding } = ground([...small, ...nested]);
    // The same calibration without the two long sweeps.
    const withoutNested = ground(small);

    // Every call, the calibration's included, replayed on a fresh build and placed by the interpreter.
    const calls = [...small, ...nested, ...heldOut];
    const fn = result.program.functions.get('sweep')!;
    const workDir = tempDir();
    const binary = buildHarness(fn, undefined, [file], command, workDir);
    const replay = runReplay(binary, fn, calls, new Map(), workDir);
    const runs = interpretSequence({ program: result.program, declaredContracts: result.declaredContracts, entry: 'sweep', summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit, modular: false }, calls);
    const byTrace = new Map(contract.classes.flatMap((c) => c.traces.map((t) => [t, c] as const)));
    const classOf = (i: number): PathClass => {
      assert.equal(BigInt(runs[i]!.returnValue ?? 0), replay.results[i], `call ${i}: the interpreter and the compiled code disagree`);
      const pathClass = byTrace.get(runs[i]!.pathKey);
      assert.ok(pathClass, `call ${i} landed in no class`);
      return pathClass;
    };
    // What a call's x86 formulas are fitted for: the member of a merged class its path is in (whose
    // cost is the path's), else its class; with the grounding record of that unit.
    const unitOf = (i: number): { id: string; cost: Partial<Record<string, string>>; record: UnitGrounding | undefined } => {
      const pathClass = classOf(i);
      const member = pathClass.members?.find((m) => m.traces.includes(runs[i]!.pathKey));
      if (pathClass.members) assert.ok(member, `call ${i} is in ${pathClass.id} but in none of its members`);
      const record = grounding.classes[pathClass.id];
      return member ? { id: member.id, cost: member.cost, record: record?.members?.[member.id] } : { id: pathClass.id, cost: pathClass.cost, record };
    };

    // The long sweeps take the paths of the small sweeps that start with two long chains: one member
    // of a merged class, whose only product monomial e*t'' (e, t'' >= 2) bounds the slots the
    // summarised erasures probed rather than counts them. The class's formula, the maximum over its
    // members, has other products (another member's e*t).
    const nestedClass = classOf(small.length);
    const nestedUnit = unitOf(small.length);
    const products = [...toPolynomial(parseFormula(nestedUnit.cost.instructions!)).keys()].filter((m) => m.includes('*'));
    assert.deepEqual(products, ["e*t''"], `${nestedUnit.id} (${nestedUnit.cost.instructions}) has not e*t'' alone as its product monomial`);
    const product = products[0]!;
    for (const i of [small.length, small.length + 1, calls.length - 2, calls.length - 1]) {
      assert.equal(unitOf(i).id, nestedUnit.id, `long sweep ${i} is not in ${nestedUnit.id}`);
      assert.ok(product.split('*').every((name) => runs[i]!.pcv[name]! >= 2), `long sweep ${i}: ${product} is exact at ${JSON.stringify(runs[i]!.pcv)}`);
    }

    let fitted = 0;
    let exactInNested = 0;
    runs.forEach((run, i) => {
      const pathClass = classOf(i);
      const unit = unitOf(i);
      const cost = replay.costs[i]!;
      const where = `${i < small.length + nested.length ? 'calibration' : 'held-out'} call ${i} (${unit.id} at ${JSON.stringify(run.pcv)})`;
      // Soundness: no call whose prediction is fitted (not estimated) is above its member's formula,
      // nor above its class's, which bounds every member's.
      if (!packetEstimated(unit.record, run.pcv)) {
        fitted++;
        for (const [metric, measured] of [['x86_instructions', cost.Ir], ['x86_memory_accesses', cost.Dr + cost.Dw]] as const) {
          for (const formulas of [unit, pathClass]) {
            const predicted = predictedAt(formulas, metric, run.pcv);
            assert.ok(predicted >= measured, `${where}, ${metric}: predicted ${predicted} < measured ${measured} (${(formulas.cost as Record<string, string>)[metric]} of ${formulas.id})`);
          }
        }
      }
      // A sweep with at most one summarised erasure, where e*t'' is exact, pays for the long sweeps
      // neither through its member's constant nor through per-unit costs they dragged down: its
      // formula stays within twice its cost.
      if (unit.id === nestedUnit.id && (run.pcv.e ?? 0) <= 1) {
        exactInNested++;
        const predicted = predictedAt(unit, 'x86_instructions', run.pcv);
        assert.ok(predicted <= 2 * cost.Ir, `${where}: predicted ${predicted} for a measured ${cost.Ir} (${unit.cost.x86_instructions}): the long sweeps lifted the member's constant or dragged its per-unit costs`);
      }
    });
    assert.ok(fitted >= 100, `only ${fitted} calls have a fitted prediction`);
    assert.ok(exactInNested >= 20, `only ${exactInNested} sweeps with e <= 1 landed in ${nestedUnit.id} (of ${nestedClass.id})`);

    // The per-probe cost t (the single-erasure class, whose formula has t alone) is the one the
    // other calls give: the long sweeps stay out of the per-unit fit.
    const single = contract.classes.find((c) => [...toPolynomial(parseFormula(c.cost.instructions!)).keys()].filter((m) => m !== '').join() === 't');
    assert.ok(single && grounding.classes[single.id]!.samples >= 5 && !grounding.classes[single.id]!.estimated, `no fitted single-erasure class: ${JSON.stringify(single && grounding.classes[single.id])}`);
    const alone = withoutNested.contract.classes.find((c) => c.id === single.id)!;
    for (const metric of ['x86_instructions', 'x86_memory_accesses'] as const) {
      const perProbe = (c: PathClass) => toPolynomial(parseFormula((c.cost as Record<string, string>)[metric]!)).get('t') ?? 0;
      const withLong = perProbe(single);
      const withoutLong = perProbe(alone);
      assert.ok(withoutLong > 0, `${single.id}: no per-probe ${metric} cost without the long sweeps (${(alone.cost as Record<string, string>)[metric]})`);
      assert.ok(Math.abs(withLong - withoutLong) <= 0.1 * withoutLong,
        `${single.id}, ${metric}: the long sweeps moved the per-probe cost from ${withoutLong} to ${withLong} (${(alone.cost as Record<string, string>)[metric]} without them, ${(single.cost as Record<string, string>)[metric]} with them)`);
    }
  });
}

test('contract --metrics x86_... prints x86 formulas and a grounding record that the schema accepts', async () => {
  const { code, stdout, stderr } = await cli(['contract', FIXTURE, '--entry', 'parse', '--format', 'json', '--metrics', 'x86_instructions,cycles', '--cflags', '-O1']);
  assert.equal(code, 0, stderr);
  const document = JSON.parse(stdout) as { functions: (FunctionContract & { grounding: Grounding })[] };
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(repo, 'docs', 'contract.schema.json'), 'utf8')));
  assert.ok(validate(document), JSON.stringify(validate.errors?.slice(0, 3)));
  const fn = document.functions[0]!;
  assert.deepEqual(fn.metrics, ['instructions', 'memory_accesses', 'x86_instructions', 'cycles']);
  assert.deepEqual(fn.grounding.flags, ['-O1']);
  assert.equal(fn.grounding.commandSource, '--cflags');
  assert.ok(fn.grounding.calls.witness > 0);
  // cycles = cpi * x86_instructions + l1 * x86_memory_accesses + (dram - l1) * IR memory accesses, at any PCV values.
  const pcv = Object.fromEntries(fn.pcvs.map((p) => [p.name, 3]));
  for (const c of fn.classes) {
    const cycles = evaluateFormula((c.cost as Record<string, string>).cycles!, pcv);
    assert.ok(cycles >= evaluateFormula((c.cost as Record<string, string>).x86_instructions!, pcv), `${c.id}: cycles below instructions`);
  }
  assert.match(stderr, /x86 formulas of 'parse' are estimated for \d+ of \d+ classes/);
});

test('without a compiler the contract keeps its IR metrics and says why x86 is missing (PG001)', async () => {
  const { code, stdout, stderr } = await cli(['contract', FIXTURE, '--entry', 'parse', '--format', 'json', '--metrics', 'x86_instructions', '--compiler', 'no-such-compiler-cc']);
  assert.equal(code, 0, stderr);
  const fn = (JSON.parse(stdout) as { functions: (FunctionContract & { grounding: { error: { code: string } } })[] }).functions[0]!;
  assert.equal(fn.grounding.error.code, 'PG001');
  assert.deepEqual(fn.metrics, ['instructions', 'memory_accesses']);
  assert.ok(fn.classes.every((c) => !('x86_instructions' in c.cost)));
  assert.match(stderr, /PG001 no x86 metrics for 'parse': 'no-such-compiler-cc --version' failed/);
});

test('a static entry cannot be replayed (PG003), and a bad --cycles-model is a usage error', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'hidden.c');
  fs.writeFileSync(file, 'static int hidden(int x) { return x > 3 ? x * 2 : x; }\nint visible(int x) { return hidden(x) + 1; }\n');
  const { code, stdout, stderr } = await cli(['contract', file, '--entry', 'hidden', '--format', 'json', '--metrics', 'x86_instructions']);
  assert.equal(code, 0, stderr);
  const fn = (JSON.parse(stdout) as { functions: (FunctionContract & { grounding: { error: { code: string; message: string } } })[] }).functions[0]!;
  assert.equal(fn.grounding.error.code, 'PG003', fn.grounding.error.message);
  const usage = await cli(['contract', file, '--metrics', 'cycles', '--cycles-model', 'cpi=1,l1=300,dram=200']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /dram \(200\) must not be below l1 \(300\)/);
});

test('a call marked reinit runs the init function again first, in the interpreter and in the replay harness alike', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'counter.c');
  fs.writeFileSync(file, [
    '#include <stdint.h>',
    'static uint32_t seen;',
    'void counter_init(void) { seen = 0; }',
    'uint32_t count(uint32_t step) { uint32_t i; seen += step; for (i = 0; i < seen; i++) { } return seen; }',
    '',
  ].join('\n'));
  const result = await analyze([{ path: file }], { entries: ['count'] }, fileSystem);
  const fn = result.program.functions.get('count')!;
  const calls = [1, 2, 3, 4].map((step, i) => ({ args: { step }, memory: {}, pcv: {}, ...(i === 2 ? { reinit: true } : {}) }));
  const runs = interpretSequence({ program: result.program, declaredContracts: result.declaredContracts, entry: 'count', init: 'counter_init', modular: false }, calls);
  assert.deepEqual(runs.map((r) => r.returnValue), [1, 3, 3, 7]);
  const binary = buildHarness(fn, 'counter_init', [file], { compiler: 'gcc', flags: ['-O0'], source: 'test' }, dir);
  const replay = runReplay(binary, fn, calls, new Map(), dir);
  assert.deepEqual(replay.results.map(Number), [1, 3, 3, 7]);
  // The loop runs `seen` times: the third call costs what the second did, less than the fourth.
  assert.ok(replay.costs[2]!.Ir === replay.costs[1]!.Ir && replay.costs[3]!.Ir > replay.costs[2]!.Ir, JSON.stringify(replay.costs));
});

test('a modular replay gets the globals a declared call changed, so the code after it counts what the measured run counted', async () => {
  const source = `
static int level;
int set_level(int v)
{
    level = v;
    return 1;
}
int handler(int v)
{
    int i;
    int n = 0;
    set_level(v);
    /*@ pcv steps "steps up to the level" */
    for (i = 0; i < level && i < 100; i++) {
        n++;
    }
    return n;
}
`;
  const contracts = JSON.stringify({ version: 1, functions: { set_level: { cases: [{ name: 'set', returns: 1, cost: { instructions: '5', memory_accesses: '1' } }] } } });
  const files: Record<string, string> = { '/virtual/level.c': source, '/virtual/level.pcontract.json': contracts };
  const result = await analyze([{ path: '/virtual/level.c' }], { entries: ['handler'], contractFiles: ['/virtual/level.pcontract.json'], execution: { ...DEFAULT_EXECUTION_OPTIONS, preferDeclaredContracts: true } }, { readFile: (p) => files[p] });
  const contract = result.contracts[0]!;
  const runs = interpretSequence({ program: result.program, declaredContracts: result.declaredContracts, entry: 'handler', summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit, modular: true }, [{ args: { v: 10 }, memory: {}, pcv: {} }]);
  const run = runs[0]!;
  // 10 steps, 2 of them unrolled: the replay counts 8 only if it sees the level set_level stored.
  assert.equal(run.returnValue, 10);
  assert.equal(run.pcv.steps, 8);
  const landed = contract.classes.find((c) => c.traces.includes(run.pathKey))!;
  assert.ok(evaluateFormula(landed.cost.instructions!, run.pcv) >= run.cost.instructions);
});
