// Recording a function's summary (summaries.ts): the exploration tells the recorder what happens
// on its paths (a path ended, an object was read or copied, a loop was summarised, run on
// concretely or asked a question it could not answer concretely), and the recorder ends a path
// as unsupported where it does something a summary cannot express. An exploration of an entry
// has no recorder; a child explorer recording a callee's summary has one (executor.ts `record`).
import type { SourceRange } from '../ir/ir';
import type { BoolExpr } from '../term/expr';
import type { SummaryLoop } from './summaries';
import { PathEnd, PathOutcome, State, SymbolicValue } from './state';

export class SummaryRecorder {
  /** The callee's finished paths: a summary leaf each. */
  readonly leaves: { state: State; outcome: PathOutcome; returnValue: SymbolicValue | undefined }[] = [];
  /** The loops summarised on its paths, by id (`SummaryLoop.id`). */
  readonly loops = new Map<number, SummaryLoop>();
  /** The objects its paths read or wrote. */
  readonly touched = new Set<string>();
  /** See `FunctionSummary.copiesMemory`. */
  copiesMemory = false;
  /** See `FunctionSummary.concreteQuestions`. */
  readonly concreteQuestions: BoolExpr[] = [];
  /** See `FunctionSummary.concreteLoops`. */
  concreteLoops = 0;
  /** See `FunctionSummary.pastUnroll`. */
  pastUnroll = false;

  pathEnded(state: State, outcome: PathOutcome, returnValue: SymbolicValue | undefined): void {
    this.leaves.push({ state, outcome, returnValue });
  }

  accessed(object: string): void {
    this.touched.add(object);
  }

  copiedMemory(): void {
    this.copiesMemory = true;
  }

  /** A loop went past its unroll limit (to be summarised, or run on concretely). */
  loopPastUnroll(): void {
    this.pastUnroll = true;
  }

  /** Loops that ran to their end concretely (a callee's, counted in its summary, too). */
  ranConcretely(loops = 1): void {
    this.concreteLoops += loops;
  }

  /** Questions that stopped a concrete loop run: a call site whose values answer one inlines the callee. */
  askedConcretely(...conditions: BoolExpr[]): void {
    this.concreteQuestions.push(...conditions);
  }

  /** Keeps a summarised loop (with the next id), whose PCV each call site settles. */
  recordLoop(loop: Omit<SummaryLoop, 'id'>): SummaryLoop {
    const recorded: SummaryLoop = { ...loop, id: this.loops.size };
    this.loops.set(recorded.id, recorded);
    return recorded;
  }

  /** Ends the path: it does what a summary cannot express (the callee is then inlined, with this reason). */
  unsupported(message: string, range?: SourceRange): never {
    throw new PathEnd({ kind: 'incomplete', reason: 'unsupported', message, ...(range ? { range } : {}) });
  }
}
