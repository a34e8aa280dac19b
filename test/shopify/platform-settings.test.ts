import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { Session } from "@shopify/shopify-api";
import {
  buildClientSchema,
  getNamedType,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type GraphQLSchema,
  type IntrospectionQuery,
} from "graphql";
import { describe, expect, it } from "vitest";
import { APP_ACCESS_SCOPES, grantsAllOrders, OPTIONAL_SCOPES, SCOPES } from "~/shopify/access-scopes.server";
import { CachedSessionStorage } from "~/shopify/session-cache.server";

/**
 * The app's Shopify settings checked against Shopify's own 2026-10 schemas (which name the access each type, field
 * and webhook topic requires) and against the Shopify CLI 4.8 configuration rules.
 */

const root = path.resolve(import.meta.dirname, "../..");
const toml = fs.readFileSync(path.join(root, "shopify.app.toml"), "utf8");
const tomlScopes = (toml.match(/^scopes = "([^"]*)"/m)?.[1] ?? "").split(",");

interface RawType {
  name: string;
  requiredAccess?: string | null;
  fields?: { name: string; requiredAccess?: string | null }[] | null;
  enumValues?: { name: string; description?: string | null }[] | null;
}
function loadSchema(api: "admin" | "customer"): { schema: GraphQLSchema; types: Map<string, RawType> } {
  const json = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(root, `test/fixtures/shopify-schemas/${api}_2026-10.json.gz`))).toString());
  const introspection = (json.data ?? json) as IntrospectionQuery;
  return { schema: buildClientSchema(introspection), types: new Map((introspection.__schema.types as unknown as RawType[]).map((t) => [t.name, t])) };
}

/** write_x grants read_x (Shopify: "any scope that writes a resource also grants read access to it"). */
const granted = (scope: string) => tomlScopes.includes(scope) || (scope.startsWith("read_") && tomlScopes.includes(`write_${scope.slice(5)}`));

describe("shopify.app.toml", () => {
  it("requests exactly the scopes the app declares in code (SCOPES, and read_all_orders as OPTIONAL_SCOPES)", () => {
    expect(tomlScopes).toEqual(SCOPES);
    expect([...(toml.match(/^optional_scopes = \[([^\]]*)\]/m)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1])).toEqual(OPTIONAL_SCOPES);
    expect(OPTIONAL_SCOPES).toEqual(["read_all_orders"]);
  });

  it("has no include_config_on_deploy: Shopify CLI 4.8 always deploys the configuration and strips the field", () => {
    expect(toml).not.toMatch(/include_config_on_deploy/);
  });

  it("holds every scope its webhook topics require (Admin 2026-10 WebhookSubscriptionTopic)", () => {
    const { types } = loadSchema("admin");
    const topics = types.get("WebhookSubscriptionTopic")!.enumValues!;
    const subscribed = [...toml.matchAll(/^\s*topics = \[ "([^"]+)" \]/gm)].map((m) => m[1]);
    expect(subscribed).toContain("customers/merge");
    const missing: string[] = [];
    for (const topic of subscribed) {
      const description = topics.find((v) => v.name === topic.replace("/", "_").toUpperCase())?.description ?? "";
      const one = /Requires the `(\w+)` scope/.exec(description)?.[1];
      const any = /Requires at least one of the following scopes: ([\w, ]+)\./.exec(description)?.[1]?.split(/,\s*/);
      const needed = one ? [one] : (any ?? []);
      if (needed.length && !needed.some(granted)) missing.push(`${topic} needs ${needed.join(" or ")}`);
    }
    expect(missing).toEqual([]);
  });

  it("holds the scopes the shopper extensions' queries require (Customer Account API and, for POS, Admin API)", () => {
    const apis = { customer: loadSchema("customer"), admin: loadSchema("admin") };
    const sources = [
      path.join(root, "app/shared"),
      ...fs.readdirSync(path.join(root, "extensions")).map((e) => path.join(root, "extensions", e, "src")),
    ]
      .filter((d) => fs.existsSync(d))
      .flatMap((d) =>
        fs
          .readdirSync(d, { recursive: true, encoding: "utf8" })
          .filter((f) => /\.tsx?$/.test(f))
          .map((f) => path.join(d, f)),
      );
    const documents = sources.flatMap((file) => [...fs.readFileSync(file, "utf8").matchAll(/`#graphql\n([\s\S]*?)`/g)].map((m) => m[1]));
    expect(documents.length).toBeGreaterThan(0);
    const needs = new Map<string, string>();
    for (const text of documents) {
      const document = parse(text);
      const api = (["customer", "admin"] as const).find((a) => validate(apis[a].schema, document).length === 0);
      if (!api) continue; // invalid documents are test/extensions' concern
      const { schema, types } = apis[api];
      const typeInfo = new TypeInfo(schema);
      visit(
        document,
        visitWithTypeInfo(typeInfo, {
          Field() {
            const parent = typeInfo.getParentType();
            const field = typeInfo.getFieldDef();
            if (!parent || !field) return;
            const type = types.get(getNamedType(field.type).name);
            const rawField = types.get(parent.name)?.fields?.find((f) => f.name === field.name);
            for (const access of [type?.requiredAccess, rawField?.requiredAccess].map((a) => ownerAccess(a, types))) {
              // Scopes an app requests; `*_authenticated` names are the buyer's sign-in state, not app scopes.
              const scopes = [...(access ?? "").matchAll(/`(\w+)`/g)]
                .map((m) => m[1])
                .filter((s) => !/_(pre_|un)?authenticated$|_payment_instrument_authenticated$/.test(s));
              if (scopes.length) needs.set(`${api}: ${parent.name}.${field.name}`, scopes.join(" or "));
            }
          },
        }),
      );
    }
    const missing = [...needs].filter(([, scopes]) => !scopes.split(" or ").some(granted));
    expect(missing).toEqual([]);
    expect(validate(apis.admin.schema, parse(APP_ACCESS_SCOPES))).toEqual([]);
    // What the customer account extensions read (the customer's member metafields) needs customer_read_customers.
    expect([...needs.values()]).toContain("customer_read_customers");
  });
});

