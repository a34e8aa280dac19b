import { z } from "zod";

/**
 * The webhook topics Tierline subscribes to and the shape each payload must have, derived from Shopify's sample
 * payloads (2026-10). Only the fields the app reads are checked; everything else passes through untouched in the
 * stored raw body. Ids are taken from `admin_graphql_api_id` wherever Shopify sends one; where it only sends a
 * numeric id (refunds' order_id, compliance payloads, line items' product_id) the digits are read from the raw text
 * (see parseWebhookJson), because large ids do not survive a JavaScript number.
 */

export const WEBHOOK_TOPICS = [
  "orders/paid",
  "orders/updated",
  "orders/cancelled",
  "refunds/create",
  "customers/create",
  "customers/update",
  "customers/delete",
  "customers/merge",
  "app/uninstalled",
  "app/scopes_update",
  "bulk_operations/finish",
  "app_subscriptions/update",
  "products/update",
  "products/delete",
  "collections/update",
  "collections/delete",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

export function isWebhookTopic(topic: string): topic is WebhookTopic {
  return (WEBHOOK_TOPICS as readonly string[]).includes(topic);
}

/** "ORDERS_PAID" (the GraphQL enum) or "orders/paid" (the header) → "orders/paid". */
export function normalizeTopic(topic: string): string {
  if (topic.includes("/")) return topic.toLowerCase();
  const known = WEBHOOK_TOPICS.find((t) => t.replace("/", "_").toUpperCase() === topic.toUpperCase());
  return known ?? topic.toLowerCase();
}

// ── Raw JSON ──────────────────────────────────────────────────────────────────────────────────────────────────────

export class WebhookPayloadError extends Error {
  constructor(
    readonly code: "WEBHOOK.INVALID_JSON" | "WEBHOOK.INVALID_PAYLOAD" | "WEBHOOK.UNKNOWN_TOPIC",
    message: string,
  ) {
    super(message);
    this.name = "WebhookPayloadError";
  }
}

/**
 * JSON.parse that keeps integers beyond 2^53 exact, as digit strings. Shopify's ids are 64-bit;
 * `820982911946154508` parsed as a number silently becomes `820982911946154500`. Such integers are quoted in the text
 * before parsing (one linear scan, and only when the text has a run of 16 digits: 2^53 = 9007199254740992 has 16),
 * which costs a fraction of a reviver that sees every value.
 */
export function parseWebhookJson(raw: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(SIXTEEN_DIGITS.test(raw) ? quoteUnsafeIntegers(raw) : raw);
  } catch (error) {
    throw new WebhookPayloadError("WEBHOOK.INVALID_JSON", `body is not JSON: ${jsonErrorMessage(raw, error)}`);
  }
  // PostgreSQL text cannot hold U+0000, and no Shopify field carries it: refuse it here rather than fail in the worker.
  // JSON cannot carry a raw NUL, only the escape, so a body without "\u0000" has none.
  if (raw.includes("\\u0000")) {
    const nulAt = firstFieldWithNul("", parsed);
    if (nulAt !== null) throw new WebhookPayloadError("WEBHOOK.INVALID_PAYLOAD", `field "${nulAt}" contains a NUL character (U+0000)`);
  }
  return parsed;
}

const SIXTEEN_DIGITS = /\d{16}/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const COLON = 0x3a;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
/** Characters of a JSON number token: digits, sign, point, exponent. */
const isNumberChar = (c: number) => isDigit(c) || c === MINUS || c === 0x2b || c === 0x2e || c === 0x45 || c === 0x65;
const isJsonSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const UNSAFE_INTEGER_TOKEN = /^-?[1-9]\d{15,}$/;

/**
 * The JSON text with every integer value beyond 2^53 quoted (`{"id":820982911946154508}` →
 * `{"id":"820982911946154508"}`): what the parse then returns is the exact digits. Strings are skipped, and a number
 * followed by `:` (a key, which JSON does not allow) is left as it is, so invalid JSON stays invalid.
 */
