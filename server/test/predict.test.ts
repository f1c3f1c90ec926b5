// `perfcontract predict`, run as a user would: a real process reading a saved contract file.
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { cli, repo } from './support/runCli';

const parser = path.join(repo, 'test-fixtures', 'packet_parser.c');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-predict-'));


interface SavedClass { id: string; cost: Record<string, string> }
interface SavedFunction { name: string; metrics: string[]; classes: SavedClass[]; worstCase: { class: string; cost: Record<string, string> }; bestCase: { class: string } }

/** The real contract of the example NF, saved as `contract --format json` prints it. */
let realContract: string;
let handlePacket: SavedFunction;

/** A hand-written contract with PCV formulas, as the PCV-enabled analysis will print them. */
const pcvContract = path.join(dir, 'pcv.json');
const pcvDocument = {
  version: 1,
  functions: [
    {
      name: 'flow_lookup',
      metrics: ['instructions', 'memory_accesses'],
      pcvs: [
        { name: 'n', description: 'probes of the flow table', origin: 'loop at flow.c:12' },
        { name: 'iterations@parse:12', description: 'options parsed', origin: 'loop at parse.c:12' },
      ],
      classes: [
        { id: 'C1', cost: { instructions: '10 + 4*n', memory_accesses: '2 + n' }, outcome: 'return', lowerBound: false },
        { id: 'C2', cost: { instructions: '7', memory_accesses: '0' }, outcome: 'return', lowerBound: false },
        { id: 'C3', cost: { instructions: '20 + 3*n + max(iterations@parse:12, 2)', memory_accesses: 'n * iterations@parse:12' }, outcome: 'return', lowerBound: true },
      ],
      worstCase: { class: 'C3', cost: { instructions: '20 + 3*n + max(iterations@parse:12, 2)', memory_accesses: 'n * iterations@parse:12' } },
      bestCase: { class: 'C2', cost: { instructions: '7', memory_accesses: '0' } },
    },
    { name: 'empty_fn', metrics: ['instructions'], pcvs: [], classes: [], worstCase: null, bestCase: null },
  ],
};

before(async () => {
  const { code, stdout, stderr } = await cli(['contract', parser, '--format', 'json']);
  assert.equal(code, 0, stderr);
  realContract = path.join(dir, 'packet_parser.json');
  fs.writeFileSync(realContract, stdout);
  handlePacket = (JSON.parse(stdout) as { functions: SavedFunction[] }).functions.find((f) => f.name === 'handle_packet')!;
  assert.ok(handlePacket, 'the contract has handle_packet');
  fs.writeFileSync(pcvContract, JSON.stringify(pcvDocument, null, 2));
});

