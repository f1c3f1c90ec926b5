// C literals: integer constants (value, suffix and type), character constants and string literals
// decoded into bytes.
import { CType, Types } from '../cTypes';

export function parseIntegerLiteral(text: string): { value: bigint; unsigned: boolean; long: boolean; decimal: boolean } {
  const trimmed = text.replace(/'/g, '').trim();
  if (trimmed.startsWith('-') || trimmed.startsWith('+')) {
    // tree-sitter folds a sign into the literal; C sees unary minus applied to the literal.
    const inner = parseIntegerLiteral(trimmed.slice(1));
    return { ...inner, value: trimmed.startsWith('-') ? -inner.value : inner.value };
  }
  const cleaned = trimmed;
  const match = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$/.exec(cleaned);
  if (!match) return { value: 0n, unsigned: false, long: false, decimal: true };
  const digits = match[1]!;
  const suffix = match[2]!.toLowerCase();
  let value: bigint;
  if (/^0[0-7]+$/.test(digits)) value = BigInt('0o' + digits.slice(1));
  else value = BigInt(digits);
  return { value, unsigned: suffix.includes('u'), long: suffix.includes('l'), decimal: !/^0/.test(digits) || digits === '0' };
}

export function parseCharLiteral(text: string): bigint {
  const body = text.replace(/^[LuU8]*'/, '').replace(/'$/, '');
  const bytes = decodeStringLiteral('"' + body + '"');
  return BigInt.asIntN(8, BigInt(bytes[0] ?? 0));
}

/** Decodes a C string literal's escapes into bytes (without the terminating zero). */
export function decodeStringLiteral(text: string): number[] {
  const body = text.replace(/^[LuU8]*"/, '').replace(/"$/, '');
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
      continue;
    }
    const n = body[++i] ?? '';
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11, '?': 63 };
    if (n === 'x') {
      const hex = /^[0-9a-fA-F]+/.exec(body.slice(i + 1))![0];
      bytes.push(parseInt(hex, 16) & 0xff);
      i += hex.length;
    } else if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      bytes.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else {
      bytes.push(simple[n] ?? n.charCodeAt(0));
    }
  }
  return bytes;
}

/** The type of an integer constant (C11 6.4.4.1, LP64): by its suffix, then by its value. */
export function literalType(text: string): CType {
  const literal = parseIntegerLiteral(text);
  if (literal.long) return literal.unsigned ? Types.ulong : Types.long;
  if (literal.unsigned) return literal.value > 0xffffffffn ? Types.ulong : Types.uint;
  if (literal.value <= 0x7fffffffn) return Types.int;
  if (!literal.decimal && literal.value <= 0xffffffffn) return Types.uint;
  return !literal.decimal && literal.value > 0x7fffffffffffffffn ? Types.ulong : Types.long;
}
