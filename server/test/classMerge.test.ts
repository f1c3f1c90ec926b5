// Classes as behaviours (paths that differ only in the explicit iterations of a summarised loop form one class), worst cases ranked by growth, and adversarial worst-case witnesses.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli } from './support/runCli';
import { evaluateFormula } from '../src/core/cost/formula';
import { analyze } from '../src/core/analysis';
import { diskFileSystem, parseArguments } from '../src/cli/main';
import { renderMarkdown } from '../src/core/contract/renderMarkdown';
import { polynomialOf } from '../src/core/contract/pcvDisplay';
import { compareWorst, growthOf } from '../src/core/contract/worstCase';
import { connectedGroups } from '../src/core/contract/classMerge';
import { pushWitness } from '../src/core/contract/adversarialWitness';
import type { FunctionContract } from '../src/core/contract/contract';

// A neighbour cache in another style than the flow table: a `while (count != 0)` walk with a
// decrementing count taken from an argument, a two-field hit test and a nested verdict.
const ARP = `#include <stdint.h>
struct arp_entry { uint32_t ip; uint8_t mac[6]; uint8_t state; };
struct arp_entry arp_cache[256];
int arp_lookup(uint32_t ip, uint8_t want_state, uint32_t start, uint32_t count)
{
    uint32_t i = start & 255;
    if (count > 256) count = 256;
    while (count != 0) {
        const struct arp_entry *e = &arp_cache[i];
        if (e->state != 0 && e->ip == ip) {
            if (e->state == want_state) return (int)i;
            return -2;
        }
        i = (i + 1) & 255;
        count--;
    }
    return -1;
}
`;

async function contractOf(text: string, file: string, options: Record<string, unknown> = {}): Promise<FunctionContract> {
  const result = await analyze([{ path: file, text }], options, diskFileSystem);
  assert.equal(result.contracts.length, 1);
  return result.contracts[0]!;
}

test('paths that differ only in explicit iterations form one class, with members and a loop-level condition', async () => {
  // Complete in about 10 s alone; the limit leaves room for a loaded machine.
  const contract = await contractOf(ARP, '/virtual/merge.c', { execution: { timeLimitMs: 120_000 } });
  assert.ok(contract.complete, JSON.stringify(contract.incompleteReasons));
  // Without merging this function has 21 classes (one per mismatch pattern in the two explicit iterations).
  assert.ok(contract.classes.length <= 8, `${contract.classes.length} classes: ${contract.classes.map((c) => c.condition).join('\n')}`);
  assert.ok(contract.classes.some((c) => (c.members?.length ?? 0) > 1), 'no class merges members');
  for (const c of contract.classes) {
    // No condition conjoins two iterations' opposite outcomes of one branch.
    for (const [yes, no] of [['e->state == 0', 'e->state != 0'], ['e->ip == ip', 'e->ip != ip']]) {
      assert.ok(!(c.condition.includes(yes!) && c.condition.includes(no!)), `${c.id}: ${c.condition}`);
    }
    assert.equal(c.witnessVerified, true, `${c.id} (${c.condition}): the witness misses its class`);
    if (!c.members) continue;
    // The members split the class's paths, and the class costs at least each member, term by term.
    assert.deepEqual(c.members.flatMap((m) => m.traces).sort(), [...c.traces].sort());
    assert.equal(c.members.reduce((n, m) => n + m.paths, 0), c.paths);
    for (const m of c.members) {
      assert.match(m.id, new RegExp(`^${c.id}\\.[1-9][0-9]*$`));
      for (const metric of contract.metrics) {
        const whole = polynomialOf(c.cost[metric]!);
        for (const [monomial, coefficient] of polynomialOf(m.cost[metric]!)) assert.ok((whole.get(monomial) ?? 0) >= coefficient, `${c.id} ${metric} below ${m.id}`);
      }
    }
  }
  // The loop is described as a whole: the exit after the summary on the exhausted count.
  assert.ok(contract.classes.some((c) => /while loop at line 8 exits in iteration 3 \+ \S+ on \(count == 0\)/.test(c.condition)), contract.classes.map((c) => c.condition).join('\n'));
  // --detail paths lists the members; the default view says they exist.
  const brief = renderMarkdown([contract], { witnesses: false });
  const detailed = renderMarkdown([contract], { witnesses: false, detail: 'paths' });
  assert.match(brief, /merge paths that differ only in the explicit iterations/);
  const merged = contract.classes.find((c) => (c.members?.length ?? 0) > 1)!;
  assert.ok(detailed.includes(`| ${merged.members![1]!.id} |`) && !brief.includes(`| ${merged.members![1]!.id} |`));
});

