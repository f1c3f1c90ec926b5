// Traces for firewall.c: a site's mixed traffic over its rule list, and packets that scan the whole list.
import { ETHER_TYPE_ARP, ETHER_TYPE_IPV4, MacAddress, PROTO_ICMP, PROTO_TCP, PROTO_UDP, ethernetFrame, ipv4, ipv4Frame, ipv4Packet } from './packets';
import { Random, TRACE_START_NS, TraceGenerator, TracePacket, ZipfSampler } from './traffic';

/** Mirrors firewall.c's constants. */
export const FIREWALL = { outsidePort: 0, insidePort: 1, rules: 16 } as const;

const GATEWAY_MAC: MacAddress = [0x02, 0, 0, 0, 0x0f, 0x01];
const HOST_MAC: MacAddress = [0x02, 0, 0, 0, 0x0f, 0x02];

interface Flow { port: number; src: number; dst: number; proto: number; sport: number; dport: number }

function packet(flow: Flow, random: Random): Uint8Array {
  return ipv4Frame(GATEWAY_MAC, HOST_MAC, { src: flow.src, dst: flow.dst, proto: flow.proto }, { srcPort: flow.sport, dstPort: flow.dport, payloadBytes: random.int(200) });
}

function outsideHost(random: Random): number {
  return ipv4(20 + random.int(180), random.int(256), random.int(256), 1 + random.int(254));
}

/** A flow of the site's usual traffic; the comment names the rule it meets. */
function typicalFlow(random: Random): Flow {
  const roll = random.next();
  const ephemeral = 1024 + random.int(64000);
  if (roll < 0.3) return { port: 0, src: outsideHost(random), dst: ipv4(10, 0, 0, 1 + random.int(20)), proto: PROTO_TCP, sport: ephemeral, dport: random.pick([80, 443]) }; // public web
  if (roll < 0.4) return { port: 0, src: outsideHost(random), dst: ipv4(10, 0, 0, 53), proto: PROTO_UDP, sport: ephemeral, dport: 53 }; // public DNS
  if (roll < 0.65) return { port: 0, src: outsideHost(random), dst: ipv4(10, 0, 1, 1 + random.int(200)), proto: random.chance(0.8) ? PROTO_TCP : PROTO_UDP, sport: random.pick([443, 80, 53]), dport: ephemeral }; // replies to clients
  if (roll < 0.9) return { port: 1, src: ipv4(10, 0, 1, 1 + random.int(200)), dst: outsideHost(random), proto: PROTO_TCP, sport: ephemeral, dport: random.pick([443, 80, 22]) }; // clients out
  if (roll < 0.93) return { port: 1, src: ipv4(10, 0, 9, 1 + random.int(20)), dst: ipv4(10, 0, 0, 1 + random.int(20)), proto: PROTO_TCP, sport: ephemeral, dport: 22 }; // admin SSH
  if (roll < 0.96) return { port: 0, src: outsideHost(random), dst: ipv4(10, 0, 1, 1 + random.int(200)), proto: PROTO_TCP, sport: ephemeral, dport: 23 }; // telnet probe
  return { port: 0, src: outsideHost(random), dst: ipv4(10, 0, 1, 1 + random.int(200)), proto: PROTO_TCP, sport: ephemeral, dport: 1 + random.int(1023) }; // port scan: no rule
}

function typical({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const flows = Array.from({ length: 300 }, () => typicalFlow(random));
  const zipf = new ZipfSampler(flows.length, 1.0);
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  while (out.length < packets) {
    now += random.gapNs(20e3);
    const roll = random.next();
    if (roll < 0.02) {
      out.push({ data: ethernetFrame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], HOST_MAC, ETHER_TYPE_ARP, new Uint8Array(28)), port: random.int(2), timeNs: now });
    } else if (roll < 0.04) {
      out.push({ data: ipv4Frame(GATEWAY_MAC, HOST_MAC, { src: outsideHost(random), dst: ipv4(10, 0, 0, 1 + random.int(20)), proto: PROTO_ICMP }, { srcPort: 0x0800, dstPort: 0 }), port: 0, timeNs: now });
    } else {
      const flow = flows[zipf.sample(random)]!;
      out.push({ data: packet(flow, random), port: flow.port, timeNs: now });
    }
  }
  return out;
}

/** Packets no rule matches (or only the last one does): every rule is scanned. */
function ruleScan({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  while (out.length < packets) {
    const fromOutside = random.chance(0.5);
    const flow: Flow = fromOutside
      ? { port: 0, src: outsideHost(random), dst: ipv4(10, 0, 2 + random.int(200), 1 + random.int(254)), proto: PROTO_TCP, sport: 1024 + random.int(64000), dport: 1024 + random.int(64000) }
      : { port: 1, src: ipv4(10, 1 + random.int(200), random.int(256), 1 + random.int(254)), dst: outsideHost(random), proto: PROTO_TCP, sport: 1024 + random.int(64000), dport: 443 };
    out.push({ data: packet(flow, random), port: flow.port, timeNs: (now += 1000n) });
  }
  return out;
}

/** Non-first fragments: ports unknown, so only rules without port ranges can match. */
function fragments({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  while (out.length < packets) {
    const payload = new Uint8Array(64 + random.int(400)).map(() => random.int(256));
    const ip = ipv4Packet({ src: outsideHost(random), dst: ipv4(10, 0, 1, 1 + random.int(200)), proto: random.pick([PROTO_TCP, PROTO_UDP]), fragment: 0x2000 | (1 + random.int(100)) }, payload);
    out.push({ data: ethernetFrame(GATEWAY_MAC, HOST_MAC, ETHER_TYPE_IPV4, ip), port: random.int(2), timeNs: (now += 1000n) });
  }
  return out;
}

export const FIREWALL_TRACES: TraceGenerator[] = [
  { name: 'typical', kind: 'typical', description: 'Zipf-popular flows (s = 1) of a site: public web and DNS, replies to clients, clients out, admin SSH, telnet probes and scans (7%), 2% ARP, 2% ICMP', generate: typical },
  { name: 'rule-scan', kind: 'adversarial', description: 'TCP packets that no rule matches from outside, or only the last rule from inside: all 16 rules scanned', generate: ruleScan },
  { name: 'fragments', kind: 'adversarial', description: 'non-first fragments (ports unknown) from outside and inside', generate: fragments },
];
