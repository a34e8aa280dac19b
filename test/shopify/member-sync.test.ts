import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminCaller, ShopifyAdminError } from "~/shopify/admin-graphql.server";
import { MemberSyncInputError, syncMembers, tierTagChanges, type SyncMembersOptions } from "~/shopify/member-sync.server";
import type { MemberSyncRecord } from "~/shopify/types";
import { webhookHmac } from "../../tools/shopify-stand-in/signed-webhook";
import { buildTierLevel } from "../../tools/sample-data/tier-builders";
import { buildMemberSyncRecord, virtualClock } from "../../tools/shopify-stand-in/builders";
import { PLUS_THROTTLE, standInAdminClient, startStandIn, type Fault, type ShopSeed, type StandIn } from "../../tools/shopify-stand-in/index";

const TOKEN = "shpat_test_token";
const clock = virtualClock();
let standIn: StandIn;
let shopCount = 0;

beforeAll(async () => {
  standIn = await startStandIn({ now: clock.now });
});
afterAll(async () => {
  await standIn.close();
});

/** Each test gets its own shop, so buckets, faults and call logs never leak between tests. */
function freshShop(seed: Partial<ShopSeed> = {}) {
  const domain = `sync-${++shopCount}.myshopify.com`;
  const shop = standIn.addShop({ domain, accessToken: TOKEN, ...seed });
  const admin = standInAdminClient({ url: standIn.url, shop: domain, accessToken: TOKEN });
  const caller = new AdminCaller(admin, { sleep: clock.sleep, now: clock.now, random: () => 0.5 });
  return { domain, shop, admin, caller };
}

const policy: SyncMembersOptions = { sleep: clock.sleep, now: clock.now, random: () => 0.5, pollIntervalMs: 200 };
const callsTo = (domain: string, operationName: string) =>
  standIn.calls(domain).filter((c) => c.operationName === operationName && c.outcome === "ok");

function seedCustomers(domain: string, count: number, tags: string[] = []): string[] {
  return standIn.seed(
    { customers: Array.from({ length: count }, (_, i) => ({ firstName: `Member ${i}`, email: `m${i}@example.com`, tags })) },
    domain,
  ).customers;
}

describe("syncMembers: tier tags", () => {
  const cases: { name: string; tags: string[]; previous: string | null; level: string | null; expected: string[]; writes: boolean }[] = [
    {
      name: "silver → gold replaces the old tier tag, other tags untouched",
      tags: ["vip", "tier:silver", "newsletter"],
      previous: "silver",
      level: "gold",
      expected: ["vip", "newsletter", "tier:gold"],
      writes: true,
    },
    {
      name: "stray and differently-cased tier tags are cleared too",
      tags: ["Tier:Bronze", "tier:silver", "vip"],
      previous: "silver",
      level: "gold",
      expected: ["vip", "tier:gold"],
      writes: true,
    },
    {
      name: "losing the level removes every tier tag",
      tags: ["tier:gold", "wholesale"],
      previous: "gold",
      level: null,
      expected: ["wholesale"],
      writes: true,
    },
    {
      name: "already right: no tag write at all",
      tags: ["tier:gold", "vip"],
      previous: "gold",
      level: "gold",
      expected: ["tier:gold", "vip"],
      writes: false,
    },
    { name: "first level for a customer without tags", tags: [], previous: null, level: "gold", expected: ["tier:gold"], writes: true },
  ];
  let domain: string;
  let gids: string[];
  let summary: Awaited<ReturnType<typeof syncMembers>>;

  beforeAll(async () => {
    ({ domain } = freshShop());
    gids = cases.map((c) => standIn.seed({ customers: [{ firstName: c.name, tags: c.tags }] }, domain).customers[0]);
    const members = cases.map((c, i) =>
      buildMemberSyncRecord(gids[i], {
        previousLevelId: c.previous,
        level: c.level === null ? null : buildTierLevel({ id: c.level, name: c.level }),
      }),
    );
    summary = await syncMembers(standInAdminClient({ url: standIn.url, shop: domain, accessToken: TOKEN }), domain, members, policy);
  });

  it.each(cases.map((c, i) => ({ ...c, i })))("$name", ({ i, expected, writes }) => {
    expect(standIn.shop(domain).customers[gids[i]].tags).toEqual(expected);
    const tagWrites = standIn
      .calls(domain)
      .filter((c) => c.rootFields.some((f) => f === "tagsAdd" || f === "tagsRemove") && c.variables?.id === gids[i]);
    expect(tagWrites.length > 0).toBe(writes);
  });

  it("reports the tags it changed and no errors", () => {
    // adds: 3 (cases 1, 2, 5); removes: silver (1), bronze + silver (2), gold (3)
    expect(summary.tagsChanged).toBe(7);
    expect(summary.errors).toEqual([]);
  });

  it.each([
    { tags: ["tier:silver", "a"], level: "gold", add: ["tier:gold"], remove: ["tier:silver"] },
    { tags: ["TIER:GOLD"], level: "gold", add: [], remove: [] },
    { tags: ["tier:gold", "tier:gold-old"], level: "gold", add: [], remove: ["tier:gold-old"] },
    { tags: ["tiered-pricing", "tier:x"], level: null, add: [], remove: ["tier:x"] },
  ])("tierTagChanges($tags, $level)", ({ tags, level, add, remove }) => {
    expect(tierTagChanges(tags, level)).toEqual({ add, remove });
  });
});

