// Declaration collection: the top-level items of a parse (functions, globals, typedefs, tagged types)
// recorded in the unit, and the annotations (`/*@ ... */`) written before them.
import type { Node } from 'web-tree-sitter';
import { decodeStringLiteral, parseIntegerLiteral } from './literals';
import { TypeResolver } from './typeResolution';

export class DeclarationCollector extends TypeResolver {
  protected processItems(items: (Node | null)[]): void {
    for (const item of items) if (item) this.processItem(item, this.fileOf(item));
  }

  private processItem(node: Node, file: string): void {
    switch (node.type) {
      case 'function_definition': return this.processFunctionDefinition(node, file);
      case 'declaration': return this.processDeclaration(node, file);
      case 'type_definition': return this.processTypedef(node, file);
      case 'struct_specifier':
      case 'union_specifier':
      case 'enum_specifier':
        this.resolveTypeSpecifier(node, file);
        return;
      case 'expression_statement':
        // `struct x {...} __attribute__((packed));` parses oddly at the top level; resolve the specifier inside.
        for (const child of node.namedChildren) if (child && /_specifier$/.test(child.type)) this.resolveTypeSpecifier(child, file);
        return;
      default:
        return;
    }
  }

  // ----- declarations -----

  private processFunctionDefinition(node: Node, file: string): void {
    const typeNode = node.childForFieldName('type');
    const declarator = node.childForFieldName('declarator');
    if (!typeNode || !declarator) return;
    const base = this.resolveTypeSpecifier(typeNode, file);
    const { name, type, paramNames } = this.resolveDeclarator(declarator, base, file);
    if (!name || type.kind !== 'function') return;
    this.functions.set(name, {
      name, type, paramNames, file, definition: node, hasSyntaxError: node.hasError,
      annotations: precedingAnnotations(node), line: this.sourceRange(node).startLine,
    });
  }

  private processDeclaration(node: Node, file: string): void {
    const typeNode = node.childForFieldName('type');
    if (!typeNode) return;
    const base = this.resolveTypeSpecifier(typeNode, file);
    const qualifiers = node.children.filter((c) => c && (c.type === 'type_qualifier' || c.type === 'storage_class_specifier')).map((c) => c!.text);
    const isConst = qualifiers.includes('const') || /\bconst\b/.test(typeNode.parent?.text.split(typeNode.text)[0] ?? '');
    const isExtern = qualifiers.includes('extern');
    for (const declarator of node.childrenForFieldName('declarator')) {
      if (!declarator) continue;
      const initializer = declarator.type === 'init_declarator' ? declarator.childForFieldName('value') ?? undefined : undefined;
      const inner = declarator.type === 'init_declarator' ? declarator.childForFieldName('declarator') : declarator;
      if (!inner) continue;
      const resolved = this.resolveDeclarator(inner, base, file);
      if (!resolved.name) continue;
      let type = resolved.type;
      if (type.kind === 'function') {
        const existing = this.functions.get(resolved.name);
        if (!existing) {
          this.functions.set(resolved.name, {
            name: resolved.name, type, paramNames: resolved.paramNames, file, definition: undefined, hasSyntaxError: false,
            annotations: precedingAnnotations(node), line: this.sourceRange(node).startLine,
          });
        }
        continue;
      }
      if (type.kind === 'array' && type.length === undefined && initializer) {
        type = { ...type, length: initializerLength(initializer) };
      }
      const existing = this.globals.get(resolved.name);
      if (existing && existing.initializer && !initializer) continue; // a later tentative declaration
      this.globals.set(resolved.name, { name: resolved.name, type, file, node: inner, initializer, isConst: isConst || isConstType(typeNode, node), isExtern });
    }
  }

  private processTypedef(node: Node, file: string): void {
    const typeNode = node.childForFieldName('type');
    if (!typeNode) return;
    const base = this.resolveTypeSpecifier(typeNode, file);
    for (const declarator of node.childrenForFieldName('declarator')) {
      if (!declarator) continue;
      const { name, type } = this.resolveDeclarator(declarator, base, file);
      if (name) this.typedefs.set(name, type);
    }
  }
}

function isConstType(typeNode: Node, declaration: Node): boolean {
  for (const child of declaration.children) {
    if (!child) continue;
    if (child.id === typeNode.id) break;
    if (child.type === 'type_qualifier' && child.text === 'const') return true;
  }
  return false;
}

function initializerLength(initializer: Node): number {
  if (initializer.type === 'string_literal') return decodeStringLiteral(initializer.text).length + 1;
  if (initializer.type !== 'initializer_list') return 1;
  let index = 0;
  let max = 0;
  for (const item of initializer.namedChildren) {
    if (!item || item.type === 'comment') continue;
    if (item.type === 'initializer_pair') {
      const designator = item.childForFieldName('designator');
      if (designator?.type === 'subscript_designator') {
        const n = designator.namedChildren[0];
        if (n?.type === 'number_literal') index = Number(parseIntegerLiteral(n.text).value);
      }
    }
    index++;
    max = Math.max(max, index);
  }
  return max;
}

/** Comments of the form `/*@ ... *\/` directly before a node (annotations). */
export function precedingAnnotations(node: Node): string[] {
  const annotations: string[] = [];
  let previous = node.previousSibling;
  while (previous && previous.type === 'comment') {
    const match = /^\/\*@([\s\S]*)\*\/$/.exec(previous.text) ?? /^\/\/@(.*)$/.exec(previous.text);
    if (match) annotations.unshift(match[1]!.trim());
    previous = previous.previousSibling;
  }
  return annotations;
}
