// Traces for nat.c: Zipf-distributed flows with new flows and replies, and three attacks on its flow table.
import { MeasureError } from './measureError';
import { ETHER_TYPE_ARP, MacAddress, PROTO_ICMP, PROTO_TCP, PROTO_UDP, ethernetFrame, ipv4, ipv4Frame } from './packets';
import { Random, TRACE_START_NS, TraceGenerator, TracePacket, ZipfSampler } from './traffic';

/** Mirrors nat.c's constants. */
export const NAT = {
  internalPort: 0,
  externalPort: 1,
  externalIp: ipv4(192, 0, 2, 1),
  portBase: 1024,
  capacity: 1024,
  mapCapacity: 1024,
  timeoutNs: 10_000_000_000n,
} as const;

const NAT_MAC: MacAddress = [0x02, 0, 0, 0, 0xaa, 0x01];
const HOST_MAC: MacAddress = [0x02, 0, 0, 0, 0xbb, 0x01];

export interface FiveTuple {
  src: number;
  dst: number;
  srcPort: number;
  dstPort: number;
  proto: number;
}

function swap16(value: number): number {
  return ((value & 0xff) << 8) | (value >>> 8);
}

function swap32(value: number): number {
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
}

/**
 * lib/map.c's flow_key_hash on the key nat.c builds from a packet. The key holds the fields in
 * network byte order as loaded on a little-endian machine, hence the swaps.
 */
export function flowKeyHash(tuple: FiveTuple): number {
  let h = swap32(tuple.src);
  h = (h ^ Math.imul(swap32(tuple.dst), 0x9e3779b1)) >>> 0;
  h = (h ^ ((swap16(tuple.srcPort) << 16) | swap16(tuple.dstPort))) >>> 0;
  h = (h ^ (tuple.proto << 8)) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h;
}

export function flowBucket(tuple: FiveTuple): number {
  return flowKeyHash(tuple) & (NAT.mapCapacity - 1);
}

/**
 * A model of the NAT's flow allocation (dchain free list, LIFO reuse, expiry by age, the map's
 * capacity of 2 entries per flow), so that the generator can address replies to the external port
 * the NAT really assigned.
 */
export class NatModel {
  private readonly free: number[] = Array.from({ length: NAT.capacity }, (_, i) => i);
  /** Allocated index -> last use; Map keeps insertion order = age order. */
  private readonly allocated = new Map<number, bigint>();
  private readonly byKey = new Map<string, number>();
  private readonly keyOf = new Map<number, string>();

  get flows(): number {
    return this.allocated.size;
  }

  expire(now: bigint): void {
    if (now < NAT.timeoutNs) return;
    const minTime = now - NAT.timeoutNs;
    for (const [index, last] of this.allocated) {
      if (last >= minTime) break;
      this.allocated.delete(index);
      this.free.unshift(index);
      this.byKey.delete(this.keyOf.get(index)!);
      this.keyOf.delete(index);
    }
  }

  /** An outbound packet of `tuple` at `now` (after expiry): the flow's index, or undefined when dropped. */
  outbound(tuple: FiveTuple, now: bigint): number | undefined {
    const key = tupleKey(tuple);
    const known = this.byKey.get(key);
    if (known !== undefined) {
      this.touch(known, now);
      return known;
    }
    // Two map entries per flow: the second put fails once the map holds mapCapacity entries.
    if (this.free.length === 0 || 2 * (this.allocated.size + 1) > NAT.mapCapacity) return undefined;
    const index = this.free.shift()!;
    this.allocated.set(index, now);
    this.byKey.set(key, index);
    this.keyOf.set(index, key);
    return index;
  }

  /** An inbound reply for `tuple` (an outbound tuple): the external port to use, if the flow is alive. */
  replyPort(tuple: FiveTuple): number | undefined {
    const index = this.byKey.get(tupleKey(tuple));
    return index === undefined ? undefined : NAT.portBase + index;
  }

  touchReply(tuple: FiveTuple, now: bigint): void {
    const index = this.byKey.get(tupleKey(tuple));
    if (index !== undefined) this.touch(index, now);
  }

  private touch(index: number, now: bigint): void {
    this.allocated.delete(index);
    this.allocated.set(index, now);
  }
}

function tupleKey(t: FiveTuple): string {
  return `${t.src}:${t.dst}:${t.srcPort}:${t.dstPort}:${t.proto}`;
}

function outboundFrame(tuple: FiveTuple, payloadBytes = 18): Uint8Array {
  return ipv4Frame(NAT_MAC, HOST_MAC, { src: tuple.src, dst: tuple.dst, proto: tuple.proto }, { srcPort: tuple.srcPort, dstPort: tuple.dstPort, payloadBytes });
}

