// Reads gcc-style compiler flags (as `pkg-config --cflags` or a Makefile prints them) into front-end options.
//
// Preprocessor flags (`-I -isystem -iquote -idirafter -include -D -U -std=`) change what is
// analysed; code-generation and warning flags (`-O2 -march=... -f... -W... -g -m...`) do not, and
// are reported in one note. `-O` levels other than 0 define `__OPTIMIZE__`, as gcc does.
import * as path from 'path';
import { spawnSync } from 'child_process';
import type { FrontEndOptions } from '../core/syntax/translationUnit';
import { BUILTIN_PREDEFINES } from '../core/syntax/predefinedMacros';

export interface CompilerFlags {
  includeDirs: string[];
  quoteIncludeDirs: string[];
  systemIncludeDirs: string[];
  afterIncludeDirs: string[];
  forcedIncludes: string[];
  defines: Record<string, string>;
  undefines: string[];
  std?: string;
  /** Flags that were read but do not change the analysis. */
  ignored: string[];
  /** Any preprocessor flag besides -I and -D was given: the command line describes a real build. */
  realBuild: boolean;
}

export function emptyCompilerFlags(): CompilerFlags {
  return { includeDirs: [], quoteIncludeDirs: [], systemIncludeDirs: [], afterIncludeDirs: [], forcedIncludes: [], defines: {}, undefines: [], ignored: [], realBuild: false };
}

/** Flags taking a separate value that are not preprocessor flags (so the value is not a file name). */
const IGNORED_WITH_VALUE = new Set(['-o', '-MF', '-MT', '-MQ', '-x', '-Xlinker', '-L', '-l', '-target', '--target', '-arch', '-include-pch', '-aux-info', '-Xclang', '-mllvm']);

/**
 * Reads one compiler flag at argv[i]. Returns how many arguments it used (0 when argv[i] is not a
 * compiler flag). Relative folders resolve against `directory` (the compile command's folder).
 */
export function readCompilerFlag(argv: string[], i: number, flags: CompilerFlags, directory = process.cwd()): number {
  const arg = argv[i]!;
  const joined = (prefix: string): { value: string; used: number } | undefined => {
    if (arg === prefix) return argv[i + 1] === undefined ? undefined : { value: argv[i + 1]!, used: 2 };
    if (arg.startsWith(prefix)) return { value: arg.slice(prefix.length).replace(/^=/, ''), used: 1 };
    return undefined;
  };
  const dir = (value: string) => path.resolve(directory, value);
  for (const [prefix, list, real] of [
    ['-isystem', flags.systemIncludeDirs, true], ['-iquote', flags.quoteIncludeDirs, true], ['-idirafter', flags.afterIncludeDirs, true], ['-I', flags.includeDirs, false],
  ] as const) {
    const v = joined(prefix);
    if (v) {
      list.push(dir(v.value));
      if (real) flags.realBuild = true;
      return v.used;
    }
  }
  if (arg === '-include' || arg.startsWith('-include') && !arg.startsWith('-include-pch')) {
    const v = joined('-include');
    if (!v) return 0;
    flags.forcedIncludes.push(v.value.includes('/') ? dir(v.value) : v.value);
    flags.realBuild = true;
    return v.used;
  }
  if (arg === '-D' || arg.startsWith('-D')) {
    const v = joined('-D');
    if (!v) return 0;
    const [name, ...value] = v.value.split('=');
    flags.defines[name!] = value.length > 0 ? value.join('=') : '1';
    return v.used;
  }
  if (arg === '-U' || arg.startsWith('-U')) {
    const v = joined('-U');
    if (!v) return 0;
    flags.undefines.push(v.value);
    delete flags.defines[v.value];
    flags.realBuild = true;
    return v.used;
  }
  if (arg.startsWith('-std=')) {
    flags.std = arg.slice(5);
    flags.realBuild = true;
    return 1;
  }
  if (/^-O([1-3sgz]|fast)?$/.test(arg)) {
    flags.defines.__OPTIMIZE__ = '1';
    if (arg === '-Os' || arg === '-Oz') flags.defines.__OPTIMIZE_SIZE__ = '1';
    flags.ignored.push(arg);
    flags.realBuild = true;
    return 1;
  }
  if (arg === '-O0' || /^-[fWgmp]/.test(arg) || arg === '-c' || arg === '-S' || arg === '-E' || /^-M[DMG]?$/.test(arg) || arg === '-pthread' || arg === '-w' || arg === '-ansi' || arg === '-pedantic') {
    flags.ignored.push(arg);
    flags.realBuild = true;
    return 1;
  }
  if (IGNORED_WITH_VALUE.has(arg)) {
    flags.ignored.push(`${arg} ${argv[i + 1] ?? ''}`.trim());
    return argv[i + 1] === undefined ? 1 : 2;
  }
  return 0;
}

