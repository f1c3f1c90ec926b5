// `perfcontract predict`: evaluates the cost formulas of one path class of a saved contract (the JSON
// printed by `perfcontract contract --format json`) for given PCV values, without re-analysing the code.
import * as fs from 'fs';
import { evaluateFormula, formulaPcvNames, FormulaError, parseFormula } from '../core/cost/formula';
import { readWorkload, SelectableFunction, WorkloadError } from './workload';
import { predictWorkload, renderWorkloadPrediction } from './workloadPrediction';

export const PREDICT_USAGE = `  perfcontract predict CONTRACT.json --entry NAME --class ID|worst|best [--pcv NAME=VALUE,...] [--at-bounds] [--metrics LIST]
                       [--format json|text] [--clock-ghz F --cycles-per-instruction F]
  perfcontract predict CONTRACT.json --workload W.json [--entry NAME] [--metrics LIST] [--format json|text]
                       [--clock-ghz F [--cycles-per-instruction F]]`;

const USAGE = `usage:\n${PREDICT_USAGE}`;

/** The parts of a saved contract that predict reads. */
interface SavedClass { id: string; cost: Record<string, string>; outcome?: string; lowerBound?: boolean }
interface SavedFunction {
  name: string;
  metrics?: string[];
  pcvs: { name: string; description?: string; bound?: number }[];
  classes: SavedClass[];
  worstCase: { class: string } | null;
  bestCase: { class: string } | null;
}

interface PredictArguments {
  contract: string;
  /** Absent only with a workload, which then names the function. */
  entry?: string;
  /** Absent only with a workload. */
  classId?: string;
  workload?: string;
  pcv: Record<string, number>;
  metrics?: string[];
  format: 'json' | 'text';
  clockGhz?: Decimal;
  cyclesPerInstruction?: Decimal;
  /** PCVs without a --pcv value take their bound from the contract. */
  atBounds: boolean;
}

/** A non-negative decimal kept exact as numerator / 10^scale, so the packet rate is not off by one from rounding. */
interface Decimal { text: string; numerator: bigint; denominator: bigint }

class PredictUsageError extends Error {}
/** A problem with the contract or the request that is not a usage error (exit code 1). */
class PredictError extends Error {}