test('the flow table of the unseen corpus has at most 6 classes, each described at the loop level', async () => {
  const file = path.resolve(__dirname, '../../../test-fixtures/unseen/flow_table.c');
  // The first 10 paths keep the test short and deterministic (the loop is summarised by then);
  // every path explored later is classified the same way.
  const result = await analyze([{ path: file }], { execution: { maxPaths: 10, timeLimitMs: 120_000 } as never }, diskFileSystem);
  const contract = result.contracts[0]!;
  assert.ok(contract.classes.length <= 6, `${contract.classes.length} classes`);
  for (const c of contract.classes.filter((k) => k.outcome === 'return')) {
    assert.match(c.condition, /^for loop at line 45 exits in iteration /, `${c.id}: ${c.condition}`);
    assert.ok(!/a->proto != b->proto.*a->proto == b->proto/.test(c.condition), `${c.id}: ${c.condition}`);
  }
});

test('classes rank by growth when a PCV has no bound, and the contract says so', () => {
  const bounds = new Map<string, number | undefined>([['n', 60_000], ['m', undefined], ['k', undefined]]);
  // At 1,000,000 for m the bounded class would win (1,200,010 > 1,000,010); by growth m does.
  assert.ok(compareWorst('10 + m', '10 + 20*n', bounds, 1_000_000) > 0);
  // A higher degree in unbounded PCVs wins over a larger coefficient.
  assert.ok(compareWorst('k*m', '500*m', bounds, 1_000) > 0);
  // Same degree: the larger leading coefficient, then the value at the bounds.
  assert.ok(compareWorst('3*m', '2*k + 2*m', bounds, 1_000) > 0);
  assert.ok(compareWorst('40 + 3*m', '30 + 3*m', bounds, 1_000) > 0);
  // Bounded only: the value at the bounds.
  assert.ok(compareWorst('2*n', '100000', bounds, 1_000) > 0);
  assert.deepEqual(growthOf('7 + 5*k*m + 2*m + 3*k*n', bounds), { degree: 2, leading: [5] });
});

test('the worst case of a contract names how it was ranked', async () => {
  // Two loops: one bounded by a constant guard (long, dear iterations), one bounded by nothing the
  // code says (an argument count, cheap iterations): growth puts the unbounded one first.
  const source = `#include <stdint.h>
uint32_t acc;
uint32_t mix(const uint8_t *p, uint32_t n, int heavy)
{
    uint32_t h = 0;
    if (heavy) {
        for (uint32_t i = 0; i < 60000 && p[i & 63] != 0; i++) h = (h * 31u + p[i & 63] * 7u) ^ (h >> 3) ^ (h << 5) ^ p[(i + 1) & 63];
        return h;
    }
    for (uint32_t j = 0; j < n; j++) h += j;
    return h;
}
`;
  const contract = await contractOf(source, '/virtual/rank.c', { execution: { timeLimitMs: 120_000 } });
  assert.ok(contract.worstCase);
  const worst = contract.classes.find((c) => c.id === contract.worstCase!.class)!;
  const bounded = contract.pcvs.every((p) => p.bound !== undefined);
  assert.equal(contract.worstCase!.ranking, bounded ? 'bounds' : 'growth');
  if (!bounded) assert.ok(contract.pcvs.some((p) => p.bound === undefined && worst.cost.instructions!.includes(p.name)), `${worst.id}: ${worst.cost.instructions}`);
});

test('connected groups join groups that share a key, transitively', () => {
  assert.deepEqual(connectedGroups([['a'], ['b'], ['a', 'c'], ['c'], ['d', 'b']]).map((g) => g.sort()).sort(), [[0, 2, 3], [1, 4]]);
});

// A TCP option hash in another style than the ACL: the trip count comes from the data offset
// nibble, gated by a length argument that must grow first.
const TCP_OPTIONS = `#include <stdint.h>
int tcp_opt_hash(const uint8_t *tcp, uint32_t len)
{
    if (len < 20)
        return -1;
    uint32_t doff = (uint32_t)(tcp[12] >> 4) * 4u;
    if (doff < 20 || doff > len)
        return -1;
    uint32_t h = 0;
    uint32_t i = 20;
    while (i < doff) {
        h = (h << 5) ^ (h >> 2) ^ tcp[i];
        i++;
    }
    return (int)(h & 0x7fff);
}
`;

