// The NF measurement harness: pcap files, the C driver under callgrind, trace generators and the IR validation of every NF.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readPcap, readPortsFile, writePcap, writePortsFile, portsFileFor } from '../src/measure/pcap';
import { MeasureError } from '../src/measure/measureError';
import { parseCallgrindParts } from '../src/measure/callgrind';
import { buildDriver, measureTrace, OptLevel, runTraceBuild } from '../src/measure/harness';
import { NF_REGISTRY, findNf, findTrace } from '../src/measure/nfRegistry';
import { generateTrace, writeTrace } from '../src/measure/measureCli';
import { findCollidingTuples, flowBucket } from '../src/measure/natTraffic';
import { macSlot } from '../src/measure/bridgeTraffic';
import { validateNf } from '../src/measure/validationRun';
import { NfContract, interpretTrace, lowerNf, nfContract } from '../src/measure/session';
import { irRows, irSummaryRows, packetEstimated, renderReport, renderScatterSvg, plotPoints, traceRows, UNMATCHED, x86PredictionRows } from '../src/measure/validation';
import { Random, TRACE_START_NS } from '../src/measure/traffic';
import { buildTranslationUnit } from '../src/core/syntax/translationUnit';
import { lowerProgram } from '../src/core/ir/lowerProgram';
import { functionToString } from '../src/core/ir/ir';

const ROOT = path.resolve(__dirname, '../../..');
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-measure-'));
const harness = { repoRoot: ROOT, workDir: WORK };

function expectCode(code: string, fn: () => unknown): void {
  assert.throws(fn, (error: unknown) => error instanceof MeasureError && error.code === code && error.message.startsWith(code));
}

function samplePackets() {
  return [
    { data: new Uint8Array([1, 2, 3, 4, 5]), timestampNs: 1_000_000_001n },
    { data: new Uint8Array([0xff]), timestampNs: 1_700_000_000_999_999_999n },
    { data: new Uint8Array(1500).map((_, i) => i & 0xff), timestampNs: 0n },
  ];
}

test('pcap: packets written as nanosecond pcap read back identically, and tcpdump reads the file', () => {
  const bytes = writePcap(samplePackets());
  assert.equal(bytes.readUInt32LE(0), 0xa1b23c4d);
  assert.equal(bytes.readUInt32LE(20), 1, 'link type Ethernet');
  assert.deepEqual(readPcap(bytes), samplePackets());
  const tcpdump = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  assert.ok(!tcpdump.error && tcpdump.status === 0, 'tcpdump is not installed: `node e2e/setup.mjs` (run by `npm test`) installs it');
  const file = path.join(WORK, 'roundtrip.pcap');
  fs.writeFileSync(file, bytes);
  const listed = spawnSync('tcpdump', ['-nr', file], { encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  assert.equal(listed.stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d+ /.test(l)).length, 3);
  // Generated traffic decodes with valid IPv4, TCP and UDP checksums.
  const nat = findNf('nat');
  const trace = generateTrace(nat, nat.traces[0]!, 40, 3);
  const files = writeTrace(trace, WORK);
  const verbose = spawnSync('tcpdump', ['-nvr', files.pcap], { encoding: 'utf8' });
  assert.equal(verbose.status, 0, verbose.stderr);
  assert.equal(verbose.stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d+ /.test(l)).length, 40);
  assert.doesNotMatch(verbose.stdout, /incorrect|bad cksum/);
  assert.match(verbose.stdout, /cksum 0x[0-9a-f]+ \(correct\)/);
});

test('pcap: a big-endian microsecond file is read with its timestamps in ns', () => {
  const header = Buffer.alloc(24);
  header.writeUInt32BE(0xa1b2c3d4, 0);
  header.writeUInt16BE(2, 4);
  header.writeUInt16BE(4, 6);
  header.writeUInt32BE(65535, 16);
  header.writeUInt32BE(1, 20);
  const record = Buffer.alloc(16 + 3);
  record.writeUInt32BE(7, 0);
  record.writeUInt32BE(250, 4);
  record.writeUInt32BE(3, 8);
  record.writeUInt32BE(3, 12);
  record.set([9, 8, 7], 16);
  assert.deepEqual(readPcap(Buffer.concat([header, record])), [{ data: new Uint8Array([9, 8, 7]), timestampNs: 7_000_250_000n }]);
});

