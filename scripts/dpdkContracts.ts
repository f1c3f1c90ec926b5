// Measures DPDK's hash-table and LPM6 APIs (librte_hash, librte_lpm from libdpdk-dev) under callgrind, per contract case, and writes docs/dpdk.pcontract.json.
//
// Each case is one C harness run against the installed library: an EAL started without hugepages,
// a cuckoo hash of 1,024 entries with 16-byte keys (CRC hash, as l3fwd's exact-match tables), half
// full. Every call of the measured function is followed by CALLGRIND_DUMP_STATS, so the callgrind
// output holds one part per call (counts zeroed just before it, so set-up calls of the same
// functions do not count), counted only inside the function (--toggle-collect). The
// collision PCV `c` (keys that share the probed key's bucket and 16-bit signature, each costing a
// full key comparison) is measured by building such keys (a brute-force search over the CRC) and
// fitting the cost of a lookup against their number.
//
// Usage: node out/scripts/dpdkContracts.js [--write]   (prints the figures; --write updates the file)
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';

const HARNESS = String.raw`
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <valgrind/callgrind.h>
#include <rte_eal.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lpm6.h>

#define ENTRIES 1024
#define BUCKET_MASK (ENTRIES / 8 - 1)
#define MEASURE(label, call) do { CALLGRIND_ZERO_STATS; int r_ = (call); CALLGRIND_DUMP_STATS; printf("%s %d\n", label, r_); } while (0)

static void key_of(uint8_t *k, uint32_t n, uint8_t tag) { memset(k, 0, 16); memcpy(k, &n, 4); k[15] = tag; }
static uint32_t hash_of(const uint8_t *k) { return rte_hash_crc(k, 16, 0); }

static struct rte_hash *table(const char *name, uint32_t entries) {
  struct rte_hash_parameters p = { .name = name, .entries = entries, .key_len = 16, .hash_func = rte_hash_crc, .socket_id = 0 };
  return rte_hash_create(&p);
}

int main(void) {
  char *eal[] = { "m", "--no-huge", "--no-pci", "-l", "0", "-m", "128", "--log-level=0", "--no-shconf", "--no-telemetry" };
  if (rte_eal_init(10, eal) < 0) { fprintf(stderr, "EAL did not start\n"); return 2; }
  uint8_t k[16];
  struct rte_hash *h = table("half", ENTRIES);
  if (!h) { fprintf(stderr, "rte_hash_create failed\n"); return 2; }
  for (uint32_t n = 0; n < ENTRIES / 2; n++) { key_of(k, n, 1); rte_hash_add_key(h, k); }
  for (uint32_t n = 0; n < ENTRIES / 2; n++) { key_of(k, n, 1); MEASURE("lookup-hit", rte_hash_lookup(h, k)); }
  for (uint32_t n = 0; n < ENTRIES / 2; n++) { key_of(k, n, 2); MEASURE("lookup-miss", rte_hash_lookup(h, k)); }
  for (uint32_t n = 0; n < 128; n++) { key_of(k, n, 5); MEASURE("add-new", rte_hash_add_key(h, k)); }
  for (uint32_t n = 0; n < 64; n++) { key_of(k, n, 1); MEASURE("add-existing", rte_hash_add_key(h, k)); }
  for (uint32_t n = 0; n < 128; n++) { key_of(k, n, 5); MEASURE("del-found", rte_hash_del_key(h, k)); }
  for (uint32_t n = 0; n < 64; n++) { key_of(k, n, 6); MEASURE("del-missing", rte_hash_del_key(h, k)); }
  rte_hash_free(h);
  /* Collisions: k keys with the probe's primary bucket and signature, then the probe, missing and present. */
  uint8_t probe[16];
  key_of(probe, 0xabcdef, 3);
  uint32_t want = hash_of(probe);
  for (int c = 0; c <= 4; c++) {
    char name[16];
    snprintf(name, sizeof name, "c%d", c);
    struct rte_hash *t = table(name, ENTRIES);
    uint32_t n = 0;
    for (int found = 0; found < c; n++) {
      key_of(k, n, 4);
      uint32_t got = hash_of(k);
      if ((got & BUCKET_MASK) == (want & BUCKET_MASK) && (got >> 16) == (want >> 16)) { rte_hash_add_key(t, k); found++; }
    }
    char label[32];
    snprintf(label, sizeof label, "collide-miss-%d", c);
    MEASURE(label, rte_hash_lookup(t, probe));
    rte_hash_add_key(t, probe);
    snprintf(label, sizeof label, "collide-hit-%d", c);
    MEASURE(label, rte_hash_lookup(t, probe));
    rte_hash_free(t);
  }
  /* A full table: the add searches for a cuckoo path and gives up. */
  struct rte_hash *full = table("full", 64);
  uint32_t n = 0;
  for (;; n++) { key_of(k, n, 7); if (rte_hash_add_key(full, k) == -ENOSPC) break; }
  for (uint32_t m = 0; m < 16; m++) { key_of(k, n + 1000 + m, 7); MEASURE("add-full", rte_hash_add_key(full, k)); }
  rte_hash_free(full);
  /* LPM6: one route per depth; a lookup walks one tbl8 per byte past the first three. */
  struct rte_lpm6_config config = { .max_rules = 1024, .number_tbl8s = 1 << 12, .flags = 0 };
  struct rte_lpm6 *lpm = rte_lpm6_create("lpm6", 0, &config);
  if (!lpm) { fprintf(stderr, "rte_lpm6_create failed\n"); return 2; }
  static const int depths[] = { 16, 24, 32, 48, 64, 96, 128 };
  uint32_t hop = 0;
  for (int d = 0; d < 7; d++) {
    uint8_t ip[16] = { (uint8_t)(0x20 + d), 0x01, 0x10 };
    for (int b = 3; b < 16; b++) ip[b] = (uint8_t)(0x11 * b);
    rte_lpm6_add(lpm, ip, depths[d], 100 + d);
  }
  for (int d = 0; d < 7; d++) {
    uint8_t ip[16] = { (uint8_t)(0x20 + d), 0x01, 0x10 };
    for (int b = 3; b < 16; b++) ip[b] = (uint8_t)(0x11 * b);
    char label[32];
    snprintf(label, sizeof label, "lpm6-hit-%d", depths[d]);
    MEASURE(label, rte_lpm6_lookup(lpm, ip, &hop));
    /* The same walk, then no rule: the last byte differs under the /128 (a miss after 13 levels). */
    ip[15] ^= 0xff;
    snprintf(label, sizeof label, "lpm6-near-%d", depths[d]);
    MEASURE(label, rte_lpm6_lookup(lpm, ip, &hop));
  }
  uint8_t none[16] = { 0x3f, 0xfe };
  MEASURE("lpm6-miss", rte_lpm6_lookup(lpm, none, &hop));
  rte_lpm6_free(lpm);
  return 0;
}
`;

