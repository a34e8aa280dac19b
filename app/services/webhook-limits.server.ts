/**
 * Structural limits on a webhook body, checked on its bytes before anything parses it (and before the HMAC check,
 * which needs the whole body in memory): a body over the size limit is refused with 413 without being read past the
 * limit, a body nested deeper than any Shopify payload is refused with 400. Nothing is stored for either.
 *
 * Why these numbers: Shopify's largest classic webhook bodies are orders and products with many lines, reported by
 * Shopify staff as "upwards of a megabyte"; Shopify itself replaces bodies over 1,000,000 bytes with an `{"id": …}`
 * stub on EventBridge. 5 MiB leaves five times that headroom, so a real delivery is never refused (a refused
 * delivery is retried and eventually unsubscribed by Shopify). The deepest path in a 2026-10 payload is about 7
 * levels (order → line_items → [] → discount_allocations → [] → amount_set → shop_money); 64 is far beyond it and
 * far below what recursive JSON code (a reviver, JSON.stringify) survives.
 */

export const MAX_WEBHOOK_BODY_BYTES = 5 * 1024 * 1024;
export const MAX_WEBHOOK_JSON_DEPTH = 64;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of objects and arrays in JSON text (strings skipped), stopping once past `limit`. */
export function jsonDepth(bytes: Uint8Array, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  return max;
}

function refuse(status: 400 | 413, message: string): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/**
 * Reads a webhook request's body within the limits and returns an equivalent request holding exactly those bytes
 * (so the HMAC is checked over what was sent). Throws a Response (413 too large, 400 too deep) otherwise.
 */
export async function limitWebhookBody(request: Request, limits: { maxBytes?: number; maxDepth?: number } = {}): Promise<Request> {
  const maxBytes = limits.maxBytes ?? MAX_WEBHOOK_BODY_BYTES;
  const maxDepth = limits.maxDepth ?? MAX_WEBHOOK_JSON_DEPTH;
  if (!request.body) return request;
  const declared = Number(request.headers.get("Content-Length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await request.body.cancel().catch(() => {});
    throw refuse(413, `webhook body is larger than ${maxBytes} bytes`);
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw refuse(413, `webhook body is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  if (jsonDepth(bytes, maxDepth) > maxDepth) throw refuse(400, `webhook body is nested deeper than ${maxDepth} levels`);
  return new Request(request.url, { method: request.method, headers: request.headers, body: bytes });
}
