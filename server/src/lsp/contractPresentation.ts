// Turns contracts and engine diagnostics into what the editor shows: diagnostics, hovers, code lens titles, worst-case reports.
import type { DeclaredContract } from '../core/declared/declaredContracts';
import { formatPolynomialMap } from '../core/cost/formula';
import type { IrMetric } from '../core/cost/costModel';
import type { Grounding, GroundingFailure } from '../ground/ground';
import { pathToFileURL } from 'url';
import type { Diagnostic as EngineDiagnostic } from '../core/analysis';
import type { FunctionContract, PathClass } from '../core/contract/contract';
import { formatRatio } from '../core/contract/ratio';
import { evaluateFormula, formulaPcvNames } from '../core/cost/formula';
import { Reasons, ReasonKind } from '../core/reasons';
import { EDITOR_DIAGNOSTICS } from '../diagnosticCatalogue';
import { Behaviour, computeBehaviours, maximumFormula } from '../core/contract/behaviours';
import { DisplayPcv, displayFormula, formatCount, typicalValues, valueAt } from '../core/contract/pcvDisplay';
import type { EditorDocument, Range } from './textDocument';
import type { Outline } from './sourceOutline';
import type { FunctionSummary } from './workerProtocol';
import { compareMetric, formatDelta, formatFormulaDelta, formulaDelta } from '../cli/baseline';

/** The server's own diagnostic codes (diagnosticCatalogue.ts; engine reasons keep their PC1xx-PC4xx and PC900 codes). */
export const ServerCodes = {
  adversarialPath: EDITOR_DIAGNOSTICS['adversarial-path'].code,
  budgetExceeded: EDITOR_DIAGNOSTICS['budget-exceeded'].code,
  unboundedLoop: EDITOR_DIAGNOSTICS['unbounded-loop'].code,
  incomplete: EDITOR_DIAGNOSTICS.incomplete.code,
  invalidBudget: EDITOR_DIAGNOSTICS['invalid-budget'].code,
  configuration: EDITOR_DIAGNOSTICS.configuration.code,
  outOfMemory: EDITOR_DIAGNOSTICS['out-of-memory'].code,
  grewAgainstBaseline: EDITOR_DIAGNOSTICS['grew-against-baseline'].code,
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
  /** The baseline's contracts by name (`perfcontract.baseline`): a function that grew against it gets PC509. */
  baseline?: { label: string; contracts: ReadonlyMap<string, FunctionContract>; growthPercent: number };
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
      data: { reasons: [Reasons['time-limit'].code], overran: true },
    });
  }
  for (const name of inputs.outOfMemory ?? []) {
    const fn = inputs.outline.functions.find((f) => f.name === name);
    if (!fn) continue;
    result.push({
      range: { start: document.positionAt(fn.nameStart), end: document.positionAt(fn.nameEnd) }, severity: Severity.Information, code: ServerCodes.outOfMemory, source: 'perfcontract',
      message: `the analysis of '${name}' ran out of memory and was stopped, so it has no contract until it changes. ` +
        `Lower perfcontract.maxPaths, perfcontract.timeLimitMs or perfcontract.unrollLimit, or split the function.`,
      data: { reasons: [ServerCodes.outOfMemory], outOfMemory: true },
    });
  }
  const seenLoops = new Set<string>();
  const seenCalls = new Set<string>();
  for (const contract of inputs.contracts) {
    if (contract.file !== document.path) continue;
    const where = nameRange(contract);
    const primary = contract.metrics[0] ?? 'instructions';
    const adversarial = behavioursOf(contract).filter((b) => b.adversarial);
    if (adversarial.length > 0) {
      const ranked = [...adversarial].sort((a, b) => (b.boundCost ?? Infinity) - (a.boundCost ?? Infinity) || (b.typicalCost ?? 0) - (a.typicalCost ?? 0));
      const top = ranked[0]!;
      const a = top.adversarial!;
      const others = ranked.length > 1 ? ` (${ranked.length - 1} more adversarial behaviour${ranked.length > 2 ? 's' : ''}: ${ranked.slice(1, 1 + ADVERSARIAL_IDS_NAMED).map((b) => b.id).join(', ')}${ranked.length - 1 > ADVERSARIAL_IDS_NAMED ? ', ...' : ''})` : '';
      const cost = a.pcvs.length > 0
        ? `grows with ${a.pcvs.map((p) => `'${p.name}' by ${p.perUnit} ${primary} each: ${p.how}`).join('; and with ')}${top.boundCost !== null ? `, up to ${formatCount(top.boundCost)} at the bounds` : ', without bound'}`
        : `costs ${formatRatio(a.factor)}x a typical packet (${contract.typicalCommonCase !== null && contract.typicalCommonCase !== undefined ? formatCount(contract.typicalCommonCase) : '?'} ${primary}) at typical PCV values`;
      const related = [
        ...a.drivenBy.slice(0, 10).map((d) => ({ location: location(d.file, d.line), message: `packet contents decide: ${d.text}` })),
        ...memberDecisions(contract, top).filter((d) => !a.drivenBy.some((x) => x.text === d.text && x.line === d.line)).slice(0, 10)
          .map((d) => ({ location: location(d.file, d.line), message: `branch that selects ${top.id}: ${d.text}` })),
      ];
      result.push({
        range: where, severity: Severity.Warning, code: ServerCodes.adversarialPath, source: 'perfcontract',
        message: `'${contract.name}' has an adversarial behaviour that packet fields select: ${top.id} (${shorten(top.name, 70)}) ${cost}${others}.`,
        relatedInformation: related,
        data: { behaviourId: top.id, behaviours: ranked.map((b) => b.id), classId: top.classes[0], classes: top.classes },
      });
    }
    const base = inputs.baseline?.contracts.get(contract.name);
    if (base && inputs.baseline) {
      const growth = growthAgainstBaseline(contract, base, inputs.baseline.label, inputs.baseline.growthPercent);
      if (growth) result.push({ range: where, severity: Severity.Warning, code: ServerCodes.grewAgainstBaseline, source: 'perfcontract', message: growth.message, data: growth.data });
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
      const advice = contract.incompleteReasons.some((r) => r.kind === 'path-limit') ? ' Raise perfcontract.maxPaths, or split the function.'
        : contract.incompleteReasons.some((r) => r.kind === 'time-limit') ? ' Raise perfcontract.timeLimitMs, or split the function.'
          : contract.incompleteReasons.some((r) => r.kind === 'solver-unknown') ? ' Raise perfcontract.solverTimeoutMs, or simplify the conditions.' : '';
      result.push({
        range: where, severity: Severity.Information, code: ServerCodes.incomplete, source: 'perfcontract',
        message: `the contract of '${contract.name}' is incomplete: ${reasons}.${advice}`,
        data: { reasons: contract.incompleteReasons.map((r) => r.code) },
      });
    }
  }
  return result;
}

