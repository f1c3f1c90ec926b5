// `perfcontract distill`: runs a packet trace through the reference interpreter (NF state carried from packet to packet) and writes the workload it induces (docs/workload.md).
import * as fs from 'fs';
import * as path from 'path';
import { analyze, AnalysisOptions, AnalysisResult, FileSystem } from '../core/analysis';
import type { FunctionContract, PathClass, PathMember } from '../core/contract/contract';
import { formulaPcvNames } from '../core/cost/formula';
import { Reasons } from '../core/reasons';
import { interpretSequence, SequencedCall, SequenceError } from '../ground/sequence';
import { MeasureError } from '../measure/measureError';
import { portsFileFor, readPcap, readPortsFile } from '../measure/pcap';
import { packetCall } from '../measure/session';
import type { TracePacket } from '../measure/traffic';
import type { ClassShare, Workload } from './workload';
import { startWatchdog } from './watchdog';

export const DISTILL_USAGE = `  perfcontract distill FILE... --entry NAME --trace T.pcap [--ports FILE] [--init NAME] [--name NAME] [--output W.json]
                       [-I DIR] [-D NAME[=VALUE]] [--prefer-contracts] [--unroll N] [--time-limit MS]`;

/** The analysis options the distiller shares with `contract` (parsed by the caller, main.ts). */
export interface AnalysisArguments { files: string[]; entries: string[]; options: Partial<AnalysisOptions>; stallLimitMs: number }

class DistillUsageError extends Error {}

/**
 * Distils a trace into a workload. The packet handler must have the NF signature of
 * test-fixtures/nf/README.md, `(uint8_t *pkt, uint16_t len, uint16_t port, uint64_t now)`: each
 * pcap record gives the packet bytes and `len`, its timestamp `now` (ns), and the ports side file
 * (`T.ports`, one port per packet) the port, 0 without one.
 */
export async function runDistill(
  argv: string[], out: (text: string) => void, err: (text: string) => void,
  parseAnalysis: (argv: string[]) => AnalysisArguments, fileSystem: FileSystem,
): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    out(`usage:\n${DISTILL_USAGE}`);
    return 0;
  }
  try {
    const own: Record<string, string> = {};
    const rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (['--trace', '--ports', '--init', '--name', '--output'].includes(arg)) {
        const value = argv[++i];
        if (value === undefined) throw new DistillUsageError(`${arg} needs a value`);
        own[arg.slice(2)] = value;
      } else rest.push(arg);
    }
    const analysis = parseAnalysis(rest);
    if (analysis.files.length === 0) throw new DistillUsageError('no C file to analyse');
    if (analysis.entries.length !== 1) throw new DistillUsageError('distill needs exactly one --entry NAME (the packet handler)');
    if (!own.trace) throw new DistillUsageError('distill needs --trace T.pcap');
    const entry = analysis.entries[0]!;
    const packets = readTrace(own.trace, own.ports);
    const watchdog = startWatchdog(analysis.stallLimitMs);
    let result;
    try {
      result = await analyze(analysis.files.map((p) => ({ path: p })), analysis.options, fileSystem).catch((error: Error) => {
        throw new DistillError(error.message);
      });
    } finally {
      watchdog.stop();
    }
    for (const d of result.diagnostics) err(`${path.relative(process.cwd(), d.file) || d.file}:${d.startLine + 1}:${d.startColumn + 1}: ${Reasons[d.reason].code} ${d.message}`);
    const { workload, notes } = distillTrace(result, { entry, packets, init: own.init, name: own.name ?? path.basename(own.trace).replace(/\.pcap$/, ''), trace: own.trace, files: analysis.files });
    for (const note of notes) err(`perfcontract distill: ${note}`);
    const text = JSON.stringify(workload, null, 2);
    if (own.output) fs.writeFileSync(own.output, text + '\n');
    else out(text);
    return 0;
  } catch (error) {
    if (error instanceof DistillUsageError) {
      err(`perfcontract distill: ${error.message}\nusage:\n${DISTILL_USAGE}`);
      return 2;
    }
    if (error instanceof DistillError || error instanceof MeasureError) {
      err(`perfcontract distill: ${error.message}`);
      return 1;
    }
    if (error instanceof Error && error.constructor.name === 'UsageError') {
      err(error.message);
      return 2;
    }
    throw error;
  }
}

