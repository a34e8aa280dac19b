import "@shopify/shopify-api/adapters/node";
import { ApiVersion, LogSeverity, Session, shopifyApi } from "@shopify/shopify-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminCaller, ShopifyAdminError, type AdminGraphqlClient } from "~/shopify/admin-graphql.server";
import { syncMembers } from "~/shopify/member-sync.server";
import { buildMemberSyncRecord, virtualClock } from "../../tools/shopify-stand-in/builders";
import { startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";

/**
 * The `admin` the Remix app hands to services comes from @shopify/shopify-api: it throws GraphqlQueryError on a
 * THROTTLED answer and HttpThrottlingError / HttpInternalError on 429 / 5xx, instead of returning them. These tests
 * drive the real library against the stand-in so the adapter's error handling is checked against those classes.
 */

const SHOP = "remix-client.myshopify.com";
const TOKEN = "shpat_remix";
const clock = virtualClock();
let standIn: StandIn;

const api = shopifyApi({
  apiKey: "test-key",
  apiSecretKey: "test-secret",
  scopes: ["read_customers", "write_customers"],
  hostName: "tierline.example",
  apiVersion: ApiVersion.October26,
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});

/** What shopify-app-remix's `admin.graphql` does: library call, result wrapped in a Response, errors thrown. */
function remixStyleAdmin(accessToken: string): AdminGraphqlClient {
  const session = new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken });
  const client = new api.clients.Graphql({ session });
  return {
    async graphql(query, options) {
      const result = await client.request(query, { variables: options?.variables, retries: 0 });
      return new Response(JSON.stringify(result));
    },
  };
}

beforeAll(async () => {
  standIn = await startStandIn({ now: clock.now, shops: [{ domain: SHOP, accessToken: TOKEN }] });
  // Production requests go to https://<shop>/admin/api/…; here they are rerouted to the stand-in.
  setAbstractFetchFunc(async (input: any, init?: any) => {
    const url = String(input).replace(/^https:\/\/[^/]+/, standIn.url);
    return fetch(url, { ...init, headers: { ...(init?.headers ?? {}), "X-Shopify-Shop-Domain": SHOP } });
  });
});
afterAll(async () => {
  await standIn.close();
});

describe("syncMembers through the @shopify/shopify-api client", () => {
  it.each([
    { name: "THROTTLED (thrown as GraphqlQueryError)", fault: { kind: "throttled" as const }, reason: "throttled" },
    {
      name: "HTTP 429 (thrown as HttpThrottlingError, Retry-After honoured)",
      fault: { kind: "http" as const, status: 429 as const, retryAfterSeconds: 3 },
      reason: "http-429",
    },
    { name: "HTTP 503 (thrown as HttpInternalError)", fault: { kind: "http" as const, status: 503 as const }, reason: "http-5xx" },
  ])("retries $name and completes", async ({ fault, reason }) => {
    const [gid] = standIn.seed({ customers: [{ firstName: "Remix", tags: ["tier:silver"] }] }).customers;
    standIn.injectFault({ ...fault, shop: SHOP });
    const caller = new AdminCaller(remixStyleAdmin(TOKEN), { sleep: clock.sleep, now: clock.now, random: () => 0.5 });
    const summary = await syncMembers(caller, SHOP, [buildMemberSyncRecord(gid, { previousLevelId: "silver" })]);

    expect(summary.errors).toEqual([]);
    expect(caller.stats.waits.filter((w) => w.reason !== "throttle-budget").map((w) => w.reason)).toEqual([reason]);
    if (reason === "http-429") expect(caller.stats.waits.find((w) => w.reason === "http-429")?.ms).toBe(3000);
    expect(standIn.state.customers[gid].tags).toEqual(["tier:gold"]);
    expect(standIn.metafieldJson(gid, "level")).toMatchObject({ id: "gold" });
  });

  it("turns a rejected token into UNAUTHORIZED without retrying", async () => {
    const [gid] = standIn.seed({ customers: [{ firstName: "Locked out" }] }).customers;
    const caller = new AdminCaller(remixStyleAdmin("shpat_wrong"), { sleep: clock.sleep, now: clock.now });
    const error = await syncMembers(caller, SHOP, [buildMemberSyncRecord(gid)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShopifyAdminError);
    expect((error as ShopifyAdminError).code).toBe("UNAUTHORIZED");
    expect(caller.stats.retries).toBe(0);
  });
});
