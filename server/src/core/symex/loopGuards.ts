// Loop guards read from the IR: the counters a loop's exits compare and how they step, the constant
// trip bounds those give, and the header guards whose counter steps by what the body computes.
import type { BasicBlock, Instruction, IrFunction, Operand, Terminator } from '../ir/ir';
import { BitVecExpr, BoolExpr, bv, compare } from '../term/expr';
import { dominatorsOf, successorsOf } from '../ir/loops';
import { SummaryGuard } from './summaries';
import { Frame } from './state';

/**
 * How a loop updates a register: counting up or down by constants, masking with a constant, or
 * anything else. `from` is the register the update reads (itself, or a widened copy of a narrow counter).
 */
export type Step = 'up' | 'down' | { mask: bigint } | 'other';

export function inductionStep(instruction: Instruction, from = 'dst' in instruction ? instruction.dst : undefined): Step {
  if (instruction.op === 'binary' && instruction.operator === 'and' && instruction.right.kind === 'imm') return { mask: instruction.right.value };
  if (instruction.op !== 'binary' || instruction.left.kind !== 'reg' || instruction.left.id !== from || instruction.right.kind !== 'imm') return 'other';
  const c = BigInt.asIntN(instruction.width, instruction.right.value);
  if (c === 0n) return 'other';
  if (instruction.operator === 'add') return c > 0n ? 'up' : 'down';
  if (instruction.operator === 'sub') return c > 0n ? 'down' : 'up';
  return 'other';
}

export function mergeStep(previous: Step | undefined, next: Step): Step {
  if (previous === undefined) return next;
  if (typeof previous === 'object' && typeof next === 'object') return { mask: previous.mask > next.mask ? previous.mask : next.mask };
  return previous === next ? next : 'other';
}

/**
 * A bound on the remaining iterations from the loop guard `r < C` (or <=) at the header, where r
 * only counts up by a constant step and is concrete when summarising starts: ceil((C - r) / step).
 */
export function guardBound(frame: Frame, header: BasicBlock, body: ReadonlySet<number>): number | undefined {
  return boundOfGuards(loopGuards(frame, header, body));
}

/** The smallest bound any of the guards gives (those whose counter start and limit are constants). */
export function boundOfGuards(guards: SummaryGuard[]): number | undefined {
  let best: number | undefined;
  for (const guard of guards) {
    const bound = guardValue(guard);
    if (bound !== undefined) best = best === undefined ? bound : Math.min(best, bound);
  }
  return best;
}

/**
 * The counting guards of a loop, whatever the values: `i < n && i < MAX` lowers to a chain of
 * condition blocks, each leaving the loop when false, and any of them that counts against a
 * constant bounds the loop.
 */
export function loopGuards(frame: Frame, header: BasicBlock, body: ReadonlySet<number>): SummaryGuard[] {
  const guards: SummaryGuard[] = [];
  const latches = [...body].filter((id) => successorsOf(frame.fn, id).includes(header.id));
  const tried = new Set<number>();
  for (const block of headerChain(frame.fn, header, body)) {
    const guard = conditionGuard(frame, block, body, latches);
    tried.add(block.id);
    if (guard) guards.push(guard);
  }
  // An exit inside the body that every iteration passes (`if (depth == MAX) return -1;`) bounds
  // the loop like a header guard on its counter.
  for (const id of body) {
    if (tried.has(id)) continue;
    const terminator = frame.fn.blocks[id]!.terminator;
    if (terminator.op !== 'branch' || body.has(terminator.whenTrue) === body.has(terminator.whenFalse)) continue;
    if (!latches.every((latch) => dominatorsOf(frame.fn, latch)?.has(id))) continue;
    const guard = conditionGuard(frame, frame.fn.blocks[id]!, body, latches);
    if (guard) guards.push(guard);
  }
  return guards;
}

export interface VariableStepGuard {
  functionName: string;
  header: number;
  counter: number;
  /** For a pointer walk (`while (opt < end) opt += opt[1];`): the object both pointers are into; the counter is the offset. */
  pointerObject?: string;
  /** `up`: the loop goes on while `counter < limit` (or `<=`); `down`: while `limit < counter` (or `<=`). */
  direction: 'up' | 'down';
  /** The limit's value when summarising starts (it is not written in the loop). */
  limit: BitVecExpr;
  signed: boolean;
  inclusive: boolean;
  width: number;
  /**
   * A body exit checked right after the counter's only step: from the second iteration on, the
   * counter satisfies the check at the header (`holdsAtHeader`), which the summarised iteration
   * may assume (a havocked counter would otherwise be free to wrap around).
   */
  checkedAfterStep?: boolean;
}