describe("syncMembers: metafields", () => {
  it("writes level, progress, benefits and history as json that reads back equal to what was sent", async () => {
    const { domain, admin } = freshShop();
    const [withLevel, withoutLevel] = seedCustomers(domain, 2);
    const members = [buildMemberSyncRecord(withLevel), buildMemberSyncRecord(withoutLevel, { level: null, benefits: { v: 1, items: [] } })];
    const summary = await syncMembers(admin, domain, members, policy);

    expect(summary.metafieldsWritten).toBe(10);
    for (const member of members) {
      expect(standIn.metafieldJson(member.customerGid, "level", "$app:tierline", domain)).toEqual(member.level ?? { v: 1, id: null });
      expect(standIn.metafieldJson(member.customerGid, "progress", "$app:tierline", domain)).toEqual(member.progress);
      expect(standIn.metafieldJson(member.customerGid, "benefits", "$app:tierline", domain)).toEqual(member.benefits);
      expect(standIn.metafieldJson(member.customerGid, "history", "$app:tierline", domain)).toEqual(member.history);
    }
    const stored = standIn.shop(domain).customers[withLevel].metafields["app--424242--tierline.level"];
    expect(stored.type).toBe("json");
  });

  it("60 members take 3 requests, each metafieldsSet holding at most 25 entries", async () => {
    const { domain, admin } = freshShop();
    const gids = seedCustomers(domain, 60);
    const summary = await syncMembers(
      admin,
      domain,
      gids.map((g) => buildMemberSyncRecord(g)),
      policy,
    );

    const requests = callsTo(domain, "MemberMetafieldsSet");
    expect(requests).toHaveLength(3);
    for (const r of requests) {
      for (const key of ["level", "progress", "benefits", "history"]) expect((r.variables![key] as unknown[]).length).toBeLessThanOrEqual(25);
    }
    expect(requests.map((r) => (r.variables!.level as unknown[]).length)).toEqual([25, 25, 10]);
    expect(summary).toMatchObject({ mode: "direct", metafieldsWritten: 300, bulkOperations: 0, errors: [] });
    expect(gids.every((g) => standIn.metafieldJson(g, "level", "$app:tierline", domain) !== undefined)).toBe(true);
  });

  it("a live sync of 1,000 members goes direct: 40 metafieldsSet requests, 4 in flight, never throttled at Plus rates", async () => {
    const { domain } = freshShop({ throttle: PLUS_THROTTLE });
    const gids = seedCustomers(domain, 1000, ["tier:gold"]);
    // The stand-in's own client, counting the requests it has out at once.
    const client = standInAdminClient({ url: standIn.url, shop: domain, accessToken: TOKEN });
    let inFlight = 0;
    let most = 0;
    const counting = {
      graphql: async (query: string, options?: { variables?: Record<string, unknown> }) => {
        most = Math.max(most, ++inFlight);
        return client.graphql(query, options).finally(() => inFlight--);
      },
    };
    const summary = await syncMembers(
      counting,
      domain,
      gids.map((g) => buildMemberSyncRecord(g, { previousLevelId: "gold" })),
      policy,
    );

    expect(summary).toMatchObject({ mode: "direct", metafieldsWritten: 5000, bulkOperations: 0, tagsChanged: 0, errors: [] });
    expect(callsTo(domain, "MemberMetafieldsSet")).toHaveLength(40);
    // Levels unchanged since the last sync: no tag reads, no tag writes.
    expect(callsTo(domain, "MemberTags")).toHaveLength(0);
    expect(most).toBe(4);
    expect(standIn.calls(domain).filter((c) => c.outcome === "throttled")).toHaveLength(0);
    expect(gids.every((g) => standIn.metafieldJson(g, "level", "$app:tierline", domain) !== undefined)).toBe(true);
  });

  it("is idempotent: a second identical sync leaves the same state and writes no tags", async () => {
    const { domain, admin } = freshShop();
    const gids = seedCustomers(domain, 3, ["tier:silver"]);
    const members = gids.map((g) => buildMemberSyncRecord(g, { previousLevelId: "silver" }));
    await syncMembers(admin, domain, members, policy);
    const after = structuredClone(standIn.shop(domain).customers);
    const second = await syncMembers(
      admin,
      domain,
      members.map((m) => ({ ...m, previousLevelId: "gold" })),
      policy,
    );

    expect(second.tagsChanged).toBe(0);
    expect(
      Object.fromEntries(
        Object.entries(standIn.shop(domain).customers).map(([k, c]) => [k, [c.tags, Object.values(c.metafields).map((m) => m.value)]]),
      ),
    ).toEqual(Object.fromEntries(Object.entries(after).map(([k, c]) => [k, [c.tags, Object.values(c.metafields).map((m) => m.value)]])));
  });

  it("reports a refused member and still writes the others (metafieldsSet is all-or-nothing per call)", async () => {
    const { domain, admin } = freshShop();
    const gids = seedCustomers(domain, 9);
    const ghost = "gid://shopify/Customer/999999999";
    const summary = await syncMembers(
      admin,
      domain,
      [...gids.slice(0, 4), ghost, ...gids.slice(4)].map((g) => buildMemberSyncRecord(g)),
      policy,
    );

    expect(summary.metafieldsWritten).toBe(45);
    expect(summary.errors.filter((e) => e.operation === "metafieldsSet").map((e) => [e.customerGid, e.key, e.code])).toEqual([
      [ghost, "level", "INVALID"],
      [ghost, "progress", "INVALID"],
      [ghost, "benefits", "INVALID"],
      [ghost, "history", "INVALID"],
      [ghost, "rewards", "INVALID"],
    ]);
    expect(summary.errors.filter((e) => e.operation === "tags")).toEqual([
      { customerGid: ghost, operation: "tags", code: "NOT_FOUND", message: "Customer not found" },
    ]);
    expect(gids.every((g) => standIn.shop(domain).customers[g].tags.includes("tier:gold"))).toBe(true);
  });
});

