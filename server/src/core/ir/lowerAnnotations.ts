// The `/*@ ... */` annotations in a function: `count` marks, `assume` preconditions (branches whose
// false side ends the path as assumption-violated) and loop `bound`s.
import type { Node } from 'web-tree-sitter';
import type { Operand, SourceRange } from './ir';
import { COMMAND_LINE } from './ir';
import { CallLowering } from './lowerCalls';

export abstract class AnnotationLowering extends CallLowering {
  /** `/*@ count NAME "description" *\/`: marks where the next statement's code starts. */
  protected noteCountMark(comment: Node): void {
    const match = /^\/\*@\s*count\s+([A-Za-z_]\w*)(?:\s+"([^"]*)")?\s*\*\/$/.exec(comment.text);
    if (!match) return;
    if (match[1] === 'min' || match[1] === 'max') throw this.failure('unsupported', `'${match[1]}' cannot name a PCV`, comment);
    const place = this.rangeOf(comment);
    this.countMarks.push({
      name: match[1]!, description: match[2] ?? `iterations that reach line ${place.endLine + 2} of ${this.name}`,
      block: this.current.id, index: this.current.instructions.length, line: place.startLine,
    });
  }

  /**
   * `/*@ assume EXPR *\/`: from here on, paths on which the C expression EXPR is false are not part
   * of the contract (a precondition the code cannot check, such as a port number below
   * RTE_MAX_ETHPORTS). Lowered as branches marked `assumption`: they cost nothing and decide no
   * class, and their false side ends its path as `assumption-violated`, which the executor drops.
   */
  protected noteAssumption(comment: Node): void {
    const match = /^(?:\/\*@\s*assume\s+([\s\S]*?)\s*\*\/|\/\/@\s*assume\s+(.*?)\s*)$/.exec(comment.text);
    if (match) this.lowerAssumption((match[1] ?? match[2] ?? '').replace(/\s+/g, ' '), this.rangeOf(comment), comment);
  }

  protected lowerAssumption(text: string, range: SourceRange, node: Node): void {
    const expression = text ? this.unit.parseExpressionSnippet(text) : undefined;
    this.assuming = { text, range };
    try {
      if (!expression) throw this.failure('unsupported', `the assumption '${text}' is not a C expression`, node);
      if (hasSideEffects(expression)) throw this.failure('unsupported', `the assumption '${text}' has side effects (assignments, increments or calls)`, node);
      const holds = this.newBlock();
      const violated = this.newBlock();
      // One branch on the whole condition where its operands need no short-circuit: a fork inside
      // the assumption would split paths on what the code decides later (and leave those decisions
      // out of the class conditions).
      if (straightLineSafe(expression)) {
        this.terminate({ op: 'branch', condition: this.straightLineCondition(expression), whenTrue: holds.id, whenFalse: violated.id, text, range });
      } else {
        this.lowerCondition(expression, holds.id, violated.id);
      }
      this.assuming = undefined;
      this.switchTo(violated);
      const where = range.file === COMMAND_LINE ? '--assume' : `line ${range.startLine + 1}`;
      this.terminate({ op: 'unreachable', reason: `the assumption '${text}' (${where}) does not hold`, failure: 'assumption-violated', range });
      this.switchTo(holds);
    } finally {
      this.assuming = undefined;
    }
  }

  /** A condition of `&&`, `||` and `!` over leaves as one 1-bit value, every operand evaluated. */
  private straightLineCondition(node: Node): Operand {
    if (node.type === 'parenthesized_expression' && node.namedChildren[0]) return this.straightLineCondition(node.namedChildren[0]);
    const operator = node.type === 'binary_expression' ? node.childForFieldName('operator')?.text : node.type === 'unary_expression' ? node.childForFieldName('operator')?.text : undefined;
    if (operator === '&&' || operator === '||') {
      const left = this.straightLineCondition(node.childForFieldName('left')!);
      const right = this.straightLineCondition(node.childForFieldName('right')!);
      const dst = this.newTemporary();
      this.emit({ op: 'binary', dst, operator: operator === '&&' ? 'and' : 'or', left, right, width: 1, range: this.range(node) });
      return { kind: 'reg', id: dst };
    }
    if (operator === '!') {
      const dst = this.newTemporary();
      this.emit({ op: 'binary', dst, operator: 'xor', left: this.straightLineCondition(node.childForFieldName('argument')!), right: { kind: 'imm', value: 1n, width: 1 }, width: 1, range: this.range(node) });
      return { kind: 'reg', id: dst };
    }
    return this.lowerBoolean(node);
  }

  /** `/*@ bound NAME <= EXPR *\/`: EXPR is a constant expression (macros and enums allowed). */
  protected loopBounds(annotations: string[], node: Node): Record<string, number> {
    const bounds: Record<string, number> = {};
    for (const annotation of annotations) {
      const match = /^bound\s+([A-Za-z_][\w@:.']*)\s*<=\s*([\s\S]+)$/.exec(annotation);
      if (!match) continue;
      const expression = this.unit.parseExpressionSnippet(match[2]!.trim());
      const value = expression ? this.unit.tryConstantValue(expression, this.file) : undefined;
      if (value === undefined || value < 0n) throw this.failure('unsupported', `the bound of '${match[1]}' ('${match[2]!.trim()}') is not a non-negative constant`, node);
      bounds[match[1]!] = Number(value);
    }
    return bounds;
  }
}

/**
 * Whether every operand of the condition's `&&` and `||` can be evaluated whatever the others are:
 * the operands after the first read no memory and divide by nothing (`p == 0 || p->len < 64` needs
 * its short circuit).
 */
function straightLineSafe(node: Node): boolean {
  if (node.type === 'parenthesized_expression' && node.namedChildren[0]) return straightLineSafe(node.namedChildren[0]);
  const operator = node.type === 'binary_expression' ? node.childForFieldName('operator')?.text : node.type === 'unary_expression' ? node.childForFieldName('operator')?.text : undefined;
  if (operator === '&&' || operator === '||') return straightLineSafe(node.childForFieldName('left')!) && cannotFault(node.childForFieldName('right')!);
  if (operator === '!') return straightLineSafe(node.childForFieldName('argument')!);
  return true;
}

/** Whether evaluating the expression can neither read memory nor divide (so it cannot end a path). */
function cannotFault(node: Node): boolean {
  if (node.type === 'field_expression' || node.type === 'subscript_expression' || node.type === 'call_expression') return false;
  if (node.type === 'pointer_expression' && node.childForFieldName('operator')?.text === '*') return false;
  if (node.type === 'binary_expression' && ['/', '%'].includes(node.childForFieldName('operator')?.text ?? '')) return false;
  return node.namedChildren.every((child) => !child || cannotFault(child));
}

/** Whether evaluating the expression could change state: an assignment, an increment or a call. */
function hasSideEffects(node: Node): boolean {
  if (node.type === 'assignment_expression' || node.type === 'update_expression' || node.type === 'call_expression') return true;
  return node.namedChildren.some((child) => !!child && hasSideEffects(child));
}
