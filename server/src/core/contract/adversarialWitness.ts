// The worst class's witness made adversarial: a bounded local search over its inputs that pushes the run's cost (and PCVs) up within the class.
import type { Witness } from './witness';
import { hexToBytes, bytesToHex, witnessBytes } from './witness';

/** What one run of a candidate input tells the search. */
export interface CandidateRun {
  /** Whether the run lands in the class. */
  lands: boolean;
  /** The run's cost in the primary metric. */
  cost: number;
  /** The run's PCV values. */
  pcv: Record<string, number>;
}

export interface PushOptions {
  run: (witness: Witness) => CandidateRun | undefined;
  /** The PCVs of the class's formula, each with the value the search need not pass (its bound, or `UNBOUNDED_TARGET`). */
  targets: Record<string, number>;
  /** Wall-clock limit (performance.now()) and number of runs. */
  deadline: number;
  maxRuns: number;
  /** Integer arguments by name with their width in bits, so that candidate values fit. */
  argWidths: Record<string, number>;
}

/**
 * Byte values worth trying first, as fuzzers do (AFL's 8-bit "interesting values": 0, 1, 16, 32,
 * 64, 100, 127, -128, -1): small codes such as protocol numbers, sign and width boundaries.
 */
const INTERESTING_BYTES = [0x00, 0x01, 0x10, 0x20, 0x40, 0x64, 0x7f, 0x80, 0xff];

/** Argument changes kept at equal cost in a row before the search gives up on them. */
const NEUTRAL_LIMIT = 8;

/** Where the search stops pushing a PCV without a bound: large enough to show the cost, small enough to run. */
export const UNBOUNDED_TARGET = 1_000;

/**
 * Hill climbing on the witness: each step changes one argument or one input byte to a few values
 * (fuzzers' interesting values, the nibbles, plus or minus one, a seeded random value) and keeps the
 * change when the run still lands in the class and costs more; an argument change that keeps the
 * cost is kept too (a length that lets a later byte raise the trip count). It stops when a whole
 * pass finds nothing, every PCV reached its target, or the budget is spent. It explores
 * concretely and knows nothing of the code, so it finds trip counts set by a few header bytes or
 * arguments, not those set by many table entries at once (a full hash table).
 */
export function pushWitness(start: Witness, options: PushOptions): { witness: Witness; cost: number; pcv: Record<string, number>; runs: number; improved: boolean } {
  let best = clone(start);
  const first = options.run(best);
  if (!first?.lands) return { witness: start, cost: first?.cost ?? 0, pcv: first?.pcv ?? {}, runs: 1, improved: false };
  let bestRun = first;
  let runs = 1;
  let seed = 0x9e3779b9;
  const random = () => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed;
  };
  const reached = () => Object.entries(options.targets).every(([name, target]) => (bestRun.pcv[name] ?? 0) >= target);
  let improvedAny = false;
  let neutral = 0; // argument changes kept at equal cost since the last gain (at most NEUTRAL_LIMIT)
  while (!reached()) {
    let accepted = false;
    for (const move of moves(best, options.argWidths, random)) {
      if (runs >= options.maxRuns || performance.now() > options.deadline) return { witness: best, cost: bestRun.cost, pcv: bestRun.pcv, runs, improved: improvedAny };
      const candidate = move();
      if (!candidate) continue;
      runs++;
      const result = options.run(candidate.witness);
      if (!result?.lands) continue;
      if (result.cost > bestRun.cost) {
        neutral = 0;
        improvedAny = true;
      } else if (!(candidate.argument && result.cost === bestRun.cost && neutral < NEUTRAL_LIMIT)) {
        continue;
      } else {
        neutral++;
      }
      best = candidate.witness;
      bestRun = result;
      accepted = true;
      break; // the next pass starts from the new witness
    }
    if (!accepted) break;
  }
  return { witness: best, cost: bestRun.cost, pcv: bestRun.pcv, runs, improved: improvedAny };
}

type Move = () => { witness: Witness; argument: boolean } | undefined;

/** Candidate changes of one argument or byte, arguments first (fewer, and they often gate the rest). */
function moves(witness: Witness, argWidths: Record<string, number>, random: () => number): Move[] {
  const result: Move[] = [];
  for (const [name, value] of Object.entries(witness.args)) {
    const width = argWidths[name] ?? 32;
    const max = (1n << BigInt(width)) - 1n;
    const current = BigInt(value);
    for (const next of [max, max >> 1n, current + 1n, current * 2n + 1n, 255n, 65535n, BigInt(UNBOUNDED_TARGET), BigInt(random()) & max]) {
      if (next < 0n || next > max || next === current) continue;
      result.push(() => {
        const w = clone(witness);
        w.args[name] = next <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(next) : next.toString();
        return { witness: w, argument: true };
      });
    }
  }
  for (const [name, hex] of Object.entries(witness.memory)) {
    const bytes = hexToBytes(hex);
    // Large tables: a sample of their bytes per pass, so one pass stays short.
    const chosen = bytes.length <= 256 ? [...bytes.keys()] : Array.from({ length: 256 }, () => random() % bytes.length);
    for (const at of chosen) {
      const current = bytes[at]!;
      for (const next of [...INTERESTING_BYTES, 0x0f, 0xf0, (current + 1) & 0xff, (current + 0xff) & 0xff, random() & 0xff]) {
        if (next === current) continue;
        result.push(() => {
          const w = clone(witness);
          const changed = hexToBytes(w.memory[name]!);
          changed[at] = next;
          w.memory[name] = hex.startsWith('@') ? witnessBytes(changed) : bytesToHex(changed);
          return { witness: w, argument: false };
        });
      }
    }
  }
  return result;
}

function clone(witness: Witness): Witness {
  return JSON.parse(JSON.stringify(witness)) as Witness;
}