function replyFrame(tuple: FiveTuple, externalPort: number): Uint8Array {
  return ipv4Frame(HOST_MAC, NAT_MAC, { src: tuple.dst, dst: NAT.externalIp, proto: tuple.proto }, { srcPort: tuple.dstPort, dstPort: externalPort, payloadBytes: 30 });
}

function randomTuple(random: Random, servers: readonly number[], serverZipf: ZipfSampler): FiveTuple {
  return {
    src: ipv4(10, 0, random.int(4), 1 + random.int(250)),
    dst: servers[serverZipf.sample(random)]!,
    srcPort: 32768 + random.int(28000),
    dstPort: random.pick([80, 443, 443, 53, 123, 8080]),
    proto: random.chance(0.7) ? PROTO_TCP : PROTO_UDP,
  };
}

/** Sends `tuple` outbound through the model and the trace. */
function emitOutbound(model: NatModel, out: TracePacket[], tuple: FiveTuple, now: bigint): void {
  model.expire(now);
  model.outbound(tuple, now);
  out.push({ data: outboundFrame(tuple), port: NAT.internalPort, timeNs: now });
}

function typical({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const servers = Array.from({ length: 200 }, () => ipv4(93 + random.int(100), random.int(256), random.int(256), 1 + random.int(254)));
  const serverZipf = new ZipfSampler(servers.length, 1.0);
  const model = new NatModel();
  const flows: FiveTuple[] = [];
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  while (out.length < packets) {
    now += random.gapNs(70e6); // 70 ms on average: a few hundred packets span more than the 10 s timeout
    model.expire(now);
    const roll = random.next();
    if (roll < 0.01) {
      // A runt: shorter than Ethernet + IPv4 headers.
      out.push({ data: new Uint8Array(20).map(() => random.int(256)), port: random.int(2), timeNs: now });
      continue;
    }
    if (roll < 0.02) {
      out.push({ data: ethernetFrame(NAT_MAC, HOST_MAC, ETHER_TYPE_ARP, new Uint8Array(28)), port: NAT.internalPort, timeNs: now });
      continue;
    }
    if (roll < 0.04) {
      out.push({ data: ipv4Frame(NAT_MAC, HOST_MAC, { src: ipv4(10, 0, 0, 9), dst: servers[0]!, proto: PROTO_ICMP }, { srcPort: 0x0800, dstPort: 0 }), port: NAT.internalPort, timeNs: now });
      continue;
    }
    // About 15% of packets open a new flow; the rest pick a flow by Zipf popularity.
    if (flows.length === 0 || random.chance(0.15)) {
      const tuple = randomTuple(random, servers, serverZipf);
      flows.unshift(tuple);
      model.outbound(tuple, now);
      out.push({ data: outboundFrame(tuple), port: NAT.internalPort, timeNs: now });
      continue;
    }
    const tuple = flows[new ZipfSampler(Math.min(flows.length, 400), 1.1).sample(random)]!;
    const replyPort = model.replyPort(tuple);
    if (replyPort !== undefined && random.chance(0.45)) {
      model.touchReply(tuple, now);
      out.push({ data: replyFrame(tuple, replyPort), port: NAT.externalPort, timeNs: now });
    } else {
      model.outbound(tuple, now);
      out.push({ data: outboundFrame(tuple), port: NAT.internalPort, timeNs: now });
    }
  }
  return out;
}

/** `count` distinct tuples drawn by `make` whose lib/map.c keys all fall into hash bucket `bucket`. */
export function findCollidingTuples(random: Random, count: number, bucket: number, make: (random: Random) => FiveTuple): FiveTuple[] {
  const found: FiveTuple[] = [];
  const seen = new Set<string>();
  // One bucket in 1024 takes a random tuple; far more draws than `count` buckets' worth means the
  // tuples `make` draws from do not hold that many distinct ones in the bucket.
  const attempts = count * 1024 * 64;
  for (let attempt = 0; found.length < count; attempt++) {
    if (attempt >= attempts) throw new MeasureError('trace-impossible', `only ${found.length} distinct flows of the generator's address space fall into hash bucket ${bucket}, ${count} were asked for`);
    const tuple = make(random);
    if (flowBucket(tuple) !== bucket || seen.has(tupleKey(tuple))) continue;
    seen.add(tupleKey(tuple));
    found.push(tuple);
  }
  return found;
}

/** `count` distinct outbound tuples whose internal keys all fall into the same hash bucket. */
export function collidingTuples(random: Random, count: number, bucket: number): FiveTuple[] {
  return findCollidingTuples(random, count, bucket, (r) => ({ src: ipv4(10, 0, r.int(256), r.int(256)), dst: ipv4(198, 51, 100, 7), srcPort: 1024 + r.int(60000), dstPort: 80, proto: PROTO_UDP }));
}

/**
 * Another outbound tuple whose internal key has the same full flow_key_hash as `tuple`'s: the
 * source port is `srcPort`, and the last two octets of the source address make up for it (the
 * hash's first step XORs both into the same 16 bits, and the rest of the hash is a bijection).
 */
export function fullHashPartner(tuple: FiveTuple, srcPort: number): FiveTuple {
  const mixed = (swap32(tuple.src) ^ (((swap16(tuple.srcPort) ^ swap16(srcPort)) << 16) >>> 0)) >>> 0;
  const partner = { ...tuple, src: swap32(mixed), srcPort };
  if (flowKeyHash(partner) !== flowKeyHash(tuple)) throw new Error('fullHashPartner: the hashes differ');
  return partner;
}

function collisions({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const flowCount = Math.max(4, Math.min(Math.floor(packets / 2), 500));
  const tuples = collidingTuples(random, flowCount, random.int(NAT.mapCapacity));
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  const model = new NatModel();
  for (const tuple of tuples) emitOutbound(model, out, tuple, (now += 1_000_000n));
  // Full-hash collisions: groups of new flows whose keys hash exactly like an installed one, so
  // each lookup compares keys (lib/map.c's count mark c) once per earlier member of its group.
  const seen = new Set(tuples.map(tupleKey));
  const groups = Math.max(1, Math.min(4, Math.floor(packets / 60)));
  for (let g = 0; g < groups; g++) {
    const base = tuples[random.int(tuples.length)]!;
    for (let k = 0; k < 1 + g * 2 && out.length < packets; k++) {
      const partner = fullHashPartner(base, 1024 + random.int(60000));
      if (seen.has(tupleKey(partner))) continue;
      seen.add(tupleKey(partner));
      emitOutbound(model, out, partner, (now += 1_000_000n));
    }
  }
  // Then hammer the flows at the end of the probe chain.
  while (out.length < packets) {
    const tuple = tuples[tuples.length - 1 - random.int(Math.min(8, tuples.length))]!;
    out.push({ data: outboundFrame(tuple), port: NAT.internalPort, timeNs: (now += 1_000_000n) });
  }
  return out;
}

function fullTable({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const model = new NatModel();
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  // 512 flows fill the map (two entries per flow); every later new flow probes the whole map and is dropped.
  const fill = NAT.mapCapacity / 2;
  const attack = Math.max(10, packets - fill);
  const seen = new Set<string>();
  while (out.length < fill + attack) {
    const tuple: FiveTuple = { src: ipv4(10, 1, random.int(256), random.int(256)), dst: ipv4(203, 0, 113, 5), srcPort: 1024 + random.int(60000), dstPort: 443, proto: PROTO_TCP };
    if (seen.has(tupleKey(tuple))) continue;
    seen.add(tupleKey(tuple));
    emitOutbound(model, out, tuple, (now += 100_000n));
  }
  return out;
}

function massExpiry({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const model = new NatModel();
  const out: TracePacket[] = [];
  const servers = [ipv4(198, 51, 100, 20)];
  const serverZipf = new ZipfSampler(1, 1);
  let now = TRACE_START_NS;
  const flowCount = Math.max(4, Math.min(packets - 4, 500));
  for (let i = 0; i < flowCount; i++) emitOutbound(model, out, randomTuple(random, servers, serverZipf), (now += 1_000_000n));
  // Silence past the timeout: the next packet expires every flow (two map erasures each).
  now += NAT.timeoutNs + 1_000_000_000n;
  while (out.length < Math.max(packets, flowCount + 4)) emitOutbound(model, out, randomTuple(random, servers, serverZipf), (now += 1_000_000n));
  return out;
}

export const NAT_TRACES: TraceGenerator[] = [
  { name: 'typical', kind: 'typical', description: 'Zipf-popular flows (s = 1.1), about 15% new flows, 45% of known-flow packets are replies on the external port, 1% runts, 3% ARP/ICMP; 70 ms mean gap so idle flows expire', generate: typical },
  { name: 'collisions', kind: 'adversarial', description: 'outbound flows whose keys share one hash bucket (lib/map.c flow_key_hash), then groups of new flows whose keys share the full hash of one of them (key comparisons), then lookups at the end of the probe chain', generate: collisions },
  { name: 'full-table', kind: 'adversarial', description: '512 new flows fill the map (two entries per flow), then new flows that probe the whole map and are dropped; at least 522 packets', generate: fullTable },
  { name: 'mass-expiry', kind: 'adversarial', description: 'up to 500 flows, 11 s of silence, then packets: the first one expires every flow', generate: massExpiry },
];
