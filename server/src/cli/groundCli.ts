// `perfcontract contract --metrics x86_...`: grounds every analysed contract on the compiled code.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AnalysisResult } from '../core/analysis';
import type { Witness } from '../core/contract/witness';
import { resolveCompilerCommand } from '../ground/compileCommands';
import { groundContract, Grounding, GroundingFailure } from '../ground/ground';
import { failureOf, GroundingError } from '../ground/groundingError';
import { readPcap, readPortsFile } from '../measure/pcap';
import { packetCall } from '../measure/session';
import type { ParsedArguments } from './main';

/**
 * Adds the x86 formulas and a `grounding` record to every contract of `result`. A failure (no
 * compiler, a harness that does not link...) leaves the IR metrics, records the failure in
 * `grounding.error` and says so on stderr; it never fails the command.
 */
export function groundForCli(result: AnalysisResult, args: ParsedArguments, err: (text: string) => void): void {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-ground-'));
  try {
    const command = resolveCompilerCommand(args.files[0]!, { cflags: args.x86.cflags, compiler: args.x86.compiler, includeDirs: args.options.includeDirs, defines: args.options.defines });
    for (const contract of result.contracts) {
      let grounding: Grounding | GroundingFailure;
      if ('error' in command) grounding = command;
      else {
        let calibration: Witness[] | GroundingFailure = [];
        if (args.x86.calibrate) calibration = pcapCalls(result, contract.name, args.x86.calibrate, args.x86.ports);
        grounding = 'error' in calibration ? calibration : groundContract(contract, {
          program: result.program, declaredContracts: result.declaredContracts, modular: result.preferDeclaredContracts,
        }, args.x86.metrics, { command, sources: args.files, init: args.x86.init, calibration, cyclesModel: args.x86.cyclesModel, workDir: path.join(workDir, contract.name) });
      }
      (contract as unknown as { grounding: Grounding | GroundingFailure }).grounding = grounding;
      if ('error' in grounding) err(`perfcontract: ${grounding.error.code} no x86 metrics for '${contract.name}': ${grounding.error.message}`);
      else {
        const estimated = Object.entries(grounding.classes).filter(([, c]) => c.estimated).map(([id]) => id);
        if (estimated.length > 0) err(`perfcontract: x86 formulas of '${contract.name}' are estimated for ${estimated.length} of ${contract.classes.length} classes (${estimated.slice(0, 12).join(', ')}${estimated.length > 12 ? ', ...' : ''}); see grounding.classes`);
      }
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** The packets of a pcap trace as calls of an NF entry (pkt, len, port, now). */
function pcapCalls(result: AnalysisResult, entry: string, pcapPath: string, portsPath: string | undefined): Witness[] | GroundingFailure {
  const fn = result.program.functions.get(entry);
  const fail = (message: string): GroundingFailure => failureOf(new GroundingError('no-calibration', message));
  if (!fn || fn.params.length !== 4 || fn.params[0]!.type.kind !== 'pointer' || fn.params.slice(1).some((p) => p.type.kind !== 'int')) {
    return fail(`--calibrate needs an entry with the NF signature (pkt, len, port, now); '${entry}' does not have it`);
  }
  try {
    const packets = readPcap(fs.readFileSync(pcapPath), pcapPath);
    const ports = portsPath ? readPortsFile(fs.readFileSync(portsPath, 'utf8'), portsPath) : [];
    return packets.map((p, i) => packetCall(fn.params.map((q) => q.name), { data: p.data, port: ports[i] ?? 0, timeNs: p.timestampNs }));
  } catch (error) {
    return fail(`cannot read the calibration trace: ${(error as Error).message}`);
  }
}
