// A compact identity for an executed path: the hash of every branch and switch decision in order.
import { createHash, Hash } from 'crypto';

export class PathTrace {
  private hash: Hash = createHash('sha1');
  private count = 0;

  /** Records that `functionName`'s block `from` continued to block `to`. */
  decide(functionName: string, from: number, to: number): void {
    this.hash.update(`${functionName}:${from}>${to};`);
    this.count++;
  }

  /**
   * Records that a call to `callee` took case `caseIndex` of its declared contract. The call's
   * number is deliberately not part of it: the order of the decisions already tells the calls
   * apart, and a summarised loop keeps only its last iteration's decisions, so a number would make
   * the identity depend on how many iterations ran before (the analysis explores one representative
   * iteration, a concrete run counts every call).
   */
  declaredCase(callee: string, caseIndex: number): void {
    this.decide(`contract:${callee}`, 0, caseIndex);
  }

  /** Call markers keep paths through different callees apart. */
  enter(functionName: string): void {
    this.hash.update(`(${functionName};`);
  }

  exit(): void {
    this.hash.update(');');
  }

  get decisions(): number {
    return this.count;
  }

  clone(): PathTrace {
    const copy = new PathTrace();
    copy.hash = this.hash.copy();
    copy.count = this.count;
    return copy;
  }

  digest(): string {
    return this.hash.copy().digest('hex').slice(0, 16);
  }
}
