/**
 * How many cases a property test tries. The suite keeps a budget that fits a busy 2-core machine;
 * `node bench/property-runs.mjs` (or PROPERTY_RUNS=N npx vitest run ...) tries N cases of each.
 */
export function propertyRuns(suiteBudget: number): number {
  const n = Number(process.env.PROPERTY_RUNS);
  return Number.isInteger(n) && n > 0 ? n : suiteBudget;
}
