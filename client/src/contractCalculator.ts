// The contract view's calculator: one input per PCV, the cost of every behaviour and the packets per second at a clock and CPI, updated as the user types.
import { computeBehaviours } from '../../server/src/core/contract/behaviours';
import type { Behaviour } from '../../server/src/core/contract/behaviours';
import { DisplayPcv, displayFormula, formatCount, isTotal, pcvBase, pcvMeaning, polynomialOf, typicalValues } from '../../server/src/core/contract/pcvDisplay';
import type { FunctionContract } from './contractTypes';
import { monomialPcvs } from '../../server/src/core/cost/monomial';

/** Defaults of the throughput inputs: a 3 GHz core retiring one IR instruction per cycle. */
export const DEFAULT_CLOCK_GHZ = 3;
export const DEFAULT_CYCLES_PER_INSTRUCTION = 1;

/** One calculator input: the instances of a PCV that one value sets (per-packet ones apart from loop totals). */
export interface CalculatorInput {
  key: string;
  label: string;
  meaning: string;
  typical: number;
  bound?: number;
  /** The PCV instances (names in the formulas) this input sets. */
  names: string[];
}

/** What the page's script needs: inputs, and each behaviour's cost as terms over PCV names. */
export interface CalculatorData {
  metric: string;
  inputs: CalculatorInput[];
  behaviours: { id: string; terms: { coefficient: number; names: string[] }[] }[];
}

/** The behaviours of a contract from the server, computed from its classes when it has none. */
export function behavioursOfDocument(fn: FunctionContract): Behaviour[] {
  if (fn.behaviours) return fn.behaviours;
  return computeBehaviours(fn as unknown as Parameters<typeof computeBehaviours>[0]).behaviours;
}

export function calculatorData(fn: FunctionContract): CalculatorData {
  const metric = fn.metrics[0] ?? 'instructions';
  const pcvs = fn.pcvs as DisplayPcv[];
  const typical = typicalValues(pcvs);
  const inputs = new Map<string, CalculatorInput>();
  for (const p of pcvs) {
    const total = isTotal(p);
    const key = `${pcvBase(p.name)}${total ? ' (loop totals)' : ''}`;
    const input = inputs.get(key) ?? { key, label: key, meaning: pcvMeaning(p.description), typical: typical[p.name]!, names: [] as string[], ...(p.bound !== undefined ? { bound: p.bound } : {}) };
    input.names.push(p.name);
    if (p.bound === undefined) delete input.bound;
    else if (input.bound !== undefined) input.bound = Math.max(input.bound, p.bound);
    inputs.set(key, input);
  }
  const behaviours = behavioursOfDocument(fn).map((b) => ({
    id: b.id,
    terms: [...polynomialOf(b.cost[metric as keyof Behaviour['cost']] ?? '0')].map(([key, coefficient]) => ({ coefficient, names: monomialPcvs(key) })),
  }));
  return { metric, inputs: [...inputs.values()], behaviours };
}

/** The cost of a behaviour at the given input values (what the page's script computes). */
export function calculatorCost(data: CalculatorData, behaviourId: string, values: Record<string, number>): number {
  const byName = new Map<string, number>();
  for (const input of data.inputs) for (const name of input.names) byName.set(name, values[input.key] ?? input.typical);
  const b = data.behaviours.find((x) => x.id === behaviourId);
  if (!b) return 0;
  return b.terms.reduce((sum, t) => sum + t.coefficient * t.names.reduce((product, n) => product * (byName.get(n) ?? 0), 1), 0);
}

/** Packets per second of one core: clock over cycles per packet. */
export function packetsPerSecond(cost: number, clockGhz: number, cyclesPerInstruction: number): number {
  const cycles = cost * cyclesPerInstruction;
  return cycles > 0 ? (clockGhz * 1e9) / cycles : Infinity;
}

