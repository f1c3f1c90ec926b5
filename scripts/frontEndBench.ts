// Times the front end on a real DPDK unit (l2fwd): preprocessing, parsing and declarations cold and with the header cache warm, then lowering;
// by default unused header bodies are blanked before parsing, and the third line parses every header body, as the corpus test does.
// The last two lines are the language server's case: a build that fills the preamble cache, then the same unit after a one-line
// edit in the main file, resumed from the cached preamble (the lines before run without that cache). A last line does the
// language server's edit loop on the NF fixture nat.c (small headers): build and lower after each of ten one-line edits,
// with the caches and without, medians.
//
// CPU time is printed beside wall time because the machine may be shared.
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { performance } from 'perf_hooks';
import { buildTranslationUnit, clearPreambleCache } from '../server/src/core/syntax/translationUnit';
import { lowerProgram } from '../server/src/core/ir/lowerProgram';
import { emptyCompilerFlags, frontEndOptions, readCompilerFlag } from '../server/src/cli/compilerFlags';

const UNIT = '/usr/share/dpdk/examples/l2fwd/main.c';
const disk = { readFile: (p: string) => { try { return fs.readFileSync(p, 'utf8'); } catch { return undefined; } } };

/** Lines describing the front end's speed on l2fwd, or why it was not measured. */
export async function benchFrontEnd(): Promise<string[]> {
  const nf = await benchNfEdits();
  const cflags = spawnSync('pkg-config', ['--cflags', 'libdpdk'], { encoding: 'utf8' });
  if (!fs.existsSync(UNIT) || cflags.status !== 0) return [nf, `front end: not measured (${UNIT} or pkg-config libdpdk missing; npm test installs dpdk-doc and libdpdk-dev)`];
  const argv = [...cflags.stdout.trim().split(/\s+/), '-I', '/usr/share/dpdk/examples/l2fwd'];
  const flags = emptyCompilerFlags();
  for (let i = 0; i < argv.length; i++) i += Math.max(1, readCompilerFlag(argv, i, flags)) - 1;
  const options = frontEndOptions(flags, true);
  const lines: string[] = [];
  const text = fs.readFileSync(UNIT, 'utf8');
  // A new line at the top of the first function's body, as an edit in the editor makes it.
  const edited = text.replace(/\n(static |int )([^;{]*\)\s*\{)/, '\n$1$2\n\tvolatile int edited_line = 1; (void)edited_line;');
  clearPreambleCache();
  const runs = [
    { label: 'cold (empty header cache)', keepUnusedHeaderBodies: false, incremental: false, text },
    { label: 'warm (headers tokenised)', keepUnusedHeaderBodies: false, incremental: false, text },
    { label: 'warm, every header body parsed', keepUnusedHeaderBodies: true, incremental: false, text },
    { label: 'warm, preamble cache filled', keepUnusedHeaderBodies: false, incremental: true, text },
    { label: 'second build, preamble cached, one-line edit in the main file', keepUnusedHeaderBodies: false, incremental: true, text: edited },
  ];
  for (const { label, keepUnusedHeaderBodies, incremental, text: mainText } of runs) {
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const unit = await buildTranslationUnit([{ path: UNIT, text: mainText }], { ...options, keepUnusedHeaderBodies, incremental }, disk);
    const built = performance.now();
    const cpuBuilt = process.cpuUsage(cpuStart);
    const lowered = lowerProgram(unit);
    const done = performance.now();
    const cpuDone = process.cpuUsage(cpuStart);
    const cpu = (u: NodeJS.CpuUsage) => ((u.user + u.system) / 1000).toFixed(0);
    const expanded = [...unit.files.values()][0]?.text ?? '';
    lines.push(`front end, l2fwd/main.c ${label}: preprocess + parse + declarations ${(built - started).toFixed(0)} ms (CPU ${cpu(cpuBuilt)} ms) ` +
      `(${unit.includedFiles.size} headers, ${(expanded.length / 1024).toFixed(0)} KiB expanded, ${[...unit.functions.values()].filter((f) => f.definition).length} function bodies, ${unit.blankedBodies.size} unused header bodies blanked); ` +
      `lowering every function ${(done - built).toFixed(0)} ms (CPU ${(Number(cpu(cpuDone)) - Number(cpu(cpuBuilt))).toFixed(0)} ms, ${lowered.failedFunctions.size} not lowered)`);
    unit.dispose();
  }
  clearPreambleCache();
  return [...lines, nf];
}

/** Median time to build and lower the NF corpus's nat.c after a one-line edit in its handler, with the front end's caches and without. */
async function benchNfEdits(): Promise<string> {
  const folder = path.join(__dirname, '..', '..', 'test-fixtures', 'nf');
  const main = path.join(folder, 'nat.c');
  const original = fs.readFileSync(main, 'utf8');
  const body = original.indexOf('{', original.indexOf('nf_process(')) + 1;
  const medians: string[] = [];
  for (const incremental of [false, true]) {
    clearPreambleCache();
    const times: number[] = [];
    for (let edit = 0; edit <= 10; edit++) {
      const text = `${original.slice(0, body)}\n    /* edit ${edit} */${original.slice(body)}`;
      const started = performance.now();
      const unit = await buildTranslationUnit([{ path: main, text }], { includeDirs: [path.join(folder, 'lib')], defines: {}, incremental }, disk);
      lowerProgram(unit);
      unit.dispose();
      if (edit > 0) times.push(performance.now() - started); // the first build fills the caches
    }
    times.sort((a, b) => a - b);
    medians.push(`${incremental ? 'with' : 'without'} the preamble cache and incremental reparse ${times[times.length >> 1]!.toFixed(1)} ms`);
  }
  clearPreambleCache();
  return `front end, NF nat.c, build and lower after a one-line edit in nf_process, median of 10: ${medians.join(', ')}`;
}
