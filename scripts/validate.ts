// Validates the NF corpus: contracts against the interpreter per packet (IR metrics), valgrind measurements per class; writes docs/validation/.
import * as fs from 'fs';
import * as path from 'path';
import { NF_REGISTRY, findNf } from '../server/src/measure/nfRegistry';
import { parseOptions, positiveInteger, repoRootFrom, runScript } from '../server/src/measure/measureCli';
import { MeasureError } from '../server/src/measure/measureError';
import { OptLevel } from '../server/src/measure/harness';
import { CALIBRATION_SEED_OFFSET, validateNf } from '../server/src/measure/validationRun';
import { linesOfC } from '../server/src/measure/session';
import { NfValidation, irRows, plotPoints, renderIrTableText, renderReport, renderScatterSvg, renderX86TableText, traceRows, x86PredictionRows } from '../server/src/measure/validation';

const USAGE = `usage: npm run validate -- [NF...] [--packets N] [--seed S] [--time-limit MS] [--opt O0|O2|both|none] [--traces NAME,...] [--calibration N] [--out DIR]
  Defaults: every NF, 300 packets per trace, seed 1, each NF's contract time limit, both levels, 300 calibration
  packets per trace generator for the x86 grounding (0: no grounding), out docs/validation.`;

runScript('validate', async () => {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\nNFs: ${NF_REGISTRY.map((n) => n.name).join(', ')}\n`);
    return;
  }
  const options = parseOptions(argv, ['packets', 'seed', 'time-limit', 'opt', 'traces', 'out', 'calibration']);
  const root = repoRootFrom(__dirname);
  const nfs = options.positional.length > 0 ? options.positional.map(findNf) : NF_REGISTRY;
  const packets = positiveInteger(options, 'packets', 300);
  const seed = positiveInteger(options, 'seed', 1);
  const timeLimitMs = options.values.has('time-limit') ? positiveInteger(options, 'time-limit', 1) : undefined;
  const optText = options.values.get('opt') ?? 'both';
  const opts: OptLevel[] = optText === 'both' ? ['O0', 'O2'] : optText === 'none' ? [] : optText === 'O0' || optText === 'O2' ? [optText] : [];
  if (!['both', 'none', 'O0', 'O2'].includes(optText)) throw new MeasureError('bad-arguments', `--opt must be O0, O2, both or none, got '${optText}'`);
  const traces = options.values.get('traces')?.split(',').filter((t) => t.length > 0);
  const calibrationPackets = options.values.get('calibration') === '0' ? 0 : positiveInteger(options, 'calibration', 300);
  const out = path.resolve(options.values.get('out') ?? path.join(root, 'docs', 'validation'));
  const validations: NfValidation[] = [];
  for (const nf of nfs) {
    process.stderr.write(`validate: ${nf.name}: contract and ${traces?.length ?? nf.traces.length} traces...\n`);
    const started = performance.now();
    try {
      const validation = await validateNf(nf, { repoRoot: root, workDir: path.join(root, 'out', 'measure'), packets, seed, timeLimitMs, opts, traces, calibrationPackets });
      validations.push(validation);
      process.stderr.write(`validate: ${nf.name}: ${validation.classes} classes in ${(validation.contractMilliseconds / 1000).toFixed(1)} s (${validation.complete ? 'complete' : 'incomplete'})\n`);
    } catch (error) {
      // One NF whose contract cannot be computed must not hide the others' results.
      if (!(error instanceof MeasureError) || error.kind !== 'analysis-failed') throw error;
      process.stderr.write(`validate: ${error.message}\n`);
      validations.push({
        nf: nf.name, linesOfC: linesOfC(nf, root), contractMilliseconds: Math.round(performance.now() - started), classes: 0, complete: false,
        incompleteReasons: [], metrics: [], traces: [], failure: error.message,
      });
    }
  }
  process.stdout.write('NF corpus: contract prediction versus interpreter, IR metrics (unmatched: packets outside the contract, predicted with the worst case at the PCV bounds)\n\n');
  process.stdout.write(`${renderIrTableText(validations.flatMap(irRows))}\n\n`);
  const x86 = validations.flatMap(x86PredictionRows);
  if (x86.length > 0) {
    process.stdout.write('NF corpus: contract grounded on x86 versus valgrind (packets in a class)\n\n');
    process.stdout.write(`${renderX86TableText(x86)}\n\n`);
  }
  for (const v of validations) {
    for (const [opt, g] of Object.entries(v.grounding ?? {})) if (g && 'error' in g.record) process.stdout.write(`${v.nf} -${opt}: no x86 grounding: ${g.record.error.code} ${g.record.error.message}\n`);
  }
  for (const v of validations) {
    for (const r of traceRows(v)) {
      process.stdout.write(`${r.nf} ${r.trace} (${r.kind}): ${r.packets} packets, ${r.matched} in a class, ${r.unmatched} unmatched; interpreter result differs from gcc: O0 ${r.resultMismatches.O0 ?? 'n/a'}, O2 ${r.resultMismatches.O2 ?? 'n/a'}\n`);
    }
  }
  fs.mkdirSync(out, { recursive: true });
  const command = `npm run validate${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
  fs.writeFileSync(path.join(out, 'README.md'), renderReport(validations, { command, packetsPerTrace: packets, seed, date: new Date().toISOString().slice(0, 10), calibrationPackets, calibrationSeedOffset: CALIBRATION_SEED_OFFSET }));
  for (const v of validations) {
    if (v.failure) process.stdout.write(`${v.nf}: not validated: ${v.failure}\n`);
    for (const metric of v.metrics) {
      fs.writeFileSync(path.join(out, `${v.nf}-${metric}.svg`), renderScatterSvg(plotPoints(v, metric), `${v.nf}: ${metric} per packet`, metric));
    }
  }
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), out)}/README.md and ${validations.reduce((n, v) => n + v.metrics.length, 0)} plots\n`);
});
