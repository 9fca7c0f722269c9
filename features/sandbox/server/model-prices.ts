import type { ModelUsage } from '@/lib/messages-api/usage';

/**
 * What the model door charges for a request, per model family: Anthropic's published list
 * prices in USD per million tokens (input, output, prompt-cache writes for 5 minutes and for
 * 1 hour, cache reads). Update this table when prices change or a model family is added; the
 * first pattern that matches a model id wins. A model no pattern matches costs the highest
 * price, so a new name can't be cheaper than it should.
 */

type Price = { input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number };

const PRICES: Array<{ family: RegExp; price: Price }> = [
  { family: /^claude-opus-4-5/, price: { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 } },
  { family: /^claude-(opus-4|3-opus)/, price: { input: 15, output: 75, cacheWrite5m: 18.75, cacheWrite1h: 30, cacheRead: 1.5 } },
  { family: /^claude-(sonnet-4|3-7-sonnet|3-5-sonnet)/, price: { input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3 } },
  { family: /^claude-haiku-4-5/, price: { input: 1, output: 5, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1 } },
  { family: /^claude-3-5-haiku/, price: { input: 0.8, output: 4, cacheWrite5m: 1, cacheWrite1h: 1.6, cacheRead: 0.08 } },
  { family: /^claude-3-haiku/, price: { input: 0.25, output: 1.25, cacheWrite5m: 0.3, cacheWrite1h: 0.5, cacheRead: 0.03 } },
];

const HIGHEST: Price = PRICES.reduce((top, { price }) => (price.output > top.output ? price : top), PRICES[0]!.price);

export function priceOf(model: string): Price {
  return PRICES.find(({ family }) => family.test(model))?.price ?? HIGHEST;
}

/** The cost in USD of one answer's usage on `model`. */
export function costOf(model: string, usage: ModelUsage): number {
  const price = priceOf(model);
  const micro =
    usage.inputTokens * price.input +
    usage.outputTokens * price.output +
    usage.cacheWrite5mTokens * price.cacheWrite5m +
    usage.cacheWrite1hTokens * price.cacheWrite1h +
    usage.cacheReadTokens * price.cacheRead;
  return micro / 1_000_000;
}

/** The offered model with the lowest price: what the CLI's own small tasks (summaries of fetched pages) use. */
export function cheapestModel(models: readonly string[]): string {
  return models.reduce((best, model) => (priceOf(model).output < priceOf(best).output ? model : best), models[0]!);
}
