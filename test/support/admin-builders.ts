// Builders for the admin's form payloads (what the Polaris editors submit), with overridable defaults; database
// seeds for the admin's service and route tests; and a browserless renderer for its Polaris components.
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { createElement, type ReactElement } from "react";
import TestRenderer, { act } from "react-test-renderer";
import type { Db } from "~/db/client.server";

type Json = Record<string, any>;

export const scopeInput = (over: Json = {}) => ({
  productIds: [],
  collectionIds: [],
  tags: [],
  excludeProductIds: [],
  excludeCollectionIds: [],
  excludeTags: [],
  ...over,
});

export const spendInput = (amount: string, over: Json = {}) => ({
  kind: "accumulatedSpend",
  amount,
  scope: scopeInput(),
  windowDays: "",
  role: "both",
  showProgress: true,
  ...over,
});
export const ordersInput = (count: string | number, over: Json = {}) => ({
  kind: "orderCount",
  count,
  scope: scopeInput(),
  windowDays: "",
  role: "both",
  showProgress: true,
  ...over,
});

/** A level editor payload: "Gold" reached by 1000.00 accumulated spend. */
export function levelInput(over: Json = {}): Json {
  return {
    name: "Gold",
    enabled: true,
    internalOnly: false,
    card: { badge: "crown", background: "#1f2937", text: "#ffffff", levelColor: "#d4af37", hideDates: false },
    upgrade: [[spendInput("1000.00")]],
    customRenewal: false,
    renewal: [],
    retainAmount: "",
    resourceTitles: {},
    ...over,
  };
}

/** A benefits editor payload: 10% off over 50.00, free shipping to US/CA, 1 point per 1.00 at 2×. */
export function benefitsInput(over: Json = {}): Json {
  return {
    discount: {
      amount: { type: "percentage", value: "10" },
      minimumOrder: "50",
      appliesTo: "retail",
      scope: scopeInput(),
      saleItemExtra: "",
      combinesWith: { productDiscounts: false, orderDiscounts: false, shippingDiscounts: true },
    },
    freeShipping: { countries: "us, ca", minimumOrder: "" },
    points: {
      rules: [{ per: "amount", every: "1.00", points: "1", prorate: true, scope: scopeInput(), excludeDiscountCodes: false }],
      multiplier: "2",
      rounding: "down",
      expiryDays: "",
    },
    upgradePoints: "100",
    welcome: { amount: { type: "fixed", value: "5" }, validDays: "30" },
    birthday: { kind: "points", points: "50" },
    custom: [{ title: "Early access", icon: "star", description: "" }],
    ...over,
  };
}

/** A program settings payload matching the engine defaults, with templates. */
export function settingsInput(over: Json = {}): Json {
  return {
    enabled: true,
    activeFrom: "",
    basis: "spend",
    spend: { base: "total", excludeShipping: true, excludeTaxes: true },
    window: { kind: "lifetime" },
    validity: { kind: "permanent" },
    graceDays: "0",
    onExpiry: "reevaluate",
    retention: { on: false, extendDays: "365" },
    downgradeOnRefund: true,
    channels: ["online_store", "pos", "customer_accounts", "draft_orders"],
    currency: "USD",
    notifications: {
      levelUp: { subject: "Welcome to {level}", body: "Hi {name}, enjoy {discount}." },
      levelDown: { subject: "You are now {level}", body: "Hi {name}." },
    },
    ...over,
  };
}

/** Silver (100.00) and Gold (500.00) in the program JSON shape the admin stores. */
export function programJson(over: Json = {}): Json {
  return {
    enabled: true,
    currency: "USD",
    levels: [
      { id: "silver", name: "Silver", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "100.00" }]] },
      { id: "gold", name: "Gold", rank: 2, upgrade: [[{ kind: "accumulatedSpend", amount: "500.00" }]] },
    ],
    ...over,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Database seeds for admin service and route tests (real rows in a test database).

/** FormData as a Remix form (or fetcher.submit) sends it; objects become the JSON `payload` field. */
export function formData(fields: Record<string, unknown>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, typeof v === "string" ? v : JSON.stringify(v));
  return fd;
}

export async function seedShop(db: Db, shop: string, over: { plan?: string; levelCap?: number | null; currency?: string } = {}) {
  return db.shop.upsert({
    where: { domain: shop },
    create: { domain: shop, plan: over.plan ?? "basic", levelCap: over.levelCap ?? null, currency: over.currency ?? "USD" },
    update: {},
  });
}

/** A published program version (and, like a real publish, nothing else: members are seeded separately). */
export async function seedPublished(db: Db, shop: string, program: Json = programJson(), publishedAt = new Date("2026-01-01T00:00:00Z")) {
  return db.programVersion.create({ data: { shop, status: "published", programJson: JSON.stringify(program), publishedAt, publishAt: publishedAt } });
}

let orderSeq = 0;

