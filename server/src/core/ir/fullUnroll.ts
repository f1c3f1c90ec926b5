// Which loops both engines run in full instead of summarising: a constant trip-count bound within the limit, and a body whose paths do not multiply past a budget.
//
// The decision is a pure function of the IR and the limit, so that the symbolic executor and the
// reference interpreter, which both call it, always agree on which loops have a PCV: a witness
// then has the same path identity in both, whatever path it takes through the loop.
import type { BasicBlock, Instruction, IrFunction, IrProgram, Operand } from './ir';
import { loopBody, loopMarkNames } from './loops';

/** The default `--full-unroll-limit`: trip counts up to this many iterations are explored, not summarised. */
export const DEFAULT_FULL_UNROLL_LIMIT = 64;

/**
 * Paths one entry into a loop may fan out into (estimated from its body) for it to run in full.
 * Iterations whose branches read data that changes from one iteration to the next (a table entry
 * indexed by the counter, an accumulator) multiply the paths: a 16-entry scan that forks on each
 * entry's fields would give thousands of paths, so it is summarised into a PCV instead. Branches on
 * values fixed for the whole loop (a packet field compared with a constant rule table) do not
 * multiply: each input value follows one path.
 */
export const FULL_UNROLL_PATH_BUDGET = 64;

export interface FullUnrollVerdict {
  /** Largest number of iterations of one entry that the loop's counting guards allow, when the code fixes one. */
  tripBound?: number;
  /** Estimated paths of one entry (the multiplicity of one iteration to the power of the trip bound), capped. */
  pathEstimate?: number;
  /** Paths of one entry, exits included (each iteration it can leave at, times pathEstimate), capped. */
  entryPaths?: number;
  runsInFull: boolean;
}

const verdicts = new WeakMap<IrFunction, Map<string, FullUnrollVerdict>>();

/**
 * Whether the loop with this header runs in full (every iteration explored, no PCV) under the given
 * limit: its trip count has a constant bound no larger than `limit` and its estimated paths stay
 * within FULL_UNROLL_PATH_BUDGET. `limit` undefined or 0: never.
 */
export function runsInFull(program: IrProgram, fn: IrFunction, header: number, limit: number | undefined): boolean {
  if (limit === undefined || limit <= 0) return false;
  const verdict = fullUnrollVerdict(program, fn, header, limit);
  if (!verdict.runsInFull) return false;
  // Inside a loop that is summarised (or runs its first iterations explicitly), every entry is
  // explored again: only a loop with a single path per entry stays cheap enough to run in full there.
  if (verdict.entryPaths === 1) return true;
  const body = loopBody(fn, header);
  for (const loop of fn.loops) {
    if (loop.header === header || !loopBody(fn, loop.header).has(header) || body.has(loop.header)) continue;
    if (!fullUnrollVerdict(program, fn, loop.header, limit).runsInFull) return false;
  }
  return true;
}

export function fullUnrollVerdict(program: IrProgram, fn: IrFunction, header: number, limit: number): FullUnrollVerdict {
  let perFunction = verdicts.get(fn);
  if (!perFunction) {
    perFunction = new Map();
    verdicts.set(fn, perFunction);
  }
  const key = `${header}|${limit}`;
  const known = perFunction.get(key);
  if (known) return known;
  perFunction.set(key, { runsInFull: false }); // a loop met again while its own verdict is computed
  // A loop the user named as a PCV (`/*@ pcv NAME */`, or `/*@ count NAME */` marks inside it) keeps
  // its PCV: the contract is to speak in the user's variables (a trie's prefix length, collisions).
  const loop = fn.loops.find((l) => l.header === header);
  if (loop && (loop.annotations.some((a) => /^pcv\s/.test(a)) || loopMarkNames(fn, header).length > 0)) return { runsInFull: false };
  const analysis = new LoopAnalysis(program, fn, header);
  const tripBound = analysis.tripBound();
  let verdict: FullUnrollVerdict = { runsInFull: false };
  if (tripBound !== undefined) {
    const pathEstimate = tripBound > limit ? undefined : analysis.pathEstimate(tripBound, limit);
    const entryPaths = pathEstimate === undefined ? undefined : Math.min(FULL_UNROLL_PATH_BUDGET + 1, pathEstimate * (analysis.onlyCountedExits() ? 1 : tripBound + 1));
    verdict = {
      tripBound, ...(pathEstimate !== undefined ? { pathEstimate, entryPaths } : {}),
      runsInFull: pathEstimate !== undefined && pathEstimate <= FULL_UNROLL_PATH_BUDGET,
    };
  }
  perFunction.set(key, verdict);
  return verdict;
}

