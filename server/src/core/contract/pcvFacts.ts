// What a contract says of each PCV beyond its bound: typical value, call site, whether an attacker drives it, and the names of returned constants.
import type { IrFunction, IrProgram } from '../ir/ir';
import type { CompletedPath, SummarizedLoopPcv } from '../symex/executor';
import { toSigned } from '../term/expr';
import type { DeclaredContracts } from '../declared/declaredContracts';
import { defaultTypical, pcvBase } from './pcvDisplay';

export interface PcvFacts {
  typical: number;
  /** `annotation` (`/*@ typical NAME = N *\/`), `contract` (a declared contract's `typical`), or `default` (1 for a loop, 0 for a total). */
  typicalSource: 'annotation' | 'contract' | 'default';
  /** `callee@line` (declared contract) or `function@line` (loop). */
  site: string;
  /** How an attacker drives the PCV, when one can: packet bytes decide the loop, or the declared contract says so. */
  attacker?: string;
}

/** `/*@ typical NAME = N *\/`: the value a PCV takes for a typical packet. */
export const TYPICAL_ANNOTATION = /^typical\s+([A-Za-z_][\w@:.']*)\s*=\s*([0-9]+)\s*$/;

export interface FactsContext {
  fn: IrFunction;
  program?: IrProgram;
  declaredContracts?: DeclaredContracts;
  paths: CompletedPath[];
  /** Symbols of the packet (`mem:NAME` of pointer parameters). */
  packetArrays: Set<string>;
}

export function pcvFacts(pcvs: SummarizedLoopPcv[], context: FactsContext): Map<string, PcvFacts> {
  const annotated = typicalAnnotations(context);
  const callAt = declaredCallSites(context.paths);
  const result = new Map<string, PcvFacts>();
  for (const pcv of pcvs) {
    const where = `${pcv.origin.file}:${pcv.origin.line}`;
    // A single-case contract adds no decision at its call: its description still names the callee.
    const callee = callAt.get(where) ?? /\(in ([\w$]+), declared in /.exec(pcv.description)?.[1];
    const base = pcvBase(pcv.name);
    const declared = callee ? context.declaredContracts?.get(callee) : undefined;
    let typical: number | undefined = annotated.entry.get(pcv.name) ?? annotated.entry.get(base) ?? annotated.atLoop.get(where)?.get(base) ?? annotated.anywhere.get(base);
    let typicalSource: PcvFacts['typicalSource'] = 'annotation';
    if (typical === undefined && declared?.typical?.[base] !== undefined) {
      typical = declared.typical[base]!;
      typicalSource = 'contract';
    }
    if (typical === undefined) {
      typical = defaultTypical(pcv);
      typicalSource = 'default';
    }
    const attacker = callee ? declared?.attacker?.[base] : loopAttacker(pcv, context);
    result.set(pcv.name, {
      typical, typicalSource, site: `${callee ?? pcv.functionName}@${pcv.origin.line}`,
      ...(attacker ? { attacker } : {}),
    });
  }
  return result;
}

/** For each class's paths: the name of the constant returned (`NF_ACTION_DROP`), looked up in the return statements of the functions the path went through. */
export function returnNameOf(paths: CompletedPath[], fn: IrFunction, program: IrProgram | undefined, value: string): string | undefined {
  if (!program) return undefined;
  const visited = [...new Set(paths[0]?.decisions.map((d) => d.functionName) ?? [])].reverse();
  for (const name of [...visited.filter((n) => n !== fn.name), fn.name]) {
    const found = returnConstants(program, name).get(value);
    if (found) return found;
  }
  // Else the one name the program's functions return this value under, if there is exactly one.
  const names = new Set<string>();
  for (const name of program.functions.keys()) {
    const found = returnConstants(program, name).get(value);
    if (found) names.add(found);
  }
  return names.size === 1 ? [...names][0] : undefined;
}

/** Whether a decision (1-based line) lies inside a loop of the function it was taken in. */
export function insideLoop(program: IrProgram | undefined, decision: { functionName: string; file: string; line: number }): boolean {
  const fn = program?.functions.get(decision.functionName);
  if (!fn) return false;
  return fn.loops.some((l) => l.range.file === decision.file && l.range.startLine + 1 <= decision.line && decision.line <= l.range.endLine + 1);
}

const constantsCache = new WeakMap<IrFunction, Map<string, string>>();

/** Value -> identifier for `return NAME;` statements whose value is a constant; a value returned under two names gets none. */
function returnConstants(program: IrProgram, name: string): Map<string, string> {
  const fn = program.functions.get(name);
  if (!fn) return new Map();
  const cached = constantsCache.get(fn);
  if (cached) return cached;
  const names = new Map<string, string | null>();
  for (const block of fn.blocks) {
    const t = block.terminator;
    if (t.op !== 'return' || t.value?.kind !== 'imm') continue;
    const text = fn.text.slice(t.range.startByte - fn.range.startByte, t.range.endByte - fn.range.startByte);
    const match = /^return\s*\(?\s*([A-Za-z_]\w*)\s*\)?\s*;?$/.exec(text.trim());
    if (!match || /^(true|false)$/.test(match[1]!)) continue;
    const value = String(fn.returnSigned ? toSigned(t.value.value, t.value.width) : t.value.value);
    const known = names.get(value);
    names.set(value, known === undefined || known === match[1] ? match[1]! : null);
  }
  const result = new Map([...names].filter((e): e is [string, string] => e[1] !== null));
  constantsCache.set(fn, result);
  return result;
}

function typicalAnnotations(context: FactsContext): { entry: Map<string, number>; atLoop: Map<string, Map<string, number>>; anywhere: Map<string, number> } {
  const parse = (annotations: string[]) => {
    const values = new Map<string, number>();
    for (const a of annotations) {
      const m = TYPICAL_ANNOTATION.exec(a.trim());
      if (m) values.set(m[1]!, Number(m[2]));
    }
    return values;
  };
  const entry = parse(context.fn.annotations);
  const atLoop = new Map<string, Map<string, number>>();
  const anywhere = new Map<string, number>();
  for (const f of context.program?.functions.values() ?? [context.fn]) {
    for (const [k, v] of parse(f.annotations)) if (!anywhere.has(k)) anywhere.set(k, v);
    for (const loop of f.loops) {
      const values = parse(loop.annotations);
      if (values.size === 0) continue;
      atLoop.set(`${loop.range.file}:${loop.range.startLine + 1}`, values);
      for (const [k, v] of values) if (!anywhere.has(k)) anywhere.set(k, v);
    }
  }
  return { entry, atLoop, anywhere };
}

/** `file:line` of each declared call -> callee, from the decisions `callee(): case`. */
function declaredCallSites(paths: CompletedPath[]): Map<string, string> {
  const sites = new Map<string, string>();
  for (const path of paths) {
    for (const d of path.decisions) {
      const m = /^([\w$]+)\(\): /.exec(d.text);
      if (m) sites.set(`${d.range.file}:${d.range.startLine + 1}`, m[1]!);
    }
  }
  return sites;
}

/** A loop whose exit test reads packet bytes: a sender chooses how many times it runs. */
function loopAttacker(pcv: SummarizedLoopPcv, context: FactsContext): string | undefined {
  for (const path of context.paths) {
    for (const d of path.decisions) {
      if (d.range.file !== pcv.origin.file || d.range.startLine + 1 !== pcv.origin.line) continue;
      if (d.inputs.some((s) => context.packetArrays.has(s))) return `packet bytes decide how often its loop runs (\`${d.text}\`)`;
    }
  }
  return undefined;
}
