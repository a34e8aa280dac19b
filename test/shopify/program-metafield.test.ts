// The shop's `$app:tierline.program` metafield (contract 1): written from the published programme into the local
// Shopify stand-in (real 2026-10 schema), idempotent, with a definition shoppers can read, and within Shopify's size cap.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { parseProgram } from "~/domain";
import { programMetafieldSizeIssue, syncProgramMetafield } from "~/services/program-metafield.server";
import { createTranslator, MEMBER_MESSAGES_EN } from "~/shared/member-messages";
import { programView } from "~/shared/program-view";
import { parseTierProgram, type TierBenefitItemV1 } from "~/shared/tier-metafield";
import { buildTierProgram as buildProgramDocument, type ShopDisplayInput } from "~/shared/tier-metafield-builder";
import { JSON_METAFIELD_MAX_BYTES, writeProgramMetafield } from "~/shopify/program-metafield.server";
import { createTestDb, publishProgram, seedShop, type TestDb } from "../support/db";
import { standInAdminClient, startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";
import { buildTierProgram, FIXTURE_PROGRAM_JSON } from "../../tools/sample-data/tier-builders";

const TOKEN = "shpat_program";
let standIn: StandIn;
let t: TestDb;
let db: Db;

beforeAll(async () => {
  standIn = await startStandIn();
  t = await createTestDb();
  db = t.db;
});
afterAll(async () => {
  await t?.cleanup();
  await standIn?.close();
});

function shopOf(domain: string) {
  const state = standIn.addShop({ domain, accessToken: TOKEN, currencyCode: "USD" });
  return { gid: `gid://shopify/Shop/${state.numericId}`, admin: standInAdminClient({ url: standIn.url, shop: domain, accessToken: TOKEN }) };
}
const writes = (domain: string) => standIn.calls(domain).filter((c) => c.outcome === "ok" && c.operationName === "ShopProgramMetafieldSet").length;

describe("writeProgramMetafield", () => {
  it("writes the document once, with a definition the storefront and customer accounts can read", async () => {
    const domain = "program-write.myshopify.com";
    const { gid, admin } = shopOf(domain);
    const doc = buildTierProgram();
    expect(await writeProgramMetafield(admin, doc)).toBe("written");
    expect(standIn.metafieldJson(gid, "program", "$app:tierline", domain)).toEqual(doc);
    const definition = standIn.shop(domain).metafieldDefinitions.find((d) => d.ownerType === "SHOP" && d.key === "program");
    expect(definition).toMatchObject({ type: "json", access: { admin: "MERCHANT_READ", storefront: "PUBLIC_READ", customerAccount: "READ" } });

    // The same programme again (even with its keys in another order): read, not written.
    const reordered = JSON.parse(JSON.stringify({ levels: doc.levels, window: doc.window, currency: doc.currency, v: 1 })) as typeof doc;
    expect(await writeProgramMetafield(admin, reordered)).toBe("unchanged");
    expect(writes(domain)).toBe(1);

    const renamed = { ...doc, levels: doc.levels.map((l) => (l.id === "gold" ? { ...l, name: "Golden" } : l)) };
    expect(await writeProgramMetafield(admin, renamed)).toBe("written");
    expect(parseTierProgram(standIn.metafieldJson(gid, "program", "$app:tierline", domain))?.levels[1]?.name).toBe("Golden");
    expect(writes(domain)).toBe(2);
  });

  it("removes the document when there is no programme to show, once", async () => {
    const domain = "program-off.myshopify.com";
    const { gid, admin } = shopOf(domain);
    await writeProgramMetafield(admin, buildTierProgram());
    expect(await writeProgramMetafield(admin, null)).toBe("deleted");
    expect(standIn.metafieldJson(gid, "program", "$app:tierline", domain)).toBeUndefined();
    expect(await writeProgramMetafield(admin, null)).toBe("absent");
  });
});

describe("syncProgramMetafield (the job)", () => {
  it("writes the published programme, which every shopper surface reads", async () => {
    const domain = "program-job.myshopify.com";
    const { gid, admin } = shopOf(domain);
    await seedShop(db, domain, { currency: "USD" });
    expect(await syncProgramMetafield(db, admin, domain)).toBe("absent");
    await publishProgram(db, domain, FIXTURE_PROGRAM_JSON);
    expect(await syncProgramMetafield(db, admin, domain)).toBe("written");
    const stored = standIn.metafieldJson(gid, "program", "$app:tierline", domain);
    expect(parseTierProgram(JSON.stringify(stored))).toEqual(stored);
    const view = programView(stored, { locale: "en", t: createTranslator(MEMBER_MESSAGES_EN, "en") }, null);
    expect(view?.levels.map((l) => [l.name, l.requirements])).toEqual([
      ["Silver", ["$500 spent in the last 365 days"]],
      ["Gold", ["$1,000 spent and 5 orders in the last 365 days", "$400 in a single order in the last 30 days"]],
      ["VIP", ["By invitation only"]],
    ]);
    expect(await syncProgramMetafield(db, admin, domain)).toBe("unchanged");

    await publishProgram(db, domain, { ...FIXTURE_PROGRAM_JSON, enabled: false }, new Date("2026-02-01T00:00:00Z"));
    expect(await syncProgramMetafield(db, admin, domain)).toBe("deleted");
  });
});

describe("size", () => {
  // The largest level the admin accepts: a 60-character name, 10 groups of 10 conditions with the largest amounts and
  // windows, every benefit with 10 custom privileges of 80 characters and free shipping to every country.
  const countries = Array.from({ length: 250 }, (_, i) => `${String.fromCharCode(65 + Math.floor(i / 26))}${String.fromCharCode(65 + (i % 26))}`);
  const maximalLevel = (i: number) => ({
    id: `level-${String(i).padStart(2, "0")}-${"x".repeat(54)}`,
    name: `${"N".repeat(57)}${String(i).padStart(3, "0")}`,
    rank: i,
    upgrade: Array.from({ length: 10 }, () =>
      Array.from({ length: 10 }, (_, c) => ({
        kind: "accumulatedSpend",
        amount: `${(i + 1) * 1_000_000 + c}.99`,
        windowDays: 3650,
        scope: { tags: ["vip"] },
      })),
    ),
  });
  const benefits = (): TierBenefitItemV1[] => [
    { kind: "discount", type: "fixed", value: "99999.99", minimumOrder: "99999.99" },
    { kind: "freeShipping", countries, minimumOrder: "99999.99" },
    { kind: "points", multiplier: 9.99 },
    ...Array.from({ length: 10 }, (_, k) => ({ kind: "custom" as const, title: `${"P".repeat(78)}${String(k).padStart(2, "0")}`, icon: "trophy" })),
  ];
  const programOf = (levels: number) => {
    const program = parseProgram({
      currency: "USD",
      window: { kind: "rolling", days: 3650 },
      validity: { kind: "days", days: 3650 },
      levels: Array.from({ length: levels }, (_, i) => maximalLevel(i + 1)),
    });
    const shop: ShopDisplayInput = {
      currency: "USD",
      levels: new Map(
        program.levels.map((l) => [
          l.id,
          { name: l.name, rank: l.rank, card: { badge: "trophy", background: "#123456", text: "#fedcba", levelColor: "#abcdef", hideDates: true } },
        ]),
      ),
      benefits: new Map(program.levels.map((l) => [l.id, benefits()])),
    };
    return buildProgramDocument(program, shop);
  };
  const bytes = (doc: unknown) => Buffer.byteLength(JSON.stringify(doc), "utf8");

  it("a maximal level takes under 12 KB, so ten of them fit Shopify's 128 KB json cap", () => {
    const one = bytes(programOf(1));
    expect(one).toBeLessThan(12 * 1024);
    expect(bytes(programOf(10))).toBeLessThanOrEqual(JSON_METAFIELD_MAX_BYTES);
    expect(programMetafieldSizeIssue(programOf(10))).toBeNull();
    // Every condition survives the trip (nothing silently cut at the reader's limits).
    expect(parseTierProgram(JSON.stringify(programOf(10)))?.levels.map((l) => l.requirements.flat().length)).toEqual(Array(10).fill(100));
  });

  it("refuses a programme past the cap with a message that says what to trim", () => {
    expect(programMetafieldSizeIssue(programOf(14))).toMatch(
      /^The programme is too large for shoppers' pages \(\d+ KB; Shopify stores at most 128 KB\)\. Remove condition groups, conditions or levels/,
    );
  });
});