export function runPredict(argv: string[], out: (text: string) => void, err: (text: string) => void): number {
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    out(USAGE);
    return 0;
  }
  try {
    const args = parsePredictArguments(argv);
    if (args.workload !== undefined) return runWorkloadPrediction(args, out);
    const fn = findFunction(readContract(args.contract), args.entry!, args.contract);
    const cls = findClass(fn, args.classId!);
    if (args.atBounds) {
      for (const p of fn.pcvs) if (!hasOwn(args.pcv, p.name) && p.bound !== undefined) args.pcv[p.name] = p.bound;
    }
    const metrics = args.metrics ?? fn.metrics?.filter((m) => hasOwn(cls.cost, m)) ?? Object.keys(cls.cost);
    for (const metric of metrics) {
      if (!hasOwn(cls.cost, metric)) {
        throw new PredictError(`class ${cls.id} of '${fn.name}' has no metric '${metric}'; its metrics are: ${listOf(Object.keys(cls.cost))}`);
      }
    }
    const cost: Record<string, number> = Object.create(null);
    for (const metric of metrics) cost[metric] = evaluate(fn, cls, metric, args.pcv);
    let packetsPerSecond: number | undefined;
    if (args.clockGhz && args.cyclesPerInstruction) {
      if (!hasOwn(cls.cost, 'instructions')) {
        throw new PredictError(`packets per second needs the 'instructions' metric, but class ${cls.id} of '${fn.name}' has only: ${listOf(Object.keys(cls.cost))}`);
      }
      const instructions = hasOwn(cost, 'instructions') ? cost.instructions! : evaluate(fn, cls, 'instructions', args.pcv);
      packetsPerSecond = packetRate(args.clockGhz, args.cyclesPerInstruction, instructions, cls.id);
    }
    const declared = new Set([...fn.pcvs.map((p) => p.name), ...fn.classes.flatMap((c) => Object.values(c.cost).flatMap(pcvNamesOf))]);
    for (const name of Object.keys(args.pcv)) {
      if (!declared.has(name)) err(`perfcontract: note: '${fn.name}' has no PCV named '${name}'; the value is ignored`);
    }
    if (cls.outcome === 'incomplete') err(`perfcontract: note: class ${cls.id} is incomplete; its cost only covers the path up to where the analysis stopped`);
    if (cls.lowerBound) err(`perfcontract: note: class ${cls.id} calls functions without a body; its cost is a lower bound`);

    if (args.format === 'json') {
      const report: Record<string, unknown> = { entry: fn.name, class: cls.id, pcv: args.pcv, cost };
      if (packetsPerSecond !== undefined) report.packetsPerSecond = packetsPerSecond;
      out(JSON.stringify(report, null, 2));
    } else {
      out(`class: ${cls.id}`);
      for (const [metric, value] of Object.entries(cost)) out(`${metric}: ${value}`);
      if (packetsPerSecond !== undefined) out(`packets_per_second: ${packetsPerSecond}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof PredictUsageError) {
      err(`perfcontract predict: ${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof PredictError || error instanceof FormulaError || error instanceof WorkloadError) {
      err(`perfcontract predict: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** `predict --workload`: the workload's statistics per packet and, with a clock, its packets per second. */
function runWorkloadPrediction(args: PredictArguments, out: (text: string) => void): number {
  const workload = readWorkload(args.workload!);
  const document = readContract(args.contract);
  let entry = args.entry;
  if (entry === undefined) {
    const names = Object.keys(workload.functions);
    if (names.length !== 1) throw new PredictUsageError(`the workload describes ${names.length} functions (${listOf(names)}): pick one with --entry NAME`);
    entry = names[0]!;
  }
  const wf = workload.functions[entry];
  if (!wf) throw new PredictError(`the workload '${args.workload}' has nothing for '${entry}'; it describes: ${listOf(Object.keys(workload.functions))}`);
  const fn = selectableFunction(findFunction(document, entry, args.contract), args.contract);
  const prediction = predictWorkload(fn, wf, {
    metrics: args.metrics,
    clockGhz: args.clockGhz ? decimalValue(args.clockGhz) : undefined,
    cyclesPerInstruction: args.cyclesPerInstruction ? decimalValue(args.cyclesPerInstruction) : undefined,
  });
  const name = workload.name ?? args.workload!;
  if (args.format === 'json') out(JSON.stringify({ workload: name, ...prediction }, null, 2));
  else out(renderWorkloadPrediction(prediction, name));
  return 0;
}

function decimalValue(decimal: Decimal): number {
  return Number(decimal.numerator) / Number(decimal.denominator);
}

/** The function with the class fields selectors read, checked for shape (a class without them matches only by id). */
function selectableFunction(fn: SavedFunction, file: string): SelectableFunction {
  for (const cls of fn.classes as unknown as Record<string, unknown>[]) {
    const bad = (field: string) => new PredictError(`'${file}' is not a perfcontract contract: class ${String(cls.id)} of '${fn.name}' has a malformed '${field}'`);
    if (cls.traces !== undefined && (!Array.isArray(cls.traces) || cls.traces.some((t) => typeof t !== 'string'))) throw bad('traces');
    if (cls.returns !== undefined && (!Array.isArray(cls.returns) || cls.returns.some((t) => typeof t !== 'string'))) throw bad('returns');
    if (cls.decisions !== undefined && (!Array.isArray(cls.decisions) || cls.decisions.some((d) => !isObject(d) || typeof d.text !== 'string'))) throw bad('decisions');
    if (cls.reason !== undefined && (!isObject(cls.reason) || typeof cls.reason.code !== 'string')) throw bad('reason');
  }
  return fn as unknown as SelectableFunction;
}

function parsePredictArguments(argv: string[]): PredictArguments {
  const files: string[] = [];
  let entry: string | undefined;
  let classId: string | undefined;
  let workload: string | undefined;
  let metrics: string[] | undefined;
  let format: string | undefined;
  let clockGhz: Decimal | undefined;
  let cyclesPerInstruction: Decimal | undefined;
  const pcv: Record<string, number> = Object.create(null);
  let atBounds = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new PredictUsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--entry') entry = value();
    else if (arg === '--class') classId = value();
    else if (arg === '--workload') workload = value();
    else if (arg === '--format') format = value();
    else if (arg === '--metrics') {
      metrics = value().split(',').map((m) => m.trim());
      if (metrics.some((m) => m === '')) throw new PredictUsageError(`--metrics needs a comma-separated list of metric names`);
    } else if (arg === '--pcv') Object.assign(pcv, parsePcvs(value(), pcv));
    else if (arg === '--at-bounds') atBounds = true;
    else if (arg === '--clock-ghz') clockGhz = positiveDecimal(arg, value());
    else if (arg === '--cycles-per-instruction') cyclesPerInstruction = positiveDecimal(arg, value());
    else if (arg === '--input') throw new PredictUsageError(`--input is not supported by predict (use 'perfcontract run' to place a witness in its class)`);
    else if (arg.startsWith('-')) throw new PredictUsageError(`unknown option '${arg}'`);
    else files.push(arg);
  }
  if (files.length === 0) throw new PredictUsageError('no contract file (save one with: perfcontract contract FILE... --format json > CONTRACT.json)');
  if (files.length > 1) throw new PredictUsageError(`predict reads one contract file, got ${files.length}: ${files.join(', ')}`);
  if (format !== undefined && format !== 'json' && format !== 'text') throw new PredictUsageError(`unknown format '${format}' (json or text)`);
  if (workload !== undefined) {
    // A workload gives the classes and the PCVs: a class or PCV values of their own would be ignored.
    if (classId !== undefined) throw new PredictUsageError('--workload and --class do not go together: the workload gives the mix of classes');
    if (Object.keys(pcv).length > 0 || atBounds) throw new PredictUsageError('--workload gives the PCV distributions: --pcv and --at-bounds do not go with it');
    if (cyclesPerInstruction !== undefined && clockGhz === undefined) throw new PredictUsageError('--cycles-per-instruction needs --clock-ghz (packets per second)');
    return { contract: files[0]!, entry, workload, pcv, metrics, format: format ?? 'text', clockGhz, cyclesPerInstruction, atBounds };
  }
  if (!entry) throw new PredictUsageError('predict needs --entry NAME');
  if (!classId) throw new PredictUsageError('predict needs --class ID (a class id such as C3, or worst, or best), or --workload W.json');
  if ((clockGhz === undefined) !== (cyclesPerInstruction === undefined)) {
    throw new PredictUsageError('--clock-ghz and --cycles-per-instruction go together: packets per second needs both');
  }
  return { contract: files[0]!, entry, classId, pcv, metrics, format: format ?? 'text', clockGhz, cyclesPerInstruction, atBounds };
}

/** `n=5,t=3`: each value a non-negative decimal safe integer; a name given twice must keep its value. */
function parsePcvs(text: string, already: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = Object.create(null);
  for (const item of text.split(',')) {
    const trimmed = item.trim();
    const eq = trimmed.lastIndexOf('=');
    if (eq <= 0) throw new PredictUsageError(`--pcv needs NAME=VALUE pairs separated by commas, got '${trimmed}'`);
    const name = trimmed.slice(0, eq).trim();
    const valueText = trimmed.slice(eq + 1).trim();
    const value = Number(valueText);
    if (!/^[0-9]+$/.test(valueText) || !Number.isSafeInteger(value)) {
      throw new PredictUsageError(`the value of PCV '${name}' must be a non-negative integer up to ${Number.MAX_SAFE_INTEGER}, got '${valueText}'`);
    }
    const previous = result[name] ?? already[name];
    if (previous !== undefined && previous !== value) throw new PredictUsageError(`PCV '${name}' is given twice, as ${previous} and ${value}`);
    result[name] = value;
  }
  return result;
}

function positiveDecimal(option: string, text: string): Decimal {
  const match = /^([0-9]*)(?:\.([0-9]*))?$/.exec(text.trim());
  if (!match || (match[1] === '' && !match[2])) throw new PredictUsageError(`${option} needs a positive number such as 2.5, got '${text}'`);
  const fraction = match[2] ?? '';
  const numerator = BigInt((match[1] || '0') + fraction);
  if (numerator === 0n) throw new PredictUsageError(`${option} must be greater than 0, got '${text}'`);
  return { text, numerator, denominator: 10n ** BigInt(fraction.length) };
}

/** floor(clock_hz / (instructions * cpi)), computed exactly. */
function packetRate(clockGhz: Decimal, cpi: Decimal, instructions: number, classId: string): number {
  if (instructions <= 0) throw new PredictError(`class ${classId} costs ${instructions} instructions, so packets per second is not defined`);
  const numerator = clockGhz.numerator * 1_000_000_000n * cpi.denominator;
  const denominator = clockGhz.denominator * BigInt(instructions) * cpi.numerator;
  const rate = numerator / denominator;
  if (rate > BigInt(Number.MAX_SAFE_INTEGER)) throw new PredictError(`packets per second (${rate}) is beyond ${Number.MAX_SAFE_INTEGER}`);
  return Number(rate);
}

function readContract(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new PredictError(`cannot read contract file '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PredictError(`'${file}' is not valid JSON (${(error as Error).message}); save a contract with: perfcontract contract FILE... --format json > CONTRACT.json`);
  }
}

/** Checks just enough of the document's shape that every later access is safe, then finds the function. */
function findFunction(document: unknown, entry: string, file: string): SavedFunction {
  const invalid = (what: string): never => {
    throw new PredictError(`'${file}' is not a perfcontract contract: ${what}`);
  };
  if (!isObject(document)) return invalid('the document is not a JSON object');
  if (document.version !== 1) return invalid(`unsupported version ${JSON.stringify(document.version)} (this predict reads version 1)`);
  if (!Array.isArray(document.functions)) return invalid(`'functions' is not an array`);
  const functions = document.functions as unknown[];
  functions.forEach((f, i) => {
    if (!isObject(f) || typeof f.name !== 'string') invalid(`functions[${i}] has no 'name'`);
  });
  const found = (functions as Record<string, unknown>[]).find((f) => f.name === entry);
  if (!found) {
    const names = (functions as { name: string }[]).map((f) => f.name);
    throw new PredictError(`no function named '${entry}' in '${file}'; ${names.length === 0 ? 'the contract has no functions' : `the entries are: ${listOf(names)}`}`);
  }
  const where = `function '${entry}'`;
  if (!Array.isArray(found.classes)) return invalid(`${where} has no 'classes' array`);
  (found.classes as unknown[]).forEach((c, i) => {
    if (!isObject(c) || typeof c.id !== 'string') return invalid(`class ${i + 1} of ${where} has no 'id'`);
    if (!isObject(c.cost)) return invalid(`class ${c.id} of ${where} has no 'cost' object`);
    for (const [metric, formula] of Object.entries(c.cost)) {
      if (typeof formula !== 'string') invalid(`the ${metric} cost of class ${c.id} of ${where} is not a formula string`);
    }
  });
  const pcvs = found.pcvs === undefined ? [] : found.pcvs;
  if (!Array.isArray(pcvs) || pcvs.some((p) => !isObject(p) || typeof p.name !== 'string')) return invalid(`${where} has a malformed 'pcvs' list`);
  const metrics = found.metrics;
  if (metrics !== undefined && (!Array.isArray(metrics) || metrics.some((m) => typeof m !== 'string'))) return invalid(`${where} has a malformed 'metrics' list`);
  const caseOf = (key: 'worstCase' | 'bestCase'): { class: string } | null => {
    const value = found[key];
    if (value === undefined || value === null) return null;
    if (!isObject(value) || typeof value.class !== 'string') return invalid(`${where} has a malformed '${key}'`);
    return { class: value.class };
  };
  return {
    name: entry,
    metrics: metrics as string[] | undefined,
    pcvs: pcvs as SavedFunction['pcvs'],
    classes: found.classes as SavedClass[],
    worstCase: caseOf('worstCase'),
    bestCase: caseOf('bestCase'),
  };
}

function findClass(fn: SavedFunction, requested: string): SavedClass {
  let id = requested;
  if (requested === 'worst' || requested === 'best') {
    const chosen = requested === 'worst' ? fn.worstCase : fn.bestCase;
    if (!chosen) throw new PredictError(`'${fn.name}' has no ${requested} case${fn.classes.length === 0 ? ' (it has no classes)' : requested === 'best' ? ' (no class returns)' : ''}`);
    id = chosen.class;
  }
  const cls = fn.classes.find((c) => c.id === id);
  if (!cls) {
    const ids = fn.classes.map((c) => c.id);
    const suffix = requested === id ? '' : ` (its ${requested} case)`;
    throw new PredictError(`'${fn.name}' has no class '${id}'${suffix}; ${ids.length === 0 ? 'it has no classes' : `its classes are: ${listOf(ids)}, or worst, or best`}`);
  }
  return cls;
}

function evaluate(fn: SavedFunction, cls: SavedClass, metric: string, pcv: Record<string, number>): number {
  const formula = cls.cost[metric]!;
  let node;
  try {
    node = parseFormula(formula);
  } catch (error) {
    throw new PredictError(`the ${metric} cost of class ${cls.id} of '${fn.name}' is not a valid formula: ${(error as Error).message}`);
  }
  try {
    return evaluateFormula(node, pcv);
  } catch (error) {
    if (error instanceof FormulaError && error.missing) {
      const needed = formulaPcvNames(node);
      const declared = fn.pcvs.length === 0 ? '' : `; the PCVs of '${fn.name}' are: ${fn.pcvs.map((p) => (p.description ? `${p.name} (${p.description})` : p.name)).join(', ')}`;
      throw new PredictError(
        `class ${cls.id} of '${fn.name}' needs a value for ${error.missing.map((m) => `'${m}'`).join(', ')} (its ${metric} cost is ${formula}, which uses ${listOf(needed)}); ` +
        `pass --pcv ${error.missing.map((m) => `${m}=VALUE`).join(',')}${fn.pcvs.some((p) => p.bound !== undefined) ? ' (or --at-bounds for the bounded ones)' : ''}${declared}`,
      );
    }
    throw new PredictError(`cannot evaluate the ${metric} cost of class ${cls.id} of '${fn.name}' (${formula}): ${(error as Error).message}`);
  }
}

function pcvNamesOf(formula: string): string[] {
  try {
    return formulaPcvNames(formula);
  } catch {
    return [];
  }
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listOf(items: string[]): string {
  return items.join(', ');
}
