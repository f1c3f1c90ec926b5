// Workload files (docs/workload.md): reading and validating them, and resolving their class selectors against a contract.
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';

/** A PCV's distribution: its bound, a constant, a uniform integer range or a histogram. */
export type Distribution =
  | 'bound'
  | { constant: number }
  | { uniform: [number | 'bound', number | 'bound'] }
  | { histogram: [number, number][] };

/** Which classes a workload entry stands for; every given field must hold (see resolveSelector). */
export interface Selector {
  class?: string;
  path?: string[];
  decisions?: string[];
  returns?: string[];
  outcome?: 'return' | 'error' | 'incomplete';
  reason?: string;
  adversarial?: boolean;
  case?: 'worst' | 'best';
}

export interface ClassShare {
  label?: string;
  select: Selector;
  share: number;
  packets?: number;
  pcvs?: Record<string, Distribution>;
  joint?: { pcv: Record<string, number>; weight: number }[];
}

export interface FunctionWorkload {
  pcvs?: Record<string, Distribution>;
  classes: ClassShare[];
}

export interface Workload {
  $schema?: string;
  version: 1;
  name?: string;
  description?: string;
  source?: { trace?: string; packets?: number; files?: string[]; entry?: string };
  functions: Record<string, FunctionWorkload>;
}

/** The parts of a contract's class that selectors read (a saved contract's JSON, or the engine's PathClass). */
export interface SelectableClass {
  id: string;
  cost: Partial<Record<string, string>>;
  outcome?: string;
  reason?: { code: string };
  returns?: string[];
  decisions?: { text: string }[];
  traces?: string[];
  adversarial?: unknown;
  lowerBound?: boolean;
  /** A merged class's path-level groups, each with its own cost (contract.ts, `PathMember`). */
  members?: { id: string; cost: Partial<Record<string, string>>; traces: string[] }[];
}

export interface SelectableFunction {
  name: string;
  metrics?: string[];
  pcvs: { name: string; description?: string; bound?: number }[];
  classes: SelectableClass[];
  worstCase: { class: string } | null;
  bestCase: { class: string } | null;
}

/** A workload file that cannot be used: unreadable, not JSON, not valid against the schema, or not fitting the contract (code PW001). */
export class WorkloadError extends Error {
  constructor(message: string) {
    super(`PW001 bad-workload: ${message}`);
  }
}

let validator: ValidateFunction | undefined;

