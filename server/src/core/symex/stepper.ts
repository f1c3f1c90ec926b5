// Stepping a path: runs a state instruction by instruction until it forks or ends, with the
// semantics of each instruction, the memory intrinsics, and terminators (branches fork where both
// sides are feasible). Loop headers and calls are handed to the layers above.
import type { BasicBlock, Instruction, IrFunction, Terminator } from '../ir/ir';
import { addCost, instructionCost, intrinsicCost, terminatorCost } from '../cost/costModel';
import { ERROR_REASONS } from '../reasons';
import { BitVecExpr, BoolExpr, FALSE, TRUE, and, binary, bv, compare, extract, ite, not, select, signExtend, store, symbolsOf, zeroExtend } from '../term/expr';
import { Model } from '../term/model';
import { CountMark, countMarks, loopBody } from '../ir/loops';
import { nullableEquality } from './lazyMemory';
import { decisionLoops } from './decisionLoops';
import { PACKET_OBJECT, lengthConditionText } from './packet';
import { SymbolicValue, Frame, State, ConcreteRunAbandoned, CONCRETE_RUN_ITERATIONS, PathEnd, rangeText, subtractCost, subtractTerms, summaryDecision } from './state';
import { counterValue } from './loopGuards';
import { MemoryModel } from './memoryModel';

export abstract class Stepper extends MemoryModel {
  /** Runs a state until it forks (returns the successors) or ends (throws PathEnd / returns []). */
  protected async runUntilFork(state: State): Promise<State[]> {
    if (state.pendingRegistrations) {
      for (const register of state.pendingRegistrations) register();
      state.pendingRegistrations = undefined;
    }
    if (state.pendingEnd) {
      const outcome = state.pendingEnd;
      state.pendingEnd = undefined;
      throw new PathEnd(outcome);
    }
    while (true) {
      const frame = state.frames[state.frames.length - 1]!;
      const block = frame.fn.blocks[frame.block]!;
      const boundary = state.boundaries[state.boundaries.length - 1];
      const atBoundaryFrame = boundary !== undefined && state.frames.length === boundary.depth;
      if (atBoundaryFrame && frame.index === 0) {
        if (frame.block === boundary.header && !state.skipHeaderVisit) {
          const iteration = { cost: subtractCost(state.cost, boundary.startCost), terms: subtractTerms(state.terms, boundary.startTerms), mark: state.marks.get(boundary) };
          boundary.iterations.push(iteration);
          if (boundary.stepCounter) {
            const after = counterValue(frame, boundary.stepCounter.register, boundary.stepCounter.pointerObject);
            if (after) boundary.stepCounter.ends.push({ constraints: [...state.constraints], after, evaluator: state.evaluator });
            else boundary.stepCounter.lost = true;
          }
          boundary.recorded?.iterations.push({
            constraints: [...state.constraints], decisions: state.decisions.map(summaryDecision), cost: iteration.cost, terms: [...iteration.terms],
            ...(iteration.mark === undefined ? {} : { mark: iteration.mark }),
          });
          return []; // one more iteration done: only its cost matters
        }
        if (!boundary.body.has(frame.block)) {
          boundary.exits.push(state);
          return [];
        }
      }
      const run = state.concreteRun;
      if (run && state.frames.length < run.depth) {
        run.exited = true; // returned from inside the loop
        return [state];
      }
      if (run && frame.index === 0 && state.frames.length === run.depth) {
        if (!run.body.has(frame.block)) {
          run.exited = true;
          return [state];
        }
        if (frame.block === run.header) {
          if (++run.iterations > CONCRETE_RUN_ITERATIONS) throw new ConcreteRunAbandoned();
          state.trace = run.trace.clone();
          state.pcvInstances = new Map(run.pcvInstances);
        }
      }
      if (frame.index === 0 && block.loopHeader !== undefined && !(run && state.frames.length === run.depth && frame.block === run.header)) {
        if (state.skipHeaderVisit) {
          state.skipHeaderVisit = false;
        } else if (this.visitLoopHeader(frame, block) === 'summarize') {
          if (run) throw new ConcreteRunAbandoned(); // a loop inside the concrete run would be summarised
          this.recorder?.loopPastUnroll();
          const completed = await this.completeConcretely(state, frame, block);
          if (completed === 'finished') return [];
          if (completed) return [completed];
          return this.summarizeLoop(state, frame, block);
        }
      }
      const marks = state.boundaries.length > 0 ? countMarks(frame.fn).get(block.id) : undefined;
      while (frame.index < block.instructions.length) {
        if (marks) this.noteMark(state, marks, frame.index);
        const instruction = block.instructions[frame.index]!;
        const result = await this.execute(state, frame, instruction);
        if (result === 'called') break;
        if (result === 'forked') return this.pendingForks.splice(0);
        frame.index++;
      }
      if (state.frames[state.frames.length - 1] !== frame) continue; // entered a callee
      if (frame.index < block.instructions.length) continue;
      if (marks) this.noteMark(state, marks, frame.index);
      if (atBoundaryFrame && block.terminator.op === 'return') {
        boundary.exits.push(state); // returning from inside the loop leaves it too
        return [];
      }
      const successors = await this.terminate(state, frame, block.terminator);
      if (successors === 'continue') continue;
      return successors;
    }
  }

