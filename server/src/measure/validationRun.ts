// Runs the validation of one NF: its contract, then every trace through the interpreter session and (optionally) valgrind.
import * as path from 'path';
import { NfDefinition } from './nfRegistry';
import { NfContract, nfContract, runSession } from './session';
import { measureTrace, OptLevel } from './harness';
import { generateTrace, writeTrace } from './measureCli';
import { NfValidation, TraceResult, X86Grounding } from './validation';
import { packetCall } from './session';
import { DEFAULT_CYCLES_MODEL, groundContract, X86_METRICS } from '../ground/ground';
import type { SequenceCall } from '../ground/sequence';
import type { FunctionContract } from '../core/contract/contract';

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
  /**
   * Ground the contract on x86 at every measured level, calibrated with this many packets of each
   * of the NF's traces generated with another seed (held out from the validation traces); 0 skips.
   */
  calibrationPackets?: number;
}

/** The seed of calibration traces: far from any validation seed a user would pick. */
export const CALIBRATION_SEED_OFFSET = 7919;

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
  const grounding: Partial<Record<OptLevel, X86Grounding>> = {};
  if ((options.calibrationPackets ?? 0) > 0) {
    const entry = contract.program.functions.get(nf.entry)!;
    // Each trace starts from the NF's initialisation, as in the validation sessions: the init
    // function runs again before the first packet of every trace after the first.
    const calibration: SequenceCall[] = nf.traces.flatMap((generator, t) => generateTrace(nf, generator, options.calibrationPackets!, options.seed + CALIBRATION_SEED_OFFSET).packets
      .map((packet, i) => ({ ...packetCall(entry.params.map((p) => p.name), packet), ...(t > 0 && i === 0 ? { reinit: true } : {}) })));
    for (const opt of options.opts) {
      const grounded = structuredClone(contract.contract) as FunctionContract;
      const record = groundContract(grounded, { program: contract.program, declaredContracts: contract.declaredContracts, modular: nf.modular ?? false }, X86_METRICS, {
        command: { compiler: 'gcc', flags: ['-std=c99', `-${opt}`, ...nf.includeDirs.map((d) => `-I${path.join(options.repoRoot, d)}`)], source: 'validation' },
        sources: nf.sources.map((s) => path.join(options.repoRoot, s)), init: nf.init, calibration, cyclesModel: DEFAULT_CYCLES_MODEL,
        workDir: path.join(options.workDir, 'ground', `${nf.name}-${opt}`),
      });
      grounding[opt] = { contract: grounded, record };
    }
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
    grounding,
  };
}
