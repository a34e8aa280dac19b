import fs from "node:fs";
import path from "node:path";

/**
 * Realistic webhook payloads: Shopify's own samples (2026-10, copied into tools/sample-data/shopify-webhooks)
 * with the fields a test cares about overridden and everything derived from them kept consistent (totals and their
 * *_set twins, numeric ids matching admin_graphql_api_id, the customer's name in the addresses).
 * No test-runner imports: usable from tests, the stand-in and the demo.
 */

const fixtures = path.resolve(import.meta.dirname, "shopify-webhooks");

type Json = Record<string, any>;

/** The sample's raw text (its numeric ids are the ones that lost precision when Shopify's docs rendered them). */
export function sampleText(name: string): string {
  return fs.readFileSync(path.join(fixtures, `${name}.json`), "utf8");
}

export function sample(name: string): Json {
  return JSON.parse(sampleText(name));
}

export const gid = (type: string, id: number | string) => `gid://shopify/${type}/${id}`;

const cents = (minor: number) => `${minor < 0 ? "-" : ""}${Math.floor(Math.abs(minor) / 100)}.${String(Math.abs(minor) % 100).padStart(2, "0")}`;
const toMinor = (amount: string) => Math.round(Number(amount) * 100);
const moneySet = (minor: number, currency: string) => ({
  shop_money: { amount: cents(minor), currency_code: currency },
  presentment_money: { amount: cents(minor), currency_code: currency },
});

export interface CustomerInput {
  id: number;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
}

export interface LineInput {
  id?: number;
  productId?: number;
  quantity?: number;
  /** Unit price before discounts, "50.00". */
  price: string;
  /** Discount allocated to the whole line, "5.00". */
  discount?: string;
  giftCard?: boolean;
}

export interface OrderInput {
  id: number;
  customer?: CustomerInput | null;
  lines?: LineInput[];
  shipping?: string;
  tax?: string;
  currency?: string;
  financialStatus?: string;
  processedAt?: string;
  createdAt?: string;
  updatedAt?: string;
  cancelledAt?: string | null;
  test?: boolean;
  sourceName?: string;
  name?: string;
  discountCodes?: string[];
}

let lineSeq = 0;