describe("syncMembers: one refused metafield", () => {
  it.each([{ bulk: false }, { bulk: true }])("keeps the member's other keys and everyone else written (bulk: $bulk)", async ({ bulk }) => {
    const { domain, admin } = freshShop();
    const gids = seedCustomers(domain, 3, ["tier:gold"]);
    standIn.injectFault({ kind: "rejectMetafield", ownerId: gids[1], key: "progress", shop: domain });
    const summary = await syncMembers(
      admin,
      domain,
      gids.map((g) => buildMemberSyncRecord(g, { previousLevelId: "gold" })),
      { ...policy, bulk },
    );

    expect(summary.errors.map((e) => [e.customerGid, e.operation, e.key, e.code])).toEqual([[gids[1], "metafieldsSet", "progress", "INVALID_VALUE"]]);
    expect(summary.metafieldsWritten).toBe(14);
    expect(Object.keys(standIn.shop(domain).customers[gids[1]].metafields).sort()).toEqual([
      "app--424242--tierline.benefits",
      "app--424242--tierline.history",
      "app--424242--tierline.level",
      "app--424242--tierline.rewards",
    ]);
    expect(Object.keys(standIn.shop(domain).customers[gids[2]].metafields)).toHaveLength(5);
  });
});

describe("syncMembers: input validation", () => {
  it.each([
    { name: "a customer id that is not a Customer GID", patch: { customerGid: "gid://shopify/Order/1" }, path: "members[1].customerGid" },
    { name: "an unknown level status", patch: { level: { ...buildTierLevel(), status: "paused" } }, path: "members[1].level: is not a TierLevelV1" },
    {
      name: "a non-decimal spend",
      patch: { progress: { v: 1, currency: "USD", spend: "12,00", points: 0, next: null } },
      path: "members[1].progress: is not a TierProgressV1",
    },
  ])("rejects $name before writing anything", async ({ patch, path }) => {
    const { domain, admin } = freshShop();
    const gids = seedCustomers(domain, 2);
    const members = [buildMemberSyncRecord(gids[0]), { ...buildMemberSyncRecord(gids[1]), ...patch }] as MemberSyncRecord[];
    const error = await syncMembers(admin, domain, members, policy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemberSyncInputError);
    expect((error as MemberSyncInputError).message).toContain(path);
    expect(standIn.calls(domain)).toHaveLength(0);
  });
});