interface Sample { label: string; result: number; ir: number; mem: number }

/** The depths of the LPM6 routes the harness adds, one each (its `depths` array). */
const LPM6_DEPTHS = [16, 24, 32, 48, 64, 96, 128];

function fail(message: string): never {
  throw new Error(`dpdkContracts: ${message}`);
}

/** Builds and runs the harness under callgrind; one sample per measured call, in order. */
function measure(): Sample[] {
  const flags = spawnSync('pkg-config', ['--cflags', '--libs', 'libdpdk'], { encoding: 'utf8' });
  if (flags.status !== 0) fail('pkg-config libdpdk failed: install libdpdk-dev');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-dpdk-'));
  const source = path.join(dir, 'harness.c');
  const binary = path.join(dir, 'harness');
  fs.writeFileSync(source, HARNESS);
  // -z now: symbols bound at load time, so no call pays for the dynamic linker's lazy binding.
  const build = spawnSync('gcc', ['-g', '-O2', '-Wl,-z,now', '-o', binary, source, ...flags.stdout.trim().split(/\s+/)], { encoding: 'utf8' });
  if (build.status !== 0) fail(`the harness did not build:\n${build.stderr}`);
  const out = path.join(dir, 'callgrind.out');
  const run = spawnSync('valgrind', ['--tool=callgrind', '-q', `--callgrind-out-file=${out}`, '--combine-dumps=yes', '--collect-atstart=no',
    '--toggle-collect=rte_hash_lookup', '--toggle-collect=rte_hash_add_key', '--toggle-collect=rte_hash_del_key', '--toggle-collect=rte_lpm6_lookup',
    '--cache-sim=yes', '--dump-instr=no', binary], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) fail(`the harness failed under callgrind:\n${run.stderr}`);
  const labels = run.stdout.trim().split('\n').map((line) => line.split(' ')).map(([label, result]) => ({ label: label!, result: Number(result) }));
  const text = fs.readFileSync(out, 'utf8');
  let events: string[] = [];
  const totals: number[][] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('events:')) events = line.slice(7).trim().split(/\s+/);
    else if (line.startsWith('totals:')) totals.push(line.slice(7).trim().split(/\s+/).map(Number));
  }
  // One part per dump, in order, and a last one written when the program ends (after every label).
  if (totals.length === labels.length + 1) totals.pop();
  if (totals.length !== labels.length) fail(`${totals.length} callgrind parts for ${labels.length} measured calls`);
  const at = (name: string, values: number[]) => values[events.indexOf(name)] ?? 0;
  fs.rmSync(dir, { recursive: true, force: true });
  return labels.map((l, i) => ({ ...l, ir: at('Ir', totals[i]!), mem: at('Dr', totals[i]!) + at('Dw', totals[i]!) }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Least-squares slope and intercept of y over x. */
function fit(points: Array<[number, number]>): { slope: number; intercept: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const slope = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return { slope, intercept: my - slope * mx };
}

/** The contract file's content from a fresh measurement, and the lines that describe it. */
export function measureHashContracts(): { contracts: unknown; lines: string[] } {
  const samples = measure();
  const of = (label: string) => samples.filter((s) => s.label === label);
  const stats = (label: string) => {
    const chosen = of(label);
    if (chosen.length === 0) fail(`no samples for ${label}`);
    return { calls: chosen.length, ir: { median: median(chosen.map((s) => s.ir)), max: Math.max(...chosen.map((s) => s.ir)) }, mem: { median: median(chosen.map((s) => s.mem)), max: Math.max(...chosen.map((s) => s.mem)) }, results: [...new Set(chosen.map((s) => s.result))] };
  };
  const labels = ['lookup-hit', 'lookup-miss', 'add-new', 'add-existing', 'add-full', 'del-found', 'del-missing'];
  const table = Object.fromEntries(labels.map((l) => [l, stats(l)]));
  const misses = [0, 1, 2, 3, 4].map((c) => [c, of(`collide-miss-${c}`)[0]!] as const);
  const hits = [0, 1, 2, 3, 4].map((c) => [c, of(`collide-hit-${c}`)[0]!] as const);
  // One cost per colliding key for every case: the larger of the slopes of misses and hits.
  const slope = (metric: 'ir' | 'mem') => Math.max(fit(misses.map(([c, s]) => [c, s[metric]])).slope, fit(hits.map(([c, s]) => [c, s[metric]])).slope);
  const perIr = { slope: slope('ir') };
  const perMem = { slope: slope('mem') };
  const lines = [
    'DPDK librte_hash (libdpdk-dev 22.11), cuckoo hash of 1,024 entries, 16-byte keys, CRC hash; callgrind, per call (Ir = x86 instructions, mem = Dr + Dw):',
    '| case | calls | Ir median | Ir max | mem median | mem max | results |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...labels.map((l) => { const t = table[l]!; return `| ${l} | ${t.calls} | ${t.ir.median} | ${t.ir.max} | ${t.mem.median} | ${t.mem.max} | ${t.results.slice(0, 3).join(', ')}${t.results.length > 3 ? ', ...' : ''} |`; }),
    'Lookups with c keys sharing the probe\'s bucket and signature:',
    '| c | miss Ir | miss mem | hit Ir | hit mem |',
    '|---:|---:|---:|---:|---:|',
    ...misses.map(([c, s], i) => `| ${c} | ${s.ir} | ${s.mem} | ${hits[i]![1].ir} | ${hits[i]![1].mem} |`),
    `Per colliding key: ${perIr.slope.toFixed(1)} instructions, ${perMem.slope.toFixed(1)} memory accesses (the larger least-squares slope of the two series, c = 0..4).`,
  ];
  // LPM6: cost against the tbl8 levels walked (one per byte of the address past the third, as deep as the table goes there).
  const levelsOf = (depth: number) => Math.max(0, Math.ceil((depth - 24) / 8));
  const lpmHits = LPM6_DEPTHS.map((depth) => ({ depth, levels: levelsOf(depth), sample: of(`lpm6-hit-${depth}`)[0]! }));
  const lpmMisses = [{ depth: 0, levels: 0, sample: of('lpm6-miss')[0]! }, { depth: 128, levels: levelsOf(128), sample: of('lpm6-near-128')[0]! }];
  if (lpmHits.some((h) => h.sample.result !== 0) || lpmMisses.some((m) => m.sample.result !== -2)) fail(`LPM6 lookups did not hit and miss as set up: ${JSON.stringify([...lpmHits, ...lpmMisses].map((x) => x.sample.result))}`);
  const lpmSlope = (metric: 'ir' | 'mem') => Math.ceil(fit(lpmHits.map((h) => [h.levels, h.sample[metric]])).slope);
  const lpmBase = (points: typeof lpmHits, metric: 'ir' | 'mem') => Math.max(...points.map((p) => p.sample[metric] - lpmSlope(metric) * p.levels));
  lines.push(
    'rte_lpm6_lookup, one route per depth (levels: tbl8s walked past the first three bytes):',
    '| depth | levels | Ir | mem | result |',
    '|---:|---:|---:|---:|---|',
    ...[...lpmHits, ...lpmMisses].map((x) => `| ${x.depth || 'none'} | ${x.levels} | ${x.sample.ir} | ${x.sample.mem} | ${x.sample.result} |`),
    `Per level: ${lpmSlope('ir')} instructions, ${lpmSlope('mem')} memory accesses (least squares over the hits, rounded up).`,
  );
  const d = Math.ceil(perIr.slope);
  const dm = Math.ceil(perMem.slope);
  const how = 'MEASURED with callgrind on DPDK 22.11 (Debian libdpdk-dev), `node out/scripts/dpdkContracts.js`: a cuckoo hash of 1,024 entries with 16-byte keys (CRC hash), half full. The figures are the compiled library\'s x86 instructions and memory accesses (Dr + Dw), added as they are to the caller\'s IR costs (docs/cost-model.md); the constant is the largest cost seen over the calls of the case (keys in either bucket), the per-c cost the larger least-squares slope of hits and misses over keys built to share the probed key\'s bucket and 16-bit signature.';
  const c = { c: 'keys that share the key\'s bucket and 16-bit signature: each costs a full key comparison' };
  const attacker = { c: 'keys chosen to collide in the CRC hash (bucket and signature): each is compared in full' };
  const formula = (base: number, per: number, pcv = 'c') => `${base} + ${per}*${pcv}`;
  const contracts = {
    version: 1,
    functions: {
      rte_hash_lookup: {
        description: `Built-in: DPDK's rte_hash_lookup (cuckoo hash). ${how} A miss searches both buckets. The risk is in c (at most 16: two buckets of 8).`,
        typical: { c: 0 }, attacker,
        cases: [
          { name: 'hit', returns: { min: 0, max: 2147483647 }, pcvs: c, bounds: { c: 16 }, cost: { instructions: formula(table['lookup-hit']!.ir.max, d), memory_accesses: formula(table['lookup-hit']!.mem.max, dm) } },
          { name: 'miss', returns: -2, pcvs: c, bounds: { c: 16 }, cost: { instructions: formula(table['lookup-miss']!.ir.max, d), memory_accesses: formula(table['lookup-miss']!.mem.max, dm) } },
        ],
      },
      rte_hash_add_key: {
        description: `Built-in: DPDK's rte_hash_add_key. ${how} A new key and a key already present both return its position (one case, the dearer of the two); a full table searches for a cuckoo path before it gives up (-ENOSPC).`,
        typical: { c: 0 }, attacker,
        cases: [
          { name: 'added', returns: { min: 0, max: 2147483647 }, pcvs: c, bounds: { c: 16 }, cost: { instructions: formula(Math.max(table['add-new']!.ir.max, table['add-existing']!.ir.max), d), memory_accesses: formula(Math.max(table['add-new']!.mem.max, table['add-existing']!.mem.max), dm) } },
          { name: 'full', returns: -28, cost: { instructions: String(table['add-full']!.ir.max), memory_accesses: String(table['add-full']!.mem.max) } },
        ],
      },
      rte_lpm6_lookup: {
        description: `Built-in: DPDK's rte_lpm6_lookup. MEASURED with callgrind on DPDK 22.11 (Debian libdpdk-dev), \`node out/scripts/dpdkContracts.js\`: a table of 1,024 rules and 4,096 tbl8 groups, one route per depth from /16 to /128. A lookup reads the tbl24 entry of the first three bytes, then one tbl8 per further byte while the entry says to go on: l, at most 13, set by the longest route under the address, not by the packet alone. The constants are the largest intercepts, the per-l cost the least-squares slope over the hits (rounded up). The figures are the compiled library's x86 instructions and memory accesses, added as they are to the caller's IR costs.`,
        typical: { l: 3 },
        attacker: { l: 'addresses under the table\'s longest routes: each byte past the third walks one more tbl8 level' },
        cases: [
          { name: 'hit', returns: 0, writes: { next_hop: { min: 0, max: 2097151 } }, pcvs: { l: 'tbl8 levels walked' }, bounds: { l: 13 }, cost: { instructions: formula(lpmBase(lpmHits, 'ir'), lpmSlope('ir'), 'l'), memory_accesses: formula(lpmBase(lpmHits, 'mem'), lpmSlope('mem'), 'l') } },
          { name: 'miss', returns: -2, pcvs: { l: 'tbl8 levels walked' }, bounds: { l: 13 }, cost: { instructions: formula(lpmBase(lpmMisses, 'ir'), lpmSlope('ir'), 'l'), memory_accesses: formula(lpmBase(lpmMisses, 'mem'), lpmSlope('mem'), 'l') } },
        ],
      },
      rte_hash_del_key: {
        description: `Built-in: DPDK's rte_hash_del_key. ${how}`,
        typical: { c: 0 }, attacker,
        cases: [
          { name: 'deleted', returns: { min: 0, max: 2147483647 }, pcvs: c, bounds: { c: 16 }, cost: { instructions: formula(table['del-found']!.ir.max, d), memory_accesses: formula(table['del-found']!.mem.max, dm) } },
          { name: 'missing', returns: -2, pcvs: c, bounds: { c: 16 }, cost: { instructions: formula(table['del-missing']!.ir.max, d), memory_accesses: formula(table['del-missing']!.mem.max, dm) } },
        ],
      },
    },
  };
  return { contracts, lines };
}

/** Where the built-in DPDK contracts live in the repository. */
export const DPDK_CONTRACTS_SOURCE = path.resolve(__dirname, '../../docs/dpdk.pcontract.json');

function main(): void {
  const { contracts, lines } = measureHashContracts();
  process.stdout.write(lines.join('\n') + '\n');
  if (!process.argv.includes('--write')) return;
  fs.writeFileSync(DPDK_CONTRACTS_SOURCE, JSON.stringify(contracts, null, 2) + '\n');
  process.stdout.write(`wrote ${DPDK_CONTRACTS_SOURCE}\n`);
}

if (require.main === module) main();
