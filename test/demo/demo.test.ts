import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseProgram } from "~/domain/index";
import { loadVersions, programOf } from "~/services/admin/program-drafts.server";
import { startDemo, type Demo } from "../../scripts/demo/start";
import { buildReplay } from "../../scripts/demo/replay";
import { demoProgram } from "../../scripts/demo/seed";
import { buildDemoShopData, type CastRole } from "../../scripts/demo/shop-data";

/**
 * `npm run demo` end to end, at instant pace on a temporary database: the seeded program, the replay's stories
 * (level moves up and down, a repeated delivery, a refund before its order), what reached the Shopify stand-in,
 * and the signed admin URL.
 */

const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
let demo: Demo;
const output: string[] = [];

beforeAll(async () => {
  demo = await startDemo({ pace: "instant", fresh: true, customers: 50, quiet: true, output: (line) => output.push(line) });
  await demo.replayDone;
}, 300_000);
afterAll(async () => {
  await demo?.stop();
});

const memberOf = (role: CastRole) => {
  const c = buildDemoShopData({ customers: 50 }).cast[role];
  return { gid: c.gid, name: `${c.firstName} ${c.lastName}` };
};

describe("npm run demo", () => {
  it("publishes program.json through the admin's services: the engine reads back the same program", async () => {
    const { stack } = demo;
    const published = programOf((await loadVersions(stack.db, stack.shop)).published);
    expect(parseProgram(published)).toEqual(parseProgram(demoProgram()));
    expect(
      (await stack.db.level.findMany({ where: { shop: stack.shop }, orderBy: { rank: "asc" } })).map((l) => `${l.levelId}:${l.name}:${l.rank}`),
    ).toEqual(["silver:Silver:1", "gold:Gold:2", "platinum:Platinum:3"]);
    expect(await stack.db.benefit.count({ where: { shop: stack.shop, kind: "discount" } })).toBe(3);
    expect(Object.keys(stack.standIn.shop(stack.shop).discounts)).toHaveLength(1);
  });

  it.each([
    { role: "ada" as const, moves: ["no level → Silver", "Silver → Gold"], level: "gold" },
    { role: "grace" as const, moves: ["no level → Silver"], level: "silver" },
    { role: "alan" as const, moves: ["Silver → Platinum"], level: "platinum" },
    { role: "katherine" as const, moves: ["Gold → Silver"], level: "silver" },
    { role: "hedy" as const, moves: ["Silver → Gold", "Gold → Silver"], level: "silver" },
    { role: "margaret" as const, moves: ["no level → Silver"], level: "silver" },
  ])("$role: moves $moves, ends on $level, and the store shows it", async ({ role, moves, level }) => {
    const { name, gid } = memberOf(role);
    expect(demo.moves.filter((m) => m.member === name).map((m) => `${m.from} → ${m.to}`)).toEqual(moves);
    expect(output.some((line) => line.includes(`${name}: ${moves[0]}`))).toBe(true);
    const member = await demo.stack.db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: demo.stack.shop, customerGid: gid } } });
    expect(member.levelId).toBe(level);
    const customer = demo.stack.standIn.shop(demo.stack.shop).customers[gid];
    expect(customer.tags.filter((t) => t.startsWith("tier:"))).toEqual([`tier:${level}`]);
    expect(demo.stack.standIn.metafieldJson(gid, "level", "$app:tierline", demo.stack.shop)).toMatchObject({ v: 1, id: level });
  });

  it("stores a retried delivery once and counts an order delivered twice once", async () => {
    const { db, shop } = demo.stack;
    expect(await db.webhookInbox.count({ where: { shop, webhookId: "demo-ada-third" } })).toBe(1);
    const alan = await db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop, customerGid: memberOf("alan").gid } } });
    expect(alan).toMatchObject({ orderCount: 4, spend: 122_000 + 211_000 });
    expect(await db.job.count({ where: { status: "dead" } })).toBe(0);
    expect(await db.webhookInbox.count({ where: { shop, status: "failed" } })).toBe(0);
  });

  it("prints the signed admin URLs", () => {
    for (const path of ["/app", "/app/members", "/app/levels", "/app/publish"]) {
      expect(output.some((line) => line.includes(demo.adminUrl(path).split("&id_token=")[0]))).toBe(true);
    }
  });

  it.each([
    { path: "/app", texts: ["Member centre"] },
    { path: "/app/members", texts: ["Members"] },
    { path: "/app/levels", texts: ["Silver", "Gold", "Platinum"] },
    { path: "/app/publish", texts: ["Preview and publish"] },
  ])("$path opens in a plain browser with the signed URL", async ({ path, texts }) => {
    const res = await fetch(demo.adminUrl(path), { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const text of texts) expect(html).toContain(text);
  });

  it("puts the demo shop on the Growth plan through Shopify's subscription (the stand-in) and says so", async () => {
    expect(output).toContain("  Plan: Growth (up to 5 levels), the demo shop's subscription in the Shopify stand-in");
    expect((await demo.stack.db.shop.findUniqueOrThrow({ where: { domain: demo.stack.shop } })).plan).toBe("growth");
  });

  it("ends with the members per level", () => {
    const summary = output.slice(output.findIndex((l) => l.startsWith("Replay done")));
    expect(summary[0]).toMatch(/^Replay done: \d+ deliveries sent, \d+ stored .*, \d+ level changes \(\d+ up, [1-9]\d* down\)\.$/);
    for (const level of ["Silver", "Gold", "Platinum", "No level"])
      expect(summary.some((l) => new RegExp(`^\\s+${level}\\s+\\d+$`).test(l))).toBe(true);
  });
});

describe("npm run demo: every benefit reaches shoppers, and the summary table says so", () => {
  it.each([
    "Welcome code on reaching a level",
    "Birthday reward (scheduled job)",
    "Points converted to a code",
    "Collection-scoped condition on a live order",
    "Flow payload for each level move",
  ])("%s: ✔", (benefit) => {
    const row = output.find((line) => line.includes(benefit));
    expect(row, `no summary row for ${benefit}`).toBeDefined();
    expect(row!.trim().startsWith("✔"), row).toBe(true);
  });
});

describe("the replay", () => {
  it("is the same stream on every run", () => {
    const start = Date.parse("2026-11-24T12:00:00Z");
    const run = () =>
      buildReplay(buildDemoShopData({ customers: 80 })).map((e) => ({
        topic: e.topic,
        webhookId: e.webhookId,
        minutesAgo: e.minutesAgo,
        payload: e.payload(start),
      }));
    const a = run();
    expect(a).toEqual(run());
    expect(new Set(a.map((e) => e.topic))).toEqual(new Set(["orders/paid", "refunds/create", "orders/cancelled"]));
    expect(a.filter((e) => e.topic === "orders/paid").length).toBeGreaterThan(a.length / 2);
  });
});