/** The calculator's HTML: a data attribute holds `CalculatorData`; `CALCULATOR_SCRIPT` wires it. */
export function renderCalculator(fn: FunctionContract, escapeHtml: (value: unknown) => string): string {
  const data = calculatorData(fn);
  const behaviours = behavioursOfDocument(fn);
  if (behaviours.length === 0) return '';
  const typicalValuesByKey = Object.fromEntries(data.inputs.map((i) => [i.key, i.typical]));
  const inputs = data.inputs.map((i) => `<label class="calc-pcv" title="${escapeHtml(i.meaning)}"><code>${escapeHtml(i.label)}</code> <input type="number" min="0" step="1"${i.bound !== undefined ? ` max="${i.bound}"` : ''} value="${i.typical}" data-pcv="${escapeHtml(i.key)}"> <span class="note">typical ${i.typical}${i.bound !== undefined ? `, at most ${formatCount(i.bound)}` : ', no bound'}</span></label>`).join('\n');
  const rows = behaviours.map((b) => {
    const cost = calculatorCost(data, b.id, typicalValuesByKey);
    return `<tr data-behaviour="${escapeHtml(b.id)}"><td>${escapeHtml(b.id)}${b.adversarial ? ' <span class="adversarial">⚠</span>' : ''}</td><td>${escapeHtml(b.name)}</td><td><code>${escapeHtml(displayFormula(b.cost[data.metric as keyof Behaviour['cost']] ?? '0', fn.pcvs as DisplayPcv[]))}</code></td><td class="cost calc-cost">${formatCount(cost)}</td><td class="cost calc-pps">${formatRate(packetsPerSecond(cost, DEFAULT_CLOCK_GHZ, DEFAULT_CYCLES_PER_INSTRUCTION))}</td></tr>`;
  }).join('\n');
  return `<h3>Calculator</h3>
<div class="calculator" data-calculator="${escapeHtml(JSON.stringify(data))}">
<p class="note">Set each PCV (every instance of it at once); each behaviour's cost is its worst path's formula at these values, in ${escapeHtml(data.metric)}. Packets per second: one core at the clock, with the cycles each ${escapeHtml(data.metric === 'instructions' ? 'IR instruction' : data.metric)} takes.</p>
<div class="calc-inputs">
<label>clock (GHz) <input type="number" min="0.1" step="0.1" value="${DEFAULT_CLOCK_GHZ}" data-setting="clock"></label>
<label>cycles per instruction <input type="number" min="0.05" step="0.05" value="${DEFAULT_CYCLES_PER_INSTRUCTION}" data-setting="cpi"></label>
${inputs}
</div>
<table class="calc"><thead><tr><th>behaviour</th><th>what happens</th><th>formula</th><th>${escapeHtml(data.metric)}</th><th>packets/s</th></tr></thead><tbody>
${rows}
</tbody></table>
</div>`;
}

/** `12.3 M`: packets per second, rounded for reading. */
export function formatRate(rate: number): string {
  if (!Number.isFinite(rate)) return '-';
  if (rate >= 1e9) return `${(rate / 1e9).toFixed(2)} G`;
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)} M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)} k`;
  return rate.toFixed(0);
}

/** The page script's part for calculators (plain ES2017, runs in the webview). */
export const CALCULATOR_SCRIPT = `
function formatRate(rate) {
  if (!isFinite(rate)) return '-';
  if (rate >= 1e9) return (rate / 1e9).toFixed(2) + ' G';
  if (rate >= 1e6) return (rate / 1e6).toFixed(2) + ' M';
  if (rate >= 1e3) return (rate / 1e3).toFixed(1) + ' k';
  return rate.toFixed(0);
}
function updateCalculator(root) {
  const data = JSON.parse(root.dataset.calculator);
  const read = (el, fallback) => { const v = Number(el.value); return el.value === '' || !isFinite(v) || v < 0 ? fallback : v; };
  const values = {};
  for (const input of data.inputs) {
    const el = root.querySelector('input[data-pcv="' + CSS.escape(input.key) + '"]');
    const v = el ? read(el, input.typical) : input.typical;
    for (const name of input.names) values[name] = v;
  }
  const clock = read(root.querySelector('input[data-setting="clock"]'), ${DEFAULT_CLOCK_GHZ});
  const cpi = read(root.querySelector('input[data-setting="cpi"]'), ${DEFAULT_CYCLES_PER_INSTRUCTION});
  for (const b of data.behaviours) {
    let cost = 0;
    for (const t of b.terms) cost += t.coefficient * t.names.reduce((p, n) => p * (values[n] || 0), 1);
    const row = root.querySelector('tr[data-behaviour="' + b.id + '"]');
    if (!row) continue;
    row.querySelector('.calc-cost').textContent = Math.round(cost).toLocaleString('en-US');
    row.querySelector('.calc-pps').textContent = cost * cpi > 0 ? formatRate(clock * 1e9 / (cost * cpi)) : '-';
  }
}
for (const root of document.querySelectorAll('.calculator')) {
  root.addEventListener('input', () => updateCalculator(root));
}
`;
