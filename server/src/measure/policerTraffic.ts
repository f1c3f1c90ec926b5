// Traces for policer.c: subscribers' downstream traffic with bursts over the rate, and attacks on its destination table.
import { MacAddress, PROTO_TCP, PROTO_UDP, ipv4, ipv4Frame } from './packets';
import { FiveTuple, findCollidingTuples } from './natTraffic';
import { Random, TRACE_START_NS, TraceGenerator, TracePacket, ZipfSampler } from './traffic';

/** Mirrors policer.c's constants. */
export const POLICER = { insidePort: 0, outsidePort: 1, capacity: 1024, timeoutNs: 1_000_000_000n, rateBytesPerSecond: 1_250_000, burstBytes: 65536 } as const;

const UPLINK_MAC: MacAddress = [0x02, 0, 0, 0, 0x0c, 0x01];
const SUBSCRIBER_MAC: MacAddress = [0x02, 0, 0, 0, 0x0c, 0x02];

function downstream(random: Random, dst: number, payloadBytes: number): Uint8Array {
  return ipv4Frame(SUBSCRIBER_MAC, UPLINK_MAC, { src: ipv4(93, 184, random.int(256), 1 + random.int(254)), dst, proto: random.chance(0.8) ? PROTO_TCP : PROTO_UDP },
    { srcPort: random.pick([443, 80, 53]), dstPort: 1024 + random.int(60000), payloadBytes });
}

function upstream(random: Random, src: number): Uint8Array {
  return ipv4Frame(UPLINK_MAC, SUBSCRIBER_MAC, { src, dst: ipv4(93, 184, random.int(256), 1 + random.int(254)), proto: PROTO_TCP }, { srcPort: 1024 + random.int(60000), dstPort: 443, payloadBytes: 20 });
}

function subscriber(random: Random): number {
  return ipv4(10, 20 + random.int(4), random.int(256), 1 + random.int(254));
}

function typical({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const subscribers = Array.from({ length: 200 }, () => subscriber(random));
  const zipf = new ZipfSampler(subscribers.length, 1.4);
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  while (out.length < packets) {
    // A busy uplink (20 µs mean gap, mostly full-size frames): the most popular subscribers exceed
    // their 64 KB burst within a few hundred frames and get policed.
    now += random.gapNs(20e3);
    const dst = subscribers[zipf.sample(random)]!;
    if (random.chance(0.3)) out.push({ data: upstream(random, dst), port: POLICER.insidePort, timeNs: now });
    else out.push({ data: downstream(random, dst, random.chance(0.8) ? 1400 : random.int(200)), port: POLICER.outsidePort, timeNs: now });
  }
  return out;
}

function collisions({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  // At most 200 keys: the subscriber addresses (4 x 256 x 254) hold about 254 per bucket.
  const count = Math.max(4, Math.min(Math.floor(packets / 2), 200));
  const bucket = random.int(1024);
  const keys = findCollidingTuples(random, count, bucket, (r): FiveTuple => ({ src: 0, dst: subscriber(r), srcPort: 0, dstPort: 0, proto: 0 }));
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  for (const key of keys) out.push({ data: downstream(random, key.dst, 40), port: POLICER.outsidePort, timeNs: (now += 100_000n) });
  while (out.length < packets) {
    const key = keys[keys.length - 1 - random.int(Math.min(8, keys.length))]!;
    out.push({ data: downstream(random, key.dst, 40), port: POLICER.outsidePort, timeNs: (now += 100_000n) });
  }
  return out;
}

function fullTable({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  // 1024 destinations within the 1 s timeout fill the table; later new destinations probe the full map and are dropped.
  const total = POLICER.capacity + Math.max(10, packets - POLICER.capacity);
  const seen = new Set<number>();
  while (out.length < total) {
    const dst = subscriber(random);
    if (seen.has(dst)) continue;
    seen.add(dst);
    out.push({ data: downstream(random, dst, 40), port: POLICER.outsidePort, timeNs: (now += 200_000n) });
  }
  return out;
}

function massExpiry({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  const count = Math.max(4, Math.min(packets - 4, 800));
  for (let i = 0; i < count; i++) out.push({ data: downstream(random, subscriber(random), 40), port: POLICER.outsidePort, timeNs: (now += 500_000n) });
  now += POLICER.timeoutNs + 100_000_000n; // the next frame expires every destination
  while (out.length < Math.max(packets, count + 4)) out.push({ data: downstream(random, subscriber(random), 40), port: POLICER.outsidePort, timeNs: (now += 500_000n) });
  return out;
}

export const POLICER_TRACES: TraceGenerator[] = [
  { name: 'typical', kind: 'typical', description: 'Zipf-popular subscribers (s = 1.4), 70% downstream (80% of it 1400-byte payloads), 30% upstream, 20 µs mean gap: the busiest subscribers exceed their burst and get policed', generate: typical },
  { name: 'collisions', kind: 'adversarial', description: 'destinations whose map keys share one hash bucket, then frames to the end of the probe chain', generate: collisions },
  { name: 'full-table', kind: 'adversarial', description: '1024 destinations within the 1 s timeout fill the table, then new destinations are dropped after a full probe; at least 1034 frames', generate: fullTable },
  { name: 'mass-expiry', kind: 'adversarial', description: 'up to 800 destinations, 1.1 s of silence, then frames: the first one expires every destination', generate: massExpiry },
];
