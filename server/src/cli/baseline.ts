// Baselines and comparisons shared by `perfcontract check` and the language server: reading a saved contract, extracting a git revision's files, and comparing a contract with its baseline (no analysis here: each caller runs its own).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FunctionContract } from '../core/contract/contract';
import { maximumFormula } from '../core/contract/behaviours';
import { polynomialOf } from '../core/contract/pcvDisplay';
import { evaluateFormula, FormulaNode, formulaPcvNames, parseFormula } from '../core/cost/formula';
import { compareMonomials, monomialKey, monomialPcvs } from '../core/cost/monomial';

/** A baseline that cannot be used: not a saved contract, not a revision, a git failure. The message says which. */
export class BaselineError extends Error {}

/** The default allowed growth of a worst case against its baseline, in percent (`check --growth-percent`, `perfcontract.baselineGrowthPercent`). */
export const DEFAULT_GROWTH_PERCENT = 5;

/** Whether a baseline spec names a saved contract file (`contract --format json`) rather than a git revision. */
export function isSavedContractSpec(spec: string): boolean {
  return spec.endsWith('.json') && fs.existsSync(spec);
}

/** The contracts of a saved contract file (`perfcontract contract --format json`). */
export function readSavedContracts(file: string): FunctionContract[] {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BaselineError(`the baseline '${file}' is not valid JSON (${(error as Error).message})`);
  }
  const functions = (data as { version?: unknown; functions?: unknown }).functions;
  if ((data as { version?: unknown }).version !== 1 || !Array.isArray(functions)) throw new BaselineError(`the baseline '${file}' is not a saved contract (perfcontract contract --format json)`);
  return functions as FunctionContract[];
}

