// Reads declared contracts (*.pcontract.json) for functions without a body and validates them against the shipped JSON Schema.
import * as path from 'path';
import * as fs from 'fs';
import Ajv from 'ajv';
import { FormulaError, FormulaNode, parseFormula } from '../cost/formula';
import type { Cost, IrMetric } from '../cost/costModel';
import type { TranslationUnit } from '../syntax/translationUnit';
import { monomialPcvs, multiplyMonomials, renameMonomial } from '../cost/monomial';

/** A cost polynomial: monomial key (PCV names sorted, joined by '*'; '' for the constant) -> coefficient. */
export type Polynomial = Map<string, number>;

export type IntegerOrRange = number | { min: number; max: number };

/** A value the call stores through one of its pointer parameters. */
export interface DeclaredWrite {
  param: string;
  value: IntegerOrRange;
  /** Resolved from the function's declaration (`bindDeclaredWrites`): argument position and pointee. */
  argIndex: number;
  width: number;
  signed: boolean;
}

export interface DeclaredCase {
  name: string;
  returns?: IntegerOrRange;
  writes: DeclaredWrite[];
  pcvs: Record<string, string>;
  bounds: Record<string, number>;
  cost: Record<IrMetric, Polynomial>;
}

export interface DeclaredContract {
  name: string;
  description?: string;
  cases: DeclaredCase[];
  /**
   * The unroll limit the cases' loop PCVs were counted with (0: every iteration that does not
   * leave the loop); undefined: the caller's. Only placing a concrete run in a case reads it.
   */
  unrollLimit?: number;
  /** Where it was declared, for messages. */
  source: string;
  /** PCV (base name) -> its value for a typical packet, used for the callers' hovers, lenses and ratios. */
  typical?: Record<string, number>;
  /** PCV (base name) -> how an attacker drives it (for example with flow keys that collide in the hash). */
  attacker?: Record<string, string>;
}

export type DeclaredContracts = Map<string, DeclaredContract>;

interface RawCase {
  name?: string;
  returns?: IntegerOrRange;
  writes?: Record<string, IntegerOrRange>;
  pcvs?: Record<string, string>;
  bounds?: Record<string, number>;
  cost: Partial<Record<IrMetric, string>>;
}

let validator: ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null } | undefined;

