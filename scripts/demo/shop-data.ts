import type { CustomerSeed, OrderSeed, ProductSeed } from "../../tools/shopify-stand-in";
import { seededRandom } from "../../tools/sample-data/seeded-random";

/**
 * The demo shop's data: products, customers and their order history, all derived from a fixed seed so every run
 * (and every screenshot) shows the same people with the same numbers. Pure: no I/O, no clock — times are days
 * before an anchor the caller passes in.
 *
 * A handful of named customers carry the stories the replay tells (see replay.ts); everyone else is generated:
 * a few big spenders, some regulars and many occasional buyers, so the history lands members on every level.
 */

export const DEMO_SEED = 20_260_301;

export const gidOf = (type: string, id: number) => `gid://shopify/${type}/${id}`;

export interface DemoProduct {
  id: number;
  title: string;
  /** Unit price, minor units. */
  price: number;
  giftCard?: boolean;
}

/** Product 9001 is the VIP membership card of Silver's second condition group (program.json). */
export const PRODUCTS: DemoProduct[] = [
  { id: 9001, title: "VIP membership card", price: 2_500 },
  { id: 9002, title: "Merino wool scarf", price: 4_500 },
  { id: 9003, title: "Linen shirt", price: 6_800 },
  { id: 9004, title: "Silk tie", price: 5_500 },
  { id: 9005, title: "Selvedge denim jeans", price: 14_000 },
  { id: 9006, title: "Cashmere sweater", price: 18_000 },
  { id: 9007, title: "Suede chelsea boots", price: 23_000 },
  { id: 9008, title: "Waxed canvas jacket", price: 26_000 },
  { id: 9009, title: "Leather weekender bag", price: 42_000 },
  { id: 9010, title: "Wool overcoat", price: 54_000 },
  { id: 9011, title: "Automatic field watch", price: 115_000 },
  { id: 9012, title: "Gift card", price: 5_000, giftCard: true },
];
const product = (id: number) => PRODUCTS.find((p) => p.id === id)!;

export type Persona = "story" | "big" | "regular" | "occasional";

export interface DemoCustomer {
  id: number;
  gid: string;
  firstName: string;
  lastName: string;
  email: string;
  persona: Persona;
}

export interface DemoLine {
  id: number;
  productId: number;
  quantity: number;
  /** Unit price, minor units. */
  price: number;
}

export interface DemoOrder {
  id: number;
  customer: DemoCustomer;
  lines: DemoLine[];
  /** Minor units. */
  shipping: number;
  tax: number;
}

export interface HistoryOrder extends DemoOrder {
  daysAgo: number;
}

export interface DemoShopData {
  customers: DemoCustomer[];
  /** Orders paid before the demo starts: in the Shopify stand-in, imported by the install backfill. */
  history: HistoryOrder[];
  /** The named customers, by story role. */
  cast: Record<CastRole, DemoCustomer>;
}

const CUSTOMER_BASE = 7_100_000;
const HISTORY_ORDER_BASE = 5_000_000;
export const MAX_CUSTOMERS = 2_000;

export type CastRole = "ada" | "grace" | "alan" | "katherine" | "hedy" | "margaret";
const CAST: [CastRole, string, string][] = [
  ["ada", "Ada", "Lovelace"],
  ["grace", "Grace", "Hopper"],
  ["alan", "Alan", "Turing"],
  ["katherine", "Katherine", "Johnson"],
  ["hedy", "Hedy", "Lamarr"],
  ["margaret", "Margaret", "Hamilton"],
];

/** Their history, as [daysAgo, product ids] per order: where each story starts (see replay.ts for where it goes). */
const CAST_HISTORY: Record<CastRole, [number, number[]][]> = {
  // Two orders, $898: one order and ~$100 short of Silver.
  ada: [
    [60, [9009]],
    [25, [9006, 9007, 9003]],
  ],
  grace: [],
  // Three orders, $1,220: Silver.
  alan: [
    [200, [9009]],
    [120, [9010]],
    [40, [9008]],
  ],
  // Four orders, $2,600: Gold, with the overcoat ($540) the refund will take back.
  katherine: [
    [150, [9010, 9009]],
    [90, [9011]],
    [50, [9008]],
    [20, [9007]],
  ],
  // Three orders, $2,230: Silver, $270 short of Gold.
  hedy: [
    [170, [9010]],
    [100, [9011]],
    [30, [9010]],
  ],
  // Two orders, $800: Silver needs a third order and $200 more.
  margaret: [
    [80, [9010]],
    [35, [9008]],
  ],
};

