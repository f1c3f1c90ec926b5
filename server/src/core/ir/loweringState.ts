// The state of lowering one function (blocks, registers, scopes, slots) and the primitives every
// layer uses: emitting instructions, ending blocks, source ranges and errors; the program-wide LoweringContext.
import type { Node } from 'web-tree-sitter';
import { CType, Types } from '../syntax/cTypes';
import type { Diagnostic, TranslationUnit } from '../syntax/translationUnit';
import { AnalysisError, ReasonKind } from '../reasons';
import type { BasicBlock, Instruction, IrFunction, LoopInfo, Operand, SourceRange, Terminator } from './ir';

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

/** The terminator reason of a block nothing has ended yet. */
export const UNTERMINATED = 'unterminated block';

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

type Binding =
  | { kind: 'register'; register: number; type: CType }
  | { kind: 'slot'; slot: number; type: CType };

/** A place that can be read or assigned. */
export type LValue =
  | { kind: 'register'; register: number; type: CType }
  | { kind: 'memory'; address: Operand; type: CType; bitOffset?: number; bitWidth?: number };

export interface RValue { value: Operand; type: CType }

export abstract class LoweringState {
  protected readonly blocks: BasicBlock[] = [];
  protected current!: BasicBlock;
  protected registerCount = 0;
  protected readonly registerNames = new Map<number, string>();
  protected readonly signedRegisters = new Set<number>();
  protected readonly scopes: Map<string, Binding>[] = [];
  protected readonly slots: { id: number; name: string; size: number }[] = [];
  protected readonly loops: LoopInfo[] = [];
  protected readonly countMarks: IrFunction['countMarks'] = [];
  protected readonly callees = new Set<string>();
  protected readonly addressTaken = new Set<string>();
  protected readonly temporaries = new Set<number>();
  protected returnType: CType = Types.void;
  protected readonly unit: TranslationUnit;
  /** Names whose declaration was lowered as a path end (DEFERRED_LOWERING_FAILURES), with its reason. */
  protected readonly deferredDeclarations = new Map<string, AnalysisError>();
  /** While an `assume` annotation is lowered: its text and place (every range and branch is the annotation's). */
  protected assuming: { text: string; range: SourceRange } | undefined;

  constructor(protected readonly context: LoweringContext, protected readonly node: Node, protected readonly file: string, protected readonly name: string) {
    this.unit = context.unit;
  }

  // ----- blocks, registers, emission -----

  protected newBlock(): BasicBlock {
    const block: BasicBlock = { id: this.blocks.length, instructions: [], terminator: { op: 'unreachable', reason: UNTERMINATED, range: this.rangeOf(this.node) } };
    (block as BasicBlock & { open?: boolean }).open = true;
    this.blocks.push(block);
    return block;
  }

  protected isTerminated(): boolean {
    return !(this.current as BasicBlock & { open?: boolean }).open;
  }

  protected terminate(terminator: Terminator): void {
    if (this.isTerminated()) return;
    if (this.assuming && terminator.op === 'branch') terminator = { ...terminator, assumption: this.assuming.text };
    this.current.terminator = terminator;
    delete (this.current as BasicBlock & { open?: boolean }).open;
  }

  protected switchTo(block: BasicBlock): void {
    this.current = block;
  }

  /** After return/break/continue, code continues in a fresh block nothing jumps to. */
  protected startDeadBlock(): void {
    this.current = this.newBlock();
  }

  protected jumpTo(target: BasicBlock, node: Node): void {
    this.terminate({ op: 'jump', target: target.id, range: this.range(node) });
  }

  protected newRegister(name?: string): number {
    const id = this.registerCount++;
    if (name) this.registerNames.set(id, name);
    return id;
  }

  protected newTemporary(): number {
    const id = this.newRegister();
    this.temporaries.add(id);
    return id;
  }

  protected newSlot(name: string, size: number): number {
    const id = this.slots.length;
    this.slots.push({ id, name, size: Math.max(size, 1) });
    return id;
  }

  protected emit(instruction: Instruction): void {
    if (this.isTerminated()) this.startDeadBlock();
    if (this.assuming) instruction.assumption = true;
    this.current.instructions.push(instruction);
  }

  protected scope(): Map<string, Binding> {
    return this.scopes[this.scopes.length - 1]!;
  }

  protected lookup(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const binding = this.scopes[i]!.get(name);
      if (binding) return binding;
    }
    return undefined;
  }

  /** Where the user wrote `node` (for expanded code, the macro invocation), through the unit's source map. */
  protected rangeOf(node: Node): SourceRange {
    if (this.assuming) return this.assuming.range;
    return this.unit.sourceRange(node);
  }

  protected range(node: Node): SourceRange {
    return this.rangeOf(node);
  }

  protected endRange(body: Node): SourceRange {
    const r = this.rangeOf(body);
    return { ...r, startByte: r.endByte - 1, startLine: r.endLine, startColumn: Math.max(0, r.endColumn - 1) };
  }

  /** `'x' is not declared`, or the reason x's own declaration could not be lowered. */
  protected undeclared(name: string, node: Node): AnalysisError {
    const deferred = this.deferredDeclarations.get(name);
    if (deferred) return this.failure(deferred.reason, deferred.message, node);
    if (this.unit.functions.has(name)) return this.unsupported(`using function '${name}' as a value (function pointers)`, node);
    return this.failure('unknown-identifier', `'${name}' is not declared`, node);
  }

  protected unsupported(what: string, node: Node): AnalysisError {
    return this.failure('unsupported', `${what} is not supported`, node);
  }

  protected failure(reason: Diagnostic['reason'], message: string, node: Node): AnalysisError {
    const error = new AnalysisError(reason, message);
    (error as AnalysisError & { range?: SourceRange }).range = this.range(node);
    return error;
  }
}
