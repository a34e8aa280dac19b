import { randomUUID } from "node:crypto";
import type { GraphQLSchema } from "graphql";
import { activeSubscriptionsView } from "./billing";
import { flowTriggerMutations } from "./flow-triggers";
import { customerStoreCreditAccounts, storeCreditAccountCredit } from "./store-credit";
import { discountCodeMutations, discountCodeQueries } from "./discount-codes";
import {
  newGid,
  numericPart,
  type BulkOperationRecord,
  type CustomerRecord,
  type DiscountRecord,
  type LineItemRecord,
  type MetafieldMap,
  type MetafieldRecord,
  type OrderRecord,
  type ProductRecord,
  type ShopState,
} from "./store";

/**
 * Resolvers for the Admin API fields Tierline uses. Everything is resolved from plain records into plain objects whose
 * properties (or methods, which graphql-js calls with the field's arguments) match the schema's field names.
 * Unions and interfaces are resolved through `__typename`.
 */

export interface StandInRuntime {
  origin: string;
  appId: number;
  now(): number;
  schema: GraphQLSchema;
  /** Function handles the app "deployed"; discounts may only reference these. */
  functionHandles: string[];
  stagedUploads: Map<string, { shop: string; content: string | null }>;
  startBulkOperation(shop: ShopState, op: BulkOperationRecord): void;
  /** Checks a bulk mutation/query before the operation is created; returns an error message or null. */
  checkBulkMutation(mutation: string): string | null;
  checkBulkQuery(query: string): string | null;
  /** An injected fault: this owner's metafield with this key is refused. */
  rejectsMetafield(shop: ShopState, ownerId: string, key: string): boolean;
  changed(): void;
  /** Orders created before this instant are not visible (no read_all_orders granted; oauth.ts); null: all are. */
  ordersVisibleFrom?(shop: ShopState): number | null;
  /** The scopes the app was granted on the shop (oauth.ts); null when never installed there. */
  grantedScopes?(shop: ShopState): string[] | null;
}

export interface ResolverContext {
  shop: ShopState;
  runtime: StandInRuntime;
  /** Inside a bulk query: connections return every item, as Shopify pages through them itself. */
  bulk: boolean;
}

type Args = Record<string, any>;
type UserError = { field: string[] | null; message: string; code?: string; elementIndex?: number };

const iso = (ctx: ResolverContext) => new Date(ctx.runtime.now()).toISOString();

// ── Namespaces ────────────────────────────────────────────────────────────────────────────────────────────────────

/** `$app:foo` → `app--<appId>--foo`; no namespace → the app's own `app--<appId>`. */
export function resolveNamespace(namespace: string | null | undefined, appId: number): string {
  if (namespace === null || namespace === undefined || namespace === "" || namespace === "$app") return `app--${appId}`;
  if (namespace.startsWith("$app:")) return `app--${appId}--${namespace.slice(5)}`;
  return namespace;
}

// ── Connections and search ────────────────────────────────────────────────────────────────────────────────────────

const cursorOf = (i: number) => Buffer.from(`cursor:${i}`).toString("base64");
const indexOf = (cursor: string | null | undefined) => (cursor ? Number(Buffer.from(cursor, "base64").toString().split(":")[1]) : null);

export function connection<T, V>(items: T[], args: Args, ctx: ResolverContext, view: (item: T) => V) {
  let start = 0;
  let end = items.length;
  const after = indexOf(args.after);
  const before = indexOf(args.before);
  if (after !== null) start = after + 1;
  if (before !== null) end = Math.min(end, before);
  if (!ctx.bulk) {
    if (typeof args.first === "number") end = Math.min(end, start + args.first);
    else if (typeof args.last === "number") start = Math.max(start, end - args.last);
  }
  const slice = items.slice(start, end).map((item, i) => ({ cursor: cursorOf(start + i), node: view(item) }));
  return {
    edges: slice,
    nodes: slice.map((e) => e.node),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice[0]?.cursor ?? null,
      endCursor: slice.at(-1)?.cursor ?? null,
    },
  };
}

interface SearchTerm {
  field: string | null;
  op: ">=" | "<=" | ">" | "<" | ":";
  value: string;
}

