// Traces for router.c: Zipf-popular destinations over its routes, and packets with the longest prefix and full IP options.
import { ETHER_TYPE_ARP, MacAddress, PROTO_UDP, ethernetFrame, ipv4, ipv4Frame, nopOptions } from './packets';
import { Random, TRACE_START_NS, TraceGenerator, TracePacket, ZipfSampler } from './traffic';

export const ROUTER = { ports: 4 } as const;

const ROUTER_MAC: MacAddress = [0x02, 0, 0, 0, 0, 0x01];
const NEIGHBOUR_MAC: MacAddress = [0x02, 0, 0, 0, 0x07, 0x01];

/** A destination under one of nf_init's routes: 10/8, 10.1/16 (the longest), 192.168/16, or the default. */
function destination(random: Random, kind: number): number {
  switch (kind) {
    case 0: return ipv4(10, 2 + random.int(250), random.int(256), 1 + random.int(254));
    case 1: return ipv4(10, 1, random.int(256), 1 + random.int(254));
    case 2: return ipv4(192, 168, random.int(256), 1 + random.int(254));
    default: return ipv4(8 + random.int(80), random.int(256), random.int(256), 1 + random.int(254));
  }
}

function datagram(random: Random, dst: number, options?: { ttl?: number; optionBytes?: number; corruptChecksum?: boolean }): Uint8Array {
  return ipv4Frame(ROUTER_MAC, NEIGHBOUR_MAC, {
    src: ipv4(172, 16, random.int(256), 1 + random.int(254)), dst, proto: PROTO_UDP, ttl: options?.ttl ?? 2 + random.int(62),
    options: options?.optionBytes ? nopOptions(options.optionBytes) : undefined, corruptChecksum: options?.corruptChecksum, identification: random.int(65536),
  }, { srcPort: 1024 + random.int(60000), dstPort: 53, payloadBytes: random.int(64) });
}

function typical({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const destinations = Array.from({ length: 300 }, (_, i) => destination(random, i % 4));
  const zipf = new ZipfSampler(destinations.length, 1.0);
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  while (out.length < packets) {
    now += random.gapNs(10e3);
    const port = random.int(ROUTER.ports);
    const roll = random.next();
    let data: Uint8Array;
    if (roll < 0.01) data = ethernetFrame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], NEIGHBOUR_MAC, ETHER_TYPE_ARP, new Uint8Array(28));
    else if (roll < 0.03) data = datagram(random, destinations[zipf.sample(random)]!, { ttl: 1 });
    else if (roll < 0.04) data = datagram(random, destinations[zipf.sample(random)]!, { corruptChecksum: true });
    else if (roll < 0.06) data = datagram(random, destinations[zipf.sample(random)]!, { optionBytes: 4 * (1 + random.int(3)) });
    else data = datagram(random, destinations[zipf.sample(random)]!);
    out.push({ data, port, timeNs: now });
  }
  return out;
}

function longestPrefix({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  while (out.length < packets) out.push({ data: datagram(random, destination(random, 1)), port: random.int(ROUTER.ports), timeNs: (now += 1000n) });
  return out;
}

function ipOptions({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  while (out.length < packets) out.push({ data: datagram(random, destination(random, 1), { optionBytes: 40 }), port: random.int(ROUTER.ports), timeNs: (now += 1000n) });
  return out;
}

export const ROUTER_TRACES: TraceGenerator[] = [
  { name: 'typical', kind: 'typical', description: 'Zipf-popular destinations (s = 1) spread over the four routes, 2% TTL 1, 1% bad checksum, 2% short options, 1% ARP', generate: typical },
  { name: 'longest-prefix', kind: 'adversarial', description: 'every destination under 10.1.0.0/16, the deepest route (16 trie steps)', generate: longestPrefix },
  { name: 'ip-options', kind: 'adversarial', description: 'a 60-byte IPv4 header (40 option bytes, 30 checksum words) to the deepest route', generate: ipOptions },
];