const FIRST_NAMES = [
  "Amara",
  "Bruno",
  "Chloe",
  "Dmitri",
  "Elena",
  "Farid",
  "Greta",
  "Hiro",
  "Ines",
  "Jonas",
  "Keira",
  "Luca",
  "Maya",
  "Nikolai",
  "Olivia",
  "Pablo",
  "Quinn",
  "Rosa",
  "Samir",
  "Tamsin",
  "Umar",
  "Vera",
  "Wen",
  "Ximena",
  "Yusuf",
  "Zara",
  "Aiden",
  "Bianca",
  "Caleb",
  "Dalia",
  "Emil",
  "Freya",
  "Gabriel",
  "Hana",
  "Ivan",
  "Jade",
  "Kofi",
  "Lena",
  "Mateo",
  "Nora",
  "Oscar",
  "Priya",
  "Rafael",
  "Sofia",
  "Theo",
  "Uma",
  "Viktor",
  "Willa",
];
const LAST_NAMES = [
  "Abara",
  "Bergstrom",
  "Castillo",
  "Dubois",
  "Eriksen",
  "Fontaine",
  "Garcia",
  "Haddad",
  "Ibsen",
  "Jansen",
  "Kowalski",
  "Lindqvist",
  "Moreau",
  "Nakamura",
  "Okafor",
  "Petrov",
  "Quintero",
  "Rossi",
  "Sato",
  "Tanaka",
  "Ulrich",
  "Varga",
  "Weber",
  "Xu",
  "Yilmaz",
  "Zimmermann",
  "Andersen",
  "Bakker",
  "Chen",
  "Duarte",
  "Engel",
  "Ferreira",
  "Gupta",
  "Horvat",
  "Ivanova",
  "Jovanovic",
  "Kim",
  "Larsen",
  "Mendes",
  "Novak",
  "Olsen",
  "Park",
  "Reyes",
  "Schmidt",
  "Takahashi",
  "Novotny",
  "Vogel",
  "Wolff",
];

/** Products by persona: big spenders buy the dear things, occasional buyers the small ones. */
const SHELVES: Record<Exclude<Persona, "story">, number[]> = {
  big: [9006, 9007, 9008, 9009, 9010, 9011, 9005],
  regular: [9003, 9004, 9005, 9006, 9007, 9008, 9002, 9012],
  occasional: [9002, 9003, 9004, 9005, 9012],
};
const ORDERS_PER_CUSTOMER: Record<Exclude<Persona, "story">, [number, number]> = { big: [3, 7], regular: [1, 4], occasional: [0, 2] };

