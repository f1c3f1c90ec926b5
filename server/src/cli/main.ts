// The perfcontract command line: prints contracts (`contract`), runs witnesses concretely (`run`), evaluates saved contracts (`predict`) and explains codes (`explain`).
import * as fs from 'fs';
import * as path from 'path';
import { analyze, AnalysisOptions, FileSystem } from '../core/analysis';
import { renderMarkdown } from '../core/contract/renderMarkdown';
import { DeclaredContractJson, declaredFromContract } from '../core/contract/deriveDeclared';
import { interpret } from '../core/interp/interpreter';
import { FunctionContract, runPathKey } from '../core/contract/contract';
import type { IrMetric } from '../core/cost/costModel';
import type { Witness } from '../core/contract/witness';
import { Reasons } from '../core/reasons';
import { DEFAULT_REGION_OPTIONS, RegionOptions } from '../core/ir/regionSize';
import { PREDICT_USAGE, runPredict } from './predict';
import { DISTILL_USAGE, runDistill } from './distill';
import { CHECK_USAGE, runCheck } from './check';
import { startWatchdog } from './watchdog';
import { CyclesModel, DEFAULT_CYCLES_MODEL, isX86Metric, X86Metric } from '../ground/ground';
import { groundForCli } from './groundCli';
import { CompilerFlags, emptyCompilerFlags, frontEndOptions, ignoredFlagsNote, readCompilerFlag } from './compilerFlags';
import { diagnosticLines } from './diagnosticLines';
import { CATALOGUE, catalogueEntry, explainText } from '../diagnosticCatalogue';

const USAGE = `usage:
  perfcontract contract FILE... [--entry NAME[,NAME...]] [--format json|md|pcontract] [--metrics LIST] [-I DIR] [-D NAME[=VALUE]]
                                [other gcc preprocessor flags: -U -isystem -iquote -idirafter -include -std=] [--verbose]
                                [--unroll N] [--full-unroll-limit N] [--max-paths N] [--time-limit MS] [--initial-globals NAME,...] [--array-elements N] [--init NAME] [--packet-max N]
                                [--solver-rlimit N] [--solver-timeout MS] [--adversarial-factor F]
                                [--contracts FILE.pcontract.json] [--prefer-contracts] [--inline | --inline-loops]
                                [--stall-limit MS] [--detail classes|paths] [--assume EXPR (with --entry; repeatable)]
                                x86 metrics (--metrics x86_instructions,x86_memory_accesses,cycles):
                                [--cflags "FLAGS"] [--compiler CC] [--init NAME] [--calibrate TRACE.pcap [--ports FILE]]
                                [--cycles-model cpi=N,l1=N,dram=N]
  perfcontract run FILE... --entry NAME --input WITNESS.json [--contract SAVED.json] [--format json|text] [-I DIR] [-D NAME[=VALUE]]
${PREDICT_USAGE}
${DISTILL_USAGE}
${CHECK_USAGE}
  perfcontract explain [CODE...]         what a diagnostic code (PC302, PG005, ...) means and what to do; every code without one
  perfcontract lsp --stdio|--node-ipc`;

export interface ParsedArguments {
  command: string;
  files: string[];
  entry?: string;
  /** Every --entry (repeated or comma-separated); \`run\` uses the first. */
  entries: string[];
  format?: string;
  input?: string;
  /** `run --contract SAVED.json`: the saved contract the run is placed in (no exploration). */
  contract?: string;
  /** Milliseconds the main thread may stay blocked before the watchdog ends the process (PC305). */
  stallLimitMs: number;
  options: Partial<AnalysisOptions>;
  /** x86 metrics asked for with --metrics, and how to compile and calibrate for them. */
  x86: { metrics: X86Metric[]; cflags?: string; compiler?: string; init?: string; calibrate?: string; ports?: string; cyclesModel: CyclesModel };
  /** gcc-style preprocessor flags (-I -isystem -iquote -idirafter -include -D -U -std=) and the ignored ones. */
  compilerFlags: CompilerFlags;
  /** Show every diagnostic inside headers (otherwise the first few per header and a count). */
  verbose: boolean;
  /** `paths`: the Markdown lists each merged class's path-level members (the JSON always has them). */
  detail: 'classes' | 'paths';
}

