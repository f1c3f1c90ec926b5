// Lowers one C function definition (a tree-sitter node) to an IR control-flow graph with C's conversion rules.
import type { Node } from 'web-tree-sitter';
import {
  ArrayType, CType, IntType, PointerType, RecordType, Types, findField, isInteger, pointerTo, promote, sizeOf, uncomputedSize, usualArithmetic, typeToString,
} from '../syntax/cTypes';
import {
  Diagnostic, FunctionDeclaration, TranslationUnit, decodeStringLiteral, parseCharLiteral, parseIntegerLiteral, precedingAnnotations,
} from '../syntax/translationUnit';
import { AnalysisError, ReasonKind } from '../reasons';
import type {
  BasicBlock, BinaryOp, ComparePredicate, Instruction, IrFunction, IrParameter, LoopInfo, MbufLayout, Operand, PacketField, Pointee, SourceRange, Terminator,
} from './ir';
import { COMMAND_LINE, PACKET_CONTEXTS } from './ir';

/** Program-wide state the lowering of each function adds to. */
export interface LoweringContext {
  unit: TranslationUnit;
  strings: Uint8Array[];
  stringIndex: Map<string, number>;
  /** Globals written or whose address escapes in some function (so their initial value is not known). */
  writtenGlobals: Set<string>;
  /** Statements lowered as a path end because they could not be modelled (see DEFERRED_LOWERING_FAILURES). */
  deferredFailures?: Array<{ functionName: string; reason: ReasonKind; message: string; range: SourceRange }>;
  /** `--assume EXPR`: preconditions of entry functions, by name (lowered like `/*@ assume EXPR *\/` before them). */
  entryAssumptions?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Failures of one statement that end only the paths reaching it, instead of the whole function: a
 * pointer-to-integer conversion in a trace point after an early `return`, an unsupported construct in
 * a rarely taken branch. Other failures (an undeclared name, a syntax error) still stop the function.
 */
const DEFERRED_LOWERING_FAILURES: ReadonlySet<ReasonKind> = new Set<ReasonKind>(['invalid-pointer', 'unsupported']);
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

/** The terminator reason of a block nothing has ended yet. */
const UNTERMINATED = 'unterminated block';

/** Statements whose failure can be deferred: their partial code stays inside the current block chain. */
const DEFERRABLE_STATEMENTS: ReadonlySet<string> = new Set(['expression_statement', 'declaration', 'return_statement']);

/** The index of a string literal's bytes (with the terminating zero) in the program's string table. */
export function internString(context: LoweringContext, bytes: number[]): number {
  const key = Buffer.from(bytes).toString('hex');
  let index = context.stringIndex.get(key);
  if (index === undefined) {
    index = context.strings.length;
    context.strings.push(new Uint8Array(bytes));
    context.stringIndex.set(key, index);
  }
  return index;
}

/** Lowers `name`'s definition; throws AnalysisError with a reason for unsupported code. */
export function lowerFunction(context: LoweringContext, name: string): IrFunction {
  const declaration = context.unit.functions.get(name);
  if (!declaration?.definition) throw new AnalysisError('unsupported', `function '${name}' has no body`);
  return new FunctionLowering(context, declaration.definition, declaration.file, name).lower();
}

type Binding =
  | { kind: 'register'; register: number; type: CType }
  | { kind: 'slot'; slot: number; type: CType };

/** A place that can be read or assigned. */
type LValue =
  | { kind: 'register'; register: number; type: CType }
  | { kind: 'memory'; address: Operand; type: CType; bitOffset?: number; bitWidth?: number };

interface RValue { value: Operand; type: CType }

interface LoopTargets { breakTarget: number; continueTarget: number | undefined }

class FunctionLowering {
  private readonly blocks: BasicBlock[] = [];
  private current!: BasicBlock;
  private registerCount = 0;
  private readonly registerNames = new Map<number, string>();
  private readonly signedRegisters = new Set<number>();
  private readonly scopes: Map<string, Binding>[] = [];
  private readonly slots: { id: number; name: string; size: number }[] = [];
  private readonly loops: LoopInfo[] = [];
  private readonly countMarks: IrFunction['countMarks'] = [];
  private readonly callees = new Set<string>();
  private readonly breakStack: LoopTargets[] = [];
  private readonly addressTaken = new Set<string>();
  private readonly temporaries = new Set<number>();
  private returnType: CType = Types.void;
  /** The function a builtin call stands for (`__builtin_memcpy` is `memcpy`). */
  private calleeOverride: string | undefined;
  private readonly unit: TranslationUnit;
  /** Names whose declaration was lowered as a path end (DEFERRED_LOWERING_FAILURES), with its reason. */
  private readonly deferredDeclarations = new Map<string, AnalysisError>();
  /** While an `assume` annotation is lowered: its text and place (every range and branch is the annotation's). */
  private assuming: { text: string; range: SourceRange } | undefined;

  constructor(private readonly context: LoweringContext, private readonly node: Node, private readonly file: string, private readonly name: string) {
    this.unit = context.unit;
  }

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

  // ----- blocks, registers, emission -----

  private newBlock(): BasicBlock {
    const block: BasicBlock = { id: this.blocks.length, instructions: [], terminator: { op: 'unreachable', reason: UNTERMINATED, range: this.rangeOf(this.node) } };
    (block as BasicBlock & { open?: boolean }).open = true;
    this.blocks.push(block);
    return block;
  }

  private isTerminated(): boolean {
    return !(this.current as BasicBlock & { open?: boolean }).open;
  }

  private terminate(terminator: Terminator): void {
    if (this.isTerminated()) return;
    if (this.assuming && terminator.op === 'branch') terminator = { ...terminator, assumption: this.assuming.text };
    this.current.terminator = terminator;
    delete (this.current as BasicBlock & { open?: boolean }).open;
  }

  private switchTo(block: BasicBlock): void {
    this.current = block;
  }

  /** After return/break/continue, code continues in a fresh block nothing jumps to. */
  private startDeadBlock(): void {
    this.current = this.newBlock();
  }

  private jumpTo(target: BasicBlock, node: Node): void {
    this.terminate({ op: 'jump', target: target.id, range: this.range(node) });
  }

  private newRegister(name?: string): number {
    const id = this.registerCount++;
    if (name) this.registerNames.set(id, name);
    return id;
  }

  private newTemporary(): number {
    const id = this.newRegister();
    this.temporaries.add(id);
    return id;
  }

  private newSlot(name: string, size: number): number {
    const id = this.slots.length;
    this.slots.push({ id, name, size: Math.max(size, 1) });
    return id;
  }

  private emit(instruction: Instruction): void {
    if (this.isTerminated()) this.startDeadBlock();
    if (this.assuming) instruction.assumption = true;
    this.current.instructions.push(instruction);
  }

  private scope(): Map<string, Binding> {
    return this.scopes[this.scopes.length - 1]!;
  }

  private lookup(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const binding = this.scopes[i]!.get(name);
      if (binding) return binding;
    }
    return undefined;
  }

  /** Where the user wrote `node` (for expanded code, the macro invocation), through the unit's source map. */
  private rangeOf(node: Node): SourceRange {
    if (this.assuming) return this.assuming.range;
    return this.unit.sourceRange(node);
  }

  private range(node: Node): SourceRange {
    return this.rangeOf(node);
  }

  private endRange(body: Node): SourceRange {
    const r = this.rangeOf(body);
    return { ...r, startByte: r.endByte - 1, startLine: r.endLine, startColumn: Math.max(0, r.endColumn - 1) };
  }

  /** `'x' is not declared`, or the reason x's own declaration could not be lowered. */
  private undeclared(name: string, node: Node): AnalysisError {
    const deferred = this.deferredDeclarations.get(name);
    if (deferred) return this.failure(deferred.reason, deferred.message, node);
    if (this.unit.functions.has(name)) return this.unsupported(`using function '${name}' as a value (function pointers)`, node);
    return this.failure('unknown-identifier', `'${name}' is not declared`, node);
  }

  private unsupported(what: string, node: Node): AnalysisError {
    return this.failure('unsupported', `${what} is not supported`, node);
  }

  private failure(reason: Diagnostic['reason'], message: string, node: Node): AnalysisError {
    const error = new AnalysisError(reason, message);
    (error as AnalysisError & { range?: SourceRange }).range = this.range(node);
    return error;
  }

  // ----- statements -----

