// Loads the tree-sitter C grammar (WASM) once and parses C text into syntax trees that never throw.
import * as path from 'path';
import { Parser, Language, Tree, Node } from 'web-tree-sitter';

export type SyntaxNode = Node;
export type SyntaxTree = Tree;

export interface SyntaxError {
  message: string;
  startByte: number;
  endByte: number;
  startLine: number;
  startColumn: number;
}

export interface ParseResult {
  tree: Tree;
  errors: SyntaxError[];
}

let loading: Promise<Parser> | undefined;
/** The Emscripten module object of tree-sitter's runtime: it receives the views of the WASM memory (HEAP8). */
const runtimeModule: { HEAP8?: Int8Array } = {};

/** Returns the shared parser, loading the WASM runtime and grammar on first use. */
export function loadCParser(): Promise<Parser> {
  if (!loading) {
    loading = (async () => {
      await Parser.init(runtimeModule);
      const language = await Language.load(resolveGrammarWasm());
      const parser = new Parser();
      parser.setLanguage(language);
      return parser;
    })();
  }
  return loading;
}

/**
 * The size of tree-sitter's WASM memory in bytes (it grows and never shrinks, up to 2 GiB), or
 * undefined when this parser did not start the runtime (another loader in the thread did first).
 */
export function treeSitterMemoryBytes(): number | undefined {
  return runtimeModule.HEAP8?.buffer.byteLength;
}

/** Parses text; `previous` (already edited with tree.edit) enables incremental reparse. */
export async function parseC(text: string, previous?: Tree): Promise<ParseResult> {
  const parser = await loadCParser();
  const tree = parser.parse(text, previous ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return { tree, errors: collectSyntaxErrors(tree.rootNode) };
}

/** Collects ERROR and MISSING nodes as human-readable errors. */
export function collectSyntaxErrors(root: Node): SyntaxError[] {
  const errors: SyntaxError[] = [];
  const visit = (node: Node): void => {
    if (!node.hasError && !node.isMissing) return;
    if (node.isMissing) {
      errors.push(errorAt(node, `missing '${node.type}'`));
      return;
    }
    if (node.type === 'ERROR') {
      const snippet = node.text.length > 30 ? node.text.slice(0, 30) + '...' : node.text;
      errors.push(errorAt(node, `syntax error near '${snippet.replace(/\s+/g, ' ')}'`));
      return;
    }
    for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  return errors;
}

function errorAt(node: Node, message: string): SyntaxError {
  return {
    message,
    startByte: node.startIndex,
    endByte: node.endIndex,
    startLine: node.startPosition.row,
    startColumn: node.startPosition.column,
  };
}

function resolveGrammarWasm(): string {
  // Bundled builds place the grammar next to the script; installed builds find it in node_modules.
  const beside = path.join(__dirname, 'tree-sitter-c.wasm');
  try {
    require('fs').accessSync(beside);
    return beside;
  } catch {
    return require.resolve('tree-sitter-c/tree-sitter-c.wasm');
  }
}
