// Renders contracts as Markdown for people: behaviours first (with the PCV glossary and a what-if table), then the path classes, witnesses and gaps.
import * as path from 'path';
import type { FunctionContract } from './contract';
import { formatRatio } from './ratio';
import type { Behaviour } from './behaviours';
import { computeBehaviours } from './behaviours';
import { DisplayPcv, PcvDisplayMode, displayFormula, formatCount, pcvBase, pcvMeaning, typicalValues, valueAt, valueAtBounds } from './pcvDisplay';

export interface MarkdownOptions {
  baseDir: string;
  /** Witness values come from solver models, which may differ between runs; snapshots leave them out. */
  witnesses: boolean;
  /** How PCV instances print: summed per PCV (`66*Σc [10 calls]`, the default) or one per call site. */
  pcvInstances: PcvDisplayMode;
  /** `paths`: after each merged class, its path-level members (one per cost), with their own conditions. */
  detail: 'classes' | 'paths';
}

export function renderMarkdown(contracts: FunctionContract[], options: Partial<MarkdownOptions> = {}): string {
  const settings: MarkdownOptions = { baseDir: process.cwd(), witnesses: true, pcvInstances: 'grouped', detail: 'classes', ...options };
  return contracts.map((c) => renderFunction(c, settings)).join('\n\n');
}

function renderFunction(contract: FunctionContract, options: MarkdownOptions): string {
  const baseDir = options.baseDir;
  const lines: string[] = [];
  const where = `${path.relative(baseDir, contract.file) || contract.file}:${contract.range.startLine + 1}`;
  lines.push(`## \`${contract.name}\` (${where})`);
  lines.push('');
  const status = contract.complete ? 'complete' : `**incomplete**: ${contract.incompleteReasons.map((r) => `${r.code} ${r.message}`).join('; ')}`;
  lines.push(`${contract.classes.length} path class${contract.classes.length === 1 ? '' : 'es'} over ${contract.statistics.paths} path${contract.statistics.paths === 1 ? '' : 's'}; ${status}.`);
  lines.push(...renderBehaviours(contract, options));
  lines.push('');
  lines.push('### Path classes');
  lines.push('');
  if (contract.worstCase && contract.bestCase) {
    const metric = contract.metrics[0]!;
    lines.push(`Worst case: ${contract.worstCase.class} (${contract.worstCase.cost[metric]} ${metric}${contract.worstCase.unbounded ? ', grows without bound' : contract.worstCase.atBounds !== undefined ? `, at most ${formatCount(contract.worstCase.atBounds)} at the bounds` : ''}${contract.worstCase.ranking === 'growth' ? '; ranked by growth in the PCVs without a bound: degree, then leading coefficients' : ''}); best case: ${contract.bestCase.class} (${contract.bestCase.cost[metric]} ${metric}).`);
    lines.push('');
  }
  lines.push(`| class | condition | ${contract.metrics.join(' | ')} | paths | outcome |`);
  lines.push(`|---|---|${contract.metrics.map(() => '---:|').join('')}---:|---|`);
  for (const c of contract.classes) {
    const outcome = c.outcome === 'return'
      ? `returns ${c.returns.join(', ') || 'void'}${c.lowerBound ? ` (cost is a lower bound: unmodelled calls${dependence(c)})` : ''}`
      : `${c.outcome}: ${c.reason?.code} ${c.reason?.message ?? ''}`;
    lines.push(`| ${c.id} | \`${escapeCell(c.condition)}\` | ${contract.metrics.map((m) => c.cost[m]).join(' | ')} | ${c.paths} | ${escapeCell(outcome)} |`);    if (options.detail !== 'paths') continue;
    for (const m of c.members ?? []) {
      lines.push(`| ${m.id} | \`${escapeCell(m.condition)}\` | ${contract.metrics.map((metric) => m.cost[metric]).join(' | ')} | ${m.paths} | path-level member of ${c.id} |`);
    }
  }
  const merged = contract.classes.filter((c) => (c.members?.length ?? 0) > 1);
  if (merged.length > 0 && options.detail !== 'paths') {
    lines.push('');
    lines.push(`${merged.map((c) => c.id).join(', ')} merge paths that differ only in the explicit iterations of a summarised loop (cost: the largest of theirs, term by term); \`--detail paths\` lists them.`);
  }
  const unverified = contract.classes.filter((c) => c.witnessVerified === false).map((c) => c.id);
  if (unverified.length > 0 && options.witnesses) {
    lines.push('');
    lines.push(`Witnesses of ${unverified.join(', ')} do not reach their class when run (a summarised loop forgot state they would need): treat them as approximate.`);
  }
  if (contract.assumptions && contract.assumptions.length > 0) {
    lines.push('');
    lines.push(`Assumptions: ${contract.assumptions.join(' ')}`);
  }
  if (contract.unmodelledCalls.length > 0) {
    lines.push('');
    lines.push(`Unmodelled calls (cost not counted): ${contract.unmodelledCalls.map((u) => `\`${u.callee}\` (line ${u.line})`).join(', ')}.`);
  }
  if (!options.witnesses) return lines.join('\n');
  lines.push('');
  lines.push('### Witnesses');
  lines.push('');
  for (const c of contract.classes) {
    lines.push(`- ${c.id}: \`${JSON.stringify(c.witness)}\``);
    if (options.detail === 'paths') for (const m of c.members ?? []) lines.push(`  - ${m.id}${m.witnessVerified === false ? ' (does not reach its paths when run)' : ''}: \`${JSON.stringify(m.witness)}\``);
  }
  return lines.join('\n');
}