/** The unique way a counter register changes in the loop body: by a constant step, up or down. */
interface Counter {
  register: number;
  direction: 'up' | 'down';
  /** The smallest step (the bound stays an upper bound when steps differ). */
  step: bigint;
  /** Width of the counter itself (narrower than the comparison when it is widened first). */
  width: number;
}

type Dependence = 'fixed' | 'varying';

class LoopAnalysis {
  private readonly body: ReadonlySet<number>;
  private readonly definitions = new Map<number, { instruction: Instruction; inBody: boolean }[]>();
  private readonly counters = new Set<number>();
  private readonly writesMemory: boolean;

  constructor(private readonly program: IrProgram, private readonly fn: IrFunction, private readonly header: number) {
    this.body = loopBody(fn, header);
    let writes = false;
    for (const block of fn.blocks) {
      const inBody = this.body.has(block.id);
      for (const instruction of block.instructions) {
        if ('dst' in instruction && instruction.dst !== undefined) {
          const list = this.definitions.get(instruction.dst) ?? [];
          list.push({ instruction, inBody });
          this.definitions.set(instruction.dst, list);
        }
        if (inBody && (instruction.op === 'store' || (instruction.op === 'call' && !PURE_INTRINSICS.has(instruction.callee)))) writes = true;
      }
    }
    this.writesMemory = writes;
  }

  /**
   * The smallest bound any exit test gives: a test in the chain of condition blocks at the header
   * (`for`, `while`) bounds the iterations by ceil((limit - start) / step); a test on the only back
   * edge (`do ... while`) allows one iteration more.
   */
  tripBound(): number | undefined {
    let best: number | undefined;
    const consider = (block: BasicBlock, extra: number) => {
      const bound = this.exitTestBound(block);
      if (bound !== undefined) best = best === undefined ? bound + extra : Math.min(best, bound + extra);
    };
    const seen = new Set<number>();
    let block: BasicBlock | undefined = this.fn.blocks[this.header];
    while (block && !seen.has(block.id)) {
      seen.add(block.id);
      const terminator: BasicBlock['terminator'] = block.terminator;
      if (terminator.op !== 'branch') break;
      const inside: number[] = [terminator.whenTrue, terminator.whenFalse].filter((t) => this.body.has(t));
      if (inside.length !== 1) break;
      consider(block, 0);
      const next: BasicBlock | undefined = this.fn.blocks[inside[0]!];
      if (!next || next.id === this.header || next.instructions.some((i) => i.op === 'store' || i.op === 'call' || i.op === 'load')) break;
      block = next;
    }
    const latches = [...this.body].filter((id) => successors(this.fn.blocks[id]!).includes(this.header));
    if (latches.length === 1 && !seen.has(latches[0]!)) consider(this.fn.blocks[latches[0]!]!, 1);
    return best;
  }

  /**
   * Paths of one entry: each iteration's branches that read per-iteration data and continue the
   * loop on several sides multiply, as do inner loops (by their own estimate when they run in full)
   * and calls. Capped just above the budget.
   */
  pathEstimate(tripBound: number, limit: number): number {
    const cap = FULL_UNROLL_PATH_BUDGET + 1;
    let perIteration = 1;
    const inner = new Set<number>();
    for (const loop of this.fn.loops) {
      if (loop.header === this.header || !this.body.has(loop.header)) continue;
      const innerBody = loopBody(this.fn, loop.header);
      if (innerBody.has(this.header)) continue; // an enclosing loop
      for (const id of innerBody) inner.add(id);
      // Every way through the inner loop (each iteration it can leave at, times its own paths)
      // continues the outer iteration; a summarised inner loop still leaves at a symbolic point.
      const verdict = fullUnrollVerdict(this.program, this.fn, loop.header, limit);
      perIteration *= verdict.runsInFull ? Math.max(1, verdict.entryPaths ?? cap) : 2;
    }
    for (const id of this.body) {
      if (inner.has(id)) continue;
      const block = this.fn.blocks[id]!;
      for (const instruction of block.instructions) {
        if (instruction.op === 'call' && !PURE_INTRINSICS.has(instruction.callee)) perIteration *= 2;
      }
      const terminator = block.terminator;
      let condition: Operand | undefined;
      if (terminator.op === 'branch') condition = terminator.condition;
      else if (terminator.op === 'switch') condition = terminator.value;
      if (!condition) continue;
      const staying = new Set(successors(block).filter((t) => this.body.has(t)));
      if (staying.size < 2) continue;
      if (this.dependence(condition, new Set()) === 'varying') perIteration *= staying.size;
      if (perIteration >= cap) return cap;
    }
    let estimate = 1;
    for (let i = 0; i < tripBound; i++) {
      estimate *= perIteration;
      if (estimate >= cap) return cap;
    }
    return estimate;
  }