test('predict gives every class of a real contract its own cost (json)', async () => {
  for (const c of handlePacket.classes.slice(0, 5)) {
    const result = await cli(['predict', realContract, '--entry', 'handle_packet', '--class', c.id, '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(report), ['entry', 'class', 'pcv', 'cost']);
    assert.equal(report.entry, 'handle_packet');
    assert.equal(report.class, c.id);
    assert.deepEqual(report.pcv, {});
    assert.deepEqual(Object.keys(report.cost), handlePacket.metrics, 'all metrics, in the contract order');
    for (const metric of handlePacket.metrics) assert.equal(report.cost[metric], Number(c.cost[metric]), `${c.id} ${metric}`);
  }
});

test('predict prints metric lines in text form and honours --metrics', async () => {
  const c = handlePacket.classes[1]!;
  const text = await cli(['predict', realContract, '--entry', 'handle_packet', '--class', c.id]);
  assert.equal(text.code, 0, text.stderr);
  assert.equal(text.stdout, `class: ${c.id}\ninstructions: ${c.cost.instructions}\nmemory_accesses: ${c.cost.memory_accesses}\n`);
  const one = await cli(['predict', realContract, '--entry', 'handle_packet', '--class', c.id, '--metrics', 'memory_accesses', '--format', 'text']);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.stdout, `class: ${c.id}\nmemory_accesses: ${c.cost.memory_accesses}\n`);
});

test('--class worst and --class best use the contract\'s worst and best case', async () => {
  const worst = await cli(['predict', realContract, '--entry', 'handle_packet', '--class', 'worst', '--format', 'json']);
  assert.equal(worst.code, 0, worst.stderr);
  const report = JSON.parse(worst.stdout);
  assert.equal(report.class, handlePacket.worstCase.class);
  assert.equal(report.cost.instructions, Number(handlePacket.worstCase.cost.instructions));
  assert.equal(report.cost.memory_accesses, Number(handlePacket.worstCase.cost.memory_accesses));
  const best = await cli(['predict', realContract, '--entry', 'handle_packet', '--class', 'best', '--format', 'json']);
  assert.equal(best.code, 0, best.stderr);
  assert.equal(JSON.parse(best.stdout).class, handlePacket.bestCase.class);
});

test('packets per second is floor(clock_hz / (instructions * cpi))', async () => {
  const worstInstructions = Number(handlePacket.worstCase.cost.instructions);
  const json = await cli(['predict', realContract, '--entry', 'handle_packet', '--class', 'worst', '--format', 'json', '--clock-ghz', '3', '--cycles-per-instruction', '1.5']);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.packetsPerSecond, Math.floor(3e9 / (worstInstructions * 1.5)));
  const text = await cli(['predict', realContract, '--entry', 'handle_packet', '--class', 'worst', '--clock-ghz', '3', '--cycles-per-instruction', '1.5']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^packets_per_second: ${report.packetsPerSecond}$`, 'm'));
  // Exact arithmetic: 0.7 GHz at CPI 0.1 over 7 instructions is exactly 1e9; floating point gives 999999999.
  assert.equal(Math.floor(0.7e9 / (7 * 0.1)), 999_999_999);
  const exact = await cli(['predict', pcvContract, '--entry', 'flow_lookup', '--class', 'C2', '--format', 'json', '--clock-ghz', '0.7', '--cycles-per-instruction', '0.1']);
  assert.equal(exact.code, 0, exact.stderr);
  assert.equal(JSON.parse(exact.stdout).packetsPerSecond, 1_000_000_000);
  // With PCVs: 3 GHz at CPI 1 over 10 + 4*5 = 30 instructions.
  const withPcv = await cli(['predict', pcvContract, '--entry', 'flow_lookup', '--class', 'C1', '--pcv', 'n=5', '--format', 'json', '--clock-ghz', '3', '--cycles-per-instruction', '1']);
  assert.equal(withPcv.code, 0, withPcv.stderr);
  assert.equal(JSON.parse(withPcv.stdout).packetsPerSecond, 100_000_000);
  // Without the two options there is no packet rate.
  const plain = JSON.parse((await cli(['predict', realContract, '--entry', 'handle_packet', '--class', 'worst', '--format', 'json'])).stdout);
  assert.equal('packetsPerSecond' in plain, false);
});

test('PCV values are substituted into the formulas', async () => {
  const result = await cli(['predict', pcvContract, '--entry', 'flow_lookup', '--class', 'C1', '--pcv', 'n=6', '--format', 'json']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { entry: 'flow_lookup', class: 'C1', pcv: { n: 6 }, cost: { instructions: 34, memory_accesses: 8 } });
  const worst = await cli(['predict', pcvContract, '--entry', 'flow_lookup', '--class', 'worst', '--pcv', 'n=2,iterations@parse:12=5']);
  assert.equal(worst.code, 0, worst.stderr);
  assert.equal(worst.stdout, 'class: C3\ninstructions: 31\nmemory_accesses: 10\n');
  assert.match(worst.stderr, /class C3 calls functions without a body; its cost is a lower bound/);
  // --pcv can be repeated; a PCV the class does not use is fine.
  const repeated = await cli(['predict', pcvContract, '--entry', 'flow_lookup', '--class', 'C2', '--pcv', 'n=1', '--pcv', 'iterations@parse:12=0']);
  assert.equal(repeated.code, 0, repeated.stderr);
  assert.equal(repeated.stdout, 'class: C2\ninstructions: 7\nmemory_accesses: 0\n');
  assert.equal(repeated.stderr, '');
});

test('a missing PCV value exits 1, names the PCV and lists the PCVs of the function', async () => {
  const result = await cli(['predict', pcvContract, '--entry', 'flow_lookup', '--class', 'C1']);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /class C1 of 'flow_lookup' needs a value for 'n'/);
  assert.match(result.stderr, /10 \+ 4\*n/);
  assert.match(result.stderr, /--pcv n=VALUE/);
  assert.match(result.stderr, /n \(probes of the flow table\), iterations@parse:12 \(options parsed\)/);
  const partly = await cli(['predict', pcvContract, '--entry', 'flow_lookup', '--class', 'C3', '--pcv', 'n=1']);
  assert.equal(partly.code, 1);
  assert.match(partly.stderr, /needs a value for 'iterations@parse:12'/);
});

test('an unknown function, class or metric exits 1 and lists what there is', async () => {
  const entry = await cli(['predict', realContract, '--entry', 'nope', '--class', 'C1']);
  assert.equal(entry.code, 1);
  assert.match(entry.stderr, /no function named 'nope'.*the entries are: handle_packet/);
  const cls = await cli(['predict', realContract, '--entry', 'handle_packet', '--class', 'C999']);
  assert.equal(cls.code, 1);
  assert.match(cls.stderr, /'handle_packet' has no class 'C999'; its classes are: C1, C2, .*, or worst, or best/);
  const none = await cli(['predict', pcvContract, '--entry', 'empty_fn', '--class', 'worst']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /'empty_fn' has no worst case \(it has no classes\)/);
  const metric = await cli(['predict', realContract, '--entry', 'handle_packet', '--class', 'C1', '--metrics', 'cycles']);
  assert.equal(metric.code, 1);
  assert.match(metric.stderr, /class C1 of 'handle_packet' has no metric 'cycles'; its metrics are: instructions, memory_accesses/);
});

test('unreadable files, bad JSON and documents that are not contracts exit 1', async () => {
  const missing = await cli(['predict', path.join(dir, 'absent.json'), '--entry', 'f', '--class', 'C1']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read contract file '.*absent\.json': ENOENT/);
  const badJson = path.join(dir, 'bad.json');
  fs.writeFileSync(badJson, '{ "version": 1, ');
  const bad = await cli(['predict', badJson, '--entry', 'f', '--class', 'C1']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /'.*bad\.json' is not valid JSON/);
  const witness = path.join(dir, 'witness.json');
  fs.writeFileSync(witness, JSON.stringify({ args: { len: 0 }, memory: {}, pcv: {} }));
  const notContract = await cli(['predict', witness, '--entry', 'f', '--class', 'C1']);
  assert.equal(notContract.code, 1);
  assert.match(notContract.stderr, /is not a perfcontract contract: unsupported version undefined/);
  const badFormula = path.join(dir, 'bad-formula.json');
  fs.writeFileSync(badFormula, JSON.stringify({ version: 1, functions: [{ name: 'f', pcvs: [], classes: [{ id: 'C1', cost: { instructions: '3 +' } }], worstCase: null, bestCase: null }] }));
  const formula = await cli(['predict', badFormula, '--entry', 'f', '--class', 'C1']);
  assert.equal(formula.code, 1);
  assert.match(formula.stderr, /the instructions cost of class C1 of 'f' is not a valid formula: bad formula '3 \+'.*column 4/);
});

test('usage problems exit 2 and print the usage', async () => {
  const cases: [string[], RegExp][] = [
    [['predict'], /no contract file/],
    [['predict', realContract, '--class', 'C1'], /predict needs --entry NAME/],
    [['predict', realContract, '--entry', 'handle_packet'], /predict needs --class ID/],
    [['predict', realContract, realContract, '--entry', 'handle_packet', '--class', 'C1'], /one contract file, got 2/],
    [['predict', realContract, '--entry', 'handle_packet', '--class', 'C1', '--format', 'md'], /unknown format 'md'/],
    [['predict', realContract, '--entry', 'handle_packet', '--class', 'C1', '--bogus'], /unknown option '--bogus'/],
    [['predict', realContract, '--entry', 'handle_packet', '--class'], /--class needs a value/],
    [['predict', realContract, '--entry', 'handle_packet', '--class', 'C1', '--pcv', 'n'], /NAME=VALUE/],
    [['predict', realContract, '--entry', 'handle_packet', '--class', 'C1', '--pcv', 'n=-1'], /PCV 'n' must be a non-negative integer/],
    [['predict', realContract, '--entry', 'handle_packet', '--class', 'C1', '--pcv', 'n=1,n=2'], /PCV 'n' is given twice/],
    [['predict', realContract, '--entry', 'handle_packet', '--class', 'C1', '--clock-ghz', '3'], /--clock-ghz and --cycles-per-instruction go together/],
    [['predict', realContract, '--entry', 'handle_packet', '--class', 'C1', '--clock-ghz', '0', '--cycles-per-instruction', '1'], /--clock-ghz must be greater than 0/],
    [['predict', realContract, '--entry', 'handle_packet', '--class', 'C1', '--clock-ghz', 'fast', '--cycles-per-instruction', '1'], /--clock-ghz needs a positive number/],
    [['predict', realContract, '--entry', 'handle_packet', '--class', 'C1', '--input', 'w.json'], /--input is not supported by predict/],
  ];
  for (const [args, pattern] of cases) {
    const result = await cli(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, pattern);
    assert.match(result.stderr, /perfcontract predict CONTRACT\.json --entry NAME --class ID/);
    assert.equal(result.stdout, '');
  }
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /perfcontract predict CONTRACT\.json/);
});

test('--at-bounds takes each unspecified PCV at its bound from the contract', async () => {
  const contract = path.join(dir, 'loops.json');
  // skip_options' option loop is bounded by the header length: a PCV (probe_lookup's constant loop runs in full).
  const generated = await cli(['contract', path.join(repo, 'test-fixtures', 'engine', 'pcv_loops.c'), '--format', 'json']);
  fs.writeFileSync(contract, generated.stdout);
  const saved = JSON.parse(generated.stdout).functions.find((f: { name: string }) => f.name === 'skip_options');
  const worst = saved.classes.find((c: { id: string }) => c.id === saved.worstCase.class);
  const result = await cli(['predict', contract, '--entry', 'skip_options', '--class', 'worst', '--at-bounds', '--format', 'json']);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.equal(report.pcv.option_words, saved.pcvs[0].bound);
  assert.equal(report.cost.instructions, saved.worstCase.atBounds);
  assert.match(worst.cost.instructions, /option_words/);
  const explicit = await cli(['predict', contract, '--entry', 'skip_options', '--class', 'worst', '--at-bounds', '--pcv', 'option_words=1', '--format', 'json']);
  assert.equal(JSON.parse(explicit.stdout).pcv.option_words, 1);
});
