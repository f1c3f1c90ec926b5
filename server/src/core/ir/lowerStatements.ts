// Statements: blocks, declarations, if, loops, switch, return, break and continue; a statement that
// fails with a deferrable reason ends only the paths that reach it (DEFERRED_LOWERING_FAILURES).
import type { Node } from 'web-tree-sitter';
import { isInteger, promote, sizeOf, typeToString } from '../syntax/cTypes';
import { TranslationUnit, decodeStringLiteral, precedingAnnotations } from '../syntax/translationUnit';
import { AnalysisError, ReasonKind } from '../reasons';
import type { BasicBlock, LoopInfo, SourceRange } from './ir';
import { UNTERMINATED } from './loweringState';
import { AnnotationLowering } from './lowerAnnotations';

/**
 * Failures of one statement that end only the paths reaching it, instead of the whole function: a
 * pointer-to-integer conversion in a trace point after an early `return`, an unsupported construct in
 * a rarely taken branch. Other failures (an undeclared name, a syntax error) still stop the function.
 */
const DEFERRED_LOWERING_FAILURES: ReadonlySet<ReasonKind> = new Set<ReasonKind>(['invalid-pointer', 'unsupported']);

/** Statements whose failure can be deferred: their partial code stays inside the current block chain. */
const DEFERRABLE_STATEMENTS: ReadonlySet<string> = new Set(['expression_statement', 'declaration', 'return_statement']);

interface LoopTargets { breakTarget: number; continueTarget: number | undefined }

export abstract class StatementLowering extends AnnotationLowering {
  private readonly breakStack: LoopTargets[] = [];

  protected override lowerStatement(node: Node): void {
    if (!DEFERRABLE_STATEMENTS.has(node.type)) return this.lowerStatementKind(node);
    // A failure inside a statement expression may leave its scopes and loop targets pushed.
    const scopes = this.scopes.length;
    const breakTargets = this.breakStack.length;
    const firstBlock = this.blocks.length;
    try {
      this.lowerStatementKind(node);
    } catch (caught) {
      if (!(caught instanceof AnalysisError) || !DEFERRED_LOWERING_FAILURES.has(caught.reason)) throw caught;
      this.scopes.length = scopes;
      this.breakStack.length = breakTargets;
      // Blocks the statement had opened and not finished (a loop's exit inside a statement
      // expression) are inside the statement too: their paths end the same way.
      for (const block of this.blocks.slice(firstBlock)) {
        if (block !== this.current && block.terminator.op === 'unreachable' && block.terminator.reason === UNTERMINATED && !block.terminator.failure) {
          block.terminator = { op: 'unreachable', reason: caught.message, failure: caught.reason, range: (caught as AnalysisError & { range?: SourceRange }).range ?? this.range(node) };
        }
      }
      const range = (caught as AnalysisError & { range?: SourceRange }).range ?? this.range(node);
      // A later use of a name this declaration did not declare ends its path for the same reason.
      if (node.type === 'declaration') for (const name of declaredNames(node)) this.deferredDeclarations.set(name, caught);
      (this.context.deferredFailures ??= []).push({ functionName: this.name, reason: caught.reason, message: caught.message, range });
      this.terminate({ op: 'unreachable', reason: caught.message, failure: caught.reason, range });
      this.startDeadBlock();
    }
  }

