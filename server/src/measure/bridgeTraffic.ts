// Traces for bridge.c: Zipf-popular station pairs with broadcasts, new and moving stations, and attacks on its MAC table.
import { BROADCAST_MAC, ETHER_TYPE_ARP, ETHER_TYPE_IPV4, MacAddress, ethernetFrame, macFromNumber } from './packets';
import { Random, TRACE_START_NS, TraceGenerator, TracePacket, ZipfSampler } from './traffic';

/** Mirrors bridge.c's constants. */
export const BRIDGE = {
  ports: 8,
  capacity: 1024,
  tableSize: 2048,
  timeoutNs: 300_000_000_000n,
} as const;

/** bridge.c's mac_hash. */
export function macHash(mac: MacAddress): number {
  const hi = ((mac[0]! << 8) | mac[1]!) >>> 0;
  const lo = ((mac[2]! << 24) | (mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0;
  let h = (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h = (h ^ (h >>> 12)) >>> 0;
  return h;
}

export function macSlot(mac: MacAddress): number {
  return macHash(mac) & (BRIDGE.tableSize - 1);
}

function frame(dst: MacAddress, src: MacAddress, random: Random): Uint8Array {
  const payload = new Uint8Array(46 + random.int(64));
  return ethernetFrame(dst, src, ETHER_TYPE_IPV4, payload);
}

interface Station { mac: MacAddress; port: number }

function typical({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const stations: Station[] = [];
  const newStation = (): Station => ({ mac: macFromNumber(random.u32()), port: random.int(BRIDGE.ports) });
  for (let i = 0; i < 20; i++) stations.push(newStation());
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  while (out.length < packets) {
    now += random.gapNs(2e9); // 2 s mean gap: a few hundred frames span more than the 300 s ageing time
    if (random.chance(0.05)) stations.push(newStation());
    if (random.chance(0.01)) random.pick(stations).port = random.int(BRIDGE.ports); // a station moves
    const zipf = new ZipfSampler(stations.length, 1.0);
    const src = stations[zipf.sample(random)]!;
    if (random.chance(0.01)) {
      // A runt: shorter than an Ethernet header.
      out.push({ data: new Uint8Array(10).map(() => random.int(256)), port: src.port, timeNs: now });
      continue;
    }
    if (random.chance(0.01)) {
      // A group source address (from a misbehaving host): never learnt.
      out.push({ data: frame(random.chance(0.5) ? BROADCAST_MAC : stations[zipf.sample(random)]!.mac, [0x01, 0x00, 0x5e, 0, 0, random.int(256)], random), port: src.port, timeNs: now });
      continue;
    }
    if (random.chance(0.06)) {
      out.push({ data: ethernetFrame(BROADCAST_MAC, src.mac, ETHER_TYPE_ARP, new Uint8Array(46)), port: src.port, timeNs: now });
      continue;
    }
    if (random.chance(0.03)) {
      // Unknown unicast: a destination never heard from.
      out.push({ data: frame(macFromNumber(random.u32(), 0x06), src.mac, random), port: src.port, timeNs: now });
      continue;
    }
    const dst = stations[zipf.sample(random)]!;
    out.push({ data: frame(dst.mac, src.mac, random), port: src.port, timeNs: now });
  }
  return out;
}

/** `count` distinct unicast MACs that all hash to `slot`. */
export function collidingMacs(random: Random, count: number, slot: number): MacAddress[] {
  const found: MacAddress[] = [];
  const seen = new Set<string>();
  while (found.length < count) {
    const mac = macFromNumber(random.u32(), 0x02 | (random.int(64) << 2));
    if (macSlot(mac) !== slot || seen.has(mac.join(':'))) continue;
    seen.add(mac.join(':'));
    found.push(mac);
  }
  return found;
}

function collisions({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const count = Math.max(4, Math.min(Math.floor(packets / 2), 600));
  const macs = collidingMacs(random, count, random.int(BRIDGE.tableSize));
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  const target = macs[0]!;
  // Every new source is learnt at the end of one growing probe chain.
  for (const mac of macs) out.push({ data: frame(target, mac, random), port: 1 + random.int(BRIDGE.ports - 1), timeNs: (now += 1_000_000n) });
  // Then frames from and to the stations at the end of the chain.
  while (out.length < packets) {
    const src = macs[macs.length - 1 - random.int(Math.min(8, macs.length))]!;
    const dst = macs[macs.length - 1 - random.int(Math.min(8, macs.length))]!;
    out.push({ data: frame(dst, src, random), port: random.int(BRIDGE.ports), timeNs: (now += 1_000_000n) });
  }
  return out;
}

function fullTable({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  // 1024 stations fill the dchain; later sources are not learnt and unknown destinations are flooded.
  const total = BRIDGE.capacity + Math.max(10, packets - BRIDGE.capacity);
  const learnt: MacAddress[] = [];
  while (out.length < total) {
    const src = macFromNumber(random.u32());
    if (learnt.length < BRIDGE.capacity) learnt.push(src);
    const dst = out.length < BRIDGE.capacity ? BROADCAST_MAC : random.chance(0.5) ? random.pick(learnt) : macFromNumber(random.u32(), 0x06);
    out.push({ data: frame(dst, src, random), port: random.int(BRIDGE.ports), timeNs: (now += 100_000n) });
  }
  return out;
}

function massExpiry({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const out: TracePacket[] = [];
  let now = TRACE_START_NS;
  const count = Math.max(4, Math.min(packets - 4, 600));
  for (let i = 0; i < count; i++) out.push({ data: frame(BROADCAST_MAC, macFromNumber(random.u32()), random), port: random.int(BRIDGE.ports), timeNs: (now += 1_000_000n) });
  now += BRIDGE.timeoutNs + 1_000_000_000n; // the next frame expires every station
  while (out.length < Math.max(packets, count + 4)) out.push({ data: frame(BROADCAST_MAC, macFromNumber(random.u32()), random), port: random.int(BRIDGE.ports), timeNs: (now += 1_000_000n) });
  return out;
}

/**
 * Stations leave one probe chain one at a time while others keep talking behind them. Stations
 * that collide in one MAC table slot are learnt first and then fall silent; after an idle stretch
 * just short of the ageing time, live stations (some in the same chain, behind the silent ones) are
 * learnt and talk among themselves. The silent stations then age out one or two per frame, each
 * leaving a deleted slot that later lookups of the live stations probe past, and new stations of
 * the same chain join into the deleted slots.
 */
function churn({ packets, seed }: { packets: number; seed: number }): TracePacket[] {
  const random = new Random(seed);
  const out: TracePacket[] = [];
  const doomedCount = Math.max(2, Math.min(24, Math.floor(packets / 12)));
  const chain = collidingMacs(random, doomedCount + 12, random.int(BRIDGE.tableSize));
  const doomed = chain.slice(0, doomedCount);
  const joiners = chain.slice(doomedCount + 4);
  // Live stations on three ports, so that a frame's destination is often on its own port.
  const live: Station[] = [...chain.slice(doomedCount, doomedCount + 4), ...Array.from({ length: 4 }, () => macFromNumber(random.u32()))]
    .map((mac) => ({ mac, port: random.int(3) }));
  let now = TRACE_START_NS;
  const send = (dst: MacAddress, src: Station) => out.push({ data: frame(dst, src.mac, random), port: src.port, timeNs: now });
  for (const mac of doomed) {
    now += 1_500_000_000n + BigInt(random.int(1_500_000_000));
    send(BROADCAST_MAC, { mac, port: random.int(BRIDGE.ports) });
  }
  const lastDoomed = now;
  now = TRACE_START_NS + BRIDGE.timeoutNs - 20_000_000_000n; // nothing has aged out yet
  for (const station of live) {
    now += 500_000_000n;
    send(BROADCAST_MAC, station);
  }
  let joined = 0;
  while (out.length < packets || now <= lastDoomed + BRIDGE.timeoutNs + 5_000_000_000n) {
    now += 500_000_000n + BigInt(random.int(1_000_000_000));
    const roll = random.next();
    if (now > lastDoomed + BRIDGE.timeoutNs && joined < joiners.length && roll < 0.1) {
      // A new station of the chain: learnt into a deleted slot.
      const station = { mac: joiners[joined++]!, port: random.int(3) };
      live.push(station);
      send(BROADCAST_MAC, station);
      continue;
    }
    const src = random.pick(live);
    if (roll < 0.2) send(BROADCAST_MAC, src);
    else if (roll < 0.3) send(macFromNumber(random.u32(), 0x06), src); // unknown unicast
    else send(random.pick(live).mac, src);
  }
  return out;
}

export const BRIDGE_TRACES: TraceGenerator[] = [
  { name: 'typical', kind: 'typical', description: 'Zipf-popular station pairs (s = 1), 5% chance of a new station per frame, 1% moves, 6% broadcasts, 3% unknown unicast, 1% runts, 1% group source addresses; 2 s mean gap so idle stations age out', generate: typical },
  { name: 'collisions', kind: 'adversarial', description: 'source MACs that all hash to one table slot (mac_hash), then frames between the stations at the end of the probe chain', generate: collisions },
  { name: 'full-table', kind: 'adversarial', description: '1024 new stations fill the table, then unlearnable sources to learnt and unknown destinations; at least 1034 frames', generate: fullTable },
  { name: 'mass-expiry', kind: 'adversarial', description: 'up to 600 stations, 301 s of silence, then frames: the first one ages out every station', generate: massExpiry },
  { name: 'churn', kind: 'adversarial', description: 'up to 24 stations of one probe chain fall silent and age out one or two per frame while 8 stations (4 in the same chain, behind them) talk on 3 ports; new stations of the chain join into the deleted slots; the trace lasts until the last silent station is 5 s past its ageing time', generate: churn },
];