  /** Whether the loop is left only where a counter reaches a constant (so at one iteration, whatever the input). */
  onlyCountedExits(): boolean {
    if (this.tripBound() === undefined) return false;
    for (const id of this.body) {
      const block = this.fn.blocks[id]!;
      if (block.terminator.op === 'return') return false;
      const leaves = successors(block).some((t) => !this.body.has(t));
      if (leaves && this.exitTestBound(block) === undefined) return false;
    }
    return true;
  }

  /** The iterations an exit test allows, when it compares a counter with a constant. */
  private exitTestBound(block: BasicBlock): number | undefined {
    const terminator = block.terminator;
    if (terminator.op !== 'branch' || terminator.condition.kind !== 'reg') return undefined;
    const exitsWhenTrue = !this.body.has(terminator.whenTrue);
    if (exitsWhenTrue === !this.body.has(terminator.whenFalse)) return undefined;
    const comparison = this.definitionIn(block, terminator.condition.id);
    if (!comparison || comparison.op !== 'compare' || comparison.pointers) return undefined;
    // Normalise to "the loop goes on while COUNTER PREDICATE LIMIT".
    let predicate = exitsWhenTrue ? NEGATED[comparison.predicate] : comparison.predicate;
    let counterOperand = comparison.left;
    let limitOperand = comparison.right;
    if (counterOperand.kind === 'imm') {
      [counterOperand, limitOperand] = [limitOperand, counterOperand];
      predicate = SWAPPED[predicate];
    }
    if (limitOperand.kind !== 'imm' || counterOperand.kind !== 'reg') return undefined;
    const width = comparison.width;
    const signed = predicate.startsWith('s');
    // The counter may be widened in the test block (a uint8_t counter compares as int).
    let counterRegister = counterOperand.id;
    let widening: Extract<Instruction, { op: 'cast' }> | undefined;
    const widened = this.definitionIn(block, counterRegister);
    if (widened && widened.op === 'cast' && widened.cast !== 'trunc' && widened.src.kind === 'reg') {
      widening = widened;
      counterRegister = widened.src.id;
    }
    const counter = this.counter(counterRegister, widening ? widening.from : width);
    if (!counter) return undefined;
    const asNumber = (value: bigint) => (signed ? BigInt.asIntN(width, value) : BigInt.asUintN(width, value));
    const limit = asNumber(limitOperand.value);
    // The counter's range as the comparison reads it (a narrow counter widened by zext is never negative).
    const zeroExtended = widening?.cast === 'zext';
    const counterSigned = signed && !zeroExtended;
    const counterMin = counterSigned ? -(1n << BigInt(counter.width - 1)) : 0n;
    const counterMax = counterSigned ? (1n << BigInt(counter.width - 1)) - 1n : (1n << BigInt(counter.width)) - 1n;
    const starts = this.constantStarts(counterRegister, widening, width, signed);
    if (counter.direction === 'up' && ['ult', 'ule', 'slt', 'sle'].includes(predicate)) {
      const lastBelow = predicate.endsWith('le') ? limit : limit - 1n; // the largest value that goes on
      if (lastBelow + counter.step > counterMax) return undefined; // the step past it would wrap around
      const from = starts ? starts.reduce((a, b) => (a < b ? a : b)) : counterSigned ? undefined : 0n;
      if (from === undefined) return undefined;
      return lastBelow < from ? 0 : Number((lastBelow - from) / counter.step + 1n);
    }
    if (counter.direction === 'down' && ['ugt', 'uge', 'sgt', 'sge'].includes(predicate)) {
      const firstAbove = predicate.endsWith('ge') ? limit : limit + 1n; // the smallest value that goes on
      if (firstAbove - counter.step < counterMin) return undefined;
      if (!starts) return undefined;
      const from = starts.reduce((a, b) => (a > b ? a : b));
      return from < firstAbove ? 0 : Number((from - firstAbove) / counter.step + 1n);
    }
    return undefined;
  }