describe("syncMembers: bulk path", () => {
  // Above the direct path's threshold (a full recalculation's batches go bulk); 250 here, so a few hundred members show it.
  const bulkPolicy: SyncMembersOptions = { ...policy, bulkThreshold: 250 };

  it("1,000 members without level changes: one staged upload and one bulk mutation", async () => {
    const { domain, admin } = freshShop();
    const gids = seedCustomers(domain, 1000, ["tier:gold"]);
    const summary = await syncMembers(
      admin,
      domain,
      gids.map((g) => buildMemberSyncRecord(g, { previousLevelId: "gold" })),
      bulkPolicy,
    );

    expect(callsTo(domain, "BulkVariablesStagedUpload")).toHaveLength(1);
    expect(callsTo(domain, "BulkMutationRun")).toHaveLength(1);
    expect(callsTo(domain, "MemberMetafieldsSet")).toHaveLength(0);
    expect(summary).toMatchObject({
      mode: "bulk",
      members: 1000,
      metafieldsWritten: 5000,
      bulkOperations: 1,
      stagedUploads: 1,
      tagsChanged: 0,
      errors: [],
    });
    const customers = standIn.shop(domain).customers;
    expect(gids.filter((g) => Object.keys(customers[g].metafields).length === 5)).toHaveLength(1000);
    expect(standIn.metafieldJson(gids[999], "progress", "$app:tierline", domain)).toEqual(buildMemberSyncRecord(gids[999]).progress);
  });

  it("1,000 members all moving silver → gold: metafields, tag adds and tag removes as three bulk operations", async () => {
    const { domain, admin } = freshShop();
    const gids = seedCustomers(domain, 1000, ["vip", "tier:silver"]);
    const summary = await syncMembers(
      admin,
      domain,
      gids.map((g) => buildMemberSyncRecord(g, { previousLevelId: "silver" })),
      bulkPolicy,
    );

    expect(summary).toMatchObject({ mode: "bulk", bulkOperations: 3, stagedUploads: 3, metafieldsWritten: 5000, tagsChanged: 2000, errors: [] });
    expect(Object.values(standIn.shop(domain).bulkOperations).map((op) => [op.status, op.objectCount])).toEqual([
      ["COMPLETED", 1000],
      ["COMPLETED", 1000],
      ["COMPLETED", 1000],
    ]);
    expect(new Set(gids.map((g) => standIn.shop(domain).customers[g].tags.join(",")))).toEqual(new Set(["vip,tier:gold"]));
  });

  it("a few level changes inside a large sync: one bulk operation for metafields, tags reconciled directly", async () => {
    const { domain, admin } = freshShop();
    const gids = seedCustomers(domain, 400, ["tier:gold"]);
    const movers = new Set(gids.slice(0, 12));
    for (const g of movers) standIn.shop(domain).customers[g].tags = ["tier:silver"];
    const members = gids.map((g) => buildMemberSyncRecord(g, { previousLevelId: movers.has(g) ? "silver" : "gold" }));
    const summary = await syncMembers(admin, domain, members, bulkPolicy);

    expect(summary).toMatchObject({ bulkOperations: 1, tagsChanged: 24, errors: [] });
    expect(callsTo(domain, "MemberTierTagSwap")).toHaveLength(12);
    expect(gids.every((g) => standIn.shop(domain).customers[g].tags.join() === "tier:gold")).toBe(true);
  });

  it("reports per-line userErrors from the result file and writes every other line", async () => {
    const { domain, admin } = freshShop();
    const gids = seedCustomers(domain, 299, ["tier:gold"]);
    const ghost = "gid://shopify/Customer/888888888";
    const members = [...gids, ghost].map((g) => buildMemberSyncRecord(g, { previousLevelId: "gold" }));
    const summary = await syncMembers(admin, domain, members, bulkPolicy);

    expect(summary.mode).toBe("bulk");
    expect(summary.metafieldsWritten).toBe(299 * 5);
    expect(new Set(summary.errors.map((e) => `${e.customerGid} ${e.operation} ${e.code}`))).toEqual(new Set([`${ghost} metafieldsSet INVALID`]));
    expect(summary.errors).toHaveLength(5);
  });

  it("resumes a bulk operation that failed half-way with the lines it never reached", async () => {
    const { domain, admin } = freshShop();
    const gids = seedCustomers(domain, 1000, ["tier:gold"]);
    standIn.injectFault({ kind: "bulkFailHalfway", shop: domain });
    const summary = await syncMembers(
      admin,
      domain,
      gids.map((g) => buildMemberSyncRecord(g, { previousLevelId: "gold" })),
      bulkPolicy,
    );

    const [failed, resumed] = Object.values(standIn.shop(domain).bulkOperations);
    expect([failed.status, failed.errorCode, failed.objectCount, failed.partialDataUrl !== null]).toEqual([
      "FAILED",
      "INTERNAL_SERVER_ERROR",
      500,
      true,
    ]);
    expect([resumed.status, resumed.objectCount]).toEqual(["COMPLETED", 500]);
    expect(summary).toMatchObject({ bulkOperations: 2, stagedUploads: 2, metafieldsWritten: 5000, errors: [] });
    expect(gids.filter((g) => standIn.metafieldJson(g, "level", "$app:tierline", domain) !== undefined)).toHaveLength(1000);
  });
});