test('pcap: malformed files and ports files give PM003 bad-pcap', () => {
  const good = writePcap(samplePackets());
  expectCode('PM003', () => readPcap(good.subarray(0, 10)));
  expectCode('PM003', () => readPcap(Buffer.concat([Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]), good.subarray(4)])));
  expectCode('PM003', () => readPcap(good.subarray(0, 24 + 10)));
  expectCode('PM003', () => readPcap(good.subarray(0, good.length - 1)));
  const huge = Buffer.from(good);
  huge.writeUInt32LE(70000, 24 + 8);
  expectCode('PM003', () => readPcap(huge));
  expectCode('PM003', () => writePcap([{ data: new Uint8Array(70000), timestampNs: 0n }]));
  expectCode('PM003', () => writePcap([{ data: new Uint8Array(0), timestampNs: 0n }]));
  assert.deepEqual(readPortsFile(writePortsFile([0, 1, 65535])), [0, 1, 65535]);
  expectCode('PM003', () => readPortsFile('0\nx\n'));
  expectCode('PM003', () => readPortsFile('70000\n'));
  assert.equal(portsFileFor('/a/b/trace.pcap'), '/a/b/trace.ports');
});

test('callgrind: combined dumps split into labelled parts with their totals', () => {
  const text = [
    'version: 1', 'creator: callgrind-3.19.0', 'pid: 1', 'cmd: x', 'part: 1', '', 'desc: Trigger: Client Request: empty 0', '',
    'events: Ir Dr Dw', 'summary: 0', '', 'totals: 0', '', 'part: 2', 'desc: Trigger: Client Request: packet 0', 'events: Ir Dr Dw',
    'summary: 407 70 8', 'fl=(1) a.c', 'fn=(1) nf_process', '16 407 70 8', 'totals: 407 70 8', '', 'part: 3',
    'desc: Trigger: Program termination', 'events: Ir Dr Dw', 'summary: 5', 'totals: 5',
  ].join('\n');
  assert.deepEqual(parseCallgrindParts(text), [
    { label: 'empty 0', totals: { Ir: 0, Dr: 0, Dw: 0 } },
    { label: 'packet 0', totals: { Ir: 407, Dr: 70, Dw: 8 } },
    { label: 'Program termination', totals: { Ir: 5, Dr: 0, Dw: 0 } },
  ]);
  // Calls into a shared library are kept per function with their inclusive cost; the startup code's
  // call into the C library (which calls main) is not one of them.
  const withLibrary = [
    'version: 1', 'part: 1', 'desc: Trigger: Client Request: call 0', 'events: Ir Dr Dw', 'summary: 120 30 10',
    'ob=(1) /tmp/harness', 'fl=(1) a.c', 'fn=(1) (below main)', 'cob=(2) /usr/lib/x86_64-linux-gnu/libc.so.6', 'cfn=(2) __libc_start_main', 'calls=1 0', '0 120 30 10',
    'fn=(3) lookup', '10 40 10 5', 'cob=(2)', 'cfn=(4) __memcmp_avx2_movbe', 'calls=2 +3', '* 56 10 0', '+1 4 1 0',
    'cfn=(5) helper', 'calls=1 20', '* 20 9 5',
    'ob=(2)', 'fn=(4)', '0 56 10 0', 'totals: 120 30 10',
    'part: 2', 'desc: Trigger: Client Request: call 1', 'events: Ir Dr Dw', 'ob=(1)', 'fn=(3)', 'cob=(2)', 'cfn=(4)', 'calls=1 +3', '* 27 5 0', 'totals: 60 10 5',
  ].join('\n');
  assert.deepEqual(parseCallgrindParts(withLibrary).map((p) => p.libraryCalls), [
    { __memcmp_avx2_movbe: { object: '/usr/lib/x86_64-linux-gnu/libc.so.6', calls: 2, inclusive: { Ir: 56, Dr: 10, Dw: 0 } } },
    { __memcmp_avx2_movbe: { object: '/usr/lib/x86_64-linux-gnu/libc.so.6', calls: 1, inclusive: { Ir: 27, Dr: 5, Dw: 0 } } },
  ]);
  expectCode('PM007', () => parseCallgrindParts('version: 1\n'));
  expectCode('PM007', () => parseCallgrindParts('part: 1\nevents: Ir\ntotals: 1\n'));
});

