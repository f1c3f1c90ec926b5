// Cost ratios (worst to best, adversarial factors) as people read them.

/** Two decimals below 100 (as the contract stores them), then whole numbers with thousands separators. */
export function formatRatio(ratio: number): string {
  return ratio < 100 ? String(ratio) : Math.round(ratio).toLocaleString('en-US');
}