export interface DistillInputs {
  entry: string;
  /** The trace's packets (readTrace). */
  packets: TracePacket[];
  /** A function run once before the first packet (such as `nf_init`). */
  init?: string;
  name: string;
  trace?: string;
  files?: string[];
}

/**
 * Runs the packets through the reference interpreter over an analysis result (NF state carried
 * from packet to packet) and distils the workload they induce on the entry's contract; `notes`
 * are warnings for the user (an incomplete contract, packets on paths outside it). Shared by the
 * CLI and the language server's trace prediction.
 */
export function distillTrace(result: AnalysisResult, inputs: DistillInputs): { workload: Workload; contract: FunctionContract; notes: string[] } {
  const { entry } = inputs;
  const contract = result.contracts.find((c) => c.name === entry);
  if (!contract) throw new DistillError(`no contract for '${entry}'`);
  const fn = result.program.functions.get(entry)!;
  if (fn.params.length !== 4 || fn.params[0]!.type.kind === 'int') {
    throw new DistillError(`'${entry}' does not have the packet handler signature (uint8_t *pkt, uint16_t len, uint16_t port, uint64_t now) that distill feeds`);
  }
  if (inputs.init !== undefined && !result.program.functions.has(inputs.init)) throw new DistillError(`no function '${inputs.init}' to run before the first packet`);
  const calls = inputs.packets.map((p) => packetCall(fn.params.map((q) => q.name), p));
  let runs: SequencedCall[];
  try {
    runs = interpretSequence({
      program: result.program, declaredContracts: result.declaredContracts, entry, init: inputs.init,
      summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit, modular: result.preferDeclaredContracts,
    }, calls);
  } catch (error) {
    if (error instanceof SequenceError) throw new DistillError(error.message);
    throw error;
  }
  const workload = distillWorkload(contract, runs, { name: inputs.name, trace: inputs.trace, files: inputs.files });
  const notes: string[] = [];
  if (!contract.complete) notes.push(`warning: the contract of '${entry}' is incomplete; packets on paths outside it are kept by path identity and charged the worst case`);
  const unmatched = runs.filter((r) => !contract.classes.some((c) => c.traces.includes(r.pathKey))).length;
  if (unmatched > 0) notes.push(`note: ${unmatched} of ${runs.length} packets took paths the contract has no class for`);
  return { workload, contract, notes };
}

/** A trace that cannot be distilled: unreadable, empty, or an entry that is not a packet handler (code PW002). */
export class DistillError extends Error {
  constructor(message: string) {
    super(`PW002 cannot-distill: ${message}`);
  }
}