  /** A register the loop body changes only by constant steps in one direction (`i++`, `i -= 4`, or a narrow counter's widen-add-truncate). */
  private counter(register: number, width: number): Counter | undefined {
    const inside = (this.definitions.get(register) ?? []).filter((d) => d.inBody);
    if (inside.length === 0) return undefined;
    let direction: 'up' | 'down' | undefined;
    let step: bigint | undefined;
    for (const { instruction } of inside) {
      const update = this.stepOf(instruction, register);
      if (!update) return undefined;
      if (direction !== undefined && direction !== update.direction) return undefined;
      direction = update.direction;
      step = step === undefined || update.step < step ? update.step : step;
    }
    this.counters.add(register);
    return { register, direction: direction!, step: step!, width };
  }

  private stepOf(instruction: Instruction, register: number): { direction: 'up' | 'down'; step: bigint } | undefined {
    let sum: Instruction | undefined = instruction;
    let from = register;
    // A narrow counter: i = trunc(zext(i) + c).
    if (instruction.op === 'cast' && instruction.cast === 'trunc' && instruction.src.kind === 'reg') {
      const inner = this.onlyBodyDefinition(instruction.src.id);
      if (!inner || inner.op !== 'binary' || inner.left.kind !== 'reg') return undefined;
      const widened = this.onlyBodyDefinition(inner.left.id);
      if (!widened || widened.op !== 'cast' || widened.cast === 'trunc' || widened.src.kind !== 'reg' || widened.src.id !== register) return undefined;
      sum = inner;
      from = inner.left.id;
    }
    if (!sum || sum.op !== 'binary' || sum.left.kind !== 'reg' || sum.left.id !== from || sum.right.kind !== 'imm') return undefined;
    const c = BigInt.asIntN(sum.width, sum.right.value);
    if (c === 0n || (sum.operator !== 'add' && sum.operator !== 'sub')) return undefined;
    const delta = sum.operator === 'add' ? c : -c;
    return delta > 0n ? { direction: 'up', step: delta } : { direction: 'down', step: -delta };
  }

  /** The values the counter can enter the loop with, when every assignment outside the body is a constant. */
  private constantStarts(register: number, widening: Extract<Instruction, { op: 'cast' }> | undefined, width: number, signed: boolean): bigint[] | undefined {
    const outside = (this.definitions.get(register) ?? []).filter((d) => !d.inBody);
    if (outside.length === 0 || this.fn.params.some((p) => p.register === register)) return undefined;
    const values: bigint[] = [];
    for (const { instruction } of outside) {
      if (instruction.op !== 'copy' || instruction.src.kind !== 'imm') return undefined;
      const raw = instruction.src.value;
      const fromWidth = widening ? widening.from : width;
      const extended = widening?.cast === 'sext' ? BigInt.asIntN(fromWidth, raw) : BigInt.asUintN(fromWidth, raw);
      values.push(signed ? BigInt.asIntN(width, extended) : BigInt.asUintN(width, extended));
    }
    return values;
  }

  /**
   * Whether a value can differ from one iteration to the next in a way that makes iterations fork
   * independently: it reads memory the loop writes or indexes with the counter, or a register the
   * loop carries from one iteration to the next (other than a counter, which is concrete).
   */
  private dependence(operand: Operand, seen: Set<number>): Dependence {
    if (operand.kind !== 'reg') return 'fixed';
    if (this.counters.has(operand.id)) return 'fixed';
    const definitions = this.definitions.get(operand.id) ?? [];
    const inside = definitions.filter((d) => d.inBody);
    if (inside.length === 0) return 'fixed'; // the same value in every iteration
    if (inside.length !== definitions.length) return 'varying'; // carried from one iteration to the next
    if (seen.has(operand.id)) return 'varying';
    seen.add(operand.id);
    for (const { instruction } of inside) {
      if (this.instructionDependence(instruction, seen) === 'varying') return 'varying';
    }
    return 'fixed';
  }

