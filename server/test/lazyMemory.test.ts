// Lazy initialisation of memory the analysis did not allocate: NF state behind pointers, unmodelled calls, arrays behind pointer parameters.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AnalysisOptions, AnalysisResult, analyze } from '../src/core/analysis';
import { interpret } from '../src/core/interp/interpreter';
import { evaluateFormula } from '../src/core/cost/formula';
import { runPathKey, type FunctionContract } from '../src/core/contract/contract';
import { cli as runCli } from './support/runCli';
import { contractOf } from './support/virtualContract';
import { witnessCalls } from '../src/ground/ground';
import { MemoryContractCache } from '../src/core/cache/contractCache';
import { bytesToHex, hexToBytes, witnessBytes } from '../src/core/contract/witness';

const noFiles = { readFile: () => undefined };
const schema = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../docs/contract.schema.json'), 'utf8'));


/** Every class's witness, run by the interpreter (heap rebuilt), lands in its class with the class's exact cost. */
function assertWitnessesReplay(result: AnalysisResult, contract: FunctionContract): void {
  for (const c of contract.classes) {
    assert.equal(c.witnessVerified, true, `${contract.name} ${c.id}: ${JSON.stringify(c.witness)}`);
    const run = interpret(result.program, contract.name, c.witness, { declaredContracts: result.declaredContracts, summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit });
    assert.ok(c.traces.includes(runPathKey(run)), `${contract.name} ${c.id} witness lands elsewhere`);
    // With declared-contract PCVs, the formula at the witness's PCV values (the interpreter charges the same).
    assert.equal(run.cost.instructions, evaluateFormula(c.cost.instructions!, c.witness.pcv), `${contract.name} ${c.id} cost`);
  }
}

function summary(contract: FunctionContract): string[] {
  return contract.classes.map((c) => `${c.condition} => ${c.outcome}${c.reason ? ' ' + c.reason.code : ''} ${c.returns.join(',')}`);
}

const issueState = `
struct FM; struct FM *fm;
void fm_expire(struct FM *f, int now);
int process(int now) { fm_expire(fm, now); if (now > 10) return 2; return 1; }
`;

test('a global pointer to NF state set up elsewhere is a lazy object, not PC107; the unmodelled call is named in every class', async () => {
  const { result, contract } = await contractOf(issueState, 'process');
  assert.equal(contract.complete, true);
  assert.equal(contract.classes.length, 1);
  assert.deepEqual(contract.classes[0]!.returns.slice().sort(), ['1', '2']);
  assert.ok(contract.classes.every((c) => c.outcome === 'return' && c.lowerBound && c.dependsOnUnmodelled?.join() === 'fm_expire'), JSON.stringify(contract.classes));
  assert.ok(contract.assumptions?.some((a) => /alias nothing else/.test(a)), JSON.stringify(contract.assumptions));
  const witness = contract.classes[0]!.witness;
  assert.deepEqual(witness.pointers, { fm: { 0: 'fm@0' } });
  assertWitnessesReplay(result, contract);
  // With its initial value asked for, the never-written global is NULL, which the call receives.
  const { contract: initial } = await contractOf(issueState, 'process', { initialGlobals: ['fm'] });
  assert.equal(initial.assumptions, undefined);
  assert.ok(initial.classes.every((c) => c.outcome === 'return'));
});

const issueResult = `
struct ip { int dst; }; struct ip *get_ip(void *m);
int process(void *m) { struct ip *h = get_ip(m); if (h == 0) return -1; return h->dst; }
`;

