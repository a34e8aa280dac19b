import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/client.server";
import { FormValidationError } from "~/forms/form-errors";
import { JOB_HANDLERS } from "~/jobs/handlers.server";
import { drainJobs } from "~/jobs/worker.server";
import { BIRTHDAY_METAFIELDS_JOB } from "~/queue/job-kinds";
import { importMembersAction } from "~/services/admin/members.server";
import { forgetDeletedCustomer, redactCustomer } from "~/services/privacy.server";
import { memberBirthdayView, setMemberBirthdayAction } from "~/services/rewards/birthdays-capture.server";
import { loadBirthday, saveBirthday } from "~/shared/account-birthday";
import { TIERLINE_APP_URL } from "~/shared/app-url";
import type { FetchLike } from "~/shared/member-query";
import { ensureMemberMetafieldDefinitions } from "~/shopify/metafield-definitions.server";
import { createTestDb, seedShop, type TestDb } from "../support/db";
import { formData, seedPublished } from "../support/admin-builders";
import { customerAccountFetch } from "../../tools/shopify-stand-in/customer-account";
import { customerSessionToken } from "../../tools/shopify-stand-in/customer-session-token";
import { standInAdminClient, startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";

// Birthdays captured: from the account page (the extension's own client → the Customer Account API stand-in → the
// app's route with a session token), from a CSV import and from the admin member page; immutable for the shopper;
// cleared by redact and delete. On SQLite and (TIERLINE_TEST_DATABASE_URL) PostgreSQL.

// The app's modules (shopifyApp) read their configuration when first imported: set before any of them load.
const env = vi.hoisted(() => {
  const vars = { SHOPIFY_API_KEY: "birthday-api-key", SHOPIFY_API_SECRET: "birthday-api-secret", SHOPIFY_APP_URL: "https://tierline.test" };
  Object.assign(process.env, vars);
  return vars;
});

const SHOP = "birthday-capture.myshopify.com";
const TOKEN = "shpat_capture";
const C = (n: number) => `gid://shopify/Customer/${n}`;

let t: TestDb;
let db: Db;
let standIn: StandIn;
type RouteArgs = any;
let route: { action: (args: RouteArgs) => Promise<Response>; loader: (args: RouteArgs) => Promise<Response> };
const admin = () => standInAdminClient({ url: standIn.url, shop: SHOP, accessToken: TOKEN });

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  // The route's database (the app's singleton, read on first query) is this test's.
  process.env.DATABASE_URL = t.url;
  route = await import("../../app/routes/api.account.birthday");
  standIn = await startStandIn({
    shops: [{ domain: SHOP, accessToken: TOKEN, customers: Array.from({ length: 30 }, (_, i) => ({ id: C(i + 1), firstName: `Customer${i + 1}` })) }],
  });
  await seedShop(db, SHOP);
  await seedPublished(db, SHOP, {
    enabled: true,
    currency: "USD",
    levels: [{ id: "gold", name: "Gold", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "500.00" }]] }],
  });
  await ensureMemberMetafieldDefinitions(admin());
});
afterAll(async () => {
  await standIn.close();
  await (await import("~/db/client.server")).default.$disconnect();
  await t.cleanup();
});

const token = (customerGid: string | null) =>
  customerSessionToken({ shop: SHOP, customerGid, apiKey: env.SHOPIFY_API_KEY, apiSecret: env.SHOPIFY_API_SECRET });

/** The extension sandbox's fetch for a logged-in customer: the Customer Account API stand-in, and the app's route. */
function sandboxFetch(customerGid: string): FetchLike {
  const customerAccount = customerAccountFetch({ shop: () => standIn.shop(SHOP), customerId: customerGid, appId: standIn.appId });
  return (async (url: string, init: { method: string; headers: Record<string, string>; body: string }) => {
    if (url.startsWith(TIERLINE_APP_URL)) {
      const request = new Request(`https://tierline.test${url.slice(TIERLINE_APP_URL.length)}`, {
        method: init.method,
        headers: { ...init.headers, Origin: "https://extensions.shopifycdn.com" },
        body: init.body,
      });
      return route.action({ request, params: {}, context: {} });
    }
    return customerAccount(url, init);
  }) as FetchLike;
}

const deps = (customerGid: string) => ({ fetch: sandboxFetch(customerGid), sessionToken: async () => token(customerGid), appUrl: TIERLINE_APP_URL });
const metafield = (customerGid: string) => standIn.shop(SHOP).customers[customerGid]?.metafields[`app--${standIn.appId}--tierline.birthday`]?.value;
const memberOf = (customerGid: string) => db.member.findUnique({ where: { shop_customerGid: { shop: SHOP, customerGid } } });
const runMetafieldJobs = () =>
  drainJobs(db, { now: () => new Date(), adminFor: async () => admin(), types: [BIRTHDAY_METAFIELDS_JOB] }, JOB_HANDLERS);