function validate(data: unknown): string[] {
  if (!validator) {
    const schema = JSON.parse(fs.readFileSync(schemaPath(), 'utf8')) as object;
    validator = new Ajv({ allErrors: true }).compile(schema);
  }
  if (validator(data)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

function schemaPath(): string {
  // Installed and bundled layouts both keep docs/ at the package root.
  for (const candidate of [path.join(__dirname, 'pcontract.schema.json'), path.resolve(__dirname, '../../../../../docs/pcontract.schema.json')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('the contract schema docs/pcontract.schema.json is missing from the installation');
}

/** Parses and validates one contract file; problems are returned, never thrown. */
export function parseDeclaredContracts(text: string, source: string): { contracts: DeclaredContracts; errors: string[] } {
  const contracts: DeclaredContracts = new Map();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { contracts, errors: [`${source}: not valid JSON: ${(error as Error).message}`] };
  }
  const schemaErrors = validate(data);
  if (schemaErrors.length > 0) return { contracts, errors: schemaErrors.map((e) => `${source}: ${e}`) };
  const errors: string[] = [];
  const functions = (data as { functions: Record<string, { description?: string; unrollLimit?: number; typical?: Record<string, number>; attacker?: Record<string, string>; cases: RawCase[] }> }).functions;
  for (const [name, raw] of Object.entries(functions)) {
    try {
      const cases = raw.cases.map((c, index) => toCase(c, index));
      contracts.set(name, {
        name, description: raw.description, cases, source, ...(raw.unrollLimit !== undefined ? { unrollLimit: raw.unrollLimit } : {}),
        ...(raw.typical ? { typical: raw.typical } : {}), ...(raw.attacker ? { attacker: raw.attacker } : {}),
      });
    } catch (error) {
      errors.push(`${source}: contract of '${name}': ${(error as Error).message}`);
    }
  }
  return { contracts, errors };
}

/** The built-in contract library's file name: C library functions that have neither a body nor an intrinsic model. */
export const BUILTIN_CONTRACTS_FILE = 'libc.pcontract.json';

/** The built-in contracts of the BPF helpers (estimates: kernel code does not run here). */
export const BPF_CONTRACTS_FILE = 'bpf.pcontract.json';

/** The built-in contracts of DPDK's hash table and LPM6 (measured with callgrind: scripts/dpdkContracts.ts). */
export const DPDK_CONTRACTS_FILE = 'dpdk.pcontract.json';

/** Where a built-in library is installed (beside the bundle, or in docs/ as the schema), if anywhere. */
export function builtinContractsPath(file = BUILTIN_CONTRACTS_FILE): string | undefined {
  return [path.join(__dirname, file), path.resolve(__dirname, '../../../../../docs', file)].find((p) => fs.existsSync(p));
}

/**
 * The built-in contracts (`docs/libc.pcontract.json`, `docs/bpf.pcontract.json`, `docs/dpdk.pcontract.json`), parsed once.
 * They are part of the installation, not of the analysed sources, so they are read from disk rather
 * than through the analysis's file system. Their names are those of functions without a body: a
 * program's own definition, or a contract file of its project, takes precedence.
 */
export function builtinContracts(): { contracts: DeclaredContracts; errors: string[] } {
  if (!builtin) {
    builtin = { contracts: new Map(), errors: [] };
    for (const name of [BUILTIN_CONTRACTS_FILE, BPF_CONTRACTS_FILE, DPDK_CONTRACTS_FILE]) {
      const file = builtinContractsPath(name);
      if (!file) continue;
      const parsed = parseDeclaredContracts(fs.readFileSync(file, 'utf8'), file);
      for (const [fn, contract] of parsed.contracts) builtin.contracts.set(fn, contract);
      builtin.errors.push(...parsed.errors);
    }
  }
  return { contracts: new Map(builtin.contracts), errors: [...builtin.errors] };
}

let builtin: { contracts: DeclaredContracts; errors: string[] } | undefined;

/**
 * Reads the built-in contracts, then every `*.pcontract.json` in the given folders and the given
 * files; later declarations win, so a project's own contract for a C library function replaces the
 * built-in one.
 */
export function loadDeclaredContracts(folders: string[], files: string[], readFile: (p: string) => string | undefined): { contracts: DeclaredContracts; errors: string[] } {
  const { contracts: all, errors } = builtinContracts();
  const paths: string[] = [];
  for (const folder of [...new Set(folders)]) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(folder).filter((n) => n.endsWith('.pcontract.json')).sort();
    } catch {
      continue; // a virtual or missing folder has no contract files
    }
    paths.push(...names.map((n) => path.join(folder, n)));
  }
  paths.push(...files);
  for (const file of paths) {
    const text = readFile(file);
    if (text === undefined) {
      errors.push(`${file}: cannot read the contract file`);
      continue;
    }
    const parsed = parseDeclaredContracts(text, file);
    errors.push(...parsed.errors);
    for (const [name, contract] of parsed.contracts) all.set(name, contract);
  }
  return { contracts: all, errors };
}

function toCase(raw: RawCase, index: number): DeclaredCase {
  const pcvs = raw.pcvs ?? {};
  const cost = {} as Record<IrMetric, Polynomial>;
  for (const metric of ['instructions', 'memory_accesses'] as IrMetric[]) {
    const formula = raw.cost[metric] ?? '0';
    const polynomial = toPolynomial(parseFormula(formula));
    for (const key of polynomial.keys()) {
      for (const name of monomialPcvs(key)) {
        if (!(name in pcvs)) throw new FormulaError(`case ${index + 1}: '${name}' in the ${metric} formula is not one of the case's pcvs`);
      }
    }
    for (const [key, value] of polynomial) {
      // With PCVs never negative, non-negative coefficients keep the worst case at the bounds.
      if (value < 0) throw new FormulaError(`case ${index + 1}: the ${metric} formula has a negative coefficient for ${key || 'its constant'}`);
    }
    cost[metric] = polynomial;
  }
  if (typeof raw.returns === 'object' && raw.returns.min > raw.returns.max) throw new Error(`case ${index + 1}: returns.min is above returns.max`);
  const writes: DeclaredWrite[] = [];
  for (const [param, value] of Object.entries(raw.writes ?? {})) {
    if (typeof value === 'object' && value.min > value.max) throw new Error(`case ${index + 1}: writes.${param}.min is above its max`);
    writes.push({ param, value, argIndex: -1, width: 0, signed: false });
  }
  return { name: raw.name ?? `case ${index + 1}`, returns: raw.returns, writes, pcvs, bounds: raw.bounds ?? {}, cost };
}

/** Expands a formula of +, - and * over constants and PCVs into a polynomial (min and max are not linear). */
export function toPolynomial(node: FormulaNode): Polynomial {
  switch (node.kind) {
    case 'number': return new Map([['', node.value]]);
    case 'pcv': return new Map([[node.name, 1]]);
    case 'call': throw new FormulaError(`${node.callee}(...) is not allowed in a declared contract; write one case per alternative`);
    case 'binary': {
      const left = toPolynomial(node.left);
      const right = toPolynomial(node.right);
      if (node.operator === '*') {
        const product: Polynomial = new Map();
        for (const [a, x] of left) for (const [b, y] of right) addTerm(product, multiplyMonomials(a, b), x * y);
        return product;
      }
      const sum = new Map(left);
      for (const [key, value] of right) addTerm(sum, key, node.operator === '+' ? value : -value);
      return sum;
    }
  }
}

function addTerm(polynomial: Polynomial, key: string, value: number): void {
  polynomial.set(key, (polynomial.get(key) ?? 0) + value);
}

/**
 * Names this call's PCVs t, t', t'' ... in order of occurrence on the path (advancing `instances`).
 * In the summarised iterations of a loop whose PCV is `loop`, they are `t@LOOP`, `t'@LOOP`, ...
 * (counted apart, from the start of each iteration): totals over the loop's iterations, which no
 * call outside the loop shares.
 */
export function nameCasePcvs(c: DeclaredCase, instances: Map<string, number>, loop?: string): Map<string, string> {
  const renamed = new Map<string, string>();
  for (const pcv of Object.keys(c.pcvs)) {
    const key = loop === undefined ? pcv : loopDeclaredKey(pcv, loop);
    const instance = instances.get(key) ?? 0;
    instances.set(key, instance + 1);
    renamed.set(pcv, pcv + "'".repeat(instance) + (loop === undefined ? '' : `@${loop}`));
  }
  return renamed;
}

/** The instance counter of a declared PCV `pcv` in the summarised iterations of the loop with PCV `loop`. */
export function loopDeclaredKey(pcv: string, loop: string): string {
  return `${pcv}@${loop}`;
}

/**
 * A declared PCV named inside a summarised loop (`t''@LOOP`): its declared name with primes and
 * the loop's PCV. Declared PCV names have no '@', so the first one separates them.
 */
export function splitLoopDeclaredName(name: string): { declared: string; loop: string } | undefined {
  const at = name.indexOf('@');
  return at < 0 ? undefined : { declared: name.slice(0, at), loop: name.slice(at + 1) };
}

/** The constant part and the PCV terms of a case's cost, with PCVs renamed by `rename`. */
export function caseCost(c: DeclaredCase, rename: (pcv: string) => string): { constant: Cost; terms: Map<string, Cost> } {
  const constant: Cost = { instructions: 0, memory_accesses: 0 };
  const terms = new Map<string, Cost>();
  for (const metric of ['instructions', 'memory_accesses'] as IrMetric[]) {
    for (const [key, value] of c.cost[metric]) {
      if (key === '') {
        constant[metric] += value;
        continue;
      }
      const renamed = renameMonomial(key, rename);
      const term = terms.get(renamed) ?? { instructions: 0, memory_accesses: 0 };
      term[metric] += value;
      terms.set(renamed, term);
    }
  }
  return { constant, terms };
}

/** The pointee of a pointer parameter, as the engine needs it to store a declared write. */
export interface OutParameter {
  index: number;
  /** Bits of the integer pointee; undefined when the parameter is not a pointer to an integer. */
  width?: number;
  signed?: boolean;
}

/**
 * Binds every `writes` entry of the contracts to an argument position and pointee type, using the
 * function's declaration; returns one message per entry that cannot be bound (the entry is dropped).
 */
export function bindDeclaredWrites(contracts: DeclaredContracts, parameter: (fn: string, param: string) => OutParameter | 'no-declaration' | 'not-declared' | undefined): string[] {
  const errors: string[] = [];
  for (const contract of contracts.values()) {
    for (const c of contract.cases) {
      c.writes = c.writes.filter((write) => {
        const found = parameter(contract.name, write.param);
        if (found === 'not-declared') return false; // the analysed code cannot call it
        const problem = found === 'no-declaration' ? `'${contract.name}' has no declaration with parameter names in the analysed sources`
          : found === undefined ? `'${contract.name}' has no parameter named '${write.param}'`
            : found.width === undefined ? `parameter '${write.param}' of '${contract.name}' is not a pointer to an integer`
              : undefined;
        if (problem !== undefined || found === 'no-declaration' || found === undefined || found.width === undefined) {
          errors.push(`${contract.source}: contract of '${contract.name}', case '${c.name}': writes.${write.param}: ${problem}`);
          return false;
        }
        const limits = integerLimits(found.width, found.signed ?? false);
        const [min, max] = typeof write.value === 'number' ? [write.value, write.value] : [write.value.min, write.value.max];
        if (BigInt(min) < limits.min || BigInt(max) > limits.max) {
          errors.push(`${contract.source}: contract of '${contract.name}', case '${c.name}': writes.${write.param} does not fit the parameter's ${found.width}-bit pointee`);
          return false;
        }
        write.argIndex = found.index;
        write.width = found.width;
        write.signed = found.signed ?? false;
        return true;
      });
    }
  }
  return errors;
}

function integerLimits(width: number, signed: boolean): { min: bigint; max: bigint } {
  return signed ? { min: -(1n << BigInt(width - 1)), max: (1n << BigInt(width - 1)) - 1n } : { min: 0n, max: (1n << BigInt(width)) - 1n };
}

/** The value of a declared write or return range as [min, max]. */
export function rangeOf(value: IntegerOrRange): [number, number] {
  return typeof value === 'number' ? [value, value] : [value.min, value.max];
}

const discardedForms = new WeakMap<DeclaredContract, DeclaredContract>();

/**
 * The contract a call whose result is discarded follows: when no case writes an out-parameter, the
 * cases cannot be told apart afterwards, so they merge into one case that costs, term by term, the
 * most of any case (an upper bound of each, as PCVs are never negative). Both engines use it, so a
 * path does not fork on outcomes nothing observes.
 */
export function contractForDiscardedResult(contract: DeclaredContract): DeclaredContract {
  if (contract.cases.length < 2 || contract.cases.some((c) => c.writes.length > 0)) return contract;
  let merged = discardedForms.get(contract);
  if (!merged) {
    const pcvs: Record<string, string> = {};
    const bounds: Record<string, number> = {};
    const cost = { instructions: new Map(), memory_accesses: new Map() } as Record<IrMetric, Polynomial>;
    for (const c of contract.cases) {
      for (const [name, description] of Object.entries(c.pcvs)) pcvs[name] ??= description;
      for (const [name, bound] of Object.entries(c.bounds)) bounds[name] = Math.max(bounds[name] ?? 0, bound);
      for (const metric of ['instructions', 'memory_accesses'] as IrMetric[]) {
        for (const [key, value] of c.cost[metric]) cost[metric].set(key, Math.max(cost[metric].get(key) ?? 0, value));
      }
    }
    // A PCV without a bound in some case has none in the merged one.
    for (const name of Object.keys(bounds)) if (contract.cases.some((c) => name in c.pcvs && c.bounds[name] === undefined)) delete bounds[name];
    const name = contract.cases.map((c) => c.name).join(' or ');
    merged = { ...contract, cases: [{ name, writes: [], pcvs, bounds, cost }] };
    discardedForms.set(contract, merged);
  }
  return merged;
}

/** Finds a declared function's pointer parameter by name in the translation unit (for `bindDeclaredWrites`). */
export function outParameterOf(unit: TranslationUnit): (fn: string, param: string) => OutParameter | 'no-declaration' | 'not-declared' | undefined {
  return (name, param) => {
    const declaration = unit.functions.get(name);
    if (!declaration) return 'not-declared';
    if (declaration.paramNames.every((n) => !n)) return 'no-declaration';
    const index = declaration.paramNames.indexOf(param);
    if (index < 0) return undefined;
    const type = declaration.type.params[index];
    const pointee = type?.kind === 'pointer' ? type.to : undefined;
    return pointee?.kind === 'int' ? { index, width: pointee.size * 8, signed: pointee.signed } : { index };
  };
}
