// Hovers: a function's contract (its partial result while it is analysed, or a callee's declared contract) and a loop's PCVs.
import type { FunctionContract } from '../core/contract/contract';
import type { Hover } from './languageServerRuntime';
import { instructionRange } from './codeLenses';
import { functionHover, loopHover, splitOrigin } from './contractPresentation';
import type { DocumentState, ServerContext } from './serverContext';
import type { Position } from './textDocument';
import type { PartialContract } from './workerProtocol';

export function hover(context: ServerContext, uri: string, position: Position): Hover | null {
  const state = context.documents.get(uri);
  if (!state) return null;
  const { document } = state;
  const offset = document.offsetAt(position);
  const word = wordAt(document.text, offset);
  const baseDir = context.rootOf(state);
  if (word) {
    const contract = contractNamed(context, state, word.text);
    const range = { start: document.positionAt(word.start), end: document.positionAt(word.end) };
    const partial = state.building?.contracts.has(word.text) ? undefined : state.building?.partial.get(word.text);
    if (partial) return { contents: { kind: 'markdown', value: partialHover(partial, context.settings.timeLimitMs, contract) }, range };
    if (contract) return { contents: { kind: 'markdown', value: functionHover(contract, baseDir, uri) }, range };
    const declared = state.building?.declared.get(word.text) ?? state.latest?.declared.get(word.text);
    if (declared) return { contents: { kind: 'markdown', value: declared }, range };
  }
  const line = document.pointAt(offset).row;
  const loop = state.outline.outline.loops.find((l) => l.line === line);
  if (loop) {
    const contracts = [...(state.building?.contracts.values() ?? []), ...(state.latest?.contracts.values() ?? [])];
    const pcvs = new Map<string, FunctionContract['pcvs'][number]>();
    for (const contract of contracts) {
      for (const pcv of contract.pcvs) {
        const origin = splitOrigin(pcv.origin);
        if (origin.file === document.path && origin.line === line + 1 && !pcvs.has(pcv.name)) pcvs.set(pcv.name, pcv);
      }
    }
    if (pcvs.size > 0) return { contents: { kind: 'markdown', value: loopHover([...pcvs.values()], loop.functionName) } };
    const analysed = contracts.some((c) => c.name === loop.functionName);
    if (analysed) {
      return { contents: { kind: 'markdown', value: `This ${loop.keyword} loop has no PCV: on every path the analysis found, it either runs at most ${context.settings.unrollLimit} times or runs a number of times fixed on that path (a constant bound, constant arguments), which the analysis ran in full. Its cost is in the classes' constants.` } };
    }
  }
  return null;
}

/** A contract from the newest results that have it: the running analysis, the last finished one, then other documents'. */
function contractNamed(context: ServerContext, state: DocumentState | undefined, name: string): FunctionContract | undefined {
  const fromState = (s: DocumentState) => s.building?.contracts.get(name) ?? s.latest?.contracts.get(name);
  if (state) {
    const own = fromState(state);
    if (own) return own;
  }
  for (const other of context.documents.values()) {
    const found = fromState(other);
    if (found) return found;
  }
  return undefined;
}

/** The hover of a function being analysed; the previous contract, if any, follows for reference. */
export function partialHover(partial: PartialContract, timeLimitMs: number, previous: FunctionContract | undefined): string {
  const lines = [
    `**${partial.name}**: analysing (partial results)`,
    '',
    `${partial.classes} path class${partial.classes === 1 ? '' : 'es'} so far, over ${partial.paths} path${partial.paths === 1 ? '' : 's'}${partial.instructions ? `, costing ${instructionRange(partial.instructions)} IR instructions` : ''}.`,
    `${partial.pendingStates} branch point${partial.pendingStates === 1 ? '' : 's'} left to explore; ${(partial.elapsedMs / 1000).toFixed(1)} s of the ${(timeLimitMs / 1000).toFixed(0)} s time limit used.`,
    '',
    'The contract replaces this when the analysis ends.',
  ];
  if (previous) lines.push('', `The previous analysis gave ${previous.classes.length} class${previous.classes.length === 1 ? '' : 'es'}${previous.complete ? '' : ' (incomplete)'}.`);
  return lines.join('\n');
}

function wordAt(text: string, offset: number): { text: string; start: number; end: number } | undefined {
  const isWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
  let start = offset;
  let end = offset;
  while (start > 0 && isWord(text[start - 1])) start--;
  while (end < text.length && isWord(text[end])) end++;
  if (start === end || /^[0-9]/.test(text[start]!)) return undefined;
  return { text: text.slice(start, end), start, end };
}
