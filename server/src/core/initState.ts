// Runs an NF's init function (`--init`) in the interpreter and turns what it allocated into the heap the analysis of a handler starts from.
import type { IrProgram } from './ir/ir';
import type { DeclaredContracts } from './declared/declaredContracts';
import { interpret } from './interp/interpreter';
import { AnalysisError } from './reasons';
import type { InitHeap } from './symex/lazyMemory';

/**
 * The objects `init` allocates (malloc, calloc, rte_malloc, ...) and the pointers to their starts it
 * leaves in globals and in those objects. Their contents stay symbolic in the analysis (an NF's
 * tables change from packet to packet); only the shape of the state comes from init.
 */
export function runInit(program: IrProgram, init: string, declaredContracts: DeclaredContracts | undefined): InitHeap {
  const fn = program.functions.get(init);
  if (!fn) throw new AnalysisError('unknown-identifier', `--init names '${init}', which is not a function with a body in the analysed files`);
  if (fn.params.length > 0) throw new AnalysisError('unsupported', `--init function '${init}' takes parameters; an init function must take none`);
  const run = interpret(program, init, { args: {}, memory: {}, pcv: {} }, { allocate: true, declaredContracts, maxSteps: 10_000_000 });
  // An init the interpreter cannot finish leaves the state to lazy initialisation; the contract says why.
  if (run.error) return { init, objects: [], pointers: [], skipped: [], failed: `${run.error.reason}: ${run.error.message}` };
  const objects = [...run.memory].filter(([name]) => name.startsWith('init:')).map(([name, bytes]) => ({ name, size: bytes.length }));
  const pointers: InitHeap['pointers'] = [];
  const skipped: string[] = [];
  for (const [holder, table] of run.pointers) {
    if (!holder.startsWith('init:') && !program.globals.has(holder)) continue;
    for (const [offset, target] of table) {
      if (target === null) continue;
      // Only pointers to an allocation's start can be written in a witness (`pointers`); others are left to lazy initialisation.
      if (target.object.startsWith('init:') && target.offset === 0n) pointers.push({ holder, offset, target: target.object });
      else skipped.push(`${holder}+${offset}`);
    }
  }
  return { init, objects, pointers, skipped };
}
