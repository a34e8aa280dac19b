import fs from "node:fs";
import type { CodeDiscountRecord } from "./discount-codes";

/**
 * The stand-in's in-memory store: plain records, inspectable from tests (`state.customers[gid].tags`) and
 * serialisable to a JSON file for the demo. Money is kept as Shopify shows it: decimal strings in shop currency.
 */

export interface MetafieldRecord {
  id: string;
  ownerId: string;
  /** Resolved namespace: `$app:tierline` is stored as `app--<appId>--tierline`, as Shopify does. */
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: string;
  updatedAt: string;
}

export type MetafieldMap = Record<string, MetafieldRecord>;

export interface CustomerRecord {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  /** Keyed `${namespace}.${key}` with the resolved namespace. */
  metafields: MetafieldMap;
}

export interface LineItemRecord {
  id: string;
  productId: string | null;
  title: string;
  quantity: number;
  /** Unit price before discounts. */
  originalUnitPrice: string;
  /** Unit price after line and order discounts: what the buyer paid per unit. */
  unitPrice: string;
  isGiftCard: boolean;
}

export interface RefundRecord {
  id: string;
  createdAt: string;
  amount: string;
  lines: { lineItemId: string; quantity: number }[];
}

export interface OrderRecord {
  id: string;
  name: string;
  customerId: string | null;
  processedAt: string;
  createdAt: string;
  cancelledAt: string | null;
  test: boolean;
  sourceName: string;
  financialStatus: "PAID" | "PARTIALLY_REFUNDED" | "REFUNDED" | "PENDING" | "AUTHORIZED" | "VOIDED" | "PARTIALLY_PAID" | "EXPIRED";
  currencyCode: string;
  totalPrice: string;
  subtotalPrice: string;
  totalShipping: string;
  totalTax: string;
  discountCodes: string[];
  tags: string[];
  lineItems: LineItemRecord[];
  refunds: RefundRecord[];
  metafields: MetafieldMap;
}

export interface ProductRecord {
  id: string;
  title: string;
  tags: string[];
  collectionIds: string[];
  isGiftCard: boolean;
  metafields: MetafieldMap;
}

export interface DiscountRecord {
  id: string;
  title: string;
  functionHandle: string | null;
  functionId: string | null;
  discountClasses: string[];
  combinesWith: { productDiscounts: boolean; orderDiscounts: boolean; shippingDiscounts: boolean };
  startsAt: string;
  endsAt: string | null;
  createdAt: string;
  updatedAt: string;
  metafields: MetafieldMap;
}

export interface MetafieldDefinitionRecord {
  id: string;
  namespace: string;
  key: string;
  type: string;
  ownerType: string;
  name: string;
  description: string | null;
  access: { admin: string | null; storefront: string | null; customerAccount: string };
}

export type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";

export interface BulkOperationRecord {
  id: string;
  type: "MUTATION" | "QUERY";
  status: BulkStatus;
  errorCode: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT" | null;
  query: string;
  clientIdentifier: string | null;
  stagedUploadPath: string | null;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  /** Result JSONL lines (served at `url`, or at `partialDataUrl` when the operation failed). */
  resultLines: string[];
  url: string | null;
  partialDataUrl: string | null;
}

export interface CallLogEntry {
  at: number;
  operationName: string | null;
  rootFields: string[];
  status: number;
  outcome: "ok" | "throttled" | "fault" | "invalid" | "unauthorized" | "max-cost";
  requestedQueryCost: number | null;
  variables: Record<string, unknown> | null;
}

export interface ThrottleSettings {
  maximumAvailable: number;
  restoreRate: number;
}

export interface ShopState {
  domain: string;
  numericId: number;
  name: string;
  currencyCode: string;
  /** When set, requests must carry exactly this token; otherwise any non-empty token is accepted. */
  accessToken: string | null;
  throttle: ThrottleSettings;
  bucket: { available: number; at: number };
  customers: Record<string, CustomerRecord>;
  orders: Record<string, OrderRecord>;
  products: Record<string, ProductRecord>;
  collections: Record<string, { id: string; title: string }>;
  discounts: Record<string, DiscountRecord>;
  metafieldDefinitions: MetafieldDefinitionRecord[];
  /** The shop's own metafields (ownerId = the Shop GID), e.g. Tierline's `$app:tierline.program`. */
  metafields: MetafieldMap;
  bulkOperations: Record<string, BulkOperationRecord>;
  /** The app's subscriptions on this shop (Shopify App Pricing; billing.ts). */
  appSubscriptions?: AppSubscriptionRecord[];
  /** Code discounts by GID (rewards' codes; discount-codes.ts). */
  codeDiscounts?: Record<string, CodeDiscountRecord>;
  /** Payloads the shop's Flow received from the app's triggers, and triggers turned off (flow-triggers.ts). */
  flowTriggers?: { handle: string; payload: Record<string, unknown>; receivedAt: string }[];
  flowTriggersDisabled?: string[];
  calls: CallLogEntry[];
  nextId: number;
}

