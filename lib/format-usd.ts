/** Dollars as people read them: cents, or four decimals for amounts under a cent (a tiny budget). */
export function formatUsd(amount: number): string {
  return `$${amount.toFixed(amount > 0 && amount < 0.01 ? 4 : 2)}`;
}