export function quoteUnsafeIntegers(raw: string): string {
  let out = "";
  let copied = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) {
      inString = true;
      continue;
    }
    if (!isDigit(c) && c !== MINUS) continue;
    let end = i + 1;
    while (end < raw.length && isNumberChar(raw.charCodeAt(end))) end++;
    // Shorter than 16 characters: at most 15 digits, a safe integer (most numbers of a payload; nothing to slice).
    if (end - i < 16) {
      i = end - 1;
      continue;
    }
    const token = raw.slice(i, end);
    let next = end;
    while (next < raw.length && isJsonSpace(raw.charCodeAt(next))) next++;
    if (UNSAFE_INTEGER_TOKEN.test(token) && !Number.isSafeInteger(Number(token)) && raw.charCodeAt(next) !== COLON) {
      out += `${raw.slice(copied, i)}"${token}"`;
      copied = end;
    }
    i = end - 1;
  }
  return copied === 0 ? raw : out + raw.slice(copied);
}

/** The parser's own message for the text as sent (quoting shifts positions). */
function jsonErrorMessage(raw: string, error: unknown): string {
  try {
    JSON.parse(raw);
  } catch (original) {
    return (original as Error).message;
  }
  return (error as Error).message;
}

/**
 * The first field (in the order a JSON.parse reviver visits them: children before their parent, keys in order) whose
 * key or string value contains U+0000, with the NUL written as \u0000; "(body)" for the whole body; null if none.
 */
function firstFieldWithNul(key: string, value: unknown): string | null {
  return firstFieldWith(
    key,
    value,
    (t) => t.includes("\u0000"),
    (k) => k.replaceAll("\u0000", "\\u0000"),
  );
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first key (or the key of the first string value) for which `bad` holds, written by `show`; null when none. */
function firstFieldWith(key: string, value: unknown, bad: (text: string) => boolean, show: (key: string) => string): string | null {
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const found = firstFieldWith(k, v, bad, show);
      if (found !== null) return found;
    }
  }
  if ((typeof value === "string" && bad(value)) || bad(key)) return show(key) || "(body)";
  return null;
}

// ── Field schemas ─────────────────────────────────────────────────────────────────────────────────────────────────

const gidOf = (type: string) => z.string().regex(new RegExp(`^gid://shopify/${type}/\\d+$`), `must be a ${type} GID like gid://shopify/${type}/123`);
const numericId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform((v) => String(v));
const instant = z.iso.datetime({ offset: true });
/**
 * The largest amount, in minor units, Tierline computes with exactly: money is integer minor units in JavaScript
 * numbers, so anything past 2^53 would be rounded (and fails to store). Such an amount would pass here and then fail
 * every time the worker applies it, so it is refused at the door (400, which Shopify's delivery log shows).
 */
export const MAX_AMOUNT_MINOR = Number.MAX_SAFE_INTEGER;
const withinStoredRange = (v: string) => Math.abs(Number(v)) * 100 <= MAX_AMOUNT_MINOR;
const decimal = z
  .union([z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string like "120.50"'), z.number().finite()])
  .transform((v) => String(v))
  .refine(withinStoredRange, `must be at most ${Math.floor(MAX_AMOUNT_MINOR / 100)} in absolute value`);
const moneySet = z.object({ shop_money: z.object({ amount: decimal, currency_code: z.string().min(3).max(3) }) });
const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v === undefined || v === null || v === "" ? null : v));

const lineItem = z
  .object({
    admin_graphql_api_id: gidOf("LineItem"),
    product_id: numericId.nullish(),
    quantity: z.number().int().nonnegative(),
    price: decimal,
    price_set: moneySet.nullish(),
    gift_card: z.boolean().nullish(),
    discount_allocations: z.array(z.object({ amount: decimal.nullish(), amount_set: moneySet.nullish() })).nullish(),
  })
  .refine((l) => withinStoredRange(String(Math.abs(Number(l.price_set?.shop_money.amount ?? l.price)) * l.quantity)), {
    path: ["quantity"],
    message: "price × quantity is beyond what Tierline computes with exactly",
  });

const orderCustomer = z.object({
  admin_graphql_api_id: gidOf("Customer"),
  email: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  phone: optionalText,
});

export const OrderPayload = z.object({
  admin_graphql_api_id: gidOf("Order"),
  name: z.string().nullish(),
  created_at: instant,
  updated_at: instant.nullish(),
  processed_at: instant.nullish(),
  cancelled_at: instant.nullish(),
  financial_status: z.string().nullish(),
  test: z.boolean().nullish(),
  currency: z.string().min(3).max(3),
  source_name: z.string().nullish(),
  customer: orderCustomer.nullish(),
  line_items: z.array(lineItem),
  total_price_set: moneySet,
  subtotal_price_set: moneySet,
  total_shipping_price_set: moneySet.nullish(),
  total_tax_set: moneySet.nullish(),
  discount_codes: z.array(z.object({ code: z.string().nullish() })).nullish(),
});
export type OrderPayload = z.output<typeof OrderPayload>;

