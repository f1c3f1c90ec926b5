// Renders a JSON contract as the HTML of the contract view: class table, cost-versus-PCV plots
// (SVG) and witness hex dumps. Pure functions, no VS Code API, so the node tests can check them.
import { evaluateFormula, formulaPcvNames } from '../../server/src/core/cost/formula';
import { formatRatio } from '../../server/src/core/contract/ratio';
import type { ContractDocument, FunctionContract, PathClass, PcvInfo } from './contractTypes';
import { CALCULATOR_SCRIPT, behavioursOfDocument, renderCalculator } from './contractCalculator';
import { formatCount, typicalValues } from '../../server/src/core/contract/pcvDisplay';
import { figures, formatFormulaDelta, formulaDelta } from '../../server/src/cli/baseline';
import type { FunctionContract as EngineContract } from '../../server/src/core/contract/contract';

export interface RenderOptions {
  /** The webview's CSP source, for styles. */
  cspSource: string;
  /** A fresh nonce for the one inline script. */
  nonce: string;
  title: string;
}

/** Range plotted for a PCV that has no bound. */
export const UNBOUNDED_PLOT_RANGE = 100;
/** Classes drawn per plot, the most expensive at the range's end first. */
export const MAX_PLOTTED_CLASSES = 8;
/** Bytes shown per hex dump; the rest is summarised. */
export const MAX_DUMP_BYTES = 256;

export interface PlotSeries {
  classId: string;
  points: { x: number; y: number }[];
}

export interface PcvPlot {
  pcv: string;
  metric: string;
  maxX: number;
  bounded: boolean;
  series: PlotSeries[];
}

/**
 * For each PCV, the primary-metric cost of every class whose formula uses it, over 0..bound (or
 * 0..UNBOUNDED_PLOT_RANGE), with the function's other PCVs held at 0.
 */
export function pcvPlots(fn: FunctionContract): PcvPlot[] {
  const metric = fn.metrics[0];
  if (!metric) return [];
  const plots: PcvPlot[] = [];
  for (const pcv of fn.pcvs) {
    const bounded = typeof pcv.bound === 'number';
    const maxX = bounded ? Math.max(1, pcv.bound!) : UNBOUNDED_PLOT_RANGE;
    const xs = samplePoints(maxX);
    const series: PlotSeries[] = [];
    for (const cls of fn.classes) {
      const formula = cls.cost[metric];
      if (formula === undefined) continue;
      let names: string[];
      try {
        names = formulaPcvNames(formula);
      } catch {
        continue;
      }
      if (!names.includes(pcv.name)) continue;
      const others = Object.fromEntries(names.map((n) => [n, 0]));
      const points: { x: number; y: number }[] = [];
      for (const x of xs) {
        try {
          points.push({ x, y: evaluateFormula(formula, { ...others, [pcv.name]: x }) });
        } catch {
          break;
        }
      }
      if (points.length > 0) series.push({ classId: cls.id, points });
    }
    series.sort((a, b) => last(b.points).y - last(a.points).y);
    plots.push({ pcv: pcv.name, metric, maxX, bounded, series: series.slice(0, MAX_PLOTTED_CLASSES) });
  }
  return plots;
}

/** Formats hex bytes as lines of `offset  hex bytes  ascii`, at most MAX_DUMP_BYTES bytes. */
export function hexDump(hex: string): string {
  const clean = hex.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(hex) ? hex : '';
  if (clean === '' && hex !== '') return `(not hex: ${hex.slice(0, 40)})`;
  const bytes: number[] = [];
  for (let i = 0; i < clean.length; i += 2) bytes.push(parseInt(clean.slice(i, i + 2), 16));
  if (bytes.length === 0) return '(empty)';
  const lines: string[] = [];
  const shown = Math.min(bytes.length, MAX_DUMP_BYTES);
  for (let offset = 0; offset < shown; offset += 16) {
    const row = bytes.slice(offset, Math.min(offset + 16, shown));
    const hexPart = row.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hexPart.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > shown) lines.push(`... ${bytes.length - shown} more bytes (${bytes.length} in all)`);
  return lines.join('\n');
}

/** The whole HTML page of the contract view. */
export function renderContractHtml(doc: ContractDocument, options: RenderOptions): string {
  const body = doc.functions.length === 0 ? '<p>The analysis produced no contract (no entry function was analysed).</p>' : doc.functions.map(renderFunction).join('\n');
  return page(body, options);
}