/**
 * What grew against the baseline, in one sentence: the worst case (every PCV at its bound, or at
 * the typical PCV values) by more than the allowed percentage, a higher PCV degree, or a worst case
 * that became unbounded. The same comparison as `perfcontract check` (compareMetric).
 */
export function growthAgainstBaseline(contract: FunctionContract, base: FunctionContract, label: string, growthPercent: number): { message: string; data: object } | undefined {
  const typical = typicalValues(contract.pcvs as DisplayPcv[]);
  const baseTypical = typicalValues(base.pcvs as DisplayPcv[]);
  const findings: string[] = [];
  const data: { baseline: string; metric?: string; kinds: string[] } = { baseline: label, kinds: [] };
  for (const metric of contract.metrics.filter((m) => base.metrics.includes(m))) {
    const comparison = compareMetric(contract, base, metric, { growthPercent, typical, baseTypical });
    for (const g of comparison.grew) {
      findings.push(`its worst case ${g.kind === 'worst' ? 'with every PCV at its bound' : 'at typical PCV values'} grew from ${formatCount(g.before)} to ${g.after === Infinity ? 'unbounded' : formatCount(g.after)} ${metric} (${formatDelta(g.before, g.after)})`);
      data.kinds.push(`${g.kind}:${metric}`);
    }
    if (comparison.degreeGrew) {
      findings.push(`its ${metric} cost is now of degree ${comparison.now.degree} in its PCVs (was ${comparison.then.degree}; class ${comparison.now.degreeClass}: ${comparison.now.degreeFormula})`);
      data.kinds.push(`degree:${metric}`);
    }
    if (comparison.becameUnbounded) {
      findings.push(`its worst case in ${metric} now grows without bound (class ${comparison.now.worst.classId})`);
      data.kinds.push(`unbounded:${metric}`);
    }
    data.metric ??= findings.length > 0 ? metric : undefined;
    // The primary metric tells the story; a second metric that grew too would repeat it.
    if (findings.length > 0) break;
  }
  if (findings.length === 0) return undefined;
  return { message: `'${contract.name}' grew against ${label}: ${findings.join('; ')}, more than the ${growthPercent}% allowed (perfcontract.baselineGrowthPercent).`, data };
}

