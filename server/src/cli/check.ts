// `perfcontract check`: a CI gate over contracts: budgets, new adversarial behaviour and growth against a baseline (a git revision or a saved contract), as text, SARIF 2.1.0 or Markdown.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, AnalysisOptions, FileSystem } from '../core/analysis';
import type { FunctionContract, PathClass } from '../core/contract/contract';
import { Reasons } from '../core/reasons';
import { compareMetric, DEFAULT_GROWTH_PERCENT, extractRevision, figures, formatDelta, gitRoot, isSavedContractSpec, readSavedContracts } from './baseline';
import { Budget, BudgetError, BudgetsFile, budgetsFor, readBudgetsFile, readSettingsBudgets, typicalPcvValues } from './budgets';
import type { AnalysisArguments } from './distill';
import { SarifFinding, SarifRule, toSarif } from './sarif';
import { startWatchdog } from './watchdog';
export { degreeOf } from './baseline';
import { resolveSelector } from './workload';

export const CHECK_USAGE = `  perfcontract check FILE... [--entry NAME[,NAME...]] [--budgets budgets.json] [--settings settings.json]
                     [--baseline REV|CONTRACT.json] [--growth-percent P] [--format text|sarif|markdown]
                     [--sarif OUT.sarif] [--markdown OUT.md] [analysis options of contract]`;

/** The rules of `check`, with stable ids. */
export const CHECK_RULES = {
  'budget-exceeded': { id: 'PCK001', name: 'BudgetExceeded', level: 'error', summary: 'A function\'s worst case is over its budget.', help: 'The worst class\'s cost (with every PCV at its bound, or at the typical PCV values for a typical budget) is above the budget from a /*@ budget METRIC <= N */ annotation, budgets.json or the perfcontract.budgets setting. Make that path cheaper, bound its loops tighter, or raise the budget.' },
  'new-adversarial': { id: 'PCK002', name: 'NewAdversarialBehaviour', level: 'error', summary: 'A class the contract marks adversarial has no adversarial counterpart in the baseline.', help: 'Packet contents can now drive the function into a class far above its common case, and the baseline had no such class for the same behaviour (path identity, decisions, returns, outcome). Check the new branch or loop, bound it, or accept it by updating the baseline.' },
  'worst-case-grew': { id: 'PCK003', name: 'WorstCaseGrew', level: 'error', summary: 'A function\'s worst case grew against the baseline by more than the allowed percentage.', help: 'Compared with the baseline revision\'s contract of the same function, the worst class\'s cost with every PCV at its bound, or at the typical PCV values, grew by more than --growth-percent (default 5%).' },
  'formula-grew': { id: 'PCK004', name: 'FormulaGrew', level: 'error', summary: 'A function\'s cost formula gained a PCV degree or an unbounded PCV.', help: 'A class now costs a higher power of its PCVs (a new nested loop, a loop around a data-structure call), or the worst case now grows with a PCV that has no bound: the growth is not a constant, and no percentage shows it.' },
  'incomplete-contract': { id: 'PCK005', name: 'IncompleteContract', level: 'warning', summary: 'The contract is incomplete: the check covers the explored paths only.', help: 'The analysis stopped before covering every path (a time or path limit, a solver timeout, a construct it cannot follow). Raise the limits (--time-limit, --max-paths) so that the gate sees every path.' },
  'bad-budget': { id: 'PCK006', name: 'BadBudget', level: 'warning', summary: 'A budget annotation does not parse or names an unknown metric.', help: 'Write budgets as /*@ budget METRIC <= N */ with METRIC one of instructions, memory_accesses, x86_instructions, x86_memory_accesses, cycles.' },
} as const satisfies Record<string, Omit<SarifRule, 'id'> & { id: string }>;

export type CheckRule = keyof typeof CHECK_RULES;

export interface CheckFinding extends SarifFinding { rule: CheckRule; functionName: string }

/** One row of the comparison table: a function and metric, now and in the baseline. */
export interface CheckRow {
  functionName: string;
  metric: string;
  worst: number;
  typical: number;
  degree: number;
  baseline?: { worst: number; typical: number; degree: number };
  budgets: Budget[];
}

export interface CheckReport { findings: CheckFinding[]; rows: CheckRow[]; baseline?: string }

class CheckUsageError extends Error {}
/** The check could not run (exit code 3, code PW004): an unusable baseline, a git failure, an analysis that cannot start. */
class CheckError extends Error {
  constructor(message: string) {
    super(`PW004 cannot-check: ${message}`);
  }
}

