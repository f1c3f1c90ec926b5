// The cost model: the one table that says what each IR operation costs in each IR metric.
//
// | IR operation                         | instructions | memory_accesses |
// |--------------------------------------|--------------|-----------------|
// | copy, binary, compare, cast          | 1            | 0               |
// | address, offset, pointerDiff         | 1            | 0               |
// | load                                 | 1            | 1               |
// | store                                | 1            | 1               |
// | call (the call itself)               | 1            | 0               |
// | jump, branch, switch, return         | 1            | 0               |
// | unreachable                          | 0            | 0               |
// | anything evaluating `/*@ assume */`  | 0            | 0               |
// | memcpy(d, s, n) intrinsic            | 1 + 2n       | 2n              |
// | memset(d, c, n) intrinsic            | 1 + n        | n               |
// | memcmp(a, b, n) intrinsic            | 1 + 3n       | 2n              |
//
// memcmp is charged for every byte whatever the data (library and inlined code compare words or
// vectors, not byte by byte), so its cost never splits a path.
//
// Parameters are passed in registers (free); a callee's body is counted where it runs.
// Like LLVM instruction counts, this is a property of the program, not of a compiler.

import type { Instruction, Terminator } from '../ir/ir';

export type IrMetric = 'instructions' | 'memory_accesses';
export const IR_METRICS: IrMetric[] = ['instructions', 'memory_accesses'];

export interface Cost { instructions: number; memory_accesses: number }

export function zeroCost(): Cost {
  return { instructions: 0, memory_accesses: 0 };
}

export function instructionCost(instruction: Instruction): Cost {
  // An `assume` annotation's condition is not code: the compiled function computes none of it.
  if (instruction.assumption) return zeroCost();
  switch (instruction.op) {
    case 'load':
    case 'store':
      return { instructions: 1, memory_accesses: 1 };
    default:
      return { instructions: 1, memory_accesses: 0 };
  }
}

export function terminatorCost(terminator: Terminator): Cost {
  // An `assume` annotation's branch is not code: the compiled function has no such test.
  return terminator.op === 'unreachable' || (terminator.op === 'branch' && terminator.assumption !== undefined) ? zeroCost() : { instructions: 1, memory_accesses: 0 };
}

/** Extra cost of a memory intrinsic beyond its call instruction; `bytes` as documented above. */
export function intrinsicCost(name: 'memcpy' | 'memset' | 'memcmp', bytes: number): Cost {
  switch (name) {
    case 'memcpy': return { instructions: 2 * bytes, memory_accesses: 2 * bytes };
    case 'memset': return { instructions: bytes, memory_accesses: bytes };
    case 'memcmp': return { instructions: 3 * bytes, memory_accesses: 2 * bytes };
  }
}

export function addCost(into: Cost, extra: Cost): void {
  into.instructions += extra.instructions;
  into.memory_accesses += extra.memory_accesses;
}
