// Performance budgets for `perfcontract check`: `/*@ budget METRIC <= N */` annotations, a budgets.json file and the editor's `perfcontract.budgets` setting.
import * as fs from 'fs';

/** A limit on a function's worst case in one metric. */
export interface Budget {
  metric: string;
  limit: number;
  /** `worst`: with every PCV at its bound; `typical`: with the PCVs at their typical values. */
  at: 'worst' | 'typical';
  source: 'annotation' | 'budgets file' | 'setting';
}

/** budgets.json (docs/workload.md#budgets). */
export interface BudgetsFile {
  version: 1;
  /** Typical PCV values for every function; `NAME*` stands for NAME and its primed and loop-total forms. */
  typicalPcvs?: Record<string, number>;
  functions?: Record<string, { worst?: Record<string, number>; typical?: Record<string, number>; typicalPcvs?: Record<string, number> }>;
}

/** An unreadable or invalid budgets or settings file (code PW003). */
export class BudgetError extends Error {
  constructor(message: string) {
    super(`PW003 bad-budgets: ${message}`);
  }
}

const METRICS = new Set(['instructions', 'memory_accesses', 'x86_instructions', 'x86_memory_accesses', 'cycles']);

/** Reads and checks budgets.json. */
export function readBudgetsFile(file: string): BudgetsFile {
  const data = readJson(file, 'budgets file');
  const fail = (what: string): never => {
    throw new BudgetError(`'${file}' is not a budgets file: ${what}`);
  };
  if (!isObject(data) || data.version !== 1) return fail(`it needs "version": 1`);
  const checkValues = (value: unknown, where: string, metricKeys: boolean) => {
    if (value === undefined) return;
    if (!isObject(value)) return fail(`${where} must be an object`);
    for (const [key, n] of Object.entries(value)) {
      if (metricKeys && !METRICS.has(key)) fail(`${where} names an unknown metric '${key}' (known: ${[...METRICS].join(', ')})`);
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) fail(`${where}.${key} must be a non-negative integer, got ${JSON.stringify(n)}`);
    }
  };
  checkValues(data.typicalPcvs, 'typicalPcvs', false);
  if (data.functions !== undefined) {
    if (!isObject(data.functions)) return fail('functions must be an object');
    for (const [name, fn] of Object.entries(data.functions)) {
      if (!isObject(fn)) return fail(`functions.${name} must be an object`);
      for (const key of Object.keys(fn)) if (!['worst', 'typical', 'typicalPcvs'].includes(key)) fail(`functions.${name} has an unknown field '${key}' (worst, typical, typicalPcvs)`);
      checkValues(fn.worst, `functions.${name}.worst`, true);
      checkValues(fn.typical, `functions.${name}.typical`, true);
      checkValues(fn.typicalPcvs, `functions.${name}.typicalPcvs`, false);
    }
  }
  return data as unknown as BudgetsFile;
}

/** The `perfcontract.budgets` setting of a VS Code settings file (JSON with comments): function name -> instructions. */
export function readSettingsBudgets(file: string): Record<string, number> {
  const data = readJson(file, 'settings file', true);
  const budgets = isObject(data) ? data['perfcontract.budgets'] : undefined;
  if (budgets === undefined) return {};
  if (!isObject(budgets)) throw new BudgetError(`perfcontract.budgets in '${file}' must be an object (function name -> instructions)`);
  const result: Record<string, number> = {};
  for (const [name, limit] of Object.entries(budgets)) {
    if (typeof limit !== 'number' || !Number.isFinite(limit) || limit < 0) throw new BudgetError(`perfcontract.budgets.${name} in '${file}' must be a non-negative number, got ${JSON.stringify(limit)}`);
    result[name] = limit;
  }
  return result;
}

/**
 * A function's budgets. For each metric and kind the first source wins: its annotations (the
 * editor's `budget METRIC <= N`, a worst-case budget), then budgets.json, then the setting (worst
 * case, instructions), as the editor orders them.
 */
export function budgetsFor(name: string, annotations: readonly string[], file: BudgetsFile | undefined, settings: Record<string, number>): { budgets: Budget[]; problems: string[] } {
  const budgets: Budget[] = [];
  const problems: string[] = [];
  const add = (budget: Budget) => {
    if (!budgets.some((b) => b.metric === budget.metric && b.at === budget.at)) budgets.push(budget);
  };
  for (const annotation of annotations) {
    if (!/^budget\b/.test(annotation)) continue;
    const match = /^budget\s+([a-z0-9_]+)\s*<=\s*([0-9]+)\s*$/.exec(annotation.trim());
    if (!match) problems.push(`the budget annotation '${annotation}' of '${name}' is not 'budget METRIC <= N'`);
    else if (!METRICS.has(match[1]!)) problems.push(`the budget annotation of '${name}' names an unknown metric '${match[1]}'`);
    else add({ metric: match[1]!, limit: Number(match[2]), at: 'worst', source: 'annotation' });
  }
  const own = file?.functions?.[name];
  for (const [metric, limit] of Object.entries(own?.worst ?? {})) add({ metric, limit, at: 'worst', source: 'budgets file' });
  for (const [metric, limit] of Object.entries(own?.typical ?? {})) add({ metric, limit, at: 'typical', source: 'budgets file' });
  if (settings[name] !== undefined) add({ metric: 'instructions', limit: settings[name]!, at: 'worst', source: 'setting' });
  return { budgets, problems };
}

/** The typical value of each PCV named in a contract: the function's own, then the file's; `NAME*` patterns after exact names. */
export function typicalPcvValues(name: string, pcvNames: readonly string[], file: BudgetsFile | undefined): Record<string, number> {
  const sources = [file?.functions?.[name]?.typicalPcvs ?? {}, file?.typicalPcvs ?? {}];
  const result: Record<string, number> = {};
  for (const pcv of pcvNames) {
    for (const source of sources) {
      const value = source[pcv] ?? Object.entries(source).find(([key]) => key.endsWith('*') && matchesPcvPattern(key, pcv))?.[1];
      if (value !== undefined) {
        result[pcv] = value;
        break;
      }
    }
  }
  return result;
}

/** `t*` stands for `t`, `t'`, `t''`... and their loop totals `t@e`, `t'@e`: the PCVs one declared contract names on different paths. */
export function matchesPcvPattern(pattern: string, pcv: string): boolean {
  const base = pattern.slice(0, -1);
  return pcv.startsWith(base) && /^'*(@.*)?$/.test(pcv.slice(base.length));
}

function readJson(file: string, what: string, comments = false): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new BudgetError(`cannot read ${what} '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(comments ? withoutComments(text) : text);
  } catch (error) {
    throw new BudgetError(`'${file}' is not valid JSON (${(error as Error).message})`);
  }
}

/** JSON with comments and trailing commas, as VS Code writes settings, made plain JSON (strings kept as they are). */
function withoutComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
