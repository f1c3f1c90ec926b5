// Builds the generic C driver with one NF (gcc) and measures a pcap trace with it: callgrind per packet, plus the tracing build's PCVs and outcomes.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MeasureError } from './measureError';
import { NfDefinition } from './nfRegistry';
import { parseCallgrindParts } from './callgrind';

export type OptLevel = 'O0' | 'O2';

export interface X86Cost { Ir: number; Dr: number; Dw: number }

/** One packet as the real execution saw it. */
export interface MeasuredPacket {
  index: number;
  port: number;
  len: number;
  /** `now` as passed to nf_process (ns, decimal string: it exceeds 2^53). */
  now: string;
  /** nf_process's return value. */
  result: number;
  /** Callgrind's counts for nf_process and its callees, minus the empty measurement's. */
  Ir: number;
  Dr: number;
  Dw: number;
  /** PC_TRACE_PCV occurrences in program order: [name, iterations of the loop body]. */
  pcvs: [string, number][];
  /** PC_TRACE_OUTCOME records in program order: [call, result]. */
  outcomes: [string, number][];
}

export interface MeasurementRun {
  nf: string;
  opt: OptLevel;
  packets: MeasuredPacket[];
  /** The cost of an empty measurement (zero stats then dump), subtracted from every packet. */
  emptyOverhead: X86Cost;
  /** Every empty measurement after the subtraction (0 when the overhead is stable). */
  emptyMeasurements: X86Cost[];
}

export interface HarnessOptions {
  repoRoot: string;
  /** Where binaries and callgrind files go (an ignored directory). */
  workDir: string;
}

const DRIVER = 'test-fixtures/nf/driver/driver.c';

/** Fails with `tool-missing` when gcc or valgrind cannot be run. */
export function checkTools(tools: string[] = ['gcc', 'valgrind']): void {
  for (const tool of tools) {
    const probe = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) throw new MeasureError('tool-missing', `'${tool} --version' failed; install ${tool} to measure`);
  }
}

/** Compiles driver.c with the NF's sources: `measure` (callgrind client requests) or `trace` (-DPC_TRACE). */
export function buildDriver(nf: NfDefinition, opt: OptLevel, variant: 'measure' | 'trace', options: HarnessOptions): string {
  fs.mkdirSync(options.workDir, { recursive: true });
  const binary = path.join(options.workDir, `${nf.name}-${opt}-${variant}`);
  const sources = [DRIVER, ...nf.sources].map((s) => path.join(options.repoRoot, s));
  for (const source of sources) {
    if (!fs.existsSync(source)) throw new MeasureError('build-failed', `missing source ${source}`);
  }
  // -z now binds every dynamic symbol at load time: a lazily bound libc call (memcpy at -O0) would
  // otherwise charge the dynamic linker's resolution, thousands of instructions, to its first packet.
  const args = ['-std=c99', '-Wall', '-Wextra', `-${opt}`, '-g', '-Wl,-z,now', variant === 'measure' ? '-DPC_MEASURE' : '-DPC_TRACE',
    ...nf.includeDirs.map((d) => `-I${path.join(options.repoRoot, d)}`), '-o', binary, ...sources];
  const result = spawnSync('gcc', args, { encoding: 'utf8' });
  if (result.error) throw new MeasureError('tool-missing', `gcc: ${result.error.message}`);
  if (result.status !== 0) throw new MeasureError('build-failed', `gcc ${args.join(' ')}\n${result.stderr.slice(-2000)}`);
  return binary;
}

interface DriverLine {
  index: number;
  port?: number;
  len?: number;
  now?: string;
  result: number;
  pcvs?: [string, number][];
  outcomes?: [string, number][];
  droppedEvents?: number;
}

function driverFailure(what: string, result: ReturnType<typeof spawnSync>): MeasureError {
  const stderr = String(result.stderr ?? '').trim().split('\n').slice(-5).join('\n');
  // The driver exits with 3 on an unreadable or malformed pcap or ports file.
  if (result.status === 3) return new MeasureError('bad-pcap', stderr.replace(/^nf_driver: /, ''));
  return new MeasureError('run-failed', `${what} exited with ${result.status ?? result.signal}: ${stderr}`);
}

function parseDriverLines(stdout: string, what: string): DriverLine[] {
  return stdout.split('\n').filter((l) => l.length > 0).map((line) => {
    try {
      return JSON.parse(line) as DriverLine;
    } catch {
      throw new MeasureError('run-failed', `${what} printed a line that is not JSON: '${line.slice(0, 80)}'`);
    }
  });
}

/** Runs the tracing build natively: per packet its port, length, now, result, PCVs and outcomes. */
export function runTraceBuild(binary: string, pcapPath: string, portsPath?: string): DriverLine[] {
  const result = spawnSync(binary, portsPath ? [pcapPath, portsPath] : [pcapPath], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.error) throw new MeasureError('run-failed', `${binary}: ${result.error.message}`);
  if (result.status !== 0) throw driverFailure('the tracing build', result);
  const lines = parseDriverLines(result.stdout, 'the tracing build');
  const dropped = lines.find((l) => (l.droppedEvents ?? 0) > 0);
  if (dropped) throw new MeasureError('run-failed', `packet ${dropped.index} recorded more trace events than the driver keeps (${dropped.droppedEvents} dropped)`);
  return lines;
}