export const RefundPayload = z
  .object({
    admin_graphql_api_id: gidOf("Refund"),
    order_id: numericId,
    created_at: instant,
    processed_at: instant.nullish(),
    refund_line_items: z.array(
      z.object({
        line_item_id: numericId.nullish(),
        line_item: z.object({ admin_graphql_api_id: gidOf("LineItem") }).nullish(),
        quantity: z.number().int().nonnegative(),
      }),
    ),
    transactions: z.array(z.object({ kind: z.string(), status: z.string().nullish(), amount: decimal })).nullish(),
  })
  .refine((r) => withinStoredRange(String((r.transactions ?? []).reduce((sum, t) => sum + Math.abs(Number(t.amount)), 0))), {
    path: ["transactions"],
    message: `must add up to at most ${Math.floor(MAX_AMOUNT_MINOR / 100)}`,
  });
export type RefundPayload = z.output<typeof RefundPayload>;

export const CustomerPayload = z.object({
  admin_graphql_api_id: gidOf("Customer"),
  email: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  phone: optionalText,
  updated_at: instant.nullish(),
});
export type CustomerPayload = z.output<typeof CustomerPayload>;

export const CustomerDeletePayload = z.object({ admin_graphql_api_id: gidOf("Customer") });

export const CustomerMergePayload = z.object({
  admin_graphql_api_customer_deleted_id: gidOf("Customer"),
  admin_graphql_api_customer_kept_id: gidOf("Customer"),
  status: z.string(),
});

const complianceCustomer = z.object({ id: numericId, email: optionalText, phone: optionalText });

export const CustomersRedactPayload = z.object({
  shop_domain: z.string(),
  customer: complianceCustomer,
  orders_to_redact: z.array(numericId).nullish(),
});
export type CustomersRedactPayload = z.output<typeof CustomersRedactPayload>;

export const CustomersDataRequestPayload = z.object({
  shop_domain: z.string(),
  customer: complianceCustomer,
  orders_requested: z.array(numericId).nullish(),
  data_request: z.object({ id: numericId }).nullish(),
});

export const ShopRedactPayload = z.object({ shop_domain: z.string() });

/** The shop object; nothing in it is needed beyond its arrival. */
export const AppUninstalledPayload = z.object({ id: numericId.nullish(), myshopify_domain: z.string().nullish() }).loose();

export const ScopesUpdatePayload = z.object({
  previous: z.array(z.string()).nullish(),
  current: z.array(z.string()),
  updated_at: instant.nullish(),
});

export const BulkOperationsFinishPayload = z.object({
  admin_graphql_api_id: gidOf("BulkOperation"),
  status: z.string(),
  error_code: z.string().nullish(),
  type: z.string().nullish(),
});

/** A change of the shop's app subscription (plan chosen, cancelled, frozen…): the plan is read again from Shopify. */
export const AppSubscriptionsUpdatePayload = z.object({
  app_subscription: z.object({
    admin_graphql_api_id: gidOf("AppSubscription"),
    name: z.string(),
    status: z.string(),
  }),
});

/**
 * A product or collection changed: what the app cached of products' collections and tags is read again
 * (app/services/order-scopes.server.ts). products/update carries the product's GID; products/delete and
 * collections/delete may carry only the numeric id.
 */
export const ProductUpdatePayload = z.object({ admin_graphql_api_id: gidOf("Product"), updated_at: instant.nullish() });
export const ProductDeletePayload = z.object({ id: numericId, admin_graphql_api_id: gidOf("Product").nullish() });
export const CollectionUpdatePayload = z.object({ admin_graphql_api_id: gidOf("Collection"), updated_at: instant.nullish() });
export const CollectionDeletePayload = z.object({ id: numericId, admin_graphql_api_id: gidOf("Collection").nullish() });

