import {
  appSubscriptionsUpdatePayload,
  appUninstalledPayload,
  bulkOperationsFinishPayload,
  customerDeletePayload,
  customerMergePayload,
  customerPayload,
  customersDataRequestPayload,
  customersRedactPayload,
  orderPayload,
  refundPayload,
  scopesUpdatePayload,
  shopRedactPayload,
} from "../../../tools/sample-data/webhook-payloads";
import { seededRandom } from "../../../tools/sample-data/seeded-random";
import {
  collectionDeletePayload,
  collectionUpdatePayload,
  productDeletePayload,
  productUpdatePayload,
} from "../../../tools/shopify-stand-in/catalog";

/**
 * A generated corpus of hostile webhook bodies: Shopify's sample payloads (through the builders in
 * tools/sample-data/webhook-payloads.ts) mutated by a seeded PRNG — wrong types, missing fields, huge numbers, negative
 * money, odd unicode, null ids, wrong GID kinds, extra and prototype-polluting fields, bad instants, deep nesting,
 * truncated or non-JSON text, and bodies sent to another topic's route. Deterministic for a seed, so a failing case
 * is reproduced by its number.
 */

type Json = Record<string, any>;

const CUSTOMERS = [9101, 9102, 9103, 9104, 9105];

/** A valid payload for a topic, about `shop` (compliance bodies name it), varied by `n`. */
export function topicPayload(topic: string, shop: string, n = 0): Json {
  const customerId = CUSTOMERS[n % CUSTOMERS.length];
  const orderId = 20_000 + (n % 40);
  switch (topic) {
    case "orders/paid":
    case "orders/updated":
      return orderPayload({
        id: orderId,
        customer: { id: customerId },
        lines: [{ price: `${50 + (n % 7) * 25}.00` }, { price: "19.99", quantity: 2, discount: "4.00" }],
      });
    case "orders/cancelled":
      return orderPayload({ id: orderId, customer: { id: customerId }, cancelledAt: "2026-03-03T00:00:00Z" });
    case "refunds/create":
      return refundPayload({ id: 30_000 + n, orderId, amount: "10.00" });
    case "customers/create":
    case "customers/update":
      return customerPayload({ id: customerId });
    case "customers/delete":
      return customerDeletePayload(customerId + 1000);
    case "customers/merge":
      return customerMergePayload(customerId + 2000, customerId);
    case "app/uninstalled":
      return appUninstalledPayload(shop);
    case "app/scopes_update":
      return scopesUpdatePayload(["read_customers", "write_customers", "read_orders", "write_discounts", "read_products"]);
    case "bulk_operations/finish":
      return bulkOperationsFinishPayload(40_000 + n);
    case "app_subscriptions/update":
      return appSubscriptionsUpdatePayload(50_000 + n, ["Growth", "Plus", "Basic"][n % 3], n % 4 === 3 ? "CANCELLED" : "ACTIVE");
    case "products/update":
      return productUpdatePayload({ id: `gid://shopify/Product/${60_000 + n}`, title: "Widget", tags: ["Premium", "sale"] }, "2026-03-01T10:00:00Z");
    case "products/delete":
      return productDeletePayload(`gid://shopify/Product/${60_000 + n}`);
    case "collections/update":
      return collectionUpdatePayload({ id: `gid://shopify/Collection/${70_000 + n}`, title: "Premium" }, "2026-03-01T10:00:00Z");
    case "collections/delete":
      return collectionDeletePayload(`gid://shopify/Collection/${70_000 + n}`);
    case "customers/data_request":
      return customersDataRequestPayload(shop, { id: customerId }, [orderId]);
    case "customers/redact":
      return customersRedactPayload(shop, { id: customerId + 3000 }, [orderId + 3000]);
    case "shop/redact":
      return shopRedactPayload(shop);
    default:
      throw new Error(`no payload builder for ${topic}`);
  }
}

// ── Mutations ───────────────────────────────────────────────────────────────────────────────────────────────────

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const p = [...prefix, Array.isArray(value) ? Number(k) : k];
      out.push(p);
      paths(v, p, out);
    }
  }
  return out;
}

function parentOf(root: Json, path: Path): any {
  let node: any = root;
  for (const k of path.slice(0, -1)) node = node?.[k];
  return node;
}

function setAt(root: Json, path: Path, value: unknown): void {
  const parent = parentOf(root, path);
  if (parent && typeof parent === "object") parent[path[path.length - 1]] = value;
}

function deleteAt(root: Json, path: Path): void {
  const parent = parentOf(root, path);
  if (Array.isArray(parent)) parent.splice(Number(path[path.length - 1]), 1);
  else if (parent && typeof parent === "object") delete parent[path[path.length - 1]];
}

