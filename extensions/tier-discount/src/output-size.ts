/**
 * How many bytes of JSON a result will take, counted while it is built (serialising it to measure would cost the
 * instructions twice). Every count is an upper bound of what `JSON.stringify` writes for the shapes this Function
 * emits; tests/output-size.test.ts holds each one to the real serialisation.
 *
 * Shopify's limit: a Function's output may be at most 20 kB for carts of up to 200 lines (it scales up for larger
 * carts), and an output over the limit is dropped whole, so the shopper gets no discount at all
 * (https://shopify.dev/docs/apps/build/functions#limitations). 20 kB is read as 20,000 bytes, the stricter reading.
 */
export const OUTPUT_LIMIT_BYTES = 20_000;

/** What the Function allows itself: the limit less the operation's envelope and a margin for the estimate. */
export const OUTPUT_BUDGET_BYTES = OUTPUT_LIMIT_BYTES - 1_000;

/** A JSON string literal's UTF-8 bytes, quotes included; control characters counted as `\u00XX`. */
export function jsonStringBytes(s: string): number {
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) n += 6;
    else if (c === 34 || c === 92) n += 2;
    else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    // A surrogate half counts 3, so a pair counts 6 for its 4 bytes.
    else n += 3;
  }
  return n;
}

/** `{"cartLine":{"id":"…"}}` and the comma after it. */
export function targetBytes(id: string): number {
  return 20 + jsonStringBytes(id) + 1;
}

/** `{"fixedAmount":{"amount":"…","appliesToEachItem":false}}` */
export function fixedValueBytes(amount: string): number {
  return 52 + amount.length + 5;
}

/** `{"percentage":{"value":"…"}}` */
export function percentageValueBytes(value: string): number {
  return 27 + value.length;
}

/** `{"message":"…","targets":[],"value":…}` and the comma after it, without its targets. */
export function candidateBytes(message: string, valueBytes: number): number {
  return 11 + jsonStringBytes(message) + 12 + 10 + valueBytes + 1 + 1;
}