describe("syncMembers: waiting for bulk_operations/finish instead of polling", () => {
  it("reads the operation once, after the signed webhook announced it", async () => {
    const finished = new Map<string, () => void>();
    const arrived = new Set<string>();
    const app = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        const authentic = req.headers["x-shopify-hmac-sha256"] === webhookHmac(body, "finish-secret");
        const id = JSON.parse(body).admin_graphql_api_id as string;
        if (authentic && req.url === "/webhooks/bulk_operations/finish") {
          arrived.add(id);
          finished.get(id)?.();
        }
        res.writeHead(authentic ? 200 : 401).end();
      });
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    const store = await startStandIn({
      now: clock.now,
      bulkFinishWebhook: { appUrl, secret: "finish-secret" },
      shops: [{ domain: "hooked.myshopify.com", accessToken: TOKEN }],
    });
    try {
      const gids = store.seed({ customers: Array.from({ length: 30 }, () => ({ tags: ["tier:gold"] })) }).customers;
      const admin = standInAdminClient({ url: store.url, shop: "hooked.myshopify.com", accessToken: TOKEN });
      const waitForBulkOperation = (id: string) => new Promise<void>((resolve) => (arrived.has(id) ? resolve() : finished.set(id, resolve)));
      const summary = await syncMembers(
        admin,
        "hooked.myshopify.com",
        gids.map((g) => buildMemberSyncRecord(g, { previousLevelId: "gold" })),
        { ...policy, bulk: true, waitForBulkOperation },
      );

      expect(summary).toMatchObject({ mode: "bulk", bulkOperations: 1, metafieldsWritten: 150, errors: [] });
      expect(store.calls().filter((c) => c.operationName === "BulkOperationStatus")).toHaveLength(1);
      expect([...arrived]).toEqual(Object.keys(store.state.bulkOperations));
    } finally {
      await store.close();
      await new Promise<void>((resolve) => app.close(() => resolve()));
    }
  });
});

