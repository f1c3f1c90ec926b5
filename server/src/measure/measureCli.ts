// Shared pieces of the measure, validate and traces scripts: option parsing, trace files on disk, error reporting.
import * as fs from 'fs';
import * as path from 'path';
import { MeasureError } from './measureError';
import { NfDefinition } from './nfRegistry';
import { Trace, TraceGenerator, traceFiles } from './traffic';

/** The repository root, from out/scripts/X.js or out/server/src/measure/X.js. */
export function repoRootFrom(dirname: string): string {
  let dir = dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'out') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${dirname}`);
    dir = parent;
  }
  return dir;
}

export interface ParsedOptions {
  positional: string[];
  values: Map<string, string>;
  flags: Set<string>;
}

/** Parses `--name value`, `--name=value` and the given boolean `--flag`s; anything else unknown is a PM001 error. */
export function parseOptions(argv: string[], valued: string[], flags: string[] = []): ParsedOptions {
  const parsed: ParsedOptions = { positional: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      parsed.positional.push(arg);
      continue;
    }
    const [name, inline] = arg.includes('=') ? [arg.slice(2, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg.slice(2), undefined];
    if (flags.includes(name)) {
      parsed.flags.add(name);
    } else if (valued.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new MeasureError('bad-arguments', `--${name} needs a value`);
      parsed.values.set(name, value);
    } else {
      throw new MeasureError('bad-arguments', `unknown option '${arg}' (known: ${[...valued, ...flags].map((o) => `--${o}`).join(', ')})`);
    }
  }
  return parsed;
}

export function positiveInteger(options: ParsedOptions, name: string, fallback: number): number {
  const text = options.values.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new MeasureError('bad-arguments', `--${name} needs a positive integer, got '${text}'`);
  return value;
}

/** Generates one trace of an NF. */
export function generateTrace(nf: NfDefinition, generator: TraceGenerator, packets: number, seed: number): Trace {
  return { nf: nf.name, name: generator.name, kind: generator.kind, description: generator.description, packets: generator.generate({ packets, seed }) };
}

/** Writes DIR/NF-TRACE.pcap and DIR/NF-TRACE.ports; returns both paths. */
export function writeTrace(trace: Trace, dir: string): { pcap: string; ports: string } {
  fs.mkdirSync(dir, { recursive: true });
  const files = traceFiles(trace.packets);
  const pcap = path.join(dir, `${trace.nf}-${trace.name}.pcap`);
  const ports = path.join(dir, `${trace.nf}-${trace.name}.ports`);
  fs.writeFileSync(pcap, files.pcap);
  fs.writeFileSync(ports, files.ports);
  return { pcap, ports };
}

/**
 * Runs a script body; a MeasureError prints its code and message and exits with 2 (usage) or 1.
 * The exit waits for standard output to drain (a pipe would lose the tail otherwise), and a reader
 * that goes away early (`| head`) ends the script quietly.
 */
export function runScript(name: string, body: () => Promise<void>): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const exit = (code: number) => process.stdout.write('', () => process.exit(code));
  body().then(
    () => exit(0),
    (error: unknown) => {
      if (error instanceof MeasureError) {
        process.stderr.write(`${name}: ${error.message}\n`);
        exit(error.kind === 'bad-arguments' || error.kind === 'unknown-nf' ? 2 : 1);
        return;
      }
      process.stderr.write(`${name}: internal error: ${(error as Error).stack ?? String(error)}\n`);
      exit(1);
    },
  );
}
