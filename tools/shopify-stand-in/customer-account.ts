import { execute, parse, validate, type DocumentNode, type ExecutionResult } from "graphql";
import { customerAccountMetafieldsSet } from "./customer-account-metafields";
import { resolveNamespace } from "./resolvers";
import { loadShopifySchema, SHOPIFY_API_VERSION } from "./schemas";
import type { MetafieldMap, MetafieldRecord, ShopState } from "./store";

/**
 * The Customer Account API as a customer account UI extension sees it, for one logged-in customer of a stand-in shop:
 * documents are parsed, validated and executed against Shopify's real customer_2026-10 schema, and answered from the
 * same records the Admin stand-in keeps (what the app's sync wrote is what the extension reads). The extension
 * sandbox resolves `shopify://customer-account/api/<version>/graphql.json`; `customerAccountFetch` plays that fetch.
 *
 * Implemented: `customer { id firstName lastName displayName metafield(namespace, key) }` and
 * `shop { id name metafield(namespace, key) }`, and the mutation `metafieldsSet` (./customer-account-metafields.ts:
 * the customer's own metafields whose definition grants READ_WRITE); any other valid field answers an error naming it.
 */

export const CUSTOMER_ACCOUNT_URL_PATTERN = /^shopify:\/\/customer-account\/api\/([^/]+)\/graphql\.json$/;

export interface CustomerAccountSession {
  /** The shop as it is now (the stand-in's state; read on every request). */
  shop: () => ShopState;
  /** The logged-in customer (GID). */
  customerId: string;
  /** Numeric app id behind `$app:` namespaces, as the Admin stand-in's (`app--<id>--tierline`). */
  appId: number;
}

type Args = Record<string, unknown>;

function metafieldAccessor(map: MetafieldMap, appId: number) {
  return (args: Args) => {
    const record: MetafieldRecord | undefined = map[`${resolveNamespace(args.namespace as string, appId)}.${String(args.key)}`];
    return record
      ? {
          __typename: "Metafield",
          id: record.id,
          namespace: args.namespace,
          key: record.key,
          type: record.type,
          value: record.value,
          updatedAt: record.updatedAt,
        }
      : null;
  };
}

function unimplemented(typeName: string, known: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(known, {
    get(target, prop) {
      if (typeof prop !== "string" || prop in target || prop === "then") return target[prop as keyof typeof target];
      throw new Error(`The Customer Account stand-in does not implement ${typeName}.${prop}`);
    },
  });
}

/** Runs one Customer Account API request for the session's customer. Errors are `{ errors }`, as Shopify answers them. */
export async function runCustomerAccountQuery(
  session: CustomerAccountSession,
  body: { query?: unknown; variables?: unknown; operationName?: unknown },
): Promise<ExecutionResult> {
  const schema = loadShopifySchema("customer");
  if (typeof body.query !== "string") return { errors: [{ message: "No query string was present" }] as never };
  let document: DocumentNode;
  try {
    document = parse(body.query);
  } catch (error) {
    return { errors: [{ message: (error as Error).message }] as never };
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) return { errors: invalid };
  const shop = session.shop();
  const customer = shop.customers[session.customerId];
  const rootValue = unimplemented("QueryRoot", {
    customer: () =>
      customer
        ? unimplemented("Customer", {
            __typename: "Customer",
            id: customer.id,
            firstName: customer.firstName,
            lastName: customer.lastName,
            displayName: `${customer.firstName ?? ""} ${customer.lastName ?? ""}`.trim() || customer.email || "",
            metafield: metafieldAccessor(customer.metafields, session.appId),
          })
        : null,
    shop: () =>
      unimplemented("Shop", {
        __typename: "Shop",
        id: `gid://shopify/Shop/${shop.numericId}`,
        name: shop.name,
        metafield: metafieldAccessor(shop.metafields, session.appId),
      }),
    metafieldsSet: (args: Args) =>
      customerAccountMetafieldsSet(
        shop,
        { customerId: session.customerId, appId: session.appId, now: () => new Date().toISOString() },
        args as never,
      ),
  });
  const variables = body.variables && typeof body.variables === "object" ? (body.variables as Record<string, unknown>) : {};
  return execute({
    schema,
    document,
    rootValue,
    variableValues: variables,
    operationName: typeof body.operationName === "string" ? body.operationName : undefined,
  });
}

/**
 * The extension sandbox's `fetch` for a customer account extension: `shopify://customer-account/api/…` answered by
 * `runCustomerAccountQuery`; any other URL is refused, as the extension has no network access.
 */
export function customerAccountFetch(session: CustomerAccountSession) {
  return async (url: string, init?: { method?: string; body?: unknown }): Promise<Response> => {
    const match = CUSTOMER_ACCOUNT_URL_PATTERN.exec(url);
    if (!match) throw new TypeError(`network access is off for this extension: ${url}`);
    if (match[1] !== SHOPIFY_API_VERSION) return new Response(JSON.stringify({ errors: "Not Found" }), { status: 404 });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(String(init?.body ?? "")) as Record<string, unknown>;
    } catch {
      return new Response(JSON.stringify({ errors: [{ message: "Invalid JSON in request body" }] }), { status: 400 });
    }
    const result = await runCustomerAccountQuery(session, body);
    return new Response(JSON.stringify(result), { status: 200, headers: { "Content-Type": "application/json" } });
  };
}
