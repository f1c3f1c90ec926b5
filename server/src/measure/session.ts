// The interpreter-based session: nf_init, then every packet of a trace through `perfcontract run` semantics, carrying the globals from packet to packet.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { FunctionContract, PathClass } from '../core/contract/contract';
import { runPathKey } from '../core/contract/contract';
import { interpret } from '../core/interp/interpreter';
import { bytesToHex, numberForJson, Witness } from '../core/contract/witness';
import { evaluateFormula, formulaPcvNames } from '../core/cost/formula';
import { DEFAULT_EXECUTION_OPTIONS } from '../core/symex/executor';
import type { IrMetric } from '../core/cost/costModel';
import type { IrProgram } from '../core/ir/ir';
import { buildTranslationUnit } from '../core/syntax/translationUnit';
import { lowerProgram } from '../core/ir/lowerProgram';
import { DeclaredContracts, loadDeclaredContracts } from '../core/contract/declaredContracts';
import { MeasureError } from './measureError';
import { NfDefinition } from './nfRegistry';
import { TracePacket } from './traffic';

/** What the engine's convention uses for a PCV without a bound (see buildContract). */
export const UNBOUNDED_PCV_VALUE = 1_000_000;

export interface NfContract {
  nf: string;
  contract: FunctionContract;
  /** The lowered program the interpreter runs: the same lowering the analysis used, so path identities agree. */
  program: IrProgram;
  declaredContracts: DeclaredContracts;
  /** Wall-clock time of `perfcontract contract` for the entry (process start included). */
  milliseconds: number;
  /** Non-blank lines of the NF's C sources and the headers they include from the corpus. */
  linesOfC: number;
}

export interface SessionPacket {
  index: number;
  /** The class whose path identity the run has, if the contract has it. */
  classId?: string;
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
  const args = [cli, 'contract', ...sources, '--entry', nf.entry, ...includeDirs.flatMap((d) => ['-I', d]), '--format', 'json', '--time-limit', String(timeLimitMs)];
  let contract: FunctionContract | undefined;
  let milliseconds = 0;
  let failure = '';
  // A generous watchdog: the time limit bounds the exploration, the witness checks come on top.
  const watchdogMs = 5 * timeLimitMs + 120_000;
  for (let attempt = 0; attempt < 2 && !contract; attempt++) {
    const started = performance.now();
    const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 30, timeout: watchdogMs });
    milliseconds = Math.round(performance.now() - started);
    if (child.error && (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
      failure = `perfcontract contract --time-limit ${timeLimitMs} did not finish within ${Math.round(watchdogMs / 1000)} s and was stopped`;
      break; // a hang is not retried
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
      failure = `perfcontract contract exited with ${child.status ?? child.signal ?? child.error?.message}: ${String(child.stderr).trim().split('\n').slice(-3).join(' | ')}`;
    }
  }
  if (!contract) throw new MeasureError('analysis-failed', `${nf.name}: ${failure}`);
  const unit = await buildTranslationUnit(sources.map((p) => ({ path: p })), { includeDirs, defines: {} }, diskFileSystem);
  const lowered = lowerProgram(unit);
  // As analyze() does: contract files beside the main files or beside the headers they include.
  const folders = [...sources, ...[...unit.files.keys()].filter((p) => path.isAbsolute(p))].map((p) => path.dirname(p));
  const declared = loadDeclaredContracts([...new Set(folders)], [], (p) => diskFileSystem.readFile(p));
  return { nf: nf.name, contract, program: lowered.program, declaredContracts: declared.contracts, milliseconds, linesOfC: linesOfC(nf, options.repoRoot) };
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

/** A class's cost at the PCV values of a run (PCVs the run did not count are 0). */
export function classCostAt(pathClass: PathClass, metric: IrMetric, pcv: Record<string, number>): number {
  const formula = pathClass.cost[metric];
  if (formula === undefined) throw new Error(`class ${pathClass.id} has no ${metric} cost`);
  const values: Record<string, number> = {};
  for (const name of formulaPcvNames(formula)) values[name] = pcv[name] ?? 0;
  return evaluateFormula(formula, values);
}

/**
 * Runs `nf.init` once, then every packet through the entry with the interpreter, each run starting
 * from the globals the previous one left. Each run counts PCVs as the analysis summarised them
 * (`summarizeAfter` = the contract's unroll limit) and is placed in a class by its path identity.
 */
export function runSession(nfc: NfContract, nf: NfDefinition, packets: readonly TracePacket[]): SessionPacket[] {
  const { contract, program } = nfc;
  const entry = program.functions.get(nf.entry);
  if (!entry) throw new MeasureError('analysis-failed', `${nf.name}: '${nf.entry}' was not lowered`);
  if (entry.params.length !== 4 || entry.params[0]!.type.kind === 'int') {
    throw new MeasureError('analysis-failed', `${nf.name}: '${nf.entry}' does not have the NF signature (pkt, len, port, now)`);
  }
  const [pktParam, lenParam, portParam, nowParam] = entry.params.map((p) => p.name) as [string, string, string, string];
  const common = { regions: DEFAULT_EXECUTION_OPTIONS.regions, declaredContracts: nfc.declaredContracts, maxSteps: 100_000_000 };
  const init = interpret(program, nf.init, { args: {}, memory: {}, pcv: {} }, common);
  if (init.error) throw new MeasureError('analysis-failed', `${nf.name}: ${nf.init} failed in the interpreter: ${init.error.message}`);
  const globals = new Map<string, Uint8Array>();
  for (const name of program.globals.keys()) {
    const bytes = init.memory.get(name);
    if (bytes) globals.set(name, bytes);
  }
  const worst = worstCaseAtBounds(contract);
  const classByTrace = new Map<string, PathClass>();
  for (const pathClass of contract.classes) for (const trace of pathClass.traces) classByTrace.set(trace, pathClass);
  return packets.map((packet, index): SessionPacket => {
    const memory: Record<string, string> = { [pktParam]: bytesToHex(packet.data) };
    for (const [name, bytes] of globals) memory[name] = bytesToHex(bytes);
    const witness: Witness = { args: { [lenParam]: packet.data.length, [portParam]: packet.port, [nowParam]: numberForJson(packet.timeNs) }, memory, pcv: {} };
    const run = interpret(program, nf.entry, witness, { ...common, summarizeAfter: contract.unrollLimit });
    for (const name of globals.keys()) {
      const bytes = run.memory.get(name);
      if (bytes) globals.set(name, bytes);
    }
    const pathClass = classByTrace.get(runPathKey(run));
    const measured = {} as Record<IrMetric, number>;
    const predicted = {} as Record<IrMetric, number>;
    for (const metric of contract.metrics) {
      measured[metric] = run.cost[metric];
      predicted[metric] = pathClass ? classCostAt(pathClass, metric, run.pcv) : worst[metric];
    }
    const result: SessionPacket = { index, measured, predicted, pcv: { ...run.pcv } };
    if (pathClass) result.classId = pathClass.id;
    if (run.error) result.error = `${run.error.reason}: ${run.error.message}`;
    else if (run.returnValue?.kind === 'int') result.returnValue = Number(BigInt.asIntN(32, run.returnValue.value));
    return result;
  });
}
