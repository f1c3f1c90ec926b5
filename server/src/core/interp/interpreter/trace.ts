// The run's path identity: a PathTrace that holds back each summarised loop iteration's decisions, so
// that only a loop's last iteration shapes the path, as in the analysis.
import { PathTrace } from '../../ir/pathTrace';

/**
 * A PathTrace that can hold back the decisions of a summarised loop's iterations: each iteration's
 * decisions are dropped when the next begins, and the last one's are kept when the loop is left.
 */
export class CollapsingTrace {
  private readonly base = new PathTrace();
  private readonly buffers: ((t: PathTrace) => void)[][] = [];

  decide(functionName: string, from: number, to: number): void {
    this.record((t) => t.decide(functionName, from, to));
  }

  declaredCase(callee: string, caseIndex: number): void {
    this.record((t) => t.declaredCase(callee, caseIndex));
  }

  enter(functionName: string): void {
    this.record((t) => t.enter(functionName));
  }

  exit(): void {
    this.record((t) => t.exit());
  }

  open(): void {
    this.buffers.push([]);
  }

  restartIteration(): void {
    const top = this.buffers[this.buffers.length - 1];
    if (top) top.length = 0;
  }

  close(): void {
    const operations = this.buffers.pop() ?? [];
    for (const operation of operations) this.record(operation);
  }

  digest(): string {
    while (this.buffers.length > 0) this.close();
    return this.base.digest();
  }

  private record(operation: (t: PathTrace) => void): void {
    const top = this.buffers[this.buffers.length - 1];
    if (top) top.push(operation);
    else operation(this.base);
  }
}
