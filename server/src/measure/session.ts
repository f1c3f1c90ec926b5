// The interpreter-based session: nf_init, then every packet of a trace through `perfcontract run` semantics, carrying the globals from packet to packet.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { FunctionContract, PathClass } from '../core/contract/contract';
import { bytesToHex, numberForJson, Witness } from '../core/contract/witness';
import { evaluateFormula, formulaPcvNames } from '../core/cost/formula';
import type { IrMetric } from '../core/cost/costModel';
import type { IrProgram } from '../core/ir/ir';
import { buildTranslationUnit } from '../core/syntax/translationUnit';
import { lowerProgram } from '../core/ir/lowerProgram';
import { DeclaredContracts, bindDeclaredWrites, loadDeclaredContracts, outParameterOf } from '../core/declared/declaredContracts';
import { MeasureError } from './measureError';
import { NfDefinition } from './nfRegistry';
import { TracePacket } from './traffic';
import { interpretSequence, SequencedCall, SequenceError } from '../ground/sequence';

/** What the engine's convention uses for a PCV without a bound (see buildContract). */
export const UNBOUNDED_PCV_VALUE = 1_000_000;

export interface NfContract extends LoweredNf {
  nf: string;
  contract: FunctionContract;
  /** Wall-clock time of `perfcontract contract` for the entry (process start included). */
  milliseconds: number;
  /** Non-blank lines of the NF's C sources and the headers they include from the corpus. */
  linesOfC: number;
}

export interface SessionPacket {
  index: number;
  /** The class whose path identity the run has, if the contract has it. */
  classId?: string;
  /** The member of a merged class whose path identity the run has (`C3.2`): its formulas are the packet's tighter prediction. */
  memberId?: string;
  /** nf_process's return value in the interpreter (signed), or undefined when the run ended in an error. */
  returnValue?: number;
  /** The interpreter's reason when the run ended in a program error. */
  error?: string;
  /** What the interpreter counted. */
  measured: Record<IrMetric, number>;
  /** The class formula at the run's PCVs; for an unmatched packet, the contract's worst case at the PCV bounds. */
  predicted: Record<IrMetric, number>;
  pcv: Record<string, number>;
}

