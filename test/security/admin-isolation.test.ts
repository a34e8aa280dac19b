import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { benefitsInput, formData, levelInput, settingsInput } from "../support/admin-builders";
import { adminRequest, callHandler, routeFilesOnDisk, sessionToken, startSecurityApp, type SecurityApp } from "../support/security/app-harness";
import { rowCount, shopRows } from "../support/security/table-scan";
import { seedTwoShops, SHOP_A, SHOP_B, type ShopBIds } from "../support/security/two-shops";

// A merchant of shop A, with a valid session, addresses shop B's data by id through every admin route (loader and
// action) and every admin service: B's level, member, ledger, benefits, program versions, export, recalculation job.
// Each attempt must answer 404 (or a result holding nothing of B) and leave every row of B exactly as it was.
// Route files and service functions are enumerated from the code, so a new one without a case here fails.

type Json = Record<string, any>;
type Expect = 404 | "noLeak" | "throws";

interface RouteCase {
  name: string;
  path: (b: ShopBIds) => string;
  params?: (b: ShopBIds) => Record<string, string>;
  form?: (b: ShopBIds) => Record<string, unknown> | FormData;
  expect: Expect;
  check?: (body: Json, b: ShopBIds) => void;
}

const csvFile = (b: ShopBIds) => {
  const fd = new FormData();
  fd.append("intent", "import");
  fd.append(
    "file",
    new File([`customer_id,level,locked\n${b.customerNumber},${b.levelId},yes\n${b.customerNumber},gold,no\n`], "b.csv", { type: "text/csv" }),
  );
  return fd;
};