test('driver: the C reader sees the ports, lengths and timestamps the pcap holds; bad files exit with PM003', () => {
  const router = findNf('router');
  const trace = generateTrace(router, router.traces[0]!, 40, 7);
  const files = writeTrace(trace, WORK);
  const lines = runTraceBuild(buildDriver(router, 'O0', 'trace', harness), files.pcap, files.ports);
  assert.equal(lines.length, 40);
  lines.forEach((line, i) => {
    assert.equal(line.port, trace.packets[i]!.port);
    assert.equal(line.len, trace.packets[i]!.data.length);
    assert.equal(line.now, String(trace.packets[i]!.timeNs));
  });
  assert.ok(BigInt(lines[0]!.now!) >= TRACE_START_NS);
  const binary = buildDriver(router, 'O0', 'trace', harness);
  const bad = path.join(WORK, 'bad.pcap');
  fs.writeFileSync(bad, 'not a pcap at all, just text');
  expectCode('PM003', () => runTraceBuild(binary, bad));
  const shortPorts = path.join(WORK, 'short.ports');
  fs.writeFileSync(shortPorts, '1\n');
  expectCode('PM003', () => runTraceBuild(binary, files.pcap, shortPorts));
});

test('callgrind: an empty measurement costs 0 after subtraction, and the same packet costs the same every time', () => {
  const router = findNf('router');
  const one = generateTrace(router, findTrace(router, 'longest-prefix'), 1, 3).packets[0]!;
  const trace = { nf: 'router', name: 'same-packet', kind: 'adversarial' as const, description: '', packets: [0, 1, 2, 3].map((i) => ({ ...one, timeNs: one.timeNs + BigInt(i) })) };
  const files = writeTrace(trace, WORK);
  for (const opt of ['O0', 'O2'] as const) {
    const run = measureTrace(router, opt, files.pcap, files.ports, harness);
    assert.ok(run.emptyMeasurements.length > 0);
    for (const empty of run.emptyMeasurements) assert.deepEqual(empty, { Ir: 0, Dr: 0, Dw: 0 });
    assert.equal(run.packets.length, 4);
    assert.ok(run.packets[0]!.Ir > 100, `Ir ${run.packets[0]!.Ir}`);
    for (const p of run.packets) assert.deepEqual([p.Ir, p.Dr, p.Dw, p.result], [run.packets[0]!.Ir, run.packets[0]!.Dr, run.packets[0]!.Dw, run.packets[0]!.result]);
    assert.deepEqual(run.packets[0]!.pcvs, [['w', 10], ['l', 17]]);
  }
});

test('traffic: every generator is deterministic per seed and stays within the NF interface', () => {
  for (const nf of NF_REGISTRY) {
    for (const generator of nf.traces) {
      const a = generator.generate({ packets: 30, seed: 5 });
      const b = generator.generate({ packets: 30, seed: 5 });
      assert.deepEqual(a, b, `${nf.name} ${generator.name}`);
      assert.ok(a.length >= 30);
      for (let i = 1; i < a.length; i++) assert.ok(a[i]!.timeNs >= a[i - 1]!.timeNs, `${nf.name} ${generator.name}: time goes back at ${i}`);
      for (const p of a) assert.ok(p.data.length <= 65535 && p.port >= 0 && p.port <= 0xffff);
    }
  }
});

test('traffic: the generators\' colliding keys really collide in the C hash tables (traced probe counts)', () => {
  const withCollisions = NF_REGISTRY.filter((nf) => nf.traces.some((t) => t.name === 'collisions'));
  assert.deepEqual(withCollisions.map((nf) => nf.name), ['nat', 'bridge', 'lb', 'policer']);
  for (const nf of withCollisions) {
    const trace = generateTrace(nf, findTrace(nf, 'collisions'), 60, 11);
    const files = writeTrace(trace, WORK);
    const lines = runTraceBuild(buildDriver(nf, 'O0', 'trace', harness), files.pcap, files.ports);
    // 30 keys share one bucket: the last insertion probes past the 29 before it.
    const probes = lines.flatMap((l) => (l.pcvs ?? []).filter(([name]) => name === 't').map(([, v]) => v));
    assert.ok(Math.max(...probes) >= 30, `${nf.name}: at most ${Math.max(...probes)} probes`);
  }
  // A different key almost never lands in the same bucket.
  assert.notEqual(flowBucket({ src: 1, dst: 2, srcPort: 3, dstPort: 4, proto: 17 }), flowBucket({ src: 1, dst: 2, srcPort: 3, dstPort: 5, proto: 17 }));
  assert.notEqual(macSlot([2, 0, 0, 0, 0, 1]), macSlot([2, 0, 0, 0, 0, 2]));
});