async function post(body: unknown, customerGid: string | null = C(20), method = "POST"): Promise<Response> {
  const headers: Record<string, string> = { Origin: "https://extensions.shopifycdn.com", "Content-Type": "application/json" };
  if (customerGid !== undefined) headers.Authorization = `Bearer ${token(customerGid)}`;
  const request = new Request("https://tierline.test/api/account/birthday", {
    method,
    headers,
    body: method === "GET" ? undefined : JSON.stringify(body),
  });
  return (method === "GET" ? route.loader : route.action)({ request, params: {}, context: {} }).catch((thrown: unknown) => thrown as Response);
}

describe("the shopper's birthday, from the account page", () => {
  it("is saved once: the metafield through the Customer Account API, the app's copy through the route", async () => {
    expect(await loadBirthday(sandboxFetch(C(1)))).toEqual({ status: "empty", customerId: C(1) });
    expect(await saveBirthday(deps(C(1)), C(1), "1990-03-14")).toEqual({ status: "saved", birthday: "03-14" });
    expect(metafield(C(1))).toBe("03-14");
    expect(await memberOf(C(1))).toMatchObject({ birthday: "03-14", birthdaySource: "shopper" });
    expect(await loadBirthday(sandboxFetch(C(1)))).toEqual({ status: "set", customerId: C(1), birthday: "03-14" });
    // The same birthday again (a retry): fine, nothing changes.
    const again = await post({ birthday: "03-14" }, C(1));
    expect(again.status).toBe(200);
  });

  it("cannot be changed by the shopper: a later birthday is refused with 409 and the stored one goes back into the metafield", async () => {
    await saveBirthday(deps(C(2)), C(2), "07-04");
    const outcome = await saveBirthday(deps(C(2)), C(2), "12-24");
    expect(outcome).toEqual({ status: "kept", birthday: "07-04", message: expect.stringContaining("Ask the shop to change it") });
    expect(metafield(C(2))).toBe("12-24"); // what the shopper wrote through the Customer Account API …
    await runMetafieldJobs();
    expect(metafield(C(2))).toBe("07-04"); // … until the app wrote its own back.
    expect(await memberOf(C(2))).toMatchObject({ birthday: "07-04", birthdaySource: "shopper" });

    const refused = await post({ birthday: "01-01" }, C(2));
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      error: { code: "birthday-already-set", message: expect.stringContaining("cannot be changed here"), birthday: "07-04" },
    });
  });

  it("records the birthday of a customer who is not a member yet", async () => {
    expect(await memberOf(C(3))).toBeNull();
    expect((await post({ birthday: "02-29" }, C(3))).status).toBe(201);
    expect(await memberOf(C(3))).toMatchObject({ birthday: "02-29", birthdaySource: "shopper", levelId: null });
  });

  it.each([
    ["an impossible date", { birthday: "02-30" }, 422, "invalid-birthday", "February has no day 30"],
    ["no birthday", {}, 422, "invalid-birthday", "MM-DD"],
    ["not JSON", "not json", 400, "invalid-request", "must be JSON"],
  ])("refuses %s with %i, writing nothing", async (_label, body, status, code, message) => {
    const request = new Request("https://tierline.test/api/account/birthday", {
      method: "POST",
      headers: { Origin: "https://extensions.shopifycdn.com", Authorization: `Bearer ${token(C(4))}` },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const response = await route.action({ request, params: {}, context: {} });
    expect(response.status).toBe(status);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeTruthy();
    expect(await response.json()).toEqual({ error: { code, message: expect.stringContaining(message) } });
    expect(await memberOf(C(4))).toBeNull();
  });

  it("answers only a logged-in customer's POST with a valid token", async () => {
    expect((await post({ birthday: "05-05" }, null)).status).toBe(401); // a token without a customer
    const forged = new Request("https://tierline.test/api/account/birthday", {
      method: "POST",
      headers: { Origin: "https://extensions.shopifycdn.com", Authorization: `Bearer ${token(C(5))}x` },
      body: JSON.stringify({ birthday: "05-05" }),
    });
    expect((await route.action({ request: forged, params: {}, context: {} }).catch((r: Response) => r)).status).toBe(401);
    expect((await post(null, C(5), "GET")).status).toBe(405);
    expect(await memberOf(C(5))).toBeNull();
  });

  it("the Customer Account API lets a shopper write only what the definition allows, on their own record", async () => {
    const run = async (customerGid: string, metafields: unknown) =>
      (await (
        await customerAccountFetch({ shop: () => standIn.shop(SHOP), customerId: customerGid, appId: standIn.appId })(
          "shopify://customer-account/api/2026-10/graphql.json",
          {
            method: "POST",
            body: JSON.stringify({
              query: "mutation Set($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { field code message } } }",
              variables: { m: metafields },
            }),
          },
        )
      ).json()) as { data: { metafieldsSet: { userErrors: { code: string }[] } } };
    const level = await run(C(6), [{ ownerId: C(6), namespace: "$app:tierline", key: "level", type: "json", value: "{}" }]);
    expect(level.data.metafieldsSet.userErrors.map((e) => e.code)).toEqual(["APP_NOT_AUTHORIZED"]);
    const other = await run(C(6), [{ ownerId: C(7), namespace: "$app:tierline", key: "birthday", type: "single_line_text_field", value: "01-01" }]);
    expect(other.data.metafieldsSet.userErrors.map((e) => e.code)).toEqual(["INVALID"]);
    expect(metafield(C(7))).toBeUndefined();
  });
});