export function customerOf(index: number, persona: Persona, names: [string, string]): DemoCustomer {
  const id = CUSTOMER_BASE + index + 1;
  const [firstName, lastName] = names;
  return {
    id,
    gid: gidOf("Customer", id),
    firstName,
    lastName,
    email: `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, "") + `@example.com`,
    persona,
  };
}

/** Lines for `productIds` (each once; repeated ids add quantity), line ids derived from the order id. */
export function linesOf(orderId: number, productIds: number[]): DemoLine[] {
  const lines: DemoLine[] = [];
  for (const pid of productIds) {
    const line = lines.find((l) => l.productId === pid);
    if (line) line.quantity++;
    else lines.push({ id: orderId * 10 + lines.length + 1, productId: pid, quantity: 1, price: product(pid).price });
  }
  return lines;
}

export const subtotalOf = (o: Pick<DemoOrder, "lines">) => o.lines.reduce((s, l) => s + l.price * l.quantity, 0);

/** Flat $8 shipping under $150, and 8% tax: both excluded from counted spend by the program. */
export function orderCharges(subtotal: number): { shipping: number; tax: number } {
  return { shipping: subtotal < 15_000 ? 800 : 0, tax: Math.round(subtotal * 0.08) };
}

/** 1–3 products from the persona's shelf. */
export function pickProducts(random: () => number, persona: Exclude<Persona, "story">): number[] {
  const shelf = SHELVES[persona];
  const count = 1 + Math.floor(random() * (persona === "occasional" ? 2 : 3));
  return Array.from({ length: count }, () => shelf[Math.floor(random() * shelf.length)]);
}

export function buildDemoShopData(opts: { customers: number; seed?: number }): DemoShopData {
  const total = Math.max(CAST.length, Math.min(MAX_CUSTOMERS, Math.floor(opts.customers)));
  const random = seededRandom(opts.seed ?? DEMO_SEED);
  const customers: DemoCustomer[] = CAST.map(([, first, last], i) => customerOf(i, "story", [first, last]));
  const cast = Object.fromEntries(CAST.map(([role], i) => [role, customers[i]])) as Record<CastRole, DemoCustomer>;
  for (let i = CAST.length; i < total; i++) {
    const k = i - CAST.length;
    // A bijection of k onto (first, last) pairs: names stay unique up to 48 × 48 customers.
    const names: [string, string] = [FIRST_NAMES[k % FIRST_NAMES.length], LAST_NAMES[(k + Math.floor(k / FIRST_NAMES.length)) % LAST_NAMES.length]];
    const r = random();
    customers.push(customerOf(i, r < 0.12 ? "big" : r < 0.45 ? "regular" : "occasional", names));
  }

  const history: HistoryOrder[] = [];
  const add = (customer: DemoCustomer, daysAgo: number, productIds: number[]) => {
    const id = HISTORY_ORDER_BASE + history.length + 1;
    const lines = linesOf(id, productIds);
    history.push({ id, customer, lines, daysAgo, ...orderCharges(subtotalOf({ lines })) });
  };
  for (const [role] of CAST) for (const [daysAgo, productIds] of CAST_HISTORY[role]) add(cast[role], daysAgo, productIds);
  for (const c of customers) {
    if (c.persona === "story") continue;
    const [min, max] = ORDERS_PER_CUSTOMER[c.persona];
    const count = min + Math.floor(random() * (max - min + 1));
    for (let n = 0; n < count; n++) add(c, 3 + Math.floor(random() * 330), pickProducts(random, c.persona));
  }
  return { customers, history, cast };
}

// ---------------------------------------------------------------------------------------------------------------
// The same data in the stand-in's seed shapes.

/** The demo's one collection (Silver can be reached by buying three of its products: a condition scoped by collection). */
export const KNITWEAR_COLLECTION = "gid://shopify/Collection/9101";
export const KNITWEAR_PRODUCTS = [9002, 9006];

export function productSeeds(): ProductSeed[] {
  return PRODUCTS.map((p) => ({
    id: gidOf("Product", p.id),
    title: p.title,
    isGiftCard: p.giftCard ?? false,
    tags: p.giftCard ? ["gift-card"] : [],
    collections: KNITWEAR_PRODUCTS.includes(p.id) ? [KNITWEAR_COLLECTION] : [],
  }));
}

export function customerSeeds(data: DemoShopData, anchor: number): CustomerSeed[] {
  const createdAt = new Date(anchor - 365 * 86_400_000).toISOString();
  return data.customers.map((c) => ({ id: c.gid, firstName: c.firstName, lastName: c.lastName, email: c.email, createdAt }));
}

const money = (minor: number) => (minor / 100).toFixed(2);

export function historyOrderSeeds(data: DemoShopData, anchor: number): OrderSeed[] {
  return data.history.map((o) => {
    // Mid-morning UTC on the day, so counts never depend on the hour the demo starts.
    const processedAt = new Date(anchor - o.daysAgo * 86_400_000 + 10 * 3_600_000).toISOString();
    return {
      id: gidOf("Order", o.id),
      name: `#${o.id}`,
      customerId: o.customer.gid,
      processedAt,
      financialStatus: "PAID",
      totalShipping: money(o.shipping),
      totalTax: money(o.tax),
      lineItems: o.lines.map((l) => ({
        id: gidOf("LineItem", l.id),
        productId: gidOf("Product", l.productId),
        title: product(l.productId).title,
        quantity: l.quantity,
        unitPrice: money(l.price),
      })),
    };
  });
}
