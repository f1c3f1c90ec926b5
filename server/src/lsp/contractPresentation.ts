// Turns contracts and engine diagnostics into what the editor shows: diagnostics, hovers, code lens titles, worst-case reports.
import * as path from 'path';
import type { DeclaredContract } from '../core/contract/declaredContracts';
import { formatPolynomialMap } from '../core/cost/formula';
import type { IrMetric } from '../core/cost/costModel';
import type { Grounding, GroundingFailure } from '../ground/ground';
import { pathToFileURL } from 'url';
import type { Diagnostic as EngineDiagnostic } from '../core/analysis';
import type { FunctionContract, PathClass } from '../core/contract/contract';
import { formatRatio } from '../core/contract/ratio';
import { evaluateFormula, formulaPcvNames } from '../core/cost/formula';
import { Reasons, ReasonKind } from '../core/reasons';
import type { EditorDocument, Range } from './textDocument';
import type { Outline } from './sourceOutline';
import type { FunctionSummary } from './workerProtocol';

/** The server's own diagnostic codes (engine reasons keep their PC1xx-PC4xx and PC900 codes). */
export const ServerCodes = {
  adversarialPath: 'PC501',
  budgetExceeded: 'PC502',
  unboundedLoop: 'PC503',
  incomplete: 'PC505',
  invalidBudget: 'PC506',
  configuration: 'PC507',
  outOfMemory: 'PC508',
} as const;

export const Severity = { Error: 1, Warning: 2, Information: 3, Hint: 4 } as const;

export interface LspDiagnostic {
  range: Range;
  severity: number;
  code: string;
  source: 'perfcontract';
  message: string;
  relatedInformation?: { location: { uri: string; range: Range }; message: string }[];
  data?: unknown;
}

export interface Budget { metric: string; limit: number; source: 'annotation' | 'setting' }

const METRIC_SHORT: Record<string, string> = { instructions: 'instr', memory_accesses: 'mem' };

export function uriOfPath(filePath: string): string {
  return pathToFileURL(filePath).toString();
}

/** Budgets of a function: `/*@ budget METRIC <= N *\/` annotations first, then the `budgets` setting (instructions). */
export function budgetsOf(name: string, summary: FunctionSummary | undefined, configured: Record<string, number>): { budgets: Budget[]; problems: string[] } {
  const budgets: Budget[] = [];
  const problems: string[] = [];
  for (const annotation of summary?.annotations ?? []) {
    if (!/^budget\b/.test(annotation)) continue;
    const match = /^budget\s+([a-z_]+)\s*<=\s*([0-9]+)\s*$/.exec(annotation.trim());
    if (!match) problems.push(`the budget annotation '${annotation}' of '${name}' is not 'budget METRIC <= N' (for example 'budget instructions <= 500')`);
    else if (!(match[1]! in METRIC_SHORT)) problems.push(`the budget annotation of '${name}' names an unknown metric '${match[1]}' (known: ${Object.keys(METRIC_SHORT).join(', ')})`);
    else budgets.push({ metric: match[1]!, limit: Number(match[2]), source: 'annotation' });
  }
  if (configured[name] !== undefined && !budgets.some((b) => b.metric === 'instructions')) {
    budgets.push({ metric: 'instructions', limit: configured[name]!, source: 'setting' });
  }
  return { budgets, problems };
}

/** The worst value of a metric over the classes, with every PCV at its bound; Infinity when a PCV has none. */
export function worstValue(contract: FunctionContract, metric: string): { value: number; classId: string } | undefined {
  const bounds = new Map(contract.pcvs.map((p) => [p.name, p.bound]));
  let worst: { value: number; classId: string } | undefined;
  for (const c of contract.classes) {
    if (c.outcome === 'incomplete') continue;
    const formula = c.cost[metric as keyof PathClass['cost']];
    if (formula === undefined) continue;
    let value: number;
    try {
      const names = formulaPcvNames(formula);
      value = names.some((n) => bounds.get(n) === undefined) ? Infinity : evaluateFormula(formula, Object.fromEntries(names.map((n) => [n, bounds.get(n)!])));
    } catch {
      continue;
    }
    if (!worst || value > worst.value) worst = { value, classId: c.id };
  }
  return worst;
}