  private lowerStatementKind(node: Node): void {
    switch (node.type) {
      case 'compound_statement': {
        this.scopes.push(new Map());
        for (const child of node.namedChildren) {
          if (!child) continue;
          if (child.type === 'comment') {
            this.noteCountMark(child);
            this.noteAssumption(child);
          }
          this.lowerStatement(child);
        }
        this.scopes.pop();
        return;
      }
      case 'declaration': return this.lowerDeclaration(node);
      case 'expression_statement': {
        const expression = node.namedChildren[0];
        if (expression) this.lowerExpressionForEffect(expression);
        return;
      }
      case 'if_statement': return this.lowerIf(node);
      case 'while_statement': return this.lowerWhile(node);
      case 'do_statement': return this.lowerDoWhile(node);
      case 'for_statement': return this.lowerFor(node);
      case 'switch_statement': return this.lowerSwitch(node);
      case 'return_statement': return this.lowerReturn(node);
      case 'break_statement': {
        const target = this.breakStack[this.breakStack.length - 1];
        if (!target) throw this.failure('unsupported', "'break' outside a loop or switch", node);
        this.terminate({ op: 'jump', target: target.breakTarget, range: this.range(node) });
        this.startDeadBlock();
        return;
      }
      case 'continue_statement': {
        const target = [...this.breakStack].reverse().find((t) => t.continueTarget !== undefined);
        if (!target) throw this.failure('unsupported', "'continue' outside a loop", node);
        this.terminate({ op: 'jump', target: target.continueTarget!, range: this.range(node) });
        this.startDeadBlock();
        return;
      }
      case 'goto_statement': throw this.unsupported("'goto'", node);
      case 'labeled_statement': throw this.unsupported('a labeled statement (goto target)', node);
      case 'case_statement': throw this.unsupported("a 'case' label outside the top level of a switch body", node);
      case 'enum_specifier':
      case 'struct_specifier':
      case 'union_specifier':
        this.unit.resolveTypeSpecifier(node, this.file); // a local type declaration: its enumerators become known
        return;
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_call':
      case 'comment':
      case 'type_definition':
        return;
      case 'attributed_statement': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'attribute_declaration');
        if (inner) this.lowerStatement(inner);
        return;
      }
      case 'ERROR': throw this.failure('syntax-error', `syntax error near '${node.text.slice(0, 30)}'`, node);
      case ';':
        return;
      default:
        if (node.type.endsWith('_expression') || node.type === 'identifier') {
          this.lowerExpressionForEffect(node);
          return;
        }
        throw this.unsupported(`statement '${node.type}'`, node);
    }
  }

  private lowerDeclaration(node: Node): void {
    const typeNode = node.childForFieldName('type');
    if (!typeNode) return;
    const isStatic = node.children.some((c) => c?.type === 'storage_class_specifier' && c.text === 'static');
    const base = this.unit.resolveTypeSpecifier(typeNode, this.file);
    for (const declarator of node.childrenForFieldName('declarator')) {
      if (!declarator) continue;
      const initializer = declarator.type === 'init_declarator' ? declarator.childForFieldName('value') ?? undefined : undefined;
      const inner = declarator.type === 'init_declarator' ? declarator.childForFieldName('declarator')! : declarator;
      const variableLength = findVariableLengthArray(inner, this.unit, this.file);
      if (variableLength) throw this.unsupported(`variable-length array (size '${variableLength.text}')`, variableLength);
      const resolved = this.unit.resolveDeclarator(inner, base, this.file);
      if (!resolved.name) continue;
      this.requireKnownSize(resolved.type, node);
      let type = resolved.type;
      if (type.kind === 'function') continue; // a local prototype
      if (isStatic) throw this.unsupported(`static local variable '${resolved.name}'`, node);
      if (type.kind === 'array' && type.length === undefined) {
        if (initializer?.type === 'initializer_list') type = { ...type, length: initializer.namedChildren.filter((c) => c && c.type !== 'comment').length };
        else if (initializer?.type === 'string_literal') type = { ...type, length: decodeStringLiteral(initializer.text).length + 1 };
        else throw this.unsupported(`array '${resolved.name}' without a size`, node);
      }
      if (type.kind === 'array' || type.kind === 'record' || this.addressTaken.has(resolved.name)) {
        if (type.kind === 'record' && !type.complete) throw this.failure('unknown-type', `variable '${resolved.name}' has incomplete type ${typeToString(type)}`, node);
        const slot = this.newSlot(resolved.name, sizeOf(type));
        this.scope().set(resolved.name, { kind: 'slot', slot, type });
        if (initializer) {
          const address = this.emitAddressOfSlot(slot, declarator);
          this.lowerInitializer({ kind: 'memory', address, type }, initializer, true);
        }
      } else {
        const register = this.newRegister(resolved.name);
        this.scope().set(resolved.name, { kind: 'register', register, type });
        if (type.kind === 'int' && type.signed) this.signedRegisters.add(register);
        if (initializer) {
          const value = this.lowerRValue(initializer);
          this.assign({ kind: 'register', register, type }, value, initializer);
        }
      }
    }
  }

  private lowerIf(node: Node): void {
    const condition = node.childForFieldName('condition')!;
    const consequence = node.childForFieldName('consequence')!;
    const alternative = node.childForFieldName('alternative');
    const thenBlock = this.newBlock();
    const joinBlock = this.newBlock();
    const elseBlock = alternative ? this.newBlock() : joinBlock;
    this.lowerCondition(condition, thenBlock.id, elseBlock.id);
    this.switchTo(thenBlock);
    this.lowerStatement(consequence);
    this.jumpTo(joinBlock, node);
    if (alternative) {
      this.switchTo(elseBlock);
      const statement = alternative.namedChildren.find((c) => c && c.type !== 'comment');
      if (statement) this.lowerStatement(statement);
      this.jumpTo(joinBlock, node);
    }
    this.switchTo(joinBlock);
  }

  private registerLoop(node: Node, header: BasicBlock, kind: LoopInfo['kind']): void {
    const id = this.loops.length;
    const annotations = precedingAnnotations(node);
    this.loops.push({ id, header: header.id, kind, range: this.rangeOf(node), annotations, bounds: this.loopBounds(annotations, node) });
    header.loopHeader = id;
  }

  private lowerWhile(node: Node): void {
    const header = this.newBlock();
    const body = this.newBlock();
    const exit = this.newBlock();
    this.jumpTo(header, node);
    this.switchTo(header);
    this.registerLoop(node, header, 'while');
    this.lowerCondition(node.childForFieldName('condition')!, body.id, exit.id);
    this.switchTo(body);
    this.breakStack.push({ breakTarget: exit.id, continueTarget: header.id });
    this.lowerStatement(node.childForFieldName('body')!);
    this.breakStack.pop();
    this.jumpTo(header, node);
    this.switchTo(exit);
  }

  private lowerDoWhile(node: Node): void {
    const body = this.newBlock();
    const header = this.newBlock();
    const exit = this.newBlock();
    this.jumpTo(body, node);
    this.switchTo(body);
    this.breakStack.push({ breakTarget: exit.id, continueTarget: header.id });
    this.lowerStatement(node.childForFieldName('body')!);
    this.breakStack.pop();
    this.jumpTo(header, node);
    this.switchTo(header);
    this.registerLoop(node, header, 'do');
    this.lowerCondition(node.childForFieldName('condition')!, body.id, exit.id);
    this.switchTo(exit);
  }

  private lowerFor(node: Node): void {
    this.scopes.push(new Map());
    const initializer = node.childForFieldName('initializer');
    if (initializer) {
      if (initializer.type === 'declaration') this.lowerDeclaration(initializer);
      else this.lowerExpressionForEffect(initializer);
    }
    const header = this.newBlock();
    const body = this.newBlock();
    const latch = this.newBlock();
    const exit = this.newBlock();
    this.jumpTo(header, node);
    this.switchTo(header);
    this.registerLoop(node, header, 'for');
    const condition = node.childForFieldName('condition');
    if (condition) this.lowerCondition(condition, body.id, exit.id);
    else this.jumpTo(body, node);
    this.switchTo(body);
    this.breakStack.push({ breakTarget: exit.id, continueTarget: latch.id });
    this.lowerStatement(node.childForFieldName('body')!);
    this.breakStack.pop();
    this.jumpTo(latch, node);
    this.switchTo(latch);
    const update = node.childForFieldName('update');
    if (update) this.lowerExpressionForEffect(update);
    this.jumpTo(header, node);
    this.switchTo(exit);
    this.scopes.pop();
  }

  private lowerSwitch(node: Node): void {
    const conditionNode = node.childForFieldName('condition')!;
    const inner = conditionNode.type === 'parenthesized_expression' ? conditionNode.namedChildren[0]! : conditionNode;
    const scrutinee = this.lowerRValue(inner);
    if (!isInteger(scrutinee.type)) throw this.unsupported('switch on a non-integer', node);
    const promoted = promote(scrutinee.type);
    const value = this.convert(scrutinee, promoted, inner);
    const width = promoted.size * 8;
    const dispatch = this.current;
    const exit = this.newBlock();
    const body = node.childForFieldName('body')!;
    const cases: { value: bigint; target: number }[] = [];
    let defaultTarget = exit.id;
    this.breakStack.push({ breakTarget: exit.id, continueTarget: undefined });
    this.scopes.push(new Map());
    // The dispatch block is terminated after the case blocks are known.
    (dispatch as BasicBlock & { open?: boolean }).open = false;
    this.current = this.newBlock(); // statements before the first label are unreachable
    for (const item of body.namedChildren) {
      if (!item) continue;
      if (item.type === 'case_statement') {
        const block = this.newBlock();
        this.jumpTo(block, item); // fall-through from the previous case
        this.switchTo(block);
        const valueNode = item.childForFieldName('value');
        if (valueNode) {
          const caseValue = this.constantExpression(valueNode);
          const masked = BigInt.asUintN(width, caseValue);
          if (cases.some((c) => c.value === masked)) throw this.failure('unsupported', `duplicate case value ${caseValue}`, valueNode);
          cases.push({ value: masked, target: block.id });
        } else {
          defaultTarget = block.id;
        }
        for (const statement of item.namedChildren) {
          if (!statement || statement.id === valueNode?.id) continue;
          this.lowerStatement(statement);
        }
      } else {
        this.lowerStatement(item);
      }
    }
    this.scopes.pop();
    this.breakStack.pop();
    this.jumpTo(exit, node);
    dispatch.terminator = { op: 'switch', value: value.value, width, cases, defaultTarget, text: this.unit.sourceText(inner), range: this.range(conditionNode) };
    this.switchTo(exit);
  }

  private lowerReturn(node: Node): void {
    const expression = node.namedChildren.find((c) => c && c.type !== 'comment');
    if (expression && this.returnType.kind !== 'void') {
      const value = this.lowerRValue(expression);
      const converted = this.convert(value, this.returnType, expression);
      this.terminate({ op: 'return', value: converted.value, range: this.range(node) });
    } else {
      if (expression) this.lowerExpressionForEffect(expression);
      this.terminate({ op: 'return', value: undefined, range: this.range(node) });
    }
    this.startDeadBlock();
  }
}

/** The names a declaration declares (through pointer, array and function declarators). */
function declaredNames(declaration: Node): string[] {
  const names: string[] = [];
  for (const declarator of declaration.childrenForFieldName('declarator')) {
    let current: Node | null = declarator;
    while (current && current.type !== 'identifier') current = current.childForFieldName('declarator');
    if (current) names.push(current.text);
  }
  return names;
}

function findVariableLengthArray(declarator: Node, unit: TranslationUnit, file: string): Node | undefined {
  let current: Node | null = declarator;
  while (current) {
    if (current.type === 'array_declarator') {
      const size = current.childForFieldName('size');
      if (size && size.type !== 'sizeof_expression' && unit.tryConstantValue(size, file) === undefined) return size;
    }
    current = current.childForFieldName('declarator');
  }
  return undefined;
}
