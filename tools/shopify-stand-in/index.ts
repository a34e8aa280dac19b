import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  defaultFieldResolver,
  execute,
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
} from "graphql";
import { sendSignedWebhook, type SignedWebhookInput } from "./signed-webhook";
import { checkBulkMutation, checkBulkQuery, runBulkOperation, type BulkRunner } from "./bulk";
import { bucketAvailable, calculateQueryCost, SINGLE_QUERY_MAX_COST, throttleStatus } from "./cost";
import { executionError, shopifySyntaxError, shopifyValidationError, type ShopifyGraphqlError } from "./graphql-errors";
import { mutationRoot, queryRoot, resolveNamespace, type ResolverContext, type StandInRuntime } from "./resolvers";
import { createStandInOAuth, type StandInOAuth } from "./oauth";
import { createStandInBilling, type StandInBilling } from "./billing";
import { createStandInCatalog, type StandInCatalog } from "./catalog";
import { takeRefusal } from "./store-credit";
import { loadShopifySchema, SHOPIFY_API_VERSION } from "./schemas";
import { createShop, loadShops, numericPart, saveShops, seedShop, type CallLogEntry, type ShopSeed, type ShopState } from "./store";

export type { ShopState, ShopSeed, CustomerSeed, OrderSeed, ProductSeed, CallLogEntry, BulkOperationRecord, ThrottleSettings } from "./store";
export { STANDARD_THROTTLE, ADVANCED_THROTTLE, PLUS_THROTTLE } from "./store";
export { loadShopifySchema, SHOPIFY_API_VERSION } from "./schemas";
export { standInAdminClient } from "./admin-client";
export type { StandInOAuth, GrantOptions, IssuedTokens } from "./oauth";

/**
 * A local Shopify store for tests and the demo: Admin GraphQL 2026-10 executed against Shopify's real schema, a
 * leaky-bucket cost limit, staged uploads, bulk operations with result files, signed webhooks, and fault injection.
 */

export type Fault =
  | { kind: "throttled"; count?: number; shop?: string }
  | { kind: "http"; status: 429 | 500 | 502 | 503 | 504; count?: number; retryAfterSeconds?: number; shop?: string }
  | { kind: "bulkFailHalfway"; count?: number; shop?: string }
  /** Refuse writes of one metafield (INVALID_VALUE) until the stand-in closes, to see one failure leave the rest written. */
  | { kind: "rejectMetafield"; ownerId: string; key: string; shop?: string };

export interface StandInOptions {
  port?: number;
  host?: string;
  /** Shops to create; the first is the default (`standIn.state`). Defaults to one shop, tierline-demo.myshopify.com. */
  shops?: ShopSeed[];
  /** The app's API secret, used to sign webhooks the stand-in sends. */
  apiSecret?: string;
  /** Numeric app id behind `$app:` namespaces (`app--<id>--tierline`). */
  appId?: number;
  /** Function handles the app has released; discounts must reference one of them. */
  functionHandles?: string[];
  /** Clock for the cost bucket and timestamps; tests pass a virtual clock. */
  now?: () => number;
  /** Pause between bulk-operation work slices (real time). */
  bulkLatencyMs?: number;
  /** When set, finished bulk operations are announced with a signed `bulk_operations/finish` webhook. */
  bulkFinishWebhook?: { appUrl: string; secret?: string };
  /** Load the store from this JSON file at start (when it exists) and save changes back to it. */
  persistPath?: string;
}

