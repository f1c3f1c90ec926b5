// Traces for lb.c: client flows to the VIP with backend heartbeats, dead backends, and attacks on its flow table.
import { MacAddress, PROTO_TCP, PROTO_UDP, ipv4, ipv4Frame, ethernetFrame, ETHER_TYPE_IPV4, ipv4Packet } from './packets';
import { FiveTuple, findCollidingTuples } from './natTraffic';
import { Random, TRACE_START_NS, TraceGenerator, TracePacket, ZipfSampler } from './traffic';

/** Mirrors lb.c's constants. */
export const LB = {
  clientPort: 0, backendPort: 1, mgmtPort: 2, vip: ipv4(192, 0, 2, 10), backends: 8, heartbeatUdpPort: 9999,
  backendTimeoutNs: 3_000_000_000n, flowTimeoutNs: 60_000_000_000n, capacity: 1024,
} as const;

const ROUTER_MAC: MacAddress = [0x02, 0, 0, 0, 0x0b, 0x01];
const LB_MAC: MacAddress = [0x02, 0, 0, 0, 0, 0x01];

function clientFrame(tuple: FiveTuple, payloadBytes: number): Uint8Array {
  return ipv4Frame(LB_MAC, ROUTER_MAC, { src: tuple.src, dst: tuple.dst, proto: tuple.proto }, { srcPort: tuple.srcPort, dstPort: tuple.dstPort, payloadBytes });
}

/** A heartbeat from backend b (10.1.0.(b+1)) to the management port: UDP to 9999, payload [b, up]. */
export function heartbeatFrame(backend: number, up: boolean): Uint8Array {
  const udp = new Uint8Array(8 + 2);
  const view = new DataView(udp.buffer);
  view.setUint16(0, 40000 + backend);
  view.setUint16(2, LB.heartbeatUdpPort);
  view.setUint16(4, udp.length);
  udp[8] = backend;
  udp[9] = up ? 1 : 0;
  return ethernetFrame(LB_MAC, [0x02, 0, 0, 0x01, 0, backend + 1], ETHER_TYPE_IPV4, ipv4Packet({ src: ipv4(10, 1, 0, backend + 1), dst: ipv4(10, 1, 0, 254), proto: PROTO_UDP }, udp));
}

function clientTuple(random: Random): FiveTuple {
  return { src: ipv4(100 + random.int(100), random.int(256), random.int(256), 1 + random.int(254)), dst: LB.vip, srcPort: 1024 + random.int(60000), dstPort: random.pick([80, 443, 443]), proto: random.chance(0.9) ? PROTO_TCP : PROTO_UDP };
}

/**
 * Client traffic (Zipf-popular flows, `newShare` new flows) merged with heartbeats every second from
 * the backends `alive(now)` returns (with their up flag).
 */
function clientsWithHeartbeats(random: Random, packets: number, meanGapNs: number, newShare: number, heartbeats: (now: bigint) => { backend: number; up: boolean }[]): TracePacket[] {
  const flows: FiveTuple[] = [];
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  let nextHeartbeat = TRACE_START_NS;
  while (out.length < packets) {
    now += random.gapNs(meanGapNs);
    while (nextHeartbeat <= now && out.length < packets) {
      for (const { backend, up } of heartbeats(nextHeartbeat)) out.push({ data: heartbeatFrame(backend, up), port: LB.mgmtPort, timeNs: nextHeartbeat });
      nextHeartbeat += 1_000_000_000n;
    }
    if (out.length >= packets) break;
    if (flows.length === 0 || random.chance(newShare)) flows.unshift(clientTuple(random));
    const tuple = flows[new ZipfSampler(Math.min(flows.length, 400), 1.1).sample(random)]!;
    out.push({ data: clientFrame(tuple, random.int(600)), port: LB.clientPort, timeNs: now });
  }
  return out;
}

function typical({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const all = Array.from({ length: LB.backends }, (_, b) => ({ backend: b, up: true }));
  return clientsWithHeartbeats(random, packets, 10e6, 0.15, () => all);
}

function deadBackends({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  // All backends beat for 2 s; then backends 0-5 fall silent (found dead on the packet path after
  // 3 s, without a repopulation, so lookups walk past their slots); at 8 s backend 6 says it goes down.
  return clientsWithHeartbeats(random, packets, 20e6, 0.3, (now) => {
    const elapsed = now - TRACE_START_NS;
    const silent = elapsed >= 2_000_000_000n ? 6 : 0;
    return Array.from({ length: LB.backends - silent }, (_, i) => ({ backend: silent + i, up: !(silent + i === 6 && elapsed >= 8_000_000_000n) }));
  });
}

function collisions({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const count = Math.max(4, Math.min(Math.floor(packets / 2), 500));
  const tuples = findCollidingTuples(random, count, random.int(1024), clientTuple);
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  for (const tuple of tuples) out.push({ data: clientFrame(tuple, 0), port: LB.clientPort, timeNs: (now += 1_000_000n) });
  while (out.length < packets) {
    const tuple = tuples[tuples.length - 1 - random.int(Math.min(8, tuples.length))]!;
    out.push({ data: clientFrame(tuple, 0), port: LB.clientPort, timeNs: (now += 1_000_000n) });
  }
  return out;
}

function massExpiry({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  const count = Math.max(4, Math.min(packets - 4, 800));
  for (let i = 0; i < count; i++) out.push({ data: clientFrame(clientTuple(random), 0), port: LB.clientPort, timeNs: (now += 1_000_000n) });
  now += LB.flowTimeoutNs + 1_000_000_000n; // the next frame expires every flow
  while (out.length < Math.max(packets, count + 4)) out.push({ data: clientFrame(clientTuple(random), 0), port: LB.clientPort, timeNs: (now += 1_000_000n) });
  return out;
}

export const LB_TRACES: TraceGenerator[] = [
  { name: 'typical', kind: 'typical', description: 'Zipf-popular client flows to the VIP (s = 1.1, 15% new), 10 ms mean gap, heartbeats from all 8 backends every second', generate: typical },
  { name: 'dead-backends', kind: 'adversarial', description: 'backends 0-5 stop their heartbeats after 2 s (timed out on the packet path, lookups walk past them), backend 6 reports down at 8 s (repopulation); 30% new flows', generate: deadBackends },
  { name: 'collisions', kind: 'adversarial', description: 'client flows whose 5-tuples share one hash bucket, then packets at the end of the probe chain', generate: collisions },
  { name: 'mass-expiry', kind: 'adversarial', description: 'up to 800 flows, 61 s of silence, then packets: the first one expires every flow', generate: massExpiry },
];