const diskFileSystem = {
  readFile(filePath: string): string | undefined {
    try {
      return fs.readFileSync(filePath, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/** Counts non-blank lines of the NF's sources plus the corpus headers they include (not pc_trace.h). */
export function linesOfC(nf: NfDefinition, repoRoot: string): number {
  const files = new Set(nf.sources.map((s) => path.join(repoRoot, s)));
  for (const source of [...files]) {
    const text = fs.readFileSync(source, 'utf8');
    for (const match of text.matchAll(/#include\s+"([^"]+)"/g)) {
      if (match[1] === 'pc_trace.h') continue;
      for (const dir of [path.dirname(source), ...nf.includeDirs.map((d) => path.join(repoRoot, d))]) {
        const header = path.join(dir, match[1]!);
        if (fs.existsSync(header)) {
          files.add(header);
          break;
        }
      }
    }
  }
  let lines = 0;
  for (const file of files) lines += fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim().length > 0).length;
  return lines;
}

/**
 * The contract of the NF's packet handler, computed by `perfcontract contract --format json` in a
 * child process under the given time limit. A child process keeps the analyses of several NFs
 * apart: z3's WASM build has crashed the whole process (an out-of-bounds access in a z3 worker)
 * when one process analysed NFs one after the other, and a crash must not take the harness down.
 * A crashed analysis is retried once. The program is lowered here once more (no solver involved)
 * for the interpreter.
 */
export async function nfContract(nf: NfDefinition, options: { repoRoot: string; timeLimitMs?: number }): Promise<NfContract> {
  const timeLimitMs = options.timeLimitMs ?? nf.contractTimeLimitMs;
  const sources = nf.sources.map((s) => path.join(options.repoRoot, s));
  const includeDirs = nf.includeDirs.map((d) => path.join(options.repoRoot, d));
  const cli = path.join(options.repoRoot, 'bin', 'perfcontract.js');
  const args = [cli, 'contract', ...sources, '--entry', nf.entry, ...includeDirs.flatMap((d) => ['-I', d]), '--format', 'json', '--time-limit', String(timeLimitMs), ...(nf.modular ? ['--prefer-contracts'] : []), ...(nf.unrollLimit !== undefined ? ['--unroll', String(nf.unrollLimit)] : [])];
  let contract: FunctionContract | undefined;
  let milliseconds = 0;
  let failure = '';
  // A watchdog: the time limit bounds the exploration, the witness checks come on top. A stuck z3
  // call ends the child through its own watchdog (PC305); this one catches anything else. Either
  // is an intermittent failure of z3's WASM build, so the analysis runs once more.
  const watchdogMs = 2 * timeLimitMs + 60_000;
  for (let attempt = 0; attempt < 2 && !contract; attempt++) {
    const started = performance.now();
    const child = await runChild(process.execPath, args, watchdogMs);
    milliseconds = Math.round(performance.now() - started);
    if (child.timedOut) {
      failure = `perfcontract contract --time-limit ${timeLimitMs} did not finish within ${Math.round(watchdogMs / 1000)} s and was stopped`;
      continue;
    }
    if (child.status === 0) {
      try {
        const parsed = JSON.parse(child.stdout) as { functions: FunctionContract[] };
        contract = parsed.functions.find((c) => c.name === nf.entry);
        if (!contract) failure = `no contract for '${nf.entry}' in the output`;
      } catch (error) {
        failure = `unreadable contract JSON: ${(error as Error).message}`;
      }
    } else {
      failure = `perfcontract contract exited with ${child.status ?? child.signal ?? child.error}: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`;
    }
  }
  if (!contract) throw new MeasureError('analysis-failed', `${nf.name}: ${failure}`);
  const lowered = await lowerNf(nf, options.repoRoot);
  return { nf: nf.name, contract, ...lowered, milliseconds, linesOfC: linesOfC(nf, options.repoRoot) };
}

interface ChildResult { status: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean; error?: string }

/** Analyses still running: stopped when this process is interrupted, so that none is left behind. */
const runningChildren = new Set<ReturnType<typeof spawn>>();
let stopChildrenOnSignal = false;

/** Runs a process without blocking the event loop (so that several NFs' analyses can run side by side). */
function runChild(command: string, args: string[], timeoutMs: number): Promise<ChildResult> {
  if (!stopChildrenOnSignal) {
    stopChildrenOnSignal = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        for (const child of runningChildren) child.kill('SIGTERM');
        process.exit(130);
      });
    }
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    runningChildren.add(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      runningChildren.delete(child);
      resolve({ status: null, signal: null, stdout: '', stderr: '', timedOut, error: error.message });
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      runningChildren.delete(child);
      resolve({ status, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), timedOut });
    });
  });
}

/** Every metric's worst cost over the contract's classes with each PCV at its bound (unbounded ones at 1,000,000). */
export function worstCaseAtBounds(contract: FunctionContract): Record<IrMetric, number> {
  const bounds: Record<string, number> = {};
  for (const pcv of contract.pcvs) bounds[pcv.name] = pcv.bound ?? UNBOUNDED_PCV_VALUE;
  const worst = {} as Record<IrMetric, number>;
  for (const metric of contract.metrics) {
    let max = 0;
    for (const pathClass of contract.classes) {
      const formula = pathClass.cost[metric];
      if (formula === undefined) continue;
      const values = { ...bounds };
      for (const name of formulaPcvNames(formula)) if (values[name] === undefined) values[name] = UNBOUNDED_PCV_VALUE;
      max = Math.max(max, evaluateFormula(formula, values));
    }
    worst[metric] = max;
  }
  return worst;
}

/** A class's cost in a metric (IR or x86) at the PCV values of a run (PCVs the run did not count are 0). */
export function classCostAt(pathClass: PathClass, metric: IrMetric | string, pcv: Record<string, number>): number {
  const formula = (pathClass.cost as Record<string, string | undefined>)[metric];
  if (formula === undefined) throw new Error(`class ${pathClass.id} has no ${metric} cost`);
  const values: Record<string, number> = {};
  for (const name of formulaPcvNames(formula)) values[name] = pcv[name] ?? 0;
  return evaluateFormula(formula, values);
}

/** The NF's program lowered for the interpreter, with the declared contracts analyze() would use. */
export interface LoweredNf {
  program: IrProgram;
  declaredContracts: DeclaredContracts;
}

