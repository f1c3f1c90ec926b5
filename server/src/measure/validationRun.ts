// Runs the validation of one NF: its contract, then every trace through the interpreter session and (optionally) valgrind.
import * as path from 'path';
import { NfDefinition } from './nfRegistry';
import { NfContract, nfContract, runSession } from './session';
import { measureTrace, OptLevel } from './harness';
import { generateTrace, writeTrace } from './measureCli';
import { NfValidation, TraceResult } from './validation';

export interface ValidationOptions {
  repoRoot: string;
  /** Binaries, traces and callgrind files go here. */
  workDir: string;
  packets: number;
  seed: number;
  /** Overrides the NF's contract time limit. */
  timeLimitMs?: number;
  /** Levels to measure with valgrind; empty skips the x86 measurement. */
  opts: OptLevel[];
  /** Only these traces (by name); all when undefined. */
  traces?: string[];
  /** A contract computed beforehand (e.g. in parallel with other NFs'); computed here otherwise. */
  contract?: Promise<NfContract>;
}

export async function validateNf(nf: NfDefinition, options: ValidationOptions): Promise<NfValidation> {
  const contract = await (options.contract ?? nfContract(nf, { repoRoot: options.repoRoot, timeLimitMs: options.timeLimitMs }));
  const traces: TraceResult[] = [];
  for (const generator of nf.traces) {
    if (options.traces && !options.traces.includes(generator.name)) continue;
    const trace = generateTrace(nf, generator, options.packets, options.seed);
    const session = runSession(contract, nf, trace.packets);
    const x86: TraceResult['x86'] = {};
    if (options.opts.length > 0) {
      const files = writeTrace(trace, path.join(options.workDir, 'traces'));
      for (const opt of options.opts) x86[opt] = measureTrace(nf, opt, files.pcap, files.ports, { repoRoot: options.repoRoot, workDir: options.workDir });
    }
    traces.push({ name: trace.name, kind: trace.kind, description: trace.description, session, x86 });
  }
  return {
    nf: nf.name,
    linesOfC: contract.linesOfC,
    contractMilliseconds: contract.milliseconds,
    classes: contract.contract.classes.length,
    complete: contract.contract.complete,
    incompleteReasons: contract.contract.incompleteReasons.map((r) => `${r.code} ${r.message}`),
    metrics: contract.contract.metrics,
    traces,
  };
}