const ROUTE_CASES: Record<string, RouteCase[]> = {
  "app#loader": [{ name: "layout with ?shop= naming B", path: () => `/app?shop=${SHOP_B}`, expect: "noLeak" }],
  "app._index#loader": [
    { name: "member centre", path: () => "/app", expect: "noLeak", check: (v) => expect(v.memberCount).toBe(1) },
    {
      name: "member centre with ?shop= naming B",
      path: () => `/app?shop=${SHOP_B}&host=x`,
      expect: "noLeak",
      check: (v) => expect(v.memberCount).toBe(1),
    },
  ],
  "app._index#action": [
    {
      name: "import the full order history with ?shop= naming B",
      path: () => `/app?shop=${SHOP_B}`,
      form: () => ({ intent: "importFullOrderHistory" }),
      expect: "noLeak",
    },
  ],
  "app.levels._index#loader": [{ name: "levels list", path: () => "/app/levels", expect: "noLeak" }],
  "app.levels._index#action": [
    {
      name: "disable B's level",
      path: () => "/app/levels",
      form: (b) => ({ intent: "setEnabled", levelId: b.levelId, enabled: "false" }),
      expect: 404,
    },
    { name: "move B's level", path: () => "/app/levels", form: (b) => ({ intent: "move", levelId: b.levelId, direction: "down" }), expect: 404 },
  ],
  "app.levels.$id#loader": [{ name: "open B's level", path: (b) => `/app/levels/${b.levelId}`, params: (b) => ({ id: b.levelId }), expect: 404 }],
  "app.levels.$id#action": [
    {
      name: "save over B's level",
      path: (b) => `/app/levels/${b.levelId}`,
      params: (b) => ({ id: b.levelId }),
      form: () => ({ intent: "save", payload: levelInput({ name: "Hijacked" }) }),
      expect: 404,
    },
    {
      name: "delete B's level",
      path: (b) => `/app/levels/${b.levelId}`,
      params: (b) => ({ id: b.levelId }),
      form: () => ({ intent: "delete" }),
      expect: 404,
    },
  ],
  "app.levels.$id_.benefits#loader": [
    { name: "open B's level's benefits", path: (b) => `/app/levels/${b.levelId}/benefits`, params: (b) => ({ id: b.levelId }), expect: 404 },
  ],
  "app.levels.$id_.benefits#action": [
    {
      name: "save B's level's benefits",
      path: (b) => `/app/levels/${b.levelId}/benefits`,
      params: (b) => ({ id: b.levelId }),
      form: () => ({ intent: "save", payload: benefitsInput() }),
      expect: 404,
    },
  ],
  "app.members._index#loader": [
    {
      name: "search B's member by email",
      path: () => "/app/members?q=beatrix.bshop%40example.org",
      expect: "noLeak",
      check: (v) => expect(v.members).toEqual([]),
    },
    {
      name: "search B's member by customer id",
      path: (b) => `/app/members?q=${b.customerNumber}`,
      expect: "noLeak",
      check: (v) => expect(v.members).toEqual([]),
    },
    {
      name: "search B's member by GID",
      path: (b) => `/app/members?q=${encodeURIComponent(b.customerGid)}`,
      expect: "noLeak",
      check: (v) => expect(v.members).toEqual([]),
    },
    { name: "filter by B's level", path: (b) => `/app/members?level=${b.levelId}`, expect: "noLeak", check: (v) => expect(v.total).toBe(0) },
    {
      name: "drill into B's level moves",
      path: (b) => `/app/members?moveFrom=${b.levelId}&move=down`,
      expect: "noLeak",
      check: (v) => expect(v.members).toEqual([]),
    },
  ],
  "app.members._index#action": [{ name: "import a CSV naming B's customer and level", path: () => "/app/members", form: csvFile, expect: "noLeak" }],
  "app.members.$id#loader": [
    { name: "open B's member", path: (b) => `/app/members/${b.memberId}`, params: (b) => ({ id: b.memberId }), expect: 404 },
  ],
  "app.members.$id#action": [
    {
      name: "adjust B's member's points",
      path: (b) => `/app/members/${b.memberId}`,
      params: (b) => ({ id: b.memberId }),
      form: () => ({ intent: "adjustPoints", points: "-25", note: "gone", key: "cross-shop-1" }),
      expect: 404,
    },
    {
      name: "assign B's member a level",
      path: (b) => `/app/members/${b.memberId}`,
      params: (b) => ({ id: b.memberId }),
      form: () => ({ intent: "assign", level: "gold", lock: "true", key: "cross-shop-2" }),
      expect: 404,
    },
  ],
  "app.members.export#loader": [
    { name: "export filtered to B's member", path: (b) => `/app/members/export?q=${b.customerNumber}`, expect: "noLeak" },
    { name: "export everything", path: () => "/app/members/export", expect: "noLeak" },
  ],
  "app.publish#loader": [{ name: "publish page with preview", path: () => "/app/publish?preview=1", expect: "noLeak" }],
  "app.publish#action": [
    {
      name: "cancel B's scheduled version",
      path: () => "/app/publish",
      form: (b) => ({ intent: "cancelSchedule", versionId: b.scheduledVersionId }),
      expect: 404,
    },
    {
      name: "cancel B's published version",
      path: () => "/app/publish",
      form: (b) => ({ intent: "cancelSchedule", versionId: b.publishedVersionId }),
      expect: 404,
    },
    { name: "publish (A has no draft; B's is not A's)", path: () => "/app/publish", form: () => ({ intent: "publish" }), expect: "noLeak" },
  ],
  "app.recalculation#loader": [
    {
      name: "follow B's recalculation job",
      path: (b) => `/app/recalculation?job=${b.recalculationJobId}`,
      expect: "noLeak",
      check: (v) => expect(v.recalculation).toBeNull(),
    },
  ],
  "app.settings#loader": [{ name: "settings", path: () => "/app/settings", expect: "noLeak" }],
  "app.settings#action": [
    {
      name: "save settings with ?shop= naming B",
      path: () => `/app/settings?shop=${SHOP_B}`,
      form: () => ({ intent: "save", payload: settingsInput() }),
      expect: "noLeak",
    },
  ],
};