/** Lowers the NF's sources (no solver involved): the same lowering the analysis uses, so path identities agree. */
export async function lowerNf(nf: NfDefinition, repoRoot: string): Promise<LoweredNf> {
  const sources = nf.sources.map((s) => path.join(repoRoot, s));
  const includeDirs = nf.includeDirs.map((d) => path.join(repoRoot, d));
  const unit = await buildTranslationUnit(sources.map((p) => ({ path: p })), { includeDirs, defines: {} }, diskFileSystem);
  const lowered = lowerProgram(unit);
  // As analyze() does: contract files beside the main files or beside the headers they include.
  const folders = [...sources, ...[...unit.files.keys()].filter((p) => path.isAbsolute(p))].map((p) => path.dirname(p));
  const declared = loadDeclaredContracts([...new Set(folders)], [], (p) => diskFileSystem.readFile(p));
  bindDeclaredWrites(declared.contracts, outParameterOf(unit));
  return { program: lowered.program, declaredContracts: declared.contracts };
}

/** One packet's run in the interpreter session. */
export type InterpretedPacket = SequencedCall;

/**
 * Runs `nf.init` once, then every packet through the entry with the interpreter, each run starting
 * from the globals the previous one left. With `summarizeAfter` (a contract's unroll limit) each run
 * counts PCVs as the analysis summarised them and reports the path identity the analysis uses.
 */
export function interpretTrace(lowered: LoweredNf, nf: NfDefinition, packets: readonly TracePacket[], summarizeAfter?: number, fullUnrollLimit?: number): InterpretedPacket[] {
  const entry = lowered.program.functions.get(nf.entry);
  if (!entry) throw new MeasureError('analysis-failed', `${nf.name}: '${nf.entry}' was not lowered`);
  if (entry.params.length !== 4 || entry.params[0]!.type.kind === 'int') {
    throw new MeasureError('analysis-failed', `${nf.name}: '${nf.entry}' does not have the NF signature (pkt, len, port, now)`);
  }
  const calls = packets.map((packet) => packetCall(entry.params.map((p) => p.name), packet));
  try {
    return interpretSequence({ program: lowered.program, declaredContracts: lowered.declaredContracts, entry: nf.entry, init: nf.init, summarizeAfter, fullUnrollLimit, modular: nf.modular ?? false }, calls);
  } catch (error) {
    if (error instanceof SequenceError) throw new MeasureError('analysis-failed', `${nf.name}: ${error.message}`);
    throw error;
  }
}

/** The call of an NF entry (pkt, len, port, now) for one packet. */
export function packetCall(paramNames: string[], packet: TracePacket): Witness {
  const [pktParam, lenParam, portParam, nowParam] = paramNames as [string, string, string, string];
  return { args: { [lenParam]: packet.data.length, [portParam]: packet.port, [nowParam]: numberForJson(packet.timeNs) }, memory: { [pktParam]: bytesToHex(packet.data) }, pcv: {} };
}

/** The interpreter session of a trace, each packet placed in its class and predicted (see SessionPacket). */
export function runSession(nfc: NfContract, nf: NfDefinition, packets: readonly TracePacket[]): SessionPacket[] {
  const { contract } = nfc;
  const worst = worstCaseAtBounds(contract);
  const classByTrace = new Map<string, PathClass>();
  const memberByTrace = new Map<string, string>();
  for (const pathClass of contract.classes) {
    for (const trace of pathClass.traces) classByTrace.set(trace, pathClass);
    for (const member of pathClass.members ?? []) for (const trace of member.traces) memberByTrace.set(trace, member.id);
  }
  return interpretTrace(nfc, nf, packets, contract.unrollLimit, contract.fullUnrollLimit).map((run, index): SessionPacket => {
    const pathClass = classByTrace.get(run.pathKey);
    const memberId = memberByTrace.get(run.pathKey);
    const measured = {} as Record<IrMetric, number>;
    const predicted = {} as Record<IrMetric, number>;
    for (const metric of contract.metrics) {
      measured[metric] = run.cost[metric];
      predicted[metric] = pathClass ? classCostAt(pathClass, metric, run.pcv) : worst[metric];
    }
    const result: SessionPacket = { index, measured, predicted, pcv: run.pcv };
    if (pathClass) result.classId = pathClass.id;
    if (pathClass && memberId) result.memberId = memberId;
    if (run.error) result.error = run.error;
    else if (run.returnValue !== undefined) result.returnValue = run.returnValue;
    return result;
  });
}
