// The `perfcontract` settings section: defaults, validation (bad values fall back with a message) and compile_commands.json flags.
import * as fs from 'fs';
import { splitCommandLine } from '../ground/compileCommands';
import { emptyCompilerFlags, frontEndOptions, readCompilerFlag } from '../cli/compilerFlags';
import type { FrontEndOptions } from '../core/syntax/translationUnit';
import * as path from 'path';
import type { IrMetric } from '../core/cost/costModel';
import { DEFAULT_GROWTH_PERCENT } from '../cli/baseline';

export interface ServerSettings {
  metrics: IrMetric[];
  adversarialFactor: number;
  /** Function name -> maximum instructions (worst case at the PCV bounds). */
  budgets: Record<string, number>;
  unrollLimit: number;
  /** Loops with a constant trip bound up to this many iterations run in full (the CLI's --full-unroll-limit). */
  fullUnrollLimit: number;
  /** The largest packet an XDP context describes, in bytes (the CLI's --packet-max). */
  packetMaxLength: number;
  maxPaths: number;
  /** Per function. */
  timeLimitMs: number;
  solverTimeoutMs: number;
  includePaths: string[];
  defines: Record<string, string>;
  cacheDirectory: string | undefined;
  debounceMs: number;
  /** Calls to functions with a declared contract (`*.pcontract.json`) use it even when their body is in the workspace. */
  preferContracts: boolean;
  /**
   * x86 grounding of saved files (compiles and runs the code, so off by default; a VS Code client
   * only passes `enabled` in trusted workspaces). `cflags` replaces compile_commands.json's flags.
   */
  x86: { enabled: boolean; cflags?: string; init?: string };
  /**
   * What the lenses and the growth diagnostic (PC509) compare with: a git revision (`HEAD` by
   * default) or a saved contract file (`contract --format json`); empty turns the comparison off.
   */
  baseline: string;
  /** A worst case that grows by more than this percentage against the baseline gets PC509. */
  baselineGrowthPercent: number;
}

export const KNOWN_METRICS: IrMetric[] = ['instructions', 'memory_accesses'];

export const DEFAULT_SETTINGS: ServerSettings = {
  metrics: ['instructions', 'memory_accesses'],
  adversarialFactor: 5,
  budgets: {},
  unrollLimit: 2,
  fullUnrollLimit: 64,
  packetMaxLength: 1514,
  maxPaths: 2048,
  timeLimitMs: 10000,
  solverTimeoutMs: 5000,
  includePaths: [],
  defines: {},
  cacheDirectory: undefined,
  debounceMs: 50,
  preferContracts: true,
  x86: { enabled: false },
  baseline: 'HEAD',
  baselineGrowthPercent: DEFAULT_GROWTH_PERCENT,
};