/** The note the CLI prints about ignored flags, or undefined when none were ignored. */
export function ignoredFlagsNote(flags: CompilerFlags): string | undefined {
  if (flags.ignored.length === 0) return undefined;
  const shown = flags.ignored.slice(0, 8).join(' ');
  return `note: code-generation and warning flags do not change the analysis and were ignored: ${shown}${flags.ignored.length > 8 ? ` (and ${flags.ignored.length - 8} more)` : ''}`;
}

let gccQuery: { predefines: string; systemDirs: string[] } | null | undefined;

/** gcc's predefined macros and system include folders, asked once; undefined without gcc. */
export function queryCompiler(): { predefines: string; systemDirs: string[] } | undefined {
  if (gccQuery !== undefined) return gccQuery ?? undefined;
  gccQuery = null;
  const macros = spawnSync('gcc', ['-dM', '-E', '-xc', '-'], { input: '', encoding: 'utf8', timeout: 10_000 });
  if (macros.status !== 0 || typeof macros.stdout !== 'string') return undefined;
  // -v prints the search list on stderr.
  const verbose = spawnSync('gcc', ['-xc', '-E', '-v', '-'], { input: '', encoding: 'utf8', timeout: 10_000 });
  const text = verbose.stderr ?? '';
  const start = text.indexOf('#include <...> search starts here:');
  const end = text.indexOf('End of search list.');
  const systemDirs = start >= 0 && end > start ? text.slice(start, end).split('\n').slice(1).map((l) => l.trim()).filter((l) => l.startsWith('/')) : [];
  gccQuery = { predefines: macros.stdout, systemDirs };
  return gccQuery;
}

/** gcc's default folders on Debian x86-64, used when gcc cannot be asked. */
const FALLBACK_SYSTEM_DIRS = ['/usr/local/include', '/usr/include/x86_64-linux-gnu', '/usr/include'];

/**
 * Front-end options for the flags. With only -I and -D (or none), the engine's modelled C library
 * headers are used, as before; a command line that describes a real build (any other
 * preprocessor or code-generation flag) reads gcc's own headers and predefined macros.
 */
export function frontEndOptions(flags: CompilerFlags, forceSystem = false): Pick<FrontEndOptions, 'includeDirs' | 'defines' | 'undefines' | 'quoteIncludeDirs' | 'systemIncludeDirs' | 'afterIncludeDirs' | 'forcedIncludes' | 'builtinIncludeDirs' | 'predefines'> {
  const options: ReturnType<typeof frontEndOptions> = {
    includeDirs: flags.includeDirs, defines: flags.defines, undefines: flags.undefines,
    quoteIncludeDirs: flags.quoteIncludeDirs, systemIncludeDirs: flags.systemIncludeDirs, afterIncludeDirs: flags.afterIncludeDirs,
    forcedIncludes: flags.forcedIncludes,
  };
  if (flags.realBuild || forceSystem) {
    const gcc = queryCompiler();
    options.builtinIncludeDirs = gcc && gcc.systemDirs.length > 0 ? gcc.systemDirs : FALLBACK_SYSTEM_DIRS;
    options.predefines = gcc ? gcc.predefines : BUILTIN_PREDEFINES;
    if (flags.std && /^c(89|90|99|11|17|18|2x|23)$|^iso9899/.test(flags.std)) {
      // Strict ISO modes: no `linux`/`unix` macros and __STRICT_ANSI__, as gcc -std=c11 does.
      options.predefines = options.predefines!.split('\n').filter((l) => !/^#define (linux|unix|i386) /.test(l)).join('\n') + '\n#define __STRICT_ANSI__ 1\n';
    }
    const version = flags.std ? STD_VERSIONS[flags.std.replace(/^gnu/, 'c')] : undefined;
    if (version) options.predefines = options.predefines! + `\n#undef __STDC_VERSION__\n#define __STDC_VERSION__ ${version}\n`;
  }
  return options;
}

const STD_VERSIONS: Record<string, string> = {
  c99: '199901L', c9x: '199901L', c11: '201112L', c1x: '201112L', c17: '201710L', c18: '201710L', c2x: '202000L', c23: '202000L',
};