/** `Δ +12 instr +4*t vs HEAD`: the change of the function's primary-metric formula against the baseline; undefined when nothing changed. */
export function baselineLensTitle(contract: FunctionContract, base: FunctionContract | undefined, label: string, baselineHasFile: boolean): string | undefined {
  if (!base) return baselineHasFile ? shorten(`new since ${label}`, LENS_MAX_CHARS) : undefined;
  const metric = contract.metrics[0] ?? 'instructions';
  if (!base.metrics.includes(metric)) return undefined;
  const delta = formulaDelta(contract, base, metric);
  if (delta.size === 0) return undefined;
  return shorten(`Δ ${formatFormulaDelta(delta, METRIC_SHORT[metric] ?? metric)} vs ${label}`, LENS_MAX_CHARS);
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

export function splitOrigin(origin: string): { file: string; line: number } {
  const colon = origin.lastIndexOf(':');
  return { file: origin.slice(0, colon), line: Number(origin.slice(colon + 1)) };
}

/** The longest code lens title: a lens is read at a glance above the function. */
export const LENS_MAX_CHARS = 60;

/** `110-857 instr · 9 behaviours · adversarial: c`: typical costs of the behaviours, at most 60 characters. */
export function lensTitle(contract: FunctionContract): string {
  const metric = contract.metrics[0] ?? 'instructions';
  const short = METRIC_SHORT[metric] ?? metric;
  const behaviours = behavioursOf(contract);
  const costs = behaviours.filter((b) => b.typicalCost !== null && contract.classes.some((c) => b.classes.includes(c.id) && c.outcome !== 'incomplete')).map((b) => b.typicalCost!);
  const parts: string[] = [];
  if (costs.length === 0) parts.push('no returning path');
  else {
    const low = Math.min(...costs);
    const high = Math.max(...costs);
    parts.push(`${low === high ? formatCount(low) : `${formatCount(low)}-${formatCount(high)}`} ${short}`);
  }
  parts.push(`${behaviours.length} behaviour${behaviours.length === 1 ? '' : 's'}`);
  const adversarial = behaviours.filter((b) => b.adversarial);
  if (adversarial.length > 0) {
    const pcvs = [...new Set(adversarial.flatMap((b) => b.adversarial!.pcvs.map((p) => p.name)))];
    parts.push(pcvs.length > 0 ? `adversarial: ${pcvs.join(', ')}` : 'adversarial');
  }
  if (!contract.complete) parts.push('incomplete');
  const title = parts.join(' · ');
  return title.length <= LENS_MAX_CHARS ? title : `${title.slice(0, LENS_MAX_CHARS - 3)}...`;
}

/** The longest hover on a function, in lines: the hover is a summary, the contract document has the rest. */
export const HOVER_MAX_LINES = 12;

/**
 * Hover on a function: its behaviours at typical PCV values (at most 12 lines), the worst one and
 * what drives it, and a link to the full contract.
 */
export function functionHover(contract: FunctionContract, _baseDir: string, uri?: string): string {
  const metric = contract.metrics[0] ?? 'instructions';
  const short = METRIC_SHORT[metric] ?? metric;
  const behaviours = behavioursOf(contract);
  const pcvs = contract.pcvs as DisplayPcv[];
  const status = contract.complete ? 'complete' : `**incomplete** (${contract.incompleteReasons.map((r) => r.code).join(', ')})`;
  const lines: string[] = [];
  lines.push(`**\`${contract.name}\`** · ${behaviours.length} behaviour${behaviours.length === 1 ? '' : 's'} (${contract.classes.length} path class${contract.classes.length === 1 ? '' : 'es'}) · ${status}`);
  lines.push('');
  const common = contract.typicalCommonCase;
  const bounds = behaviours.map((b) => b.boundCost);
  const atBounds = bounds.some((v) => v === null) ? 'grows without bound' : `at most ${formatCount(Math.max(...(bounds as number[]), 0))} (at the bounds)`;
  lines.push(`${common !== null && common !== undefined ? `Typical packet: ${formatCount(common)} ${short}` : 'No returning path'}${pcvs.length > 0 ? `; ${atBounds}` : ''}${pcvs.length > 0 ? ', PCVs at typical values' : ''}.`);
  lines.push('');
  // The grounding line takes one behaviour's room, so that the hover stays within its cap.
  const grounding = groundingLine(contract);
  const room = grounding ? 5 : 6;
  const shown = behaviours.length <= room ? behaviours : behaviours.slice(0, room - 1);
  for (const b of shown) {
    const formula = pcvs.length > 0 && /[A-Za-z]/.test(b.typicalFormula) ? ` \`${cell(displayFormula(b.typicalFormula, pcvs))}\`` : '';
    lines.push(`- ${b.id}${b.adversarial ? ' ⚠' : ''} ${cell(shorten(b.name, 64))}: **${b.typicalCost !== null ? formatCount(b.typicalCost) : '?'}**${formula}${x86Costs(contract, b)}`);
  }
  if (shown.length < behaviours.length) lines.push(`- ... ${behaviours.length - shown.length} more behaviours in the contract`);
  lines.push('');
  const link = uri ? ` [Full contract](command:perfcontract.generateContract?${encodeURIComponent(JSON.stringify([{ uri, functionName: contract.name }]))})` : ' Generate contract shows all.';
  const adversarial = behaviours.filter((b) => b.adversarial).sort((a, b) => (b.boundCost ?? Infinity) - (a.boundCost ?? Infinity));
  const costliest = [...behaviours].filter((b) => b.typicalCost !== null).sort((a, b) => b.typicalCost! - a.typicalCost!)[0];
  if (adversarial.length > 0) {
    const top = adversarial[0]!;
    const how = top.adversarial!.pcvs.length > 0 ? `grows with ${top.adversarial!.pcvs.map((p) => `\`${p.name}\` (${p.perUnit} ${short} each)`).join(', ')}` : `costs ${formatRatio(top.adversarial!.factor)}x a typical packet`;
    lines.push(`⚠ ${top.id} ${how}; packet fields select it (\`${cell(shorten(top.adversarial!.drivenBy[top.adversarial!.drivenBy.length - 1]?.text ?? '', 50))}\`).${link}`);
  } else if (costliest) {
    lines.push(`Costliest: ${costliest.id}, ${formatCount(costliest.typicalCost!)} ${short} at typical values${costliest.boundCost !== null && pcvs.length > 0 ? `, at most ${formatCount(costliest.boundCost)} (at the bounds)` : ''}.${link}`);
  } else lines.push(link.trim());
  if (grounding) lines.push(grounding);
  return lines.slice(0, HOVER_MAX_LINES).join('\n');
}

