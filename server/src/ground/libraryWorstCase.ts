// The worst-case cost of the C library's memory functions. At -O0 (and for sizes gcc does not
// expand inline) the compiled code calls the C library's memcmp, memcpy and memset, whose
// instruction count depends on the data and the addresses: memcmp returns earlier on equal bytes,
// and glibc takes a slower path when a vector load could cross a page. The IR's cost of these calls
// is data-dependent in the same places only in part, so a fit over calibration calls would price
// the paths calibration happened to take. Instead, every calibration call's library cost is replaced
// by its worst case, measured here under callgrind over a grid of alignments, page positions and
// mismatch positions for each size the program passes; the x86 formulas then bound the worst case.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { IrProgram } from '../core/ir/ir';
import { reachableBodies } from '../core/symex/summaries';
import { parseCallgrindParts } from '../measure/callgrind';
import { GroundingError } from './groundingError';
import type { CompilerCommand } from './replay';

export type MemoryIntrinsic = 'memcmp' | 'memcpy' | 'memset';
const INTRINSICS: readonly MemoryIntrinsic[] = ['memcmp', 'memcpy', 'memset'];

/** Per intrinsic the program calls from the entry: the constant sizes it passes, or 'unknown' when one is not a constant. */
export type IntrinsicSizes = Map<MemoryIntrinsic, number[] | 'unknown'>;

/** The worst case of one library function (as the C library resolved it) over the sizes the program passes. */
export interface LibraryWorstCase {
  /** The resolved function, e.g. `__memcmp_avx2_movbe`. */
  function: string;
  /** Undefined for a function that is not one of the memory intrinsics. */
  intrinsic: MemoryIntrinsic | undefined;
  sizes: number[];
  /** Largest instructions and memory accesses (Dr + Dw) of one call, each over the whole grid. */
  instructions: number;
  memoryAccesses: number;
  /** The same per size. */
  perSize: Record<number, { instructions: number; memoryAccesses: number }>;
  /** Calls measured. */
  measured: number;
}

/**
 * The sizes passed to memcmp/memcpy/memset by the functions reachable from `entry` (through calls
 * to defined functions).
 */
export function intrinsicSizes(program: IrProgram, entry: string): IntrinsicSizes {
  const sizes: IntrinsicSizes = new Map();
  for (const name of reachableBodies(program, entry)) {
    for (const block of program.functions.get(name)!.blocks) {
      for (const ins of block.instructions) {
        if (ins.op !== 'call' || !(INTRINSICS as readonly string[]).includes(ins.callee)) continue;
        const intrinsic = ins.callee as MemoryIntrinsic;
        const size = ins.args[2];
        const known = sizes.get(intrinsic);
        if (size?.kind !== 'imm' || known === 'unknown') sizes.set(intrinsic, 'unknown');
        else sizes.set(intrinsic, [...new Set([...(known ?? []), Number(size.value)])].sort((a, b) => a - b));
      }
    }
  }
  return sizes;
}

const PAGE = 4096;

/**
 * Byte offsets into a page-aligned buffer for one operand of `size` bytes: aligned, misaligned, and
 * the positions where a 16-, 32- or 64-byte vector load from the operand would cross into the
 * next page (glibc checks for them), including the operand ending on the page's last byte.
 */
function offsets(size: number): number[] {
  const candidates = [0, 1, 7, PAGE - 64 + 1, PAGE - 32 + 1, PAGE - 16 + 1, PAGE - Math.max(1, size)];
  return [...new Set(candidates.map((o) => ((o % PAGE) + PAGE) % PAGE))];
}

/** Positions of the first differing byte for memcmp (-1: equal operands). */
function mismatches(size: number): number[] {
  if (size <= 16) return [-1, ...Array.from({ length: size }, (_, i) => i)];
  return [...new Set([-1, 0, 1, 7, 8, 15, 16, 31, 32, 63, 64, Math.floor(size / 2), size - 2, size - 1].filter((i) => i < size))];
}

interface BenchCall { intrinsic: MemoryIntrinsic; size: number; a: number; b: number; mismatch: number; sign: number }

function benchCalls(sizes: IntrinsicSizes): BenchCall[] {
  const calls: BenchCall[] = [];
  for (const [intrinsic, list] of sizes) {
    if (list === 'unknown') continue;
    for (const size of list) {
      const os = offsets(size);
      for (const a of os) {
        if (intrinsic === 'memset') {
          calls.push({ intrinsic, size, a, b: 0, mismatch: -1, sign: 0 });
          continue;
        }
        for (const b of os) {
          if (intrinsic === 'memcpy') calls.push({ intrinsic, size, a, b, mismatch: -1, sign: 0 });
          else for (const mismatch of mismatches(size)) for (const sign of mismatch < 0 ? [0] : [1, -1]) calls.push({ intrinsic, size, a, b, mismatch, sign });
        }
      }
    }
  }
  return calls;
}