export function git(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('git', ['-C', cwd, ...args], { encoding: 'utf8' });
  return { status: result.error ? null : result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** The top folder of the git work tree holding `dir`, if any. */
export function gitRoot(dir: string): string | undefined {
  const result = git(dir, ['rev-parse', '--show-toplevel']);
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** The commit a revision names in the repository at `root`. */
export function resolveRevision(root: string, spec: string): string {
  const revision = git(root, ['rev-parse', '--verify', '--quiet', `${spec}^{commit}`]);
  if (revision.status !== 0) throw new BaselineError(`the baseline '${spec}' is neither a saved contract file nor a git revision of ${root}`);
  return revision.stdout.trim();
}

/** The files of an analysis, as the baseline revision has them. */
export interface RevisionTree {
  root: string;
  commit: string;
  /** The temporary folder holding the revision's files. */
  tree: string;
  /** A path of the work tree mapped into the revision's folder (paths outside the repository stay). */
  moved(p: string): string;
  /** Contracts analysed in the revision's folder, with their locations at the work tree's paths. */
  restore(contracts: FunctionContract[]): FunctionContract[];
  dispose(): void;
}

export interface BaselineInputs {
  files: string[];
  includeDirs?: string[];
  contractFiles?: string[];
  /**
   * Where to extract, given the commit (default: a fresh temporary folder). A folder that exists
   * already is taken as extracted: the editor keeps one folder per commit, so that the analysis
   * cache (whose keys hold file paths) serves the same baseline again.
   */
  folderFor?: (root: string, commit: string, folders: string[]) => string;
}

/**
 * Extracts a revision's versions of the folders holding the files, include directories and
 * contract files with `git archive` into a temporary folder, so that headers and contract files
 * beside the sources come from the revision too.
 */
export function extractRevision(spec: string, inputs: BaselineInputs): RevisionTree {
  const start = path.dirname(inputs.files[0]!);
  const root = gitRoot(start);
  if (!root) throw new BaselineError(`the baseline '${spec}' is not a contract file, and '${start}' is not in a git repository`);
  const commit = resolveRevision(root, spec);
  // git prints the real path of the work tree: compare real paths, so a symlinked folder maps too.
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return p;
    }
  };
  const inside = (p: string) => {
    const relative = path.relative(root, real(p));
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : undefined;
  };
  const folders = [...new Set([...inputs.files.map((f) => path.dirname(f)), ...(inputs.includeDirs ?? []), ...(inputs.contractFiles ?? []).map((f) => path.dirname(f))]
    .map(inside).filter((p): p is string => p !== undefined))];
  const wanted = inputs.folderFor?.(root, commit, folders);
  // The marker is written last: a folder whose extraction was interrupted is extracted again.
  const marker = wanted !== undefined ? path.join(wanted, '.perfcontract-extracted') : undefined;
  const reuse = marker !== undefined && fs.existsSync(marker);
  const tree = wanted ?? fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-baseline-'));
  const dispose = () => fs.rmSync(tree, { recursive: true, force: true });
  if (!reuse) try {
    if (wanted !== undefined) {
      fs.rmSync(wanted, { recursive: true, force: true });
      fs.mkdirSync(wanted, { recursive: true });
    }
    const archive = spawnSync('git', ['-C', root, 'archive', '--format=tar', commit, '--', ...folders], { maxBuffer: 1 << 30 });
    // A folder that did not exist at the revision makes git archive fail: then each folder on its own.
    const archives = archive.status === 0 ? [archive.stdout] : folders.map((f) => spawnSync('git', ['-C', root, 'archive', '--format=tar', commit, '--', f], { maxBuffer: 1 << 30 })).filter((a) => a.status === 0).map((a) => a.stdout);
    for (const tar of archives) {
      const extracted = spawnSync('tar', ['-x', '-C', tree], { input: tar });
      if (extracted.status !== 0) throw new BaselineError(`cannot extract the baseline revision: ${extracted.stderr?.toString().trim() || extracted.error?.message}`);
    }
    if (marker !== undefined) fs.writeFileSync(marker, `${commit}\n`);
  } catch (error) {
    dispose();
    throw error;
  }
  const moved = (p: string) => {
    const relative = inside(p);
    return relative === undefined ? p : path.join(tree, relative);
  };
  const restore = (contracts: FunctionContract[]) => contracts.map((c) => {
    const relative = path.relative(tree, c.file);
    return relative.startsWith('..') || path.isAbsolute(relative) ? c : { ...c, file: path.join(root, relative) };
  });
  return { root, commit, tree, moved, restore, dispose };
}

// ---- comparison ----

export interface Figures {
  worst: { value: number; classId: string };
  typical: { value: number; classId: string };
  degree: number;
  degreeClass: string;
  degreeFormula: string;
}

/** The worst case at the bounds (Infinity when it grows with an unbounded PCV), at the typical PCVs (others 0, as the common case), and the highest PCV degree. */
export function figures(contract: FunctionContract, metric: string, typical: Record<string, number>): Figures {
  const bounds = new Map(contract.pcvs.map((p) => [p.name, p.bound]));
  const result: Figures = { worst: { value: 0, classId: '-' }, typical: { value: 0, classId: '-' }, degree: 0, degreeClass: '-', degreeFormula: '' };
  for (const cls of contract.classes) {
    const formula = (cls.cost as Record<string, string | undefined>)[metric];
    if (formula === undefined || cls.outcome === 'incomplete') continue;
    const node = parseFormula(formula);
    const names = formulaPcvNames(node);
    const worst = names.some((n) => bounds.get(n) === undefined) ? Infinity : evaluateFormula(node, Object.fromEntries(names.map((n) => [n, bounds.get(n)!])));
    if (worst > result.worst.value || result.worst.classId === '-') result.worst = { value: worst, classId: cls.id };
    const atTypical = evaluateFormula(node, Object.fromEntries(names.map((n) => [n, typical[n] ?? 0])));
    if (atTypical > result.typical.value || result.typical.classId === '-') result.typical = { value: atTypical, classId: cls.id };
    const degree = degreeOf(node);
    if (degree > result.degree) Object.assign(result, { degree, degreeClass: cls.id, degreeFormula: formula });
  }
  return result;
}

/** The polynomial degree of a formula in its PCVs (min and max count as their largest argument). */
export function degreeOf(node: FormulaNode): number {
  switch (node.kind) {
    case 'number': return 0;
    case 'pcv': return 1;
    case 'binary': return node.operator === '*' ? degreeOf(node.left) + degreeOf(node.right) : Math.max(degreeOf(node.left), degreeOf(node.right));
    case 'call': return Math.max(...node.args.map(degreeOf));
  }
}

/** One metric of a function against its baseline: the figures then and now, and what grew. */
export interface MetricComparison {
  metric: string;
  now: Figures;
  then: Figures;
  /** Worst cases (at the bounds, or at the typical PCVs) that grew by more than the allowed percentage. */
  grew: { kind: 'worst' | 'typical'; before: number; after: number }[];
  /** The highest PCV degree rose. */
  degreeGrew: boolean;
  /** The worst case now grows with a PCV without a bound; it did not. */
  becameUnbounded: boolean;
}

/** Compares one metric of a contract with its baseline's (the same rules for `check` and the editor). */
export function compareMetric(contract: FunctionContract, base: FunctionContract, metric: string, options: { growthPercent: number; typical: Record<string, number>; baseTypical: Record<string, number> }): MetricComparison {
  const now = figures(contract, metric, options.typical);
  const then = figures(base, metric, options.baseTypical);
  const grew: MetricComparison['grew'] = [];
  for (const kind of ['worst', 'typical'] as const) {
    const before = then[kind].value;
    const after = now[kind].value;
    const larger = after === Infinity ? before !== Infinity : before !== Infinity && after > before * (1 + options.growthPercent / 100);
    // A worst case that became unbounded is reported as such (becameUnbounded), not as a growth.
    if (larger && !(after === Infinity && kind === 'worst')) grew.push({ kind, before, after });
  }
  return { metric, now, then, grew, degreeGrew: now.degree > then.degree, becameUnbounded: now.worst.value === Infinity && then.worst.value !== Infinity };
}

/** `+12, +4.1%`: a change of a figure, absolute and relative. */
export function formatDelta(before: number, after: number): string {
  if (after === Infinity) return 'now unbounded';
  const delta = after - before;
  return `${delta >= 0 ? '+' : ''}${delta}, ${before === 0 ? 'new' : `${delta >= 0 ? '+' : ''}${((delta / before) * 100).toFixed(1)}%`}`;
}

/** A loop's site in a PCV name (`iterations@checksum:12`): the function and the loop's line. */
const LOOP_SITE = /@([A-Za-z_$][\w$]*):(\d+)/g;

/**
 * Which loop site of the baseline is which of the contract's, for loops that only moved: PCVs of
 * loops without a name carry their line, so a loop moved by an edit would otherwise read as one PCV
 * removed and another added. Per function, when both sides have as many loop sites, they pair in
 * line order (lines inserted above the function or inside it move loops, not their order). When a
 * loop was added or removed, only sites at the same distance from the start of the function pair,
 * and the others read as changed.
 */
export function movedLoopSites(contract: FunctionContract, base: FunctionContract, metric: string): Map<string, string> {
  const sitesOf = (c: FunctionContract) => {
    const text = [...c.pcvs.map((p) => p.name), ...c.classes.map((k) => (k.cost as Record<string, string | undefined>)[metric] ?? '')].join(' ');
    return [...new Map([...text.matchAll(LOOP_SITE)].map((m) => [`${m[1]}:${m[2]}`, { site: `${m[1]}:${m[2]}`, fn: m[1]!, line: Number(m[2]) }])).values()]
      .sort((a, b) => a.line - b.line);
  };
  const now = sitesOf(contract);
  const then = sitesOf(base);
  const shift = contract.range.startLine - base.range.startLine;
  const map = new Map<string, string>();
  for (const fn of new Set(then.map((s) => s.fn))) {
    const left = then.filter((s) => s.fn === fn);
    const right = now.filter((s) => s.fn === fn);
    if (left.length === right.length) left.forEach((s, i) => map.set(s.site, right[i]!.site));
    else for (const s of left) if (right.some((r) => r.line === s.line + shift)) map.set(s.site, `${fn}:${s.line + shift}`);
  }
  return map;
}

/**
 * The change of a function's cost formula in one metric: the per-monomial maximum over its classes
 * now minus the same at the baseline, as monomial (`''` for the constant) to coefficient, zero
 * terms left out. PCVs are matched by name, a loop's PCVs by loop after a move (`movedLoopSites`).
 */
export function formulaDelta(contract: FunctionContract, base: FunctionContract, metric: string): Map<string, number> {
  const maximum = (c: FunctionContract) => maximumFormula(c.classes.filter((k) => k.outcome !== 'incomplete')
    .map((k) => (k.cost as Record<string, string | undefined>)[metric]).filter((f): f is string => f !== undefined));
  const now = polynomialOf(maximum(contract));
  const sites = movedLoopSites(contract, base, metric);
  const then = new Map<string, number>();
  for (const [key, coefficient] of polynomialOf(maximum(base))) {
    // Factors sorted by name, as polynomialOf keys them.
    const renamed = monomialKey(monomialPcvs(key.replace(LOOP_SITE, (whole, fn: string, line: string) => { const to = sites.get(`${fn}:${line}`); return to ? `@${to}` : whole; })));
    then.set(renamed, (then.get(renamed) ?? 0) + coefficient);
  }
  const delta = new Map<string, number>();
  for (const key of new Set([...now.keys(), ...then.keys()])) {
    const change = (now.get(key) ?? 0) - (then.get(key) ?? 0);
    if (change !== 0) delta.set(key, change);
  }
  return delta;
}

/** `+12 instr +4*t`: a formula delta with every term signed, the constant first and named by its unit. */
export function formatFormulaDelta(delta: ReadonlyMap<string, number>, unit: string): string {
  if (delta.size === 0) return `±0 ${unit}`;
  const constant = delta.get('') ?? 0;
  const terms = [...delta].filter(([k]) => k !== '').sort(([a], [b]) => compareMonomials(a, b));
  const signed = (c: number) => (c < 0 ? `-${Math.abs(c)}` : `+${c}`);
  const parts = [`${signed(constant)} ${unit}`];
  for (const [key, c] of terms) parts.push(`${c < 0 ? '-' : '+'}${Math.abs(c) === 1 ? '' : `${Math.abs(c)}*`}${key}`);
  return parts.join(' ');
}