// Services, called as shop A with B's ids. Functions taking no id of another shop are called as A and must return
// nothing of B. (Pure helpers, whose first parameter is not a database, are not services.)
type Services = Record<string, (...args: any[]) => any>;
interface ServiceCase {
  name: string;
  run: (s: Services, db: Db, b: ShopBIds) => Promise<unknown>;
  expect: Expect;
  check?: (result: any, b: ShopBIds) => void;
  /** What the call itself carried, which the result may echo. */
  asked?: (b: ShopBIds) => string;
}
const NOW = Date.now();
const collect = async (it: AsyncIterable<unknown>) => {
  const out: unknown[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const memberFilter = (q: string) => ({ query: q, level: null, status: null, minSpend: null, maxSpend: null, move: null, page: 1 });

const SERVICE_CASES: Record<string, ServiceCase[]> = {
  "benefits#loadShopperBenefits": [
    { name: "B's level", run: (s, db, b) => s.loadShopperBenefits(db, SHOP_A, b.levelId), expect: "noLeak", check: (r) => expect(r).toEqual({}) },
  ],
  "benefits#benefitsEditView": [{ name: "B's level", run: (s, db, b) => s.benefitsEditView(db, SHOP_A, b.levelId), expect: 404 }],
  "benefits#saveBenefitsAction": [
    {
      name: "B's level",
      run: (s, db, b) => s.saveBenefitsAction(db, SHOP_A, b.levelId, formData({ intent: "save", payload: benefitsInput() }), NOW),
      expect: 404,
    },
  ],
  "benefits#currentDiscountConfig": [{ name: "A's config", run: (s, db) => s.currentDiscountConfig(db, SHOP_A), expect: "noLeak" }],
  "benefits#requestDiscountSync": [{ name: "A's sync", run: (s, db) => s.requestDiscountSync(db, SHOP_A, NOW), expect: "noLeak" }],
  "benefits#syncTierDiscount": [
    {
      name: "A's discount with an Admin client that fails",
      run: (s, db) =>
        s.syncTierDiscount(db, { request: async () => Promise.reject(new Error("no Admin API in this test")) }, SHOP_A, {
          maxAttempts: 1,
          sleep: async () => {},
        }),
      expect: "throws",
    },
  ],
  "dashboard#memberGrowth": [{ name: "A", run: (s, db) => s.memberGrowth(db, SHOP_A, NOW), expect: "noLeak" }],
  "dashboard#syncHealth": [{ name: "A", run: (s, db) => s.syncHealth(db, SHOP_A), expect: "noLeak" }],
  "dashboard#memberCentre": [{ name: "A", run: (s, db) => s.memberCentre(db, SHOP_A, NOW), expect: "noLeak" }],
  "levels#memberCountsByLevel": [{ name: "A", run: async (s, db) => [...(await s.memberCountsByLevel(db, SHOP_A)).entries()], expect: "noLeak" }],
  "levels#levelsView": [{ name: "A", run: (s, db) => s.levelsView(db, SHOP_A), expect: "noLeak" }],
  "levels#levelsListAction": [
    {
      name: "B's level",
      run: (s, db, b) => s.levelsListAction(db, SHOP_A, formData({ intent: "setEnabled", levelId: b.levelId, enabled: "false" })),
      expect: 404,
    },
  ],
  "levels#levelEditView": [{ name: "B's level", run: (s, db, b) => s.levelEditView(db, SHOP_A, b.levelId), expect: 404 }],
  "levels#levelEditAction": [
    {
      name: "save B's level",
      run: (s, db, b) => s.levelEditAction(db, SHOP_A, b.levelId, formData({ intent: "save", payload: levelInput() })),
      expect: 404,
    },
    { name: "delete B's level", run: (s, db, b) => s.levelEditAction(db, SHOP_A, b.levelId, formData({ intent: "delete" })), expect: 404 },
  ],
  "levels#deleteLevel": [{ name: "B's level", run: (s, db, b) => s.deleteLevel(db, SHOP_A, b.levelId), expect: 404 }],
  "member-history#shopHistories": [{ name: "A's histories", run: async (s, db) => collect(s.shopHistories(db, SHOP_A, [])), expect: "noLeak" }],
  "member-recompute#recomputeMemberNow": [
    {
      name: "B's customer, as A",
      run: (s, db, b) => s.recomputeMemberNow(db, SHOP_A, b.customerGid, NOW),
      expect: "noLeak",
      asked: (b) => b.customerGid,
    },
  ],
  "members#membersView": [
    {
      name: "B's email",
      run: (s, db) => s.membersView(db, SHOP_A, memberFilter("beatrix"), NOW),
      expect: "noLeak",
      asked: () => "beatrix",
      check: (r) => expect(r.members).toEqual([]),
    },
    {
      name: "B's customer id",
      run: (s, db, b) => s.membersView(db, SHOP_A, memberFilter(b.customerNumber), NOW),
      expect: "noLeak",
      asked: (b) => b.customerNumber,
      check: (r) => expect(r.members).toEqual([]),
    },
  ],
  "members#exportMembersCsv": [{ name: "everything", run: (s, db) => s.exportMembersCsv(db, SHOP_A, memberFilter(""), NOW), expect: "noLeak" }],
  "members#memberDetailView": [{ name: "B's member", run: (s, db, b) => s.memberDetailView(db, SHOP_A, b.memberId, NOW), expect: 404 }],
  "members#memberAction": [
    {
      name: "points on B's member",
      run: (s, db, b) => s.memberAction(db, SHOP_A, b.memberId, formData({ intent: "adjustPoints", points: "5", note: "x" }), NOW),
      expect: 404,
    },
    {
      name: "level on B's member",
      run: (s, db, b) => s.memberAction(db, SHOP_A, b.memberId, formData({ intent: "assign", level: "gold" }), NOW),
      expect: 404,
    },
  ],
  "members#importMembersAction": [
    {
      name: "CSV naming B's level",
      run: (s, db, b) => s.importMembersAction(db, SHOP_A, csvFile(b), NOW),
      expect: "noLeak",
      asked: (b) => `${b.customerNumber} ${b.levelId}`,
    },
  ],
  "program-drafts#loadVersions": [{ name: "A", run: (s, db) => s.loadVersions(db, SHOP_A), expect: "noLeak" }],
  "program-drafts#editableProgram": [{ name: "A", run: (s, db) => s.editableProgram(db, SHOP_A), expect: "noLeak" }],
  "program-drafts#writeDraft": [
    {
      name: "B's draft row",
      run: async (s, db, b) =>
        s.writeDraft(db, SHOP_A, await db.programVersion.findUniqueOrThrow({ where: { id: b.draftVersionId } }), { levels: [] }),
      expect: "throws",
    },
  ],
  "program-drafts#editDraft": [
    {
      name: "A's draft",
      run: (s, db) => s.editDraft(db, SHOP_A, (current: Json) => ({ program: current.program, result: current.program })),
      expect: "noLeak",
    },
  ],
  "publish#previewDraft": [{ name: "A", run: (s, db) => s.previewDraft(db, SHOP_A, NOW), expect: "noLeak" }],
  "publish#previewMoves": [{ name: "B's level", run: (s, db, b) => s.previewMoves(db, SHOP_A, b.levelId, "down", NOW), expect: "noLeak" }],
  "publish#publishView": [{ name: "A", run: (s, db) => s.publishView(db, SHOP_A, { preview: true, now: NOW }), expect: "noLeak" }],
  "publish#publishAction": [
    {
      name: "cancel B's schedule",
      run: (s, db, b) => s.publishAction(db, SHOP_A, formData({ intent: "cancelSchedule", versionId: b.scheduledVersionId }), NOW),
      expect: 404,
    },
  ],
  "publish#publishNow": [{ name: "A's draft", run: (s, db) => s.publishNow(db, SHOP_A, NOW), expect: "noLeak" }],
  "publish#scheduleDraft": [{ name: "A's draft", run: (s, db) => s.scheduleDraft(db, SHOP_A, NOW + 86_400_000, NOW), expect: "noLeak" }],
  "publish#cancelSchedule": [{ name: "B's version", run: (s, db, b) => s.cancelSchedule(db, SHOP_A, b.scheduledVersionId), expect: 404 }],
  "publish#runScheduledPublish": [
    {
      name: "A's job carrying B's version",
      run: (s, db, b) => s.runScheduledPublish(db, { versionId: b.scheduledVersionId }, NOW, SHOP_A),
      expect: "noLeak",
      check: (r) => expect(r).toEqual({ published: false, jobId: null }),
    },
  ],
  "publish#recalculationProgress": [
    {
      name: "B's job",
      run: (s, db, b) => s.recalculationProgress(db, SHOP_A, b.recalculationJobId),
      expect: "noLeak",
      check: (r) => expect(r).toBeNull(),
    },
  ],
  "settings#loadShopSettings": [{ name: "A", run: (s, db) => s.loadShopSettings(db, SHOP_A), expect: "noLeak" }],
  "settings#settingsView": [{ name: "A", run: (s, db) => s.settingsView(db, SHOP_A), expect: "noLeak" }],
  "settings#saveSettingsAction": [
    { name: "A", run: (s, db) => s.saveSettingsAction(db, SHOP_A, formData({ intent: "save", payload: settingsInput() })), expect: "noLeak" },
  ],
};

// ── Harness ─────────────────────────────────────────────────────────────────────────────────────────────────────

const serviceModules = import.meta.glob<Services>("../../app/services/admin/*.server.ts");
let app: SecurityApp;
let db: Db;
let b: ShopBIds;
const services: Record<string, Services> = {};

beforeAll(async () => {
  app = await startSecurityApp();
  db = app.db;
  b = await seedTwoShops(db);
  for (const [file, load] of Object.entries(serviceModules)) services[/([\w-]+)\.server\.ts$/.exec(file)![1]] = await load();
});
afterAll(async () => app?.cleanup());

/** Exported functions whose first parameter is a database client: the services. */
function serviceKeys(): string[] {
  const keys: string[] = [];
  for (const [mod, exports] of Object.entries(services)) {
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value !== "function") continue;
      const first = /^[^(]*\(\s*([A-Za-z_$][\w$]*)/.exec(Function.prototype.toString.call(value))?.[1];
      if (first === "db" || first === "tx") keys.push(`${mod}#${name}`);
    }
  }
  return keys.sort();
}

function expectNoMarkers(text: string, asked: string) {
  // What the request itself carried may be echoed back (an error naming the id asked for); anything else of B may not.
  const leaked = b.markers.filter((m) => !asked.toLowerCase().includes(m.toLowerCase()) && text.toLowerCase().includes(m.toLowerCase()));
  expect(leaked, `shop A was shown shop B's ${leaked.join(", ")}`).toEqual([]);
}

describe("coverage", () => {
  it("every admin route handler on disk has cross-shop cases", () => {
    const files = routeFilesOnDisk(/^app(\.|\.tsx$)/);
    expect(files.length).toBeGreaterThan(5);
    const handlers = files.flatMap((f) => (["loader", "action"] as const).filter((k) => app.routes.get(f)?.[k]).map((k) => `${f}#${k}`));
    expect(handlers.filter((h) => !ROUTE_CASES[h]?.length)).toEqual([]);
    expect(Object.keys(ROUTE_CASES).filter((k) => !handlers.includes(k))).toEqual([]);
  });

  it("every admin service has cross-shop cases", () => {
    const keys = serviceKeys();
    expect(keys.length).toBeGreaterThan(20);
    expect(keys.filter((k) => !SERVICE_CASES[k]?.length)).toEqual([]);
    expect(Object.keys(SERVICE_CASES).filter((k) => !keys.includes(k))).toEqual([]);
  });

  it("shop B really holds the data the cases aim at", async () => {
    const rows = await shopRows(db, SHOP_B);
    for (const table of [
      "Member",
      "PointsEntry",
      "LevelChange",
      "MemberAdjustment",
      "OrderFact",
      "Benefit",
      "Level",
      "ProgramVersion",
      "Job",
      "SyncState",
      "Session",
      "Shop",
    ]) {
      expect(rows[table]?.length, table).toBeGreaterThan(0);
    }
    expect(rows.ProgramVersion.map((v) => v.status).sort()).toEqual(["draft", "published", "scheduled", "superseded"]);
  });
});

const routeCases = Object.entries(ROUTE_CASES).flatMap(([key, cases]) => cases.map((c) => ({ key, ...c, label: `${key} ${c.name}` })));
const serviceCases = Object.entries(SERVICE_CASES).flatMap(([key, cases]) => cases.map((c) => ({ key, ...c, label: `${key} ${c.name}` })));

describe("admin routes as shop A, aimed at shop B", () => {
  it.each(routeCases)("$label → $expect, shop B unchanged", async (c) => {
    const [route, kind] = c.key.split("#") as [string, "loader" | "action"];
    const handler = app.routes.get(route)![kind]!;
    const before = await shopRows(db, SHOP_B);
    const path = c.path(b);
    const form = c.form?.(b);
    const response = await callHandler(
      handler,
      adminRequest(path, { token: sessionToken(SHOP_A), form, method: kind === "action" ? "POST" : "GET" }),
      c.params?.(b) ?? {},
    );
    expect(await shopRows(db, SHOP_B)).toEqual(before);
    expect(rowCount(before)).toBeGreaterThan(0);
    const text = await response.text();
    if (c.expect === 404) expect(response.status, text).toBe(404);
    else {
      expect(response.status, text).toBeLessThan(500);
      expect([401, 403, 302]).not.toContain(response.status);
      const values =
        form instanceof FormData
          ? await Promise.all([...form.values()].map((v) => (typeof v === "string" ? v : v.text())))
          : [JSON.stringify(form ?? {})];
      const asked = `${decodeURIComponent(path)} ${values.join(" ")}`;
      expectNoMarkers(text, asked);
      if (c.check) c.check(JSON.parse(text), b);
    }
  });
});

describe("admin services as shop A, aimed at shop B", () => {
  it.each(serviceCases)("$label → $expect, shop B unchanged", async (c) => {
    const [mod, fn] = c.key.split("#");
    const all = Object.assign({}, ...Object.values(services)) as Services;
    expect(typeof services[mod][fn]).toBe("function");
    const before = await shopRows(db, SHOP_B);
    let result: unknown;
    let error: unknown = null;
    try {
      result = await c.run(all, db, b);
    } catch (e) {
      error = e;
    }
    expect(await shopRows(db, SHOP_B)).toEqual(before);
    if (c.expect === 404) expect((error as { status?: number } | null)?.status, String(error)).toBe(404);
    else if (c.expect === "throws") expect(error).not.toBeNull();
    else {
      if (error && (error as { status?: number }).status === undefined) throw error;
      expectNoMarkers(JSON.stringify(result ?? (error as { errors?: unknown })?.errors ?? null), c.asked?.(b) ?? "");
      if (c.check) c.check(result, b);
    }
  });
});
