// The WebAssembly memory of this thread's two WASM modules (tree-sitter, z3) against their caps, for the memory log and the worker's recycling.
import { treeSitterMemoryBytes } from '../core/syntax/cParser';
import { z3MemoryFigures } from '../core/solver/solver';

/** One module's memory: `bytes` used against `capBytes`, the point where it fails. */
export interface ModuleMemory { bytes: number; capBytes: number }

export interface WasmMemoryFigures {
  /**
   * tree-sitter's WASM memory: its size, which grows as trees are allocated and never shrinks, up
   * to 2 GiB, where a parse fails ("Cannot enlarge memory arrays"). Undefined when this thread has
   * not parsed with the engine's parser.
   */
  treeSitter?: ModuleMemory;
  /**
   * z3's memory: what z3 holds allocated, by its own estimate, against its ceiling
   * (`memory_max_size`; past it, queries answer unknown). z3's WASM memory is a fixed 2 GiB
   * reservation, touched only as z3 allocates. Undefined before z3 is loaded.
   */
  z3?: ModuleMemory;
}

/** tree-sitter's WASM memory cannot grow past 32,768 pages of 64 KiB. */
export const TREE_SITTER_CAP_BYTES = 2 ** 31;

export function wasmMemoryFigures(): WasmMemoryFigures {
  const figures: WasmMemoryFigures = {};
  const treeSitter = treeSitterMemoryBytes();
  if (treeSitter !== undefined) figures.treeSitter = { bytes: treeSitter, capBytes: TREE_SITTER_CAP_BYTES };
  const z3 = z3MemoryFigures();
  if (z3) figures.z3 = { bytes: z3.allocatedBytes, capBytes: z3.limitBytes };
  return figures;
}

/**
 * The modules at or past `fraction` of their cap ("tree-sitter 1.6 GB of 2.0 GB"), empty when none
 * is: the worker is then replaced before a module fails.
 */
export function modulesNearCap(figures: WasmMemoryFigures, fraction: number): string[] {
  const near: string[] = [];
  for (const [name, memory] of [['tree-sitter', figures.treeSitter], ['z3', figures.z3]] as const) {
    if (memory && memory.bytes >= fraction * memory.capBytes) near.push(`${name} ${megabytes(memory.bytes)} of ${megabytes(memory.capBytes)}`);
  }
  return near;
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1048576)} MB`;
}
