// Searchers: which pending state the executor runs next. A state is a branch point not yet
// explored; the executor asks its searcher for the next one and hands it the successors of each
// run. Depth-first is the policy every exploration uses today (the main run, a summarised loop's
// iteration, a summary's recording): it finishes paths early and keeps the pending set small.
// Contracts do not depend on the order, but PCV instance numbering and witnesses are compared
// against snapshots taken in depth-first order.

export interface Searcher<S> {
  /** The number of pending states. */
  readonly size: number;
  /** Removes and returns the state to run next, or undefined when none is left. */
  next(): S | undefined;
  /** Adds the successors of the state just run, in the order the program gives them. */
  add(successors: readonly S[]): void;
  /** The pending states, for progress and for the message of an exploration that stops early. */
  pending(): readonly S[];
}

/** Runs the newest state first; among successors, the first (the branch's true side, the first case) first. */
export class DepthFirstSearcher<S> implements Searcher<S> {
  private readonly stack: S[];

  constructor(initial: readonly S[] = []) {
    this.stack = [...initial];
  }

  get size(): number {
    return this.stack.length;
  }

  next(): S | undefined {
    return this.stack.pop();
  }

  add(successors: readonly S[]): void {
    for (let i = successors.length - 1; i >= 0; i--) this.stack.push(successors[i]!);
  }

  pending(): readonly S[] {
    return this.stack;
  }
}