export interface StandIn {
  url: string;
  port: number;
  /** The default shop's state. */
  state: ShopState;
  shops: Record<string, ShopState>;
  shop(domain?: string): ShopState;
  /** Adds a shop (or returns the existing one with that domain). */
  addShop(seed: ShopSeed): ShopState;
  seed(data: Pick<ShopSeed, "customers" | "orders" | "products">, domain?: string): { customers: string[]; orders: string[]; products: string[] };
  injectFault(fault: Fault): void;
  /** Parsed JSON of a metafield, or undefined when unset. */
  metafieldJson(ownerId: string, key: string, namespace?: string, domain?: string): unknown;
  calls(domain?: string): CallLogEntry[];
  /** Numeric app id behind `$app:` namespaces (`app--<appId>--tierline`). */
  appId: number;
  /** Installations with granted scopes and expiring offline tokens (oauth.ts). */
  oauth: StandInOAuth;
  /** The shops' app subscriptions (Shopify App Pricing; billing.ts). */
  billing: StandInBilling;
  /** The merchant editing products and collections, with the webhook bodies Shopify sends for it (catalog.ts). */
  catalog: StandInCatalog;
  sendWebhook(input: Omit<SignedWebhookInput, "secret"> & { secret?: string }): Promise<{ status: number; body: string; webhookId: string }>;
  save(): void;
  close(): Promise<void>;
}

/** Parsed and validated documents kept (by their text), the oldest dropped first. */
const CHECKED_DOCUMENTS_KEPT = 500;
const INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)";