/**
 * metafieldsSet's access is "the same access as mutating a `CUSTOMER`" (the owner's type): the scopes of that owner's
 * update mutation (customerUpdate: customer_write_customers).
 */
function ownerAccess(access: string | null | undefined, types: Map<string, RawType>): string | null | undefined {
  const owner = /same access as mutating an? `(\w+)`/.exec(access ?? "")?.[1];
  if (!owner) return access;
  const update = `${owner.toLowerCase()}Update`;
  return types.get("Mutation")?.fields?.find((f) => f.name === update)?.requiredAccess ?? access;
}

describe("granted scopes", () => {
  it.each([
    ["read_customers,read_orders,read_all_orders", true],
    ["read_customers, read_all_orders ", true],
    ["read_customers,read_orders", false],
    ["", false],
    [null, false],
  ])("%j grants all orders: %s", (scope, want) => {
    expect(grantsAllOrders(scope)).toBe(want);
  });
});

describe("CachedSessionStorage for webhooks and the worker", () => {
  const SHOP = "settings.myshopify.com";
  const session = (token: string) => new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: token });
  function storage() {
    const rows = new Map<string, Session>();
    let loads = 0;
    const inner = {
      loadSession: async (id: string) => (loads++, rows.get(id)),
      storeSession: async (s: Session) => (rows.set(s.id, s), true),
      deleteSession: async (id: string) => rows.delete(id),
      deleteSessions: async () => true,
      findSessionsByShop: async () => [],
    };
    return { rows, loads: () => loads, cached: new CachedSessionStorage(inner) };
  }

  it("loadFresh reads past the cache and refreshes it (another process stored a new token)", async () => {
    const s = storage();
    s.rows.set(`offline_${SHOP}`, session("t1"));
    await s.cached.loadSession(`offline_${SHOP}`);
    s.rows.set(`offline_${SHOP}`, session("t2"));
    expect((await s.cached.loadSession(`offline_${SHOP}`))?.accessToken).toBe("t1");
    expect((await s.cached.loadFresh(`offline_${SHOP}`))?.accessToken).toBe("t2");
    expect((await s.cached.loadSession(`offline_${SHOP}`))?.accessToken).toBe("t2");
  });
});
