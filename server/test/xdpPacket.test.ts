// The XDP packet (symex/packet.ts): `ctx->data`/`ctx->data_end` point into one symbolic packet of symbolic length,
// bounds checks become conditions on `packet_len`, and witnesses are packets that replay to their class.
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
import { witnessNeedsHeap } from '../src/core/contract/heapWitness';
import { cli as runCli } from './support/runCli';
import { contractOf as virtualContract } from './support/virtualContract';

const noFiles = { readFile: () => undefined };
const schema = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../docs/contract.schema.json'), 'utf8'));

/** The types a handler sees from <linux/bpf.h> and <linux/if_ether.h>, written out so that the test needs no headers. */
const PRELUDE = `
typedef unsigned char __u8; typedef unsigned short __u16; typedef unsigned int __u32;
struct xdp_md { __u32 data; __u32 data_end; __u32 data_meta; __u32 ingress_ifindex; __u32 rx_queue_index; __u32 egress_ifindex; };
struct __sk_buff { __u32 len; __u32 pkt_type; __u32 mark; __u32 queue_mapping; __u32 protocol; __u32 vlan_present; __u32 data; __u32 data_end; };
struct ethhdr { __u8 h_dest[6]; __u8 h_source[6]; __u16 h_proto; };
struct vlan_hdr { __u16 tci; __u16 encap; };
struct iphdr { __u8 ihl_version; __u8 tos; __u16 tot_len; __u16 id; __u16 frag_off; __u8 ttl; __u8 protocol; __u16 check; __u32 saddr; __u32 daddr; };
struct ipv6hdr { __u32 flow; __u16 payload_len; __u8 nexthdr; __u8 hop_limit; __u8 saddr[16]; __u8 daddr[16]; };
struct udphdr { __u16 source; __u16 dest; __u16 len; __u16 check; };
enum xdp_action { XDP_ABORTED = 0, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT };
`;

/** The contract of `entry` in `text`, after the XDP definitions. */
function contractOf(text: string, entry: string, execution: Partial<AnalysisOptions['execution']> = {}): ReturnType<typeof virtualContract> {
  return virtualContract(PRELUDE + text, entry, execution);
}

/** Every class's witness, a packet, runs in the interpreter to its class with the class's exact cost. */
function assertWitnessesReplay(result: AnalysisResult, contract: FunctionContract): void {
  for (const c of contract.classes) {
    assert.equal(c.witnessVerified, true, `${contract.name} ${c.id}: ${JSON.stringify(c.witness)}`);
    const packet = c.witness.packet;
    assert.ok(packet, `${contract.name} ${c.id} has no packet`);
    assert.ok(packet.bytes.length / 2 <= packet.length, `${contract.name} ${c.id}: more bytes than its length`);
    const run = interpret(result.program, contract.name, c.witness, { declaredContracts: result.declaredContracts, summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit });
    assert.ok(c.traces.includes(runPathKey(run)), `${contract.name} ${c.id} witness lands elsewhere`);
    assert.equal(run.cost.instructions, evaluateFormula(c.cost.instructions!, c.witness.pcv), `${contract.name} ${c.id} cost`);
  }
}

function summary(contract: FunctionContract): string[] {
  return contract.classes.map((c) => `${c.condition} => ${c.outcome === 'error' ? 'error ' + c.reason!.code : c.returns.join(',')}`);
}

const nestedParser = `
int parse(struct xdp_md *ctx) {
  void *data_end = (void *)(long)ctx->data_end;
  void *data = (void *)(long)ctx->data;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end) return XDP_DROP;
  if (eth->h_proto == 0x0008) {
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end) return XDP_DROP;
    if (ip->protocol == 17) {
      struct udphdr *udp = (void *)(ip + 1);
      if ((void *)(udp + 1) > data_end) return XDP_DROP;
      if (udp->dest == 0x3500) return XDP_TX;
    }
  }
  return XDP_PASS;
}
`;