export interface ComparisonLabels {
  /** What the current contracts are (`working copy`). */
  current: string;
  /** What the baseline is (`HEAD`, `saved.contract.json`). */
  baseline: string;
}

/**
 * Two contracts side by side: a table of each function's worst case at the bounds, at typical
 * PCV values and its formula change (the comparison of `perfcontract check` and the editor's
 * Δ lenses), then the baseline's and the current contract's views in two columns.
 */
export function renderComparisonHtml(current: ContractDocument, baseline: ContractDocument, labels: ComparisonLabels, options: RenderOptions): string {
  const names = [...new Set([...current.functions.map((f) => f.name), ...baseline.functions.map((f) => f.name)])];
  const rows: string[] = [];
  for (const name of names) {
    const now = current.functions.find((f) => f.name === name);
    const then = baseline.functions.find((f) => f.name === name);
    const metric = (now ?? then)!.metrics[0] ?? 'instructions';
    const figuresOf = (fn: FunctionContract | undefined) => (fn && fn.metrics.includes(metric) ? figures(fn as unknown as EngineContract, metric, typicalValues(fn.pcvs)) : undefined);
    const a = figuresOf(then);
    const b = figuresOf(now);
    const show = (f: ReturnType<typeof figuresOf>) => (f ? `${f.worst.value === Infinity ? 'unbounded' : formatCount(f.worst.value)}<br><span class="muted">typical ${formatCount(f.typical.value)}, degree ${f.degree}</span>` : '<span class="muted">absent</span>');
    const change = a && b ? (b.worst.value === a.worst.value ? '=' : a.worst.value === Infinity || b.worst.value === Infinity ? `was ${a.worst.value === Infinity ? 'unbounded' : formatCount(a.worst.value)}` : `${b.worst.value > a.worst.value ? '+' : ''}${formatCount(b.worst.value - a.worst.value)}${a.worst.value > 0 ? ` (${b.worst.value >= a.worst.value ? '+' : ''}${(((b.worst.value - a.worst.value) / a.worst.value) * 100).toFixed(1)}%)` : ''}`) : now ? 'new' : 'removed';
    const delta = now && then && then.metrics.includes(metric) ? formatFormulaDelta(formulaDelta(now as unknown as EngineContract, then as unknown as EngineContract, metric), METRIC_UNITS[metric] ?? metric) : '';
    const grew = a && b && (b.worst.value > a.worst.value || b.degree > a.degree);
    rows.push(`<tr class="${grew ? 'grew' : ''}" data-function="${escapeHtml(name)}"><td><code>${escapeHtml(name)}</code></td><td>${escapeHtml(metric)}</td><td class="num">${show(a)}</td><td class="num">${show(b)}</td><td class="num">${escapeHtml(change)}</td><td><code>${escapeHtml(delta)}</code></td></tr>`);
  }
  const column = (label: string, doc: ContractDocument, side: string) => `<section class="side ${side}"><h2 class="side-label">${escapeHtml(label)}</h2>${doc.functions.length === 0 ? '<p>No contract.</p>' : doc.functions.map(renderFunction).join('\n')}</section>`;
  const body = `<table class="comparison"><thead><tr><th>function</th><th>metric</th><th>${escapeHtml(labels.baseline)}: worst case (at the bounds)</th><th>${escapeHtml(labels.current)}: worst case (at the bounds)</th><th>change</th><th>formula change (per-term maximum over the classes)</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<div class="side-by-side">
${column(labels.baseline, baseline, 'baseline')}
${column(labels.current, current, 'current')}
</div>`;
  return page(body, options);
}

const METRIC_UNITS: Record<string, string> = { instructions: 'instr', memory_accesses: 'mem' };