export async function runCheck(
  argv: string[], out: (text: string) => void, err: (text: string) => void,
  parseAnalysis: (argv: string[]) => AnalysisArguments, fileSystem: FileSystem,
): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    out(`usage:\n${CHECK_USAGE}`);
    return 0;
  }
  try {
    const own: Record<string, string> = {};
    const rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (['--budgets', '--settings', '--baseline', '--growth-percent', '--sarif', '--markdown'].includes(arg) || (arg === '--format')) {
        const value = argv[++i];
        if (value === undefined) throw new CheckUsageError(`${arg} needs a value`);
        own[arg.slice(2)] = value;
      } else rest.push(arg);
    }
    const format = own.format ?? 'text';
    if (!['text', 'sarif', 'markdown'].includes(format)) throw new CheckUsageError(`unknown format '${format}' (text, sarif or markdown)`);
    let growthPercent = DEFAULT_GROWTH_PERCENT;
    if (own['growth-percent'] !== undefined) {
      growthPercent = Number(own['growth-percent']);
      if (!/^[0-9]+(\.[0-9]+)?$/.test(own['growth-percent']) || !Number.isFinite(growthPercent)) throw new CheckUsageError(`--growth-percent needs a number >= 0, got '${own['growth-percent']}'`);
    }
    const analysis = parseAnalysis(rest);
    if (analysis.files.length === 0) throw new CheckUsageError('no C file to check');
    const budgetsFile = own.budgets !== undefined ? readBudgetsFile(own.budgets) : undefined;
    const settingsFile = own.settings ?? (fs.existsSync(path.join('.vscode', 'settings.json')) ? path.join('.vscode', 'settings.json') : undefined);
    const settings = settingsFile ? readSettingsBudgets(settingsFile) : {};

    const watchdog = startWatchdog(analysis.stallLimitMs);
    let current: FunctionContract[];
    let annotations: Map<string, string[]>;
    let baseline: FunctionContract[] | undefined;
    try {
      // An analysis that cannot run (an --entry that names no function) is a check that cannot run.
      const result = await analyze(analysis.files.map((p) => ({ path: p })), analysis.options, fileSystem).catch((error: Error) => {
        throw new CheckError(error.message);
      });
      for (const d of result.diagnostics) err(`${path.relative(process.cwd(), d.file) || d.file}:${d.startLine + 1}:${d.startColumn + 1}: ${Reasons[d.reason].code} ${d.message}`);
      current = result.contracts;
      annotations = new Map([...result.program.functions.values()].map((f) => [f.name, f.annotations]));
      if (own.baseline !== undefined) {
        baseline = await baselineContracts(own.baseline, analysis.files, analysis.options, fileSystem).catch((error: Error) => {
          throw new CheckError(error.message);
        });
      }
    } finally {
      watchdog.stop();
    }
    const report = checkContracts({ contracts: current, annotations, budgetsFile, settings, baseline, growthPercent });
    report.baseline = own.baseline;
    const root = gitRoot(path.dirname(analysis.files[0]!)) ?? process.cwd();
    const sarif = () => JSON.stringify(toSarif(report.findings, Object.values(CHECK_RULES), { root, version: toolVersion() }), null, 2);
    const markdown = () => renderCheckMarkdown(report, root);
    if (own.sarif) fs.writeFileSync(own.sarif, sarif() + '\n');
    if (own.markdown) fs.writeFileSync(own.markdown, markdown() + '\n');
    if (format === 'sarif') out(sarif());
    else if (format === 'markdown') out(markdown());
    else out(renderCheckText(report));
    return report.findings.some((f) => f.level === 'error') ? 1 : 0;
  } catch (error) {
    if (error instanceof CheckUsageError) {
      err(`perfcontract check: ${error.message}\nusage:\n${CHECK_USAGE}`);
      return 2;
    }
    if (error instanceof CheckError || error instanceof BudgetError) {
      err(`perfcontract check: ${error.message}`);
      return 3;
    }
    if (error instanceof Error && error.constructor.name === 'UsageError') {
      err(error.message);
      return 2;
    }
    throw error;
  }
}

export interface CheckInputs {
  contracts: FunctionContract[];
  /** The `/*@ ... *\/` annotations before each function. */
  annotations: Map<string, string[]>;
  budgetsFile?: BudgetsFile;
  settings: Record<string, number>;
  baseline?: FunctionContract[];
  growthPercent: number;
}

