// One entry's contract from C text held in memory (no file on disk), for tests of the engine.
import * as assert from 'node:assert/strict';
import { AnalysisOptions, AnalysisResult, analyze } from '../../src/core/analysis';
import type { FunctionContract } from '../../src/core/contract/contract';

const noFiles = { readFile: () => undefined };

/** Analyses `text` as `/virtual/ENTRY.c` for `entry` alone, with these execution options. */
export async function contractOf(text: string, entry: string, execution: Partial<AnalysisOptions['execution']> = {}): Promise<{ result: AnalysisResult; contract: FunctionContract }> {
  const result = await analyze([{ path: `/virtual/${entry}.c`, text }], { entries: [entry], execution: execution as AnalysisOptions['execution'] }, noFiles);
  const contract = result.contracts.find((c) => c.name === entry)!;
  assert.ok(contract, `no contract for ${entry}: ${JSON.stringify(result.diagnostics)}`);
  return { result, contract };
}