export interface AppSubscriptionRecord {
  id: string;
  /** The plan's name as the merchant saw it. */
  name: string;
  /** The plan's handle (AppRecurringPricing.planHandle). */
  handle: string;
  status: "ACTIVE" | "CANCELLED" | "DECLINED" | "EXPIRED" | "FROZEN" | "PENDING";
  price: string;
  createdAt: string;
}

export interface CustomerSeed {
  id?: string;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  tags?: string[];
  createdAt?: string;
}

export interface OrderSeed {
  id?: string;
  name?: string;
  customerId: string | null;
  processedAt: string;
  cancelledAt?: string | null;
  test?: boolean;
  sourceName?: string;
  financialStatus?: OrderRecord["financialStatus"];
  totalPrice?: string;
  subtotalPrice?: string;
  totalShipping?: string;
  totalTax?: string;
  discountCodes?: string[];
  tags?: string[];
  lineItems: {
    id?: string;
    productId?: string | null;
    title?: string;
    quantity: number;
    unitPrice: string;
    originalUnitPrice?: string;
    isGiftCard?: boolean;
  }[];
  refunds?: { id?: string; createdAt: string; amount: string; lines?: { lineItemIndex: number; quantity: number }[] }[];
}

export interface ProductSeed {
  id?: string;
  title?: string;
  tags?: string[];
  /** Collection titles or gids; unknown titles create the collection. */
  collections?: string[];
  isGiftCard?: boolean;
}

export interface ShopSeed {
  domain: string;
  accessToken?: string | null;
  name?: string;
  currencyCode?: string;
  throttle?: Partial<ThrottleSettings>;
  customers?: CustomerSeed[];
  orders?: OrderSeed[];
  products?: ProductSeed[];
}

// Restore rates per plan as shopify.dev's GraphQL Admin API rate limits give them (Standard 100 points/s, Advanced 200,
// Plus 1000, Commerce Components 2000). The docs give no bucket sizes; live answers show 20 s of restore
// (maximumAvailable 2000 at 100/s).
export const STANDARD_THROTTLE: ThrottleSettings = { maximumAvailable: 2000, restoreRate: 100 };
export const ADVANCED_THROTTLE: ThrottleSettings = { maximumAvailable: 4000, restoreRate: 200 };
export const PLUS_THROTTLE: ThrottleSettings = { maximumAvailable: 20000, restoreRate: 1000 };

let shopCounter = 0;

export function createShop(seed: ShopSeed, now: number): ShopState {
  const throttle = { ...STANDARD_THROTTLE, ...seed.throttle };
  shopCounter++;
  const shop: ShopState = {
    domain: seed.domain,
    numericId: 60_000_000 + shopCounter,
    name: seed.name ?? seed.domain.replace(/\.myshopify\.com$/, ""),
    currencyCode: seed.currencyCode ?? "USD",
    accessToken: seed.accessToken ?? null,
    throttle,
    bucket: { available: throttle.maximumAvailable, at: now },
    customers: {},
    orders: {},
    products: {},
    collections: {},
    discounts: {},
    metafieldDefinitions: [],
    metafields: {},
    bulkOperations: {},
    calls: [],
    nextId: 1000,
  };
  seedShop(shop, seed, now);
  return shop;
}

export function newGid(shop: ShopState, type: string): string {
  shop.nextId++;
  return `gid://shopify/${type}/${shop.nextId}`;
}

export function numericPart(gid: string): number {
  return Number(/\/(\d+)$/.exec(gid)?.[1] ?? 0);
}

const money = (cents: number) => (cents / 100).toFixed(2);
const cents = (amount: string) => Math.round(Number.parseFloat(amount) * 100);