/** Default for --stall-limit: far above any legitimate synchronous step (parsing, one z3 call). */
const DEFAULT_STALL_LIMIT_MS = 60_000;

export const diskFileSystem: FileSystem = {
  readFile(filePath: string): string | undefined {
    try {
      return fs.readFileSync(filePath, 'utf8');
    } catch {
      return undefined;
    }
  },
};

export function parseArguments(argv: string[]): ParsedArguments {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') throw new UsageError(USAGE);
  const parsed: ParsedArguments = {
    command, files: [], entries: [], stallLimitMs: DEFAULT_STALL_LIMIT_MS, options: { includeDirs: [], defines: {} }, x86: { metrics: [], cyclesModel: { ...DEFAULT_CYCLES_MODEL } },
    compilerFlags: emptyCompilerFlags(), verbose: false, detail: 'classes',
  };
  const execution: Record<string, number> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--verbose') parsed.verbose = true;
    else if (arg === '--entry') parsed.entries.push(...value().split(',').map((e) => e.trim()).filter((e) => e));
    else if (arg === '--format') parsed.format = value();
    else if (arg === '--detail') {
      const detail = value();
      if (detail !== 'classes' && detail !== 'paths') throw new UsageError(`--detail takes 'classes' or 'paths', not '${detail}'\n${USAGE}`);
      parsed.detail = detail;
    }
    else if (arg === '--input') parsed.input = value();
    else if (arg === '--assume') {
      const expression = value().trim();
      if (!expression) throw new UsageError('--assume needs a C expression, such as --assume "port < RTE_MAX_ETHPORTS"');
      (parsed.options.assumptions ??= []).push(expression);
    }
    else if (arg === '--contract') parsed.contract = path.resolve(value());
    else if (arg === '--metrics') {
      const names = value().split(',').map((m) => m.trim()).filter((m) => m);
      parsed.x86.metrics = names.filter(isX86Metric);
      const ir = names.filter((m) => !isX86Metric(m)) as IrMetric[];
      // x86 formulas are grounded on both IR metrics, which the contract then shows too.
      parsed.options.metrics = parsed.x86.metrics.length > 0 ? [...new Set<IrMetric>([...ir, 'instructions', 'memory_accesses'])] : ir;
    } else if (arg === '--cflags') parsed.x86.cflags = value();
    else if (arg === '--compiler') parsed.x86.compiler = value();
    else if (arg === '--init') {
      // The init function runs before the analysis of every entry (its allocations are the state
      // handlers start from) and, with x86 metrics, once in the replay harness.
      parsed.x86.init = value();
      (execution as unknown as Record<string, string>).init = parsed.x86.init;
    }
    else if (arg === '--calibrate') parsed.x86.calibrate = path.resolve(value());
    else if (arg === '--ports') parsed.x86.ports = path.resolve(value());
    else if (arg === '--cycles-model') parsed.x86.cyclesModel = parseCyclesModel(value());
    else if (/^-(I|D|U|isystem|iquote|idirafter|include|std=)/.test(arg) || (arg.startsWith('-') && !arg.startsWith('--') && readCompilerFlag([arg, 'x'], 0, emptyCompilerFlags()) > 0)) {
      const used = readCompilerFlag(rest, i, parsed.compilerFlags);
      if (used === 0) throw new UsageError(`${arg} needs a value\n${USAGE}`);
      i += used - 1;
    } else if (arg === '--unroll') execution.unrollLimit = nonNegativeInteger(arg, value());
    else if (arg === '--full-unroll-limit') (execution as unknown as Record<string, number>).fullUnrollLimit = nonNegativeInteger(arg, value());
    else if (arg === '--packet-max') {
      const max = positiveInteger(arg, value());
      if (max > 65535) throw new UsageError(`--packet-max needs a byte count from 1 to 65535, got ${max}`);
      (execution as unknown as Record<string, number>).packetMaxLength = max;
    }
    else if (arg === '--max-paths') execution.maxPaths = positiveInteger(arg, value());
    else if (arg === '--time-limit') execution.timeLimitMs = positiveInteger(arg, value());
    else if (arg === '--stall-limit') parsed.stallLimitMs = positiveInteger(arg, value());
    else if (arg === '--contracts') (parsed.options.contractFiles ??= []).push(path.resolve(value()));
    else if (arg === '--adversarial-factor') {
      const factor = Number(value());
      if (!(factor > 1)) throw new UsageError(`--adversarial-factor needs a number above 1`);
      parsed.options.adversarialFactor = factor;
    } else if (arg === '--solver-rlimit') parsed.options.solverResourceLimit = positiveInteger(arg, value());
    else if (arg === '--solver-timeout') parsed.options.solverTimeoutMs = positiveInteger(arg, value());
    else if (arg === '--prefer-contracts') (execution as unknown as Record<string, boolean>).preferDeclaredContracts = true;
    // Callees are summarised by default (docs/summaries.md); --inline executes every call's body
    // instead, --inline-loops only the calls to callees with loops. The old switches are the default.
    else if (arg === '--inline') (execution as unknown as Record<string, boolean>).compositional = false;
    else if (arg === '--inline-loops') (execution as unknown as Record<string, boolean>).compositionalLoops = false;
    else if (arg === '--compositional' || arg === '--compositional-loops') continue;
    else if (arg === '--initial-globals') (execution as unknown as Record<string, string[]>).initialGlobals = value().split(',').map((g) => g.trim()).filter(Boolean);
    else if (arg === '--array-elements') (execution as unknown as Record<string, RegionOptions>).regions = { ...DEFAULT_REGION_OPTIONS, arrayElements: positiveInteger(arg, value()) };
    else if (arg === '--may-alias') {
      throw new UsageError('--may-alias is not supported: lazily created objects never alias each other or other memory (the contract states it in `assumptions`; see docs/limitations.md)');
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'\n${USAGE}`);
    else parsed.files.push(path.resolve(arg));
  }
  parsed.options.execution = execution as unknown as AnalysisOptions['execution'];
  const frontEnd = frontEndOptions(parsed.compilerFlags);
  parsed.options.includeDirs = frontEnd.includeDirs;
  parsed.options.defines = frontEnd.defines;
  parsed.options.frontEnd = frontEnd;
  if (parsed.entries.length > 0) {
    parsed.options.entries = parsed.entries;
    parsed.entry = parsed.entries[0];
  }
  if (parsed.options.assumptions && parsed.entries.length === 0) {
    throw new UsageError('--assume needs --entry: an assumption is written in the scope of the entry functions it is for (or write /*@ assume EXPR */ before the function)');
  }
  return parsed;
}

