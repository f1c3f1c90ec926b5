// `/*@ assume EXPR */` and `--assume EXPR`: preconditions that remove inputs from a contract without
// costing anything or deciding a class.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'path';
import * as fs from 'fs';
import { analyze } from '../src/core/analysis';
import { interpret } from '../src/core/interp/interpreter';
import { Reasons } from '../src/core/reasons';
import { contractOf } from './support/virtualContract';
import { diskFileSystem } from '../src/cli/main';
import { cli, repo } from './support/runCli';

const fixture = path.join(repo, 'test-fixtures', 'engine', 'assumptions.c');
const noFiles = { readFile: () => undefined };

test('assume: the fixture has no error class, states its three assumptions, and costs what the code costs', async () => {
  const text = fs.readFileSync(fixture, 'utf8');
  const { contract } = await contractOf(text, 'classify');
  assert.equal(contract.complete, true);
  assert.deepEqual(contract.classes.filter((c) => c.outcome !== 'return').map((c) => c.condition), [], 'no error class once the indices are assumed in range');
  const notes = (contract.assumptions ?? []).filter((a) => a.includes('/*@ assume */'));
  assert.equal(notes.length, 3, JSON.stringify(contract.assumptions));
  for (const expression of ['vlan < N_VLANS', 'qid < N_QUEUES || qid == 0xff', 'q->depth <= 64']) {
    assert.ok(notes.some((n) => n.startsWith(`\`${expression}\``)), `${expression} is stated`);
  }
  // The class conditions are the code's decisions only (the assumption's `||` splits no path).
  assert.ok(contract.classes.some((c) => c.condition === 'qid == 0xff'), contract.classes.map((c) => c.condition).join(' | '));
  assert.ok(contract.classes.every((c) => !c.condition.includes('N_VLANS')));
  // The same code without the annotations costs the same on the same path: the assumptions are free.
  const plain = await contractOf(text.replace(/\/\*@ assume[^*]*\*\/|\/\/@ assume.*/g, ''), 'classify');
  const unconfigured = (c: typeof contract) => c.classes.find((k) => k.outcome === 'return' && k.returns.includes('-2'));
  assert.equal(unconfigured(contract)?.cost.instructions, unconfigured(plain.contract)?.cost.instructions);
  assert.ok(plain.contract.classes.some((c) => c.outcome === 'error'), 'without them the table reads may be out of bounds');
});

test('assume: an input that violates an assumption is outside the contract when run', async () => {
  const result = await analyze([{ path: fixture }], { entries: ['classify'] }, diskFileSystem);
  const run = interpret(result.program, 'classify', { args: { vlan: 20, prio: 0 }, memory: {}, pcv: {} } as never);
  assert.equal(run.error?.reason, 'assumption-violated');
  assert.equal(Reasons['assumption-violated'].code, 'PC108');
  assert.match(run.error!.message, /'vlan < N_VLANS' \(line 24\) does not hold/);
  // A table entry that is neither a queue nor "unconfigured" violates the assumption in the body.
  const table = interpret(result.program, 'classify', { args: { vlan: 1, prio: 0 }, memory: { vlan_queue: '0009' }, pcv: {} } as never);
  assert.equal(table.error?.reason, 'assumption-violated');
  const fine = interpret(result.program, 'classify', { args: { vlan: 1, prio: 0 }, memory: { vlan_queue: '0002' }, pcv: {} } as never);
  assert.equal(fine.error, undefined);
  assert.deepEqual(fine.returnValue, { kind: 'int', value: 0n });
});

test('assume: a guarded dereference keeps its short circuit; the NULL case stays a class', async () => {
  const { contract } = await contractOf(`
    struct hdr { unsigned char len; unsigned char data[64]; };
    struct pkt { struct hdr *h; };
    int sum(struct pkt *p)
    {
      struct hdr *h = p->h;
      /*@ assume h == 0 || h->len <= 64 */
      int s = 0;
      if (!h)
        return -1;
      for (int i = 0; i < h->len; i++)
        s += h->data[i];
      return s;
    }`, 'sum');
  assert.equal(contract.complete, true);
  assert.deepEqual(contract.classes.filter((c) => c.outcome === 'error').map((c) => c.condition), []);
  // The fork inside the assumption is the code's NULL decision, and it is printed as one.
  assert.deepEqual(contract.classes.filter((c) => c.returns.includes('-1')).map((c) => c.condition), ['h == 0']);
  assert.ok(contract.pcvs.length > 0 && contract.pcvs.every((p) => p.bound !== undefined && p.bound <= 64), JSON.stringify(contract.pcvs));
});

test('assume: an assumption that is not a side-effect-free C expression is reported at its line', async () => {
  const effects = await analyze([{ path: '/virtual/f.c', text: 'int f(int x)\n{\n  /*@ assume x++ < 3 */\n  return x;\n}\n' }], { entries: ['f'] }, noFiles);
  const diagnostic = effects.diagnostics.find((d) => d.functionName === 'f' || d.message.includes('assumption'));
  assert.ok(diagnostic, JSON.stringify(effects.diagnostics));
  assert.equal(diagnostic.reason, 'unsupported');
  assert.equal(diagnostic.startLine, 2);
  assert.match(diagnostic.message, /side effects/);
  const unknown = await analyze([{ path: '/virtual/g.c', text: '/*@ assume n < LIMIT */\nint g(int n)\n{\n  return n;\n}\n' }], { entries: ['g'] }, noFiles);
  const undeclared = unknown.diagnostics.find((d) => d.reason === 'unknown-identifier');
  assert.ok(undeclared, JSON.stringify(unknown.diagnostics));
  assert.equal(undeclared.startLine, 0);
  assert.match(undeclared.message, /'LIMIT' is not declared/);
});

test('assume: --assume on the command line applies to the --entry functions and is stated', async () => {
  const withoutEntry = await cli(['contract', fixture, '--assume', 'prio <= 5']);
  assert.equal(withoutEntry.code, 2);
  assert.match(withoutEntry.stderr, /--assume needs --entry/);
  const { code, stdout, stderr } = await cli(['contract', fixture, '--entry', 'classify', '--assume', 'prio <= 5', '--format', 'json']);
  assert.equal(code, 0, stderr);
  const contract = JSON.parse(stdout).functions[0];
  assert.ok(contract.assumptions.some((a: string) => a.startsWith('`prio <= 5` is assumed (`--assume`)')), JSON.stringify(contract.assumptions));
  assert.ok(contract.classes.every((c: { condition: string }) => !c.condition.includes('prio > 5')), 'no class needs prio > 5');
  assert.equal(contract.classes.length, 3);
});
