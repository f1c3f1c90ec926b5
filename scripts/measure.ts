// Measures an NF per packet with gcc and callgrind; prints one JSON line per packet (index, Ir, Dr, Dw, PCVs, outcomes).
import * as fs from 'fs';
import * as path from 'path';
import { NF_REGISTRY, findNf, findTrace } from '../server/src/measure/nfRegistry';
import { generateTrace, parseOptions, positiveInteger, repoRootFrom, runScript, writeTrace } from '../server/src/measure/measureCli';
import { measureTrace, OptLevel } from '../server/src/measure/harness';
import { MeasureError } from '../server/src/measure/measureError';
import { portsFileFor } from '../server/src/measure/pcap';

const USAGE = `usage: npm run measure -- NF [--opt O0|O2] [--trace FILE.pcap [--ports FILE.ports]] [--generate TRACE] [--packets N] [--seed S]
  Without --trace, the NF's generated trace (--generate, default typical) is measured.
  The ports file defaults to FILE.ports next to FILE.pcap; without one, every packet arrives on port 0.`;

runScript('measure', async () => {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\nNFs: ${NF_REGISTRY.map((n) => `${n.name} (traces: ${n.traces.map((t) => t.name).join(', ')})`).join('; ')}\n`);
    return;
  }
  const options = parseOptions(argv, ['opt', 'trace', 'ports', 'generate', 'packets', 'seed']);
  if (options.positional.length !== 1) throw new MeasureError('bad-arguments', `expected exactly one NF\n${USAGE}`);
  const nf = findNf(options.positional[0]!);
  const opt = options.values.get('opt') ?? 'O2';
  if (opt !== 'O0' && opt !== 'O2') throw new MeasureError('bad-arguments', `--opt must be O0 or O2, got '${opt}'`);
  const root = repoRootFrom(__dirname);
  const workDir = path.join(root, 'out', 'measure');
  let pcap = options.values.get('trace');
  let ports = options.values.get('ports');
  if (pcap === undefined) {
    if (ports !== undefined) throw new MeasureError('bad-arguments', '--ports needs --trace');
    const generator = findTrace(nf, options.values.get('generate') ?? nf.traces[0]!.name);
    const files = writeTrace(generateTrace(nf, generator, positiveInteger(options, 'packets', 1000), positiveInteger(options, 'seed', 1)), path.join(workDir, 'traces'));
    pcap = files.pcap;
    ports = files.ports;
  } else if (ports === undefined && fs.existsSync(portsFileFor(pcap))) {
    ports = portsFileFor(pcap);
  }
  const run = measureTrace(nf, opt as OptLevel, path.resolve(pcap), ports === undefined ? undefined : path.resolve(ports), { repoRoot: root, workDir });
  for (const p of run.packets) {
    process.stdout.write(`${JSON.stringify({ index: p.index, Ir: p.Ir, Dr: p.Dr, Dw: p.Dw, pcvs: p.pcvs, outcomes: p.outcomes, result: p.result, port: p.port, len: p.len, now: p.now })}\n`);
  }
});