function page(body: string, options: RenderOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${options.cspSource} data:; style-src ${options.cspSource} 'unsafe-inline'; script-src 'nonce-${options.nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(options.title)}</h1>
${body}
<script nonce="${options.nonce}">
const vscode = acquireVsCodeApi();
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-file]');
  if (!link) return;
  event.preventDefault();
  vscode.postMessage({ type: 'reveal', file: link.dataset.file, line: Number(link.dataset.line) });
});
${CALCULATOR_SCRIPT}
</script>
</body>
</html>`;
}

function renderFunction(fn: FunctionContract): string {
  const metric = fn.metrics[0] ?? 'instructions';
  const worst = fn.worstCase
    ? `Worst case: ${escapeHtml(fn.worstCase.class)} (<code>${escapeHtml(String(fn.worstCase.cost?.[metric] ?? ''))}</code> ${escapeHtml(metric)}${fn.worstCase.atBounds !== undefined ? `, at most ${formatCount(fn.worstCase.atBounds)} (at the bounds)` : ''}${fn.worstCase.unbounded ? ', grows without bound' : ''})`
    : 'No worst case (no class returns or fails).';
  const best = fn.bestCase ? `; best case: ${escapeHtml(fn.bestCase.class)} (<code>${escapeHtml(String(fn.bestCase.cost?.[metric] ?? ''))}</code>)` : '';
  const completeness = fn.complete
    ? 'complete'
    : `incomplete: ${fn.incompleteReasons.map((r) => `${escapeHtml(r.code)} ${escapeHtml(r.message)}`).join('; ')}`;
  return `<section class="function" data-function="${escapeHtml(fn.name)}">
<h2><code>${escapeHtml(fn.name)}</code> ${codeLink(fn.file, fn.range.startLine + 1)}</h2>
<p class="summary">${behavioursOfDocument(fn).length} behaviours over ${fn.classes.length} path class${fn.classes.length === 1 ? '' : 'es'}; ${completeness}.${typicalLine(fn)}</p>
${renderBehaviourTable(fn)}
${renderCalculator(fn, escapeHtml)}
${renderPcvs(fn.pcvs)}
<p class="summary">${worst}${best}.</p>
${renderClassTable(fn)}
${renderPlots(fn)}
${renderWitnesses(fn)}
</section>`;
}

function typicalLine(fn: FunctionContract): string {
  const common = fn.typicalCommonCase;
  return common !== null && common !== undefined ? `<br>A typical packet costs ${formatCount(common)} ${escapeHtml(fn.metrics[0] ?? '')} (every PCV at its typical value).` : '';
}

function renderBehaviourTable(fn: FunctionContract): string {
  const behaviours = behavioursOfDocument(fn);
  if (behaviours.length === 0) return '';
  const rows = behaviours.map((b) => {
    const flags = b.adversarial ? ` <span class="adversarial" title="${escapeHtml(b.adversarial.pcvs.map((p) => `${p.name}: ${p.how}`).join('; ') || `${b.adversarial.factor}x a typical packet`)}">adversarial${b.adversarial.pcvs.length > 0 ? `: ${escapeHtml(b.adversarial.pcvs.map((p) => p.name).join(', '))}` : ''}</span>` : '';
    return `<tr data-behaviour-row="${escapeHtml(b.id)}"><td>${escapeHtml(b.id)}</td><td>${escapeHtml(b.name)}${flags}</td><td class="condition"><code>${escapeHtml(shorten(b.condition, 160))}</code></td><td class="cost">${b.typicalCost !== null ? formatCount(b.typicalCost) : '?'}</td><td class="cost">${b.boundCost !== null ? formatCount(b.boundCost) : 'no bound'}</td><td>${escapeHtml(b.classes.length <= 6 ? b.classes.join(', ') : `${b.classes.slice(0, 5).join(', ')}, ... (${b.classes.length})`)}</td></tr>`;
  }).join('\n');
  return `<h3>Behaviours</h3>
