// Loop counting as the analysis summarises loops: iterations past the unroll limit counted in PCVs
// (by count marks, totals, per observed call), and the trace held back while a loop is summarised.
import type { BasicBlock } from '../../ir/ir';
import { countMarks, loopBody, loopMarkNames, loopPcv, pcvInstanceName } from '../../ir/loops';
import { runsInFull } from '../../ir/fullUnroll';
import { MachineMemory } from './memory';
import type { Frame, LoopState } from './types';

export class LoopCounter extends MachineMemory {
  /** The PCV of the innermost loop on the call stack that is in its summarised iterations (or the pass that leaves them). */
  protected innermostSummarisedLoop(): string | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const loops = [...this.stack[i]!.loops.values()];
      for (let j = loops.length - 1; j >= 0; j--) if (loops[j]!.pcv !== undefined) return loops[j]!.pcv;
    }
    return undefined;
  }

  /** A summarised iteration that reaches a count mark is counted by the mark's PCV (as in the analysis). */
  protected noteMark(frame: Frame): void {
    const mark = countMarks(frame.fn).get(frame.block.id)?.get(frame.index);
    if (!mark) return;
    const state = frame.loops.get(mark.header);
    if (state?.pcv !== undefined) state.marked = mark.name;
  }

  /** Counts loop iterations the way the analysis summarises them (see InterpretOptions.summarizeAfter). */
  protected trackLoops(frame: Frame, from: number, to: BasicBlock): void {
    const limit = frame.summarizeAfter!;
    // Leaving loops: innermost first, which is the reverse of entry order.
    for (const [header, state] of [...frame.loops].reverse()) {
      const body = loopBody(frame.fn, header);
      if (body.has(from) && !body.has(to.id)) this.leaveLoop(frame, header, state);
    }
    if (to.loopHeader === undefined) return;
    let state = frame.loops.get(to.id);
    if (!state || !loopBody(frame.fn, to.id).has(from)) {
      if (state) this.leaveLoop(frame, to.id, state);
      state = { visits: 0 };
      frame.loops.set(to.id, state);
    }
    state.visits++;
    if (state.visits === limit + 1 && !runsInFull(this.program, frame.fn, to.id, frame.fullUnrollLimit)) {
      const { name: base, total } = loopPcv(frame.fn, frame.fn.loops[to.loopHeader]!);
      const instance = this.pcvInstances.get(base) ?? 0;
      this.pcvInstances.set(base, instance + 1);
      state.pcv = pcvInstanceName(base, instance);
      state.total = total;
      state.start = total ? this.pcv[state.pcv] ?? 0 : 0;
      state.marks = new Map();
      state.plainCount = 0;
      for (const name of loopMarkNames(frame.fn, to.id)) {
        const markInstance = this.pcvInstances.get(name) ?? 0;
        this.pcvInstances.set(name, markInstance + 1);
        const markPcv = pcvInstanceName(name, markInstance);
        state.marks.set(name, { pcv: markPcv, count: 0, start: total ? this.pcv[markPcv] ?? 0 : 0 });
        this.pcv[markPcv] = Math.max(this.pcv[markPcv] ?? 0, 0);
        this.countObserved(markPcv, total, 0);
      }
      state.instancesAtStart = new Map(this.pcvInstances);
      // The analysis explores one representative iteration, so loops nested in it have one PCV each,
      // standing for their largest count over all iterations.
      this.pcv[state.pcv] = Math.max(this.pcv[state.pcv] ?? 0, 0);
      this.countObserved(state.pcv, total, 0);
      this.trace.open();
    } else if (state.pcv !== undefined) {
      // One more summarised iteration done: counted by the mark it reached, else by the loop's PCV.
      const mark = state.marked === undefined ? undefined : state.marks!.get(state.marked);
      if (mark) {
        mark.count++;
        this.countIterations(state, mark.pcv, mark.start, mark.count);
      } else {
        state.plainCount = (state.plainCount ?? 0) + 1;
      }
      state.marked = undefined;
      this.countIterations(state, state.pcv, state.start ?? 0, state.plainCount ?? 0);
      this.pcvInstances = new Map(state.instancesAtStart);
      this.trace.restartIteration();
    }
  }

  /** A PCV after `count` iterations of this entry: a total loop's adds them to the earlier entries', others keep the largest. */
  private countIterations(state: LoopState, pcv: string, start: number, count: number): void {
    this.pcv[pcv] = state.total ? start + count : Math.max(this.pcv[pcv] ?? 0, count);
    this.countObserved(pcv, state.total === true, count);
  }

  /** A loop PCV's count in every observed call in progress (see Frame.observation). */
  private countObserved(pcv: string, total: boolean, count: number): void {
    for (const frame of this.stack) {
      const observation = frame.observation;
      if (!observation) continue;
      observation.counts[pcv] = total ? (this.pcv[pcv] ?? 0) - (observation.pcvBefore[pcv] ?? 0) : Math.max(observation.counts[pcv] ?? 0, count);
    }
  }

  private leaveLoop(frame: Frame, header: number, state: LoopState): void {
    if (state.pcv !== undefined) this.trace.close();
    frame.loops.delete(header);
  }

  /** A return leaves every loop of the returning activation. */
  protected leaveAllLoops(frame: Frame): void {
    for (const [header, state] of [...frame.loops].reverse()) this.leaveLoop(frame, header, state);
  }
}