function parseCyclesModel(text: string): CyclesModel {
  const model = { ...DEFAULT_CYCLES_MODEL };
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p)) {
    const match = /^(cpi|l1|dram)=([0-9]+(?:\.[0-9]+)?)$/.exec(part);
    if (!match) throw new UsageError(`--cycles-model takes cpi=N,l1=N,dram=N (non-negative numbers), got '${part}'`);
    model[match[1] as keyof CyclesModel] = Number(match[2]);
  }
  if (model.dram < model.l1) throw new UsageError(`--cycles-model: dram (${model.dram}) must not be below l1 (${model.l1})`);
  return model;
}

function positiveInteger(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} needs a positive integer, got '${text}'`);
  return n;
}

function nonNegativeInteger(name: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${name} needs an integer >= 0, got '${text}'`);
  return Number(text);
}

export class UsageError extends Error {}

/** `perfcontract explain [CODE...]`: the catalogue's entries for the codes, or all of them. */
function runExplain(codes: string[], out: (text: string) => void, err: (text: string) => void): number {
  if (codes.length === 0) {
    for (const entry of CATALOGUE) out(`${entry.code}  ${entry.summary}`);
    return 0;
  }
  let unknown = 0;
  for (const code of codes) {
    const entry = catalogueEntry(code);
    if (entry) out(explainText(entry).trimEnd());
    else {
      err(`perfcontract: no code '${code}' (perfcontract explain lists them all)`);
      unknown++;
    }
  }
  return unknown === 0 ? 0 : 2;
}