export interface DiagnosticInputs {
  document: EditorDocument;
  outline: Outline;
  engineDiagnostics: EngineDiagnostic[];
  contracts: FunctionContract[];
  functions: FunctionSummary[];
  budgets: Record<string, number>;
  /** An engine exception for the whole unit. */
  failure?: string;
  extraProblems: { message: string; code: string }[];
  /** Functions the server gave up on (far past their time limit). */
  overran?: string[];
  /** Functions whose analysis ran out of memory and was given up on. */
  outOfMemory?: string[];
  timeLimitMs?: number;
}

export function diagnosticsFor(inputs: DiagnosticInputs): LspDiagnostic[] {
  const { document } = inputs;
  const result: LspDiagnostic[] = [];
  const lineRange = (line1: number): Range => {
    const line = Math.max(0, line1 - 1);
    const text = document.lineText(line);
    const indent = text.length - text.trimStart().length;
    const start = document.lineStartOffset(line);
    return { start: document.positionAt(start + indent), end: document.positionAt(start + text.trimEnd().length) };
  };
  const nameRange = (contract: FunctionContract): Range => {
    const fn = inputs.outline.functions.find((f) => f.name === contract.name);
    if (fn) return { start: document.positionAt(fn.nameStart), end: document.positionAt(fn.nameEnd) };
    return lineRange(contract.range.startLine + 1);
  };
  const location = (file: string, line: number) => ({
    uri: uriOfPath(file),
    range: file === document.path ? lineRange(line) : { start: { line: Math.max(0, line - 1), character: 0 }, end: { line: Math.max(0, line - 1), character: 0 } },
  });
  for (const d of inputs.engineDiagnostics) {
    if (d.file !== document.path) continue;
    result.push({
      range: { start: document.positionAt(d.startByte), end: document.positionAt(Math.max(d.startByte, d.endByte)) },
      severity: engineSeverity(d.reason), code: Reasons[d.reason].code, source: 'perfcontract',
      message: `${d.message}${d.functionName ? ` (function '${d.functionName}' is not analysed)` : ''}`,
    });
  }
  for (const problem of inputs.extraProblems) {
    result.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: Severity.Warning, code: problem.code, source: 'perfcontract', message: problem.message });
  }
  if (inputs.failure) {
    result.push({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: Severity.Information, code: ServerCodes.incomplete, source: 'perfcontract',
      message: `the analysis of this file is incomplete: it failed with '${inputs.failure}'. Fix the reported problems, or report this message if the code is valid C.`,
    });
  }
  for (const name of inputs.overran ?? []) {
    const fn = inputs.outline.functions.find((f) => f.name === name);
    if (!fn) continue;
    result.push({
      range: { start: document.positionAt(fn.nameStart), end: document.positionAt(fn.nameEnd) }, severity: Severity.Information, code: ServerCodes.incomplete, source: 'perfcontract',
      message: `the analysis of '${name}' ran far past its time limit (${inputs.timeLimitMs ?? '?'} ms per function) and was stopped, so it has no contract until it changes. ` +
        `Lower perfcontract.maxPaths or perfcontract.unrollLimit, or split the function.`,
      data: { reasons: ['PC302'], overran: true },
    });
  }
  for (const name of inputs.outOfMemory ?? []) {
    const fn = inputs.outline.functions.find((f) => f.name === name);
    if (!fn) continue;
    result.push({
      range: { start: document.positionAt(fn.nameStart), end: document.positionAt(fn.nameEnd) }, severity: Severity.Information, code: ServerCodes.outOfMemory, source: 'perfcontract',
      message: `the analysis of '${name}' ran out of memory and was stopped, so it has no contract until it changes. ` +
        `Lower perfcontract.maxPaths, perfcontract.timeLimitMs or perfcontract.unrollLimit, or split the function.`,
      data: { reasons: ['PC508'], outOfMemory: true },
    });
  }
  const seenLoops = new Set<string>();
  const seenCalls = new Set<string>();
  for (const contract of inputs.contracts) {
    if (contract.file !== document.path) continue;
    const where = nameRange(contract);
    const primary = contract.metrics[0] ?? 'instructions';
    const adversarial = contract.classes.filter((c) => c.adversarial);
    if (adversarial.length > 0) {
      const ranked = [...adversarial].sort((a, b) => factorOf(b) - factorOf(a));
      const top = ranked[0]!;
      const factor = top.adversarial!.factor === 'unbounded' ? 'grows without bound' : `costs ${formatRatio(top.adversarial!.factor)}x the common case (${contract.commonCase} ${primary})`;
      // The message names the costliest few; every id is in the diagnostic's data and the contract.
      const rest = ranked.slice(1);
      const named = rest.slice(0, ADVERSARIAL_IDS_NAMED).map((c) => c.id).join(', ');
      const others = rest.length === 0 ? ''
        : ` ${rest.length} more class${rest.length > 1 ? 'es are' : ' is'} adversarial: ${named}${rest.length > ADVERSARIAL_IDS_NAMED ? `, and ${rest.length - ADVERSARIAL_IDS_NAMED} others (see the contract)` : ''}.`;
      const related = [
        ...top.adversarial!.drivenBy.map((d) => ({ location: location(d.file, d.line), message: `packet contents decide: ${d.text}` })),
        ...top.decisions.filter((d) => !top.adversarial!.drivenBy.some((x) => x.text === d.text && x.line === d.line)).slice(0, 20)
          .map((d) => ({ location: location(d.file, d.line), message: `branch that selects ${top.id}: ${d.text}` })),
      ];
      result.push({
        range: where, severity: Severity.Warning, code: ServerCodes.adversarialPath, source: 'perfcontract',
        message: `'${contract.name}' has an adversarial path: class ${top.id} ${factor}, and packet fields select it (${top.adversarial!.drivenBy.map((d) => `\`${d.text}\``).slice(0, 4).join(', ')}).${others} ` +
          `An attacker can send such packets on purpose; bound the work on this path or reject these packets early.`,
        relatedInformation: related,
        data: { classId: top.id, classes: ranked.map((c) => c.id) },
      });
    }
    const summary = inputs.functions.find((f) => f.name === contract.name);
    const { budgets, problems } = budgetsOf(contract.name, summary, inputs.budgets);
    for (const problem of problems) result.push({ range: where, severity: Severity.Warning, code: ServerCodes.invalidBudget, source: 'perfcontract', message: problem });
    for (const budget of budgets) {
      const worst = worstValue(contract, budget.metric);
      if (!worst || worst.value <= budget.limit) continue;
      const value = worst.value === Infinity ? 'grows without bound' : `reaches ${worst.value}`;
      result.push({
        range: where, severity: Severity.Error, code: ServerCodes.budgetExceeded, source: 'perfcontract',
        message: `'${contract.name}' exceeds its budget of ${budget.limit} ${budget.metric} (${budget.source === 'annotation' ? 'from its budget annotation' : 'from the perfcontract.budgets setting'}): its worst case, class ${worst.classId}, ${value}${worst.value === Infinity ? '' : ' with every PCV at its bound'}. ` +
          `Make that path cheaper, bound its loops tighter, or raise the budget.`,
        data: { classId: worst.classId, limit: budget.limit, metric: budget.metric, value: worst.value === Infinity ? null : worst.value },
      });
    }
    for (const pcv of contract.pcvs) {
      if (pcv.bound !== undefined) continue;
      const { file, line } = splitOrigin(pcv.origin);
      if (file !== document.path || seenLoops.has(pcv.origin)) continue;
      seenLoops.add(pcv.origin);
      result.push({
        range: lineRange(line), severity: Severity.Warning, code: ServerCodes.unboundedLoop, source: 'perfcontract',
        message: `loop without a bound: its trip count '${pcv.name}' (${pcv.description}) has no known maximum, so the worst case grows without limit. ` +
          `Add '/*@ bound ${pcv.name} <= N */' before the loop, or give it a counting guard such as 'i < N'.`,
      });
    }
    for (const call of contract.unmodelledCalls) {
      if (call.file !== document.path || seenCalls.has(`${call.callee}:${call.line}`)) continue;
      seenCalls.add(`${call.callee}:${call.line}`);
      result.push({
        range: lineRange(call.line), severity: Severity.Information, code: Reasons['unmodelled-call'].code, source: 'perfcontract',
        message: `'${call.callee}' has no body and no contract, so its cost is not counted (costs through this call are lower bounds). ` +
          `Add the file that defines it to the workspace, or declare its cost in a *.pcontract.json file.`,
      });
    }
    if (!contract.complete) {
      const reasons = contract.incompleteReasons.map((r) => `${r.code} ${r.message}`).join('; ');
      const advice = contract.incompleteReasons.some((r) => r.code === 'PC301') ? ' Raise perfcontract.maxPaths, or split the function.'
        : contract.incompleteReasons.some((r) => r.code === 'PC302') ? ' Raise perfcontract.timeLimitMs, or split the function.'
          : contract.incompleteReasons.some((r) => r.code === 'PC304') ? ' Raise perfcontract.solverTimeoutMs, or simplify the conditions.' : '';
      result.push({
        range: where, severity: Severity.Information, code: ServerCodes.incomplete, source: 'perfcontract',
        message: `the contract of '${contract.name}' is incomplete: ${reasons}.${advice}`,
        data: { reasons: contract.incompleteReasons.map((r) => r.code) },
      });
    }
  }
  return result;
}

function engineSeverity(reason: ReasonKind): number {
  switch (reason) {
    case 'syntax-error': case 'missing-include': case 'unknown-identifier': case 'unknown-type': case 'invalid-contract': case 'internal-error':
      return Severity.Error;
    case 'unmodelled-call':
      return Severity.Information;
    default:
      return Severity.Warning;
  }
}

function factorOf(c: PathClass): number {
  return c.adversarial?.factor === 'unbounded' ? Infinity : (c.adversarial?.factor ?? 0);
}

export function splitOrigin(origin: string): { file: string; line: number } {
  const colon = origin.lastIndexOf(':');
  return { file: origin.slice(0, colon), line: Number(origin.slice(colon + 1)) };
}

/** `12-41 instr + 18*t · 6 classes · worst 9.3x` */
export function lensTitle(contract: FunctionContract): string {
  const metric = contract.metrics[0] ?? 'instructions';
  const short = METRIC_SHORT[metric] ?? metric;
  const parts: string[] = [];
  const worst = contract.worstCase ? contract.worstCase.cost[metric] : undefined;
  const best = contract.bestCase ? contract.bestCase.cost[metric] : undefined;
  if (worst !== undefined) {
    const { constant, terms } = splitFormula(worst);
    const bestConstant = best !== undefined ? splitFormula(best).constant : undefined;
    const low = bestConstant !== undefined && bestConstant !== constant ? `${bestConstant}-` : '';
    parts.push(`${low}${constant} ${short}${terms.length > 0 ? ` + ${terms.join(' + ')}` : ''}`);
  } else parts.push(`no returning path`);
  parts.push(`${contract.classes.length} class${contract.classes.length === 1 ? '' : 'es'}`);
  if (contract.worstCase?.unbounded) parts.push('worst unbounded');
  else if (contract.worstToBestRatio !== null) parts.push(`worst ${formatRatio(contract.worstToBestRatio)}x`);
  if (!contract.complete) parts.push('incomplete');
  if (contract.classes.some((c) => c.adversarial)) parts.push('adversarial');
  return parts.join(' · ');
}

function splitFormula(formula: string): { constant: string; terms: string[] } {
  const pieces = formula.split(' + ').map((p) => p.trim());
  const constants = pieces.filter((p) => /^-?[0-9]+$/.test(p));
  const terms = pieces.filter((p) => !/^-?[0-9]+$/.test(p));
  return { constant: constants.length > 0 ? String(constants.reduce((s, c) => s + Number(c), 0)) : '0', terms };
}

/** Hover on a function name: classes, worst/best, PCVs, completeness, unmodelled calls. */
export function functionHover(contract: FunctionContract, baseDir: string, maxRows = 12): string {
  const lines: string[] = [];
  const metrics = contract.metrics;
  const status = contract.complete ? 'complete' : `**incomplete** (${contract.incompleteReasons.map((r) => `${r.code} ${r.message}`).join('; ')})`;
  lines.push(`**\`${contract.name}\`** · ${contract.classes.length} path class${contract.classes.length === 1 ? '' : 'es'} · ${status}`);
  lines.push('');
  if (contract.worstCase && contract.bestCase) {
    const m = metrics[0]!;
    const bound = contract.worstCase.unbounded ? ', grows without bound' : contract.worstCase.atBounds !== undefined ? `, ${contract.worstCase.atBounds} at the PCV bounds` : '';
    lines.push(`Worst ${contract.worstCase.class}: \`${contract.worstCase.cost[m]}\` ${m}${bound}; best ${contract.bestCase.class}: \`${contract.bestCase.cost[m]}\`${contract.worstToBestRatio !== null ? `; ratio ${formatRatio(contract.worstToBestRatio)}x` : ''}.`);
    lines.push('');
  }
  lines.push(`| class | condition | ${metrics.map((m) => METRIC_SHORT[m] ?? m).join(' | ')} | outcome |`);
  lines.push(`|---|---|${metrics.map(() => '---:|').join('')}---|`);
  for (const c of contract.classes.slice(0, maxRows)) {
    const outcome = c.outcome === 'return' ? `returns ${c.returns.join(', ') || 'void'}` : `${c.outcome} ${c.reason?.code ?? ''}`;
    const condition = c.condition.length > 80 ? `${c.condition.slice(0, 77)}...` : c.condition;
    lines.push(`| ${c.id}${c.adversarial ? ' ⚠' : ''} | \`${cell(condition)}\` | ${metrics.map((m) => `\`${cell(c.cost[m] ?? '')}\``).join(' | ')} | ${cell(outcome)} |`);
  }
  if (contract.classes.length > maxRows) lines.push(`\n... ${contract.classes.length - maxRows} more classes (Generate contract shows all).`);
  if (contract.pcvs.length > 0) {
    lines.push('');
    lines.push('PCVs:');
    for (const pcv of contract.pcvs) {
      const { file, line } = splitOrigin(pcv.origin);
      lines.push(`- \`${pcv.name}\`: ${pcv.description}; ${pcv.bound !== undefined ? `at most ${pcv.bound}` : 'no bound'} (${path.relative(baseDir, file) || file}:${line})`);
    }
  }
  if (contract.unmodelledCalls.length > 0) {
    lines.push('');
    lines.push(`Unmodelled calls (cost not counted): ${contract.unmodelledCalls.map((u) => `\`${u.callee}\` (line ${u.line})`).join(', ')}.`);
  }
  const grounding = groundingLine(contract);
  if (grounding) lines.push('', grounding);
  return lines.join('\n');
}

/** What the hover says about x86 metrics: how they were grounded, or why they are missing. */
function groundingLine(contract: FunctionContract): string | undefined {
  const grounding = (contract as FunctionContract & { grounding?: Grounding | GroundingFailure }).grounding;
  if (!grounding) return undefined;
  if ('error' in grounding) return `x86 metrics unavailable: ${grounding.error.code} ${grounding.error.message.split('\n')[0]}`;
  const estimated = Object.values(grounding.classes).filter((c) => c.estimated).length;
  return `x86 metrics: ${grounding.compiler} ${grounding.flags.join(' ')} (${grounding.commandSource}), ${grounding.calls.witness + grounding.calls.calibration} calls replayed under valgrind in ${grounding.milliseconds} ms; ${estimated} of ${contract.classes.length} classes estimated.`;
}

/** Hover on a loop header: the PCVs born there, their per-iteration cost and bound. */
export function loopHover(pcvs: FunctionContract['pcvs'], functionName: string): string {
  const lines: string[] = [];
  for (const pcv of pcvs) {
    const perIteration = pcv.perIteration ? Object.entries(pcv.perIteration).map(([m, f]) => `\`${f}\` ${m}`).join(', ') : 'not recorded';
    const bound = pcv.bound !== undefined ? `at most ${pcv.bound} (${pcv.boundSource === 'annotation' ? 'declared' : 'from the loop guard'})` : 'no bound: the cost grows without limit';
    lines.push(`**PCV \`${pcv.name}\`** (loop in \`${functionName}\`): ${pcv.description}`);
    lines.push('');
    lines.push(`- per iteration: ${perIteration}`);
    lines.push(`- bound: ${bound}`);
  }
  return lines.join('\n');
}

