// Bounds of summarised loops from the code itself: the largest trip count a path allows, found by asking the solver about the loop's counting guards.
//
// A guard `i < limit` whose limit (or start) is not a constant, such as `i < hlen` with
// `hlen = (ip[0] & 0x0F) * 4`, still bounds the loop when the path condition bounds `limit - i`.
// The bound is the largest k for which "the loop can run k more iterations" is satisfiable under
// the path condition: a binary search over solver queries, between the count the path's own model
// gives and a ceiling (the structural range of the limit, or UNBOUNDED_TRIP_COUNT).
import type { SummaryGuard } from './summaries';
import { BitVecExpr, BoolExpr, binary, bv, compare, signExtend, symbolsOf, toSigned, zeroExtend } from '../term/expr';
import type { ModelEvaluator } from '../term/model';
import { unsignedInterval } from '../term/interval';

/**
 * A loop the path allows to run this many more iterations (2^20) counts as unbounded: its PCV gets
 * no bound, and the contract names the inputs that drive it (`unboundedBy`).
 */
export const UNBOUNDED_TRIP_COUNT = 1 << 20;

export type SolverTripBound =
  | { kind: 'bound'; bound: number }
  /** `inputs`: readable names of the inputs the guard's limit or start depends on. */
  | { kind: 'unbounded'; inputs: string[] }
  /** The solver could not decide, or time ran out: no bound, and no claim about inputs. */
  | { kind: 'unknown' };

export interface TripBoundQuery {
  /** The path's model evaluated: the counts it gives are feasible without a query. */
  evaluator: ModelEvaluator;
  /** Whether `condition` can hold on the path. */
  feasible(condition: BoolExpr): Promise<'sat' | 'unsat' | 'unknown'>;
  /** True when the analysis has run out of time: the search stops with 'unknown'. */
  outOfTime(): boolean;
  /**
   * A bound found for the same loop on another path: when this path allows no more iterations,
   * it is the answer after one query (over-approximating this path's own bound, never the PCV's,
   * whose bound is the largest over its paths anyway).
   */
  hint?: number;
}

/**
 * The largest number of further iterations the guards allow on this path: the smallest bound any
 * guard gives, 'unbounded' when every guard allows UNBOUNDED_TRIP_COUNT or more, undefined when no
 * guard compares a counter with anything.
 */
export async function solverTripBound(guards: readonly SummaryGuard[], query: TripBoundQuery): Promise<SolverTripBound | undefined> {
  let best: number | undefined;
  const unboundedInputs = new Set<string>();
  let unknown = false;
  for (const guard of guards) {
    const result = await guardTripBound(guard, query);
    if (result.kind === 'bound') best = best === undefined ? result.bound : Math.min(best, result.bound);
    else if (result.kind === 'unbounded') for (const input of result.inputs) unboundedInputs.add(input);
    else unknown = true;
  }
  if (best !== undefined) return { kind: 'bound', bound: best };
  if (unknown) return { kind: 'unknown' };
  if (guards.length === 0) return undefined;
  return { kind: 'unbounded', inputs: [...unboundedInputs].sort() };
}

async function guardTripBound(guard: SummaryGuard, query: TripBoundQuery): Promise<SolverTripBound> {
  const limit = typeof guard.limit === 'string' ? bv(BigInt(guard.limit), guard.width) : guard.limit;
  // Two more bits than the comparison: limit - start (+1) can neither wrap nor change sign.
  const wide = guard.width + 2;
  const extend = (e: BitVecExpr) => (e.width === wide ? e : guard.signed ? signExtend(e, wide) : zeroExtend(e, wide));
  // A narrow counter's start is widened as the comparison widens it: zero-extended (unsigned
  // counters); a narrow start under a signed comparison might be negative, so it is not searched.
  if (guard.signed && guard.start.width < guard.width) return { kind: 'unknown' };
  const narrow = (e: BitVecExpr) => (e.width < guard.width ? zeroExtend(e, guard.width) : e);
  const last = guard.inclusive ? binary('add', extend(narrow(limit)), bv(1n, wide)) : extend(narrow(limit));
  const distance = binary('sub', last, extend(narrow(guard.start)));
  const step = BigInt(guard.step);
  // k more iterations need limit - start >= (k - 1) * step + 1.
  const atLeast = (k: bigint): BoolExpr => compare('sle', bv((k - 1n) * step + 1n, wide), distance);
  const tripsFor = (d: bigint): bigint => (d <= 0n ? 0n : (d + step - 1n) / step);
  let low = tripsFor(toSigned(query.evaluator.bitvec(distance), wide));
  if (query.hint !== undefined && low <= BigInt(query.hint)) {
    const beyond = await query.feasible(atLeast(BigInt(query.hint) + 1n));
    if (beyond === 'unsat') return { kind: 'bound', bound: query.hint };
  }
  const ceiling = BigInt(UNBOUNDED_TRIP_COUNT);
  if (low < ceiling) {
    const unbounded = await query.feasible(atLeast(ceiling));
    if (unbounded === 'unknown') return { kind: 'unknown' };
    if (unbounded === 'sat') return { kind: 'unbounded', inputs: inputNames(limit, guard.start) };
  } else {
    return { kind: 'unbounded', inputs: inputNames(limit, guard.start) };
  }
  let high = ceiling - 1n;
  if (!guard.signed) {
    // The structural range of an unsigned limit and start narrows the search before any query.
    const limitRange = unsignedInterval(narrow(limit));
    const startRange = unsignedInterval(narrow(guard.start));
    const structural = tripsFor(limitRange.hi + (guard.inclusive ? 1n : 0n) - startRange.lo);
    if (structural < high) high = structural;
  }
  if (low > high) low = high;
  while (low < high) {
    if (query.outOfTime()) return { kind: 'unknown' };
    const middle = (low + high + 1n) / 2n;
    const answer = await query.feasible(atLeast(middle));
    if (answer === 'unknown') return { kind: 'unknown' };
    if (answer === 'sat') low = middle;
    else high = middle - 1n;
  }
  return { kind: 'bound', bound: Number(low) };
}

/** Readable names of the inputs an expression depends on: `len`, `the bytes of ip`, ... */
function inputNames(...expressions: BitVecExpr[]): string[] {
  const names = new Set<string>();
  for (const e of expressions) {
    for (const symbol of symbolsOf(e)) {
      const [kind, rest = ''] = [symbol.slice(0, symbol.indexOf(':')), symbol.slice(symbol.indexOf(':') + 1)];
      if (kind === 'arg') names.add(rest);
      else if (kind === 'mem') names.add(`the contents of ${rest}`);
      else if (kind === 'ext') names.add(`the result of ${rest.split('#')[0]}`);
      else names.add('a value an earlier loop computed');
    }
  }
  return [...names].sort();
}
