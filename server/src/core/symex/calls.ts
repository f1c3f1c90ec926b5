// Calls: entering a callee's body, calls with a declared contract (one successor per feasible
// case, with its cost and PCVs), and unmodelled calls. Calls answered by a summary are the layer above.
import type { Instruction, IrFunction } from '../ir/ir';
import { addCost, instructionCost, zeroCost } from '../cost/costModel';
import { INTRINSICS } from '../syntax/builtinHeaders';
import { BitVecExpr, BoolExpr, FALSE, TRUE, and, bv, compare, not, or, symbol, zeroExtend } from '../term/expr';
import { DeclaredCase, DeclaredContract, IntegerOrRange, caseCost, contractForDiscardedResult, nameCasePcvs } from '../declared/declaredContracts';
import { decisionLoops } from './decisionLoops';
import { SymbolicValue, SummarizedLoopPcv, widenBound, Frame, State, ConcreteRunAbandoned, PathEnd, rangeText } from './state';
import { LoopSummariser } from './loopSummaries';

export abstract class CallExecutor extends LoopSummariser {
  protected async call(state: State, frame: Frame, instruction: Extract<Instruction, { op: 'call' }>): Promise<'next' | 'called' | 'forked'> {
    const callee = this.options.preferDeclaredContracts && !instruction.returnsPointer && this.options.declaredContracts?.has(instruction.callee)
      ? undefined : this.program.functions.get(instruction.callee);
    const args = instruction.args.map((a) => this.value(frame, a));
    if (callee) {
      if (state.frames.some((f) => f.fn.name === callee.name)) {
        throw new PathEnd({ kind: 'incomplete', reason: 'recursion', message: `recursive call to '${callee.name}' is not analysed`, range: instruction.range });
      }
      if (this.options.compositional && this.summaries) {
        const summarised = await this.callViaSummary(state, instruction, callee, args);
        if (summarised) return summarised;
      }
      addCost(state.cost, instructionCost(instruction));
      const registers: (SymbolicValue | undefined)[] = new Array(callee.registerCount);
      callee.params.forEach((param, index) => {
        const arg = args[index];
        if (arg && arg.kind === 'int' && param.type.kind === 'int') registers[param.register] = { kind: 'int', expr: zeroExtend(arg.expr, param.type.width) };
        else registers[param.register] = arg;
      });
      frame.index++; // resume after the call
      state.trace.enter(callee.name);
      state.frames.push(this.newFrame(state, callee, registers, instruction.dst));
      return 'called';
    }
    if (INTRINSICS.has(instruction.callee)) {
      const forked = await this.intrinsic(state, frame, instruction, args);
      if (forked) return 'forked';
      addCost(state.cost, instructionCost(instruction));
      return 'next';
    }
    const found = this.options.declaredContracts?.get(instruction.callee);
    const declared = found && instruction.dst === undefined ? contractForDiscardedResult(found) : found;
    // Out-parameters a declared contract writes must be valid before the call counts (an access may fork).
    const outputs = new Map<number, { object: string; offset: BitVecExpr }>();
    if (declared) {
      for (const write of declared.cases.flatMap((c) => c.writes)) {
        if (outputs.has(write.argIndex)) continue;
        const operand = instruction.args[write.argIndex];
        if (!operand) throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: `'${instruction.callee}' is called without its out-parameter '${write.param}'`, range: instruction.range });
        const access = await this.access(state, frame, operand, write.width / 8, instruction.range);
        if (access === 'forked') return 'forked';
        outputs.set(write.argIndex, { object: access.object.name, offset: access.offset });
      }
    }
    const count = (state.externalCounts.get(instruction.callee) ?? 0) + 1;
    state.externalCounts.set(instruction.callee, count);
    const key = `${instruction.callee}#${count}`;
    if (declared) return this.declaredCall(state, frame, instruction, declared, key, outputs);
    // A call without a body or contract: its result is unknown and its cost is not counted.
    state.externalCalls.push({ callee: instruction.callee, key, width: instruction.returnsPointer ? 0 : instruction.returnWidth, range: instruction.range, declared: false });
    if (instruction.returnsPointer || args.some((a) => a.kind === 'pointer')) {
      this.recorder?.unsupported(`it calls '${instruction.callee}', which has no body or contract, with or for pointers, which a summary cannot express`, instruction.range);
    }
    if (instruction.clobbersMemory) {
      this.recorder?.unsupported(`its assembly at line ${instruction.range.startLine + 1} may write any memory (a "memory" clobber), which a summary cannot express`, instruction.range);
    }
    this.forgetReachable(state, key, args, instruction.clobbersMemory);
    if (instruction.dst !== undefined) {
      // A pointer result is NULL or a fresh object (lazy initialisation), an integer one unconstrained.
      frame.registers[instruction.dst] = instruction.returnsPointer ? this.createLazy(state, { kind: 'result', key }, instruction.pointee)
        : instruction.returnWidth === 0 ? { kind: 'int', expr: bv(0n, 32) }
        : { kind: 'int', expr: symbol(`ext:${key}`, instruction.returnWidth) };
    }
    addCost(state.cost, instructionCost(instruction));
    return 'next';
  }

  /**
   * A call with a declared contract: one successor per feasible case (the first case whose return
   * condition holds, as in the interpreter), each with the case's cost and PCVs named for this call.
   */
  private async declaredCall(
    state: State, frame: Frame, instruction: Extract<Instruction, { op: 'call' }>, contract: DeclaredContract, key: string,
    outputs: Map<number, { object: string; offset: BitVecExpr }>,
  ): Promise<'next' | 'forked'> {
    const width = instruction.returnWidth || 32;
    const result = symbol(`ext:${key}`, width);
    // A pointer result is NULL or a fresh object, as for a call without a contract; its cases read
    // it as 0 when NULL and 1 otherwise (`returns: 0` is the NULL case).
    if (instruction.returnsPointer) this.recorder?.unsupported(`it calls '${contract.name}', whose declared contract returns a pointer, which a summary cannot express`, instruction.range);
    const pointer = instruction.returnsPointer ? this.createLazy(state, { kind: 'result', key }, instruction.pointee) : undefined;
    const isNull = pointer?.kind === 'pointer' ? pointer.nullable ?? FALSE : FALSE;
    const pointerCondition = (c: DeclaredCase) => or([c.returns === undefined || rangeHolds(c.returns, 0) ? isNull : FALSE, c.returns === undefined || rangeHolds(c.returns, 1) ? not(isNull) : FALSE]);
    // A case holds when its return condition does; its writes are fresh values in their ranges.
    const matches = contract.cases.map((c) => (pointer ? pointerCondition(c) : returnCondition(c, result, width)));
    const writeRanges = contract.cases.map((c) => and(c.writes.map((w) => rangeCondition(w.value, symbol(`ext:${key}.${w.param}`, w.width), w.width, w.signed))));
    const successors: State[] = [];
    for (let i = 0; i < contract.cases.length; i++) {
      const condition = and([matches[i]!, ...matches.slice(0, i).map((m) => not(m))]);
      const answer = await this.feasible(state, condition);
      if (answer.result === 'unknown') this.stop('solver-unknown', `the solver could not decide case '${contract.cases[i]!.name}' of '${contract.name}' (${rangeText(instruction.range)})`);
      if (answer.result !== 'sat') continue;
      const successor = this.fork(state);
      this.addConstraint(successor, condition, answer.model!);
      const c = contract.cases[i]!;
      if (c.writes.length > 0) {
        // The written values are fresh symbols, independent of everything before, so the model extends.
        const ranges = writeRanges[i]!;
        const extended = await this.feasible(successor, ranges);
        if (extended.result !== 'sat') this.stop('solver-unknown', `the solver could not decide the out-parameters of case '${c.name}' of '${contract.name}' (${rangeText(instruction.range)})`);
        else this.addConstraint(successor, ranges, extended.model!);
        for (const write of c.writes) {
          const target = outputs.get(write.argIndex)!;
          const object = successor.memory.get(target.object)!;
          this.dropPointers(object, target.offset, write.width / 8);
          this.writeBytes(object, target.offset, symbol(`ext:${key}.${write.param}`, write.width), write.width / 8);
        }
      }
      // Inside a summarised loop, the PCVs of the call are totals named after the innermost loop
      // (`t@e`): each is the sum over the loop's iterations, so the loop's PCV does not multiply
      // its terms. A loop run concretely would charge the case once per iteration: it is summarised instead.
      if (Object.keys(c.pcvs).length > 0 && successor.concreteRun) throw new ConcreteRunAbandoned();
      const loop = successor.boundaries[successor.boundaries.length - 1]?.pcv;
      const renamed = nameCasePcvs(c, successor.pcvInstances, loop);
      if (loop !== undefined) for (const name of renamed.values()) this.noteDeclaredTotal(name);
      if (this.recorder) successor.pcvEvents = [...(successor.pcvEvents ?? []), ...[...renamed.values()].map((pcv) => ({ pcv }))];
      for (const [pcv, name] of renamed) {
        this.noteDeclaredPcv({
          name, description: `${c.pcvs[pcv]} (in ${contract.name}, declared in ${contract.source.split('/').pop()})`,
          origin: { file: instruction.range.file, line: instruction.range.startLine + 1 }, functionName: contract.name, header: -1,
          bound: c.bounds[pcv], boundSource: c.bounds[pcv] !== undefined ? 'annotation' : undefined,
        });
      }
      const cost = caseCost(c, (pcv) => renamed.get(pcv) ?? pcv);
      addCost(successor.cost, cost.constant);
      addCost(successor.cost, instructionCost(instruction));
      for (const [term, coefficient] of cost.terms) {
        const current = successor.terms.get(term) ?? zeroCost();
        addCost(current, coefficient);
        successor.terms.set(term, current);
      }
      successor.externalCalls.push({ callee: instruction.callee, key, width: instruction.returnWidth, range: instruction.range, declared: true, writes: c.writes.map((w) => ({ param: w.param, width: w.width })) });
      successor.trace.declaredCase(contract.name, i);
      if (contract.cases.length > 1) successor.decisions.push({ text: `${contract.name}(): ${c.name}`, taken: true, range: instruction.range, functionName: frame.fn.name, inputs: [], loops: decisionLoops(successor.frames) });
      const successorFrame = successor.frames[successor.frames.length - 1]!;
      if (instruction.dst !== undefined) successorFrame.registers[instruction.dst] = pointer ?? (instruction.returnWidth === 0 ? { kind: 'int', expr: bv(0n, 32) } : { kind: 'int', expr: result });
      successorFrame.index++;
      successors.push(successor);
    }
    if (successors.length === 0) throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message: `no case of the declared contract of '${contract.name}' can hold here`, range: instruction.range });
    this.pendingForks.push(...successors);
    return 'forked';
  }

  // ----- compositional summaries -----

  protected inlined(callee: string, reason: string): undefined {
    if (!this.summaryUse.inlined.some((i) => i.callee === callee && i.reason === reason)) this.summaryUse.inlined.push({ callee, reason });
    return undefined;
  }

  /**
   * Registers a declared call's PCV, or merges it into the record of that name. Names follow the
   * order of calls on each path: on another path the same name can be another callee's PCV. Its
   * bound is then the larger one, and the description says so (`otherCallees`). Inline calls and
   * instantiated summaries both register through here, so they give the same records.
   */
  protected noteDeclaredPcv(record: SummarizedLoopPcv): void {
    const known = this.pcvs.get(record.name);
    if (!known) {
      this.pcvs.set(record.name, record);
      return;
    }
    if (known.header !== -1) return;
    for (const callee of [record.functionName, ...(record.otherCallees ?? [])]) {
      if (known.functionName !== callee && !(known.otherCallees ?? []).includes(callee)) known.otherCallees = [...(known.otherCallees ?? []), callee];
    }
    widenBound(known, record.bound);
  }

  // Defined by the layers above.
  protected abstract callViaSummary(
    state: State, instruction: Extract<Instruction, { op: 'call' }>, callee: IrFunction, args: SymbolicValue[],
  ): Promise<'forked' | undefined>;
}

/** The condition a declared case puts on the return value (signed comparisons, as contracts are written for C ints). */
function returnCondition(c: DeclaredCase, result: BitVecExpr, width: number): BoolExpr {
  if (c.returns === undefined) return TRUE;
  return rangeCondition(c.returns, result, width, true);
}

/** Whether a declared constant or range holds `value`. */
function rangeHolds(range: IntegerOrRange, value: number): boolean {
  return typeof range === 'number' ? range === value : range.min <= value && value <= range.max;
}

/** `value` lies in the declared constant or range (numbers as two's complement when `signed`). */
function rangeCondition(range: IntegerOrRange, value: BitVecExpr, width: number, signed: boolean): BoolExpr {
  const constant = (n: number): BitVecExpr => bv(BigInt.asUintN(width, BigInt(n)), width);
  if (typeof range === 'number') return compare('eq', value, constant(range));
  const le = signed ? 'sle' : 'ule';
  return and([compare(le, constant(range.min), value), compare(le, value, constant(range.max))]);
}
