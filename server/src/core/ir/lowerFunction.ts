// Lowers one C function definition (a tree-sitter node) to an IR control-flow graph with C's conversion rules.
// FunctionLowering tops a stack of layers, bottom up: loweringState, lowerPlaces, lowerExpressions,
// lowerCalls, lowerAnnotations, lowerStatements.
import type { Node } from 'web-tree-sitter';
import { CType, sizeOf, typeToString } from '../syntax/cTypes';
import { precedingAnnotations } from '../syntax/translationUnit';
import { AnalysisError } from '../reasons';
import type { IrFunction, IrParameter, SourceRange } from './ir';
import { COMMAND_LINE } from './ir';
import type { LoweringContext } from './loweringState';
import { StatementLowering } from './lowerStatements';

export { internString, type LoweringContext } from './loweringState';

/** Lowers `name`'s definition; throws AnalysisError with a reason for unsupported code. */
export function lowerFunction(context: LoweringContext, name: string): IrFunction {
  const declaration = context.unit.functions.get(name);
  if (!declaration?.definition) throw new AnalysisError('unsupported', `function '${name}' has no body`);
  return new FunctionLowering(context, declaration.definition, declaration.file, name).lower();
}

class FunctionLowering extends StatementLowering {
  lower(): IrFunction {
    // `typeof` of an expression in this function takes the expression's type in the current scope.
    const outer = this.unit.expressionTyper;
    this.unit.expressionTyper = (text) => this.typeOfExpressionText(text);
    try {
      return this.lowerBody();
    } finally {
      this.unit.expressionTyper = outer;
    }
  }

  /** The type of an expression written as text (a `typeof` argument), in the current scope. */
  private typeOfExpressionText(text: string): CType {
    const expression = this.unit.parseExpressionSnippet(text, false);
    if (!expression) throw this.failure('unsupported', `the typeof argument '${text.trim()}' is not an expression this analysis reads`, this.node);
    return this.staticTypeOf(expression);
  }

