// Stand-ins for @shopify/ui-extensions-react surfaces: components become host elements named after themselves,
// hooks read the per-test state below, and reactExtension records its target so tests can check the registration.
import { createTranslator, type MessageTree } from "~/shared/member-messages";

export interface Registration {
  target: string;
  render: () => unknown;
}

const reactExtension = (target: string, render: () => unknown): Registration => ({ target, render });

function hosts(names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, n]));
}

// ---------------------------------------------------------------------------------------------
// Checkout

export interface CheckoutState {
  customer: { id: string } | undefined;
  metafields: Record<string, unknown>;
  cartAllocations: unknown[];
  lines: { discountAllocations: unknown[] }[];
  settings: Record<string, unknown>;
  locale: string;
  timezone: string;
  storefrontUrl: string | undefined;
  messages: MessageTree;
  /** The filters each useAppMetafields call asked for. */
  metafieldFilters: unknown[];
}

export const checkout: CheckoutState = freshCheckout({});

export function freshCheckout(messages: MessageTree): CheckoutState {
  return { customer: undefined, metafields: {}, cartAllocations: [], lines: [], settings: {}, locale: "en-US", timezone: "UTC", storefrontUrl: "https://shop.example/", messages, metafieldFilters: [] };
}

export function checkoutModule() {
  return {
    reactExtension,
    ...hosts(["Badge", "Banner", "BlockStack", "InlineStack", "Link", "Progress", "Text"]),
    useCustomer: () => checkout.customer,
    useAppMetafields: (filter: { namespace?: string; key?: string; type?: string }) => {
      checkout.metafieldFilters.push(filter);
      const value = filter.key === undefined ? undefined : checkout.metafields[filter.key];
      return value === undefined ? [] : [{ target: { id: "gid://shopify/Customer/1", type: "customer" }, metafield: { namespace: filter.namespace, key: filter.key, value, valueType: "json_string", type: "json" } }];
    },
    useDiscountAllocations: () => checkout.cartAllocations,
    useCartLines: () => checkout.lines,
    useSettings: () => checkout.settings,
    useLanguage: () => ({ isoCode: checkout.locale }),
    useTimezone: () => checkout.timezone,
    useShop: () => ({ id: "gid://shopify/Shop/1", name: "Demo", storefrontUrl: checkout.storefrontUrl, myshopifyDomain: "demo.myshopify.com" }),
    useTranslate: () => createTranslator(checkout.messages, checkout.locale),
  };
}

// ---------------------------------------------------------------------------------------------
// Customer accounts

export interface AccountState {
  settings: Record<string, unknown>;
  locale: string;
  timezone: string;
  messages: MessageTree;
}

export const account: AccountState = { settings: {}, locale: "en-US", timezone: "UTC", messages: {} };

export function customerAccountModule() {
  return {
    reactExtension,
    ...hosts(["Badge", "Banner", "BlockStack", "Button", "Card", "Divider", "Grid", "Heading", "Image", "InlineStack", "List", "ListItem", "Page", "Progress", "SkeletonTextBlock", "Text", "TextBlock"]),
    useSettings: () => account.settings,
    useLanguage: () => ({ isoCode: account.locale }),
    useTimezone: () => account.timezone,
    useTranslate: () => createTranslator(account.messages, account.locale),
  };
}

// ---------------------------------------------------------------------------------------------
// Point of sale

export interface PosState {
  customerId: number | undefined;
  cartCustomerId: number | undefined;
  locale: string;
  presentModal: () => void;
}

export const pos: PosState = { customerId: undefined, cartCustomerId: undefined, locale: "en-US", presentModal: () => {} };

export function pointOfSaleModule() {
  return {
    reactExtension,
    ...hosts(["Badge", "Navigator", "POSBlock", "POSBlockRow", "Screen", "ScrollView", "Section", "Stack", "Text", "Tile"]),
    useApi: () => ({ customer: { id: pos.customerId }, action: { presentModal: () => pos.presentModal() } }),
    useCartSubscription: () => ({ customer: pos.cartCustomerId === undefined ? undefined : { id: pos.cartCustomerId }, lineItems: [] }),
    useLocaleSubscription: () => pos.locale,
  };
}

// ---------------------------------------------------------------------------------------------
// A fetch stand-in answering GraphQL requests from a handler, recording what was sent.

export interface SentRequest {
  url: string;
  query: string;
  variables: Record<string, unknown> | undefined;
}

export function graphqlFetch(answer: (req: SentRequest) => { status?: number; body: unknown } | Error) {
  const sent: SentRequest[] = [];
  const fn = async (url: string, init: { body: string }) => {
    const parsed = JSON.parse(init.body) as { query: string; variables?: Record<string, unknown> };
    const req = { url, query: parsed.query, variables: parsed.variables };
    sent.push(req);
    const result = answer(req);
    if (result instanceof Error) throw result;
    const status = result.status ?? 200;
    return { ok: status >= 200 && status < 300, status, json: async () => result.body };
  };
  return { fn, sent };
}