/** The guard's condition on a counter value: `counter < limit` going up, `limit < counter` going down (or `<=`). */
export function holdsAtHeader(guard: VariableStepGuard, counter: BitVecExpr): BoolExpr {
  const predicate = guard.signed ? (guard.inclusive ? 'sle' : 'slt') : guard.inclusive ? 'ule' : 'ult';
  return guard.direction === 'up' ? compare(predicate, counter, guard.limit) : compare(predicate, guard.limit, counter);
}

/**
 * A header guard (in a chain of `&&` conditions) that compares a register the body writes with
 * one it does not: `while (off < hlen) { ... off += olen; }`, `while (n >= 8) { ... n -= 8; }`.
 * Whether the counter moves only one way, and by how much, is for the explored iteration to show
 * (stepBound).
 */
export function variableStepGuard(frame: Frame, header: BasicBlock, body: ReadonlySet<number>): VariableStepGuard | undefined {
  const written = new Set<number>();
  for (const id of body) for (const instruction of frame.fn.blocks[id]!.instructions) if ('dst' in instruction && instruction.dst !== undefined) written.add(instruction.dst);
  const value = (operand: Operand, width: number): BitVecExpr | undefined => operand.kind === 'imm' ? bv(BigInt.asUintN(width, operand.value), width)
    : operand.kind === 'reg' && !written.has(operand.id) ? integerRegister(frame, operand) : undefined;
  for (const block of headerChain(frame.fn, header, body)) {
    const terminator = block.terminator as Extract<Terminator, { op: 'branch' }>;
    if (terminator.condition.kind !== 'reg') break;
    const definitions = new Map<number, Instruction>();
    for (const instruction of block.instructions) if ('dst' in instruction && instruction.dst !== undefined) definitions.set(instruction.dst, instruction);
    const c = definitions.get(terminator.condition.id);
    if (c?.op === 'compare' && c.pointers && c.predicate !== 'eq' && c.predicate !== 'ne') {
      // A pointer walk: both pointers into one object, the counter being the walking one's offset.
      const less = /^(s|u)l[te]$/.test(c.predicate);
      const [a, b] = less ? [c.left, c.right] : [c.right, c.left];
      const pointer = (o: Operand) => (o.kind === 'reg' ? frame.registers[o.id] : undefined);
      const [pa, pb] = [pointer(a), pointer(b)];
      if (a.kind === 'reg' && b.kind === 'reg' && pa?.kind === 'pointer' && pb?.kind === 'pointer' && pa.object === pb.object && written.has(a.id) !== written.has(b.id)) {
        const up = written.has(a.id);
        return {
          functionName: frame.fn.name, header: header.id, counter: up ? a.id : b.id, pointerObject: pa.object, direction: up ? 'up' : 'down', limit: up ? pb.offset : pa.offset,
          signed: false, inclusive: c.predicate.endsWith('e'), width: pa.offset.width,
        };
      }
    }
    const guard = c?.op === 'compare' ? integerStepGuard(frame, header, c, true, (register) => written.has(register), value) : undefined;
    if (guard) return guard;
  }
  // An exit inside the body that every iteration passes (`total += l + 1; if (total > 255) return -1;`)
  // bounds the loop like a header guard, on a variable the loop carries from one iteration to the
  // next (a register the body updates from itself): its value back at the header is the one the
  // next iteration's check starts from. Whether the check comes before or after the step, an
  // iteration goes round only if the check held, so the header guard's count is an upper bound.
  const chain = new Set(headerChain(frame.fn, header, body).map((block) => block.id));
  const latches = [...body].filter((id) => successorsOf(frame.fn, id).includes(header.id));
  const carried = (register: number) => [...body].some((id) => frame.fn.blocks[id]!.instructions.some((i) => i.op === 'binary' && i.dst === register
    && ((i.left.kind === 'reg' && i.left.id === register) || (i.right.kind === 'reg' && i.right.id === register))));
  for (const id of [...body].sort((x, y) => x - y)) {
    const block = frame.fn.blocks[id]!;
    const terminator = block.terminator;
    if (chain.has(id) || terminator.op !== 'branch' || terminator.condition.kind !== 'reg' || body.has(terminator.whenTrue) === body.has(terminator.whenFalse)) continue;
    if (!latches.every((latch) => dominatorsOf(frame.fn, latch)?.has(id))) continue;
    const condition = terminator.condition.id;
    const c = [...block.instructions].reverse().find((i) => 'dst' in i && i.dst === condition); // the last write is the one branched on
    const guard = c?.op === 'compare' ? integerStepGuard(frame, header, c, body.has(terminator.whenTrue), (register) => written.has(register) && carried(register), value) : undefined;
    if (!guard) continue;
    // Checked right after the counter's only step, in the same block: every iteration that goes
    // round leaves the counter satisfying the check, so it holds at the header from then on.
    const steps = [...body].flatMap((b) => frame.fn.blocks[b]!.instructions.map((instruction, index) => ({ b, index, instruction })))
      .filter((w) => 'dst' in w.instruction && w.instruction.dst === guard.counter);
    const checkedAfterStep = steps.length === 1 && steps[0]!.b === id && steps[0]!.index < block.instructions.indexOf(c!);
    return { ...guard, ...(checkedAfterStep ? { checkedAfterStep } : {}) };
  }
  return undefined;
}