  private lowerBody(): IrFunction {
    const declaration = this.unit.functions.get(this.name)!;
    this.returnType = declaration.type.returns;
    const body = this.node.childForFieldName('body');
    if (!body) throw new AnalysisError('unsupported', `function '${this.name}' has no body`);
    collectAddressTaken(body, this.addressTaken);
    const floating = findFloatingType(this.node);
    if (floating) throw this.unsupported(`floating point ('${floating.text}')`, floating);
    this.current = this.newBlock();
    const entry = this.current.id;
    this.scopes.push(new Map());
    const params: IrParameter[] = [];
    declaration.type.params.forEach((type, index) => {
      const paramName = declaration.paramNames[index] ?? `arg${index}`;
      const register = this.newRegister(paramName);
      if (type.kind === 'record') throw this.unsupported(`struct parameter '${paramName}' passed by value`, this.node);
      if (type.kind === 'pointer') {
        const pointee = type.to;
        params.push({
          name: paramName, register,
          type: { kind: 'pointer', pointeeSize: sizeOf(pointee), pointeeName: typeToString(pointee), pointeeIsRecord: pointee.kind === 'record' },
        });
      } else if (type.kind === 'int') {
        params.push({ name: paramName, register, type: { kind: 'int', width: type.size * 8, signed: type.signed } });
      } else {
        throw this.unsupported(`parameter '${paramName}' of type ${typeToString(type)}`, this.node);
      }
      if (this.addressTaken.has(paramName)) {
        // An address-taken parameter moves to memory on entry, as a compiler would spill it.
        const slot = this.newSlot(paramName, sizeOf(type));
        const address = this.emitAddressOfSlot(slot, this.node);
        this.emit({ op: 'store', address, value: { kind: 'reg', id: register }, width: type.kind === 'pointer' ? 64 : sizeOf(type) * 8, pointer: type.kind === 'pointer', range: this.range(this.node) });
        this.scope().set(paramName, { kind: 'slot', slot, type });
      } else {
        this.scope().set(paramName, { kind: 'register', register, type });
        if (type.kind === 'int' && type.signed) this.signedRegisters.add(register);
      }
    });
    // `/*@ assume EXPR */` before the function: a precondition on its parameters and the state it reads.
    const entryAssumptions = precedingAnnotationComments(this.node);
    for (const comment of entryAssumptions) this.noteAssumption(comment);
    // `--assume EXPR` on the command line: the same, for the entry functions the analysis was asked for.
    const commandLine: SourceRange = { file: COMMAND_LINE, startByte: 0, endByte: 0, startLine: 0, startColumn: 0, endLine: 0, endColumn: 0 };
    for (const text of this.context.entryAssumptions?.get(this.name) ?? []) this.lowerAssumption(text.replace(/\s+/g, ' ').trim(), commandLine, this.node);
    this.lowerStatement(body);
    if (!this.isTerminated()) {
      if (this.returnType.kind === 'void' || this.name === 'main') {
        this.terminate({ op: 'return', value: this.returnType.kind === 'void' ? undefined : { kind: 'imm', value: 0n, width: 32 }, range: this.endRange(body) });
      } else {
        this.terminate({ op: 'unreachable', reason: `control reaches the end of non-void function '${this.name}'`, range: this.endRange(body) });
      }
    }
    const declarator = this.node.childForFieldName('declarator');
    const nameNode = findIdentifier(declarator) ?? this.node;
    return {
      name: this.name,
      file: this.file,
      range: this.rangeOf(this.node),
      nameRange: this.rangeOf(nameNode),
      params,
      returnWidth: this.returnType.kind === 'void' ? 0 : this.returnType.kind === 'pointer' ? 64 : sizeOf(this.returnType) * 8,
      returnsPointer: this.returnType.kind === 'pointer',
      returnSigned: this.returnType.kind === 'int' && this.returnType.signed,
      slots: this.slots,
      blocks: this.blocks,
      entry,
      registerCount: this.registerCount,
      registerNames: this.registerNames,
      signedRegisters: this.signedRegisters,
      loops: this.loops,
      countMarks: this.countMarks,
      callees: [...this.callees],
      annotations: precedingAnnotations(this.node),
      // What the user wrote (comments included, as the editor shows it) and what the compiler
      // reads (macros expanded), so that a change to either changes the function's cache key.
      text: `${this.unit.sourceText(this.node)}\n${this.node.text}${(this.context.entryAssumptions?.get(this.name) ?? []).map((a) => `\n--assume ${a}`).join('')}`,
    };
  }
}

function findIdentifier(node: Node | null | undefined): Node | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node;
  const inner = node.childForFieldName('declarator');
  return findIdentifier(inner);
}

function findFloatingType(node: Node): Node | undefined {
  if (node.type === 'primitive_type' && /^(float|double)$/.test(node.text)) return node;
  if (node.type === 'sized_type_specifier' && /\bdouble\b/.test(node.text)) return node;
  for (const child of node.namedChildren) {
    const found = child ? findFloatingType(child) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** Names whose address is taken with `&` in a function body. */
function collectAddressTaken(node: Node, into: Set<string>): void {
  if (node.type === 'pointer_expression' && node.childForFieldName('operator')?.text === '&') {
    let argument = node.childForFieldName('argument');
    while (argument?.type === 'parenthesized_expression') argument = argument.namedChildren[0] ?? null;
    if (argument?.type === 'identifier') into.add(argument.text);
  }
  for (const child of node.namedChildren) if (child) collectAddressTaken(child, into);
}

/** The comments written just before `node` (a function definition), nearest last. */
function precedingAnnotationComments(node: Node): Node[] {
  const comments: Node[] = [];
  for (let previous = node.previousSibling; previous && previous.type === 'comment'; previous = previous.previousSibling) comments.unshift(previous);
  return comments;
}