/** Runs the measured build under callgrind: per packet Ir, Dr, Dw of nf_process minus the empty measurement. */
export function runMeasuredBuild(binary: string, pcapPath: string, portsPath: string | undefined, outFile: string): { costs: (X86Cost & { result: number })[]; emptyOverhead: X86Cost; emptyMeasurements: X86Cost[] } {
  fs.rmSync(outFile, { force: true });
  const args = ['--tool=callgrind', '-q', `--callgrind-out-file=${outFile}`, '--combine-dumps=yes', '--collect-atstart=no',
    '--toggle-collect=nf_process', '--cache-sim=yes', '--dump-instr=no', binary, pcapPath, ...(portsPath ? [portsPath] : [])];
  const result = spawnSync('valgrind', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.error) throw new MeasureError('tool-missing', `valgrind: ${result.error.message}`);
  if (result.status !== 0) throw driverFailure('valgrind with the measured build', result);
  const lines = parseDriverLines(result.stdout, 'the measured build');
  if (!fs.existsSync(outFile)) throw new MeasureError('bad-callgrind-output', `callgrind wrote no ${outFile}`);
  const parts = parseCallgrindParts(fs.readFileSync(outFile, 'utf8'));
  const cost = (totals: Record<string, number>): X86Cost => ({ Ir: totals['Ir'] ?? 0, Dr: totals['Dr'] ?? 0, Dw: totals['Dw'] ?? 0 });
  const empties = parts.filter((p) => p.label.startsWith('empty ')).map((p) => cost(p.totals));
  if (empties.length === 0) throw new MeasureError('bad-callgrind-output', 'no empty measurement in the callgrind output');
  const emptyOverhead: X86Cost = {
    Ir: Math.min(...empties.map((e) => e.Ir)), Dr: Math.min(...empties.map((e) => e.Dr)), Dw: Math.min(...empties.map((e) => e.Dw)),
  };
  const byLabel = new Map(parts.filter((p) => p.label.startsWith('packet ')).map((p) => [p.label, cost(p.totals)]));
  const costs = lines.map((line) => {
    const measured = byLabel.get(`packet ${line.index}`);
    if (!measured) throw new MeasureError('bad-callgrind-output', `no callgrind dump for packet ${line.index}`);
    return { Ir: measured.Ir - emptyOverhead.Ir, Dr: measured.Dr - emptyOverhead.Dr, Dw: measured.Dw - emptyOverhead.Dw, result: line.result };
  });
  if (byLabel.size !== lines.length) throw new MeasureError('bad-callgrind-output', `${byLabel.size} packet dumps for ${lines.length} packets`);
  const emptyMeasurements = empties.map((e) => ({ Ir: e.Ir - emptyOverhead.Ir, Dr: e.Dr - emptyOverhead.Dr, Dw: e.Dw - emptyOverhead.Dw }));
  return { costs, emptyOverhead, emptyMeasurements };
}

/** Measures one pcap trace on one NF: both builds, merged per packet. */
export function measureTrace(nf: NfDefinition, opt: OptLevel, pcapPath: string, portsPath: string | undefined, options: HarnessOptions): MeasurementRun {
  if (!fs.existsSync(pcapPath)) throw new MeasureError('bad-pcap', `no such file: ${pcapPath}`);
  if (portsPath !== undefined && !fs.existsSync(portsPath)) throw new MeasureError('bad-pcap', `no such ports file: ${portsPath}`);
  checkTools();
  const traced = runTraceBuild(buildDriver(nf, opt, 'trace', options), pcapPath, portsPath);
  const outFile = path.join(options.workDir, `${nf.name}-${opt}-${path.basename(pcapPath)}.callgrind`);
  const measured = runMeasuredBuild(buildDriver(nf, opt, 'measure', options), pcapPath, portsPath, outFile);
  if (traced.length !== measured.costs.length) {
    throw new MeasureError('run-failed', `the tracing build saw ${traced.length} packets, the measured build ${measured.costs.length}`);
  }
  const packets = traced.map((t, i): MeasuredPacket => {
    const m = measured.costs[i]!;
    if (m.result !== t.result) throw new MeasureError('run-failed', `packet ${i}: the measured build returned ${m.result}, the tracing build ${t.result}`);
    return { index: t.index, port: t.port ?? 0, len: t.len ?? 0, now: t.now ?? '0', result: t.result, Ir: m.Ir, Dr: m.Dr, Dw: m.Dw, pcvs: t.pcvs ?? [], outcomes: t.outcomes ?? [] };
  });
  return { nf: nf.name, opt, packets, emptyOverhead: measured.emptyOverhead, emptyMeasurements: measured.emptyMeasurements };
}