const ODD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  -0.000001,
  "",
  " ",
  "x",
  true,
  false,
  [],
  {},
  [null],
  { a: 1 },
  "NaN",
  "Infinity",
  1e308,
  -1e308,
  2 ** 64,
  2 ** 53 + 1,
  "１２３",
  "0x1F",
  "1e3",
];
const MONEY: unknown[] = [
  "-100.00",
  "-0.01",
  "-0",
  "999999999999999999999.99",
  "1e999",
  1e21,
  -5,
  "0.001",
  "12,50",
  " 10.00",
  "10.00 ",
  "+10.00",
  "١٠.٠٠",
  "",
  null,
  1.0000001,
];
const UNICODE = [
  "\u0000",
  "💥🎉",
  "\u202Eevil.exe",
  "\ud800",
  "\udfff\ud800",
  "Ａｄａ",
  "ü\u0308",
  "<script>alert(1)</script>",
  '\'; DROP TABLE "Member"; --',
  "%s%n%x",
  "\\u0000",
  "a".repeat(20_000),
  "\r\n\t",
  "😀".repeat(3000),
];
const INSTANTS: unknown[] = [
  "2026-02-30T00:00:00Z",
  "0000-01-01T00:00:00Z",
  "275760-09-13T00:00:01Z",
  "+275760-09-13T00:00:00Z",
  "yesterday",
  0,
  1_700_000_000_000,
  "2026-03-01T10:00:00",
  "9999-12-31T23:59:59Z",
  "1969-12-31T23:59:59Z",
  "2026-03-01T10:00:00+25:00",
  "",
];
const GIDS = [
  "gid://shopify/Customer/1",
  "gid://shopify/Order/1",
  "gid://shopify/Product/1",
  "gid://shopify/Order/",
  "gid://shopify/Order/-1",
  "gid://shopify/Order/1.5",
  "gid://shopify/Order/99999999999999999999999999999999",
  "gid://shopify/Order/1?x=2",
  "gid://shopify/Order/1\n",
  "gid://other/Order/1",
  "GID://SHOPIFY/ORDER/1",
  "gid://shopify/Customer/0",
  "gid://shopify/Customer/00012",
];
const INSTANT_KEYS = /(_at|_date)$/;
const MONEY_KEYS = /^(amount|price|total_price|subtotal_price|total_tax|total_discounts|current_total_price)$/;
const ID_KEYS = /(^id$|_id$|admin_graphql_api_id|_ids?$)/;

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

function nested(depth: number): unknown {
  let v: unknown = "bottom";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { d: v };
  return v;
}

type Mutation = { name: string; apply(body: Json, rand: () => number): void };

function keyed(body: Json, test: RegExp): Path[] {
  return paths(body).filter((p) => typeof p[p.length - 1] === "string" && test.test(String(p[p.length - 1])));
}

const MUTATIONS: Mutation[] = [
  {
    name: "wrong type",
    apply: (b, r) => {
      const ps = paths(b);
      if (ps.length) setAt(b, pick(r, ps), structuredClone(pick(r, ODD_VALUES)));
    },
  },
  {
    name: "missing field",
    apply: (b, r) => {
      const ps = paths(b);
      if (ps.length) deleteAt(b, pick(r, ps));
    },
  },
  {
    name: "top-level field missing",
    apply: (b, r) => {
      const ks = Object.keys(b);
      if (ks.length) delete b[pick(r, ks)];
    },
  },
  {
    name: "odd money",
    apply: (b, r) => {
      const ps = keyed(b, MONEY_KEYS);
      for (const p of ps) if (r() < 0.5) setAt(b, p, pick(r, MONEY));
    },
  },
  {
    name: "negative money everywhere",
    apply: (b) => {
      for (const p of keyed(b, MONEY_KEYS)) setAt(b, p, "-250.00");
    },
  },
  {
    name: "unicode text",
    apply: (b, r) => {
      for (const p of paths(b)) {
        const parent = parentOf(b, p);
        if (typeof parent?.[p[p.length - 1]] === "string" && r() < 0.3) setAt(b, p, pick(r, UNICODE));
      }
    },
  },
  {
    name: "null ids",
    apply: (b, r) => {
      for (const p of keyed(b, ID_KEYS)) if (r() < 0.6) setAt(b, p, null);
    },
  },
  {
    name: "wrong gid",
    apply: (b, r) => {
      for (const p of keyed(b, /admin_graphql_api|_gid$/)) if (r() < 0.7) setAt(b, p, pick(r, GIDS));
    },
  },
  {
    name: "huge ids",
    apply: (b, r) => {
      for (const p of keyed(b, ID_KEYS)) if (r() < 0.5) setAt(b, p, pick(r, [2 ** 64, -1, 1.5, "99999999999999999999999", "0", "12a"]));
    },
  },
  {
    name: "bad instants",
    apply: (b, r) => {
      for (const p of keyed(b, INSTANT_KEYS)) if (r() < 0.6) setAt(b, p, pick(r, INSTANTS));
    },
  },
  {
    name: "extra fields",
    apply: (b, r) => {
      b[`extra_${Math.floor(r() * 1e6)}`] = { nested: [1, "two", null], at: "2026-01-01" };
      b.note = pick(r, UNICODE);
    },
  },
  {
    name: "prototype pollution",
    apply: (b) => {
      // An own "__proto__" key, as JSON.parse creates it (assignment would set the prototype instead).
      for (const [key, value] of [
        ["__proto__", { polluted: true }],
        ["constructor", { prototype: { polluted: true } }],
      ] as const) {
        Object.defineProperty(b, key, { value, enumerable: true, configurable: true, writable: true });
      }
    },
  },
  {
    name: "nested a little",
    apply: (b, r) => {
      b.deep = nested(5 + Math.floor(r() * 40));
    },
  },
  {
    name: "nested too deep",
    apply: (b, r) => {
      b.deep = nested(70 + Math.floor(r() * 2000));
    },
  },
  {
    name: "lines emptied or multiplied",
    apply: (b, r) => {
      if (Array.isArray(b.line_items)) b.line_items = r() < 0.5 ? [] : Array.from({ length: 300 }, () => structuredClone(b.line_items[0] ?? {}));
    },
  },
  {
    name: "odd quantities",
    apply: (b, r) => {
      for (const p of keyed(b, /^quantity$/)) setAt(b, p, pick(r, [-1, 0, 2 ** 31, 2 ** 53, 1.5, "2", null]));
    },
  },
  {
    name: "odd currency",
    apply: (b, r) => {
      for (const p of keyed(b, /currency(_code)?$/)) setAt(b, p, pick(r, ["US", "usd", "XXX", "€€€", "BTC", "", null, 840]));
    },
  },
  {
    name: "odd arrays",
    apply: (b, r) => {
      for (const p of paths(b)) {
        const parent = parentOf(b, p);
        if (Array.isArray(parent?.[p[p.length - 1]]) && r() < 0.5) setAt(b, p, pick(r, [null, {}, "[]", [null, 1, "x"]]));
      }
    },
  },
];