<table class="behaviours"><thead><tr><th>behaviour</th><th>what happens</th><th>condition</th><th>typical</th><th>at most (at the bounds)</th><th>path classes</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function renderPcvs(pcvs: PcvInfo[]): string {
  if (pcvs.length === 0) return '';
  const rows = pcvs
    .map((p) => {
      const [file, line] = splitOrigin(p.origin);
      const bound = p.bound !== undefined ? `${p.bound} (${escapeHtml(p.boundSource ?? '')})` : 'none';
      return `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.description)}${p.attacker ? ` <span class="adversarial">attacker: ${escapeHtml(p.attacker)}</span>` : ''}</td><td>${p.typical ?? ''}</td><td>${bound}</td><td>${file ? codeLink(file, line) : escapeHtml(p.origin)}</td></tr>`;
    })
    .join('\n');
  return `<h3>Performance-critical variables</h3>
<table class="pcvs"><thead><tr><th>PCV</th><th>meaning</th><th>typical</th><th>bound</th><th>where</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function renderClassTable(fn: FunctionContract): string {
  const head = fn.metrics.map((m) => `<th>${escapeHtml(m)}</th>`).join('');
  const rows = fn.classes
    .map((cls) => {
      const costs = fn.metrics.map((m) => `<td class="cost"><code>${escapeHtml(cls.cost[m] ?? '')}</code></td>`).join('');
      const first = cls.decisions?.[0];
      const condition = escapeHtml(shorten(cls.condition, 160));
      const conditionCell = first ? `<a href="#" data-file="${escapeHtml(first.file)}" data-line="${first.line}" title="${escapeHtml(cls.condition)}">${condition}</a>` : `<span title="${escapeHtml(cls.condition)}">${condition}</span>`;
      const flags = [
        cls.adversarial ? `<span class="adversarial">adversarial ${typeof cls.adversarial.factor === 'number' ? `${formatRatio(cls.adversarial.factor)}x` : escapeHtml(String(cls.adversarial.factor))}</span>` : '',
        cls.lowerBound ? '<span class="note">lower bound</span>' : '',
      ].join(' ');
      return `<tr data-class="${escapeHtml(cls.id)}"><td>${escapeHtml(cls.id)}</td><td class="condition"><code>${conditionCell}</code></td>${costs}<td>${cls.paths}</td><td>${escapeHtml(outcomeText(cls))} ${flags}</td></tr>`;
    })
    .join('\n');
  return `<h3>Path classes</h3>
<table class="classes"><thead><tr><th>class</th><th>condition</th>${head}<th>paths</th><th>outcome</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function renderPlots(fn: FunctionContract): string {
  const plots = pcvPlots(fn);
  if (plots.length === 0) return '';
  return `<h3>Cost against each PCV</h3>
<p class="note">Primary metric (${escapeHtml(fn.metrics[0] ?? '')}), other PCVs at 0; at most ${MAX_PLOTTED_CLASSES} classes per plot, the most expensive first.</p>
${plots.map(renderPlot).join('\n')}`;
}

const PALETTE = ['#e45756', '#4c78a8', '#f58518', '#54a24b', '#b279a2', '#72b7b2', '#eeca3b', '#9d755d'];

/** One SVG line chart; exported for tests. */
export function renderPlot(plot: PcvPlot): string {
  const width = 520;
  const height = 240;
  const left = 64;
  const right = 110;
  const top = 14;
  const bottom = 36;
  const maxY = Math.max(1, ...plot.series.flatMap((s) => s.points.map((p) => p.y)));
  const sx = (x: number) => left + (x / plot.maxX) * (width - left - right);
  const sy = (y: number) => height - bottom - (y / maxY) * (height - top - bottom);
  const lines = plot.series
    .map((s, i) => {
      const color = PALETTE[i % PALETTE.length];
      const points = s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
      const end = last(s.points);
      return `<polyline class="series" data-class="${escapeHtml(s.classId)}" fill="none" stroke="${color}" stroke-width="2" points="${points}"><title>${escapeHtml(s.classId)}: ${end.y} at ${escapeHtml(plot.pcv)} = ${end.x}</title></polyline>
<text x="${width - right + 6}" y="${top + 14 * i + 10}" fill="${color}" font-size="11">${escapeHtml(s.classId)} (${end.y})</text>`;
    })
    .join('\n');
  const caption = plot.bounded ? `${escapeHtml(plot.pcv)} from 0 to its bound ${plot.maxX}` : `${escapeHtml(plot.pcv)} has no bound; shown from 0 to ${plot.maxX}`;
  const axes = `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="currentColor"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="currentColor"/>
<text x="${left}" y="${height - bottom + 14}" font-size="11" fill="currentColor">0</text>
<text x="${width - right}" y="${height - bottom + 14}" font-size="11" text-anchor="end" fill="currentColor">${plot.maxX}</text>
<text x="${(left + width - right) / 2}" y="${height - 6}" font-size="12" text-anchor="middle" fill="currentColor">${escapeHtml(plot.pcv)}</text>
<text x="${left - 6}" y="${top + 10}" font-size="11" text-anchor="end" fill="currentColor">${maxY}</text>
<text x="${left - 6}" y="${height - bottom}" font-size="11" text-anchor="end" fill="currentColor">0</text>
<text x="14" y="${(top + height - bottom) / 2}" font-size="12" text-anchor="middle" fill="currentColor" transform="rotate(-90 14 ${(top + height - bottom) / 2})">${escapeHtml(plot.metric)}</text>`;
  const empty = plot.series.length === 0 ? `<text x="${(left + width - right) / 2}" y="${height / 2}" text-anchor="middle" fill="currentColor">no class cost depends on ${escapeHtml(plot.pcv)} in ${escapeHtml(plot.metric)}</text>` : '';
  return `<figure class="plot" data-pcv="${escapeHtml(plot.pcv)}">
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(plot.metric)} against ${escapeHtml(plot.pcv)}">
${axes}
${lines}
${empty}
</svg>
<figcaption>${caption}</figcaption>
</figure>`;
}

function renderWitnesses(fn: FunctionContract): string {
  const items = fn.classes
    .map((cls) => {
      const w = cls.witness ?? {};
      const args = Object.entries(w.args ?? {}).map(([k, v]) => `<code>${escapeHtml(k)} = ${escapeHtml(String(v))}</code>`);
      const pcv = Object.entries(w.pcv ?? {}).map(([k, v]) => `<code>${escapeHtml(k)} = ${v}</code>`);
      const externals = Object.entries(w.externals ?? {}).map(([k, v]) => `<code>${escapeHtml(k)} returns ${escapeHtml(String(v))}</code>`);
      const memory = Object.entries(w.memory ?? {})
        .map(([name, hex]) => `<div class="memory"><div><code>${escapeHtml(name)}</code> (${Math.floor(hex.length / 2)} bytes)</div><pre class="hexdump">${escapeHtml(hexDump(hex))}</pre></div>`)
        .join('\n');
      const verified = cls.witnessVerified === false ? ' <span class="note">(this witness misses its class when run)</span>' : '';
      const facts = [args.length ? `arguments: ${args.join(', ')}` : '', pcv.length ? `PCVs: ${pcv.join(', ')}` : '', externals.length ? `calls: ${externals.join(', ')}` : '']
        .filter(Boolean)
        .join('<br>');
      return `<details class="witness" data-class="${escapeHtml(cls.id)}"><summary>${escapeHtml(cls.id)} witness${verified}</summary>
<p>${facts || 'no arguments'}</p>
${memory}
</details>`;
    })
    .join('\n');
  return `<h3>Witness inputs</h3>
${items}`;
}

function outcomeText(cls: PathClass): string {
  if (cls.outcome === 'return') return cls.returns.length > 0 ? `returns ${cls.returns.join(', ')}` : 'returns';
  const reason = cls.reason ? `${cls.reason.code} ${cls.reason.kind}${cls.reason.line !== undefined ? ` (line ${cls.reason.line})` : ''}` : '';
  return `${cls.outcome} ${reason}`.trim();
}

function codeLink(file: string, line: number): string {
  return `<a href="#" class="code-link" data-file="${escapeHtml(file)}" data-line="${line}">${escapeHtml(baseName(file))}:${line}</a>`;
}

/** Splits `file:line` (the file may itself contain colons). */
export function splitOrigin(origin: string): [string | undefined, number] {
  const match = /^(.*):(\d+)$/.exec(origin);
  return match ? [match[1], Number(match[2])] : [undefined, 0];
}

function samplePoints(maxX: number): number[] {
  const steps = Math.min(maxX, 60);
  const xs = new Set<number>();
  for (let i = 0; i <= steps; i++) xs.add(Math.round((i * maxX) / steps));
  return [...xs].sort((a, b) => a - b);
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] ?? file;
}