test('tracing points leave the analysed IR of every NF unchanged', async () => {
  // Without PC_TRACE the macros expand to ((void)0): the IR must equal that of the sources with
  // every tracing line removed (the IR carries no line numbers).
  const strip = (text: string) => text.split('\n').filter((line) => !/^\s*PC_TRACE_(PCV|OUTCOME)\(.*\);\s*$/.test(line) && !/#include "pc_trace\.h"/.test(line)).join('\n');
  for (const nf of NF_REGISTRY) {
    const sources = nf.sources.map((s) => ({ path: path.join(ROOT, s) }));
    const options = { includeDirs: nf.includeDirs.map((d) => path.join(ROOT, d)), defines: {} };
    const irOf = async (transform: (text: string) => string) => {
      const unit = await buildTranslationUnit(sources, options, { readFile: (p) => (fs.existsSync(p) ? transform(fs.readFileSync(p, 'utf8')) : undefined) });
      const lowered = lowerProgram(unit);
      assert.deepEqual(lowered.diagnostics.map((d) => d.message), [], nf.name);
      return [...lowered.program.functions.values()].filter((f) => !f.file.startsWith('<builtin>')).map(functionToString).join('\n');
    };
    const traced = await irOf((t) => t);
    let removed = 0;
    const untraced = await irOf((t) => {
      const stripped = strip(t);
      removed += t.split('\n').length - stripped.split('\n').length;
      return stripped;
    });
    assert.ok(removed > 0, `${nf.name}: no tracing line found`);
    assert.match(traced, new RegExp(`function ${nf.entry}\\(`));
    assert.equal(traced, untraced, `${nf.name}: the tracing lines change the IR`);
  }
});

test('a packet is estimated when its class is, unless only unobserved monomials are and they take calibrated values', () => {
  assert.equal(packetEstimated(undefined, {}), true);
  assert.equal(packetEstimated({ samples: 4, estimated: false }, { c: 9 }), false);
  assert.equal(packetEstimated({ samples: 0, estimated: true, note: 'no calibration call reached this class' }, {}), true);
  const partly = { samples: 4, estimated: true, note: 'c, d*p', estimatedTerms: { c: [0], 'd*p': [0, 2] } };
  assert.equal(packetEstimated(partly, { c: 0, d: 1, p: 2 }), false);
  assert.equal(packetEstimated(partly, { c: 0, d: 2, p: 2 }), true);
  assert.equal(packetEstimated(partly, { c: 1 }), true);
  assert.equal(packetEstimated(partly, {}), false);
});

test('validation tables: gaps, medians and below-counts per class, unmatched rows apart', () => {
  const packet = (index: number, classId: string | undefined, measured: number, predicted: number) => ({
    index, classId, returnValue: 0, measured: { instructions: measured, memory_accesses: 0 }, predicted: { instructions: predicted, memory_accesses: 0 }, pcv: {},
  });
  const validation = {
    nf: 'demo', linesOfC: 1, contractMilliseconds: 1, classes: 2, complete: false, incompleteReasons: [], metrics: ['instructions' as const],
    traces: [{ name: 't', kind: 'typical' as const, description: '', x86: {}, session: [
      packet(0, 'C2', 100, 110), packet(1, 'C10', 50, 50), packet(2, 'C2', 200, 210), packet(3, undefined, 1000, 900), packet(4, 'C2', 100, 100),
    ] }],
  };
  assert.deepEqual(irRows(validation), [
    { nf: 'demo', classId: 'C2', metric: 'instructions', packets: 3, maxGap: 0.1, medianGap: 0.05, below: 0 },
    { nf: 'demo', classId: 'C10', metric: 'instructions', packets: 1, maxGap: 0, medianGap: 0, below: 0 },
    { nf: 'demo', classId: UNMATCHED, metric: 'instructions', packets: 1, maxGap: -0.1, medianGap: -0.1, below: 1 },
  ]);
  assert.deepEqual(traceRows(validation), [{ nf: 'demo', trace: 't', kind: 'typical', packets: 5, matched: 4, unmatched: 1, resultMismatches: {} }]);
  // The NF's summary counts the packets in a class only: gaps 0.1, 0, 0.05, 0.
  assert.deepEqual(irSummaryRows(validation), [{ nf: 'demo', metric: 'instructions', packets: 4, classes: 2, maxGap: 0.1, medianGap: 0.025, below: 0 }]);
});

test('interpreter sessions and the compiled NFs return the same result for every packet of every trace', async () => {
  // Independent of the contracts: the interpreter, carrying the NF state from packet to packet,
  // must take the same decisions as gcc's build of the same C (-O2, tracing build).
  for (const nf of NF_REGISTRY) {
    const lowered = await lowerNf(nf, ROOT);
    const binary = buildDriver(nf, 'O2', 'trace', harness);
    for (const generator of nf.traces) {
      const trace = generateTrace(nf, generator, 60, 2);
      const files = writeTrace(trace, WORK);
      const compiled = runTraceBuild(binary, files.pcap, files.ports);
      const interpreted = interpretTrace(lowered, nf, trace.packets);
      assert.equal(interpreted.length, compiled.length);
      interpreted.forEach((run, i) => {
        assert.equal(run.error, undefined, `${nf.name} ${generator.name} packet ${i}: ${run.error}`);
        assert.equal(run.returnValue, compiled[i]!.result, `${nf.name} ${generator.name} packet ${i}`);
      });
    }
  }
});

// The IR validation: a short version of `npm run validate` (100 packets per trace). The NAT, the
// policer, the bridge and the load balancer are modular (analysed against their data structures'
// contracts, packets placed by a replay). Every contract is complete, so every packet lands in a class.
// The x86 grounding is checked at both levels on every NF (the bridge learns a station with the C
// library's memcpy at -O0, priced from its benchmark): calibrated on 40 packets per generator of
// held-out traces, no packet may run above its prediction.
// Every contract must be complete, so the time limits leave room for a loaded machine: the file
// analyses two NFs at a time, and on a machine shared with other work the load balancer's analysis
// ended at a 30 s limit (33 s of wall clock) in two runs, and at a 60 s limit (99 s) in another.
// A complete analysis is the same whatever its limit.
const TIME_LIMIT_MS = 180_000;
const VALIDATION = [
  { nf: 'router', timeLimitMs: TIME_LIMIT_MS, packets: 100, x86: true },
  { nf: 'firewall', timeLimitMs: TIME_LIMIT_MS, packets: 100, x86: true },
  { nf: 'nat', timeLimitMs: TIME_LIMIT_MS, packets: 100, x86: true },
  { nf: 'policer', timeLimitMs: TIME_LIMIT_MS, packets: 100, x86: true },
  // Analysed against its MAC table's contracts (bridge.pcontract.json).
  { nf: 'bridge', timeLimitMs: TIME_LIMIT_MS, packets: 100, x86: true },
  // Against its library's contracts, every loop summarised (--unroll 0).
  { nf: 'lb', timeLimitMs: TIME_LIMIT_MS, packets: 100, x86: true },
];

// Two analyses at a time (the machine has two cores), started when the file loads.
const contracts = new Map<string, Promise<NfContract>>();
{
  const lanes: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
  VALIDATION.forEach((spec, i) => {
    const contract = lanes[i % 2]!.then(() => nfContract(findNf(spec.nf), { repoRoot: ROOT, timeLimitMs: spec.timeLimitMs }));
    lanes[i % 2] = contract.catch(() => undefined);
    contract.catch(() => undefined); // the test that awaits it reports the failure
    contracts.set(spec.nf, contract);
  });
}

for (const spec of VALIDATION) {
  test(`validation (${spec.nf}): no packet in a class is predicted below the interpreter, nor (x86) below valgrind, and the interpreter returns what gcc's build returns`, async () => {
    const nf = findNf(spec.nf);
    const opts: OptLevel[] = spec.x86 ? ['O0', 'O2'] : ['O2'];
    const analysed = await contracts.get(spec.nf)!;
    // An incomplete contract leaves packets outside its classes: say why first.
    assert.ok(analysed.contract.complete, `${spec.nf}: the contract is incomplete after ${analysed.milliseconds} ms: ${JSON.stringify(analysed.contract.incompleteReasons)}`);
    const validation = await validateNf(nf, { repoRoot: ROOT, workDir: WORK, packets: spec.packets, seed: 1, opts, contract: contracts.get(spec.nf)!, calibrationPackets: spec.x86 ? 40 : 0 });
    if (spec.x86) {
      for (const opt of opts) {
        const record = validation.grounding?.[opt]?.record;
        assert.ok(record && !('error' in record), `${spec.nf} -${opt}: ${JSON.stringify(record)}`);
      }
      const x86 = x86PredictionRows(validation);
      assert.deepEqual(x86.map((r) => `${r.opt} ${r.metric}`), ['O0 x86_instructions', 'O0 x86_memory_accesses', 'O2 x86_instructions', 'O2 x86_memory_accesses']);
      for (const row of x86) {
        assert.equal(row.below, 0, `${spec.nf} -${row.opt} ${row.metric}: ${row.below} of ${row.packets} packets run above their x86 prediction (worst class ${row.worstClass})`);
        assert.equal(row.packets, validation.traces.reduce((n, t) => n + t.session.length, 0), `${spec.nf} -${row.opt} ${row.metric}: every packet is in a class and measured`);
      }
    }
    assert.equal(validation.traces.length, nf.traces.length);
    const rows = irRows(validation);
    const matchedRows = rows.filter((r) => r.classId !== UNMATCHED);
    for (const row of matchedRows) assert.equal(row.below, 0, `${spec.nf} ${row.classId} ${row.metric}: ${row.below} packets predicted below the interpreter`);
    for (const row of matchedRows) assert.ok(row.maxGap >= 0 && row.medianGap >= 0);
    for (const r of traceRows(validation)) for (const opt of opts) assert.equal(r.resultMismatches[opt], 0, `${spec.nf} ${r.trace}: interpreter and gcc -${opt} disagree on ${r.resultMismatches[opt]} results`);
    const packets = validation.traces.reduce((n, t) => n + t.session.length, 0);
    const matched = validation.traces.reduce((n, t) => n + t.session.filter((p) => p.classId !== undefined).length, 0);
    assert.equal(matched, packets, `${spec.nf}: ${packets - matched} of ${packets} packets outside the contract`);
    // The report and the plots render every NF's figures.
    const report = renderReport([validation], { command: 'test', packetsPerTrace: spec.packets, seed: 1, date: '2000-01-01' });
    assert.match(report, new RegExp(`\\| ${spec.nf} \\| \\d+ \\| [0-9.]+ s \\| ${validation.classes} \\|`));
    // At -O0 the bridge learns a station with the C library's memcpy, priced at its benchmarked worst case.
    if (spec.nf === 'bridge') assert.match(report, /\| bridge \| -O0 \| `[^`]*memcpy[^`]*` \| \d+ \| benchmark \(sizes 6\) \|/);
    const svg = renderScatterSvg(plotPoints(validation, 'instructions'), spec.nf, 'instructions');
    assert.equal((svg.match(/<circle /g) ?? []).length, packets + 3);
  });
}

test('measure script: unknown NF and bad options exit with stable codes', () => {
  const script = path.join(ROOT, 'out', 'scripts', 'measure.js');
  const unknown = spawnSync(process.execPath, [script, 'no-such-nf'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^measure: PM002 unknown-nf: 'no-such-nf'/);
  const badOpt = spawnSync(process.execPath, [script, 'router', '--opt', 'O3'], { encoding: 'utf8' });
  assert.equal(badOpt.status, 2);
  assert.match(badOpt.stderr, /PM001 bad-arguments: --opt must be O0 or O2/);
  const missing = spawnSync(process.execPath, [script, 'router', '--trace', path.join(WORK, 'missing.pcap')], { encoding: 'utf8' });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /PM003 bad-pcap: no such file/);
  const ok = spawnSync(process.execPath, [script, 'router', '--packets', '5'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  const lines = ok.stdout.trim().split('\n').map((l) => JSON.parse(l) as { index: number; Ir: number; Dr: number; Dw: number; pcvs: unknown[]; outcomes: unknown[] });
  assert.deepEqual(lines.map((l) => l.index), [0, 1, 2, 3, 4]);
  for (const l of lines) assert.ok(l.Ir > 0 && Array.isArray(l.pcvs) && Array.isArray(l.outcomes));
});

test('a generator asked for more colliding flows than its address space holds fails with PM009 instead of searching forever', () => {
  // Four distinct tuples at most: never ten in one bucket.
  const make = (r: Random) => ({ src: r.int(4), dst: 0, srcPort: 0, dstPort: 0, proto: 0 });
  assert.throws(() => findCollidingTuples(new Random(1), 10, flowBucket(make(new Random(1))), make), (e: unknown) => e instanceof MeasureError && e.code === 'PM009');
  // Every policer trace is possible at the validation's largest calibration sizes.
  const policer = findNf('policer');
  for (const generator of policer.traces) assert.ok(generateTrace(policer, generator, 1000, 7920).packets.length >= 1000);
});