export async function startStandIn(opts: StandInOptions = {}): Promise<StandIn> {
  const schema = loadShopifySchema("admin");
  const checkedDocuments = new Map<string, { document: DocumentNode; validationErrors: readonly GraphQLError[] }>();
  const now = opts.now ?? Date.now;
  const appId = opts.appId ?? 424242;
  const shops: Record<string, ShopState> = loadShops(opts.persistPath ?? "") ?? {};
  for (const seed of opts.shops ?? [{ domain: "tierline-demo.myshopify.com" }]) shops[seed.domain] ??= createShop(seed, now());
  const defaultDomain = Object.keys(shops)[0];
  const faults: (Fault & { remaining: number })[] = [];
  const stagedUploads = new Map<string, { shop: string; content: string | null }>();
  const oauth = createStandInOAuth(now);
  const billing = createStandInBilling(now, () => changed());
  const catalog = createStandInCatalog(now, () => changed());
  let saveTimer: NodeJS.Timeout | null = null;

  const save = () => {
    if (opts.persistPath) saveShops(opts.persistPath, shops);
  };
  const changed = () => {
    if (!opts.persistPath || saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = null;
      save();
    }, 50);
    saveTimer.unref();
  };

  const takeFault = (shop: ShopState, kinds: Fault["kind"][]) => {
    const index = faults.findIndex((f) => kinds.includes(f.kind) && (!f.shop || f.shop === shop.domain));
    if (index < 0) return null;
    const fault = faults[index];
    if (--fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  };

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${opts.host ?? "127.0.0.1"}:${port}`;

  const fieldResolver: GraphQLFieldResolver<any, ResolverContext> = (source, args, context, info) => {
    if (info.parentType === schema.getQueryType() || info.parentType === schema.getMutationType()) {
      const refused = info.parentType === schema.getMutationType() ? takeRefusal(context.shop, info.fieldName) : null;
      if (refused) return refused; // a failure switch for tests (store-credit.ts: refuseNextMutation)
      const resolve = source[info.fieldName];
      if (typeof resolve !== "function") throw new GraphQLError(`The Shopify stand-in does not implement ${info.parentType.name}.${info.fieldName}`);
      return resolve(args);
    }
    return defaultFieldResolver(source, args, context, info);
  };

  const run = async (shop: ShopState, document: DocumentNode, variables: Record<string, unknown>, bulk: boolean, operationName?: string) => {
    const ctx: ResolverContext = { shop, runtime, bulk };
    const operation = getOperationAST(document, operationName);
    const rootValue = operation?.operation === "mutation" ? mutationRoot(ctx) : queryRoot(ctx);
    return execute({ schema, document, rootValue, contextValue: ctx, variableValues: variables, operationName, fieldResolver });
  };

  const runtime: StandInRuntime = {
    origin,
    appId,
    now,
    schema,
    functionHandles: opts.functionHandles ?? ["tier-discount"],
    stagedUploads,
    changed,
    ordersVisibleFrom: (shop) => oauth.ordersVisibleFrom(shop.domain),
    grantedScopes: (shop) => oauth.grantedScopes(shop.domain),
    rejectsMetafield: (shop, ownerId, key) =>
      faults.some((f) => f.kind === "rejectMetafield" && f.ownerId === ownerId && f.key === key && (!f.shop || f.shop === shop.domain)),
    checkBulkMutation: (m) => checkBulkMutation(schema, m),
    checkBulkQuery: (q) => checkBulkQuery(schema, q),
    startBulkOperation: (shop, op) => void runBulkOperation(bulkRunner, shop, op),
  };

  const bulkRunner: BulkRunner = {
    schema,
    execute: (shop, document, variables, bulk) => run(shop, document, variables, bulk),
    stagedContent: (path) => stagedUploads.get(path)?.content ?? null,
    resultUrl: (shop, op, partial) => `${origin}/bulk-results/${shop.domain}/${numericPart(op.id)}${partial ? ".partial" : ""}.jsonl`,
    takeHalfwayFailure: (shop) => takeFault(shop, ["bulkFailHalfway"]) !== null,
    finished: (shop, op) => {
      if (!opts.bulkFinishWebhook) return;
      void sendSignedWebhook({
        topic: "bulk_operations/finish",
        shop: shop.domain,
        appUrl: opts.bulkFinishWebhook.appUrl,
        secret: opts.bulkFinishWebhook.secret ?? opts.apiSecret ?? "",
        payload: {
          admin_graphql_api_id: op.id,
          completed_at: op.completedAt,
          created_at: op.createdAt,
          error_code: op.errorCode?.toLowerCase() ?? null,
          status: op.status.toLowerCase(),
          type: op.type.toLowerCase(),
        },
      }).catch(() => undefined);
    },
    changed,
    nowIso: () => new Date(now()).toISOString(),
    latencyMs: opts.bulkLatencyMs ?? 0,
  };

  const shopFor = (req: http.IncomingMessage): ShopState | null => {
    const header = req.headers["x-shopify-shop-domain"];
    const host = (req.headers.host ?? "").replace(/:\d+$/, "");
    const domain = (Array.isArray(header) ? header[0] : header) ?? (host.endsWith(".myshopify.com") ? host : null);
    if (!domain) return shops[defaultDomain] ?? null;
    if (!domain.endsWith(".myshopify.com")) return null;
    // Any shop domain works: an unknown one is an empty store.
    shops[domain] ??= createShop({ domain }, now());
    return shops[domain];
  };

  const log = (shop: ShopState, entry: Omit<CallLogEntry, "at">) => shop.calls.push({ at: now(), ...entry });

  async function handleGraphql(req: http.IncomingMessage, res: http.ServerResponse, version: string, raw: Buffer) {
    if (version !== SHOPIFY_API_VERSION) return send(res, 404, { errors: "Not Found" });
    const token = req.headers["x-shopify-access-token"];
    const shop = shopFor(req);
    if (!shop) return send(res, 404, { errors: "Not Found" });
    if (
      typeof token !== "string" ||
      token.length === 0 ||
      (shop.accessToken !== null && token !== shop.accessToken) ||
      oauth.refusesToken(shop.domain, token)
    ) {
      log(shop, { operationName: null, rootFields: [], status: 401, outcome: "unauthorized", requestedQueryCost: null, variables: null });
      return send(res, 401, { errors: INVALID_TOKEN });
    }
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    const contentType = String(req.headers["content-type"] ?? "");
    try {
      body = contentType.includes("application/graphql") ? { query: raw.toString("utf8") } : JSON.parse(raw.toString("utf8") || "{}");
    } catch {
      return send(res, 400, { errors: { query: "Required parameter missing or invalid" } });
    }
    if (typeof body.query !== "string" || body.query.trim() === "")
      return send(res, 400, { errors: { query: "Required parameter missing or invalid" } });
    const variables = (body.variables && typeof body.variables === "object" ? body.variables : {}) as Record<string, unknown>;
    const operationName = typeof body.operationName === "string" ? body.operationName : undefined;

    const fault = takeFault(shop, ["throttled", "http"]);
    if (fault?.kind === "http") {
      log(shop, {
        operationName: operationName ?? null,
        rootFields: [],
        status: fault.status,
        outcome: "fault",
        requestedQueryCost: null,
        variables,
      });
      const headers: Record<string, string> = fault.status === 429 ? { "Retry-After": String(fault.retryAfterSeconds ?? 1) } : {};
      const message =
        fault.status === 429
          ? "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."
          : "Internal Server Error";
      return send(res, fault.status, { errors: message }, headers);
    }

    let document: DocumentNode;
    let validationErrors: readonly GraphQLError[];
    const known = checkedDocuments.get(body.query);
    if (known) ({ document, validationErrors } = known);
    else {
      try {
        document = parse(body.query);
      } catch (error) {
        log(shop, { operationName: operationName ?? null, rootFields: [], status: 200, outcome: "invalid", requestedQueryCost: null, variables });
        return send(res, 200, { errors: [shopifySyntaxError(error as GraphQLError)] });
      }
      validationErrors = validate(schema, document);
      // An app sends the same few documents over and over: each is parsed and validated once, as a server caches them.
      if (checkedDocuments.size >= CHECKED_DOCUMENTS_KEPT) checkedDocuments.delete(checkedDocuments.keys().next().value!);
      checkedDocuments.set(body.query, { document, validationErrors });
    }
    const operation = getOperationAST(document, operationName);
    const name = operation?.name?.value ?? operationName ?? null;
    const rootFields = operation?.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])) ?? [];
    const invalid = (errors: ShopifyGraphqlError[]) => {
      log(shop, { operationName: name, rootFields, status: 200, outcome: "invalid", requestedQueryCost: null, variables });
      return send(res, 200, { errors });
    };
    if (validationErrors.length > 0) return invalid(validationErrors.map(shopifyValidationError));
    if (!operation) return invalid([{ message: "An operation name is required", extensions: { code: "OPERATION_NAME_REQUIRED" } }]);

    const fragments = Object.fromEntries(
      document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    );
    const { cost, unsized } = calculateQueryCost(schema, operation, fragments, variables);
    if (unsized.length > 0) {
      return invalid(
        unsized.map((path) => ({ message: "you must provide one of first or last", path: [path], extensions: { code: "FIRST_OR_LAST_REQUIRED" } })),
      );
    }
    if (cost > SINGLE_QUERY_MAX_COST) {
      log(shop, { operationName: name, rootFields, status: 200, outcome: "max-cost", requestedQueryCost: cost, variables });
      return send(res, 200, {
        errors: [
          {
            message: `Query cost is ${cost}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).`,
            extensions: { code: "MAX_COST_EXCEEDED", cost, maxCost: SINGLE_QUERY_MAX_COST },
          },
        ],
      });
    }
    const forcedThrottle = fault?.kind === "throttled";
    // A forced THROTTLED empties the bucket, as a burst from another process sharing the shop's limit would.
    if (forcedThrottle) shop.bucket = { available: 0, at: now() };
    if (forcedThrottle || cost > bucketAvailable(shop, now())) {
      log(shop, { operationName: name, rootFields, status: 200, outcome: "throttled", requestedQueryCost: cost, variables });
      return send(res, 200, {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: throttleStatus(shop, now()) } },
      });
    }
    shop.bucket.available -= cost;
    const result = await run(shop, document, variables, false, operationName);
    log(shop, { operationName: name, rootFields, status: 200, outcome: "ok", requestedQueryCost: cost, variables });
    return send(res, 200, {
      ...(result.errors?.length ? { errors: result.errors.map(executionError) } : {}),
      // Variable errors stop execution before any field runs; Shopify then sends no data key at all.
      ...(result.data === undefined ? {} : { data: result.data }),
      extensions: { cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: throttleStatus(shop, now()) } },
    });
  }

  async function handleStagedUpload(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer, keyFromPath: string | null) {
    let key = keyFromPath;
    let content: string;
    if (req.method === "PUT") content = raw.toString("utf8");
    else {
      const form = await new Response(new Uint8Array(raw), { headers: { "content-type": String(req.headers["content-type"] ?? "") } })
        .formData()
        .catch(() => null);
      if (!form) return send(res, 400, { error: "expected multipart/form-data" });
      key = String(form.get("key") ?? "");
      const file = form.get("file");
      if (!file || typeof file === "string") return send(res, 400, { error: "the form has no file field" });
      content = await file.text();
    }
    const upload = key ? stagedUploads.get(key) : undefined;
    if (!key || !upload)
      return sendText(res, 403, "<Error><Code>AccessDenied</Code><Message>Invalid upload key</Message></Error>", "application/xml");
    upload.content = content;
    return sendText(res, 201, `<PostResponse><Key>${key}</Key></PostResponse>`, "application/xml");
  }

  function handleBulkResult(res: http.ServerResponse, domain: string, id: string, partial: boolean) {
    const op = shops[domain]?.bulkOperations[`gid://shopify/BulkOperation/${id}`];
    if (!op || (!partial && op.status !== "COMPLETED") || (partial && !op.partialDataUrl)) return sendText(res, 404, "Not Found", "text/plain");
    return sendText(res, 200, op.resultLines.length > 0 ? `${op.resultLines.join("\n")}\n` : "", "application/jsonl");
  }

  server.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? "/", origin);
      const graphql = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(url.pathname);
      const result = /^\/bulk-results\/([^/]+)\/(\d+)(\.partial)?\.jsonl$/.exec(url.pathname);
      const staged = /^\/staged-uploads\/(.*)$/.exec(url.pathname);
      let handled: Promise<void> | void;
      if (graphql && req.method === "POST") handled = handleGraphql(req, res, graphql[1], raw);
      else if (staged && (req.method === "POST" || req.method === "PUT")) handled = handleStagedUpload(req, res, raw, staged[1] || null);
      else if (result && req.method === "GET") handled = handleBulkResult(res, result[1], result[2], Boolean(result[3]));
      else if (url.pathname === "/admin/oauth/access_token" && req.method === "POST") handled = oauth.handleTokenRequest(shopFor(req), req, raw, res);
      else if (url.pathname === "/healthz") handled = sendText(res, 200, "ok", "text/plain");
      else handled = send(res, 404, { errors: "Not Found" });
      Promise.resolve(handled).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, { errors: `stand-in failure: ${(error as Error).message}` });
      });
    });
  });

  const shop = (domain?: string) => {
    const found = shops[domain ?? defaultDomain];
    if (!found) throw new Error(`the stand-in has no shop ${domain}`);
    return found;
  };

  return {
    url: origin,
    port,
    state: shops[defaultDomain],
    shops,
    shop,
    addShop: (seed) => {
      shops[seed.domain] ??= createShop(seed, now());
      changed();
      return shops[seed.domain];
    },
    seed: (data, domain) => {
      const created = seedShop(shop(domain), data, now());
      changed();
      return created;
    },
    injectFault: (fault) => faults.push({ ...fault, remaining: "count" in fault ? (fault.count ?? 1) : 1 }),
    metafieldJson: (ownerId, key, namespace = "$app:tierline", domain) => {
      const s = shop(domain);
      const owner =
        ownerId === `gid://shopify/Shop/${s.numericId}`
          ? s
          : (s.customers[ownerId] ?? s.discounts[ownerId] ?? s.products[ownerId] ?? s.orders[ownerId]);
      const record = owner?.metafields[`${resolveNamespace(namespace, appId)}.${key}`];
      return record ? JSON.parse(record.value) : undefined;
    },
    calls: (domain) => shop(domain).calls,
    appId,
    oauth,
    billing,
    catalog,
    sendWebhook: (input) => sendSignedWebhook({ ...input, secret: input.secret ?? opts.apiSecret ?? "" }),
    save,
    close: async () => {
      if (saveTimer) clearTimeout(saveTimer);
      save();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

function sendText(res: http.ServerResponse, status: number, body: string, contentType: string) {
  res.writeHead(status, { "Content-Type": contentType });
  res.end(body);
}