/** An orders/paid, orders/updated or orders/cancelled payload (they share one shape). Paid, not a test, online. */
export function orderPayload(input: OrderInput): Json {
  const o = sample("orders_paid");
  const currency = input.currency ?? "USD";
  const at = input.processedAt ?? "2026-03-01T10:00:00Z";
  const lines = (input.lines ?? [{ price: "100.00" }]).map((l) => ({
    id: l.id ?? input.id * 100 + ++lineSeq,
    productId: l.productId ?? 632910392,
    quantity: l.quantity ?? 1,
    ...l,
  }));
  const template = o.line_items[1];
  o.line_items = lines.map((l) => {
    const discount = l.discount ? toMinor(l.discount) : 0;
    return {
      ...structuredClone(template),
      admin_graphql_api_id: gid("LineItem", l.id),
      id: l.id,
      product_id: l.productId,
      quantity: l.quantity,
      current_quantity: l.quantity,
      fulfillable_quantity: l.quantity,
      price: l.price,
      price_set: moneySet(toMinor(l.price), currency),
      gift_card: l.giftCard ?? false,
      total_discount: cents(discount),
      total_discount_set: moneySet(discount, currency),
      discount_allocations: discount ? [{ amount: cents(discount), amount_set: moneySet(discount, currency), discount_application_index: 0 }] : [],
    };
  });
  const gross = lines.reduce((s, l) => s + toMinor(l.price) * l.quantity, 0);
  const discounts = lines.reduce((s, l) => s + (l.discount ? toMinor(l.discount) : 0), 0);
  const subtotal = gross - discounts;
  const shipping = toMinor(input.shipping ?? "0.00");
  const tax = toMinor(input.tax ?? "0.00");
  const total = subtotal + shipping + tax;

  Object.assign(o, {
    admin_graphql_api_id: gid("Order", input.id),
    id: input.id,
    name: input.name ?? `#${input.id}`,
    order_number: input.id,
    currency,
    presentment_currency: currency,
    financial_status: input.financialStatus ?? "paid",
    processed_at: at,
    created_at: input.createdAt ?? at,
    updated_at: input.updatedAt ?? at,
    cancelled_at: input.cancelledAt ?? null,
    cancel_reason: input.cancelledAt ? "customer" : null,
    test: input.test ?? false,
    source_name: input.sourceName ?? "web",
    discount_codes: (input.discountCodes ?? []).map((code) => ({ code, amount: "0.00", type: "percentage" })),
    subtotal_price: cents(subtotal),
    subtotal_price_set: moneySet(subtotal, currency),
    current_subtotal_price: cents(subtotal),
    current_subtotal_price_set: moneySet(subtotal, currency),
    total_line_items_price: cents(gross),
    total_line_items_price_set: moneySet(gross, currency),
    total_discounts: cents(discounts),
    total_discounts_set: moneySet(discounts, currency),
    current_total_discounts: cents(discounts),
    current_total_discounts_set: moneySet(discounts, currency),
    total_shipping_price_set: moneySet(shipping, currency),
    current_shipping_price_set: moneySet(shipping, currency),
    total_tax: cents(tax),
    total_tax_set: moneySet(tax, currency),
    current_total_tax: cents(tax),
    current_total_tax_set: moneySet(tax, currency),
    total_price: cents(total),
    total_price_set: moneySet(total, currency),
    current_total_price: cents(total),
    current_total_price_set: moneySet(total, currency),
    total_outstanding: "0.00",
  });
  o.shipping_lines[0].price = cents(shipping);
  o.shipping_lines[0].price_set = moneySet(shipping, currency);
  o.shipping_lines[0].discounted_price = cents(shipping);
  o.shipping_lines[0].discounted_price_set = moneySet(shipping, currency);

  const customer = input.customer === undefined ? { id: 7001 } : input.customer;
  if (customer === null) {
    o.customer = null;
    o.email = null;
    o.contact_email = null;
  } else {
    const c = customerFields(customer);
    o.customer = {
      ...o.customer,
      admin_graphql_api_id: gid("Customer", customer.id),
      id: customer.id,
      email: c.email,
      first_name: c.firstName,
      last_name: c.lastName,
      phone: c.phone,
      default_address: {
        ...o.customer.default_address,
        customer_id: customer.id,
        first_name: c.firstName,
        last_name: c.lastName,
        name: c.name,
        phone: c.phone,
      },
    };
    o.email = c.email;
    o.contact_email = c.email;
    o.phone = c.phone;
    for (const key of ["billing_address", "shipping_address"])
      o[key] = { ...o[key], first_name: c.firstName, last_name: c.lastName, name: c.name, phone: c.phone };
  }
  return o;
}

function customerFields(c: CustomerInput) {
  const firstName = c.firstName === undefined ? `Ada${c.id}` : c.firstName;
  const lastName = c.lastName === undefined ? `Lovelace${c.id}` : c.lastName;
  const email = c.email === undefined ? `ada.${c.id}@example.com` : c.email;
  const phone = c.phone === undefined ? `+1-555-01${String(c.id).padStart(4, "0").slice(-4)}` : c.phone;
  return { firstName, lastName, email, phone, name: [firstName, lastName].filter(Boolean).join(" ") };
}

export interface RefundInput {
  id: number;
  orderId: number;
  createdAt?: string;
  /** Returned line items: the order line's numeric id, quantity and unit price. */
  lines?: { lineId: number; quantity: number; price?: string }[];
  /** Money returned; defaults to the returned lines' value. */
  amount?: string;
  currency?: string;
}

export function refundPayload(input: RefundInput): Json {
  const r = sample("refunds_create");
  const currency = input.currency ?? "USD";
  const at = input.createdAt ?? "2026-03-05T10:00:00Z";
  const template = r.refund_line_items[0];
  const lines = input.lines ?? [];
  r.refund_line_items = lines.map((l, i) => {
    const value = toMinor(l.price ?? "0.00") * l.quantity;
    return {
      ...structuredClone(template),
      id: input.id * 100 + i,
      line_item_id: l.lineId,
      quantity: l.quantity,
      subtotal: value / 100,
      subtotal_set: moneySet(value, currency),
      line_item: {
        ...structuredClone(template.line_item),
        admin_graphql_api_id: gid("LineItem", l.lineId),
        id: l.lineId,
        price: l.price ?? "0.00",
        price_set: moneySet(toMinor(l.price ?? "0.00"), currency),
      },
    };
  });
  const amount = input.amount ?? cents(lines.reduce((s, l) => s + toMinor(l.price ?? "0.00") * l.quantity, 0));
  Object.assign(r, {
    admin_graphql_api_id: gid("Refund", input.id),
    id: input.id,
    order_id: input.orderId,
    created_at: at,
    processed_at: at,
    transactions: [{ ...structuredClone(r.transactions[0]), amount, kind: "refund", status: "success", order_id: input.orderId, created_at: at }],
  });
  return r;
}