/** A paid order fact of one line; `total` is the counted spend with the default spend definition. */
export async function seedOrder(
  db: Db,
  shop: string,
  customerGid: string,
  over: { total?: string; paidAt?: string; id?: string; cancelledAt?: string } = {},
) {
  const id = over.id ?? `gid://shopify/Order/${++orderSeq}`;
  const cents = Math.round(Number(over.total ?? "100.00") * 100);
  return db.orderFact.create({
    data: {
      shop,
      orderGid: id,
      customerGid,
      name: `#${1000 + orderSeq}`,
      paidAt: new Date(over.paidAt ?? "2026-02-01T10:00:00Z"),
      cancelledAt: over.cancelledAt ? new Date(over.cancelledAt) : null,
      currency: "USD",
      total: cents,
      subtotal: cents,
      shipping: 0,
      tax: 0,
      linesJson: JSON.stringify([
        { id: `${id}-l1`, productId: "gid://shopify/Product/1", quantity: 1, price: cents, collectionIds: [], tags: [], giftCard: false },
      ]),
      sourceUpdatedAt: new Date(over.paidAt ?? "2026-02-01T10:00:00Z"),
    },
  });
}

export async function seedMember(db: Db, shop: string, customerGid: string, over: Record<string, unknown> = {}) {
  return db.member.create({
    data: {
      shop,
      customerGid,
      email: `${customerGid.split("/").pop()}@example.com`,
      firstName: "Ada",
      lastName: customerGid.split("/").pop(),
      ...over,
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering admin components without a browser: react-test-renderer inside Polaris' AppProvider, with a stand-in
// for the few DOM globals Polaris touches on mount and for App Bridge's `shopify` global (its resource picker).

const TREE_ENDS = new Set([
  "parentNode",
  "parentElement",
  "nextSibling",
  "previousSibling",
  "firstChild",
  "lastChild",
  "offsetParent",
  "activeElement",
  "then",
  "nodeType",
]);
/** A DOM node stand-in: every method exists and does nothing, every number is 0, tree links end at once. */
const fakeNode: any = new Proxy(function () {}, {
  get: (_t, p) =>
    p === Symbol.toPrimitive
      ? () => 0
      : typeof p === "string" && TREE_ENDS.has(p)
        ? null
        : p === "length"
          ? 0
          : p === Symbol.iterator
            ? function* () {}
            : fakeNode,
  apply: () => fakeNode,
  construct: () => fakeNode,
});

export interface PickerStandIn {
  /** What the next resourcePicker call returns (undefined = the merchant cancelled). */
  next: { id: string; title: string }[] | undefined;
  calls: { type: string; multiple?: boolean | number }[];
}

export function installBrowserStandIns(): PickerStandIn {
  const noop = () => undefined;
  const g = globalThis as any;
  g.window ??= Object.assign(globalThis, {
    addEventListener: noop,
    removeEventListener: noop,
    matchMedia: () => ({ matches: false, addListener: noop, removeListener: noop, addEventListener: noop, removeEventListener: noop }),
    innerWidth: 1280,
    innerHeight: 800,
    getComputedStyle: () => fakeNode,
    requestAnimationFrame: (f: () => void) => setTimeout(f, 0),
    cancelAnimationFrame: clearTimeout,
  });
  g.document ??= fakeNode;
  const picker: PickerStandIn = { next: [], calls: [] };
  g.shopify = {
    resourcePicker: async (opts: { type: string; multiple?: boolean | number }) => {
      picker.calls.push(opts);
      return picker.next;
    },
  };
  return picker;
}

export async function renderAdmin(element: ReactElement): Promise<TestRenderer.ReactTestRenderer> {
  let r!: TestRenderer.ReactTestRenderer;
  await act(async () => {
    r = TestRenderer.create(createElement(AppProvider, { i18n: en }, element), { createNodeMock: () => fakeNode });
  });
  return r;
}

/** The Polaris control with this accessible label (`label` or `accessibilityLabel`). */
export function control(r: TestRenderer.ReactTestRenderer, label: string): TestRenderer.ReactTestInstance {
  const found = r.root.findAll(
    (n) => typeof n.type !== "string" && (n.props.label === label || n.props.accessibilityLabel === label || n.props.title === label),
  );
  if (found.length === 0) throw new Error(`no control labelled "${label}"`);
  return found[0];
}

export function labels(r: TestRenderer.ReactTestRenderer): string[] {
  return [...new Set(r.root.findAll((n) => typeof n.type !== "string" && typeof n.props.label === "string").map((n) => n.props.label as string))];
}

export async function change(r: TestRenderer.ReactTestRenderer, label: string, value: unknown): Promise<void> {
  await act(async () => control(r, label).props.onChange(value));
}

export async function click(r: TestRenderer.ReactTestRenderer, label: string): Promise<void> {
  await act(async () => {
    await control(r, label).props.onClick();
  });
}

export async function submit(r: TestRenderer.ReactTestRenderer): Promise<void> {
  await act(async () => r.root.findByType("form").props.onSubmit({ preventDefault: () => undefined }));
}