/**
 * An integer comparison the loop goes on under (`staysOnTrue`: while it holds, else while it does
 * not), as `a < b` (or `<=`) between a counter the body steps (`counts`) and a limit it does not.
 */
function integerStepGuard(
  frame: Frame, header: BasicBlock, c: CompareInstruction, staysOnTrue: boolean, counts: (register: number) => boolean,
  value: (operand: Operand, width: number) => BitVecExpr | undefined,
): VariableStepGuard | undefined {
  if (c.pointers || c.predicate === 'eq' || c.predicate === 'ne') return undefined;
  const predicate = staysOnTrue ? c.predicate : NEGATED[c.predicate]!;
  const less = /^(s|u)l[te]$/.test(predicate);
  const [a, b] = less ? [c.left, c.right] : [c.right, c.left];
  const inclusive = predicate.endsWith('e');
  const signed = predicate.startsWith('s');
  const up = a.kind === 'reg' && counts(a.id) ? { counter: a, limit: value(b, c.width), direction: 'up' as const } : undefined;
  const down = b.kind === 'reg' && counts(b.id) ? { counter: b, limit: value(a, c.width), direction: 'down' as const } : undefined;
  const found = up ?? down;
  const counterValue = found?.counter.kind === 'reg' ? integerRegister(frame, found.counter) : undefined;
  if (found?.counter.kind === 'reg' && found.limit && counterValue && counterValue.width === c.width && found.limit.width === c.width) {
    return { functionName: frame.fn.name, header: header.id, counter: found.counter.id, direction: found.direction, limit: found.limit, signed, inclusive, width: c.width };
  }
  return undefined;
}

/**
 * A loop header's chain of condition blocks: `i < n && i < MAX` lowers to one block per operand,
 * each leaving the loop when false. The chain follows only blocks that just compute the next
 * condition (no memory effects), and ends at the first block that is not such a condition.
 */
function headerChain(fn: IrFunction, header: BasicBlock, body: ReadonlySet<number>): BasicBlock[] {
  const chain: BasicBlock[] = [];
  let block: BasicBlock | undefined = header;
  const seen = new Set<number>();
  while (block && !seen.has(block.id)) {
    seen.add(block.id);
    const terminator: Terminator = block.terminator;
    if (terminator.op !== 'branch' || body.has(terminator.whenFalse)) break;
    chain.push(block);
    const next: BasicBlock | undefined = fn.blocks[terminator.whenTrue];
    if (!next || !body.has(next.id) || next.id === header.id || next.instructions.some((i) => i.op === 'store' || i.op === 'call' || i.op === 'load')) break;
    block = next;
  }
  return chain;
}

/**
 * A branch that leaves the loop on one side, on a counter compared with a limit, as the guard
 * `counter < limit` (or `<=`) the loop runs under. The counter may be on either side and the loop
 * may go on when the comparison is true or false: `if (depth >= MAX) break;` is `depth < MAX`, and
 * `if (depth == MAX) return` is `depth < MAX` when the counter starts at or below MAX and reaches it.
 */
