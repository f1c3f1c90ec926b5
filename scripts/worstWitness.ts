// `npm run worst-witness -- FILE [--entry NAME] [--no-search]`: replays every returning class's witness on a gcc -O2 build under callgrind and compares the named worst class's witness with the costliest one.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyze } from '../server/src/core/analysis';
import { diskFileSystem } from '../server/src/cli/main';
import { compilerCommandFor } from '../server/src/ground/compileCommands';
import { buildHarness, globalSymbols, GlobalSymbol, runReplay } from '../server/src/ground/replay';
import { interpretSequence, SequenceCall } from '../server/src/ground/sequence';

/** The bar of issue 19: the worst class's witness costs at least this share of the costliest class witness, in both x86 metrics. */
const BAR = 0.9;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = path.resolve(args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--entry') ?? '');
  const entryAt = args.indexOf('--entry');
  const entries = entryAt >= 0 ? [args[entryAt + 1]!] : [];
  const result = await analyze([{ path: file }], { entries, adversarialWitness: !args.includes('--no-search') }, diskFileSystem);
  for (const contract of result.contracts) {
    const fn = result.program.functions.get(contract.name)!;
    const classes = contract.classes.filter((c) => c.outcome === 'return');
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-worst-'));
    try {
      const binary = buildHarness(fn, undefined, [file], compilerCommandFor(file, {}), workDir);
      const settable = new Map<string, GlobalSymbol>([...globalSymbols(binary)].filter(([name, symbol]) => {
        const global = result.program.globals.get(name);
        return global !== undefined && !global.readOnly && global.initialPointers.length === 0 && global.size === symbol.size;
      }));
      const sequence = { program: result.program, declaredContracts: result.declaredContracts, entry: contract.name, summarizeAfter: contract.unrollLimit, fullUnrollLimit: contract.fullUnrollLimit, modular: false, settableGlobals: new Set(settable.keys()) };
      const calls: SequenceCall[] = classes.map((c) => ({ args: c.witness.args, memory: c.witness.memory, pcv: {} }));
      const runs = interpretSequence(sequence, calls);
      const replay = runReplay(binary, fn, calls, settable, workDir);
      const rows = classes.map((c, i) => ({ id: c.id, lands: c.traces.includes(runs[i]!.pathKey), ir: runs[i]!.cost.instructions, pcv: runs[i]!.pcv, ir_x86: replay.costs[i]!.Ir, mem_x86: replay.costs[i]!.Dr + replay.costs[i]!.Dw }));
      console.log(`## ${contract.name} (${path.basename(file)}): worst case ${contract.worstCase?.class} (${contract.worstCase?.cost.instructions}; ranking ${contract.worstCase?.ranking}; search ${JSON.stringify(contract.worstCase?.witnessSearch ?? null)})`);
      console.log('| class | witness lands | IR instructions | x86 instructions | x86 memory accesses | PCVs |');
      console.log('|---|---|---:|---:|---:|---|');
      for (const r of rows) console.log(`| ${r.id}${r.id === contract.worstCase?.class ? ' (worst)' : ''} | ${r.lands} | ${r.ir} | ${r.ir_x86} | ${r.mem_x86} | ${JSON.stringify(r.pcv)} |`);
      const worst = rows.find((r) => r.id === contract.worstCase?.class);
      if (!worst) continue;
      const share = (metric: 'ir_x86' | 'mem_x86') => worst[metric] / Math.max(...rows.map((r) => r[metric]));
      console.log(`worst witness / costliest witness: x86 instructions ${(share('ir_x86') * 100).toFixed(1)}%, x86 memory accesses ${(share('mem_x86') * 100).toFixed(1)}%: ${share('ir_x86') >= BAR && share('mem_x86') >= BAR ? 'PASS' : 'FAIL'} (bar ${BAR * 100}%)`);
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  }
}

main().then(() => process.exit(0), (error) => {
  console.error((error as Error).stack ?? String(error));
  process.exit(1);
});