describe("syncMembers: throttling and retries", () => {
  const cases: { name: string; faults: Fault[]; retryWaits: [string, number][]; bulk?: boolean }[] = [
    {
      name: "THROTTLED twice",
      faults: [{ kind: "throttled", count: 2 }],
      // The emptied bucket refills the 50 points asked for in 500 ms at 100/s: the backoff's 750 ms is the longer.
      retryWaits: [
        ["throttled", 750],
        ["throttled", 1500],
      ],
    },
    { name: "HTTP 429 with Retry-After: 2", faults: [{ kind: "http", status: 429, retryAfterSeconds: 2 }], retryWaits: [["http-429", 2000]] },
    {
      name: "HTTP 503 three times",
      faults: [{ kind: "http", status: 503, count: 3 }],
      retryWaits: [
        ["http-5xx", 750],
        ["http-5xx", 1500],
        ["http-5xx", 3000],
      ],
    },
    // Same request, second retry: the step doubles whatever the cause.
    {
      name: "HTTP 502 then THROTTLED",
      faults: [{ kind: "http", status: 502 }, { kind: "throttled" }],
      retryWaits: [
        ["http-5xx", 750],
        ["throttled", 1500],
      ],
    },
    {
      name: "HTTP 500 twice on the bulk path",
      faults: [{ kind: "http", status: 500, count: 2 }],
      retryWaits: [
        ["http-5xx", 750],
        ["http-5xx", 1500],
      ],
      bulk: true,
    },
  ];

  it.each(cases)("$name: backs off with jitter, then finishes with the right state", async ({ faults, retryWaits, bulk }) => {
    const { domain, caller } = freshShop();
    const gids = seedCustomers(domain, 5, ["tier:silver", "keep"]);
    for (const fault of faults) standIn.injectFault({ ...fault, shop: domain });
    const summary = await syncMembers(
      caller,
      domain,
      gids.map((g) => buildMemberSyncRecord(g, { previousLevelId: "silver" })),
      { ...policy, bulk },
    );

    // Equal jitter with random() = 0.5: ¾ of 1 s, 2 s, 4 s …; a THROTTLED wait is at least what the bucket needs.
    expect(caller.stats.waits.filter((w) => w.reason !== "throttle-budget").map((w) => [w.reason, w.ms])).toEqual(retryWaits);
    expect(summary.retries).toBe(retryWaits.length);
    expect(summary.waitedMs).toBe(caller.stats.waits.reduce((s, w) => s + w.ms, 0));
    expect(summary.errors).toEqual([]);
    for (const g of gids) {
      expect(standIn.shop(domain).customers[g].tags).toEqual(["keep", "tier:gold"]);
      expect(standIn.metafieldJson(g, "level", "$app:tierline", domain)).toEqual(buildTierLevel());
    }
    // Only the injected THROTTLED answers happened: pacing kept every other request inside the budget.
    expect(standIn.calls(domain).filter((c) => c.outcome === "throttled")).toHaveLength(
      faults.filter((f) => f.kind === "throttled").reduce((s, f) => s + (f.count ?? 1), 0),
    );
  });

  it("paces requests by the bucket's restore rate instead of getting throttled", async () => {
    const { domain, caller } = freshShop({ throttle: { maximumAvailable: 100, restoreRate: 10 } });
    const gids = seedCustomers(domain, 60, ["tier:silver"]);
    const started = clock.now();
    await syncMembers(
      caller,
      domain,
      gids.map((g) => buildMemberSyncRecord(g, { previousLevelId: "silver" })),
      policy,
    );

    const calls = standIn.calls(domain);
    const spent = calls.reduce((s, c) => s + (c.requestedQueryCost ?? 0), 0);
    expect(calls.filter((c) => c.outcome === "throttled")).toHaveLength(0);
    expect(caller.stats.waits.every((w) => w.reason === "throttle-budget")).toBe(true);
    // Everything beyond the initial 100 points had to be restored at 10 points per second.
    expect(clock.now() - started).toBeGreaterThanOrEqual(((spent - 100) / 10) * 1000);
    expect(gids.every((g) => standIn.shop(domain).customers[g].tags.join() === "tier:gold")).toBe(true);
  });

  it("gives up after maxAttempts with RETRIES_EXHAUSTED", async () => {
    const { domain, admin } = freshShop();
    const gids = seedCustomers(domain, 2);
    standIn.injectFault({ kind: "http", status: 503, count: 10, shop: domain });
    const error = await syncMembers(
      admin,
      domain,
      gids.map((g) => buildMemberSyncRecord(g)),
      { ...policy, maxAttempts: 3 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShopifyAdminError);
    expect((error as ShopifyAdminError).code).toBe("RETRIES_EXHAUSTED");
    expect(standIn.calls(domain).filter((c) => c.status === 503)).toHaveLength(3);
  });
});