function conditionGuard(frame: Frame, header: BasicBlock, body: ReadonlySet<number>, latches: readonly number[]): SummaryGuard | undefined {
  const terminator = header.terminator;
  if (terminator.op !== 'branch' || terminator.condition.kind !== 'reg') return undefined;
  const staysOnTrue = body.has(terminator.whenTrue);
  const definitions = new Map<number, Instruction>();
  for (const instruction of header.instructions) if ('dst' in instruction && instruction.dst !== undefined) definitions.set(instruction.dst, instruction);
  const original = definitions.get(terminator.condition.id);
  if (!original || original.op !== 'compare' || original.pointers) return undefined;
  const comparison = continuingComparison(original, staysOnTrue);
  if (!comparison) return undefined;
  const limit = comparison.right.kind === 'imm' ? comparison.right.value.toString() : integerRegister(frame, comparison.right);
  // The counter may be widened before the comparison (uint8_t i < n compares as int).
  let counterOperand = comparison.left;
  const widened = counterOperand.kind === 'reg' ? definitions.get(counterOperand.id) : undefined;
  if (widened && widened.op === 'cast' && widened.cast !== 'trunc') counterOperand = widened.src;
  if (counterOperand.kind !== 'reg' || limit === undefined) return undefined;
  const counter = counterOperand.id;
  let step: bigint | undefined;
  let counterWidth = comparison.width;
  for (const id of body) {
    for (const instruction of frame.fn.blocks[id]!.instructions) {
      if (!('dst' in instruction) || instruction.dst !== counter) continue;
      // Every iteration must step the counter: an iteration that skips the step (a `continue`
      // before it, a conditional `i++`) could go round without coming nearer the limit.
      if (!latches.every((latch) => dominatorsOf(frame.fn, latch)?.has(id))) return undefined;
      // The add that steps the counter: the instruction itself, or, for a narrow counter, the add it truncates.
      const narrow = narrowCounterStep(instruction, counter, body, frame.fn);
      if (narrow) counterWidth = narrow.width;
      const update = narrow?.sum ?? instruction;
      if (inductionStep(update, narrow ? narrow.widened : counter) !== 'up' || update.op !== 'binary' || update.right.kind !== 'imm') return undefined;
      const c = BigInt.asIntN(update.width, update.right.value);
      const delta = update.operator === 'add' ? c : -c;
      if (step !== undefined && step !== delta) return undefined;
      step = delta;
    }
  }
  const start = integerRegister(frame, { kind: 'reg', id: counter });
  if (step === undefined || step <= 0n || start === undefined) return undefined;
  if (comparison.untilEqual) {
    // `counter != limit` goes on until the counter lands on the limit: only from a known start at
    // or below it, in whole steps.
    if (start.op !== 'const' || comparison.right.kind !== 'imm' || counterWidth !== comparison.width) return undefined;
    const signed = comparison.predicate.startsWith('s');
    const from = signed ? BigInt.asIntN(comparison.width, start.value) : BigInt.asUintN(comparison.width, start.value);
    const to = signed ? BigInt.asIntN(comparison.width, comparison.right.value) : BigInt.asUintN(comparison.width, comparison.right.value);
    if (from > to || (to - from) % step !== 0n) return undefined;
  }
  // A counter narrower than the comparison must not wrap on its way to the limit: its last step
  // from below the limit has to stay within what the counter holds.
  if (counterWidth < comparison.width) {
    if (comparison.right.kind !== 'imm') return undefined; // a limit in a register might exceed what the counter holds
    const limitValue = comparison.predicate.startsWith('s') ? BigInt.asIntN(comparison.width, comparison.right.value) : comparison.right.value;
    const counterMax = comparison.predicate.startsWith('s') && !isZeroExtended(widened) ? (1n << BigInt(counterWidth - 1)) - 1n : (1n << BigInt(counterWidth)) - 1n;
    const lastBelow = comparison.predicate.endsWith('le') ? limitValue : limitValue - 1n;
    if (lastBelow + step > counterMax) return undefined;
  }
  return { start, limit, step: step.toString(), signed: comparison.predicate.startsWith('s'), inclusive: comparison.predicate.endsWith('le'), width: comparison.width };
}

type CompareInstruction = Extract<Instruction, { op: 'compare' }>;

/** The comparison that holds exactly when this one does not. */
const NEGATED: Record<string, CompareInstruction['predicate']> = { slt: 'sge', ult: 'uge', sle: 'sgt', ule: 'ugt', sgt: 'sle', ugt: 'ule', sge: 'slt', uge: 'ult', eq: 'ne', ne: 'eq' };

