// A cheap syntactic outline of a C buffer (function definitions, loop headers, calls), kept current with tree-sitter's edit API.
//
// The outline answers position questions (which function encloses a position, where each function's
// name is now) at once, without waiting for the engine, whose results may be for an older version.
import * as fs from 'fs';
import * as path from 'path';
import { Language, Node, Parser, Tree } from 'web-tree-sitter';
import type { AppliedEdit } from './textDocument';

export interface OutlineFunction {
  name: string;
  /** String offsets (UTF-16 code units) of the whole definition and of its name. */
  start: number;
  end: number;
  nameStart: number;
  nameEnd: number;
  startLine: number;
  nameLine: number;
  hasError: boolean;
  /** Names called in the body. */
  calls: string[];
}

export interface OutlineLoop { keyword: 'for' | 'while' | 'do'; start: number; line: number; functionName: string }

export interface Outline { functions: OutlineFunction[]; loops: OutlineLoop[] }

let parserLoading: Promise<Parser> | undefined;

export function loadOutlineParser(): Promise<Parser> {
  if (!parserLoading) {
    parserLoading = (async () => {
      await Parser.init();
      const language = await Language.load(grammarWasm());
      const parser = new Parser();
      parser.setLanguage(language);
      return parser;
    })();
  }
  return parserLoading;
}

/** Keeps one buffer's tree; edits are applied to the old tree so reparsing is incremental. */
export class IncrementalOutline {
  private tree: Tree | undefined;
  private current: Outline = { functions: [], loops: [] };

  constructor(private readonly parser: Parser) {}

  update(text: string, edits: AppliedEdit[] | undefined): Outline {
    if (this.tree && edits) for (const edit of edits) this.tree.edit(edit);
    const next = this.parser.parse(text, edits ? this.tree ?? null : null);
    this.tree?.delete();
    this.tree = next ?? undefined;
    this.current = this.tree ? outlineOf(this.tree.rootNode) : { functions: [], loops: [] };
    return this.current;
  }

  get outline(): Outline {
    return this.current;
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = undefined;
  }
}

/** Outline of a text parsed from scratch (for files of the workspace that are not open). */
export function outlineOfText(parser: Parser, text: string): Outline {
  const tree = parser.parse(text);
  if (!tree) return { functions: [], loops: [] };
  try {
    return outlineOf(tree.rootNode);
  } finally {
    tree.delete();
  }
}

export function functionAt(outline: Outline, offset: number): OutlineFunction | undefined {
  return outline.functions.find((f) => f.start <= offset && offset <= f.end);
}

function outlineOf(root: Node): Outline {
  const functions: OutlineFunction[] = [];
  const loops: OutlineLoop[] = [];
  const visitTop = (node: Node): void => {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'function_definition') {
        const fn = functionOf(child);
        if (fn) {
          functions.push(fn);
          collectLoops(child, fn.name, loops);
        }
      } else if (child.type.startsWith('preproc_if') || child.type === 'preproc_else' || child.type === 'preproc_elif' || child.type === 'ERROR' || child.type === 'linkage_specification' || child.type === 'declaration_list') {
        visitTop(child);
      }
    }
  };
  visitTop(root);
  return { functions, loops };
}

function functionOf(node: Node): OutlineFunction | undefined {
  let declarator = node.childForFieldName('declarator');
  while (declarator && declarator.type !== 'function_declarator') {
    declarator = declarator.childForFieldName('declarator');
  }
  const nameNode = declarator?.childForFieldName('declarator');
  if (!nameNode || nameNode.type !== 'identifier') return undefined;
  const calls = new Set<string>();
  const body = node.childForFieldName('body');
  if (body) {
    for (const call of body.descendantsOfType('call_expression')) {
      const callee = call?.childForFieldName('function');
      if (callee?.type === 'identifier') calls.add(callee.text);
    }
  }
  return {
    name: nameNode.text, start: node.startIndex, end: node.endIndex, nameStart: nameNode.startIndex, nameEnd: nameNode.endIndex,
    startLine: node.startPosition.row, nameLine: nameNode.startPosition.row, hasError: node.hasError, calls: [...calls],
  };
}

function collectLoops(node: Node, functionName: string, loops: OutlineLoop[]): void {
  for (const loop of node.descendantsOfType(['for_statement', 'while_statement', 'do_statement'])) {
    if (!loop) continue;
    const keyword = loop.type === 'for_statement' ? 'for' : loop.type === 'while_statement' ? 'while' : 'do';
    loops.push({ keyword, start: loop.startIndex, line: loop.startPosition.row, functionName });
  }
}

function grammarWasm(): string {
  // Bundled builds place the grammar next to the script; installed builds find it in node_modules.
  const beside = path.join(__dirname, 'tree-sitter-c.wasm');
  return fs.existsSync(beside) ? beside : require.resolve('tree-sitter-c/tree-sitter-c.wasm');
}
