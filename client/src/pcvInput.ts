// Parses the PCV values typed into the Evaluate Class input box.

/** Parses `n=3, t=2` into PCV values; throws a PCX007 error on anything else. */
export function parsePcvAssignments(text: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Za-z_][A-Za-z0-9_@:.']*)\s*=\s*(\d+)$/.exec(part);
    if (!match) throw new Error(`PCX007 '${part}' is not NAME=VALUE with a non-negative integer VALUE`);
    values[match[1]!] = Number(match[2]);
  }
  return values;
}