/** The packets of a pcap file, with their ports from the side file (`T.ports`, or `portsFile`), 0 without one. */
export function readTrace(pcapFile: string, portsFile: string | undefined): TracePacket[] {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(pcapFile);
  } catch (error) {
    throw new DistillError(`cannot read trace '${pcapFile}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const records = readPcap(bytes, pcapFile);
  if (records.length === 0) throw new DistillError(`the trace '${pcapFile}' has no packets`);
  const sideFile = portsFile ?? portsFileFor(pcapFile);
  let ports: number[] | undefined;
  if (fs.existsSync(sideFile)) ports = readPortsFile(fs.readFileSync(sideFile, 'utf8'), sideFile);
  else if (portsFile) throw new DistillError(`cannot read ports file '${portsFile}'`);
  if (ports && ports.length !== records.length) throw new DistillError(`'${sideFile}' gives ${ports.length} ports for ${records.length} packets`);
  return records.map((r, i) => ({ data: r.data, port: ports?.[i] ?? 0, timeNs: r.timestampNs }));
}

/**
 * The workload a sequence of runs induces on a contract: one entry per class the runs reached (and
 * one per path outside the contract), with its share of the packets and the joint histogram of the
 * PCVs the runs counted. Each entry selects its class by the path identities the runs took and by
 * behaviour (the class's decisions, returns and outcome), never by class id alone, so that the
 * workload can be predicted on another build of the code (see resolveSelector).
 */
export function distillWorkload(contract: FunctionContract, runs: readonly SequencedCall[], info: { name: string; trace?: string; files?: string[] }): Workload {
  const classByTrace = new Map<string, PathClass>();
  for (const c of contract.classes) for (const t of c.traces) classByTrace.set(t, c);
  // A merged class's members have costs of their own: one entry per member reached, so that its
  // paths are charged the member's cost, not the class's maximum over its members.
  const memberByTrace = new Map<string, PathMember>();
  for (const c of contract.classes) for (const m of c.members ?? []) for (const t of m.traces) memberByTrace.set(t, m);
  const groups = new Map<string, { cls?: PathClass; member?: PathMember; runs: SequencedCall[] }>();
  for (const run of runs) {
    const cls = classByTrace.get(run.pathKey);
    const member = cls ? memberByTrace.get(run.pathKey) : undefined;
    const key = cls ? `class:${member?.id ?? cls.id}` : `path:${run.pathKey}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { cls, member, runs: [] }));
    group.runs.push(run);
  }
  const memberNumber = (m: PathMember | undefined) => (m ? Number(m.id.split('.')[1]) || 0 : 0);
  const order = (a: { cls?: PathClass; member?: PathMember }, b: { cls?: PathClass; member?: PathMember }) => classNumber(a.cls) - classNumber(b.cls) || memberNumber(a.member) - memberNumber(b.member);
  const entries: ClassShare[] = [...groups.values()].sort(order).map((group) => {
    const paths = [...new Set(group.runs.map((r) => r.pathKey))].sort();
    // The share is the packet count (shares are normalised by their sum): exact, where a fraction would be rounded.
    const entry: ClassShare = { label: '', select: { path: paths }, share: group.runs.length, packets: group.runs.length };
    const formulaPcvs = new Set<string>();
    if (group.cls) {
      const cls = group.cls;
      entry.label = `${group.member?.id ?? cls.id} of the distilled build${cls.returns.length > 0 ? `, returns ${cls.returns.join('|')}` : ''}`;
      entry.select.decisions = cls.decisions.map((d) => d.text);
      if (cls.returns.length > 0) entry.select.returns = [...cls.returns];
      entry.select.outcome = cls.outcome;
      for (const formula of Object.values(group.member?.cost ?? cls.cost)) if (formula) for (const name of formulaPcvNames(formula)) formulaPcvs.add(name);
    } else {
      entry.label = `a path outside the contract (${paths[0]})`;
    }
    // Every PCV the runs counted, plus the class's own at 0 where a run did not count them (as the
    // validation evaluates a class at a run's PCVs).
    const names = [...new Set([...formulaPcvs, ...group.runs.flatMap((r) => Object.keys(r.pcv))])].sort();
    if (names.length > 0) {
      const histogram = new Map<string, { pcv: Record<string, number>; weight: number }>();
      for (const run of group.runs) {
        const pcv = Object.fromEntries(names.map((n) => [n, run.pcv[n] ?? 0]));
        const key = names.map((n) => pcv[n]).join(',');
        const item = histogram.get(key);
        if (item) item.weight++;
        else histogram.set(key, { pcv, weight: 1 });
      }
      entry.joint = [...histogram.values()];
    }
    return entry;
  });
  return {
    version: 1,
    name: info.name,
    description: `Distilled from ${info.trace ?? 'a trace'} (${runs.length} packets) by the reference interpreter, with state carried from packet to packet.`,
    source: { ...(info.trace ? { trace: info.trace } : {}), packets: runs.length, ...(info.files ? { files: info.files } : {}), entry: contract.name },
    functions: { [contract.name]: { classes: entries } },
  };
}

function classNumber(cls: PathClass | undefined): number {
  return cls ? Number(cls.id.slice(1)) || 0 : Number.MAX_SAFE_INTEGER;
}
