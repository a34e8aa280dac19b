import fs from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/client.server";
import { migratedTemplate } from "../support/db";
import { benefitsInput, levelInput, programJson, seedOrder, seedPublished, seedShop, settingsInput, spendInput } from "../support/admin-builders";
import { mintSessionToken } from "../../tools/shopify-stand-in/session-token";
import { sqliteFilesOf } from "~/db/sqlite-spool.server";

// Every admin route called as Remix calls it: a real Request carrying an App Bridge session token (HS256 with the
// app's secret), authenticated by the app's own `authenticate.admin` against an offline session in the database.

// The app's modules (the Prisma singleton, shopifyApp) read their configuration when first imported, and imports
// are hoisted: the environment is set before any of them load.
const env = vi.hoisted(() => {
  const file = `${process.env.TMPDIR ?? "/tmp"}/tierline-admin-routes-${process.pid}-${Date.now()}.sqlite`;
  const vars = {
    DATABASE_URL: `file:${file}`,
    SHOPIFY_API_KEY: "test-api-key",
    SHOPIFY_API_SECRET: "test-api-secret",
    SHOPIFY_APP_URL: "https://tierline.test",
  };
  Object.assign(process.env, vars);
  delete process.env.SHOPIFY_ADMIN_ORIGIN;
  return { file, ...vars };
});

const SHOP = "routes-test.myshopify.com";
const API_KEY = env.SHOPIFY_API_KEY;
const API_SECRET = env.SHOPIFY_API_SECRET;
const APP_URL = env.SHOPIFY_APP_URL;
const C = (n: number) => `gid://shopify/Customer/${n}`;

let db: Db;
type RouteModule = { loader?: (args: any) => Promise<Response>; action?: (args: any) => Promise<Response> };
const routes: Record<string, RouteModule> = {};

beforeAll(async () => {
  fs.copyFileSync(migratedTemplate(), env.file);
  db = (await import("~/db/client.server")).default;
  for (const name of [
    "app._index",
    "app.levels._index",
    "app.levels.$id",
    "app.levels.$id_.benefits",
    "app.settings",
    "app.publish",
    "app.recalculation",
    "app.members._index",
    "app.members.$id",
    "app.members.export",
  ]) {
    routes[name] = await import(`../../app/routes/${name}.tsx`);
  }
});
afterAll(async () => {
  await db.$disconnect();
  for (const f of sqliteFilesOf(env.file)) fs.rmSync(f, { force: true });
});

beforeEach(async () => {
  for (const table of [
    "Job",
    "SyncState",
    "LevelChange",
    "PointsEntry",
    "MemberAdjustment",
    "Member",
    "OrderFact",
    "RefundFact",
    "Benefit",
    "Level",
    "ProgramVersion",
    "Shop",
    "Session",
  ]) {
    await db.$executeRawUnsafe(`DELETE FROM "${table}"`);
  }
  await db.session.create({
    data: {
      id: `offline_${SHOP}`,
      shop: SHOP,
      state: "",
      isOnline: false,
      scope: "read_customers,write_customers,read_orders,write_discounts,read_products",
      accessToken: "shpat_routes",
    },
  });
  await seedShop(db, SHOP);
});

function request(path: string, init: { method?: string; body?: FormData | Record<string, unknown>; token?: string | null } = {}): Request {
  const headers = new Headers();
  const token = init.token === undefined ? mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET }) : init.token;
  if (token) headers.set("Authorization", `Bearer ${token}`);
  let body: FormData | undefined;
  if (init.body instanceof FormData) body = init.body;
  else if (init.body) {
    body = new FormData();
    for (const [k, v] of Object.entries(init.body)) body.append(k, typeof v === "string" ? v : JSON.stringify(v));
  }
  return new Request(`${APP_URL}${path}`, { method: init.method ?? (body ? "POST" : "GET"), headers, body });
}