/** The findings and the comparison rows of the contracts (pure: no files, no processes). */
export function checkContracts(inputs: CheckInputs): CheckReport {
  const findings: CheckFinding[] = [];
  const rows: CheckRow[] = [];
  for (const contract of inputs.contracts) {
    const at = { file: contract.file, line: contract.range.startLine + 1, column: contract.range.startColumn + 1 };
    const add = (rule: CheckRule, message: string, about: string, where: { file: string; line: number; column: number } = at) => {
      findings.push({ rule, ruleId: CHECK_RULES[rule].id, level: CHECK_RULES[rule].level, message, ...where, functionName: contract.name, fingerprint: fingerprint(contract.name, rule, about) });
    };
    const { budgets, problems } = budgetsFor(contract.name, inputs.annotations.get(contract.name) ?? [], inputs.budgetsFile, inputs.settings);
    for (const problem of problems) add('bad-budget', problem, problem);
    if (!contract.complete) {
      add('incomplete-contract', `the contract of '${contract.name}' is incomplete (${contract.incompleteReasons.map((r) => r.code).join(', ') || 'no reason recorded'}); the check covers its explored paths only`, 'incomplete');
    }
    const base = inputs.baseline?.find((c) => c.name === contract.name);
    const typical = typicalPcvValues(contract.name, contract.pcvs.map((p) => p.name), inputs.budgetsFile);
    const baseTypical = base ? typicalPcvValues(base.name, base.pcvs.map((p) => p.name), inputs.budgetsFile) : {};
    for (const metric of contract.metrics) {
      const now = figures(contract, metric, typical);
      const row: CheckRow = { functionName: contract.name, metric, worst: now.worst.value, typical: now.typical.value, degree: now.degree, budgets: budgets.filter((b) => b.metric === metric) };
      if (base && base.metrics.includes(metric)) {
        const comparison = compareMetric(contract, base, metric, { growthPercent: inputs.growthPercent, typical, baseTypical });
        const then = comparison.then;
        row.baseline = { worst: then.worst.value, typical: then.typical.value, degree: then.degree };
        for (const { kind, before, after } of comparison.grew) {
          const what = kind === 'worst' ? 'with every PCV at its bound' : 'at the typical PCV values';
          add('worst-case-grew', `the worst case of '${contract.name}' ${what} grew from ${before} to ${after} ${metric} (${formatDelta(before, after)}, class ${now[kind].classId}), more than the ${inputs.growthPercent}% allowed`, `${kind}:${metric}`);
        }
        if (comparison.degreeGrew) {
          add('formula-grew', `the cost of '${contract.name}' in ${metric} is now of degree ${now.degree} in its PCVs (was ${then.degree}): class ${now.degreeClass} costs ${now.degreeFormula}`, `degree:${metric}`);
        }
        if (comparison.becameUnbounded) {
          add('formula-grew', `the worst case of '${contract.name}' in ${metric} now grows without bound (class ${now.worst.classId}: a PCV without a bound); it was ${then.worst.value}`, `unbounded:${metric}`);
        }
      }
      for (const budget of row.budgets) {
        const value = budget.at === 'worst' ? now.worst : now.typical;
        if (value.value <= budget.limit) continue;
        const where = budget.source === 'annotation' ? 'its budget annotation' : budget.source === 'budgets file' ? 'the budgets file' : 'the perfcontract.budgets setting';
        const shown = value.value === Infinity ? 'grows without bound (a PCV has no bound)' : `costs ${value.value} ${metric}${budget.at === 'worst' ? ' with every PCV at its bound' : ' at the typical PCV values'}`;
        add('budget-exceeded', `'${contract.name}' exceeds its ${budget.at === 'typical' ? 'typical ' : ''}budget of ${budget.limit} ${metric} (from ${where}): its worst case, class ${value.classId}, ${shown}`, `budget:${budget.at}:${metric}`);
      }
      rows.push(row);
    }
    if (base) {
      const fresh = contract.classes.filter((c) => c.adversarial && !hasAdversarialCounterpart(c, base));
      if (fresh.length > 0) {
        const shown = fresh.slice(0, 3).map((c) => `${c.id} (${describeClass(c)})`).join('; ');
        // At the condition that lets packets select the first one: where a reviewer looks.
        const driver = fresh[0]!.adversarial!.drivenBy.at(-1);
        add('new-adversarial', `'${contract.name}' has ${fresh.length} adversarial class${fresh.length > 1 ? 'es' : ''} with no adversarial counterpart in the baseline: ${shown}${fresh.length > 3 ? `; and ${fresh.length - 3} more` : ''}`,
          `adversarial:${fresh.map((c) => c.traces[0] ?? c.id).sort().join(',')}`, driver ? { file: driver.file, line: driver.line, column: 1 } : at);
      }
    }
  }
  return { findings, rows };
}

/** Whether the baseline has an adversarial class for the same behaviour (resolved as a workload selector would be). */
function hasAdversarialCounterpart(cls: PathClass, base: FunctionContract): boolean {
  const selector = { path: cls.traces, decisions: cls.decisions.map((d) => d.text), outcome: cls.outcome, ...(cls.returns.length > 0 ? { returns: cls.returns } : {}) };
  const resolved = resolveSelector(base, selector);
  return resolved.classes.some((c) => Boolean(c.adversarial));
}