test("an unmodelled call's pointer result is NULL or a fresh object: both classes, each replayed exactly", async () => {
  const { result, contract } = await contractOf(issueResult, 'process');
  assert.deepEqual(summary(contract), ['h == 0 => return -1', 'h != 0 => return symbolic']);
  assert.deepEqual(contract.classes[0]!.witness.externalPointers, { 'get_ip#1': null });
  assert.deepEqual(contract.classes[1]!.witness.externalPointers, { 'get_ip#1': 'get_ip#1@result' });
  // The object is a struct ip; its text stops at its last non-zero byte (the model's dst may be 0).
  assert.equal(contract.classes[1]!.witness.heapSizes!['get_ip#1@result'], 4);
  assert.ok(contract.classes[1]!.witness.heap!['get_ip#1@result']!.length <= 8);
  assertWitnessesReplay(result, contract);
});

const issueArray = `
struct cell { int next; int value; };
int walk(struct cell *cells, unsigned i) { return cells[i].next + cells[i].value; }
`;

test('a struct pointer parameter indexed as an array has a bounded element count, not out-of-bounds classes', async () => {
  const { result, contract } = await contractOf(issueArray, 'walk');
  assert.deepEqual(summary(contract), ['true => return symbolic']);
  assert.deepEqual(contract.assumptions, ["'cells' is indexed as an array: it is assumed to hold at most 64 elements of 8 bytes, and every index the code uses to be inside it."]);
  assertWitnessesReplay(result, contract);
  // A smaller bound is still an assumption; an index the code fixes beyond it is a real out-of-bounds access.
  const beyond = `struct cell { int next; int value; };\nint far(struct cell *cells) { return cells[9].value; }\n`;
  const { contract: small } = await contractOf(beyond, 'far', { regions: { bufferBytes: 2048, arrayElements: 4 } });
  assert.deepEqual(summary(small), ['true => error PC103 ']);
  const { contract: large } = await contractOf(beyond, 'far', { regions: { bufferBytes: 2048, arrayElements: 16 } });
  assert.deepEqual(summary(large), ['true => return symbolic']);
});

// NF state the way NFs keep it: a global pointer to a struct of table pointers, set up by an init
// function that is not analysed here; a NULL check on one table.
const nestedState = `
#include <stdint.h>
struct flow { uint32_t key; uint16_t port; uint16_t hits; };
struct table { uint32_t size; struct flow slots[8]; };
struct nf_state { struct table *flows; struct table *ports; uint32_t packets; };
struct nf_state *state;

int forward(uint32_t key) {
  state->packets++;
  struct table *t = state->flows;
  if (t == 0) return -1;
  struct flow *f = &t->slots[key & 7];
  if (f->key != key) return 0;
  f->hits++;
  return f->port;
}
`;

test('nested NF state: a global pointer to a struct of table pointers, NULL checked, written back', async () => {
  const { result, contract } = await contractOf(nestedState, 'forward');
  assert.equal(contract.complete, true);
  assert.deepEqual(summary(contract), ['t == 0 => return -1', 't != 0 && f->key != key => return 0', 't != 0 && f->key == key => return symbolic']);
  assert.ok(contract.classes.every((c) => !c.lowerBound));
  const hit = contract.classes[2]!.witness;
  assert.deepEqual(hit.pointers, { state: { 0: 'state@0' }, 'state@0': { 0: 'state@0@0' } });
  assertWitnessesReplay(result, contract);
});

// A pool of nodes linked by index (no pointers between them), walked two steps from a parameter.
const indexPool = `
#include <stdint.h>
struct node { uint16_t next; uint16_t used; uint32_t value; };
uint32_t second(struct node *pool, uint16_t head) {
  uint16_t n = pool[head].next;
  if (!pool[n].used) return 0;
  return pool[n].value;
}
`;

test('a pool linked by index through a pointer parameter: symbolic indices inside the assumed element count', async () => {
  const { result, contract } = await contractOf(indexPool, 'second');
  assert.equal(contract.complete, true);
  assert.deepEqual(summary(contract), ['pool[n].used => return symbolic', '!pool[n].used => return 0']);
  assert.ok(contract.assumptions?.some((a) => a.startsWith("'pool' is indexed as an array")));
  assertWitnessesReplay(result, contract);
});