/** Text-level damage, applied to the serialised body. */
const RAW_MUTATIONS: { name: string; apply(text: string, rand: () => number): string }[] = [
  { name: "truncated JSON", apply: (t, r) => t.slice(0, Math.floor(r() * t.length)) },
  { name: "duplicate keys", apply: (t) => t.replace("{", '{"admin_graphql_api_id":"gid://shopify/Order/1","id":null,') },
  { name: "number overflowing to Infinity", apply: (t) => t.replace(/"(amount|price|quantity)":\s*("?)[^,"}]*\2/, '"$1":1e999') },
  { name: "byte-order mark", apply: (t) => `\uFEFF${t}` },
  { name: "not an object", apply: (_t, r) => pick(r, ["", "null", "[]", "0", '"text"', "true", " ", "{}", "[{}]", '{"a":', "undefined", "NaN"]) },
  { name: "trailing garbage", apply: (t) => `${t}}{` },
  { name: "comment and trailing comma", apply: (t) => t.replace("{", "{/* hi */").replace(/}$/, ",}") },
];

export interface FuzzCase {
  n: number;
  /** The route the body is sent to. */
  route: string;
  /** X-Shopify-Topic (normally the route's). */
  headerTopic: string;
  /** The topic whose payload was mutated. */
  bodyTopic: string;
  mutations: string[];
  body: string;
}

/** `count` cases, round-robin over `topics`, each with 1–3 mutations (a few with none, as controls). */
export function fuzzCorpus(opts: { seed: number; count: number; topics: readonly string[]; shopFor: (route: string) => string }): FuzzCase[] {
  const rand = seededRandom(opts.seed);
  const cases: FuzzCase[] = [];
  for (let n = 0; n < opts.count; n++) {
    const route = opts.topics[n % opts.topics.length];
    const roll = rand();
    // 1 in 12: another topic's body (valid or not) sent to this route; 1 in 40: the header names another topic.
    const bodyTopic = roll < 1 / 12 ? pick(rand, opts.topics) : route;
    const headerTopic = rand() < 1 / 40 ? pick(rand, opts.topics) : route;
    const body = topicPayload(bodyTopic, opts.shopFor(route), n);
    const names: string[] = [];
    const steps = rand() < 0.05 ? 0 : 1 + Math.floor(rand() * 3);
    for (let i = 0; i < steps; i++) {
      const m = pick(rand, MUTATIONS);
      m.apply(body, rand);
      names.push(m.name);
    }
    let text = JSON.stringify(body);
    if (rand() < 0.15) {
      const m = pick(rand, RAW_MUTATIONS);
      text = m.apply(text, rand);
      names.push(m.name);
    }
    if (bodyTopic !== route) names.push(`${bodyTopic} body`);
    if (headerTopic !== route) names.push(`header says ${headerTopic}`);
    cases.push({ n, route, headerTopic, bodyTopic, mutations: names.length ? names : ["none (control)"], body: text });
  }
  return cases;
}