/** Calls a route's loader or action; a thrown Response (404, 401) is returned like a returned one. */
async function call(
  route: string,
  kind: "loader" | "action",
  path: string,
  init: Parameters<typeof request>[1] = {},
  params: Record<string, string> = {},
): Promise<Response> {
  const fn = routes[route][kind]!;
  try {
    return await fn({ request: request(path, init), params, context: {} });
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

const json = async (res: Response) => JSON.parse(await res.text());

describe("authentication", () => {
  it.each([
    ["no session token (sent to log in)", null, 302],
    ["a token signed with another secret", mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: "wrong" }), 401],
    ["an expired token", mintSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, now: Date.now() - 3_600_000 }), 401],
    ["a token for another app", mintSessionToken({ shop: SHOP, apiKey: "other-app", apiSecret: API_SECRET }), 401],
  ])("refuses %s and changes nothing", async (_n, token, status) => {
    await seedPublished(db, SHOP);
    const res = await call("app.levels._index", "action", "/app/levels", {
      token,
      body: { intent: "setEnabled", levelId: "gold", enabled: "false" },
    });
    expect(res.status).toBe(status);
    expect(await db.programVersion.count({ where: { status: "draft" } })).toBe(0);
  });
});

describe("member centre", () => {
  it("loads counts for the authenticated shop only", async () => {
    await seedPublished(db, SHOP);
    await db.member.create({ data: { shop: SHOP, customerGid: C(1), levelId: "gold", status: "active" } });
    await db.member.create({ data: { shop: "other.myshopify.com", customerGid: C(2), levelId: "gold", status: "active" } });
    const res = await call("app._index", "loader", "/app");
    expect(res.status).toBe(200);
    const v = await json(res);
    expect(v.memberCount).toBe(1);
    expect(v.perLevel.find((l: any) => l.levelId === "gold").count).toBe(1);
  });

  it("shows the order-history banner while read_all_orders is not granted; once it is, its button queues the full import", async () => {
    await db.shop.update({
      where: { domain: SHOP },
      data: { backfilledAt: new Date("2026-11-01T00:00:00Z"), backfillOrdersFrom: new Date("2026-09-02T00:00:00Z") },
    });
    const before = (await json(await call("app._index", "loader", "/app"))).orderHistory;
    expect(before).toMatchObject({ tone: "warning", title: "Levels count only the last 60 days of your order history", reimport: null });
    expect(before.paragraphs[0]).toMatch(/^Your order history was imported from 2026-09-02 on: /);
    expect((await json(await call("app._index", "action", "/app", { body: { intent: "importFullOrderHistory" } }))).ok).toBe(false);

    await db.session.update({
      where: { id: `offline_${SHOP}` },
      data: { scope: "read_customers,write_customers,read_orders,read_all_orders,write_discounts,read_products" },
    });
    expect((await json(await call("app._index", "loader", "/app"))).orderHistory).toMatchObject({
      tone: "info",
      reimport: { content: "Import full order history" },
    });
    expect((await json(await call("app._index", "action", "/app", { body: { intent: "importFullOrderHistory" } }))).ok).toBe(true);
    expect(await db.job.findFirstOrThrow({ where: { shop: SHOP, type: "backfill" } })).toMatchObject({
      status: "queued",
      payload: JSON.stringify({ force: true }),
    });
    expect((await call("app._index", "action", "/app", { body: { intent: "other" } })).status).toBe(400);
  });
});

