// Renders contracts as Markdown for people: a table of classes, the worst case, witnesses and gaps.
import * as path from 'path';
import type { FunctionContract } from './contract';
import { formatRatio } from './ratio';

export interface MarkdownOptions {
  baseDir: string;
  /** Witness values come from solver models, which may differ between runs; snapshots leave them out. */
  witnesses: boolean;
}

export function renderMarkdown(contracts: FunctionContract[], options: Partial<MarkdownOptions> = {}): string {
  const settings: MarkdownOptions = { baseDir: process.cwd(), witnesses: true, ...options };
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
  if (contract.worstCase && contract.bestCase) {
    const metric = contract.metrics[0]!;
    lines.push(`Worst case: ${contract.worstCase.class} (${contract.worstCase.cost[metric]} ${metric}${contract.worstCase.unbounded ? ', grows without bound' : contract.worstCase.atBounds !== undefined ? `, ${contract.worstCase.atBounds} at the PCV bounds` : ''}); best case: ${contract.bestCase.class} (${contract.bestCase.cost[metric]} ${metric})${contract.worstToBestRatio ? `; ratio ${formatRatio(contract.worstToBestRatio)}x` : ''}.`);
  }
  lines.push('');
  lines.push(`| class | condition | ${contract.metrics.join(' | ')} | paths | outcome |`);
  lines.push(`|---|---|${contract.metrics.map(() => '---:|').join('')}---:|---|`);
  for (const c of contract.classes) {
    const outcome = c.outcome === 'return'
      ? `returns ${c.returns.join(', ') || 'void'}${c.lowerBound ? ' (cost is a lower bound: unmodelled calls)' : ''}`
      : `${c.outcome}: ${c.reason?.code} ${c.reason?.message ?? ''}`;
    lines.push(`| ${c.id} | \`${escapeCell(c.condition)}\` | ${contract.metrics.map((m) => c.cost[m]).join(' | ')} | ${c.paths} | ${escapeCell(outcome)} |`);
  }
  const adversarial = contract.classes.filter((c) => c.adversarial);
  if (adversarial.length > 0) {
    lines.push('');
    lines.push(`Adversarial classes (common case: ${contract.commonCase} ${contract.metrics[0]}):`);
    for (const c of adversarial) {
      const factor = c.adversarial!.factor === 'unbounded' ? 'grows without bound' : `${formatRatio(c.adversarial!.factor)}x the common case`;
      lines.push(`- ${c.id}: ${factor}; packet contents select it through ${c.adversarial!.drivenBy.map((d) => `\`${d.text}\` (line ${d.line})`).join(', ')}`);
    }
  }
  if (contract.pcvs.length > 0) {
    lines.push('');
    lines.push('Performance-critical variables:');
    for (const pcv of contract.pcvs) {
      const bound = pcv.bound !== undefined ? `, at most ${pcv.bound} (${pcv.boundSource === 'annotation' ? 'declared' : 'from the loop guard'})` : ', no bound';
      lines.push(`- \`${pcv.name}\`: ${pcv.description}${bound} (${path.relative(baseDir, pcv.origin) || pcv.origin})`);
    }
  }
  const unverified = contract.classes.filter((c) => c.witnessVerified === false).map((c) => c.id);
  if (unverified.length > 0 && options.witnesses) {
    lines.push('');
    lines.push(`Witnesses of ${unverified.join(', ')} do not reach their class when run (a summarised loop forgot state they would need): treat them as approximate.`);
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
  }
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