function last<T>(items: T[]): T {
  return items[items.length - 1]!;
}

export function escapeHtml(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value ?? '');
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `
.side-by-side { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5em; align-items: start; }
.side { min-width: 0; overflow-x: auto; }
.side-label { border-bottom: 1px solid var(--vscode-panel-border, #888); }
table.comparison tr.grew td { color: var(--vscode-editorWarning-foreground, #b58900); }
.muted { opacity: 0.7; font-size: 0.9em; }
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px 32px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid var(--vscode-panel-border, #8884); padding: 3px 8px; text-align: left; vertical-align: top; }
td.cost { text-align: right; white-space: nowrap; }
td.condition { max-width: 640px; }
.adversarial { color: var(--vscode-errorForeground, #e45756); font-weight: bold; }
.note { color: var(--vscode-descriptionForeground, #888); }
figure.plot { display: inline-block; margin: 8px 16px 16px 0; }
figure.plot svg { color: var(--vscode-foreground); }
pre.hexdump { font-family: var(--vscode-editor-font-family, monospace); font-size: 12px; margin: 4px 0 8px; }
a { color: var(--vscode-textLink-foreground); }
.calc-inputs label { display: inline-block; margin: 2px 16px 2px 0; }
.calc-inputs input { width: 7em; }
`;