function describeClass(cls: PathClass): string {
  const driven = cls.adversarial?.drivenBy.slice(-2).map((d) => d.text).join(', ');
  return `${cls.outcome === 'return' ? `returns ${cls.returns.join('|') || 'nothing'}` : cls.outcome}, factor ${cls.adversarial?.factor}${driven ? `, driven by ${driven}` : ''}`;
}

/**
 * The contracts of the baseline: a saved contract (`contract --format json`), or the same files
 * at a git revision, analysed with the same options in the revision's extracted folder.
 */
export async function baselineContracts(spec: string, files: string[], options: Partial<AnalysisOptions>, fileSystem: FileSystem): Promise<FunctionContract[]> {
  if (isSavedContractSpec(spec)) return readSavedContracts(spec);
  const revision = extractRevision(spec, { files, includeDirs: options.includeDirs, contractFiles: options.contractFiles });
  try {
    const moved = files.map(revision.moved).filter((f) => fs.existsSync(f));
    if (moved.length === 0) return [];
    const baselineOptions: Partial<AnalysisOptions> = {
      ...options,
      includeDirs: (options.includeDirs ?? []).map(revision.moved),
      ...(options.contractFiles ? { contractFiles: options.contractFiles.map(revision.moved).filter((f) => fs.existsSync(f)) } : {}),
    };
    const result = await analyze(moved.map((p) => ({ path: p })), baselineOptions, fileSystem);
    return revision.restore(result.contracts);
  } finally {
    revision.dispose();
  }
}

function fingerprint(functionName: string, rule: CheckRule, about: string): string {
  return createHash('sha256').update(`${functionName}\0${rule}\0${about}`).digest('hex').slice(0, 32);
}

function toolVersion(): string {
  for (const candidate of [path.resolve(__dirname, '../../../../package.json'), path.join(__dirname, 'package.json')]) {
    try {
      return (JSON.parse(fs.readFileSync(candidate, 'utf8')) as { version: string }).version;
    } catch {
      // try the next
    }
  }
  return '0.0.0';
}

function show(value: number): string {
  return value === Infinity ? 'unbounded' : String(value);
}

/** One line per finding (`file:line:col: level ID message`), then a summary line. */
export function renderCheckText(report: CheckReport): string {
  const lines = report.findings.map((f) => `${path.relative(process.cwd(), f.file) || f.file}:${f.line}:${f.column}: ${f.level} ${f.ruleId} ${f.message}`);
  const errors = report.findings.filter((f) => f.level === 'error').length;
  lines.push(`perfcontract check: ${report.rows.length === 0 ? 'no functions' : `${new Set(report.rows.map((r) => r.functionName)).size} functions`}, ${errors} error${errors === 1 ? '' : 's'}, ${report.findings.length - errors} other finding${report.findings.length - errors === 1 ? '' : 's'}${report.baseline ? ` (baseline ${report.baseline})` : ''}: ${errors > 0 ? 'FAILED' : 'passed'}`);
  return lines.join('\n');
}

/** The pull-request summary: verdict, findings, and the figures per function and metric against the baseline. */
export function renderCheckMarkdown(report: CheckReport, root: string): string {
  const errors = report.findings.filter((f) => f.level === 'error');
  const lines: string[] = [];
  lines.push(`## perfcontract check: ${errors.length > 0 ? `failed (${errors.length} error${errors.length === 1 ? '' : 's'})` : 'passed'}`);
  lines.push('');
  if (report.baseline) lines.push(`Compared with \`${report.baseline}\`. `);
  if (report.findings.length > 0) {
    lines.push('');
    lines.push('| | rule | where | finding |');
    lines.push('|---|---|---|---|');
    for (const f of report.findings) {
      const icon = f.level === 'error' ? '❌' : f.level === 'warning' ? '⚠️' : 'ℹ️';
      lines.push(`| ${icon} | ${f.ruleId} | \`${path.relative(root, f.file)}:${f.line}\` | ${escapeCell(f.message)} |`);
    }
  }
  lines.push('');
  lines.push('| function | metric | worst case (PCVs at bounds) | at typical PCVs | PCV degree | budget |');
  lines.push('|---|---|---:|---:|---:|---|');
  for (const row of report.rows) {
    const cell = (now: number, before: number | undefined) => before === undefined ? show(now) : now === before ? show(now) : `${show(now)} (${before === Infinity || now === Infinity ? `was ${show(before)}` : formatDelta(before, now)})`;
    const budget = row.budgets.map((b) => `${b.at === 'typical' ? 'typical ' : ''}≤ ${b.limit}`).join(', ') || '-';
    lines.push(`| \`${row.functionName}\` | ${row.metric} | ${cell(row.worst, row.baseline?.worst)} | ${cell(row.typical, row.baseline?.typical)} | ${cell(row.degree, row.baseline?.degree)} | ${budget} |`);
  }
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