/**
 * The comparison as `counter < limit` or `counter <= limit` with the counter on the left, true
 * while the loop goes on (`staysOnTrue`: the branch's true side stays in the loop); `untilEqual`
 * for a loop that goes on while `counter != limit`, taken as `counter < limit` (see conditionGuard).
 */
function continuingComparison(comparison: CompareInstruction, staysOnTrue: boolean): (CompareInstruction & { untilEqual?: boolean }) | undefined {
  const swapped: Record<string, CompareInstruction['predicate']> = { slt: 'sgt', ult: 'ugt', sle: 'sge', ule: 'uge', sgt: 'slt', ugt: 'ult', sge: 'sle', uge: 'ule', eq: 'eq', ne: 'ne' };
  // The limit on the right: a constant or register on the left is swapped over.
  let c: CompareInstruction = comparison.left.kind === 'imm' && comparison.right.kind === 'reg'
    ? { ...comparison, left: comparison.right, right: comparison.left, predicate: swapped[comparison.predicate]! }
    : comparison;
  if (!staysOnTrue) c = { ...c, predicate: NEGATED[c.predicate]! };
  if (['slt', 'ult', 'sle', 'ule'].includes(c.predicate)) return c;
  // `counter != limit`: signedness does not matter to the equality; the start check uses unsigned.
  if (c.predicate === 'ne') return { ...c, predicate: 'ult', untilEqual: true };
  return undefined;
}

function isZeroExtended(instruction: Instruction | undefined): boolean {
  return instruction?.op === 'cast' && instruction.cast === 'zext';
}

/**
 * A counter narrower than int steps as C's promotions lower `i++`: `w = zext|sext(i); s = w + c;
 * i = trunc(s)`, all in the loop body. The add `s`, the register `w` it steps, and the counter's
 * width, or undefined.
 */
function narrowCounterStep(instruction: Instruction, counter: number, body: ReadonlySet<number>, fn: IrFunction): { sum: Instruction; widened: number; width: number } | undefined {
  if (instruction.op !== 'cast' || instruction.cast !== 'trunc' || instruction.src.kind !== 'reg') return undefined;
  const definitionOf = (register: number): Instruction | undefined => {
    let found: Instruction | undefined;
    for (const id of body) {
      for (const candidate of fn.blocks[id]!.instructions) {
        if (!('dst' in candidate) || candidate.dst !== register) continue;
        if (found) return undefined; // assigned twice: not a plain step
        found = candidate;
      }
    }
    return found;
  };
  const sum = definitionOf(instruction.src.id);
  if (!sum || sum.op !== 'binary' || sum.left.kind !== 'reg') return undefined;
  const widened = definitionOf(sum.left.id);
  if (!widened || widened.op !== 'cast' || widened.cast === 'trunc' || widened.src.kind !== 'reg' || widened.src.id !== counter) return undefined;
  return { sum, widened: sum.left.id, width: instruction.to };
}

/** ceil((limit - start) / step) when the counter's start and the limit are constants. */
function guardValue(guard: SummaryGuard): number | undefined {
  const start = guard.start.op === 'const' ? guard.start.value : undefined;
  const limit = typeof guard.limit === 'string' ? BigInt(guard.limit) : guard.limit.op === 'const' ? guard.limit.value : undefined;
  if (start === undefined || limit === undefined) return undefined;
  const step = BigInt(guard.step);
  const from = guard.signed ? BigInt.asIntN(guard.width, start) : start;
  const to = guard.signed ? BigInt.asIntN(guard.width, limit) : limit;
  const last = guard.inclusive ? to + 1n : to;
  if (last <= from) return 0;
  return Number((last - from + step - 1n) / step);
}

/** The integer in a register (constant or not), or undefined when it holds none. */
/** A variable-step guard's counter: the integer, or the walking pointer's offset while it stays in its object. */
export function counterValue(frame: Frame, register: number, pointerObject: string | undefined): BitVecExpr | undefined {
  const value = frame.registers[register];
  if (pointerObject === undefined) return value?.kind === 'int' ? value.expr : undefined;
  return value?.kind === 'pointer' && value.object === pointerObject ? value.offset : undefined;
}

function integerRegister(frame: Frame, operand: Operand): BitVecExpr | undefined {
  if (operand.kind !== 'reg') return undefined;
  const value = frame.registers[operand.id];
  return value?.kind === 'int' ? value.expr : undefined;
}
