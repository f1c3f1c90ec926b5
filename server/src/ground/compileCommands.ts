// The compiler command for a source file, as clangd finds it: `compile_commands.json` in the
// file's folder or one above it (or in their `build/` folder), else `--cflags`, else defaults.
import * as fs from 'fs';
import * as path from 'path';
import type { CompilerCommand } from './replay';
import { failureOf, GroundingError, GroundingFailure } from './groundingError';

export const DEFAULT_COMPILER = 'gcc';
export const DEFAULT_FLAGS = ['-O2'];

interface CompileCommandEntry { directory: string; file: string; arguments?: string[]; command?: string }

/** Splits a shell command line the way compile_commands.json writers quote (single and double quotes, backslashes). */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw new GroundingError('bad-compile-command', `unterminated ${quote} in '${text}'`);
  if (inWord) words.push(current);
  return words;
}

/** Flags that change the generated code or what the sources see; everything else (-c, -o, -M*, warnings, the files) is dropped. */
export function relevantFlags(argv: string[], directory: string): string[] {
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string | undefined => argv[++i];
    if (a === '-I' || a === '-isystem' || a === '-iquote') {
      const dir = next();
      if (dir !== undefined) flags.push(a, path.resolve(directory, dir));
    } else if (/^-I./.test(a)) flags.push(`-I${path.resolve(directory, a.slice(2))}`);
    else if (a === '-D' || a === '-U' || a === '-include') {
      const v = next();
      if (v !== undefined) flags.push(a, a === '-include' ? path.resolve(directory, v) : v);
    } else if (/^-[DU]./.test(a) || /^-O/.test(a) || /^-std=/.test(a) || /^-m/.test(a) || /^-f/.test(a) || a === '-pthread') flags.push(a);
    else if (a === '-o' || a === '-MF' || a === '-MT' || a === '-MQ' || a === '-x') next();
  }
  return flags;
}

/** The folders clangd would look in for FILE: its folder and every ancestor, each also with `build/`. */
function candidateFiles(file: string): string[] {
  const out: string[] = [];
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    out.push(path.join(dir, 'compile_commands.json'), path.join(dir, 'build', 'compile_commands.json'));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return out;
}

/**
 * The command for `file`: from compile_commands.json when one lists it, else `cflags` (split like
 * a shell), else DEFAULT_FLAGS; `extra` (the analysis's -I and -D) is added unless already there.
 */
export function compilerCommandFor(file: string, options: { cflags?: string; compiler?: string; extra?: string[] }): CompilerCommand {
  const extra = options.extra ?? [];
  const merge = (flags: string[]) => [...flags, ...extra.filter((f) => !flags.includes(f))];
  if (options.cflags !== undefined) {
    return { compiler: options.compiler ?? DEFAULT_COMPILER, flags: merge(splitCommandLine(options.cflags)), source: '--cflags' };
  }
  const target = path.resolve(file);
  for (const candidate of candidateFiles(file)) {
    if (!fs.existsSync(candidate)) continue;
    let entries: CompileCommandEntry[];
    try {
      entries = JSON.parse(fs.readFileSync(candidate, 'utf8')) as CompileCommandEntry[];
      if (!Array.isArray(entries)) throw new Error('not an array');
    } catch (error) {
      throw new GroundingError('bad-compile-command', `${candidate}: ${(error as Error).message}`);
    }
    const entry = entries.find((e) => e && typeof e.file === 'string' && path.resolve(e.directory ?? path.dirname(candidate), e.file) === target);
    if (!entry) continue;
    const argv = entry.arguments ?? (entry.command !== undefined ? splitCommandLine(entry.command) : undefined);
    if (!argv || argv.length === 0) throw new GroundingError('bad-compile-command', `${candidate}: the entry for ${entry.file} has neither arguments nor command`);
    const compiler = options.compiler ?? (/(^|\/)(gcc|cc|clang)(-[0-9.]+)?$/.test(argv[0]!) ? argv[0]! : DEFAULT_COMPILER);
    return { compiler, flags: merge(relevantFlags(argv.slice(1), entry.directory ?? path.dirname(candidate))), source: `compile_commands.json (${candidate})` };
  }
  return { compiler: options.compiler ?? DEFAULT_COMPILER, flags: merge(DEFAULT_FLAGS), source: 'default' };
}

/**
 * `compilerCommandFor` with the analysis's own include folders and macros added, or the failure
 * (an unreadable compile_commands.json) as a contract's `grounding` records it.
 */
export function resolveCompilerCommand(
  file: string, options: { cflags?: string; compiler?: string; includeDirs?: string[]; defines?: Record<string, string> },
): CompilerCommand | GroundingFailure {
  const extra = [...(options.includeDirs ?? []).map((d) => `-I${d}`), ...Object.entries(options.defines ?? {}).map(([n, v]) => `-D${n}=${v}`)];
  try {
    return compilerCommandFor(file, { cflags: options.cflags, compiler: options.compiler, extra });
  } catch (error) {
    if (error instanceof GroundingError) return failureOf(error);
    throw error;
  }
}
