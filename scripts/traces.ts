// Writes the typical and adversarial traces of the NF corpus as pcap files with their ports side files.
import * as path from 'path';
import { NF_REGISTRY, findNf } from '../server/src/measure/nfRegistry';
import { generateTrace, parseOptions, positiveInteger, repoRootFrom, runScript, writeTrace } from '../server/src/measure/measureCli';

const USAGE = 'usage: npm run traces -- [NF...] [--packets N] [--seed S] [--out DIR]';

runScript('traces', async () => {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\nNFs: ${NF_REGISTRY.map((n) => n.name).join(', ')}\n`);
    return;
  }
  const options = parseOptions(argv, ['packets', 'seed', 'out']);
  const root = repoRootFrom(__dirname);
  const nfs = options.positional.length > 0 ? options.positional.map(findNf) : NF_REGISTRY;
  const packets = positiveInteger(options, 'packets', 1000);
  const seed = positiveInteger(options, 'seed', 1);
  const out = path.resolve(options.values.get('out') ?? path.join(root, 'out', 'traces'));
  for (const nf of nfs) {
    for (const generator of nf.traces) {
      const trace = generateTrace(nf, generator, packets, seed);
      const files = writeTrace(trace, out);
      process.stdout.write(`${path.relative(process.cwd(), files.pcap)}\t${trace.packets.length} packets\t${trace.kind}: ${trace.description}\n`);
    }
  }
});