// An out-parameter pointer filled by an unmodelled call: the local it writes gets a lazy pointer.
const outParameter = `
struct entry { int port; int hits; };
int lookup(int key, struct entry **out);
int handle(int key) {
  struct entry *e = 0;
  if (lookup(key, &e) != 0) return -1;
  if (!e) return -2;
  e->hits++;
  return e->port;
}
`;

test('an out-parameter pointer filled by an unmodelled call is NULL or a fresh object after the call', async () => {
  const { result, contract } = await contractOf(outParameter, 'handle');
  assert.deepEqual(summary(contract), ['lookup(key, &e) != 0 => return -1', 'lookup(key, &e) == 0 && e => return symbolic', 'lookup(key, &e) == 0 && !e => return -2']);
  assert.ok(contract.classes.every((c) => c.dependsOnUnmodelled?.join() === 'lookup'));
  assert.deepEqual(contract.classes[1]!.witness.pointers, { 'lookup#1:arg1': { 0: 'lookup#1:arg1@0' } });
  assertWitnessesReplay(result, contract);
});

test('a pointer the path decided is NULL and then dereferenced is a null dereference (PC104)', async () => {
  const text = `struct s { int a; }; struct s *g;\nint bad(int x) { if (g == 0) return g->a; return x; }\n`;
  const { result, contract } = await contractOf(text, 'bad');
  assert.deepEqual(summary(contract), ['g == 0 => error PC104 ', 'g != 0 => return symbolic']);
  assertWitnessesReplay(result, contract);
});