function benchSource(calls: BenchCall[], largest: number): string {
  // Two regions of whole pages; each operand starts at its offset into the second page, so that a
  // load past either end of it stays inside the region.
  const pages = Math.ceil((largest + PAGE) / PAGE) + 2;
  const rows = calls.map((c) => `  {${INTRINSICS.indexOf(c.intrinsic)}, ${c.size}u, ${c.a}u, ${c.b}u, ${c.mismatch}, ${c.sign}},`);
  return [
    '/* Generated by perfcontract: worst-case cost of the C library\'s memory functions. */',
    '#include <stddef.h>', '#include <stdio.h>', '#include <string.h>', '#include <valgrind/callgrind.h>', '',
    `#define PAGES ${pages}`,
    'static unsigned char region_a[PAGES * 4096] __attribute__((aligned(4096)));',
    'static unsigned char region_b[PAGES * 4096] __attribute__((aligned(4096)));',
    'struct bench { int which; unsigned size, a, b; int mismatch, sign; };',
    `static const struct bench benches[] = {\n${rows.join('\n')}\n};`,
    'volatile int sink;',
    '',
    '__attribute__((noinline)) void pc_bench_call(const struct bench *c, unsigned char *a, unsigned char *b)',
    '{',
    '    switch (c->which) {',
    '    case 0: sink = memcmp(a, b, c->size); break;',
    '    case 1: memcpy(a, b, c->size); break;',
    '    default: memset(a, c->sign, c->size); break;',
    '    }',
    '}',
    '',
    'int main(void)',
    '{',
    '    char label[96];',
    '    /* The first dump also holds the calls that led to the collected function: not a measurement. */',
    '    pc_bench_call(&benches[0], region_a + 4096, region_b + 4096);',
    '    CALLGRIND_DUMP_STATS_AT("warm-up");',
    '    for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++) {',
    '        const struct bench *c = &benches[i];',
    '        unsigned char *a = region_a + 4096 + c->a;',
    '        unsigned char *b = region_b + 4096 + c->b;',
    '        memset(a, 0x5a, c->size);',
    '        memset(b, 0x5a, c->size);',
    '        if (c->mismatch >= 0) a[c->mismatch] = (unsigned char)(0x5a + c->sign);',
    '        snprintf(label, sizeof label, "bench %zu", i);',
    '        pc_bench_call(c, a, b);',
    '        CALLGRIND_DUMP_STATS_AT(label);',
    '    }',
    '    return 0;',
    '}',
    '',
  ].join('\n');
}

const memo = new Map<string, LibraryWorstCase[]>();

/**
 * Measures the worst case of each memory function the program calls, for the sizes it passes
 * (intrinsics with an unknown size are left out: their cost cannot be bounded this way). The
 * benchmark is compiled with `command`'s compiler (the library is the one the harness links).
 */
export function measureLibraryWorstCase(sizes: IntrinsicSizes, command: CompilerCommand, workDir: string): LibraryWorstCase[] {
  const calls = benchCalls(sizes);
  if (calls.length === 0) return [];
  const key = `${command.compiler}\0${JSON.stringify([...sizes])}`;
  const known = memo.get(key);
  if (known) return known;
  fs.mkdirSync(workDir, { recursive: true });
  const source = path.join(workDir, 'library-bench.c');
  const binary = path.join(workDir, 'library-bench');
  const largest = Math.max(...calls.map((c) => c.size));
  fs.writeFileSync(source, benchSource(calls, largest));
  // -fno-builtin: the calls must reach the library whatever the size.
  const compiled = spawnSync(command.compiler, ['-O0', '-fno-builtin', '-no-pie', '-Wl,-z,now', '-o', binary, source], { encoding: 'utf8' });
  if (compiled.error || compiled.status !== 0) throw new GroundingError('compile-failed', `the C library benchmark did not compile: ${(compiled.stderr ?? compiled.error?.message ?? '').trim().slice(-800)}`);
  const outFile = path.join(workDir, 'library-bench.callgrind');
  fs.rmSync(outFile, { force: true });
  const run = spawnSync('valgrind', ['--tool=callgrind', '-q', `--callgrind-out-file=${outFile}`, '--combine-dumps=yes', '--collect-atstart=no',
    '--toggle-collect=pc_bench_call', '--cache-sim=yes', '--dump-instr=no', binary], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.error || run.status !== 0) throw new GroundingError('replay-failed', `the C library benchmark failed under valgrind: ${(run.stderr ?? run.error?.message ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  const worst = new Map<string, LibraryWorstCase>();
  for (const part of parseCallgrindParts(fs.readFileSync(outFile, 'utf8'))) {
    const index = /^bench (\d+)$/.exec(part.label);
    if (!index) continue;
    const call = calls[Number(index[1])]!;
    for (const [name, measured] of Object.entries(part.libraryCalls ?? {})) {
      const perCall = (event: string) => (measured.inclusive[event] ?? 0) / Math.max(1, measured.calls);
      const entry = worst.get(name) ?? { function: name, intrinsic: call.intrinsic, sizes: [], instructions: 0, memoryAccesses: 0, perSize: {}, measured: 0 };
      entry.instructions = Math.max(entry.instructions, perCall('Ir'));
      entry.memoryAccesses = Math.max(entry.memoryAccesses, perCall('Dr') + perCall('Dw'));
      const size = entry.perSize[call.size] ??= { instructions: 0, memoryAccesses: 0 };
      size.instructions = Math.max(size.instructions, perCall('Ir'));
      size.memoryAccesses = Math.max(size.memoryAccesses, perCall('Dr') + perCall('Dw'));
      if (!entry.sizes.includes(call.size)) entry.sizes.push(call.size);
      entry.measured += measured.calls;
      worst.set(name, entry);
    }
  }
  const result = [...worst.values()].map((w) => ({ ...w, sizes: w.sizes.sort((a, b) => a - b) }));
  memo.set(key, result);
  return result;
}