  /**
   * Summarises the remaining iterations of a loop: forgets what the loop writes, explores one
   * iteration from the header to get the worst per-iteration cost, and continues at every way out
   * of the loop with cost + PCV x (per-iteration cost). Returns the states that left the loop.
   */
  /** Records that this iteration of the summarised loop a count mark belongs to reached it. */
  private noteMark(state: State, marks: Map<number, CountMark>, index: number): void {
    const mark = marks.get(index);
    if (!mark) return;
    const depth = state.frames.length;
    const boundary = [...state.boundaries].reverse().find((b) => b.depth === depth && b.header === mark.header);
    if (boundary) state.marks.set(boundary, mark.name);
  }

  /** Returns 'next', 'called' (a frame was pushed), or 'forked' (successors in pendingForks). */
  private async execute(state: State, frame: Frame, instruction: Instruction): Promise<'next' | 'called' | 'forked'> {
    const set = (dst: number, value: SymbolicValue) => { frame.registers[dst] = value; };
    switch (instruction.op) {
      case 'copy':
        set(instruction.dst, this.value(frame, instruction.src));
        break;
      case 'binary': {
        const w = instruction.width;
        const left = this.intValue(frame, instruction.left, w, instruction);
        const right = this.intValue(frame, instruction.right, w, instruction);
        const op = instruction.operator;
        if (op === 'udiv' || op === 'sdiv' || op === 'urem' || op === 'srem') {
          const forked = await this.check(state, compare('eq', right, bv(0n, w)), { kind: 'error', reason: 'division-by-zero', message: `division by zero is possible here`, range: instruction.range });
          if (forked) return 'forked';
          if (op === 'sdiv' || op === 'srem') {
            const overflow = and([compare('eq', left, bv(1n << BigInt(w - 1), w)), compare('eq', right, bv(-1n, w))]);
            if (await this.check(state, overflow, { kind: 'error', reason: 'division-overflow', message: 'signed division of the minimum value by -1 is possible here', range: instruction.range })) return 'forked';
          }
        }
        if (op === 'shl' || op === 'lshr' || op === 'ashr') {
          const oversized = compare('ule', bv(BigInt(w), w), right);
          if (await this.check(state, oversized, { kind: 'error', reason: 'oversized-shift', message: `a shift by ${w} or more bits is possible here`, range: instruction.range })) return 'forked';
        }
        set(instruction.dst, { kind: 'int', expr: binary(op, left, right) });
        break;
      }
      case 'compare': {
        let result: BoolExpr;
        if (instruction.pointers) {
          result = this.comparePointers(frame, instruction);
        } else {
          const left = this.intValue(frame, instruction.left, instruction.width, instruction);
          const right = this.intValue(frame, instruction.right, instruction.width, instruction);
          result = predicateExpr(instruction.predicate, left, right);
        }
        set(instruction.dst, { kind: 'int', expr: boolToBit(result) });
        break;
      }
      case 'cast': {
        const source = this.intValue(frame, instruction.src, instruction.from, instruction);
        const expr = instruction.cast === 'trunc' ? extract(instruction.to - 1, 0, source)
          : instruction.cast === 'zext' ? zeroExtend(source, instruction.to) : signExtend(source, instruction.to);
        set(instruction.dst, { kind: 'int', expr });
        break;
      }
      case 'address': {
        const base = instruction.base;
        const object = base.kind === 'global' ? base.name : base.kind === 'slot' ? frame.slotObjects[base.slot]! : `str#${base.index}`;
        set(instruction.dst, { kind: 'pointer', object, offset: bv(0n, 64) });
        break;
      }
      case 'offset': {
        const pointer = this.value(frame, instruction.pointer);
        const delta = this.intValue(frame, instruction.byteOffset, 64, instruction);
        if (pointer.kind === 'null') {
          if (delta.op === 'const' && delta.value === 0n) { set(instruction.dst, pointer); break; }
          throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'arithmetic on a null pointer', range: instruction.range });
        }
        if (pointer.kind !== 'pointer') throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'an integer is used as a pointer', range: instruction.range });
        set(instruction.dst, { ...pointer, offset: binary('add', pointer.offset, delta) });
        break;
      }
      case 'packetPointer': {
        this.recorder?.unsupported('it reads the packet pointers of an XDP context, which a summary cannot express');
        const packet = this.packetObject(state);
        set(instruction.dst, { kind: 'pointer', object: PACKET_OBJECT, offset: instruction.field === 'data_end' ? packet.length! : bv(0n, 64) });
        break;
      }
      case 'pointerDiff': {
        const left = this.value(frame, instruction.left);
        const right = this.value(frame, instruction.right);
        if (left.kind !== 'pointer' || right.kind !== 'pointer' || left.object !== right.object) {
          throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'subtracting pointers into different objects', range: instruction.range });
        }
        set(instruction.dst, { kind: 'int', expr: binary('sub', left.offset, right.offset) });
        break;
      }
      case 'load': {
        const access = await this.access(state, frame, instruction.address, instruction.width / 8, instruction.range);
        if (access === 'forked') return 'forked';
        const { object, offset } = access;
        if (instruction.pointer) {
          const stored = offset.op === 'const' ? object.pointers.get(Number(offset.value)) : undefined;
          if (!stored) this.recorder?.unsupported('it loads a pointer from memory, which a summary cannot express');
          const loaded = stored ?? (offset.op !== 'const' || object.indexedPointers
            ? await this.indexedPointer(state, object, offset, instruction)
            : this.unstoredPointer(state, object, offset, instruction));
          set(instruction.dst, loaded);
          if (!stored && instruction.pointee?.mbuf && loaded.kind === 'pointer') await this.mbufBuffer(state, object, loaded.object, instruction.pointee.mbuf);
        } else {
          set(instruction.dst, { kind: 'int', expr: this.readBytes(object, offset, instruction.width / 8) });
        }
        break;
      }
      case 'store': {
        const access = await this.access(state, frame, instruction.address, instruction.width / 8, instruction.range);
        if (access === 'forked') return 'forked';
        const { object, offset } = access;
        const value = this.value(frame, instruction.value);
        if (instruction.pointer || value.kind !== 'int') {
          this.recorder?.unsupported('it stores a pointer in memory, which a summary cannot express');
          if (offset.op !== 'const') {
            await this.storeIndexedPointer(state, object, offset, value, instruction.range);
            break;
          }
          object.pointers.set(Number(offset.value), value);
        } else {
          // Pointers stored or followed at symbolic offsets survive an integer store that cannot touch them.
          const indexed = object.indexedPointers ? await this.indexedPointersApart(state, object, offset, instruction.width / 8) : undefined;
          this.dropPointers(object, offset, instruction.width / 8);
          if (indexed && indexed.length > 0) object.indexedPointers = indexed;
          this.writeBytes(object, offset, value.expr, instruction.width / 8);
        }
        break;
      }
      case 'call':
        return this.call(state, frame, instruction);
    }
    addCost(state.cost, instructionCost(instruction));
    return 'next';
  }

  private comparePointers(frame: Frame, instruction: Extract<Instruction, { op: 'compare' }>): BoolExpr {
    const left = this.value(frame, instruction.left);
    const right = this.value(frame, instruction.right);
    const isNull = (v: SymbolicValue) => v.kind === 'null' || (v.kind === 'int' && v.expr.op === 'const' && v.expr.value === 0n);
    if (instruction.predicate === 'eq' || instruction.predicate === 'ne') {
      let equal: BoolExpr;
      const lazyNull = nullableEquality(left, right, isNull);
      if (lazyNull) equal = lazyNull;
      else if (isNull(left) && isNull(right)) equal = TRUE;
      else if (isNull(left) || isNull(right)) equal = FALSE;
      else if (left.kind === 'pointer' && right.kind === 'pointer') {
        // Distinct objects are equal only when both are lazily created pointers that are both NULL (no aliasing).
        equal = left.object === right.object ? compare('eq', left.offset, right.offset) : and([left.nullable ?? FALSE, right.nullable ?? FALSE]);
      }
      else throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'comparing a pointer with an integer', range: instruction.range });
      return instruction.predicate === 'eq' ? equal : not(equal);
    }
    if (left.kind === 'pointer' && right.kind === 'pointer' && left.object === right.object) {
      return predicateExpr(instruction.predicate.replace(/^s/, 'u') as typeof instruction.predicate, left.offset, right.offset);
    }
    throw new PathEnd({ kind: 'error', reason: 'invalid-pointer', message: 'ordering pointers into different objects', range: instruction.range });
  }

  protected async intrinsic(state: State, frame: Frame, instruction: Extract<Instruction, { op: 'call' }>, args: SymbolicValue[]): Promise<boolean> {
    const name = instruction.callee as 'memcpy' | 'memset' | 'memcmp';
    const sizeValue = args[2];
    const size = sizeValue?.kind === 'int' ? sizeValue.expr : undefined;
    if (!size || size.op !== 'const') {
      throw new PathEnd({ kind: 'incomplete', reason: 'symbolic-size', message: `${name} with a size that depends on the input; its cost needs a PCV`, range: instruction.range });
    }
    const n = Number(size.value);
    const first = await this.accessRange(state, frame, instruction.args[0]!, n, instruction.range);
    if (first === 'forked') return true;
    const second = name === 'memset' ? undefined : await this.accessRange(state, frame, instruction.args[1]!, n, instruction.range);
    if (second === 'forked') return true;
    if (name === 'memcpy') {
      this.recorder?.copiedMemory();
      const bytes: BitVecExpr[] = [];
      for (let i = 0; i < n; i++) bytes.push(select(second!.object.bytes, binary('add', second!.offset, bv(BigInt(i), 64))));
      const movedPointers = [...second!.object.pointers].filter(([at]) => second!.offset.op === 'const' && at >= Number(second!.offset.value) && at + 8 <= Number(second!.offset.value) + n);
      this.dropPointers(first.object, first.offset, n);
      for (let i = 0; i < n; i++) first.object.bytes = store(first.object.bytes, binary('add', first.offset, bv(BigInt(i), 64)), bytes[i]!);
      if (first.offset.op === 'const' && second!.offset.op === 'const') {
        for (const [at, value] of movedPointers) first.object.pointers.set(Number(first.offset.value) + at - Number(second!.offset.value), value);
      }
      addCost(state.cost, intrinsicCost('memcpy', n));
      if (instruction.dst !== undefined) frame.registers[instruction.dst] = this.value(frame, instruction.args[0]!);
      return false;
    }
    if (name === 'memset') {
      const byte = args[1]?.kind === 'int' ? extract(7, 0, args[1].expr) : bv(0n, 8);
      this.dropPointers(first.object, first.offset, n);
      for (let i = 0; i < n; i++) first.object.bytes = store(first.object.bytes, binary('add', first.offset, bv(BigInt(i), 64)), byte);
      addCost(state.cost, intrinsicCost('memset', n));
      if (instruction.dst !== undefined) frame.registers[instruction.dst] = this.value(frame, instruction.args[0]!);
      return false;
    }
    // memcmp costs a comparison of all n bytes (see intrinsicCost), so it does not fork: its
    // result is the difference at the first differing byte, as one expression.
    let result: BitVecExpr = bv(0n, 32);
    for (let i = n - 1; i >= 0; i--) {
      const a = select(first.object.bytes, binary('add', first.offset, bv(BigInt(i), 64)));
      const b = select(second!.object.bytes, binary('add', second!.offset, bv(BigInt(i), 64)));
      result = ite(compare('eq', a, b), result, binary('sub', zeroExtend(a, 32), zeroExtend(b, 32)));
    }
    addCost(state.cost, intrinsicCost('memcmp', n));
    if (instruction.dst !== undefined) frame.registers[instruction.dst] = { kind: 'int', expr: result };
    return false;
  }

  private async terminate(state: State, frame: Frame, terminator: Terminator): Promise<State[] | 'continue'> {
    switch (terminator.op) {
      case 'jump':
        addCost(state.cost, terminatorCost(terminator));
        this.goTo(frame, terminator.target);
        return 'continue';
      case 'branch': {
        const bit = this.value(frame, terminator.condition);
        const condition = bit.kind === 'int' ? compare('eq', bit.expr.width === 1 ? bit.expr : extract(0, 0, bit.expr), bv(1n, 1)) : bit.kind === 'pointer' ? TRUE : FALSE;
        addCost(state.cost, terminatorCost(terminator));
        if (terminator.assumption !== undefined) this.assumptions.set(`${terminator.assumption} (${rangeText(terminator.range)})`, { text: terminator.assumption, range: terminator.range });
        // A packet bounds check (`eth + 1 > data_end`) reads as the condition on the length it is.
        const text = lengthConditionText(condition) ?? terminator.text;
        return this.branchTo(state, frame, [
          { condition, target: terminator.whenTrue, decision: { text, taken: true } },
          { condition: not(condition), target: terminator.whenFalse, decision: { text, taken: false } },
        ], terminator);
      }
      case 'switch': {
        const value = this.intValue(frame, terminator.value, terminator.width, terminator);
        addCost(state.cost, terminatorCost(terminator));
        const targets = terminator.cases.map((c) => ({
          condition: compare('eq', value, bv(c.value, terminator.width)),
          target: c.target,
          decision: { text: terminator.text, taken: true, caseLabel: String(BigInt.asIntN(terminator.width, c.value)) },
        }));
        targets.push({
          condition: and(terminator.cases.map((c) => not(compare('eq', value, bv(c.value, terminator.width))))),
          target: terminator.defaultTarget,
          decision: { text: terminator.text, taken: true, caseLabel: 'default' },
        });
        return this.branchTo(state, frame, targets, terminator);
      }
      case 'return': {
        addCost(state.cost, terminatorCost(terminator));
        const value = terminator.value ? this.value(frame, terminator.value) : undefined;
        state.frames.pop();
        const caller = state.frames[state.frames.length - 1];
        if (!caller) {
          this.finish(state, { kind: 'return' }, value);
          return [];
        }
        state.trace.exit();
        if (frame.returnTo !== undefined) caller.registers[frame.returnTo] = value ?? { kind: 'int', expr: bv(0n, 32) };
        return 'continue';
      }
      case 'unreachable':
        // A path on which an `assume` annotation is false is outside the contract: no class.
        if (terminator.failure === 'assumption-violated') return [];
        if (terminator.failure) {
          throw new PathEnd({ kind: ERROR_REASONS.has(terminator.failure) ? 'error' : 'incomplete', reason: terminator.failure, message: terminator.reason, range: terminator.range });
        }
        throw new PathEnd({ kind: 'error', reason: 'missing-return', message: terminator.reason, range: terminator.range });
    }
  }

  private goTo(frame: Frame, target: number): void {
    // Entering a loop from outside starts a new count of its iterations.
    if (frame.fn.blocks[target]!.loopHeader !== undefined && !loopBody(frame.fn, target).has(frame.block)) frame.loopVisits.delete(target);
    frame.block = target;
    frame.index = 0;
  }

  /** Follows every feasible target; the one the model takes needs no solver call. */
  private async branchTo(
    state: State, frame: Frame,
    targets: { condition: BoolExpr; target: number; decision: { text: string; taken: boolean; caseLabel?: string } }[],
    terminator: Terminator,
  ): Promise<State[] | 'continue'> {
    const concrete = targets.find((t) => t.condition.op === 'true');
    if (concrete) {
      state.trace.decide(frame.fn.name, frame.block, concrete.target);
      this.goTo(frame, concrete.target);
      return 'continue';
    }
    const live = targets.filter((t) => t.condition.op !== 'false');
    const modelIndex = live.findIndex((t) => state.evaluator.boolean(t.condition));
    const feasible: { index: number; model: Model }[] = [];
    for (let i = 0; i < live.length; i++) {
      if (i === modelIndex) { feasible.push({ index: i, model: state.model }); continue; }
      const answer = await this.feasible(state, live[i]!.condition);
      if (answer.result === 'unknown') this.stop('solver-unknown', `the solver could not decide '${terminator.op === 'branch' || terminator.op === 'switch' ? terminator.text : ''}' (${rangeText(terminator.range)})`);
      if (answer.result === 'sat') feasible.push({ index: i, model: answer.model! });
    }
    // Symbolic loop exits count against the unroll limit.
    const block = frame.fn.blocks[frame.block]!;
    if (feasible.length > 1 && block.loopHeader !== undefined && !this.options.summarizeLoops && !this.runsInFull(frame, block)) {
      const visits = frame.loopVisits.get(block.id) ?? 0;
      if (visits > this.options.unrollLimit) {
        const loop = frame.fn.loops[block.loopHeader]!;
        throw new PathEnd({ kind: 'incomplete', reason: 'needs-pcv', message: `loop at line ${loop.range.startLine + 1} of ${frame.fn.name} has an input-dependent trip count above the unroll limit (${this.options.unrollLimit})`, range: loop.range });
      }
    }
    const successors: State[] = [];
    const otherLabels = targets.filter((t) => t.decision.caseLabel && t.decision.caseLabel !== 'default').map((t) => t.decision.caseLabel!);
    const point = this.forkCounter++;
    for (const { index, model } of feasible) {
      const t = live[index]!;
      const successor = feasible.length === 1 ? state : this.fork(state);
      if (feasible.length > 1) {
        this.addConstraint(successor, t.condition, model);
        // An assumption constrains the path but is not a decision of the code; a fork inside a
        // short-circuit assumption (`p == 0 || p->len < 64`) that both continue is one, in its words.
        if (!violatesAssumption(frame.fn, terminator)) successor.decisions.push({
          ...t.decision, otherLabels: t.decision.caseLabel === 'default' ? otherLabels : undefined, range: terminator.range, functionName: frame.fn.name, inputs: [...symbolsOf(t.condition)],
          loops: decisionLoops(state.frames),
          ...(this.recorder ? { condition: t.condition, fork: { point, branch: index } } : {}),
        });
      }
      successor.trace.decide(frame.fn.name, frame.block, t.target);
      const successorFrame = successor.frames[successor.frames.length - 1]!;
      this.goTo(successorFrame, t.target);
      successors.push(successor);
    }
    if (successors.length === 1) return 'continue';
    return successors;
  }

  // Defined by the layers above.
  protected abstract runsInFull(frame: Frame, header: BasicBlock): boolean;
  protected abstract visitLoopHeader(frame: Frame, block: BasicBlock): 'summarize' | 'continue';
  protected abstract completeConcretely(state: State, frame: Frame, header: BasicBlock): Promise<State | 'finished' | undefined>;
  protected abstract summarizeLoop(state: State, frame: Frame, header: BasicBlock): Promise<State[]>;
  protected abstract call(state: State, frame: Frame, instruction: Extract<Instruction, { op: 'call' }>): Promise<'next' | 'called' | 'forked'>;
}