  private instructionDependence(instruction: Instruction, seen: Set<number>): Dependence {
    switch (instruction.op) {
      case 'copy': return this.dependence(instruction.src, seen);
      case 'cast': return this.dependence(instruction.src, seen);
      case 'binary':
      case 'compare':
        return this.dependence(instruction.left, seen) === 'varying' || this.dependence(instruction.right, seen) === 'varying' ? 'varying' : 'fixed';
      case 'address': return 'fixed';
      case 'offset': return this.dependence(instruction.pointer, seen) === 'varying' || this.dependence(instruction.byteOffset, seen) === 'varying' ? 'varying' : 'fixed';
      case 'load': {
        // A constant table reads the same for every input; other memory differs per location, and
        // per iteration when the loop writes memory.
        if (this.dependence(instruction.address, new Set(seen)) === 'varying') return 'varying';
        if (this.readsConstant(instruction.address)) return 'fixed';
        if (this.writesMemory || this.usesCounter(instruction.address, new Set())) return 'varying';
        return 'fixed';
      }
      default: return 'varying';
    }
  }

  /** Whether an address is into a read-only global (a `static const` table). */
  private readsConstant(operand: Operand): boolean {
    if (operand.kind !== 'reg') return false;
    const definitions = this.definitions.get(operand.id) ?? [];
    if (definitions.length !== 1) return false;
    const instruction = definitions[0]!.instruction;
    if (instruction.op === 'address') return instruction.base.kind === 'global' ? this.program.globals.get(instruction.base.name)?.readOnly === true : instruction.base.kind === 'string';
    if (instruction.op === 'offset') return this.readsConstant(instruction.pointer);
    if (instruction.op === 'copy') return this.readsConstant(instruction.src);
    return false;
  }

  private usesCounter(operand: Operand, seen: Set<number>): boolean {
    if (operand.kind !== 'reg') return false;
    if (this.counters.has(operand.id)) return true;
    if (seen.has(operand.id)) return false;
    seen.add(operand.id);
    for (const { instruction, inBody } of this.definitions.get(operand.id) ?? []) {
      if (!inBody) continue;
      for (const used of operandsOf(instruction)) if (this.usesCounter(used, seen)) return true;
    }
    return false;
  }

  private definitionIn(block: BasicBlock, register: number): Instruction | undefined {
    let found: Instruction | undefined;
    for (const instruction of block.instructions) if ('dst' in instruction && instruction.dst === register) found = instruction;
    return found;
  }

  private onlyBodyDefinition(register: number): Instruction | undefined {
    const inside = (this.definitions.get(register) ?? []).filter((d) => d.inBody);
    return inside.length === 1 ? inside[0]!.instruction : undefined;
  }
}

/** Library calls that only read or write the memory their arguments name and never fork. */
const PURE_INTRINSICS = new Set(['memcpy', 'memset', 'memcmp']);

type Predicate = Extract<Instruction, { op: 'compare' }>['predicate'];

const NEGATED: Record<Predicate, Predicate> = {
  eq: 'ne', ne: 'eq', ult: 'uge', ule: 'ugt', ugt: 'ule', uge: 'ult', slt: 'sge', sle: 'sgt', sgt: 'sle', sge: 'slt',
};

const SWAPPED: Record<Predicate, Predicate> = {
  eq: 'eq', ne: 'ne', ult: 'ugt', ule: 'uge', ugt: 'ult', uge: 'ule', slt: 'sgt', sle: 'sge', sgt: 'slt', sge: 'sle',
};

function successors(block: BasicBlock): number[] {
  const t = block.terminator;
  if (t.op === 'jump') return [t.target];
  if (t.op === 'branch') return [t.whenTrue, t.whenFalse];
  if (t.op === 'switch') return [...t.cases.map((c) => c.target), t.defaultTarget];
  return [];
}

function operandsOf(instruction: Instruction): Operand[] {
  switch (instruction.op) {
    case 'copy': case 'cast': return [instruction.src];
    case 'binary': case 'compare': return [instruction.left, instruction.right];
    case 'offset': return [instruction.pointer, instruction.byteOffset];
    case 'load': return [instruction.address];
    default: return [];
  }
}