export function worstCaseReport(contract: FunctionContract): { markdown: string; classId: string; witness: object } | undefined {
  const id = contract.worstCase?.class;
  const c = contract.classes.find((k) => k.id === id);
  if (!c) return undefined;
  const lines = [
    `## Worst case of \`${contract.name}\`: ${c.id}`,
    '',
    `Condition: \`${c.condition}\``,
    '',
    ...contract.metrics.map((m) => `- ${m}: \`${c.cost[m]}\``),
  ];
  if (contract.worstCase?.atBounds !== undefined) lines.push(`- at the PCV bounds: ${contract.worstCase.atBounds} ${contract.metrics[0]}`);
  if (contract.worstCase?.unbounded) lines.push('- grows without bound (a PCV has no bound)');
  if (contract.worstToBestRatio !== null) lines.push(`- ${formatRatio(contract.worstToBestRatio)}x the best case (${contract.bestCase?.class})`);
  if (c.adversarial) lines.push(`- adversarial: packet contents select it through ${c.adversarial.drivenBy.map((d) => `\`${d.text}\` (line ${d.line})`).join(', ')}`);
  lines.push('', 'Witness (an input that takes this path):', '', '```json', JSON.stringify(c.witness, null, 2), '```');
  if (c.witnessVerified === false) lines.push('', 'The witness does not reach this class when run (a summarised loop forgot state it would need): treat it as approximate.');
  return { markdown: lines.join('\n'), classId: c.id, witness: c.witness };
}

/** Evaluates one class at given PCV values; missing values are reported with the PCVs' names and bounds. */
export function evaluateClass(contract: FunctionContract, classId: string, pcvs: Record<string, number>): { values: Record<string, number>; text: string } {
  const requested = classId === 'worst' ? contract.worstCase?.class : classId === 'best' ? contract.bestCase?.class : classId;
  const c = contract.classes.find((k) => k.id === requested);
  if (!c) throw new Error(`'${contract.name}' has no class '${classId}'; its classes are ${contract.classes.map((k) => k.id).join(', ') || '(none)'}, or worst, or best`);
  const values: Record<string, number> = {};
  for (const metric of contract.metrics) {
    const formula = c.cost[metric];
    if (formula === undefined) continue;
    const missing = formulaPcvNames(formula).filter((n) => typeof pcvs[n] !== 'number');
    if (missing.length > 0) {
      const known = contract.pcvs.filter((p) => missing.includes(p.name)).map((p) => `${p.name} (${p.description}${p.bound !== undefined ? `, at most ${p.bound}` : ''})`);
      throw new Error(`class ${c.id} of '${contract.name}' needs values for ${missing.map((m) => `'${m}'`).join(', ')} (its ${metric} cost is ${formula})${known.length > 0 ? `: ${known.join('; ')}` : ''}`);
    }
    values[metric] = evaluateFormula(formula, pcvs);
  }
  const text = `${c.id} of ${contract.name}: ${Object.entries(values).map(([m, v]) => `${v} ${m}`).join(', ')}${Object.keys(pcvs).length > 0 ? ` at ${Object.entries(pcvs).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}`;
  return { values, text };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Hover on a call to a function whose declared contract its callers use: the contract's cases. */
export function declaredContractHover(contract: DeclaredContract): string {
  const metrics = [...new Set(contract.cases.flatMap((c) => Object.keys(c.cost)))] as IrMetric[];
  const lines = [`**\`${contract.name}\`** · declared contract (${contract.source}) · ${contract.cases.length} case${contract.cases.length === 1 ? '' : 's'}`, ''];
  if (contract.description) lines.push(contract.description, '');
  lines.push(`| case | returns | ${metrics.map((m) => METRIC_SHORT[m] ?? m).join(' | ')} |`, `|---|---|${metrics.map(() => '---:|').join('')}`);
  for (const c of contract.cases) {
    const returns = c.returns === undefined ? 'any' : typeof c.returns === 'number' ? String(c.returns) : `${c.returns.min}..${c.returns.max}`;
    lines.push(`| ${cell(c.name)} | ${returns} | ${metrics.map((m) => `\`${cell(c.cost[m] ? formatPolynomialMap(c.cost[m]) : '')}\``).join(' | ')} |`);
  }
  const pcvs = contract.cases.flatMap((c) => Object.entries(c.pcvs).map(([name, description]) => ({ name, description, bound: c.bounds[name] })));
  if (pcvs.length > 0) {
    lines.push('', 'PCVs:');
    const seen = new Set<string>();
    for (const p of pcvs) {
      if (seen.has(p.name)) continue;
      seen.add(p.name);
      lines.push(`- \`${p.name}\`: ${p.description}${p.bound !== undefined ? `; at most ${p.bound}` : ''}`);
    }
  }
  lines.push('', 'Calls use this contract (`preferContracts`); open the function\'s file to see the contract derived from its code.');
  return lines.join('\n');
}

/** How many further adversarial classes an adversarial-path warning names, costliest first. */
const ADVERSARIAL_IDS_NAMED = 8;