/** The behaviour table, adversarial behaviours, the PCV glossary and the what-if table. */
function renderBehaviours(contract: FunctionContract, options: MarkdownOptions): string[] {
  const behaviours = contract.behaviours ?? computeBehaviours(contract).behaviours;
  const common = contract.typicalCommonCase ?? (contract.behaviours ? null : computeBehaviours(contract).typicalCommonCase);
  const metric = contract.metrics[0]!;
  const pcvs = contract.pcvs as DisplayPcv[];
  const lines: string[] = [];
  if (behaviours.length === 0) return lines;
  const hasPcvs = pcvs.length > 0;
  lines.push('');
  lines.push(`### Behaviours`);
  lines.push('');
  const costliest = [...behaviours].filter((b) => b.typicalCost !== null).sort((a, b) => b.typicalCost! - a.typicalCost!)[0];
  const ratio = costliest && common ? ` (${formatRatio(Math.round((costliest.typicalCost! / common) * 100) / 100)}x)` : '';
  lines.push(`${behaviours.length} behaviour${behaviours.length === 1 ? '' : 's'}: the ${contract.classes.length} path class${contract.classes.length === 1 ? '' : 'es'} grouped by outcome and by the calls and loops they go through. ` +
    `Costs in ${metric}${hasPcvs ? ', typical ones with every PCV at its typical value' : ''}` +
    `${common !== null ? `: a typical packet costs ${formatCount(common)}` : ''}${costliest && common !== null ? `, the costliest behaviour ${costliest.id} ${formatCount(costliest.typicalCost!)}${ratio}` : ''}.`);
  lines.push('');
  lines.push(`| behaviour | what happens | condition | typical | ${hasPcvs ? 'at most (at the bounds) | ' : ''}cost | path classes |`);
  lines.push(`|---|---|---|---:|${hasPcvs ? '---:|' : ''}---|---|`);
  for (const b of behaviours) {
    const bound = b.boundCost !== null ? formatCount(b.boundCost) : 'no bound';
    lines.push(`| ${b.id}${b.adversarial ? ' ⚠' : ''} | ${escapeCell(b.name)} | \`${escapeCell(b.condition)}\` | ${b.typicalCost !== null ? formatCount(b.typicalCost) : '?'} | ${hasPcvs ? `${bound} | ` : ''}\`${escapeCell(displayFormula(b.cost[metric] ?? '0', pcvs, options.pcvInstances))}\` | ${classList(b)} |`);
  }
  const adversarial = behaviours.filter((b) => b.adversarial);
  if (adversarial.length > 0) {
    lines.push('');
    lines.push(`Adversarial behaviours (packet contents select them; common case ${common !== null ? formatCount(common) : '?'} ${metric} at typical values):`);
    // Behaviours that grow with the same attacker PCVs are listed together.
    const groups = new Map<string, Behaviour[]>();
    for (const b of adversarial) {
      const key = b.adversarial!.pcvs.length > 0 ? b.adversarial!.pcvs.map((p) => p.name).join(',') : `factor:${b.id}`;
      groups.set(key, [...(groups.get(key) ?? []), b]);
    }
    for (const group of groups.values()) lines.push(`- ${group.map((b) => b.id).join(', ')}: ${adversarialText(group[group.length - 1]!, metric, group.length > 1)}`);
  }
  if (hasPcvs) {
    lines.push('');
    lines.push('PCV glossary (instances of one PCV at several calls or loop runs are summed in the formulas above):');
    lines.push('');
    lines.push('| PCV | meaning | typical | bound | instances | origin |');
    lines.push('|---|---|---:|---:|---:|---|');
    for (const group of pcvGroups(pcvs)) {
      const typical = [...new Set(group.map((p) => p.typical ?? typicalValues([p])[p.name]!))].sort((a, b) => a - b);
      const bounds = group.map((p) => p.bound);
      const bound = bounds.some((x) => x === undefined) ? 'none' : formatCount(Math.max(...(bounds as number[])));
      const sites = [...new Set(group.map((p) => p.site ?? path.relative(options.baseDir, (p as { origin?: string }).origin ?? '')))];
      const attacker = group.find((p) => (p as { attacker?: string }).attacker) as { attacker?: string } | undefined;
      lines.push(`| \`${pcvBase(group[0]!.name)}\` | ${escapeCell(pcvMeaning(group[0]!.description))}${attacker ? ` (attacker: ${escapeCell(attacker.attacker!)})` : ''} | ${typical.join(' or ')} | ${bound} | ${group.length} | ${escapeCell(sites.slice(0, 4).join(', '))}${sites.length > 4 ? `, ... (${sites.length - 4} more)` : ''} |`);
    }
    lines.push('');
    lines.push(`What if (${metric}; each PCV at its typical value, at 10 times it, and at its bound):`);
    lines.push('');
    lines.push('| behaviour | typical | 10x typical | at the bounds |');
    lines.push('|---|---:|---:|---:|');
    const tenfold = Object.fromEntries(pcvs.map((p) => [p.name, Math.min(p.bound ?? Infinity, 10 * typicalValues([p])[p.name]!)]));
    for (const b of behaviours) {
      const ten = valueAt(b.typicalFormula, pcvs, tenfold);
      const atBounds = valueAtBounds(b.cost[metric] ?? '0', pcvs);
      lines.push(`| ${b.id} | ${b.typicalCost !== null ? formatCount(b.typicalCost) : '?'} | ${ten !== undefined ? formatCount(ten) : '?'} | ${atBounds !== undefined ? formatCount(atBounds) : 'no bound'} |`);
    }
  }
  return lines;
}

