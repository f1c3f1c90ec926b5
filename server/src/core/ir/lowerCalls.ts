// Calls: to declared functions, through function pointers, to gcc's builtins (atomics and byte
// swaps become what they compute), and inline `asm`, an opaque call unless it is a byte swap.
import type { Node } from 'web-tree-sitter';
import { CType, Types, isInteger, pointerTo, promote, typeToString } from '../syntax/cTypes';
import { FunctionDeclaration, decodeStringLiteral } from '../syntax/translationUnit';
import type { BinaryOp, Operand } from './ir';
import { LValue, RValue } from './loweringState';
import { ExpressionLowering } from './lowerExpressions';
import { isPointerValue, pointeeInfo, pointeeOf, widthOf } from './lowerPlaces';

export abstract class CallLowering extends ExpressionLowering {
  /** The function a builtin call stands for (`__builtin_memcpy` is `memcpy`). */
  private calleeOverride: string | undefined;

  /** `discarded`: the call is a statement of its own, so its result goes nowhere (no destination register). */
  protected override lowerCall(node: Node, discarded = false): RValue {
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
  protected override lowerAsm(node: Node): RValue {
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
}
