// What a contract states about memory it did not see allocated and calls it could not see into: assumptions and per-class dependences.
import { basename } from 'path';
import type { CompletedPath, ExplorationResult } from '../symex/executor';
import { COMMAND_LINE } from '../ir/ir';

/** The unmodelled callees (no body, no contract) whose results or writes the paths of one class depend on, sorted. */
export function unmodelledCallees(paths: readonly CompletedPath[]): { dependsOnUnmodelled?: string[] } {
  const callees = new Set<string>();
  for (const path of paths) for (const call of path.externalCalls) if (!call.declared) callees.add(call.callee);
  return callees.size > 0 ? { dependsOnUnmodelled: [...callees].sort() } : {};
}

/** The assumptions the memory model made on some path, in words (empty when it made none). */
export function memoryAssumptions(exploration: ExplorationResult): string[] {
  const assumptions: string[] = [];
  const paths = exploration.paths;
  const heap = exploration.initialHeap;
  for (const assumption of exploration.assumptions ?? []) {
    const where = assumption.range.file === COMMAND_LINE ? '`--assume`' : `\`/*@ assume */\` at line ${assumption.range.startLine + 1} of ${basename(assumption.range.file)}`;
    assumptions.push(`\`${assumption.text}\` is assumed (${where}): inputs that violate it are outside the contract.`);
  }
  if (heap?.failed) assumptions.push(`'${heap.init}' could not be run before the analysis (${heap.failed}): the state is lazily initialised instead.`);
  if (heap && heap.objects.length > 0) {
    assumptions.push(`The state starts from what '${heap.init}' allocated (${heap.objects.length} object${heap.objects.length === 1 ? '' : 's'}, pointed to as it left them), with unknown contents.`);
    if (heap.skipped.length > 0) assumptions.push(`Pointers '${heap.init}' stored at ${heap.skipped.join(', ')} (into globals or inside objects) are not kept: they are lazily initialised.`);
  }
  if (paths.some((p) => p.lazyObjects)) {
    assumptions.push(
      'Pointers the analysed code did not store (in parameters\' pointees, globals, objects behind them, results of unmodelled calls) point to distinct objects that alias nothing else (no --may-alias).',
      'Such a pointer is NULL only on paths that compare it with NULL; one dereferenced without a check is assumed valid.',
    );
  }
  if (paths.some((p) => p.lazyObjects?.some((o) => o.mbuf))) {
    assumptions.push('A DPDK mbuf\'s buffer (behind `buf_addr`) is a default one: `buf_len` is 2176, `data_off` at most 128 (the headroom), and the packet (`data_len` bytes from `data_off`) inside it.');
  }
  const opaque = [...new Set(paths.flatMap((p) => (p.lazyObjects ?? []).filter((o) => o.opaqueSize).map((o) => o.name)))].sort();
  if (opaque.length > 0) {
    const names = opaque.length <= 3 ? opaque.map((n) => `'${n}'`).join(', ') : `${opaque.slice(0, 3).map((n) => `'${n}'`).join(', ')} and ${opaque.length - 3} more`;
    assumptions.push(`${names} (behind a \`void *\` or a pointer to an incomplete type) ${opaque.length === 1 ? 'is' : 'are'} assumed to be as large as the code's accesses need (up to 1 GiB).`);
  }
  for (const array of exploration.arrayObjects ?? []) {
    assumptions.push(`'${array.name}' is indexed as an array: it is assumed to hold at most ${array.elements} elements of ${array.elementSize} bytes, and every index the code uses to be inside it.`);
  }
  if (paths.some((p) => p.externalWrites)) {
    assumptions.push('An unmodelled call may overwrite the bytes of everything its pointer arguments reach, but not the pointers the code already followed.');
  }
  return assumptions;
}