/** Reads a raw settings object; every invalid value is replaced by its default and explained in `problems`. */
export function parseSettings(raw: unknown): { settings: ServerSettings; problems: string[] } {
  const problems: string[] = [];
  const settings: ServerSettings = { ...DEFAULT_SETTINGS, budgets: {}, defines: {}, includePaths: [], x86: { enabled: false } };
  if (raw === undefined || raw === null) return { settings, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push('the perfcontract settings are not an object; using the defaults');
    return { settings, problems };
  }
  const value = raw as Record<string, unknown>;
  const number = (key: keyof ServerSettings, check: (n: number) => boolean, expected: string): void => {
    const v = value[key];
    if (v === undefined || v === null) return;
    if (typeof v === 'number' && Number.isFinite(v) && check(v)) (settings as unknown as Record<string, number>)[key] = v;
    else problems.push(`perfcontract.${key} must be ${expected}, got ${JSON.stringify(v)}; using ${String(settings[key])}`);
  };
  if (value.metrics !== undefined) {
    const metrics = value.metrics;
    if (Array.isArray(metrics) && metrics.length > 0 && metrics.every((m) => typeof m === 'string' && (KNOWN_METRICS as string[]).includes(m))) {
      settings.metrics = [...new Set(metrics as IrMetric[])];
    } else {
      problems.push(`perfcontract.metrics must be a non-empty list of ${KNOWN_METRICS.join(', ')}, got ${JSON.stringify(metrics)}; using ${settings.metrics.join(', ')}`);
    }
  }
  number('adversarialFactor', (n) => n > 1, 'a number above 1');
  number('unrollLimit', (n) => Number.isInteger(n) && n >= 0 && n <= 64, 'an integer from 0 to 64');
  number('fullUnrollLimit', (n) => Number.isInteger(n) && n >= 0 && n <= 1024, 'an integer from 0 to 1024');
  number('packetMaxLength', (n) => Number.isInteger(n) && n >= 1 && n <= 65535, 'an integer from 1 to 65535');
  number('maxPaths', (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
  number('timeLimitMs', (n) => Number.isInteger(n) && n >= 1, 'a positive integer (milliseconds)');
  number('solverTimeoutMs', (n) => Number.isInteger(n) && n >= 1, 'a positive integer (milliseconds)');
  number('baselineGrowthPercent', (n) => n >= 0, 'a number >= 0 (percent)');
  number('debounceMs', (n) => Number.isInteger(n) && n >= 0 && n <= 60000, 'an integer from 0 to 60000 (milliseconds)');
  if (value.budgets !== undefined && value.budgets !== null) {
    if (typeof value.budgets === 'object' && !Array.isArray(value.budgets)) {
      for (const [name, limit] of Object.entries(value.budgets as Record<string, unknown>)) {
        if (typeof limit === 'number' && Number.isFinite(limit) && limit >= 0) settings.budgets[name] = limit;
        else problems.push(`perfcontract.budgets.${name} must be a non-negative number of instructions, got ${JSON.stringify(limit)}; ignored`);
      }
    } else problems.push(`perfcontract.budgets must be an object (function name -> instructions), got ${JSON.stringify(value.budgets)}; ignored`);
  }
  if (value.includePaths !== undefined && value.includePaths !== null) {
    if (Array.isArray(value.includePaths) && value.includePaths.every((p) => typeof p === 'string')) settings.includePaths = value.includePaths as string[];
    else problems.push(`perfcontract.includePaths must be a list of folders, got ${JSON.stringify(value.includePaths)}; ignored`);
  }
  if (value.defines !== undefined && value.defines !== null) {
    if (typeof value.defines === 'object' && !Array.isArray(value.defines)) {
      for (const [name, definition] of Object.entries(value.defines as Record<string, unknown>)) {
        if (!/^[A-Za-z_]\w*$/.test(name)) problems.push(`perfcontract.defines: '${name}' is not a macro name; ignored`);
        else if (typeof definition === 'string' || typeof definition === 'number' || typeof definition === 'boolean') settings.defines[name] = definition === true ? '1' : definition === false ? '0' : String(definition);
        else problems.push(`perfcontract.defines.${name} must be a string or number; ignored`);
      }
    } else problems.push(`perfcontract.defines must be an object (name -> value); ignored`);
  }
  if (value.preferContracts !== undefined && value.preferContracts !== null) {
    if (typeof value.preferContracts === 'boolean') settings.preferContracts = value.preferContracts;
    else problems.push(`perfcontract.preferContracts must be true or false, got ${JSON.stringify(value.preferContracts)}; using ${settings.preferContracts}`);
  }
  if (value.x86 !== undefined && value.x86 !== null) {
    const x86 = value.x86 as Record<string, unknown>;
    if (typeof x86 !== 'object' || Array.isArray(x86)) problems.push(`perfcontract.x86 must be an object ({ enabled, cflags, init }); x86 metrics stay off`);
    else {
      if (x86.enabled !== undefined && typeof x86.enabled !== 'boolean') problems.push(`perfcontract.x86.enabled must be true or false, got ${JSON.stringify(x86.enabled)}; x86 metrics stay off`);
      else settings.x86.enabled = x86.enabled === true;
      for (const key of ['cflags', 'init'] as const) {
        const v = x86[key];
        if (v === undefined || v === null || v === '') continue;
        if (typeof v === 'string') settings.x86[key] = v;
        else problems.push(`perfcontract.x86.${key} must be a string, got ${JSON.stringify(v)}; ignored`);
      }
    }
  }
  if (value.baseline !== undefined && value.baseline !== null) {
    if (typeof value.baseline === 'string') settings.baseline = value.baseline.trim();
    else problems.push(`perfcontract.baseline must be a git revision or a saved contract file, got ${JSON.stringify(value.baseline)}; using ${settings.baseline}`);
  }
  if (value.cacheDirectory !== undefined && value.cacheDirectory !== null && value.cacheDirectory !== '') {
    if (typeof value.cacheDirectory === 'string') settings.cacheDirectory = value.cacheDirectory;
    else problems.push(`perfcontract.cacheDirectory must be a folder path; using the default`);
  }
  return { settings, problems };
}

export interface CompileFlags {
  includeDirs: string[];
  defines: Record<string, string>;
  /** Every other preprocessor setting of the command (and, for a real build's command, gcc's own folders and macros). */
  frontEnd?: Partial<FrontEndOptions>;
  source?: string;
  problem?: string;
}

/**
 * Finds the `compile_commands.json` nearest to a file (its folder, then each parent up to `stopAt`)
 * and returns the preprocessor flags of that file's entry, as clangd does. No entry: no flags.
 */
export function compileFlagsFor(filePath: string, stopAt: string[], readFile: (p: string) => string | undefined): CompileFlags {
  let directory = path.dirname(filePath);
  for (;;) {
    const candidate = path.join(directory, 'compile_commands.json');
    const text = readFile(candidate);
    if (text !== undefined) return flagsFromDatabase(candidate, text, filePath);
    const parent = path.dirname(directory);
    if (parent === directory || stopAt.includes(directory)) break;
    directory = parent;
  }
  return { includeDirs: [], defines: {} };
}

function flagsFromDatabase(databasePath: string, text: string, filePath: string): CompileFlags {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch (error) {
    return { includeDirs: [], defines: {}, source: databasePath, problem: `${databasePath} is not valid JSON (${(error as Error).message})` };
  }
  if (!Array.isArray(entries)) return { includeDirs: [], defines: {}, source: databasePath, problem: `${databasePath} is not a list of compile commands` };
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as { directory?: unknown; file?: unknown; command?: unknown; arguments?: unknown };
    if (typeof e.file !== 'string') continue;
    const directory = typeof e.directory === 'string' ? e.directory : path.dirname(databasePath);
    if (path.resolve(directory, e.file) !== path.resolve(filePath)) continue;
    const args = Array.isArray(e.arguments) ? e.arguments.filter((a): a is string => typeof a === 'string') : typeof e.command === 'string' ? splitCommand(e.command) : [];
    // The same reading of gcc's flags as the CLI's: -I -isystem -iquote -idirafter -include -D -U
    // -std=; the compiler, the file and code-generation flags are skipped.
    const compiler = emptyCompilerFlags();
    for (let i = 1; i < args.length; i++) i += Math.max(1, readCompilerFlag(args, i, compiler, directory)) - 1;
    const frontEnd = frontEndOptions(compiler);
    const flags: CompileFlags = { includeDirs: frontEnd.includeDirs, defines: frontEnd.defines, source: databasePath, frontEnd };
    return flags;
  }
  return { includeDirs: [], defines: {}, source: databasePath };
}

/** Splits a shell command line like a shell (quotes, backslashes); an unterminated quote keeps what came before it. */
function splitCommand(command: string): string[] {
  try {
    return splitCommandLine(command);
  } catch {
    return splitCommandLine(command.slice(0, Math.max(command.lastIndexOf('"'), command.lastIndexOf("'"))));
  }
}

/** Reads a file, or undefined when it does not exist or cannot be read. */
export function readFileOrUndefined(filePath: string): string | undefined {
  try {
    return fs.readFileSync(filePath, 'utf8');
  } catch {
    return undefined;
  }
}
