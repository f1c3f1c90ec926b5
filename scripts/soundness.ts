// Soundness of contracts over random inputs: each input is run by the reference interpreter, placed in its class, and the class formula is compared with the measured cost.
import * as path from 'path';
import { analyze, AnalysisResult } from '../server/src/core/analysis';
import type { IrFunction, IrProgram } from '../server/src/core/ir/ir';
import type { Witness } from '../server/src/core/contract/witness';
import { diskFileSystem } from '../server/src/cli/main';
import { interpret } from '../server/src/core/interp/interpreter';
import { evaluateFormula } from '../server/src/core/cost/formula';
import { runPathKey } from '../server/src/core/contract/contract';

export interface SoundnessRow {
  entry: string;
  inputs: number;
  /** Inputs whose run matched no class (a contract gap). */
  unplaced: number;
  /** Inputs predicted below their measured cost (must be 0). */
  below: number;
  /** Relative gap (predicted - measured) / measured over placed inputs, in percent. */
  maxGapPercent: number;
  medianGapPercent: number;
}

/** A generator of pseudo-random numbers in [0, 1) (xorshift32), reproducible from its seed. */
export function xorshift(seed = 0x2545f491): () => number {
  return (): number => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed / 4294967296;
  };
}

/** One pseudo-random input of `fn`: its integer arguments, 96 bytes behind each pointer, and random contents for every writable global. */
export function randomInput(program: IrProgram, fn: IrFunction, random: () => number): Witness {
  const args: Record<string, number> = {};
  for (const p of fn.params) {
    if (p.type.kind !== 'int') continue;
    // Mostly small values (lengths, counts), sometimes anything, so both common and odd paths are hit.
    args[p.name] = random() < 0.8 ? Math.floor(random() * 128) : Math.floor(random() * 2 ** Math.min(p.type.width, 31));
  }
  const memory: Record<string, string> = {};
  for (const p of fn.params) {
    if (p.type.kind !== 'pointer') continue;
    const bytes = Buffer.alloc(96);
    for (let b = 0; b < bytes.length; b++) bytes[b] = random() < 0.3 ? 0 : Math.floor(random() * 256);
    memory[p.name] = bytes.toString('hex');
  }
  // Writable globals are state: random contents reach the probing and expiry paths.
  for (const global of program.globals.values()) {
    if (global.readOnly) continue;
    const bytes = Buffer.alloc(global.size);
    for (let b = 0; b < bytes.length; b++) bytes[b] = random() < 0.5 ? 0 : Math.floor(random() * 256);
    memory[global.name] = bytes.toString('hex');
  }
  return { args, memory, pcv: {} };
}

/** What the check needs of an analysis: the lowered program, the contracts and the declared contracts in force. */
export type Analysed = Pick<AnalysisResult, 'program' | 'contracts' | 'declaredContracts'>;

/**
 * Runs `inputsPerEntry` pseudo-random inputs (fixed seed) through every entry of `file`, against
 * the contracts of `analysed` when given (a contract read from the CLI's JSON, say), else of a
 * fresh analysis with default options.
 */
export async function soundness(file: string, inputsPerEntry: number, analysed?: Analysed): Promise<SoundnessRow[]> {
  const result = analysed ?? (await analyze([{ path: file }], {}, diskFileSystem));
  const rows: SoundnessRow[] = [];
  const random = xorshift();
  for (const contract of result.contracts) {
    const fn = result.program.functions.get(contract.name)!;
    const gaps: number[] = [];
    let unplaced = 0;
    let below = 0;
    for (let i = 0; i < inputsPerEntry; i++) {
      const input = randomInput(result.program, fn, random);
      const run = interpret(result.program, contract.name, input, { summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit, declaredContracts: result.declaredContracts });
      const key = runPathKey(run);
      const landed = contract.classes.find((c) => c.traces.includes(key));
      if (!landed) {
        unplaced++;
        continue;
      }
      const metric = contract.metrics[0]!;
      const pcv = Object.fromEntries(contract.pcvs.map((p) => [p.name, run.pcv[p.name] ?? 0]));
      const predicted = evaluateFormula(landed.cost[metric]!, pcv);
      const measured = run.cost[metric];
      if (predicted < measured) below++;
      gaps.push(measured === 0 ? 0 : ((predicted - measured) / measured) * 100);
    }
    gaps.sort((a, b) => a - b);
    rows.push({
      entry: `${path.basename(file)}:${contract.name}`,
      inputs: inputsPerEntry,
      unplaced,
      below,
      maxGapPercent: gaps.length ? Math.round(gaps[gaps.length - 1]! * 10) / 10 : 0,
      medianGapPercent: gaps.length ? Math.round(gaps[Math.floor((gaps.length - 1) / 2)]! * 10) / 10 : 0,
    });
  }
  return rows;
}

export function renderSoundness(rows: SoundnessRow[]): string {
  const header = ['entry', 'inputs', 'unplaced', 'below', 'max gap %', 'median gap %'];
  const cells = rows.map((r) => [r.entry, String(r.inputs), String(r.unplaced), String(r.below), r.maxGapPercent.toFixed(1), r.medianGapPercent.toFixed(1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