export const PAYLOAD_SCHEMAS = {
  "orders/paid": OrderPayload,
  "orders/updated": OrderPayload,
  "orders/cancelled": OrderPayload,
  "refunds/create": RefundPayload,
  "customers/create": CustomerPayload,
  "customers/update": CustomerPayload,
  "customers/delete": CustomerDeletePayload,
  "customers/merge": CustomerMergePayload,
  "app/uninstalled": AppUninstalledPayload,
  "app/scopes_update": ScopesUpdatePayload,
  "bulk_operations/finish": BulkOperationsFinishPayload,
  "app_subscriptions/update": AppSubscriptionsUpdatePayload,
  "products/update": ProductUpdatePayload,
  "products/delete": ProductDeletePayload,
  "collections/update": CollectionUpdatePayload,
  "collections/delete": CollectionDeletePayload,
  "customers/data_request": CustomersDataRequestPayload,
  "customers/redact": CustomersRedactPayload,
  "shop/redact": ShopRedactPayload,
} as const satisfies Record<WebhookTopic, z.ZodType>;

export type PayloadOf<T extends WebhookTopic> = z.output<(typeof PAYLOAD_SCHEMAS)[T]>;
export type ParsedWebhook = { [T in WebhookTopic]: { topic: T; payload: PayloadOf<T> } }[WebhookTopic];

/** Parses and validates a raw body for its topic; throws WebhookPayloadError naming the first bad field. */
export function parseWebhookPayload(topic: string, raw: string): ParsedWebhook {
  if (!isWebhookTopic(topic)) throw new WebhookPayloadError("WEBHOOK.UNKNOWN_TOPIC", `Tierline does not handle the topic "${topic}"`);
  const json = parseWebhookJson(raw);
  const result = PAYLOAD_SCHEMAS[topic].safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length
      ? issue.path
          .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
          .join("")
          .replace(/^\./, "")
      : "(body)";
    throw new WebhookPayloadError("WEBHOOK.INVALID_PAYLOAD", `${topic} payload: ${where}: ${issue.message}`);
  }
  // Neither database stores half of a UTF-16 surrogate pair (an escape like "\ud800" alone, which JSON allows): a field
  // the app reads must not carry one, or the worker would fail on it every time.
  if (/\\u[dD][89a-fA-F]/.test(raw)) {
    const loneAt = firstFieldWith(
      "",
      result.data,
      (t) => LONE_SURROGATE.test(t),
      (k) => k.replace(new RegExp(LONE_SURROGATE.source, "g"), "\uFFFD"),
    );
    if (loneAt !== null)
      throw new WebhookPayloadError("WEBHOOK.INVALID_PAYLOAD", `${topic} payload: field "${loneAt}" contains half of a surrogate pair`);
  }
  return { topic, payload: result.data } as ParsedWebhook;
}

export const customerGidFromId = (id: string) => `gid://shopify/Customer/${id}`;
export const orderGidFromId = (id: string) => `gid://shopify/Order/${id}`;
export const productGidFromId = (id: string) => `gid://shopify/Product/${id}`;

/** The customer and order a delivery is about: stored beside the inbox row for redaction and the drainer. */
export function webhookSubjects(parsed: ParsedWebhook): { customerGid: string | null; orderGid: string | null } {
  switch (parsed.topic) {
    case "orders/paid":
    case "orders/updated":
    case "orders/cancelled":
      return { customerGid: parsed.payload.customer?.admin_graphql_api_id ?? null, orderGid: parsed.payload.admin_graphql_api_id };
    case "refunds/create":
      return { customerGid: null, orderGid: orderGidFromId(parsed.payload.order_id) };
    case "customers/create":
    case "customers/update":
    case "customers/delete":
      return { customerGid: parsed.payload.admin_graphql_api_id, orderGid: null };
    case "customers/merge":
      return { customerGid: parsed.payload.admin_graphql_api_customer_kept_id, orderGid: null };
    case "customers/redact":
    case "customers/data_request":
      return { customerGid: customerGidFromId(parsed.payload.customer.id), orderGid: null };
    default:
      return { customerGid: null, orderGid: null };
  }
}

/**
 * The shop a payload says it is about (compliance bodies' `shop_domain`, the uninstalled shop's `myshopify_domain`).
 * Shopify's HMAC signs the body only, not the X-Shopify-Shop-Domain header: a signed shop/redact body of one shop
 * resent with another shop's header must not purge that other shop, so the two must agree where the body says.
 */
export function payloadShopDomain(parsed: ParsedWebhook): string | null {
  switch (parsed.topic) {
    case "customers/redact":
    case "customers/data_request":
    case "shop/redact":
      return parsed.payload.shop_domain;
    case "app/uninstalled":
      return parsed.payload.myshopify_domain ?? null;
    default:
      return null;
  }
}