/** Reads and validates a workload file (schema, then the checks the schema cannot state). */
export function readWorkload(file: string): Workload {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new WorkloadError(`cannot read workload file '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseWorkload(text, file);
}

export function parseWorkload(text: string, file = 'workload'): Workload {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new WorkloadError(`'${file}' is not valid JSON (${(error as Error).message})`);
  }
  validator ??= new Ajv({ allErrors: true }).compile(JSON.parse(fs.readFileSync(schemaPath(), 'utf8')) as object);
  if (!validator(data)) {
    const errors = (validator.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    throw new WorkloadError(`'${file}' is not a valid workload (docs/workload.schema.json): ${errors.join('; ')}`);
  }
  const workload = data as Workload;
  for (const [name, fn] of Object.entries(workload.functions)) {
    fn.classes.forEach((entry, index) => {
      const where = `${file}: functions.${name}.classes[${index}]`;
      for (const [pcv, distribution] of Object.entries({ ...fn.pcvs, ...entry.pcvs })) checkDistribution(distribution, `${where} PCV '${pcv}'`);
      if (entry.joint) {
        const names = Object.keys(entry.joint[0]!.pcv).sort().join(',');
        for (const item of entry.joint) {
          if (Object.keys(item.pcv).sort().join(',') !== names) throw new WorkloadError(`${where}: every item of 'joint' must name the same PCVs (${names || 'none'})`);
        }
      }
    });
  }
  return workload;
}

function checkDistribution(distribution: Distribution, where: string): void {
  if (typeof distribution === 'object' && 'uniform' in distribution) {
    const [low, high] = distribution.uniform;
    if (typeof low === 'number' && typeof high === 'number' && low > high) throw new WorkloadError(`${where}: uniform range [${low}, ${high}] is empty`);
  }
}

/** The schema beside the bundle, or in docs/ of the checkout (out/server/src/cli/ is four levels down). */
function schemaPath(): string {
  for (const candidate of [path.join(__dirname, 'workload.schema.json'), path.resolve(__dirname, '../../../../docs/workload.schema.json')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new WorkloadError('the workload schema docs/workload.schema.json is missing from the installation');
}

/** How a selector was resolved: the classes it stands for, and how they were found. */
export interface Resolution {
  classes: SelectableClass[];
  /** `path`: by path identity; `behaviour`: by the other fields; `none`: no class matches. */
  how: 'path' | 'behaviour' | 'class' | 'none';
}

/**
 * The classes of `fn` a selector stands for. Class ids are renumbered by every rebuild, so a
 * workload meant to outlive one build selects by path identity (`path`, which holds while the
 * control flow keeps its shape) and by behaviour (`decisions` as written in the source, `returns`,
 * `outcome`, `reason`, `adversarial`, `case`), which holds across line shifts and most edits. The
 * path is tried first: if one of its identities is in a class, those classes are the answer and the
 * behaviour fields are not consulted (they describe the same path on the build the workload was
 * made from). Otherwise every given behaviour field must hold, and of the classes that take every
 * given decision, those with the fewest other decisions are kept.
 */
export function resolveSelector(fn: SelectableFunction, selector: Selector): Resolution {
  if (selector.class !== undefined) {
    const found = fn.classes.filter((c) => c.id === selector.class);
    return { classes: found, how: found.length > 0 ? 'class' : 'none' };
  }
  if (selector.path) {
    const wanted = new Set(selector.path);
    const found = fn.classes.filter((c) => (c.traces ?? []).some((t) => wanted.has(t))).flatMap((c) => membersTaken(c, wanted));
    if (found.length > 0) return { classes: found, how: 'path' };
  }
  const behaviour = selector.decisions !== undefined || selector.returns !== undefined || selector.outcome !== undefined
    || selector.reason !== undefined || selector.adversarial !== undefined || selector.case !== undefined;
  if (!behaviour) return { classes: [], how: 'none' };
  const decisions = (selector.decisions ?? []).map(normaliseCondition);
  const found = fn.classes.filter((c) => {
    if (selector.outcome !== undefined && (c.outcome ?? 'return') !== selector.outcome) return false;
    if (selector.reason !== undefined && c.reason?.code !== selector.reason) return false;
    if (selector.adversarial !== undefined && Boolean(c.adversarial) !== selector.adversarial) return false;
    if (selector.case === 'worst' && fn.worstCase?.class !== c.id) return false;
    if (selector.case === 'best' && fn.bestCase?.class !== c.id) return false;
    if (selector.returns !== undefined && !(c.returns ?? []).some((r) => selector.returns!.includes(r))) return false;
    if (decisions.length > 0) {
      const own = new Set((c.decisions ?? []).map((d) => normaliseCondition(d.text)));
      if (!decisions.every((d) => own.has(d))) return false;
    }
    return true;
  });
  if (decisions.length === 0 || found.length <= 1) return { classes: found, how: found.length > 0 ? 'behaviour' : 'none' };
  // Several classes take every given decision: the closest are those with the fewest decisions
  // beyond them. A rebuild that adds a check to every path adds it to the old path's class as to
  // the deeper ones; a deeper path (another loop iteration, a further test) has more.
  const wanted = new Set(decisions);
  const extra = (c: SelectableClass) => new Set((c.decisions ?? []).map((d) => normaliseCondition(d.text)).filter((d) => !wanted.has(d))).size;
  const fewest = Math.min(...found.map(extra));
  return { classes: found.filter((c) => extra(c) === fewest), how: 'behaviour' };
}

/**
 * The part of a class that paths select: a merged class's cost is the per-monomial maximum of its
 * members' (a loop's explicit iterations taken or not), so a path that selects a member is charged
 * that member's cost, under its id (`C3.2`), and the class's own cost only when it has no members.
 */
export function membersTaken(cls: SelectableClass, wanted: ReadonlySet<string>): SelectableClass[] {
  const members = (cls.members ?? []).filter((m) => m.traces.some((t) => wanted.has(t)));
  if (members.length === 0) return [cls];
  return members.map((m) => ({ ...cls, id: m.id, cost: { ...cls.cost, ...m.cost }, traces: m.traces, members: undefined }));
}

/** Conditions compare without their spacing, which formatting changes. */
function normaliseCondition(text: string): string {
  return text.replace(/\s+/g, '');
}