test('nested bounds checks become packet-length conditions; no error class; every packet replays exactly', async () => {
  const { result, contract } = await contractOf(nestedParser, 'parse');
  assert.equal(contract.complete, true);
  assert.deepEqual(summary(contract), [
    'packet_len < 14 => 1',
    'packet_len >= 14 && eth->h_proto == 0x0008 && packet_len < 34 => 1',
    'packet_len >= 14 && eth->h_proto == 0x0008 && packet_len >= 34 && ip->protocol == 17 && packet_len < 42 => 1',
    'packet_len >= 14 && eth->h_proto == 0x0008 && packet_len >= 34 && ip->protocol == 17 && packet_len >= 42 && udp->dest == 0x3500 => 3',
    'packet_len >= 14 && eth->h_proto == 0x0008 && packet_len >= 34 && ip->protocol == 17 && packet_len >= 42 && udp->dest != 0x3500 => 2',
    'packet_len >= 14 && eth->h_proto == 0x0008 && packet_len >= 34 && ip->protocol != 17 => 2',
    'packet_len >= 14 && eth->h_proto != 0x0008 => 2',
  ]);
  // Lengths within the default maximum, consistent with each class's length condition.
  const lengths = contract.classes.map((c) => c.witness.packet!.length);
  assert.ok(lengths.every((n) => n >= 0 && n <= 1514), String(lengths));
  assert.ok(lengths[0]! < 14 && lengths[1]! >= 14 && lengths[1]! < 34 && lengths[3]! >= 42, String(lengths));
  // The class's own header bytes are in its packet: IPv4, UDP, port 53.
  const tx = contract.classes[3]!.witness.packet!.bytes;
  assert.equal(tx.slice(24, 28), '0800');
  assert.equal(tx.slice(46, 48), '11');
  assert.equal(tx.slice(72, 76), '0035');
  assertWitnessesReplay(result, contract);
});

const vlanLoop = `
int vlan(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  __u32 off = sizeof(*eth);
  if (data + off > data_end) return XDP_DROP;
  __u16 proto = eth->h_proto;
  for (int i = 0; i < 2; i++) {
    if (proto != 0x0081) break;
    struct vlan_hdr *v = data + off;
    if ((void *)(v + 1) > data_end) return XDP_DROP;
    proto = v->encap;
    off += sizeof(struct vlan_hdr);
  }
  if (proto == 0x0008) return XDP_TX;
  return XDP_PASS;
}
`;

test('a VLAN-peeling loop: one length condition per tag peeled, witnesses with 0, 1 and 2 tags replay', async () => {
  const { result, contract } = await contractOf(vlanLoop, 'vlan');
  assert.equal(contract.complete, true);
  const conditions = contract.classes.map((c) => c.condition);
  assert.ok(conditions.some((c) => c.includes('packet_len < 18')), conditions.join('\n'));
  assert.ok(conditions.some((c) => c.includes('packet_len >= 22')), conditions.join('\n'));
  assert.ok(contract.classes.every((c) => c.outcome === 'return'), summary(contract).join('\n'));
  assertWitnessesReplay(result, contract);
});

const ipSplit = `
static int parse_v4(void *l3, void *data_end) {
  struct iphdr *ip = l3;
  if ((void *)(ip + 1) > data_end) return XDP_DROP;
  return ip->ttl <= 1 ? XDP_PASS : XDP_TX;
}
static int parse_v6(void *l3, void *data_end) {
  struct ipv6hdr *ip6 = l3;
  if ((void *)(ip6 + 1) > data_end) return XDP_DROP;
  return ip6->hop_limit <= 1 ? XDP_PASS : XDP_TX;
}
int split(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if (data + sizeof(*eth) > data_end) return XDP_DROP;
  switch (eth->h_proto) {
  case 0x0008: return parse_v4(eth + 1, data_end);
  case 0xdd86: return parse_v6(eth + 1, data_end);
  default: return XDP_PASS;
  }
}
`;

test('an IPv4/IPv6 split through callees given packet pointers: per-protocol length conditions; summaries equal inlining', async () => {
  const { result, contract } = await contractOf(ipSplit, 'split');
  assert.equal(contract.complete, true);
  const conditions = contract.classes.map((c) => c.condition).join('\n');
  assert.match(conditions, /packet_len < 34/);
  assert.match(conditions, /packet_len >= 54/);
  assert.ok(contract.classes.every((c) => c.outcome === 'return'));
  assertWitnessesReplay(result, contract);
  // Callees given pointers into the packet are inlined (a summary does not carry the length): the same classes.
  const { contract: inlined } = await contractOf(ipSplit, 'split', { compositional: false });
  assert.deepEqual(summary(inlined), summary(contract));
});