  private lowerStatement(node: Node): void {
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

  /** Writes an initializer into a place; aggregates are zero-filled where the list says nothing. */
  private lowerInitializer(place: LValue, initializer: Node, zeroFill: boolean): void {
    const type = place.type;
    if (initializer.type === 'initializer_list' && (type.kind === 'array' || type.kind === 'record')) {
      const items = initializer.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      const cursor = { at: 0 };
      this.lowerAggregateItems(place, items, cursor, zeroFill, initializer, true);
      if (cursor.at < items.length) throw this.failure('unsupported', 'too many initializers', items[cursor.at]!);
      return;
    }
    if (initializer.type === 'string_literal' && type.kind === 'array') {
      const bytes = decodeStringLiteral(initializer.text);
      for (let i = 0; i < (type.length ?? 0); i++) {
        const address = this.offsetPointer(place.kind === 'memory' ? place.address : { kind: 'null' }, i, initializer);
        this.emit({ op: 'store', address, value: { kind: 'imm', value: BigInt(bytes[i] ?? 0), width: 8 }, width: 8, pointer: false, range: this.range(initializer) });
      }
      return;
    }
    if (initializer.type === 'initializer_list') {
      // `int x = { 5 };` is allowed for scalars.
      const first = initializer.namedChildren.find((c) => c && c.type !== 'comment');
      if (first) this.lowerInitializer(place, first, zeroFill);
      else this.zeroFill(place, initializer);
      return;
    }
    if (type.kind === 'record') {
      const source = this.lowerLValue(initializer);
      this.copyAggregate(place, source, initializer);
      return;
    }
    this.assign(place, this.lowerRValue(initializer), initializer);
  }

  /**
   * An `asm` statement is an opaque step: each output operand is assigned the result of a call to
   * a function without a body, `__asm_LINE_COLUMN_K`, whose arguments are the input operands (and
   * the read-write outputs), so it is reported as an unmodelled call (`PC405`, a lower bound) and
   * its outputs are unknown values a witness supplies. An asm with no output and no instruction
   * (`asm volatile("" ::: "memory")`, a compiler barrier) has no effect on the values and costs
   * nothing: no instruction runs, whatever the compiler must assume. An asm with instructions and
   * a "memory" clobber may write any memory but the function's own locals (`clobbersMemory`);
   * register clobbers change nothing the C code sees.
   */
  private lowerAsm(node: Node): RValue {
    const none: RValue = { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.void };
    const operands = (field: string, type: string) => (node.childForFieldName(field)?.namedChildren ?? []).filter((c): c is Node => !!c && c.type === type);
    const outputs = operands('output_operands', 'gnu_asm_output_operand');
    const inputs = operands('input_operands', 'gnu_asm_input_operand');
    const code = node.childForFieldName('assembly_code');
    const instructions = code?.type === 'string_literal' ? decodeStringLiteral(code.text).map((b) => String.fromCharCode(b)).join('') : code?.text ?? '';
    const swapped = this.asmByteSwap(instructions.replace(/\0$/, ''), outputs, inputs);
    if (swapped) {
      const place = this.lowerLValue(swapped.output);
      this.assign(place, this.lowerByteSwap(swapped.bits, swapped.source, node), swapped.output);
      return none;
    }
    const args: Operand[] = [];
    const argWidths: number[] = [];
    const readWrite = outputs.filter((o) => /\+/.test(o.childForFieldName('constraint')?.text ?? ''));
    for (const operand of [...inputs, ...readWrite]) {
      const value = this.lowerRValue(operand.childForFieldName('value')!);
      if (value.type.kind === 'record' || value.type.kind === 'void') throw this.unsupported('an assembly operand that is not a scalar', operand);
      args.push(value.value);
      argWidths.push(widthOf(value.type));
    }
    const clobbers = (node.childForFieldName('clobbers')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type === 'string_literal')
      .map((c) => decodeStringLiteral(c.text).map((b) => String.fromCharCode(b)).join('').replace(/\0$/, ''));
    const clobbersMemory = clobbers.includes('memory') ? { clobbersMemory: true } : {};
    const at = this.range(node);
    const base = `__asm_${at.startLine + 1}_${at.startColumn + 1}`;
    const declare = (name: string, returns: CType) => {
      this.unit.functions.set(name, {
        name, type: { kind: 'function', returns, params: [], variadic: true }, paramNames: [], file: this.file,
        definition: undefined, hasSyntaxError: false, annotations: [], line: at.startLine,
      });
      this.callees.add(name);
    };
    if (outputs.length === 0) {
      if (instructions.trim() === '') return none;
      declare(base, Types.void);
      this.emit({ op: 'call', dst: undefined, callee: base, args, argWidths, returnWidth: 0, returnsPointer: false, range: at, ...clobbersMemory });
      return none;
    }
    outputs.forEach((output, k) => {
      const place = this.lowerLValue(output.childForFieldName('value')!);
      if (place.type.kind === 'record' || place.type.kind === 'array' || place.type.kind === 'void') throw this.unsupported('an assembly output that is not a scalar', output);
      const name = `${base}_${k}`;
      declare(name, place.type);
      const dst = this.newTemporary();
      this.emit({ op: 'call', dst, callee: name, args, argWidths, returnWidth: widthOf(place.type), returnsPointer: place.type.kind === 'pointer', range: at, ...(k === 0 ? clobbersMemory : {}) });
      this.assign(place, { value: { kind: 'reg', id: dst }, type: place.type }, output);
    });
    return none;
  }

  /**
   * Fills the aggregate `place` from `items`, starting at `cursor.at`: every item of its own braced
   * list when `braced`, else only as many as its elements take, which is how C initialises a nested
   * aggregate without its own braces (brace elision, C11 6.7.9 paragraph 20: the kernel's
   * `(struct in6_addr){ 0x00, ..., 0xfe }` fills the union's first member, a 16-byte array).
   * A designator always belongs to the braced list around it.
   */
  private lowerAggregateItems(place: LValue, items: Node[], cursor: { at: number }, zeroFill: boolean, node: Node, braced: boolean): void {
    const type = place.type as ArrayType | RecordType;
    const written = new Set<number>();
    const elements = type.kind === 'array'
      ? Array.from({ length: type.length ?? 0 }, (_, i) => ({ offset: i * sizeOf(type.of), type: type.of as CType, name: String(i) }))
      : type.fields.map((f) => ({ offset: f.offset, type: f.type, name: f.name, bitOffset: f.bitOffset, bitWidth: f.bitWidth }));
    const elementPlace = (element: (typeof elements)[number], at: Node): LValue => ({
      kind: 'memory', address: this.offsetPointer(place.kind === 'memory' ? place.address : { kind: 'null' }, element.offset, at), type: element.type,
      bitOffset: (element as { bitOffset?: number }).bitOffset, bitWidth: (element as { bitWidth?: number }).bitWidth,
    });
    let position = 0;
    while (cursor.at < items.length) {
      const item = items[cursor.at]!;
      if (item.type === 'initializer_pair') {
        if (!braced) break;
        const designator = item.childForFieldName('designator');
        if (designator?.type === 'subscript_designator') position = Number(this.unit.constantValue(designator.namedChildren[0]!, this.file));
        else if (designator) {
          const fieldName = designator.type === 'field_designator' ? designator.namedChildren[0]?.text : designator.text;
          position = elements.findIndex((e) => e.name === fieldName);
          if (position < 0) throw this.failure('unknown-identifier', `no field '${fieldName}' in ${typeToString(type)}`, designator);
        }
        const element = elements[position];
        if (!element) throw this.failure('unsupported', 'too many initializers', item);
        cursor.at++;
        this.lowerInitializer(elementPlace(element, item), item.childForFieldName('value')!, zeroFill);
      } else {
        const element = elements[position];
        if (!element) {
          if (braced) throw this.failure('unsupported', 'too many initializers', item);
          break;
        }
        if (this.takesElidedItems(element.type, item)) this.lowerAggregateItems(elementPlace(element, item), items, cursor, zeroFill, item, false);
        else {
          cursor.at++;
          this.lowerInitializer(elementPlace(element, item), item, zeroFill);
        }
      }
      written.add(position);
      position++;
      if (type.kind === 'record' && type.union) break;
      if (!braced && position >= elements.length) break;
    }
    if (zeroFill) {
      elements.forEach((element, index) => {
        if (written.has(index) || (type.kind === 'record' && type.union && written.size > 0)) return;
        this.zeroFill(elementPlace(element, node), node);
      });
    }
  }

  /** Whether `item` starts the unbraced items of an aggregate element (not its own list, string or struct value). */
  private takesElidedItems(type: CType, item: Node): boolean {
    if (type.kind !== 'array' && type.kind !== 'record') return false;
    if (item.type === 'initializer_list') return false;
    if (type.kind === 'array' && item.type === 'string_literal') return false;
    if (type.kind === 'record') {
      try {
        if (this.staticTypeOf(item).kind === 'record') return false;
      } catch {
        return true;
      }
    }
    return true;
  }

  /**
   * The one assembly idiom that headers use on every packet: a byte swap (`bswap %0` on 32 and
   * 64 bits, `xchgb %b0,%h0` or `rolw $8,%0` on 16), as DPDK's `rte_arch_bswap32` and the kernel's
   * `__arch_swab32` write it. One output, read-write (`+r`) or tied to an input (`"0"`); it is the
   * same as `__builtin_bswapN`, so it is lowered as that instead of an opaque step. Anything else
   * stays opaque.
   */
  private asmByteSwap(instructions: string, outputs: Node[], inputs: Node[]): { output: Node; source: Node; bits: number } | undefined {
    if (outputs.length !== 1 || inputs.length > 1) return undefined;
    const template = instructions.trim().replace(/\s+/g, ' ');
    const operand = String.raw`%[bhwkq]?(?:\[\w+\]|\d)`;
    const swap32or64 = new RegExp(String.raw`^bswap[lq]? ${operand}$`).test(template);
    const swap16 = new RegExp(String.raw`^(?:xchgb ${operand}, ?${operand}|ro[lr]w \$(?:8|0x8), ?${operand})$`).test(template);
    if (!swap32or64 && !swap16) return undefined;
    const output = outputs[0]!;
    const constraint = output.childForFieldName('constraint')?.text ?? '';
    const target = output.childForFieldName('value');
    let source: Node | undefined;
    if (/\+/.test(constraint) && inputs.length === 0) source = target ?? undefined;
    else if (/=/.test(constraint) && inputs.length === 1) {
      const input = inputs[0]!;
      const tied = input.childForFieldName('constraint')?.text ?? '';
      const symbolic = output.childForFieldName('symbol')?.text;
      if (/^"0"$/.test(tied) || (symbolic !== undefined && tied === `"${symbolic}"`)) source = input.childForFieldName('value') ?? undefined;
    }
    if (!target || !source) return undefined;
    const type = this.staticTypeOf(target);
    if (type.kind !== 'int') return undefined;
    const bits = type.size * 8;
    if (swap16 ? bits !== 16 : bits !== 32 && bits !== 64) return undefined;
    return { output: target, source, bits };
  }

  /**
   * `(T){ ... }`: an unnamed object of type T in the enclosing block (C11 6.5.2.5), initialised as a
   * declaration would be, members not named being zero. One stack slot per literal in the code.
   */
  private lowerCompoundLiteral(node: Node): LValue {
    let type = this.typeOfDescriptor(node.childForFieldName('type')!);
    const initializer = node.childForFieldName('value')!;
    if (type.kind === 'array' && type.length === undefined) type = { ...type, length: initializer.namedChildren.filter((c) => c && c.type !== 'comment').length };
    this.requireKnownSize(type, node);
    if (type.kind === 'record' && !type.complete) throw this.failure('unknown-type', `a compound literal of incomplete type ${typeToString(type)}`, node);
    // Slots are named objects to the executor: each literal gets its own name (its place in the source).
    const at = this.range(node);
    const slot = this.newSlot(`(${typeToString(type)}){...}@${at.startLine + 1}:${at.startColumn + 1}`, sizeOf(type));
    const place: LValue = { kind: 'memory', address: this.emitAddressOfSlot(slot, node), type };
    this.lowerInitializer(place, initializer, true);
    return place;
  }

  private zeroFill(place: LValue, node: Node): void {
    const type = place.type;
    if (type.kind === 'array' || type.kind === 'record') {
      const elements = type.kind === 'array'
        ? Array.from({ length: type.length ?? 0 }, (_, i) => ({ offset: i * sizeOf(type.of), type: type.of as CType }))
        : (type.union ? type.fields.slice(0, 1) : type.fields).map((f) => ({ offset: f.offset, type: f.type, bitOffset: f.bitOffset, bitWidth: f.bitWidth }));
      for (const element of elements) {
        const address = this.offsetPointer(place.kind === 'memory' ? place.address : { kind: 'null' }, element.offset, node);
        this.zeroFill({ kind: 'memory', address, type: element.type, bitOffset: (element as { bitOffset?: number }).bitOffset, bitWidth: (element as { bitWidth?: number }).bitWidth }, node);
      }
      return;
    }
    const zero: RValue = type.kind === 'pointer' ? { value: { kind: 'null' }, type } : { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.int };
    this.assign(place, zero, node);
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

  /** `/*@ count NAME "description" *\/`: marks where the next statement's code starts. */
  private noteCountMark(comment: Node): void {
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
  private noteAssumption(comment: Node): void {
    const match = /^(?:\/\*@\s*assume\s+([\s\S]*?)\s*\*\/|\/\/@\s*assume\s+(.*?)\s*)$/.exec(comment.text);
    if (match) this.lowerAssumption((match[1] ?? match[2] ?? '').replace(/\s+/g, ' '), this.rangeOf(comment), comment);
  }

  private lowerAssumption(text: string, range: SourceRange, node: Node): void {
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

  private registerLoop(node: Node, header: BasicBlock, kind: LoopInfo['kind']): void {
    const id = this.loops.length;
    const annotations = precedingAnnotations(node);
    this.loops.push({ id, header: header.id, kind, range: this.rangeOf(node), annotations, bounds: this.loopBounds(annotations, node) });
    header.loopHeader = id;
  }

  /** `/*@ bound NAME <= EXPR *\/`: EXPR is a constant expression (macros and enums allowed). */
  private loopBounds(annotations: string[], node: Node): Record<string, number> {
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

  // ----- conditions (short-circuit into control flow) -----

  /** Lowers a condition straight into branches, so `&&`, `||` and `!` need no value. */
  private lowerCondition(node: Node, whenTrue: number, whenFalse: number): void {
    if (node.type === 'parenthesized_expression' && node.namedChildren[0]) {
      return this.lowerCondition(node.namedChildren[0], whenTrue, whenFalse);
    }
    if (node.type === 'binary_expression') {
      const operator = node.childForFieldName('operator')?.text;
      if (operator === '&&' || operator === '||') {
        const middle = this.newBlock();
        const left = node.childForFieldName('left')!;
        if (operator === '&&') this.lowerCondition(left, middle.id, whenFalse);
        else this.lowerCondition(left, whenTrue, middle.id);
        this.switchTo(middle);
        this.lowerCondition(node.childForFieldName('right')!, whenTrue, whenFalse);
        return;
      }
    }
    if (node.type === 'unary_expression' && node.childForFieldName('operator')?.text === '!') {
      return this.lowerCondition(node.childForFieldName('argument')!, whenFalse, whenTrue);
    }
    const condition = this.lowerBoolean(node);
    this.terminate({ op: 'branch', condition, whenTrue, whenFalse, text: this.conditionText(node), range: this.range(node) });
  }

  /** The condition as the user wrote it (macro names kept), from the source map. */
  private conditionText(node: Node): string {
    return this.unit.sourceText(node).replace(/\s+/g, ' ');
  }

  /** A 1-bit value that is true when the expression is non-zero. */
  private lowerBoolean(node: Node): Operand {
    const value = this.lowerRValue(node);
    return this.toBoolean(value, node);
  }

  private toBoolean(value: RValue, node: Node): Operand {
    const fromCompare = value as RValue & { fromCompare?: Operand; zextInstruction?: Instruction };
    const instructions = this.current.instructions;
    if (fromCompare.fromCompare && fromCompare.zextInstruction && instructions[instructions.length - 1] === fromCompare.zextInstruction) {
      instructions.pop(); // branch on the comparison's bit; the int it was widened to is not needed
      return fromCompare.fromCompare;
    }
    const dst = this.newTemporary();
    if (value.type.kind === 'pointer' || value.type.kind === 'array') {
      this.emit({ op: 'compare', dst, predicate: 'ne', left: value.value, right: { kind: 'null' }, width: 64, pointers: true, range: this.range(node) });
    } else if (value.type.kind === 'int') {
      this.emit({ op: 'compare', dst, predicate: 'ne', left: value.value, right: { kind: 'imm', value: 0n, width: value.type.size * 8 }, width: value.type.size * 8, pointers: false, range: this.range(node) });
    } else {
      throw this.unsupported(`condition of type ${typeToString(value.type)}`, node);
    }
    return { kind: 'reg', id: dst };
  }

  // ----- expressions -----

  private lowerExpressionForEffect(node: Node): void {
    if (node.type === 'comma_expression') {
      this.lowerExpressionForEffect(node.childForFieldName('left')!);
      this.lowerExpressionForEffect(node.childForFieldName('right')!);
      return;
    }
    if (node.type === 'cast_expression' && this.typeOfDescriptor(node.childForFieldName('type')!).kind === 'void') {
      this.lowerExpressionForEffect(node.childForFieldName('value')!);
      return;
    }
    if (node.type === 'update_expression') {
      this.lowerUpdate(node, false);
      return;
    }
    if (node.type === 'call_expression') {
      this.lowerCall(node, true);
      return;
    }
    this.lowerRValue(node);
  }

  private lowerRValue(node: Node): RValue {
    switch (node.type) {
      case 'parenthesized_expression': {
        const inner = node.namedChildren[0]!;
        if (inner.type === 'compound_statement') return this.lowerStatementExpression(inner);
        return this.lowerRValue(inner);
      }
      case 'extension_expression': return this.lowerRValue(node.namedChildren[node.namedChildren.length - 1]!);
      case 'number_literal': return this.lowerNumber(node);
      case 'char_literal': return { value: { kind: 'imm', value: BigInt.asUintN(32, parseCharLiteral(node.text)), width: 32 }, type: Types.int };
      case 'true': return { value: { kind: 'imm', value: 1n, width: 32 }, type: Types.int };
      case 'false': return { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.int };
      case 'null': return { value: { kind: 'null' }, type: pointerTo(Types.void) };
      case 'string_literal':
      case 'concatenated_string': return this.lowerString(node);
      case 'identifier': return this.lowerIdentifierValue(node);
      case 'binary_expression': return this.lowerBinary(node);
      case 'unary_expression': return this.lowerUnary(node);
      case 'update_expression': return this.lowerUpdate(node, true);
      case 'assignment_expression': return this.lowerAssignment(node);
      case 'conditional_expression': return this.lowerConditional(node);
      case 'cast_expression': {
        const type = this.typeOfDescriptor(node.childForFieldName('type')!);
        const valueNode = node.childForFieldName('value')!;
        if (type.kind === 'void') {
          this.lowerExpressionForEffect(valueNode);
          return { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.void };
        }
        return this.convert(this.lowerRValue(valueNode), type, node, true);
      }
      case 'sizeof_expression': return { value: { kind: 'imm', value: BigInt(this.sizeofNode(node)), width: 64 }, type: Types.ulong };
      case 'offsetof_expression': {
        const type = this.typeOfDescriptor(node.childForFieldName('type')!);
        const member = node.childForFieldName('member')!.text;
        const field = type.kind === 'record' ? findField(type, member) : undefined;
        if (!field) throw this.failure('unknown-identifier', `no field '${member}' in ${typeToString(type)}`, node);
        return { value: { kind: 'imm', value: BigInt(field.offset), width: 64 }, type: Types.ulong };
      }
      case 'call_expression': {
        return this.lowerCall(node);
      }
      case 'comma_expression':
        this.lowerExpressionForEffect(node.childForFieldName('left')!);
        return this.lowerRValue(node.childForFieldName('right')!);
      case 'subscript_expression':
      case 'field_expression':
      case 'pointer_expression':
        if (node.type === 'pointer_expression' && node.childForFieldName('operator')?.text === '&') {
          return this.addressOf(this.lowerLValue(node.childForFieldName('argument')!), node);
        }
        return this.load(this.lowerLValue(node), node);
      case 'compound_literal_expression': return this.load(this.lowerCompoundLiteral(node), node);
      case 'generic_expression': throw this.unsupported('_Generic', node);
      case 'gnu_asm_expression': return this.lowerAsm(node);
      case 'ERROR': throw this.failure('syntax-error', `syntax error near '${node.text.slice(0, 30)}'`, node);
      default: throw this.unsupported(`expression '${node.type}'`, node);
    }
  }

  private lowerNumber(node: Node): RValue {
    const text = node.text;
    if (/[.eEpP]/.test(text) && !/^0[xX]/.test(text) || /[fF]$/.test(text) && !/^0[xX]/.test(text)) throw this.unsupported('floating point', node);
    const literal = parseIntegerLiteral(text);
    let type: IntType;
    const candidates: IntType[] = literal.unsigned
      ? (literal.long ? [Types.ulong] : [Types.uint, Types.ulong])
      : literal.decimal
        ? (literal.long ? [Types.long] : [Types.int, Types.long, Types.ulong])
        : (literal.long ? [Types.long, Types.ulong] : [Types.int, Types.uint, Types.long, Types.ulong]);
    const magnitude = literal.value < 0n ? -literal.value : literal.value;
    const fitsMagnitude = (bits: number, signed: boolean) => magnitude < (signed ? 1n << BigInt(bits - 1) : 1n << BigInt(bits));
    type = candidates.find((c) => fitsMagnitude(c.size * 8, c.signed)) ?? Types.ulong;
    return { value: { kind: 'imm', value: BigInt.asUintN(type.size * 8, literal.value), width: type.size * 8 }, type };
  }

  private lowerString(node: Node): RValue {
    const parts = node.type === 'concatenated_string' ? node.namedChildren.filter((c) => c?.type === 'string_literal') : [node];
    const index = internString(this.context, [...parts.flatMap((p) => decodeStringLiteral(p!.text)), 0]);
    const dst = this.newTemporary();
    this.emit({ op: 'address', dst, base: { kind: 'string', index }, range: this.range(node) });
    return { value: { kind: 'reg', id: dst }, type: pointerTo(Types.char) };
  }

  private lowerIdentifierValue(node: Node): RValue {
    const name = node.text;
    if ((name === '__func__' || name === '__FUNCTION__' || name === '__PRETTY_FUNCTION__') && !this.lookup(name)) {
      // C99 6.4.2.2: a static array holding the enclosing function's name.
      const index = internString(this.context, [...Buffer.from(this.name, 'utf8'), 0]);
      const dst = this.newTemporary();
      this.emit({ op: 'address', dst, base: { kind: 'string', index }, range: this.range(node) });
      return { value: { kind: 'reg', id: dst }, type: pointerTo(Types.char) };
    }
    const binding = this.lookup(name);
    if (binding?.kind === 'register') return { value: { kind: 'reg', id: binding.register }, type: binding.type };
    if (binding || this.unit.globals.has(name)) return this.load(this.lowerLValue(node), node);
    const enumValue = this.unit.enumConstants.get(name);
    if (enumValue !== undefined) return { value: { kind: 'imm', value: BigInt.asUintN(32, enumValue), width: 32 }, type: Types.int };
    if (this.unit.functions.has(name)) throw this.unsupported(`using function '${name}' as a value (function pointers)`, node);
    throw this.undeclared(name, node);
  }

  private lowerBinary(node: Node): RValue {
    const operator = node.childForFieldName('operator')!.text;
    const leftNode = node.childForFieldName('left')!;
    const rightNode = node.childForFieldName('right')!;
    if (operator === '&&' || operator === '||') return this.lowerLogicalValue(node);
    const castType = this.typedefInParentheses(leftNode);
    if (castType && ['*', '&', '+', '-'].includes(operator)) {
      // `(u16)*p`: tree-sitter cannot know that u16 names a type; with the typedef in scope it is a cast of a unary expression.
      // FIXME(precedence): `(T)-a*b` is read as `(T)(-(a*b))`; tree-sitter already grouped the right side.
      const operand = this.lowerUnaryOf(operator, rightNode, node);
      return castType.kind === 'void' ? { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.void } : this.convert(operand, castType, node, true);
    }
    const left = this.lowerRValue(leftNode);
    const right = this.lowerRValue(rightNode);
    return this.binaryOperation(operator, left, right, node);
  }

  private binaryOperation(operator: string, left: RValue, right: RValue, node: Node): RValue {
    const leftPointer = isPointerValue(left.type);
    const rightPointer = isPointerValue(right.type);
    if (['==', '!=', '<', '<=', '>', '>='].includes(operator)) {
      if (leftPointer || rightPointer) return this.comparePointers(operator, left, right, node);
      return this.compareIntegers(operator, left, right, node);
    }
    if (operator === '+' || operator === '-') {
      if (leftPointer && rightPointer && operator === '-') {
        const dst = this.newTemporary();
        this.emit({ op: 'pointerDiff', dst, left: left.value, right: right.value, range: this.range(node) });
        const elementSize = BigInt(sizeOf(pointeeOf(left.type)) || 1);
        if (elementSize === 1n) return { value: { kind: 'reg', id: dst }, type: Types.long };
        const q = this.newTemporary();
        this.emit({ op: 'binary', dst: q, operator: 'sdiv', left: { kind: 'reg', id: dst }, right: { kind: 'imm', value: elementSize, width: 64 }, width: 64, range: this.range(node) });
        return { value: { kind: 'reg', id: q }, type: Types.long };
      }
      if (leftPointer || rightPointer) {
        const pointer = leftPointer ? left : right;
        const index = leftPointer ? right : left;
        return this.pointerArithmetic(pointer, index, operator === '-', node);
      }
    }
    if (!isInteger(left.type) || !isInteger(right.type)) throw this.unsupported(`operator '${operator}' on ${typeToString(left.type)} and ${typeToString(right.type)}`, node);
    if (operator === '<<' || operator === '>>') {
      const type = promote(left.type);
      const l = this.convert(left, type, node);
      const r = this.convert(right, type, node); // the shift amount is converted to the result width for the IR
      const op: BinaryOp = operator === '<<' ? 'shl' : type.signed ? 'ashr' : 'lshr';
      return this.emitBinary(op, l.value, r.value, type, node);
    }
    const type = usualArithmetic(left.type, right.type);
    const l = this.convert(left, type, node);
    const r = this.convert(right, type, node);
    const ops: Record<string, BinaryOp> = {
      '+': 'add', '-': 'sub', '*': 'mul', '/': type.signed ? 'sdiv' : 'udiv', '%': type.signed ? 'srem' : 'urem',
      '&': 'and', '|': 'or', '^': 'xor',
    };
    const op = ops[operator];
    if (!op) throw this.unsupported(`operator '${operator}'`, node);
    return this.emitBinary(op, l.value, r.value, type, node);
  }

  private emitBinary(operator: BinaryOp, left: Operand, right: Operand, type: IntType, node: Node): RValue {
    const folded = foldConstants(operator, left, right, type.size * 8);
    if (folded !== undefined) return { value: { kind: 'imm', value: folded, width: type.size * 8 }, type };
    const dst = this.newTemporary();
    this.emit({ op: 'binary', dst, operator, left, right, width: type.size * 8, range: this.range(node) });
    return { value: { kind: 'reg', id: dst }, type };
  }

  private compareIntegers(operator: string, left: RValue, right: RValue, node: Node): RValue {
    if (!isInteger(left.type) || !isInteger(right.type)) throw this.unsupported(`comparison of ${typeToString(left.type)} and ${typeToString(right.type)}`, node);
    const type = usualArithmetic(left.type, right.type);
    const l = this.convert(left, type, node);
    const r = this.convert(right, type, node);
    const predicate = comparePredicate(operator, type.signed);
    const dst = this.newTemporary();
    this.emit({ op: 'compare', dst, predicate, left: l.value, right: r.value, width: type.size * 8, pointers: false, range: this.range(node) });
    return this.booleanToInt({ kind: 'reg', id: dst }, node);
  }

  private comparePointers(operator: string, left: RValue, right: RValue, node: Node): RValue {
    const asPointer = (v: RValue): Operand => {
      if (isPointerValue(v.type)) return v.value;
      if (v.value.kind === 'imm' && v.value.value === 0n) return { kind: 'null' };
      throw this.unsupported('comparing a pointer with a non-zero integer', node);
    };
    const dst = this.newTemporary();
    this.emit({ op: 'compare', dst, predicate: comparePredicate(operator, false), left: asPointer(left), right: asPointer(right), width: 64, pointers: true, range: this.range(node) });
    return this.booleanToInt({ kind: 'reg', id: dst }, node);
  }

  /** C comparisons yield an int; keep the 1-bit value around so conditions can branch on it directly. */
  private booleanToInt(bit: Operand, node: Node): RValue {
    const dst = this.newTemporary();
    this.emit({ op: 'cast', dst, cast: 'zext', src: bit, from: 1, to: 32, range: this.range(node) });
    const result: RValue & { fromCompare?: Operand } = { value: { kind: 'reg', id: dst }, type: Types.int };
    result.fromCompare = bit;
    // Conditions use the 1-bit value; drop the zext again when they do (see toBoolean).
    (result as RValue & { zextInstruction?: Instruction }).zextInstruction = this.current.instructions[this.current.instructions.length - 1];
    return result;
  }

  private pointerArithmetic(pointer: RValue, index: RValue, subtract: boolean, node: Node): RValue {
    if (!isInteger(index.type)) throw this.unsupported('pointer arithmetic with a non-integer', node);
    const elementSize = sizeOf(pointeeOf(pointer.type)) || 1;
    let offset = this.convert(index, Types.long, node).value;
    if (elementSize !== 1) offset = this.emitBinary('mul', offset, { kind: 'imm', value: BigInt(elementSize), width: 64 }, Types.long, node).value;
    if (subtract) offset = this.emitBinary('sub', { kind: 'imm', value: 0n, width: 64 }, offset, Types.long, node).value;
    const dst = this.newTemporary();
    this.emit({ op: 'offset', dst, pointer: pointer.value, byteOffset: offset, range: this.range(node) });
    return { value: { kind: 'reg', id: dst }, type: decayed(pointer.type) };
  }

  private lowerLogicalValue(node: Node): RValue {
    // a && b as a value: branch, then materialise 0 or 1 in a register.
    const result = this.newTemporary();
    const whenTrue = this.newBlock();
    const whenFalse = this.newBlock();
    const join = this.newBlock();
    this.lowerCondition(node, whenTrue.id, whenFalse.id);
    this.switchTo(whenTrue);
    this.emit({ op: 'copy', dst: result, src: { kind: 'imm', value: 1n, width: 32 }, width: 32, range: this.range(node) });
    this.jumpTo(join, node);
    this.switchTo(whenFalse);
    this.emit({ op: 'copy', dst: result, src: { kind: 'imm', value: 0n, width: 32 }, width: 32, range: this.range(node) });
    this.jumpTo(join, node);
    this.switchTo(join);
    this.temporaries.delete(result); // assigned in two places: never retarget
    return { value: { kind: 'reg', id: result }, type: Types.int };
  }

  private lowerUnary(node: Node): RValue {
    const operator = node.childForFieldName('operator')!.text;
    const argumentNode = node.childForFieldName('argument')!;
    if (operator === '!') {
      const value = this.lowerRValue(argumentNode);
      const bit = this.toBoolean(value, argumentNode);
      const dst = this.newTemporary();
      this.emit({ op: 'compare', dst, predicate: 'eq', left: bit, right: { kind: 'imm', value: 0n, width: 1 }, width: 1, pointers: false, range: this.range(node) });
      return this.booleanToInt({ kind: 'reg', id: dst }, node);
    }
    const value = this.lowerRValue(argumentNode);
    if (!isInteger(value.type)) throw this.unsupported(`unary '${operator}' on ${typeToString(value.type)}`, node);
    const type = promote(value.type);
    const converted = this.convert(value, type, node);
    const width = type.size * 8;
    if (operator === '+') return converted;
    if (operator === '-') return this.emitBinary('sub', { kind: 'imm', value: 0n, width }, converted.value, type, node);
    if (operator === '~') return this.emitBinary('xor', converted.value, { kind: 'imm', value: (1n << BigInt(width)) - 1n, width }, type, node);
    throw this.unsupported(`unary operator '${operator}'`, node);
  }

  private lowerUpdate(node: Node, wantValue: boolean): RValue {
    const operator = node.childForFieldName('operator')!.text;
    const argumentNode = node.childForFieldName('argument')!;
    const prefix = node.text.trimStart().startsWith(operator);
    const place = this.lowerLValue(argumentNode);
    const old = this.load(place, node);
    let saved = old;
    if (wantValue && !prefix && place.kind === 'register') {
      // The register is about to change; keep the old value for the postfix result.
      const copy = this.newTemporary();
      this.emit({ op: 'copy', dst: copy, src: old.value, width: widthOf(old.type), range: this.range(node) });
      saved = { value: { kind: 'reg', id: copy }, type: old.type };
    }
    const one: RValue = { value: { kind: 'imm', value: 1n, width: 32 }, type: Types.int };
    const updated = this.binaryOperation(operator === '++' ? '+' : '-', old, one, node);
    const stored = this.assign(place, updated, node);
    return prefix ? stored : saved;
  }

  private lowerAssignment(node: Node): RValue {
    const operator = node.childForFieldName('operator')!.text;
    const leftNode = node.childForFieldName('left')!;
    const rightNode = node.childForFieldName('right')!;
    const place = this.lowerLValue(leftNode);
    if (operator === '=') {
      if (place.type.kind === 'record') {
        this.copyAggregate(place, this.lowerLValue(rightNode), node);
        return { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.void };
      }
      return this.assign(place, this.lowerRValue(rightNode), node);
    }
    const binaryOperator = operator.slice(0, -1);
    const current = this.load(place, node);
    const right = this.lowerRValue(rightNode);
    return this.assign(place, this.binaryOperation(binaryOperator, current, right, node), node);
  }

  private lowerConditional(node: Node): RValue {
    const condition = node.childForFieldName('condition')!;
    const consequence = node.childForFieldName('consequence')!;
    const alternative = node.childForFieldName('alternative')!;
    const whenTrue = this.newBlock();
    const whenFalse = this.newBlock();
    const join = this.newBlock();
    this.lowerCondition(condition, whenTrue.id, whenFalse.id);
    const result = this.newTemporary();
    this.temporaries.delete(result);
    this.switchTo(whenTrue);
    const t = this.lowerRValue(consequence);
    const trueEnd = this.current;
    this.switchTo(whenFalse);
    const f = this.lowerRValue(alternative);
    const falseEnd = this.current;
    let type: CType;
    if (isInteger(t.type) && isInteger(f.type)) type = usualArithmetic(t.type, f.type);
    else if (isPointerValue(t.type)) type = decayed(t.type);
    else if (isPointerValue(f.type)) type = decayed(f.type);
    else if (t.type.kind === 'void' && f.type.kind === 'void') type = Types.void;
    else throw this.unsupported(`'?:' with ${typeToString(t.type)} and ${typeToString(f.type)}`, node);
    const width = widthOf(type);
    this.switchTo(trueEnd);
    if (type.kind !== 'void') this.emit({ op: 'copy', dst: result, src: this.convert(t, type, consequence).value, width, range: this.range(consequence) });
    this.jumpTo(join, node);
    this.switchTo(falseEnd);
    if (type.kind !== 'void') this.emit({ op: 'copy', dst: result, src: this.convert(f, type, alternative).value, width, range: this.range(alternative) });
    this.jumpTo(join, node);
    this.switchTo(join);
    return { value: { kind: 'reg', id: result }, type };
  }

  /** `discarded`: the call is a statement of its own, so its result goes nowhere (no destination register). */
  private lowerCall(node: Node, discarded = false): RValue {
    const functionNode = node.childForFieldName('function')!;
    const castType = this.typedefInParentheses(functionNode);
    if (castType) {
      // `((u16)(x))`: a cast written like a call through a parenthesised name that is a typedef.
      const argument = node.childForFieldName('arguments')!.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      if (argument.length !== 1) throw this.failure('syntax-error', `cast to '${functionNode.text}' needs one operand`, node);
      if (castType.kind === 'void') {
        this.lowerExpressionForEffect(argument[0]!);
        return { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.void };
      }
      return this.convert(this.lowerRValue(argument[0]!), castType, node, true);
    }
    let named = functionNode;
    // `(f)(x)` calls f (the parentheses only stop a function-like macro named f from expanding).
    while (named.type === 'parenthesized_expression' && named.namedChildren.length === 1 && named.namedChildren[0]) named = named.namedChildren[0];
    if (named.type !== 'identifier' || (this.calleeOverride === undefined && this.lookup(named.text))) return this.lowerIndirectCall(named, node, discarded);
    const callee = this.calleeOverride ?? named.text;
    this.calleeOverride = undefined;
    const declaration = this.unit.functions.get(callee) ?? this.globalFunctionPointer(callee);
    if (!declaration) {
      const builtin = this.lowerBuiltin(callee, node, discarded);
      if (builtin) return builtin;
      throw this.failure('unknown-identifier', `function '${callee}' is not declared; is a header missing?`, node);
    }
    return this.emitCall(callee, declaration.type, node, discarded);
  }

  /**
   * A call through a function pointer held in a local variable, a field or an array element
   * (`p->rx_pkt_burst(...)`, `(*handler)(...)`): which function it reaches is not known, so it is a
   * call without a body, named `(*EXPRESSION)` as written, of the pointer's function type. Its cost
   * is not counted and what its pointer arguments reach becomes unknown, as for any unmodelled
   * call. The expression that gives the pointer is not evaluated (a NULL pointer there is not an
   * error class).
   */
  private lowerIndirectCall(callee: Node, node: Node, discarded: boolean): RValue {
    let target = callee;
    for (;;) {
      if (target.type === 'parenthesized_expression' && target.namedChildren.length === 1 && target.namedChildren[0]) target = target.namedChildren[0];
      else if (target.type === 'pointer_expression' && target.childForFieldName('operator')?.text === '*' && target.childForFieldName('argument')) target = target.childForFieldName('argument')!;
      else break;
    }
    let type: CType;
    try {
      type = this.staticTypeOf(target);
    } catch {
      throw this.unsupported(`calling through '${callee.text}', whose function type is not known`, node);
    }
    const fn = type.kind === 'function' ? type : type.kind === 'pointer' && type.to.kind === 'function' ? type.to : undefined;
    if (!fn) throw this.unsupported(`calling '${callee.text}', which is not a function (${typeToString(type)})`, node);
    return this.emitCall(`(*${target.text.replace(/\s+/g, '')})`, fn, node, discarded);
  }

  /**
   * A global function pointer, such as the BPF helpers
   * (`static void *(*bpf_map_lookup_elem)(void *, const void *) = (void *) 1;`) or one the program
   * may assign (`extern void (*rte_delay_us)(unsigned)`): a call through it is a call without a
   * body named by the variable, which a declared contract can give a cost.
   */
  private globalFunctionPointer(name: string): FunctionDeclaration | undefined {
    const global = this.unit.globals.get(name);
    if (!global || global.type.kind !== 'pointer' || global.type.to.kind !== 'function') return undefined;
    return { name, type: global.type.to, paramNames: global.type.to.params.map((_, i) => `arg${i}`), file: global.file, definition: undefined, hasSyntaxError: false, annotations: [], line: 0 };
  }

  /** The call instruction for `callee` of function type `type`, its arguments converted to the parameter types. */
  private emitCall(callee: string, type: Extract<CType, { kind: 'function' }>, node: Node, discarded: boolean): RValue {
    const argNodes = node.childForFieldName('arguments')!.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    const params = type.params;
    if (argNodes.length < params.length || (argNodes.length > params.length && !type.variadic)) {
      throw this.failure('unsupported', `'${callee}' expects ${params.length} arguments, got ${argNodes.length}`, node);
    }
    const args: Operand[] = [];
    const argWidths: number[] = [];
    argNodes.forEach((argNode, index) => {
      const value = this.lowerRValue(argNode);
      const target = params[index] ?? (isInteger(value.type) ? promote(value.type) : value.type);
      if (target.kind === 'record') throw this.unsupported('passing a struct by value', argNode);
      const converted = this.convert(value, target, argNode);
      args.push(converted.value);
      argWidths.push(widthOf(target));
    });
    this.callees.add(callee);
    const returns = type.returns;
    if (returns.kind === 'record') throw this.unsupported('a function returning a struct', node);
    const dst = returns.kind === 'void' || discarded ? undefined : this.newTemporary();
    this.emit({
      op: 'call', dst, callee, args, argWidths, returnWidth: widthOf(returns), returnsPointer: returns.kind === 'pointer', range: this.range(node),
      ...(returns.kind === 'pointer' ? { pointee: pointeeInfo(returns) } : {}),
    });
    if (dst === undefined) return { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.void };
    return { value: { kind: 'reg', id: dst }, type: returns };
  }

  /**
   * gcc's builtins that real headers use. Value-preserving ones are lowered to what they compute;
   * the memory ones are the intrinsics; the others (`__atomic_*`, `__sync_*`, target builtins) are
   * calls to functions without a body, which the contract reports as unmodelled where reached.
   */
  private lowerBuiltin(callee: string, node: Node, discarded: boolean): RValue | undefined {
    const args = node.childForFieldName('arguments')!.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    const zero: RValue = { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.void };
    switch (callee) {
      case '__builtin_expect':
      case '__builtin_expect_with_probability':
      case '__builtin_assume_aligned':
        return args[0] ? this.lowerRValue(args[0]) : undefined;
      case '__builtin_constant_p': {
        // gcc folds it to 1 only for constant operands; anything else is 0 (as at -O0).
        const constant = args[0] ? this.unit.tryConstantValue(args[0], this.file) !== undefined : false;
        return { value: { kind: 'imm', value: constant ? 1n : 0n, width: 32 }, type: Types.int };
      }
      case '__builtin_prefetch':
        return zero; // a hint: no effect on the result; its cost is not modelled
      case '__builtin_unreachable':
      case '__builtin_trap':
        this.terminate({ op: 'unreachable', reason: `${callee}() reached`, range: this.range(node) });
        this.startDeadBlock();
        return zero;
      case '__builtin_memcpy':
      case '__builtin_memset':
      case '__builtin_memcmp':
      case '__builtin_memmove': {
        const plain = callee.slice('__builtin_'.length);
        if (!this.unit.functions.has(plain)) {
          // gcc needs no header for its builtins (BPF programs include no <string.h>): the C library's prototype.
          const pointer = pointerTo(Types.void);
          const params = plain === 'memset' ? [pointer, Types.int, Types.ulong] : [pointer, pointer, Types.ulong];
          this.unit.functions.set(plain, {
            name: plain, type: { kind: 'function', returns: plain === 'memcmp' ? Types.int : pointer, params, variadic: false },
            paramNames: plain === 'memset' ? ['s', 'c', 'n'] : ['a', 'b', 'n'], file: '<built-in>', definition: undefined, hasSyntaxError: false, annotations: [], line: 0,
          });
        }
        return this.lowerCallNamed(plain, node, discarded);
      }
      default:
        break;
    }
    if (/^__builtin_bswap(16|32|64)$/.test(callee) && args.length === 1) return this.lowerByteSwap(Number(callee.slice(15)), args[0]!, node);
    const atomic = this.lowerAtomic(callee, args, node);
    if (atomic) return atomic;
    if (/^__(builtin|atomic|sync)_/.test(callee)) {
      // An implicit declaration, as gcc has one for each builtin: `long f(...)`.
      this.unit.functions.set(callee, {
        name: callee, type: { kind: 'function', returns: Types.long, params: [], variadic: true }, paramNames: [], file: '<built-in>',
        definition: undefined, hasSyntaxError: false, annotations: [], line: 0,
      });
      return this.lowerCallNamed(callee, node, discarded);
    }
    return undefined;
  }

  /**
   * gcc's atomic builtins on one object, as the single thread the analysis follows sees them: a
   * load, a store, or a read-modify-write returning the old (`__atomic_fetch_OP`,
   * `__sync_fetch_and_OP`) or the new value (`__atomic_OP_fetch`, `__sync_OP_and_fetch`). The
   * memory order arguments are evaluated and ignored. Others (`compare_exchange`, `exchange`,
   * `test_and_set`) stay calls without a body.
   */
  private lowerAtomic(callee: string, args: Node[], node: Node): RValue | undefined {
    const operators: Record<string, BinaryOp> = { add: 'add', sub: 'sub', and: 'and', or: 'or', xor: 'xor' };
    const fetchFirst = /^__(?:atomic_fetch_(add|sub|and|or|xor)|sync_fetch_and_(add|sub|and|or|xor))$/.exec(callee);
    const fetchAfter = /^__(?:atomic_(add|sub|and|or|xor)_fetch|sync_(add|sub|and|or|xor)_and_fetch)$/.exec(callee);
    const isLoad = callee === '__atomic_load_n';
    const isStore = callee === '__atomic_store_n';
    if (!isLoad && !isStore && !fetchFirst && !fetchAfter) return undefined;
    const pointer = args[0] ? this.lowerRValue(args[0]) : undefined;
    if (!pointer || !isPointerValue(pointer.type)) throw this.unsupported(`'${callee}' without a pointer to an object`, node);
    const type = pointeeOf(pointer.type);
    const place: LValue = { kind: 'memory', address: pointer.value, type };
    // Memory orders (and __sync's variadic extras) are evaluated for their effects only.
    const operandCount = isLoad ? 1 : 2;
    for (const extra of args.slice(operandCount)) this.lowerExpressionForEffect(extra);
    if (isLoad) return this.load(place, node);
    if (!args[1]) throw this.unsupported(`'${callee}' without a value`, node);
    const value = this.lowerRValue(args[1]);
    if (isStore) {
      this.assign(place, value, node);
      return { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.void };
    }
    if (!isInteger(type)) throw this.unsupported(`'${callee}' on a ${typeToString(type)}`, node);
    const old = this.load(place, node);
    const operator = operators[(fetchFirst ?? fetchAfter)!.slice(1).find((g) => g !== undefined)!]!;
    const updated = this.emitBinary(operator, old.value, this.convert(value, type, args[1]).value, type, node);
    this.assign(place, updated, node);
    return fetchFirst ? old : updated;
  }

  /** Stops the function (PC404) when `type`'s layout depends on an array size that was not computed. */
  private requireKnownSize(type: CType, node: Node): void {
    const unknown = uncomputedSize(type);
    if (unknown !== undefined) {
      throw this.failure('unknown-type', `the layout of ${typeToString(type)} depends on the array size '${unknown}', which could not be computed`, node);
    }
  }

  private lowerCallNamed(callee: string, node: Node, discarded: boolean): RValue {
    this.calleeOverride = callee;
    try {
      return this.lowerCall(node, discarded);
    } finally {
      this.calleeOverride = undefined;
    }
  }

  /** `__builtin_bswapN(x)`: the bytes of x reversed, with shifts and masks (what the instruction computes). */
  private lowerByteSwap(bits: number, argument: Node, node: Node): RValue {
    const type = bits === 16 ? Types.ushort : bits === 32 ? Types.uint : Types.ulong;
    const width = bits === 16 ? 32 : bits;
    const value = this.convert(this.lowerRValue(argument), bits === 16 ? Types.uint : type, argument);
    let result: Operand = { kind: 'imm', value: 0n, width };
    for (let byte = 0; byte < bits / 8; byte++) {
      const from = byte * 8;
      const to = bits - 8 - from;
      const shifted = this.emitBinaryOfWidth(from > to ? 'lshr' : 'shl', value.value, { kind: 'imm', value: BigInt(Math.abs(from - to)), width }, width, node);
      const masked = this.emitBinaryOfWidth('and', shifted, { kind: 'imm', value: 0xffn << BigInt(to), width }, width, node);
      result = byte === 0 ? masked : this.emitBinaryOfWidth('or', result, masked, width, node);
    }
    return this.convert({ value: result, type: bits === 16 ? Types.uint : type }, type, node);
  }

  private emitBinaryOfWidth(op: BinaryOp, left: Operand, right: Operand, width: number, node: Node): Operand {
    const folded = foldConstants(op, left, right, width);
    if (folded !== undefined) return { kind: 'imm', value: folded, width };
    const dst = this.newTemporary();
    this.emit({ op: 'binary', operator: op, dst, left, right, width, range: this.range(node) });
    return { kind: 'reg', id: dst };
  }

  /** `({ stmt; ...; expr; })`: the statements run in a scope of their own; the last expression is the value. */
  private lowerStatementExpression(body: Node): RValue {
    const items = body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    this.scopes.push(new Map());
    try {
      const last = items[items.length - 1];
      for (const item of items.slice(0, -1)) this.lowerStatement(item);
      if (last?.type === 'expression_statement' && last.namedChildren[0]) return this.lowerRValue(last.namedChildren[0]);
      if (last) this.lowerStatement(last);
      return { value: { kind: 'imm', value: 0n, width: 32 }, type: Types.void };
    } finally {
      this.scopes.pop();
    }
  }

  /** The type named by `(T)` when T is a typedef name and not a variable in scope (a cast tree-sitter parsed as an expression). */
  private typedefInParentheses(node: Node): CType | undefined {
    if (node.type !== 'parenthesized_expression') return undefined;
    const inner = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    if (inner.length !== 1 || inner[0]!.type !== 'identifier') return undefined;
    const name = inner[0]!.text;
    if (this.lookup(name) || this.unit.globals.has(name) || this.unit.functions.has(name) || this.unit.enumConstants.has(name)) return undefined;
    return this.unit.typeNamed(name, this.file, node);
  }

  /** The unary expression `operator operand` (for a typedef cast tree-sitter parsed as a binary expression). */
  private lowerUnaryOf(operator: string, operand: Node, node: Node): RValue {
    if (operator === '*') {
      return this.load(this.lowerLValueOfPointer(operand), node);
    }
    if (operator === '&') {
      const place = this.lowerLValue(operand);
      if (place.kind !== 'memory') throw this.unsupported(`taking the address of '${operand.text.slice(0, 30)}'`, node);
      return { value: place.address, type: pointerTo(place.type) };
    }
    const value = this.lowerRValue(operand);
    if (operator === '+') return value;
    if (!isInteger(value.type)) throw this.unsupported(`'-' on a non-integer`, node);
    const promoted = this.convert(value, promote(value.type), node);
    const width = widthOf(promoted.type);
    return { value: this.emitBinaryOfWidth('sub', { kind: 'imm', value: 0n, width }, promoted.value, width, node), type: promoted.type };
  }

  private lowerLValueOfPointer(operand: Node): LValue {
    const pointer = this.lowerRValue(operand);
    if (!isPointerValue(pointer.type)) throw this.unsupported("'*' on a non-pointer", operand);
    return { kind: 'memory', address: pointer.value, type: pointeeOf(pointer.type) };
  }

  // ----- places -----

  private lowerLValue(node: Node): LValue {
    switch (node.type) {
      case 'parenthesized_expression': return this.lowerLValue(node.namedChildren[0]!);
      case 'compound_literal_expression': return this.lowerCompoundLiteral(node);
      case 'identifier': {
        const name = node.text;
        const binding = this.lookup(name);
        if (binding?.kind === 'register') return { kind: 'register', register: binding.register, type: binding.type };
        if (binding?.kind === 'slot') return { kind: 'memory', address: this.emitAddressOfSlot(binding.slot, node), type: binding.type };
        const global = this.unit.globals.get(name);
        if (global) {
          this.requireKnownSize(global.type, node);
          if (global.type.kind === 'record' && !global.type.complete) throw this.failure('unknown-type', `global '${name}' has incomplete type`, node);
          const dst = this.newTemporary();
          this.emit({ op: 'address', dst, base: { kind: 'global', name }, range: this.range(node) });
          if (this.isWriteContext(node)) this.context.writtenGlobals.add(name);
          return { kind: 'memory', address: { kind: 'reg', id: dst }, type: global.type };
        }
        throw this.undeclared(name, node);
      }
      case 'subscript_expression': {
        const base = this.lowerRValue(node.childForFieldName('argument')!);
        const index = this.lowerRValue(node.childForFieldName('index')!);
        const [pointer, offset] = isPointerValue(base.type) ? [base, index] : [index, base];
        if (!isPointerValue(pointer.type)) throw this.unsupported('subscript of a non-pointer', node);
        const element = this.pointerArithmetic(pointer, offset, false, node);
        return { kind: 'memory', address: element.value, type: pointeeOf(pointer.type) };
      }
      case 'field_expression': {
        const operator = node.childForFieldName('operator')!.text;
        const argumentNode = node.childForFieldName('argument')!;
        const fieldName = node.childForFieldName('field')!.text;
        let address: Operand;
        let record: CType;
        if (operator === '->') {
          const pointer = this.lowerRValue(argumentNode);
          if (!isPointerValue(pointer.type)) throw this.unsupported("'->' on a non-pointer", node);
          address = pointer.value;
          record = pointeeOf(pointer.type);
          this.requireKnownSize(record, node);
        } else {
          const place = this.lowerLValue(argumentNode);
          if (place.kind !== 'memory') throw this.unsupported("'.' on a value that is not in memory", node);
          address = place.address;
          record = place.type;
        }
        if (record.kind !== 'record') throw this.failure('unknown-type', `'${argumentNode.text}' is not a struct or union`, node);
        if (!record.complete) throw this.failure('unknown-type', `${typeToString(record)} is incomplete; is a header missing?`, node);
        const field = findField(record, fieldName);
        if (!field) throw this.failure('unknown-identifier', `no field '${fieldName}' in ${typeToString(record)}`, node);
        return { kind: 'memory', address: this.offsetPointer(address, field.offset, node), type: field.type, bitOffset: field.bitOffset, bitWidth: field.bitWidth };
      }
      case 'pointer_expression': {
        if (node.childForFieldName('operator')!.text !== '*') throw this.unsupported("'&' result as an assignable place", node);
        const pointer = this.lowerRValue(node.childForFieldName('argument')!);
        if (!isPointerValue(pointer.type)) throw this.unsupported("'*' on a non-pointer", node);
        return { kind: 'memory', address: pointer.value, type: pointeeOf(pointer.type) };
      }
      case 'call_expression': {
        throw this.unsupported('assigning to a call result', node);
      }
      default:
        throw this.unsupported(`'${node.text.slice(0, 30)}' as an assignable place`, node);
    }
  }

  /** Whether a global's identifier is written or its address escapes here (so its initial value is not known). */
  private isWriteContext(node: Node): boolean {
    let child = node;
    let parent = node.parent;
    while (parent && (parent.type === 'parenthesized_expression' || parent.type === 'subscript_expression' && parent.childForFieldName('argument')?.id === child.id || parent.type === 'field_expression' && parent.childForFieldName('operator')?.text === '.')) {
      child = parent;
      parent = parent.parent;
    }
    if (!parent) return false;
    if (parent.type === 'assignment_expression' && parent.childForFieldName('left')?.id === child.id) return true;
    if (parent.type === 'update_expression') return true;
    if (parent.type === 'pointer_expression' && parent.childForFieldName('operator')?.text === '&') return true;
    // An array or struct used as a whole (passed, assigned to a pointer) escapes.
    const global = this.unit.globals.get(node.text);
    if (global && (global.type.kind === 'array' || global.type.kind === 'record') && child.id === node.id && parent.type !== 'sizeof_expression') return true;
    if (child.id !== node.id && parent.type === 'field_expression' && parent.childForFieldName('operator')?.text === '->') return false;
    if (child.id !== node.id && (parent.type === 'argument_list' || parent.type === 'init_declarator' || parent.type === 'assignment_expression' || parent.type === 'return_statement')) {
      const type = global?.type;
      return type !== undefined && (type.kind === 'array' || type.kind === 'record');
    }
    return false;
  }

  private load(place: LValue, node: Node): RValue {
    if (place.kind === 'register') return { value: { kind: 'reg', id: place.register }, type: place.type };
    const type = place.type;
    if (type.kind === 'array') return { value: place.address, type: pointerTo(type.of) }; // arrays decay
    if (type.kind === 'function') return { value: place.address, type: pointerTo(type) };
    if (type.kind === 'record') return { value: place.address, type }; // used only by member access and copies
    if (type.kind === 'void') throw this.unsupported('reading a void value', node);
    const dst = this.newTemporary();
    if (place.bitWidth !== undefined && type.kind === 'int') {
      const storageWidth = type.size * 8;
      this.emit({ op: 'load', dst, address: place.address, width: storageWidth, pointer: false, range: this.range(node) });
      return this.extractBits({ kind: 'reg', id: dst }, type, place.bitOffset ?? 0, place.bitWidth, node);
    }
    const mbuf = type.kind === 'pointer' ? this.mbufBuffer(node) : undefined;
    this.emit({
      op: 'load', dst, address: place.address, width: widthOf(type), pointer: type.kind === 'pointer', range: this.range(node),
      ...(type.kind === 'pointer' ? { pointee: { ...pointeeInfo(type), ...(mbuf ? { mbuf } : {}) } } : {}),
    });
    return { value: { kind: 'reg', id: dst }, type };
  }

  private extractBits(storage: Operand, type: IntType, bitOffset: number, bitWidth: number, node: Node): RValue {
    const width = type.size * 8;
    const shiftedLeft = this.emitBinary('shl', storage, { kind: 'imm', value: BigInt(width - bitOffset - bitWidth), width }, type, node);
    return this.emitBinary(type.signed ? 'ashr' : 'lshr', shiftedLeft.value, { kind: 'imm', value: BigInt(width - bitWidth), width }, type, node);
  }

  /** Stores a value into a place after converting it to the place's type; returns the stored value. */
  private assign(place: LValue, value: RValue, node: Node): RValue {
    const converted = this.convert(value, place.type, node);
    if (place.kind === 'register') {
      const last = this.current.instructions[this.current.instructions.length - 1];
      const source = converted.value;
      if (!this.isTerminated() && source.kind === 'reg' && this.temporaries.has(source.id) && last && 'dst' in last && last.dst === source.id) {
        // Retarget the computation into the variable's register instead of copying it.
        (last as { dst: number }).dst = place.register;
        this.temporaries.delete(source.id);
      } else {
        this.emit({ op: 'copy', dst: place.register, src: source, width: widthOf(place.type), range: this.range(node) });
      }
      return { value: { kind: 'reg', id: place.register }, type: place.type };
    }
    if (place.type.kind === 'array' || place.type.kind === 'record') throw this.unsupported('assigning an array', node);
    if (place.bitWidth !== undefined && place.type.kind === 'int') {
      this.storeBits(place, converted, node);
      return converted;
    }
    this.emit({ op: 'store', address: place.address, value: converted.value, width: widthOf(place.type), pointer: place.type.kind === 'pointer', range: this.range(node) });
    return converted;
  }

  private storeBits(place: Extract<LValue, { kind: 'memory' }>, value: RValue, node: Node): void {
    const type = place.type as IntType;
    const width = type.size * 8;
    const mask = ((1n << BigInt(place.bitWidth!)) - 1n) << BigInt(place.bitOffset ?? 0);
    const old = this.newTemporary();
    this.emit({ op: 'load', dst: old, address: place.address, width, pointer: false, range: this.range(node) });
    const cleared = this.emitBinary('and', { kind: 'reg', id: old }, { kind: 'imm', value: BigInt.asUintN(width, ~mask), width }, type, node);
    const shifted = this.emitBinary('shl', value.value, { kind: 'imm', value: BigInt(place.bitOffset ?? 0), width }, type, node);
    const masked = this.emitBinary('and', shifted.value, { kind: 'imm', value: mask, width }, type, node);
    const combined = this.emitBinary('or', cleared.value, masked.value, type, node);
    this.emit({ op: 'store', address: place.address, value: combined.value, width, pointer: false, range: this.range(node) });
  }

  /** Struct assignment copies field by field (each scalar a load and a store), like unoptimised code. */
  private copyAggregate(destination: LValue, source: LValue, node: Node): void {
    if (destination.kind !== 'memory' || source.kind !== 'memory') throw this.unsupported('struct copy', node);
    const type = destination.type;
    if (type.kind !== 'record' && type.kind !== 'array') {
      this.assign(destination, this.load(source, node), node);
      return;
    }
    const parts = type.kind === 'array'
      ? Array.from({ length: type.length ?? 0 }, (_, i) => ({ offset: i * sizeOf(type.of), type: type.of as CType }))
      : type.union ? [{ offset: 0, type: { kind: 'array', of: Types.uchar, length: type.size } as CType }] : type.fields.filter((f) => f.bitWidth === undefined).map((f) => ({ offset: f.offset, type: f.type }));
    if (type.kind === 'record' && type.fields.some((f) => f.bitWidth !== undefined)) throw this.unsupported('copying a struct with bit-fields', node);
    for (const part of parts) {
      this.copyAggregate(
        { kind: 'memory', address: this.offsetPointer(destination.address, part.offset, node), type: part.type },
        { kind: 'memory', address: this.offsetPointer(source.address, part.offset, node), type: part.type },
        node,
      );
    }
  }

  private addressOf(place: LValue, node: Node): RValue {
    if (place.kind === 'register') throw this.failure('unsupported', 'taking the address of a register variable', node);
    return { value: place.address, type: pointerTo(place.type) };
  }

  private emitAddressOfSlot(slot: number, node: Node): Operand {
    const dst = this.newTemporary();
    this.emit({ op: 'address', dst, base: { kind: 'slot', slot }, range: this.range(node) });
    return { kind: 'reg', id: dst };
  }

  private offsetPointer(pointer: Operand, offset: number, node: Node): Operand {
    if (offset === 0) return pointer;
    const dst = this.newTemporary();
    this.emit({ op: 'offset', dst, pointer, byteOffset: { kind: 'imm', value: BigInt.asUintN(64, BigInt(offset)), width: 64 }, range: this.range(node) });
    return { kind: 'reg', id: dst };
  }

  // ----- conversions -----

  /** Converts a value to a type following C's rules (integer widening/narrowing, pointer casts). */
  private convert(value: RValue, to: CType, node: Node, explicit = false): RValue {
    const from = value.type;
    if (to.kind === 'int' && to.isBool) {
      if (from.kind === 'int' && from.isBool) return value;
      const bit = this.toBoolean(value, node);
      const dst = this.newTemporary();
      this.emit({ op: 'cast', dst, cast: 'zext', src: bit, from: 1, to: 8, range: this.range(node) });
      return { value: { kind: 'reg', id: dst }, type: to };
    }
    if (to.kind === 'int' && from.kind === 'int') {
      const fromWidth = from.size * 8;
      const toWidth = to.size * 8;
      if (fromWidth === toWidth) return { value: value.value, type: to };
      if (value.value.kind === 'imm') {
        const raw = from.signed ? BigInt.asIntN(fromWidth, value.value.value) : value.value.value;
        return { value: { kind: 'imm', value: BigInt.asUintN(toWidth, raw), width: toWidth }, type: to };
      }
      const dst = this.newTemporary();
      const cast = toWidth < fromWidth ? 'trunc' : from.signed ? 'sext' : 'zext';
      this.emit({ op: 'cast', dst, cast, src: value.value, from: fromWidth, to: toWidth, range: this.range(node) });
      return { value: { kind: 'reg', id: dst }, type: to };
    }
    if (to.kind === 'pointer') {
      if (isPointerValue(from)) return { value: value.value, type: to };
      if (from.kind === 'int' && value.value.kind === 'imm' && value.value.value === 0n) return { value: { kind: 'null' }, type: to };
      if (from.kind === 'int') {
        const packet = this.packetField(node);
        if (packet) {
          const dst = this.newTemporary();
          this.emit({ op: 'packetPointer', dst, field: packet, src: value.value, range: this.range(node) });
          return { value: { kind: 'reg', id: dst }, type: to };
        }
        throw this.failure('invalid-pointer', `converting the integer '${node.text.slice(0, 30)}' to a pointer`, node);
      }
    }
    if (to.kind === 'int' && isPointerValue(from)) {
      throw this.failure('invalid-pointer', `converting the pointer '${node.text.slice(0, 30)}' to an integer`, node);
    }
    if (to.kind === 'record' && from.kind === 'record' && to === from) return value;
    if (to.kind === 'void') return value;
    if (explicit || from !== to) {
      if (from.kind === to.kind && from.kind !== 'int') return { value: value.value, type: to };
      throw this.unsupported(`conversion from ${typeToString(from)} to ${typeToString(to)}`, node);
    }
    return value;
  }

  /**
   * The packet field an integer converted to a pointer reads, when it is `CTX->data`, `CTX->data_end`
   * or `CTX->data_meta` of an XDP context (`struct xdp_md *`) or a socket buffer (`struct __sk_buff *`),
   * under any casts and parentheses: `(void *)(long)ctx->data`. The executor and the interpreter make
   * it a pointer into the one packet object (symex/packet.ts).
   */
  private packetField(node: Node): PacketField | undefined {
    let inner: Node | null = node;
    while (inner && (inner.type === 'cast_expression' || inner.type === 'parenthesized_expression')) {
      inner = inner.type === 'cast_expression' ? inner.childForFieldName('value') : inner.namedChild(0);
    }
    if (!inner || inner.type !== 'field_expression') return undefined;
    const field = inner.childForFieldName('field')?.text;
    if (field !== 'data' && field !== 'data_end' && field !== 'data_meta') return undefined;
    const argument = inner.childForFieldName('argument');
    if (!argument) return undefined;
    let type: CType;
    try { type = this.staticTypeOf(argument); } catch { return undefined; }
    const record = inner.childForFieldName('operator')?.text === '->' ? (type.kind === 'pointer' ? type.to : undefined) : type;
    if (!record || record.kind !== 'record' || !PACKET_CONTEXTS.has(record.tag)) return undefined;
    return field;
  }

  /** For `M->buf_addr` of a DPDK `struct rte_mbuf`: where the mbuf keeps `data_off`, `data_len` and `buf_len`. */
  private mbufBuffer(node: Node): MbufLayout | undefined {
    if (node.type !== 'field_expression' || node.childForFieldName('field')?.text !== 'buf_addr') return undefined;
    const argument = node.childForFieldName('argument');
    if (!argument) return undefined;
    let type: CType;
    try { type = this.staticTypeOf(argument); } catch { return undefined; }
    const record = node.childForFieldName('operator')?.text === '->' ? (type.kind === 'pointer' ? type.to : undefined) : type;
    if (!record || record.kind !== 'record' || record.tag !== 'rte_mbuf') return undefined;
    const offsets = ['data_off', 'data_len', 'buf_len'].map((name) => {
      const field = findField(record, name);
      return field && field.type.kind === 'int' && field.type.size === 2 && field.bitWidth === undefined ? field.offset : undefined;
    });
    if (offsets.some((o) => o === undefined)) return undefined;
    return { dataOff: offsets[0]!, dataLen: offsets[1]!, bufLen: offsets[2]! };
  }

  private typeOfDescriptor(node: Node): CType {
    return this.unit.resolveTypeDescriptor(node, this.file);
  }

  private sizeofNode(node: Node): number {
    const typeNode = node.childForFieldName('type');
    if (typeNode) {
      const type = this.typeOfDescriptor(typeNode);
      this.requireKnownSize(type, node);
      return sizeOf(type);
    }
    const valueNode = node.childForFieldName('value')!;
    // `sizeof(T)` with T a typedef parses as sizeof of a parenthesised name.
    const typedef = this.typedefInParentheses(valueNode);
    if (typedef) return sizeOf(typedef);
    const type = this.staticTypeOf(valueNode);
    this.requireKnownSize(type, node);
    return sizeOf(type);
  }

  /** The type of an expression without emitting code (for sizeof). */
  private staticTypeOf(node: Node): CType {
    const savedBlocks = this.blocks.length;
    const savedCurrent = this.current;
    const savedCount = this.current.instructions.length;
    const savedRegisters = this.registerCount;
    this.current = this.newBlock();
    try {
      const inner = node.type === 'parenthesized_expression' ? node.namedChildren[0]! : node;
      if (inner.type === 'identifier' || inner.type === 'subscript_expression' || inner.type === 'field_expression' || (inner.type === 'pointer_expression' && inner.childForFieldName('operator')?.text === '*')) {
        return this.lowerLValue(inner).type;
      }
      return this.lowerRValue(inner).type;
    } finally {
      this.blocks.length = savedBlocks;
      this.current = savedCurrent;
      this.current.instructions.length = savedCount;
      this.registerCount = savedRegisters;
    }
  }

  private constantExpression(node: Node): bigint {
    const value = this.unit.tryConstantValue(node, this.file);
    if (value !== undefined) return value;
    if (node.type === 'sizeof_expression') return BigInt(this.sizeofNode(node));
    throw this.failure('unsupported', `'${node.text}' is not a constant expression`, node);
  }

  // ----- macros -----

}

// ----- helpers -----

/** Folds an operation on two constants, as a compiler does; leaves division by zero and oversized shifts to run time. */
function foldConstants(operator: BinaryOp, left: Operand, right: Operand, width: number): bigint | undefined {
  if (left.kind !== 'imm' || right.kind !== 'imm') return undefined;
  const a = BigInt.asUintN(width, left.value);
  const b = BigInt.asUintN(width, right.value);
  const sa = BigInt.asIntN(width, a);
  const sb = BigInt.asIntN(width, b);
  const wrap = (v: bigint) => BigInt.asUintN(width, v);
  switch (operator) {
    case 'add': return wrap(a + b);
    case 'sub': return wrap(a - b);
    case 'mul': return wrap(a * b);
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'udiv': return b === 0n ? undefined : a / b;
    case 'urem': return b === 0n ? undefined : a % b;
    case 'sdiv': return sb === 0n || (sb === -1n && sa === -(1n << BigInt(width - 1))) ? undefined : wrap(sa / sb);
    case 'srem': return sb === 0n || (sb === -1n && sa === -(1n << BigInt(width - 1))) ? undefined : wrap(sa % sb);
    case 'shl': return b >= BigInt(width) ? undefined : wrap(a << b);
    case 'lshr': return b >= BigInt(width) ? undefined : a >> b;
    case 'ashr': return b >= BigInt(width) ? undefined : wrap(sa >> b);
  }
}

function isPointerValue(t: CType): boolean {
  return t.kind === 'pointer' || t.kind === 'array';
}

function pointeeOf(t: CType): CType {
  if (t.kind === 'pointer') return t.to;
  if (t.kind === 'array') return t.of;
  return Types.void;
}

function decayed(t: CType): CType {
  return t.kind === 'array' ? pointerTo(t.of) : t;
}

function widthOf(t: CType): number {
  if (t.kind === 'pointer' || t.kind === 'array') return 64;
  if (t.kind === 'int') return t.size * 8;
  return 0;
}

function comparePredicate(operator: string, signed: boolean): ComparePredicate {
  switch (operator) {
    case '==': return 'eq';
    case '!=': return 'ne';
    case '<': return signed ? 'slt' : 'ult';
    case '<=': return signed ? 'sle' : 'ule';
    case '>': return signed ? 'sgt' : 'ugt';
    default: return signed ? 'sge' : 'uge';
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

/** Names whose address is taken with `&` in a function body. */
function collectAddressTaken(node: Node, into: Set<string>): void {
  if (node.type === 'pointer_expression' && node.childForFieldName('operator')?.text === '&') {
    let argument = node.childForFieldName('argument');
    while (argument?.type === 'parenthesized_expression') argument = argument.namedChildren[0] ?? null;
    if (argument?.type === 'identifier') into.add(argument.text);
  }
  for (const child of node.namedChildren) if (child) collectAddressTaken(child, into);
}

/** The pointee of a loaded or returned pointer, for lazily created objects (size 0: incomplete or void). */
function pointeeInfo(type: PointerType): Pointee {
  const to = type.to;
  const complete = to.kind !== 'void' && to.kind !== 'function' && !(to.kind === 'record' && !to.complete);
  return { size: complete ? sizeOf(to) : 0, isRecord: to.kind === 'record', name: typeToString(to) };
}

/** The comments written just before `node` (a function definition), nearest last. */
function precedingAnnotationComments(node: Node): Node[] {
  const comments: Node[] = [];
  for (let previous = node.previousSibling; previous && previous.type === 'comment'; previous = previous.previousSibling) comments.unshift(previous);
  return comments;
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