export function seedShop(
  shop: ShopState,
  seed: Pick<ShopSeed, "customers" | "orders" | "products">,
  now: number,
): { customers: string[]; orders: string[]; products: string[] } {
  const iso = new Date(now).toISOString();
  const created = { customers: [] as string[], orders: [] as string[], products: [] as string[] };
  for (const p of seed.products ?? []) {
    const id = p.id ?? newGid(shop, "Product");
    const collectionIds = (p.collections ?? []).map((c) => {
      if (c.startsWith("gid://")) {
        shop.collections[c] ??= { id: c, title: c };
        return c;
      }
      const found = Object.values(shop.collections).find((x) => x.title === c);
      if (found) return found.id;
      const cid = newGid(shop, "Collection");
      shop.collections[cid] = { id: cid, title: c };
      return cid;
    });
    shop.products[id] = {
      id,
      title: p.title ?? `Product ${numericPart(id)}`,
      tags: p.tags ?? [],
      collectionIds,
      isGiftCard: p.isGiftCard ?? false,
      metafields: {},
    };
    created.products.push(id);
  }
  for (const c of seed.customers ?? []) {
    const id = c.id ?? newGid(shop, "Customer");
    shop.customers[id] = {
      id,
      firstName: c.firstName ?? null,
      lastName: c.lastName ?? null,
      email: c.email ?? null,
      tags: [...(c.tags ?? [])],
      createdAt: c.createdAt ?? iso,
      updatedAt: c.createdAt ?? iso,
      metafields: {},
    };
    created.customers.push(id);
  }
  for (const o of seed.orders ?? []) {
    const id = o.id ?? newGid(shop, "Order");
    const lineItems: LineItemRecord[] = o.lineItems.map((l) => ({
      id: l.id ?? newGid(shop, "LineItem"),
      productId: l.productId ?? null,
      title: l.title ?? (l.productId ? (shop.products[l.productId]?.title ?? "Item") : "Custom item"),
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      originalUnitPrice: l.originalUnitPrice ?? l.unitPrice,
      isGiftCard: l.isGiftCard ?? (l.productId ? (shop.products[l.productId]?.isGiftCard ?? false) : false),
    }));
    const subtotal = o.subtotalPrice ?? money(lineItems.reduce((s, l) => s + cents(l.unitPrice) * l.quantity, 0));
    const shipping = o.totalShipping ?? "0.00";
    const tax = o.totalTax ?? "0.00";
    const refunds: RefundRecord[] = (o.refunds ?? []).map((r) => ({
      id: r.id ?? newGid(shop, "Refund"),
      createdAt: r.createdAt,
      amount: r.amount,
      lines: (r.lines ?? []).map((x) => ({ lineItemId: lineItems[x.lineItemIndex].id, quantity: x.quantity })),
    }));
    shop.orders[id] = {
      id,
      name: o.name ?? `#${1000 + Object.keys(shop.orders).length + 1}`,
      customerId: o.customerId,
      processedAt: o.processedAt,
      createdAt: o.processedAt,
      cancelledAt: o.cancelledAt ?? null,
      test: o.test ?? false,
      sourceName: o.sourceName ?? "web",
      financialStatus: o.financialStatus ?? (refunds.length > 0 ? "PARTIALLY_REFUNDED" : "PAID"),
      currencyCode: shop.currencyCode,
      totalPrice: o.totalPrice ?? money(cents(subtotal) + cents(shipping) + cents(tax)),
      subtotalPrice: subtotal,
      totalShipping: shipping,
      totalTax: tax,
      discountCodes: o.discountCodes ?? [],
      tags: o.tags ?? [],
      lineItems,
      refunds,
      metafields: {},
    };
    created.orders.push(id);
  }
  return created;
}

/** Saves everything but the call log (which only matters within one run). */
export function saveShops(file: string, shops: Record<string, ShopState>): void {
  const data = Object.fromEntries(Object.entries(shops).map(([domain, s]) => [domain, { ...s, calls: [] }]));
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ version: 1, shops: data }));
  fs.renameSync(tmp, file);
}

export function loadShops(file: string): Record<string, ShopState> | null {
  if (!fs.existsSync(file)) return null;
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as { version: number; shops: Record<string, ShopState> };
  if (parsed.version !== 1) return null;
  // Work in flight died with the previous process; report it the way Shopify reports a lost operation.
  for (const shop of Object.values(parsed.shops)) {
    shop.metafields ??= {}; // saved before the stand-in kept shop metafields
    for (const op of Object.values(shop.bulkOperations)) {
      if (op.status === "CREATED" || op.status === "RUNNING" || op.status === "CANCELING") {
        op.status = "FAILED";
        op.errorCode = "INTERNAL_SERVER_ERROR";
      }
    }
  }
  return parsed.shops;
}