describe("levels", () => {
  beforeEach(async () => {
    await seedPublished(db, SHOP);
  });

  it("lists levels and toggles one", async () => {
    expect((await json(await call("app.levels._index", "loader", "/app/levels"))).levels.map((l: any) => l.id)).toEqual(["silver", "gold"]);
    const res = await call("app.levels._index", "action", "/app/levels", { body: { intent: "setEnabled", levelId: "gold", enabled: "false" } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ ok: true, levelId: "gold" });
    expect((await json(await call("app.levels._index", "loader", "/app/levels"))).levels[1].enabled).toBe(false);
  });

  it("rejects an unknown list action with 422 and saves nothing", async () => {
    const res = await call("app.levels._index", "action", "/app/levels", { body: { intent: "nuke", levelId: "gold" } });
    expect(res.status).toBe(422);
    expect((await json(res)).errors.intent).toBeTruthy();
    expect(await db.programVersion.count({ where: { status: "draft" } })).toBe(0);
  });

  it("creates a level from /app/levels/new and edits it", async () => {
    const created = await call(
      "app.levels.$id",
      "action",
      "/app/levels/new",
      { body: { intent: "save", payload: levelInput({ name: "Platinum", upgrade: [[spendInput("2000")]] }) } },
      { id: "new" },
    );
    expect(created.status).toBe(200);
    expect(await json(created)).toMatchObject({ ok: true, levelId: "platinum" });
    const view = await json(await call("app.levels.$id", "loader", "/app/levels/platinum", {}, { id: "platinum" }));
    expect(view.form.name).toBe("Platinum");
    expect(view.form.upgrade[0][0].amount).toBe("2000.00");
  });

  it("answers field errors with 422 and saves nothing", async () => {
    const res = await call(
      "app.levels.$id",
      "action",
      "/app/levels/gold",
      { body: { intent: "save", payload: levelInput({ name: "", upgrade: [[spendInput("50")]] }) } },
      { id: "gold" },
    );
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toMatchObject({ name: "Name is required" });
    // The engine's rule is reported on its field once the form itself is valid.
    const res2 = await call(
      "app.levels.$id",
      "action",
      "/app/levels/gold",
      { body: { intent: "save", payload: levelInput({ upgrade: [[spendInput("50")]] }) } },
      { id: "gold" },
    );
    expect(res2.status).toBe(422);
    expect((await json(res2)).errors["upgrade[0][0].amount"]).toMatch(/thresholds must rise/);
    expect(await db.programVersion.count({ where: { status: "draft" } })).toBe(0);
  });

  it("answers a malformed payload with 400 and an unknown level with 404", async () => {
    expect((await call("app.levels.$id", "action", "/app/levels/gold", { body: { intent: "save", payload: "{" } }, { id: "gold" })).status).toBe(400);
    expect((await call("app.levels.$id", "loader", "/app/levels/bronze", {}, { id: "bronze" })).status).toBe(404);
  });

  it("refuses to delete a level members hold (409) and explains", async () => {
    await db.member.create({ data: { shop: SHOP, customerGid: C(1), levelId: "gold", status: "active" } });
    const res = await call("app.levels.$id", "action", "/app/levels/gold", { body: { intent: "delete" } }, { id: "gold" });
    expect(res.status).toBe(409);
    expect((await json(res)).errors._form).toMatch(/1 member holds it/);
  });

  it("saves benefits and queues the discount sync; bad benefits are a 422", async () => {
    const bad = await call(
      "app.levels.$id_.benefits",
      "action",
      "/app/levels/gold/benefits",
      { body: { intent: "save", payload: benefitsInput({ welcome: { amount: { type: "percentage", value: "5" }, validDays: "0" } }) } },
      { id: "gold" },
    );
    expect(bad.status).toBe(422);
    expect(await db.benefit.count()).toBe(0);
    const res = await call(
      "app.levels.$id_.benefits",
      "action",
      "/app/levels/gold/benefits",
      { body: { intent: "save", payload: benefitsInput() } },
      { id: "gold" },
    );
    expect(res.status).toBe(200);
    expect(await db.benefit.count({ where: { shop: SHOP, levelId: "gold" } })).toBe(5);
    expect(await db.job.count({ where: { type: "discount-config", shop: SHOP } })).toBe(1);
    const view = await json(await call("app.levels.$id_.benefits", "loader", "/app/levels/gold/benefits", {}, { id: "gold" }));
    expect(view.form.discount.amount).toEqual({ type: "percentage", value: "10" });
    expect(view.discountSync.state).toBe("pending");
  });
});

describe("settings", () => {
  it("saves and reloads; a bad template is a 422", async () => {
    await seedPublished(db, SHOP);
    const bad = await call("app.settings", "action", "/app/settings", {
      body: {
        intent: "save",
        payload: settingsInput({ notifications: { levelUp: { subject: "{nme}", body: "x" }, levelDown: { subject: "x", body: "y" } } }),
      },
    });
    expect(bad.status).toBe(422);
    expect((await json(bad)).errors["notifications.levelUp.subject"]).toMatch(/Unknown placeholder \{nme\}/);
    const ok = await call("app.settings", "action", "/app/settings", {
      body: { intent: "save", payload: settingsInput({ validity: { kind: "days", days: "90" } }) },
    });
    expect(ok.status).toBe(200);
    expect((await json(await call("app.settings", "loader", "/app/settings"))).form.validity).toEqual({ kind: "days", days: "90" });
  });
});