export function customerPayload(c: CustomerInput & { updatedAt?: string }): Json {
  const p = sample("customers_update");
  const f = customerFields(c);
  return {
    ...p,
    admin_graphql_api_id: gid("Customer", c.id),
    id: c.id,
    email: f.email,
    first_name: f.firstName,
    last_name: f.lastName,
    phone: f.phone,
    updated_at: c.updatedAt ?? "2026-03-01T10:00:00Z",
    default_address: { ...p.default_address, customer_id: c.id, first_name: f.firstName, last_name: f.lastName, name: f.name, phone: f.phone },
  };
}

export const customerDeletePayload = (id: number): Json => ({ ...sample("customers_delete"), admin_graphql_api_id: gid("Customer", id), id });

export function customerMergePayload(deletedId: number, keptId: number, status = "completed"): Json {
  return {
    ...sample("customers_merge"),
    admin_graphql_api_customer_deleted_id: gid("Customer", deletedId),
    admin_graphql_api_customer_kept_id: gid("Customer", keptId),
    status,
    errors: status === "completed" ? [] : sample("customers_merge").errors,
  };
}

export function customersRedactPayload(
  shop: string,
  c: { id: number; email?: string | null; phone?: string | null },
  ordersToRedact: number[] = [],
): Json {
  return {
    ...sample("customers_redact"),
    shop_domain: shop,
    customer: { id: c.id, email: c.email ?? null, phone: c.phone ?? null },
    orders_to_redact: ordersToRedact,
  };
}

export function customersDataRequestPayload(
  shop: string,
  c: { id: number; email?: string | null; phone?: string | null },
  orders: number[] = [],
): Json {
  return {
    ...sample("customers_data_request"),
    shop_domain: shop,
    customer: { id: c.id, email: c.email ?? null, phone: c.phone ?? null },
    orders_requested: orders,
  };
}

export const shopRedactPayload = (shop: string): Json => ({ ...sample("shop_redact"), shop_domain: shop });

export const appUninstalledPayload = (shop: string): Json => ({ ...sample("app_uninstalled"), myshopify_domain: shop, domain: shop });

export const scopesUpdatePayload = (current: string[], previous: string[] = []): Json => ({
  id: 1,
  previous,
  current,
  updated_at: "2026-03-01T10:00:00Z",
});

/** Shopify's app_subscriptions/update body: the subscription whose status changed (its name is the plan's name). */
export const appSubscriptionsUpdatePayload = (id: number, name: string, status: string, shopId = 1): Json => ({
  app_subscription: {
    admin_graphql_api_id: gid("AppSubscription", id),
    name,
    status,
    admin_graphql_api_shop_id: gid("Shop", shopId),
    created_at: "2026-03-01T10:00:00Z",
    updated_at: "2026-03-01T10:00:00Z",
    currency: "USD",
    capped_amount: null,
  },
});

export const bulkOperationsFinishPayload = (id: number, status = "completed", type = "mutation"): Json => ({
  ...sample("bulk_operations_finish"),
  admin_graphql_api_id: gid("BulkOperation", id),
  status,
  type,
});

/** A delivery as the webhook route hands it to the inbox (headers already verified). */
export function delivery(topic: string, shop: string, payload: unknown, over: { webhookId?: string; eventId?: string; triggeredAt?: string } = {}) {
  return {
    shop,
    topic,
    webhookId: over.webhookId ?? `wh-${topic}-${++deliverySeq}`,
    eventId: over.eventId ?? `ev-${deliverySeq}`,
    triggeredAt: over.triggeredAt ?? "2026-03-01T10:00:00Z",
    apiVersion: "2026-10",
    rawBody: typeof payload === "string" ? payload : JSON.stringify(payload),
  };
}
let deliverySeq = 0;