export async function runCli(argv: string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  // predict reads a saved contract, not C files, so it parses its own options.
  if (argv[0] === 'predict') return runPredict(argv.slice(1), out, err);
  // distill takes the analysis options of contract plus its own (the trace), which it separates.
  if (argv[0] === 'distill') return runDistill(argv.slice(1), out, err, (rest) => parseArguments(['contract', ...rest]), diskFileSystem);
  if (argv[0] === 'check') return runCheck(argv.slice(1), out, err, (rest) => parseArguments(['contract', ...rest]), diskFileSystem);
  if (argv[0] === 'explain') return runExplain(argv.slice(1), out, err);
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out(USAGE);
    return 0;
  }
  let args: ParsedArguments;
  try {
    args = parseArguments(argv);
  } catch (error) {
    err((error as Error).message);
    return 2;
  }
  if (args.files.length === 0) {
    err(`no input file\n${USAGE}`);
    return 2;
  }
  for (const file of args.files) {
    if (!fs.existsSync(file)) {
      err(`perfcontract: cannot read '${file}'`);
      return 2;
    }
  }
  const files = args.files.map((p) => ({ path: p }));
  const watchdog = startWatchdog(args.stallLimitMs);
  try {
    if (args.command === 'contract') {
      const note = ignoredFlagsNote(args.compilerFlags);
      if (note) err(note);
      const result = await analyze(files, args.options, diskFileSystem);
      for (const line of diagnosticLines(result.diagnostics, args.files, args.verbose)) err(line);
      // A requested entry that could not be analysed is a failure, with its reason.
      const skipped = args.entries.filter((e) => !result.contracts.some((c) => c.name === e));
      for (const entry of skipped) {
        const reason = result.diagnostics.find((d) => d.functionName === entry);
        err(`perfcontract: '${entry}' was not analysed${reason ? `: ${Reasons[reason.reason].code} ${reason.message.replace(/\s*\n\s*/g, ' ')}` : ''}`);
      }
      if (args.x86.metrics.length > 0) groundForCli(result, args, err);
      if (args.format === 'json') out(JSON.stringify({ version: 1, functions: result.contracts }, null, 2));
      else if (!args.format || args.format === 'md') out(renderMarkdown(result.contracts, { detail: args.detail }));
      else if (args.format === 'pcontract') {
        // A contract file for callers analysed without these bodies (see docs/contract-format.md).
        const functions: Record<string, DeclaredContractJson> = {};
        for (const contract of result.contracts) {
          try {
            functions[contract.name] = declaredFromContract(contract);
          } catch (error) {
            err(`perfcontract: ${(error as Error).message}`);
            return 1;
          }
          if (!contract.complete) err(`perfcontract: warning: the contract of '${contract.name}' is incomplete; its declared costs bound the explored classes only`);
        }
        out(JSON.stringify({ version: 1, functions }, null, 2));
      } else throw new UsageError(`unknown format '${args.format}' (json, md or pcontract)`);
      return skipped.length > 0 ? 1 : 0;
    }
    if (args.command === 'run') {
      if (!args.entry || !args.input) throw new UsageError(`run needs --entry and --input\n${USAGE}`);
      const witness = JSON.parse(fs.readFileSync(args.input, 'utf8')) as Witness;
      // With a saved contract, the run is placed by its path identity in that contract's classes:
      // the sources are only parsed and lowered, never explored again.
      const saved = args.contract ? savedContract(args.contract, args.entry) : undefined;
      const result = await analyze(files, saved ? { ...args.options, lowerOnly: true } : args.options, diskFileSystem);
      if (saved && !result.program.functions.has(args.entry)) throw new Error(`no function named '${args.entry}' could be lowered in ${files.join(', ')}`);
      const contract = saved ?? result.contracts.find((c) => c.name === args.entry);
      const run = interpret(result.program, args.entry, {
        args: witness.args ?? {}, memory: witness.memory ?? {}, pcv: witness.pcv ?? {}, externals: witness.externals,
        heap: witness.heap, pointers: witness.pointers, externalPointers: witness.externalPointers, externalWrites: witness.externalWrites,
        ...(witness.packet ? { packet: witness.packet } : {}),
      }, { summarizeAfter: contract?.unrollLimit, fullUnrollLimit: contract?.fullUnrollLimit, declaredContracts: result.declaredContracts, preferDeclaredContracts: result.preferDeclaredContracts });
      const key = runPathKey(run);
      const matched = contract?.classes.find((c) => c.traces.includes(key));
      // In a merged class, the group of paths with one cost that the run took.
      const member = matched?.members?.find((m) => m.traces.includes(key));
      const returnValue = run.returnValue === undefined ? null : run.returnValue.kind === 'int' ? renderInt(run.returnValue.value, result.program.functions.get(args.entry)!) : run.returnValue.kind === 'null' ? 'NULL' : `&${run.returnValue.object}`;
      const report = {
        class: matched?.id ?? null,
        ...(member ? { member: member.id, memberCost: member.cost } : {}),
        return: returnValue,
        cost: Object.fromEntries((args.options.metrics ?? ['instructions', 'memory_accesses']).map((m) => [m, run.cost[m as IrMetric]])),
        pcv: run.pcv,
        ...(run.error ? { error: { code: Reasons[run.error.reason].code, reason: run.error.reason, message: run.error.message, line: run.error.range.startLine + 1 } } : {}),
      };
      if (args.format === 'json') out(JSON.stringify(report, null, 2));
      else {
        out(`class: ${report.class ?? '(no class of the contract matches this path)'}`);
        if (member) out(`member: ${member.id} (${Object.entries(member.cost).map(([m, f]) => `${m} ${f}`).join(', ')})`);
        out(`return: ${report.return}`);
        for (const [metric, value] of Object.entries(report.cost)) out(`${metric}: ${value}`);
        for (const [name, value] of Object.entries(report.pcv)) out(`pcv ${name}: ${value}`);
        if (run.error) out(`error: ${Reasons[run.error.reason].code} ${run.error.message} (line ${run.error.range.startLine + 1})`);
      }
      return 0;
    }
    throw new UsageError(`unknown command '${args.command}'\n${USAGE}`);
  } catch (error) {
    if (error instanceof UsageError) {
      err(error.message);
      return 2;
    }
    err(`perfcontract: ${(error as Error).message}`);
    return 1;
  } finally {
    watchdog.stop();
  }
}