describe("the birthday from the admin and from a CSV import", () => {
  it("the merchant sets it when empty and corrects it (source admin); bad input is a 422 naming the field", async () => {
    const m = await db.member.create({ data: { shop: SHOP, customerGid: C(10) } });
    expect(await setMemberBirthdayAction(db, SHOP, m.id, formData({ intent: "birthday", birthday: "08-15" }), Date.now())).toEqual({
      birthday: "08-15",
    });
    expect(await memberBirthdayView(db, SHOP, m.id)).toMatchObject({ birthday: "08-15", text: "August 15", source: "admin" });
    await saveBirthday(deps(C(10)), C(10), "09-09"); // the shopper cannot change what the shop set
    await setMemberBirthdayAction(db, SHOP, m.id, formData({ intent: "birthday", birthday: "1985-08-16" }), Date.now());
    await runMetafieldJobs();
    expect(await memberOf(C(10))).toMatchObject({ birthday: "08-16", birthdaySource: "admin" });
    expect(metafield(C(10))).toBe("08-16");

    const error = await setMemberBirthdayAction(db, SHOP, m.id, formData({ intent: "birthday", birthday: "04-31" }), Date.now()).catch((e) => e);
    expect(error).toBeInstanceOf(FormValidationError);
    expect({ status: error.status, errors: error.errors }).toEqual({
      status: 422,
      errors: { birthday: expect.stringContaining("April has no day 31") },
    });
    expect((await memberOf(C(10)))!.birthday).toBe("08-16");
  });

  it("an import sets birthdays only where none is on file, and says so per row", async () => {
    await db.member.create({ data: { shop: SHOP, customerGid: C(11), birthday: "01-02", birthdaySource: "shopper" } });
    const file = (text: string) => {
      const fd = formData({ intent: "import" });
      fd.append("file", new File([text], "members.csv", { type: "text/csv" }));
      return fd;
    };
    const text = "customer_id,level,birthday\n11,gold,03-03\n12,gold,1999-12-31\n13,,\n14,,06-06\n";
    const result = await importMembersAction(db, SHOP, file(text), Date.now());
    expect(result.birthdays).toEqual([
      { line: 2, outcome: "kept", message: "Line 2: kept the birthday on file (January 2); March 3 was not imported." },
      { line: 3, outcome: "set", message: "Line 3: birthday set to December 31." },
      { line: 5, outcome: "set", message: "Line 5: birthday set to June 6." },
    ]);
    expect((await memberOf(C(11)))!.birthday).toBe("01-02");
    expect(await memberOf(C(12))).toMatchObject({ birthday: "12-31", birthdaySource: "import", levelId: "gold" });
    expect(await memberOf(C(14))).toMatchObject({ birthday: "06-06", birthdaySource: "import" });
    await runMetafieldJobs();
    expect([metafield(C(12)), metafield(C(14))]).toEqual(["12-31", "06-06"]);

    const bad = await importMembersAction(db, SHOP, file("customer_id,level,birthday\n15,gold,13-01\n"), Date.now()).catch((e) => e);
    expect(bad).toBeInstanceOf(FormValidationError);
    expect(Object.values(bad.errors)).toEqual([expect.stringContaining('Line 2: birthday: "13-01" is not a birthday')]);
    expect(await memberOf(C(15))).toBeNull();
  });
});

describe("the birthday is personal data", () => {
  it("customers/redact and customers/delete clear it", async () => {
    await db.member.create({ data: { shop: SHOP, customerGid: C(21), birthday: "10-10", birthdaySource: "shopper", birthdaySetAt: new Date() } });
    await db.member.create({ data: { shop: SHOP, customerGid: C(22), birthday: "11-11", birthdaySource: "admin", birthdaySetAt: new Date() } });
    await db.$transaction((tx) => redactCustomer(tx, SHOP, { customerGid: C(21), email: null, phone: null, orderGids: [] }, new Date()));
    await db.$transaction((tx) => forgetDeletedCustomer(tx, SHOP, C(22), new Date()));
    for (const gid of [C(21), C(22)]) expect(await memberOf(gid)).toMatchObject({ birthday: null, birthdaySource: null, birthdaySetAt: null });
  });
});

it("the extensions call the app at shopify.app.toml's application_url", () => {
  const toml = fs.readFileSync(path.resolve(import.meta.dirname, "../../shopify.app.toml"), "utf8");
  expect(toml).toContain(`application_url = "${TIERLINE_APP_URL}"`);
});