const skb = `
int tc(struct __sk_buff *skb) {
  void *data = (void *)(long)skb->data;
  void *data_end = (void *)(long)skb->data_end;
  if (data + 14 > data_end) return 2;
  return ((__u8 *)data)[12] == 8 ? 0 : 1;
}
`;

test('a TC program: struct __sk_buff gives the same packet', async () => {
  const { result, contract } = await contractOf(skb, 'tc');
  assert.deepEqual(summary(contract), ['packet_len < 14 => 2', 'packet_len >= 14 => 0,1']);
  assertWitnessesReplay(result, contract);
});

const macSwap = `
int mac_swap(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  __u8 tmp[6];
  if (data + sizeof(*eth) > data_end) return XDP_DROP;
  __builtin_memcpy(tmp, eth->h_source, 6);
  __builtin_memcpy(eth->h_source, eth->h_dest, 6);
  __builtin_memcpy(eth->h_dest, tmp, 6);
  return XDP_TX;
}
`;

test('gcc builtins without their header (BPF programs include no <string.h>) copy within the packet', async () => {
  const { result, contract } = await contractOf(macSwap, 'mac_swap');
  assert.deepEqual(summary(contract), ['packet_len < 14 => 1', 'packet_len >= 14 => 3']);
  assertWitnessesReplay(result, contract);
});

const unchecked = `
int unchecked(struct xdp_md *ctx) {
  __u8 *p = (__u8 *)(long)ctx->data;
  __u8 *end = (__u8 *)(long)ctx->data_end;
  if (p + 10 > end) return XDP_DROP;
  return p[12];
}
`;

test('an access past the checked length is an out-of-bounds class for the lengths the verifier would reject', async () => {
  const { result, contract } = await contractOf(unchecked, 'unchecked');
  assert.deepEqual(summary(contract), [
    'packet_len < 10 => 1',
    'packet_len >= 10 && packet_len < 13 => error PC103',
    'packet_len >= 10 && packet_len >= 13 => symbolic',
  ]);
  assert.match(contract.classes[1]!.reason!.message, /outside the packet/);
  // The error witness replays to the same error in the interpreter.
  const error = contract.classes[1]!;
  const run = interpret(result.program, 'unchecked', error.witness, {});
  assert.equal(run.error?.reason, 'out-of-bounds');
  assert.ok(error.witness.packet!.length >= 10 && error.witness.packet!.length < 13);
});

const walk = `
int walk(struct xdp_md *ctx) {
  __u8 *p = (__u8 *)(long)ctx->data;
  __u8 *end = (__u8 *)(long)ctx->data_end;
  unsigned sum = 0;
  while (p + 1 <= end) { sum += *p; p++; }
  return sum & 3;
}
`;

test('a loop that walks the packet to data_end is summarised without spurious out-of-bounds classes', async () => {
  const { result, contract } = await contractOf(walk, 'walk');
  assert.equal(contract.complete, true);
  assert.ok(contract.classes.every((c) => c.outcome === 'return'), summary(contract).join('\n'));
  assert.equal(contract.pcvs.length, 1);
  assertWitnessesReplay(result, contract);
});

test('--packet-max bounds the length: a header longer than the largest packet is never parsed', async () => {
  const text = `
int big(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  if (data + 100 > data_end) return XDP_DROP;
  return ((__u8 *)data)[99] ? XDP_PASS : XDP_TX;
}`;
  const { contract } = await contractOf(text, 'big', { packetMaxLength: 64 });
  assert.deepEqual(summary(contract), ['true => 1']);
  const { contract: full } = await contractOf(text, 'big');
  assert.deepEqual(summary(full), ['packet_len < 100 => 1', 'packet_len >= 100 => 2,3']);
  assert.ok(full.classes[1]!.witness.packet!.length <= 1514);
});