function renderInt(value: bigint, fn: { returnSigned: boolean; returnWidth: number }): number | string {
  const v = fn.returnSigned ? BigInt.asIntN(fn.returnWidth, value) : value;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** Runs the CLI as a process: exits only after stdout has drained (z3's worker threads would keep it alive). */
export function main(argv: string[]): void {
  if (argv[0] === 'lsp') {
    // The language server runs until its client says exit; the transport is read from the arguments.
    if (argv.length !== 2 || (argv[1] !== '--stdio' && argv[1] !== '--node-ipc')) {
      process.stderr.write(`perfcontract lsp needs exactly one transport: --stdio or --node-ipc\n${USAGE}\n`);
      exitAfterFlush(2);
      return;
    }
    (require('../lsp/main') as typeof import('../lsp/main')).startServer();
    return;
  }
  runCli(argv, (t) => process.stdout.write(t + '\n'), (t) => process.stderr.write(t + '\n')).then(
    (code) => exitAfterFlush(code),
    (error) => {
      process.stderr.write(`perfcontract: internal error: ${(error as Error).stack}\n`);
      exitAfterFlush(1);
    },
  );
}

function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

if (require.main === module) main(process.argv.slice(2));

/** The entry's contract in a saved `contract --format json` output (usage error when it is not there). */
function savedContract(file: string, entry: string): FunctionContract {
  let functions: FunctionContract[] | undefined;
  try {
    functions = (JSON.parse(fs.readFileSync(file, 'utf8')) as { functions?: FunctionContract[] }).functions;
  } catch (error) {
    throw new UsageError(`--contract ${file}: not a readable JSON contract (${(error as Error).message})`);
  }
  const found = Array.isArray(functions) ? functions.find((f) => f.name === entry) : undefined;
  if (!found || !Array.isArray(found.classes)) throw new UsageError(`--contract ${file}: no contract for '${entry}' (save one with: perfcontract contract FILE --entry ${entry} --format json)`);
  return found;
}