test('contracts with heaps validate against the contract schema', async () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(schema);
  for (const [text, entry] of [[issueState, 'process'], [outParameter, 'handle'], [nestedState, 'forward'], [indexPool, 'second']] as const) {
    const { contract } = await contractOf(text, entry);
    const document = JSON.parse(JSON.stringify({ version: 1, functions: [contract] }));
    assert.ok(validate(document), `${entry}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  }
});

test('perfcontract rejects --may-alias with a clear message, and run rebuilds a witness heap', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-lazy-'));
  const file = path.join(dir, 'get_ip.c');
  fs.writeFileSync(file, issueResult);
  const rejected = await runCli(['contract', file, '--may-alias']);
  assert.equal(rejected.code, 2);
  assert.match(rejected.stderr, /--may-alias is not supported: lazily created objects never alias/);
  const witness = { args: {}, memory: {}, pcv: {}, heap: { 'get_ip#1@result': '2a000000' }, externalPointers: { 'get_ip#1': 'get_ip#1@result' } };
  fs.writeFileSync(path.join(dir, 'w.json'), JSON.stringify(witness));
  const run = await runCli(['run', file, '--entry', 'process', '--input', path.join(dir, 'w.json')]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /class: C2\nreturn: 42\n/);
});

// Callees that index a struct argument as an array, follow lazy pointers, or call unmodelled code
// with pointers: a summary cannot reproduce them, so they are inlined and the contract is the same.
const helpers = `
#include <stdint.h>
struct cell { uint32_t next; uint32_t value; };
struct ctx { struct cell *cells; uint32_t count; };
void note(struct ctx *c);
static uint32_t at(struct cell *cells, uint32_t i) { return cells[i].value; }
static uint32_t first(struct ctx *c) { if (!c->cells) return 0; return c->cells->value; }
static void touch(struct ctx *c) { note(c); }
uint32_t entry(struct ctx *c, struct cell *pool, uint32_t i) {
  uint32_t v = at(pool, i & 3) + first(c);
  touch(c);
  if (c->count > 4) return v;
  return v + 1;
}
`;

test('callees that index arrays, follow lazy pointers or pass pointers to unmodelled calls are inlined: same contract as inlining', async () => {
  const { result: composed, contract } = await contractOf(helpers, 'entry');
  const { contract: inlined } = await contractOf(helpers, 'entry', { compositional: false });
  const shape = (k: FunctionContract) => k.classes.map((c) => [c.condition, c.cost, c.outcome, c.returns, c.dependsOnUnmodelled ?? []]);
  assert.deepEqual(shape(contract), shape(inlined));
  const reasons = composed.summaries!.use.entry!.inlined.map((i) => `${i.callee}: ${i.reason}`).sort();
  assert.deepEqual(reasons.map((r) => r.split(':')[0]).sort(), ['at', 'first', 'touch']);
  assertWitnessesReplay(composed, contract);
});

test('the x86 replay skips witnesses that need a heap, and says so', async () => {
  const { contract } = await contractOf(nestedState, 'forward');
  assert.deepEqual(witnessCalls(contract), []);
  const { contract: plain } = await contractOf(issueArray, 'walk');
  assert.equal(witnessCalls(plain).length, 1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-lazy-x86-'));
  const file = path.join(dir, 'nested.c');
  fs.writeFileSync(file, nestedState);
  const grounded = await runCli(['contract', file, '--metrics', 'instructions,x86_instructions', '--format', 'json']);
  assert.equal(grounded.code, 0, grounded.stderr);
  assert.match(grounded.stderr, /PG005 .*witnesses need lazily created objects, which it does not allocate/);
  assert.equal(JSON.parse(grounded.stdout).functions[0].grounding.error.code, 'PG005');
});

// NF state the way NFs keep it: a global pointer to a struct of tables that nf_init allocates, and
// calls into a hash-table library with a declared contract (test-fixtures/nf/lib/map.pcontract.json).
// Without --init the tables are lazily created objects; with --init nf_init, what nf_init allocated.
const statefulNf = `
#include <stdint.h>
#include <stdlib.h>
#include "map.h"
struct nf_tables { struct map *flows; struct map *blocked; uint32_t packets; uint32_t drops; };
static struct nf_tables *tables;
void nf_init(void) {
  tables = calloc(1, sizeof(struct nf_tables));
  tables->flows = calloc(1, sizeof(struct map));
  tables->blocked = malloc(sizeof(struct map));
}
int nf_process(const uint8_t *pkt, uint16_t len) {
  struct flow_key key = {0};
  int32_t port;
  if (len < 12) return -1;
  key.src_ip = (uint32_t)pkt[0] << 24 | (uint32_t)pkt[1] << 16 | (uint32_t)pkt[2] << 8 | pkt[3];
  key.dst_ip = (uint32_t)pkt[4] << 24 | (uint32_t)pkt[5] << 16 | (uint32_t)pkt[6] << 8 | pkt[7];
  tables->packets++;
  if (map_get(tables->blocked, &key, &port)) { tables->drops++; return -1; }
  if (map_get(tables->flows, &key, &port)) return port;
  if (map_put(tables->flows, &key, 1) < 0) return -2;
  return 1;
}
`;

for (const init of [undefined, 'nf_init']) test(`a stateful NF with its tables behind a global pointer and a declared hash-table contract is complete ${init ? 'with' : 'without'} --init`, async () => {
  const lib = path.resolve(__dirname, '../../../test-fixtures/nf/lib');
  const file = '/virtual/stateful.c';
  const fileSystem = { readFile: (p: string) => (p.startsWith(lib) && fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) };
  const result = await analyze([{ path: file, text: statefulNf }], {
    entries: ['nf_process'], includeDirs: [lib], contractFiles: [path.join(lib, 'map.pcontract.json')],
    ...(init ? { execution: { init } as AnalysisOptions['execution'] } : {}),
  }, fileSystem);
  const contract = result.contracts.find((c) => c.name === 'nf_process')!;
  assert.equal(contract.complete, true, JSON.stringify(contract.incompleteReasons));
  assert.ok(contract.classes.every((c) => c.outcome === 'return'), JSON.stringify(summary(contract)));
  assert.deepEqual(contract.classes.map((c) => c.condition), [
    'len < 12', 'len >= 12 && map_get(): hit', 'len >= 12 && map_get(): miss && map_get(): hit',
    'len >= 12 && map_get(): miss /* x2 */ && map_put(): stored', 'len >= 12 && map_get(): miss /* x2 */ && map_put(): full',
  ]);
  if (init) {
    // The three allocations, pointed to as nf_init left them; their contents stay unknown.
    assert.deepEqual(contract.classes[1]!.witness.pointers, { tables: { 0: 'init:calloc#1' }, 'init:calloc#1': { 0: 'init:calloc#2', 8: 'init:malloc#1' } });
    assert.deepEqual(contract.assumptions, ["The state starts from what 'nf_init' allocated (3 objects, pointed to as it left them), with unknown contents."]);
  } else {
    assert.deepEqual(contract.classes[1]!.witness.pointers?.tables, { 0: 'tables@0' });
  }
  for (const c of contract.classes) assert.equal(c.witnessVerified, true, c.id);
  assertWitnessesReplay(result, contract);
});

test('an init function the interpreter cannot finish leaves the state lazily initialised, and the contract says why', async () => {
  const text = `${nestedState}\nvoid nf_init(void) { struct nf_state *none = 0; none->packets = 1; }\n`;
  const { result, contract } = await contractOf(text, 'forward', { init: 'nf_init' });
  assert.equal(contract.complete, true);
  assert.match(contract.assumptions![0]!, /^'nf_init' could not be run before the analysis \(invalid-pointer: non-zero offset added to a null pointer\): the state is lazily initialised instead\.$/);
  assertWitnessesReplay(result, contract);
});

test('an optional init (the language server\'s setting) is skipped where it is not defined, and its code is part of the handlers\' cache keys', async () => {
  const lib = path.resolve(__dirname, '../../../test-fixtures/nf/lib');
  const fileSystem = { readFile: (p: string) => (p.startsWith(lib) && fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) };
  const execution = { init: 'nf_init', initOptional: true } as AnalysisOptions['execution'];
  const none = await analyze([{ path: '/virtual/none.c', text: issueArray }], { execution }, noFiles);
  assert.equal(none.contracts[0]!.assumptions?.some((a) => /nf_init/.test(a)), false);
  const cache = new MemoryContractCache();
  const options = { entries: ['nf_process'], includeDirs: [lib], contractFiles: [path.join(lib, 'map.pcontract.json')], cache, execution };
  const first = await analyze([{ path: '/virtual/stateful.c', text: statefulNf }], options, fileSystem);
  assert.deepEqual(first.recomputed, ['nf_process']);
  assert.match(first.contracts[0]!.assumptions!.join(' '), /what 'nf_init' allocated \(3 objects/);
  const again = await analyze([{ path: '/virtual/stateful.c', text: statefulNf }], options, fileSystem);
  assert.deepEqual(again.recomputed, []);
  // nf_init allocates one table less: the handler's state changed, so its contract is computed again.
  const edited = statefulNf.replace('  tables->blocked = malloc(sizeof(struct map));\n', '');
  const after = await analyze([{ path: '/virtual/stateful.c', text: edited }], options, fileSystem);
  assert.deepEqual(after.recomputed, ['nf_process']);
  assert.match(after.contracts[0]!.assumptions!.join(' '), /what 'nf_init' allocated \(2 objects/);
});

test('--init with a name that is no function fails the analysis with a clear message', async () => {
  await assert.rejects(analyze([{ path: '/virtual/none.c', text: issueArray }], { execution: { init: 'nf_init' } as AnalysisOptions['execution'] }, noFiles), /--init names 'nf_init', which is not a function with a body/);
});

// A routing table in the style of a two-level trie: a 16 MiB first level inside the table's struct,
// a pointer to the second level after it, and an index taken from the first level's entry.
const twoLevelTable = `
#include <stdint.h>
struct level2 { uint16_t hop; uint16_t flags; };
struct trie { uint32_t first[1 << 22]; struct level2 *second; uint32_t groups; };
int route(const struct trie *t, uint32_t addr) {
  uint32_t entry = t->first[addr >> 10];
  if (!(entry & 0x80000000u)) return -1;
  if (entry & 0x40000000u) {
    const struct level2 *e = &t->second[(entry & 0xffffu) * 64 + (addr & 63)];
    if (e->flags & 1) return e->hop;
    return -2;
  }
  return entry & 0xffff;
}
`;

test('a 16 MiB table behind a pointer gives short witnesses that replay, second level sized by heapSizes', async () => {
  const { result, contract } = await contractOf(twoLevelTable, 'route');
  assert.equal(contract.complete, true, JSON.stringify(contract.incompleteReasons));
  assert.deepEqual(contract.classes.map((c) => c.outcome).sort(), ['return', 'return', 'return', 'return']);
  assertWitnessesReplay(result, contract);
  // Before, a witness spelled out every byte up to the pointer after the first level: 32 million hex digits.
  const text = JSON.stringify(contract);
  assert.ok(text.length < 100_000, `contract JSON is ${text.length} characters`);
  const second = contract.classes.filter((c) => c.witness.heap && Object.keys(c.witness.heap).length > 0);
  assert.ok(second.length >= 2, 'the second level is reached');
  for (const c of second) for (const name of Object.keys(c.witness.heap!)) assert.ok((c.witness.heapSizes?.[name] ?? 0) >= 4, `${c.id}: size of ${name}`);
  const document = JSON.parse(JSON.stringify({ version: 1, functions: [contract] }));
  const validate = new Ajv2020({ strict: false }).compile(schema);
  assert.ok(validate(document), JSON.stringify(validate.errors?.slice(0, 3)));
});

test('witness bytes: plain hex to the last non-zero byte, sparse runs for large mostly-zero objects', () => {
  assert.equal(witnessBytes(new Map([[0, 1], [3, 0xff], [9, 0]])), '010000ff');
  assert.equal(witnessBytes(new Map()), '');
  const far = new Map([[16, 0xab], [17, 0xcd], [20, 1], [70_000_000, 7]]);
  const text = witnessBytes(far);
  assert.equal(text, '@16:abcd000001 @70000000:07');
  const bytes = hexToBytes(text);
  assert.equal(bytes.length, 70_000_001);
  assert.deepEqual([bytes[16], bytes[17], bytes[20], bytes[70_000_000], bytes[18], bytes[69_999_999]], [0xab, 0xcd, 1, 7, 0, 0]);
  // Packets stay plain; a mostly-full large object stays plain because runs would be longer.
  assert.equal(witnessBytes(new Map([[300, 5]]), false).length, 602);
  const dense = new Map(Array.from({ length: 400 }, (_, i) => [i, (i % 255) + 1] as [number, number]));
  assert.equal(witnessBytes(dense), bytesToHex(Uint8Array.from([...dense.values()])));
  assert.throws(() => hexToBytes('@12:abc'), /invalid sparse hex/);
});

// Per-port state the way DPDK applications keep it: a global array of pointers filled by init,
// indexed by the packet's port, and a ring whose slots take packet pointers at its head.
const perPortRings = `
#include <stdint.h>
struct ring { uint16_t head; uint16_t size; void *slots[32]; };
struct port { struct ring *tx; uint32_t drops; };
struct port *ports[16];
int enqueue(void *pkt, unsigned port_id) {
  if (port_id >= 16) return -1;
  struct port *p = ports[port_id];
  if (p == 0) return -2;
  struct ring *r = p->tx;
  if (r->head >= r->size || r->head >= 32) { ports[port_id]->drops++; return -3; }
  r->slots[r->head++] = pkt;
  if (r->slots[r->head - 1] != pkt) return -4;
  return r->head;
}
struct queue { uint32_t count; struct port *owner; void *items[16]; };
int push(struct queue *q, void *pkt) {
  if (q->count >= 16) return -1;
  q->items[q->count] = pkt;
  q->count++;
  /* A pointer field read after a pointer was stored at a symbolic index: still its own lazy object. */
  if (q->owner == 0) return -2;
  q->owner->drops += q->items[q->count - 1] == pkt ? 0 : 1;
  return (int)q->count;
}
int two_ports(unsigned a, unsigned b) {
  if (a >= 16 || b >= 16) return -1;
  return (int)(ports[a]->drops + ports[b]->drops);
}
`;

test('pointers read and stored at symbolic indices: a per-port table and a ring of packet pointers', async () => {
  const { result, contract } = await contractOf(perPortRings, 'enqueue');
  assert.equal(contract.complete, true, JSON.stringify(contract.incompleteReasons));
  // The stored packet pointer is read back at the same index: -4 is never possible.
  const returns = contract.classes.flatMap((c) => c.returns).sort();
  assert.ok(!returns.includes('-4'), returns.join(' '));
  assert.ok(['-1', '-2', '-3'].every((r) => returns.includes(r)), returns.join(' '));
  assert.ok(contract.classes.every((c) => c.outcome === 'return'), summary(contract).join('\n'));
  assertWitnessesReplay(result, contract);
  // A witness names the element by the offset it was read at.
  const stored = contract.classes.find((c) => c.returns.some((r) => r !== '-1' && r !== '-2' && r !== '-3'))!;
  const offsets = Object.keys(stored.witness.pointers?.ports ?? {});
  assert.equal(offsets.length, 1);
  assert.equal(Number(offsets[0]) % 8, 0);
  assert.equal(stored.witness.pointers!.ports![offsets[0]!], 'ports@[1]');
  const { result: queued, contract: push } = await contractOf(perPortRings, 'push');
  assert.equal(push.complete, true, JSON.stringify(push.incompleteReasons));
  assert.deepEqual(summary(push), ['q->count >= 16 => return -1', 'q->count < 16 && q->owner == 0 => return -2', 'q->count < 16 && q->owner != 0 => return symbolic']);
  assertWitnessesReplay(queued, push);
  // Two indices that may or may not be equal: aliasing between elements is not modelled, and the contract says so.
  const { contract: two } = await contractOf(perPortRings, 'two_ports');
  assert.equal(two.complete, false);
  assert.ok(two.classes.some((c) => c.outcome === 'incomplete' && /may or may not be the same element/.test(c.reason?.message ?? '')), summary(two).join('\n'));
});

// A lookup structure kept behind a `void *` in a per-core configuration, as l3fwd keeps its LPM table.
const voidLookup = `
#include <stdint.h>
struct table { uint32_t entries[1 << 21]; };
struct conf { uint16_t port; void *lookup; };
int find(struct conf *c, uint32_t key) {
  const struct table *t = (const struct table *)c->lookup;
  uint32_t e = t->entries[key >> 11];
  return e & 1 ? (int)(e >> 1) : -1;
}
`;

test('an object behind a void * is as large as its accesses need, and the contract says so', async () => {
  const { result, contract } = await contractOf(voidLookup, 'find');
  assert.equal(contract.complete, true, JSON.stringify(contract.incompleteReasons));
  // Before: 2048 bytes, and every lookup past them an out-of-bounds class.
  assert.deepEqual(contract.classes.map((c) => c.outcome), ['return', 'return']);
  assert.ok(contract.assumptions?.some((a) => /'c@8' \(behind a `void \*` or a pointer to an incomplete type\) is assumed to be as large as the code's accesses need/.test(a)), JSON.stringify(contract.assumptions));
  assertWitnessesReplay(result, contract);
});
