// Common pieces of the trace generators: the trace type, a seeded random source, a Zipf sampler, pcap export.
import { PcapPacket, writePcap, writePortsFile } from './pcap';

/** One packet of a trace: frame bytes, input port and arrival time (ns). */
export interface TracePacket {
  data: Uint8Array;
  port: number;
  timeNs: bigint;
}

export type TraceKind = 'typical' | 'adversarial';

export interface Trace {
  nf: string;
  name: string;
  kind: TraceKind;
  description: string;
  packets: TracePacket[];
}

export interface TraceOptions {
  /** Packets to generate; a generator may add the packets its attack needs to set up (documented per trace). */
  packets: number;
  seed: number;
}

export interface TraceGenerator {
  name: string;
  kind: TraceKind;
  description: string;
  generate(options: TraceOptions): TracePacket[];
}

/**
 * The first timestamp of every trace, in ns: 1 s. `now` is the NF's monotonic clock (time since it
 * started, as DPDK NFs read it from the TSC), and the pcap timestamp carries it unchanged, so a
 * trace covers the start-up phase, where nothing can have expired yet, as well as steady state.
 */
export const TRACE_START_NS = 1_000_000_000n;

/** A small deterministic generator (mulberry32), so that a seed always gives the same trace. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A uniformly random unsigned 32-bit integer. */
  u32(): number {
    return (this.int(0x10000) * 0x10000 + this.int(0x10000)) >>> 0;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** Exponentially distributed gap with the given mean, in ns (at least 1). */
  gapNs(meanNs: number): bigint {
    const gap = -Math.log(1 - this.next()) * meanNs;
    return BigInt(Math.max(1, Math.round(gap)));
  }
}

/** Samples ranks 0..n-1 with probability proportional to 1/(rank+1)^s. */
export class ZipfSampler {
  private readonly cumulative: number[] = [];

  constructor(readonly n: number, readonly s: number) {
    let total = 0;
    for (let rank = 1; rank <= n; rank++) {
      total += 1 / Math.pow(rank, s);
      this.cumulative.push(total);
    }
    for (let i = 0; i < n; i++) this.cumulative[i]! /= total;
  }

  sample(random: Random): number {
    const u = random.next();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The pcap file and ports side file of a trace. */
export function traceFiles(packets: readonly TracePacket[]): { pcap: Buffer; ports: string } {
  const records: PcapPacket[] = packets.map((p) => ({ data: p.data, timestampNs: p.timeNs }));
  return { pcap: writePcap(records), ports: writePortsFile(packets.map((p) => p.port)) };
}