test('the worst class gets an adversarial witness: its PCVs pushed as far as the code lets them', async () => {
  const contract = await contractOf(TCP_OPTIONS, '/virtual/tcp.c', { execution: { timeLimitMs: 120_000 } });
  const worst = contract.classes.find((c) => c.id === contract.worstCase?.class)!;
  const pcv = contract.pcvs[0]!.name;
  assert.match(worst.cost.instructions!, new RegExp(pcv.replace(/[@:]/g, '.')));
  assert.equal(worst.witnessVerified, true);
  // doff is at most 60: 40 iterations, 2 of them explicit, so 38 summarised.
  assert.equal(worst.witness.pcv[pcv], 38, JSON.stringify(worst.witness));
  assert.equal(contract.worstCase!.witnessSearch?.pushed, true);
  const without = await contractOf(TCP_OPTIONS, '/virtual/tcp.c', { execution: { timeLimitMs: 120_000 }, adversarialWitness: false });
  assert.ok((without.classes.find((c) => c.id === without.worstCase?.class)!.witness.pcv[pcv] ?? 0) < 38);
  assert.equal(without.worstCase!.witnessSearch, undefined);
});

test('the witness search keeps only inputs of the class, and stops at its targets', () => {
  // A made-up function of the witness: the class is "byte 0 is even", the cost and PCV grow with byte 1.
  const run = (w: { args: Record<string, number | string>; memory: Record<string, string> }) => {
    const bytes = Buffer.from(w.memory.p!, 'hex');
    return { lands: bytes[0]! % 2 === 0, cost: 10 + bytes[1]!, pcv: { n: bytes[1]! } };
  };
  const result = pushWitness({ args: {}, memory: { p: '0201' }, pcv: {} }, { run, targets: { n: 200 }, deadline: performance.now() + 5_000, maxRuns: 10_000, argWidths: {} });
  assert.equal(result.improved, true);
  assert.equal(Buffer.from(result.witness.memory.p!, 'hex')[0]! % 2, 0);
  assert.ok(result.pcv.n! >= 200, JSON.stringify(result));
});

test('--detail paths selects the member rows; another value is a usage error', () => {
  assert.equal(parseArguments(['contract', 'f.c']).detail, 'classes');
  assert.equal(parseArguments(['contract', 'f.c', '--detail', 'paths']).detail, 'paths');
  assert.throws(() => parseArguments(['contract', 'f.c', '--detail', 'members']), /--detail takes 'classes' or 'paths', not 'members'/);
});

test("run --contract names the member a merged class's input takes, and the run costs what the member's formula says", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-members-'));
  const file = path.join(dir, 'arp.c');
  fs.writeFileSync(file, ARP);
  const generated = await cli(['contract', file, '--format', 'json', '--time-limit', '120000']);
  assert.equal(generated.code, 0, generated.stderr);
  const saved = path.join(dir, 'arp.contract.json');
  fs.writeFileSync(saved, generated.stdout);
  const contract = (JSON.parse(generated.stdout) as { functions: FunctionContract[] }).functions[0]!;
  const merged = contract.classes.find((c) => (c.members?.length ?? 0) > 1)!;
  assert.ok(merged, 'no class merges members');
  const replayable = merged.members!.filter((m) => m.witnessVerified);
  assert.ok(replayable.length >= 2, `${merged.id}: ${replayable.length} members with a verified witness`);
  for (const member of replayable) {
    const input = path.join(dir, `${member.id}.json`);
    fs.writeFileSync(input, JSON.stringify(member.witness));
    const ran = await cli(['run', file, '--entry', 'arp_lookup', '--input', input, '--contract', saved, '--format', 'json']);
    assert.equal(ran.code, 0, ran.stderr);
    const report = JSON.parse(ran.stdout) as { class: string; member?: string; cost: Record<string, number>; pcv: Record<string, number> };
    assert.deepEqual([report.class, report.member], [merged.id, member.id]);
    assert.equal(report.cost.instructions, evaluateFormula(member.cost.instructions!, report.pcv), `${member.id}: ${member.cost.instructions} at ${JSON.stringify(report.pcv)}`);
  }
});