/** Whether a branch of an `assume` annotation has the annotation's violation (a dropped path) as a target. */
function violatesAssumption(fn: IrFunction, terminator: Terminator): boolean {
  if (terminator.op !== 'branch' || terminator.assumption === undefined) return false;
  return [terminator.whenTrue, terminator.whenFalse].some((b) => {
    const t = fn.blocks[b]!.terminator;
    return t.op === 'unreachable' && t.failure === 'assumption-violated';
  });
}

function predicateExpr(predicate: Extract<Instruction, { op: 'compare' }>['predicate'], a: BitVecExpr, b: BitVecExpr): BoolExpr {
  switch (predicate) {
    case 'eq': return compare('eq', a, b);
    case 'ne': return not(compare('eq', a, b));
    case 'ult': return compare('ult', a, b);
    case 'ule': return compare('ule', a, b);
    case 'ugt': return compare('ult', b, a);
    case 'uge': return compare('ule', b, a);
    case 'slt': return compare('slt', a, b);
    case 'sle': return compare('sle', a, b);
    case 'sgt': return compare('slt', b, a);
    case 'sge': return compare('sle', b, a);
  }
}

/** A boolean as a 1-bit vector (interned, and folded back when compared with 1). */
function boolToBit(b: BoolExpr): BitVecExpr {
  return ite(b, bv(1n, 1), bv(0n, 1));
}