test('CLI: the JSON contract validates, `run --input` rebuilds the context around the packet, --packet-max is checked', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-xdp-'));
  const file = path.join(dir, 'parse.c');
  fs.writeFileSync(file, PRELUDE + nestedParser);
  const out = await runCli(['contract', file, '--format', 'json']);
  assert.equal(out.code, 0, out.stderr);
  const document = JSON.parse(out.stdout) as { functions: FunctionContract[] };
  const validate = new Ajv2020({ strict: false }).compile(schema);
  assert.ok(validate(document), JSON.stringify(validate.errors));
  const contract = document.functions[0] as FunctionContract;
  for (const c of contract.classes) {
    fs.writeFileSync(path.join(dir, `${c.id}.json`), JSON.stringify(c.witness));
    const run = await runCli(['run', file, '--entry', 'parse', '--input', path.join(dir, `${c.id}.json`), '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.class, c.id);
    assert.equal(String(report.cost.instructions), c.cost.instructions);
  }
  // A hand-written packet: an IPv4 UDP packet to port 53 is transmitted.
  const packet = '000000000000' + '000000000000' + '0800' + '45000000000000004011000000000000' + '00000000' + '00000035' + '00000000';
  fs.writeFileSync(path.join(dir, 'dns.json'), JSON.stringify({ args: {}, memory: {}, pcv: {}, packet: { length: packet.length / 2, bytes: packet } }));
  const dns = await runCli(['run', file, '--entry', 'parse', '--input', path.join(dir, 'dns.json'), '--format', 'json']);
  assert.equal(JSON.parse(dns.stdout).return, 3, dns.stdout);
  // The x86 replay harness builds no xdp_md: such witnesses are skipped like heap witnesses.
  assert.ok(contract.classes.every((c) => witnessNeedsHeap(c.witness)));
  const grounded = await runCli(['contract', file, '--metrics', 'instructions,x86_instructions', '--format', 'json']);
  assert.equal(grounded.code, 0, grounded.stderr);
  assert.equal(JSON.parse(grounded.stdout).functions[0].grounding.error.code, 'PG005');
  const bad = await runCli(['contract', file, '--packet-max', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--packet-max/);
});

const mbufHandler = `
#include <stdint.h>
struct rte_mbuf { void *buf_addr; uint64_t buf_iova; uint16_t data_off; uint16_t refcnt; uint16_t nb_segs; uint16_t port;
  uint64_t ol_flags; uint32_t packet_type; uint32_t pkt_len; uint16_t data_len; uint16_t vlan_tci; uint32_t hash; uint16_t buf_len; };
struct ether_hdr { uint8_t dst[6]; uint8_t src[6]; uint16_t type; };
#define rte_pktmbuf_mtod(m, t) ((t)((char *)(m)->buf_addr + (m)->data_off))
int fwd(struct rte_mbuf *m) {
  struct ether_hdr *eth = rte_pktmbuf_mtod(m, struct ether_hdr *);
  if (m->data_len < sizeof(struct ether_hdr)) return -1;
  uint64_t *dst = (uint64_t *)&eth->dst[0];
  *dst = 0x020000000000ULL + m->port;
  return eth->type == 8 ? 1 : 0;
}
`;

test('DPDK: an rte_mbuf buffer holds the packet at data_off, so rte_pktmbuf_mtod reads are in bounds (stated)', async () => {
  const result = await analyze([{ path: '/virtual/fwd.c', text: mbufHandler }], { entries: ['fwd'] }, noFiles);
  const contract = result.contracts.find((c) => c.name === 'fwd')!;
  assert.equal(contract.complete, true);
  assert.deepEqual(summary(contract), ['m->data_len < sizeof(struct ether_hdr) => -1', 'm->data_len >= sizeof(struct ether_hdr) => 1,0']);
  assert.ok(contract.assumptions?.some((a) => /mbuf's buffer .* `data_off` at most 128/.test(a)), JSON.stringify(contract.assumptions));
  for (const c of contract.classes) {
    assert.equal(c.witnessVerified, true);
    assert.deepEqual(c.witness.pointers, { m: { 0: 'm@0' } });
    const run = interpret(result.program, 'fwd', c.witness, { summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit });
    assert.ok(c.traces.includes(runPathKey(run)));
    assert.equal(run.cost.instructions, evaluateFormula(c.cost.instructions!, c.witness.pcv));
  }
});