/** Shopify search syntax, the subset Tierline sends: `field:value`, `field:>=value`, quotes, implicit AND. */
export function parseSearch(query: string | null | undefined): SearchTerm[] {
  if (!query) return [];
  const tokens = query.match(/(?:[^\s'"]+|'[^']*'|"[^"]*")+/g) ?? [];
  return tokens
    .filter((t) => t.toUpperCase() !== "AND")
    .map((token) => {
      const m = /^([a-z_]+):(>=|<=|>|<)?(.*)$/i.exec(token);
      const unquote = (v: string) => v.replace(/^['"]|['"]$/g, "");
      if (!m) return { field: null, op: ":" as const, value: unquote(token) };
      return { field: m[1].toLowerCase(), op: (m[2] ?? ":") as SearchTerm["op"], value: unquote(m[3]) };
    });
}

function compare(actual: string | number | null, term: SearchTerm): boolean {
  if (actual === null) return false;
  if (term.op === ":") return String(actual).toLowerCase() === term.value.toLowerCase();
  const a = typeof actual === "number" ? actual : Date.parse(actual);
  const b = typeof actual === "number" ? Number(term.value) : Date.parse(term.value);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  return term.op === ">=" ? a >= b : term.op === "<=" ? a <= b : term.op === ">" ? a > b : a < b;
}

function matchCustomer(c: CustomerRecord, terms: SearchTerm[]): boolean {
  return terms.every((t) => {
    if (t.field === "tag") return c.tags.some((tag) => tag.toLowerCase() === t.value.toLowerCase());
    if (t.field === "email") return compare(c.email, t);
    if (t.field === "id") return compare(numericPart(c.id), t);
    if (t.field === "updated_at") return compare(c.updatedAt, t);
    if (t.field === "created_at") return compare(c.createdAt, t);
    if (t.field === null) return `${c.firstName ?? ""} ${c.lastName ?? ""} ${c.email ?? ""}`.toLowerCase().includes(t.value.toLowerCase());
    return true;
  });
}

function matchOrder(o: OrderRecord, terms: SearchTerm[]): boolean {
  return terms.every((t) => {
    if (t.field === "processed_at") return compare(o.processedAt, t);
    if (t.field === "created_at") return compare(o.createdAt, t);
    if (t.field === "customer_id") return o.customerId !== null && compare(numericPart(o.customerId), t);
    if (t.field === "financial_status") return compare(o.financialStatus, t);
    if (t.field === "test") return String(o.test) === t.value;
    return true;
  });
}

// ── Views ─────────────────────────────────────────────────────────────────────────────────────────────────────────

const moneyBag = (amount: string, currencyCode: string) => ({
  shopMoney: { amount, currencyCode },
  presentmentMoney: { amount, currencyCode },
});

function metafieldView(record: MetafieldRecord, ctx: ResolverContext) {
  let jsonValue: unknown = record.value;
  if (record.type === "json" || record.type.startsWith("list.")) jsonValue = JSON.parse(record.value);
  else if (record.type === "number_integer" || record.type === "number_decimal") jsonValue = Number(record.value);
  else if (record.type === "boolean") jsonValue = record.value === "true";
  return {
    __typename: "Metafield",
    id: record.id,
    namespace: record.namespace,
    key: record.key,
    type: record.type,
    value: record.value,
    jsonValue,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    compareDigest: Buffer.from(`${record.id}:${record.updatedAt}`).toString("base64"),
    legacyResourceId: String(numericPart(record.id)),
    ownerType: ownerTypeOf(record.ownerId),
    owner: () => nodeView(record.ownerId, ctx),
  };
}

function metafieldAccessors(map: MetafieldMap, ctx: ResolverContext) {
  return {
    metafield: (args: Args) => {
      const record = map[`${resolveNamespace(args.namespace, ctx.runtime.appId)}.${args.key}`];
      return record ? metafieldView(record, ctx) : null;
    },
    metafields: (args: Args) => {
      const ns = args.namespace === undefined ? null : resolveNamespace(args.namespace, ctx.runtime.appId);
      const items = Object.values(map).filter(
        (m) => (ns === null || m.namespace === ns) && (!args.keys || args.keys.includes(`${m.namespace}.${m.key}`)),
      );
      return connection(items, args, ctx, (m) => metafieldView(m, ctx));
    },
  };
}

function customerView(c: CustomerRecord, ctx: ResolverContext) {
  const orders = () => Object.values(ctx.shop.orders).filter((o) => o.customerId === c.id);
  const displayName = `${c.firstName ?? ""} ${c.lastName ?? ""}`.trim() || c.email || "";
  return {
    __typename: "Customer",
    id: c.id,
    legacyResourceId: String(numericPart(c.id)),
    firstName: c.firstName,
    lastName: c.lastName,
    displayName,
    defaultEmailAddress: c.email ? { emailAddress: c.email, marketingState: "NOT_SUBSCRIBED", validFormat: true } : null,
    tags: [...c.tags],
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    numberOfOrders: String(orders().length),
    amountSpent: {
      amount: (orders().reduce((s, o) => s + Math.round(Number.parseFloat(o.totalPrice) * 100), 0) / 100).toFixed(2),
      currencyCode: ctx.shop.currencyCode,
    },
    orders: (args: Args) =>
      connection(
        orders().filter((o) => matchOrder(o, parseSearch(args.query))),
        args,
        ctx,
        (o) => orderView(o, ctx),
      ),
    storeCreditAccounts: (args: Args) => customerStoreCreditAccounts(ctx.shop, c.id, args),
    ...metafieldAccessors(c.metafields, ctx),
  };
}

function productView(p: ProductRecord, ctx: ResolverContext) {
  return {
    __typename: "Product",
    id: p.id,
    legacyResourceId: String(numericPart(p.id)),
    title: p.title,
    handle: p.title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    tags: [...p.tags],
    isGiftCard: p.isGiftCard,
    collections: (args: Args) =>
      connection(
        p.collectionIds.map((id) => ctx.shop.collections[id] ?? { id, title: id }),
        args,
        ctx,
        (c) => ({ __typename: "Collection", id: c.id, title: c.title }),
      ),
    ...metafieldAccessors(p.metafields, ctx),
  };
}

function lineItemView(l: LineItemRecord, currency: string, ctx: ResolverContext) {
  const product = l.productId ? ctx.shop.products[l.productId] : undefined;
  return {
    __typename: "LineItem",
    id: l.id,
    name: l.title,
    title: l.title,
    quantity: l.quantity,
    currentQuantity: l.quantity,
    isGiftCard: l.isGiftCard,
    product: product ? productView(product, ctx) : null,
    originalUnitPriceSet: moneyBag(l.originalUnitPrice, currency),
    discountedUnitPriceSet: moneyBag(l.unitPrice, currency),
    discountedUnitPriceAfterAllDiscountsSet: moneyBag(l.unitPrice, currency),
  };
}

function orderView(o: OrderRecord, ctx: ResolverContext) {
  const customer = o.customerId ? ctx.shop.customers[o.customerId] : undefined;
  const lineById = new Map(o.lineItems.map((l) => [l.id, l]));
  const refundedTotal = o.refunds.reduce((s, r) => s + Math.round(Number.parseFloat(r.amount) * 100), 0);
  return {
    __typename: "Order",
    id: o.id,
    legacyResourceId: String(numericPart(o.id)),
    name: o.name,
    processedAt: o.processedAt,
    createdAt: o.createdAt,
    updatedAt: o.processedAt,
    cancelledAt: o.cancelledAt,
    test: o.test,
    sourceName: o.sourceName,
    displayFinancialStatus: o.financialStatus,
    currencyCode: o.currencyCode,
    customer: customer ? customerView(customer, ctx) : null,
    discountCodes: [...o.discountCodes],
    discountCode: o.discountCodes[0] ?? null,
    tags: [...o.tags],
    totalPriceSet: moneyBag(o.totalPrice, o.currencyCode),
    currentTotalPriceSet: moneyBag(o.totalPrice, o.currencyCode),
    subtotalPriceSet: moneyBag(o.subtotalPrice, o.currencyCode),
    currentSubtotalPriceSet: moneyBag(o.subtotalPrice, o.currencyCode),
    totalShippingPriceSet: moneyBag(o.totalShipping, o.currencyCode),
    totalTaxSet: moneyBag(o.totalTax, o.currencyCode),
    totalRefundedSet: moneyBag((refundedTotal / 100).toFixed(2), o.currencyCode),
    lineItems: (args: Args) => connection(o.lineItems, args, ctx, (l) => lineItemView(l, o.currencyCode, ctx)),
    refunds: (args: Args) =>
      o.refunds.slice(0, typeof args.first === "number" ? args.first : undefined).map((r) => ({
        __typename: "Refund",
        id: r.id,
        createdAt: r.createdAt,
        processedAt: r.createdAt,
        updatedAt: r.createdAt,
        totalRefundedSet: moneyBag(r.amount, o.currencyCode),
        refundLineItems: (a: Args) =>
          connection(r.lines, a, ctx, (x) => {
            const line = lineById.get(x.lineItemId)!;
            const subtotal = ((Math.round(Number.parseFloat(line.unitPrice) * 100) * x.quantity) / 100).toFixed(2);
            return {
              __typename: "RefundLineItem",
              id: null,
              quantity: x.quantity,
              lineItem: lineItemView(line, o.currencyCode, ctx),
              priceSet: moneyBag(line.unitPrice, o.currencyCode),
              subtotalSet: moneyBag(subtotal, o.currencyCode),
            };
          }),
      })),
    ...metafieldAccessors(o.metafields, ctx),
  };
}

function discountView(d: DiscountRecord, ctx: ResolverContext) {
  const now = ctx.runtime.now();
  const status = Date.parse(d.startsAt) > now ? "SCHEDULED" : d.endsAt && Date.parse(d.endsAt) <= now ? "EXPIRED" : "ACTIVE";
  return {
    __typename: "DiscountAutomaticApp",
    discountId: d.id,
    title: d.title,
    status,
    startsAt: d.startsAt,
    endsAt: d.endsAt,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    discountClasses: [...d.discountClasses],
    combinesWith: { ...d.combinesWith, productDiscountsWithTagsOnSameCartLine: null },
    appliesOnOneTimePurchase: true,
    appliesOnSubscription: false,
    asyncUsageCount: 0,
    recurringCycleLimit: 0,
    appDiscountType: {
      functionId: d.functionId ?? `function-${d.functionHandle}`,
      title: d.functionHandle ?? "function",
      appKey: `app-${ctx.runtime.appId}`,
      description: null,
      discountClasses: [...d.discountClasses],
    },
  };
}

function discountNodeView(d: DiscountRecord, ctx: ResolverContext, typename: "DiscountNode" | "DiscountAutomaticNode") {
  const discount = discountView(d, ctx);
  return { __typename: typename, id: d.id, discount, automaticDiscount: discount, ...metafieldAccessors(d.metafields, ctx) };
}

export function bulkOperationView(op: BulkOperationRecord) {
  return {
    __typename: "BulkOperation",
    id: op.id,
    type: op.type,
    status: op.status,
    errorCode: op.errorCode,
    query: op.query,
    createdAt: op.createdAt,
    completedAt: op.completedAt,
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: op.url ? String(Buffer.byteLength(op.resultLines.join("\n"))) : null,
    url: op.status === "COMPLETED" ? op.url : null,
    partialDataUrl: op.status === "COMPLETED" ? null : op.partialDataUrl,
  };
}

function ownerTypeOf(gid: string): string {
  const type = /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(gid)?.[1];
  if (type === "DiscountAutomaticNode" || type === "DiscountNode") return "DISCOUNT";
  if (type === "ProductVariant") return "PRODUCTVARIANT";
  return (type ?? "").toUpperCase();
}

function nodeView(gid: string, ctx: ResolverContext): unknown {
  const shop = ctx.shop;
  if (shop.customers[gid]) return customerView(shop.customers[gid], ctx);
  if (shop.orders[gid]) return orderView(shop.orders[gid], ctx);
  if (shop.products[gid]) return productView(shop.products[gid], ctx);
  if (shop.discounts[gid]) return discountNodeView(shop.discounts[gid], ctx, "DiscountAutomaticNode");
  if (shop.bulkOperations[gid]) return bulkOperationView(shop.bulkOperations[gid]);
  if (shop.collections[gid]) return { __typename: "Collection", ...shop.collections[gid] };
  return null;
}

function metafieldOwner(shop: ShopState, gid: string): { metafields: MetafieldMap; touch?: () => void } | null {
  if (gid === `gid://shopify/Shop/${shop.numericId}`) return shop;
  return shop.customers[gid] ?? shop.orders[gid] ?? shop.products[gid] ?? shop.discounts[gid] ?? null;
}

// ── Mutations ─────────────────────────────────────────────────────────────────────────────────────────────────────

const KEY_PATTERN = /^[A-Za-z0-9_-]{2,64}$/;
const NAMESPACE_PATTERN = /^[A-Za-z0-9_$:-]{2,255}$/;

interface MetafieldWrite {
  ownerId: string;
  namespace?: string | null;
  key: string;
  type?: string | null;
  value: string;
}

/** Validates one metafield write; returns errors (with paths relative to the element) or the record to store. */
function checkMetafield(ctx: ResolverContext, input: MetafieldWrite): { errors: Omit<UserError, "elementIndex">[]; namespace: string; type: string } {
  const errors: Omit<UserError, "elementIndex">[] = [];
  const namespace = resolveNamespace(input.namespace, ctx.runtime.appId);
  if (!metafieldOwner(ctx.shop, input.ownerId)) errors.push({ field: ["ownerId"], message: "Owner subject does not exist.", code: "INVALID" });
  if (!KEY_PATTERN.test(input.key))
    errors.push({
      field: ["key"],
      message: "Key must be 2-64 characters long and only contain alphanumeric, hyphen, and underscore characters.",
      code: "INVALID",
    });
  if (input.namespace && !NAMESPACE_PATTERN.test(input.namespace))
    errors.push({ field: ["namespace"], message: "Namespace is invalid.", code: "INVALID" });
  const definition = ctx.shop.metafieldDefinitions.find(
    (d) => d.namespace === namespace && d.key === input.key && d.ownerType === ownerTypeOf(input.ownerId),
  );
  const type = input.type ?? definition?.type ?? null;
  if (!type) errors.push({ field: ["type"], message: "Type can't be blank.", code: "BLANK" });
  else if (definition && definition.type !== type) {
    errors.push({ field: ["type"], message: `Type must be ${definition.type} to match the definition.`, code: "INVALID_TYPE" });
  }
  if (ctx.runtime.rejectsMetafield(ctx.shop, input.ownerId, input.key)) {
    errors.push({ field: ["value"], message: "Value is invalid (refused by an injected fault).", code: "INVALID_VALUE" });
  }
  if (type === "json") {
    try {
      JSON.parse(input.value);
    } catch (e) {
      errors.push({ field: ["value"], message: `Value is invalid JSON: ${(e as Error).message}.`, code: "INVALID_VALUE" });
    }
  }
  return { errors, namespace, type: type ?? "" };
}

function writeMetafield(ctx: ResolverContext, input: MetafieldWrite, namespace: string, type: string): MetafieldRecord {
  const owner = metafieldOwner(ctx.shop, input.ownerId)!;
  const mapKey = `${namespace}.${input.key}`;
  const now = iso(ctx);
  const existing = owner.metafields[mapKey];
  const record: MetafieldRecord = existing
    ? { ...existing, type, value: input.value, updatedAt: now }
    : {
        id: newGid(ctx.shop, "Metafield"),
        ownerId: input.ownerId,
        namespace,
        key: input.key,
        type,
        value: input.value,
        createdAt: now,
        updatedAt: now,
      };
  owner.metafields[mapKey] = record;
  const customer = ctx.shop.customers[input.ownerId];
  if (customer) customer.updatedAt = now;
  return record;
}

/** metafieldsSet is atomic: one refused entry and nothing is written. */
function metafieldsSet(args: Args, ctx: ResolverContext) {
  const inputs = args.metafields as MetafieldWrite[];
  if (inputs.length > 25) {
    return {
      metafields: [],
      userErrors: [
        { field: ["metafields"], message: "Exceeded the maximum metafields input limit of 25.", code: "LESS_THAN_OR_EQUAL_TO", elementIndex: null },
      ],
    };
  }
  const checked = inputs.map((input) => checkMetafield(ctx, input));
  const userErrors = checked.flatMap((c, i) =>
    c.errors.map((e) => ({ ...e, field: ["metafields", String(i), ...(e.field ?? [])], elementIndex: i })),
  );
  if (userErrors.length > 0) return { metafields: [], userErrors };
  const written = inputs.map((input, i) => writeMetafield(ctx, input, checked[i].namespace, checked[i].type));
  ctx.runtime.changed();
  return { metafields: written.map((m) => metafieldView(m, ctx)), userErrors: [] };
}

function taggable(shop: ShopState, id: string): { tags: string[] } | null {
  return shop.customers[id] ?? shop.orders[id] ?? shop.products[id] ?? null;
}

/** Shopify splits comma-separated tags and trims them; tags compare case-insensitively. */
function normaliseTags(tags: string[]): string[] {
  return tags
    .flatMap((t) => t.split(","))
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

function tagsAdd(args: Args, ctx: ResolverContext) {
  const target = taggable(ctx.shop, args.id);
  if (!target) return { node: null, userErrors: [{ field: ["id"], message: "Resource does not exist" }] };
  const tags = normaliseTags(args.tags);
  if (tags.length === 0) return { node: null, userErrors: [{ field: ["tags"], message: "Tags can't be blank" }] };
  const tooLong = tags.find((t) => t.length > 255);
  if (tooLong)
    return { node: null, userErrors: [{ field: ["tags"], message: `Tag '${tooLong.slice(0, 20)}…' is too long (maximum is 255 characters)` }] };
  for (const tag of tags) if (!target.tags.some((t) => t.toLowerCase() === tag.toLowerCase())) target.tags.push(tag);
  touch(ctx, args.id);
  return { node: nodeView(args.id, ctx), userErrors: [] };
}

function tagsRemove(args: Args, ctx: ResolverContext) {
  const target = taggable(ctx.shop, args.id);
  if (!target) return { node: null, userErrors: [{ field: ["id"], message: "Resource does not exist" }] };
  const remove = new Set(normaliseTags(args.tags).map((t) => t.toLowerCase()));
  target.tags = target.tags.filter((t) => !remove.has(t.toLowerCase()));
  touch(ctx, args.id);
  return { node: nodeView(args.id, ctx), userErrors: [] };
}

function touch(ctx: ResolverContext, id: string) {
  const customer = ctx.shop.customers[id];
  if (customer) customer.updatedAt = iso(ctx);
  ctx.runtime.changed();
}

function metafieldDefinitionCreate(args: Args, ctx: ResolverContext) {
  const d = args.definition;
  const namespace = resolveNamespace(d.namespace, ctx.runtime.appId);
  const fail = (field: string[], message: string, code: string) => ({
    createdDefinition: null,
    userErrors: [{ field: ["definition", ...field], message, code }],
  });
  if (!KEY_PATTERN.test(d.key)) return fail(["key"], "Key is invalid.", "INVALID");
  if (!d.name) return fail(["name"], "Name can't be blank.", "BLANK");
  const known = ["json", "single_line_text_field", "multi_line_text_field", "number_integer", "number_decimal", "boolean", "date", "date_time"];
  if (!known.includes(d.type)) return fail(["type"], `Type '${d.type}' is not supported by the stand-in.`, "INCLUSION");
  if (ctx.shop.metafieldDefinitions.some((x) => x.namespace === namespace && x.key === d.key && x.ownerType === d.ownerType)) {
    return fail(["key"], `Key is in use for ${d.ownerType.toLowerCase()} metafields on the '${d.namespace}' namespace.`, "TAKEN");
  }
  const access = d.access ?? {};
  if (access.admin && !namespace.startsWith("app--")) {
    return fail(
      ["access", "admin"],
      "Admin access can only be specified on metafield definitions that have an app namespace.",
      "ADMIN_ACCESS_INPUT_NOT_ALLOWED",
    );
  }
  const record = {
    id: newGid(ctx.shop, "MetafieldDefinition"),
    namespace,
    key: d.key,
    type: d.type,
    ownerType: d.ownerType,
    name: d.name,
    description: d.description ?? null,
    access: {
      admin: access.admin ?? (namespace.startsWith("app--") ? "MERCHANT_READ_WRITE" : "PUBLIC_READ_WRITE"),
      storefront: access.storefront ?? "NONE",
      customerAccount: access.customerAccount ?? "NONE",
    },
  };
  ctx.shop.metafieldDefinitions.push(record);
  ctx.runtime.changed();
  return { createdDefinition: definitionView(record), userErrors: [] };
}

function definitionView(d: ShopState["metafieldDefinitions"][number]) {
  return {
    __typename: "MetafieldDefinition",
    id: d.id,
    namespace: d.namespace,
    key: d.key,
    name: d.name,
    description: d.description,
    ownerType: d.ownerType,
    type: { name: d.type, category: "TEXT", supportedValidations: [], supportsDefinitionMigrations: false },
    access: { ...d.access },
  };
}

function stagedUploadsCreate(args: Args, ctx: ResolverContext) {
  const targets = [];
  for (const [i, input] of (args.input as Args[]).entries()) {
    if (input.resource !== "BULK_MUTATION_VARIABLES") {
      return {
        stagedTargets: null,
        userErrors: [
          { field: ["input", String(i), "resource"], message: `The stand-in only stages BULK_MUTATION_VARIABLES, not ${input.resource}.` },
        ],
      };
    }
    const key = `tmp/${ctx.shop.numericId}/bulk/${randomUUID()}/bulk_op_vars`;
    ctx.runtime.stagedUploads.set(key, { shop: ctx.shop.domain, content: null });
    const method = input.httpMethod ?? "PUT";
    const base = `${ctx.runtime.origin}/staged-uploads/`;
    targets.push(
      method === "POST"
        ? {
            url: base,
            resourceUrl: `${base}${key}`,
            parameters: [
              { name: "Content-Type", value: input.mimeType },
              { name: "success_action_status", value: "201" },
              { name: "acl", value: "private" },
              { name: "key", value: key },
              { name: "x-goog-date", value: new Date(ctx.runtime.now()).toISOString().replace(/[-:]|\.\d{3}/g, "") },
              { name: "x-goog-credential", value: "stand-in" },
              { name: "x-goog-algorithm", value: "GOOG4-RSA-SHA256" },
              { name: "x-goog-signature", value: "stand-in" },
              { name: "policy", value: Buffer.from(JSON.stringify({ key })).toString("base64") },
            ],
          }
        : {
            url: `${base}${key}`,
            resourceUrl: `${base}${key}`,
            parameters: [
              { name: "content_type", value: input.mimeType },
              { name: "acl", value: "private" },
              { name: "key", value: key },
            ],
          },
    );
  }
  return { stagedTargets: targets, userErrors: [] };
}

const RUNNING: BulkOperationRecord["status"][] = ["CREATED", "RUNNING", "CANCELING"];
const MAX_CONCURRENT_BULK = 5;

function newBulkOperation(
  ctx: ResolverContext,
  type: "MUTATION" | "QUERY",
  query: string,
  stagedUploadPath: string | null,
  clientIdentifier: string | null,
): BulkOperationRecord {
  const op: BulkOperationRecord = {
    id: newGid(ctx.shop, "BulkOperation"),
    type,
    status: "CREATED",
    errorCode: null,
    query,
    clientIdentifier,
    stagedUploadPath,
    createdAt: iso(ctx),
    completedAt: null,
    objectCount: 0,
    rootObjectCount: 0,
    resultLines: [],
    url: null,
    partialDataUrl: null,
  };
  ctx.shop.bulkOperations[op.id] = op;
  ctx.runtime.startBulkOperation(ctx.shop, op);
  ctx.runtime.changed();
  return op;
}

function bulkLimitReached(shop: ShopState): boolean {
  return Object.values(shop.bulkOperations).filter((o) => RUNNING.includes(o.status)).length >= MAX_CONCURRENT_BULK;
}

function bulkOperationRunMutation(args: Args, ctx: ResolverContext) {
  const fail = (field: string[] | null, message: string, code: string) => ({ bulkOperation: null, userErrors: [{ field, message, code }] });
  const problem = ctx.runtime.checkBulkMutation(args.mutation);
  if (problem) return fail(["mutation"], problem, "INVALID_MUTATION");
  const upload = ctx.runtime.stagedUploads.get(args.stagedUploadPath);
  if (!upload || upload.shop !== ctx.shop.domain || upload.content === null) {
    return fail(
      ["stagedUploadPath"],
      "The JSONL file could not be found. Try uploading the file again, and check that you've entered the URL correctly for the stagedUploadPath mutation argument.",
      "NO_SUCH_FILE",
    );
  }
  const badLine = upload.content.split("\n").findIndex((line) => {
    if (!line.trim()) return false;
    try {
      const v = JSON.parse(line);
      return typeof v !== "object" || v === null || Array.isArray(v);
    } catch {
      return true;
    }
  });
  if (badLine >= 0) return fail(null, `Invalid JSONL on line ${badLine + 1}.`, "INVALID_STAGED_UPLOAD_FILE");
  if (bulkLimitReached(ctx.shop)) return fail(null, "Bulk operations limit reached. Please try again later.", "LIMIT_REACHED");
  const op = newBulkOperation(ctx, "MUTATION", args.mutation, args.stagedUploadPath, args.clientIdentifier ?? null);
  return { bulkOperation: bulkOperationView(op), userErrors: [] };
}

function bulkOperationRunQuery(args: Args, ctx: ResolverContext) {
  const problem = ctx.runtime.checkBulkQuery(args.query);
  if (problem) return { bulkOperation: null, userErrors: [{ field: ["query"], message: problem, code: "INVALID" }] };
  if (bulkLimitReached(ctx.shop))
    return {
      bulkOperation: null,
      userErrors: [{ field: null, message: "Bulk operations limit reached. Please try again later.", code: "LIMIT_REACHED" }],
    };
  const op = newBulkOperation(ctx, "QUERY", args.query, null, null);
  return { bulkOperation: bulkOperationView(op), userErrors: [] };
}

function bulkOperationCancel(args: Args, ctx: ResolverContext) {
  const op = ctx.shop.bulkOperations[args.id];
  if (!op) return { bulkOperation: null, userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }] };
  if (!RUNNING.includes(op.status))
    return {
      bulkOperation: bulkOperationView(op),
      userErrors: [{ field: ["id"], message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` }],
    };
  op.status = "CANCELING";
  ctx.runtime.changed();
  return { bulkOperation: bulkOperationView(op), userErrors: [] };
}

function discountInputErrors(input: Args, ctx: ResolverContext, creating: boolean): UserError[] {
  const errors: UserError[] = [];
  if (creating && !input.title) errors.push({ field: ["automaticAppDiscount", "title"], message: "Title can't be blank", code: "BLANK" });
  if (input.functionHandle && input.functionId) {
    errors.push({
      field: ["automaticAppDiscount"],
      message: "Only one of functionId or functionHandle is allowed.",
      code: "MULTIPLE_FUNCTION_IDENTIFIERS",
    });
  }
  if (creating && !input.functionHandle && !input.functionId) {
    errors.push({
      field: ["automaticAppDiscount", "functionHandle"],
      message: "Either functionId or functionHandle must be provided.",
      code: "MISSING_FUNCTION_IDENTIFIER",
    });
  }
  if (input.functionHandle && !ctx.runtime.functionHandles.includes(input.functionHandle)) {
    errors.push({
      field: ["automaticAppDiscount", "functionHandle"],
      message: `Function ${input.functionHandle} not found. Ensure that it is released in the current app.`,
      code: "INVALID",
    });
  }
  if (input.discountClasses && input.discountClasses.length === 0) {
    errors.push({ field: ["automaticAppDiscount", "discountClasses"], message: "Discount classes can't be blank", code: "BLANK" });
  }
  return errors;
}

function applyDiscountMetafields(input: Args, d: DiscountRecord, ctx: ResolverContext): UserError[] {
  const errors: UserError[] = [];
  for (const [i, m] of ((input.metafields ?? []) as Args[]).entries()) {
    const write = { ownerId: d.id, namespace: m.namespace, key: m.key, type: m.type, value: m.value };
    const checked = checkMetafield(ctx, write);
    if (checked.errors.length > 0)
      errors.push(...checked.errors.map((e) => ({ ...e, field: ["automaticAppDiscount", "metafields", String(i), ...(e.field ?? [])] })));
    else writeMetafield(ctx, write, checked.namespace, checked.type);
  }
  return errors;
}

function discountAutomaticAppCreate(args: Args, ctx: ResolverContext) {
  const input = args.automaticAppDiscount;
  const errors = discountInputErrors(input, ctx, true);
  if (errors.length > 0) return { automaticAppDiscount: null, userErrors: errors };
  const now = iso(ctx);
  const d: DiscountRecord = {
    id: newGid(ctx.shop, "DiscountAutomaticNode"),
    title: input.title,
    functionHandle: input.functionHandle ?? null,
    functionId: input.functionId ?? null,
    discountClasses: input.discountClasses ?? ["PRODUCT"],
    combinesWith: {
      productDiscounts: input.combinesWith?.productDiscounts ?? false,
      orderDiscounts: input.combinesWith?.orderDiscounts ?? false,
      shippingDiscounts: input.combinesWith?.shippingDiscounts ?? false,
    },
    startsAt: input.startsAt ?? now,
    endsAt: input.endsAt ?? null,
    createdAt: now,
    updatedAt: now,
    metafields: {},
  };
  ctx.shop.discounts[d.id] = d;
  const metafieldErrors = applyDiscountMetafields(input, d, ctx);
  if (metafieldErrors.length > 0) {
    delete ctx.shop.discounts[d.id];
    return { automaticAppDiscount: null, userErrors: metafieldErrors };
  }
  ctx.runtime.changed();
  return { automaticAppDiscount: discountView(d, ctx), userErrors: [] };
}

function discountAutomaticAppUpdate(args: Args, ctx: ResolverContext) {
  const d = ctx.shop.discounts[args.id];
  if (!d) return { automaticAppDiscount: null, userErrors: [{ field: ["id"], message: "Discount does not exist", code: "INVALID" }] };
  const input = args.automaticAppDiscount;
  const errors = discountInputErrors(input, ctx, false);
  if (errors.length > 0) return { automaticAppDiscount: null, userErrors: errors };
  if (input.title !== undefined) d.title = input.title;
  if (input.discountClasses !== undefined) d.discountClasses = input.discountClasses;
  if (input.combinesWith !== undefined) d.combinesWith = { ...d.combinesWith, ...input.combinesWith };
  if (input.startsAt !== undefined) d.startsAt = input.startsAt;
  if (input.endsAt !== undefined) d.endsAt = input.endsAt;
  if (input.functionHandle !== undefined) d.functionHandle = input.functionHandle;
  const metafieldErrors = applyDiscountMetafields(input, d, ctx);
  if (metafieldErrors.length > 0) return { automaticAppDiscount: null, userErrors: metafieldErrors };
  d.updatedAt = iso(ctx);
  ctx.runtime.changed();
  return { automaticAppDiscount: discountView(d, ctx), userErrors: [] };
}

function discountAutomaticDelete(args: Args, ctx: ResolverContext) {
  if (!ctx.shop.discounts[args.id])
    return { deletedAutomaticDiscountId: null, userErrors: [{ field: ["id"], message: "Discount does not exist", code: "INVALID" }] };
  delete ctx.shop.discounts[args.id];
  ctx.runtime.changed();
  return { deletedAutomaticDiscountId: args.id, userErrors: [] };
}

// ── Roots ─────────────────────────────────────────────────────────────────────────────────────────────────────────

export function queryRoot(ctx: ResolverContext): Record<string, (args: Args) => unknown> {
  const shop = ctx.shop;
  return {
    currentAppInstallation: () => ({
      id: `gid://shopify/AppInstallation/${shop.numericId}`,
      accessScopes: (ctx.runtime.grantedScopes?.(shop) ?? []).map((handle) => ({ handle, description: handle })),
      activeSubscriptions: activeSubscriptionsView(shop),
    }),
    shop: () => ({
      __typename: "Shop",
      id: `gid://shopify/Shop/${shop.numericId}`,
      name: shop.name,
      myshopifyDomain: shop.domain,
      currencyCode: shop.currencyCode,
      ianaTimezone: "UTC",
      email: `owner@${shop.domain}`,
      contactEmail: `owner@${shop.domain}`,
      ...metafieldAccessors(shop.metafields, ctx),
    }),
    customer: (args) => (shop.customers[args.id] ? customerView(shop.customers[args.id], ctx) : null),
    customers: (args) => {
      const terms = parseSearch(args.query);
      const items = Object.values(shop.customers).filter((c) => matchCustomer(c, terms));
      if (args.reverse) items.reverse();
      return connection(items, args, ctx, (c) => customerView(c, ctx));
    },
    order: (args) => (shop.orders[args.id] ? orderView(shop.orders[args.id], ctx) : null),
    orders: (args) => {
      const terms = parseSearch(args.query);
      const visibleFrom = ctx.runtime.ordersVisibleFrom?.(shop) ?? null;
      const items = Object.values(shop.orders)
        .filter((o) => matchOrder(o, terms) && (visibleFrom === null || Date.parse(o.createdAt) >= visibleFrom))
        .sort((a, b) => Date.parse(a.processedAt) - Date.parse(b.processedAt));
      if (args.reverse) items.reverse();
      return connection(items, args, ctx, (o) => orderView(o, ctx));
    },
    products: (args) => connection(Object.values(shop.products), args, ctx, (p) => productView(p, ctx)),
    node: (args) => nodeView(args.id, ctx),
    nodes: (args) => (args.ids as string[]).map((id) => nodeView(id, ctx)),
    metafieldDefinitions: (args) => {
      const ns = args.namespace === undefined ? null : resolveNamespace(args.namespace, ctx.runtime.appId);
      const items = shop.metafieldDefinitions.filter(
        (d) => d.ownerType === args.ownerType && (ns === null || d.namespace === ns) && (!args.key || d.key === args.key),
      );
      return connection(items, args, ctx, definitionView);
    },
    bulkOperation: (args) => (shop.bulkOperations[args.id] ? bulkOperationView(shop.bulkOperations[args.id]) : null),
    currentBulkOperation: (args) => {
      const ops = Object.values(shop.bulkOperations).filter((o) => !args.type || o.type === args.type);
      const latest = ops.sort((a, b) => numericPart(b.id) - numericPart(a.id))[0];
      return latest ? bulkOperationView(latest) : null;
    },
    discountNodes: (args) => {
      const terms = parseSearch(args.query);
      // Every discount here is an automatic app discount.
      const matches = terms.every((t) => t.field !== "method" || t.value.toLowerCase() === "automatic");
      return connection(matches ? Object.values(shop.discounts) : [], args, ctx, (d) => discountNodeView(d, ctx, "DiscountNode"));
    },
    discountNode: (args) => (shop.discounts[args.id] ? discountNodeView(shop.discounts[args.id], ctx, "DiscountNode") : null),
    automaticDiscountNode: (args) => (shop.discounts[args.id] ? discountNodeView(shop.discounts[args.id], ctx, "DiscountAutomaticNode") : null),
    ...discountCodeQueries(ctx),
  };
}

export function mutationRoot(ctx: ResolverContext): Record<string, (args: Args) => unknown> {
  return {
    metafieldsSet: (args) => metafieldsSet(args, ctx),
    metafieldsDelete: (args) => {
      const deleted = (args.metafields as MetafieldWrite[]).map((m) => {
        const owner = metafieldOwner(ctx.shop, m.ownerId);
        const ns = resolveNamespace(m.namespace, ctx.runtime.appId);
        if (!owner?.metafields[`${ns}.${m.key}`]) return null;
        delete owner.metafields[`${ns}.${m.key}`];
        return { ownerId: m.ownerId, namespace: ns, key: m.key };
      });
      ctx.runtime.changed();
      return { deletedMetafields: deleted, userErrors: [] };
    },
    tagsAdd: (args) => tagsAdd(args, ctx),
    tagsRemove: (args) => tagsRemove(args, ctx),
    metafieldDefinitionCreate: (args) => metafieldDefinitionCreate(args, ctx),
    stagedUploadsCreate: (args) => stagedUploadsCreate(args, ctx),
    bulkOperationRunMutation: (args) => bulkOperationRunMutation(args, ctx),
    bulkOperationRunQuery: (args) => bulkOperationRunQuery(args, ctx),
    bulkOperationCancel: (args) => bulkOperationCancel(args, ctx),
    discountAutomaticAppCreate: (args) => discountAutomaticAppCreate(args, ctx),
    discountAutomaticAppUpdate: (args) => discountAutomaticAppUpdate(args, ctx),
    discountAutomaticDelete: (args) => discountAutomaticDelete(args, ctx),
    ...flowTriggerMutations(ctx),
    storeCreditAccountCredit: (args) => storeCreditAccountCredit(ctx.shop, args, iso(ctx), ctx.runtime.changed),
    ...discountCodeMutations(ctx),
  };
}