describe("preview and publish", () => {
  beforeEach(async () => {
    await seedPublished(db, SHOP);
    await seedOrder(db, SHOP, C(1), { total: "350.00" });
    const { recomputeMemberNow } = await import("~/services/admin/member-recompute.server");
    await recomputeMemberNow(db, SHOP, C(1), Date.now());
    await call(
      "app.levels.$id",
      "action",
      "/app/levels/gold",
      { body: { intent: "save", payload: levelInput({ upgrade: [[spendInput("300")]] }) } },
      { id: "gold" },
    );
  });

  it("previews, publishes and reports the recalculation", async () => {
    const view = await json(await call("app.publish", "loader", "/app/publish?preview=1"));
    expect(view.preview.rows).toEqual([{ levelId: "silver", levelName: "Silver", up: 1, down: 0, stay: 0 }]);
    const published = await call("app.publish", "action", "/app/publish", { body: { intent: "publish" } });
    expect(published.status).toBe(200);
    const { jobId } = await json(published);
    const progress = await json(await call("app.recalculation", "loader", `/app/recalculation?job=${jobId}`));
    expect(progress.recalculation).toMatchObject({ jobId, status: "queued", total: 1 });
    // The drill-down link from the preview cell.
    const members = await json(await call("app.members._index", "loader", "/app/members?moveFrom=silver&move=up"));
    expect(members.members).toEqual([]); // published: the draft is gone, so nothing moves any more
  });

  it("rejects a schedule in the past with a field error", async () => {
    const res = await call("app.publish", "action", "/app/publish", { body: { intent: "schedule", publishAt: "2020-01-01T00:00:00Z" } });
    expect(res.status).toBe(422);
    expect((await json(res)).errors.publishAt).toMatch(/at least a minute from now/);
    expect(await db.programVersion.count({ where: { status: "scheduled" } })).toBe(0);
  });
});

describe("members", () => {
  beforeEach(async () => {
    await seedPublished(db, SHOP, programJson({ points: { earn: [{ per: "amount", every: "1.00", points: 1 }] } }));
    await seedOrder(db, SHOP, C(7), { total: "120.00" });
    const { recomputeMemberNow } = await import("~/services/admin/member-recompute.server");
    await recomputeMemberNow(db, SHOP, C(7), Date.now());
  });

  const memberId = async () => (await db.member.findFirstOrThrow({ where: { customerGid: C(7) } })).id;

  it("lists, filters and exports", async () => {
    expect((await json(await call("app.members._index", "loader", "/app/members?level=silver"))).members.map((m: any) => m.customerGid)).toEqual([
      C(7),
    ]);
    expect((await json(await call("app.members._index", "loader", "/app/members?level=gold"))).members).toEqual([]);
    const csv = await call("app.members.export", "loader", "/app/members/export?level=silver");
    expect(csv.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect((await csv.text()).split("\r\n")[1]).toMatch(/^gid:\/\/shopify\/Customer\/7,silver,no,/);
  });

  it("shows a member and applies an adjustment; a missing note is a 422", async () => {
    const id = await memberId();
    const page = await json(await call("app.members.$id", "loader", `/app/members/${id}`, {}, { id }));
    expect(page.member).toMatchObject({ level: "silver", points: 120 });
    const bad = await call("app.members.$id", "action", `/app/members/${id}`, { body: { intent: "adjustPoints", points: "10", note: "" } }, { id });
    expect(bad.status).toBe(422);
    const ok = await call(
      "app.members.$id",
      "action",
      `/app/members/${id}`,
      { body: { intent: "adjustPoints", points: "10", note: "Birthday", key: "route-key-0001" } },
      { id },
    );
    expect(ok.status).toBe(200);
    expect((await db.member.findUniqueOrThrow({ where: { id } })).points).toBe(130);
    expect((await call("app.members.$id", "loader", "/app/members/nope", {}, { id: "nope" })).status).toBe(404);
  });

  it("imports a CSV upload", async () => {
    const fd = new FormData();
    fd.append("intent", "import");
    fd.append("file", new File(["customer_id,level,locked\n8,gold,yes\n"], "m.csv", { type: "text/csv" }));
    const res = await call("app.members._index", "action", "/app/members", { body: fd });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ ok: true, imported: 1, created: 1 });
    expect(await db.member.findFirstOrThrow({ where: { customerGid: C(8) } })).toMatchObject({ levelId: "gold", locked: true });
  });
});