/** The contract's behaviours (computed from the classes for contracts written before behaviours existed). */
export function behavioursOf(contract: FunctionContract): Behaviour[] {
  if (!contract.behaviours) {
    const computed = computeBehaviours(contract);
    contract.behaviours = computed.behaviours;
    contract.typicalCommonCase = computed.typicalCommonCase;
  }
  return contract.behaviours;
}

/** ` · 410 x86 instr · 520 cycles`: a grounded contract's x86 metrics of a behaviour at typical PCV values. */
function x86Costs(contract: FunctionContract, b: Behaviour): string {
  const parts: string[] = [];
  for (const metric of ['x86_instructions', 'cycles'] as const) {
    if (!(contract.metrics as string[]).includes(metric)) continue;
    const formulas = contract.classes.filter((c) => b.classes.includes(c.id)).map((c) => (c.cost as Record<string, string | undefined>)[metric]).filter((f): f is string => f !== undefined);
    if (formulas.length === 0) continue;
    const value = valueAt(maximumFormula(formulas), contract.pcvs as DisplayPcv[]);
    if (value !== undefined) parts.push(`${formatCount(value)} ${metric === 'cycles' ? 'cycles' : 'x86 instr'}`);
  }
  return parts.length > 0 ? ` · ${parts.join(' · ')}` : '';
}

/** The decisions of a behaviour's first member class, for related information. */
function memberDecisions(contract: FunctionContract, b: Behaviour): PathClass['decisions'] {
  return contract.classes.find((c) => c.id === b.classes[0])?.decisions ?? [];
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
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
    const bound = pcv.bound !== undefined ? `at most ${pcv.bound} (${pcv.boundSource === 'annotation' ? 'declared' : pcv.boundSource === 'solver' ? 'the most the code allows' : 'from the loop guard'})`
      : `no bound: the cost grows without limit${pcv.unboundedBy?.length ? ` (driven by ${pcv.unboundedBy.join(', ')})` : ''}`;
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
  if (contract.worstCase?.atBounds !== undefined) lines.push(`- at most ${formatCount(contract.worstCase.atBounds)} ${contract.metrics[0]} (at the bounds)`);
  if (contract.worstCase?.unbounded) lines.push('- grows without bound (a PCV has no bound)');
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