/** One sentence: what selects the behaviour and what makes it costly. */
export function adversarialText(b: Behaviour, metric: string, plural = false): string {
  const a = b.adversarial!;
  const selected = `packet contents select ${plural ? 'them' : 'it'} (${a.drivenBy.slice(-3).map((d) => `\`${d.text}\` line ${d.line}`).join(', ')})`;
  if (a.pcvs.length > 0) {
    return `${selected}, and ${plural ? 'they grow' : 'it grows'} with ${a.pcvs.map((p) => `\`${p.name}\` (${p.how}; ${p.perUnit} ${metric} each)`).join(' and ')}.`;
  }
  return `${selected}, and at typical values ${plural ? 'they cost' : 'it costs'} ${formatRatio(a.factor)}x the common case.`;
}

/** PCV instances grouped by their base name and meaning, in order of first appearance. */
export function pcvGroups<T extends DisplayPcv>(pcvs: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const p of pcvs) {
    const key = `${pcvBase(p.name)}|${pcvMeaning(p.description)}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()];
}

function classList(b: Behaviour): string {
  const ids = b.classes;
  return ids.length <= 4 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')}, ... (${ids.length})`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** `; behaviour depends on unmodelled call X` for a class that goes through calls without a body or contract. */
function dependence(c: { dependsOnUnmodelled?: string[] }): string {
  const callees = c.dependsOnUnmodelled ?? [];
  if (callees.length === 0) return '';
  return `; behaviour depends on unmodelled call${callees.length === 1 ? '' : 's'} ${callees.map((name) => `\`${name}\``).join(', ')}`;
}
