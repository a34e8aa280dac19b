// Publishing and the shop's `program` metafield: every publish (now or scheduled) queues its rewrite, and a programme
// whose document would pass Shopify's 128 KB json cap is refused with what to trim, before anything changes.
import { describe, expect, it } from "vitest";
import { publishAction, runScheduledPublish } from "~/services/admin/publish.server";
import { PROGRAM_METAFIELD_JOB, programMetafieldKey, RECALCULATE_JOB } from "~/queue/job-kinds";
import { adminTestDb, rejected } from "../support/admin-test-db";
import { formData, programJson, seedPublished } from "../support/admin-builders";

const SHOP = "program-publish.myshopify.com";
const NOW = Date.parse("2026-03-01T12:00:00Z");
const shopDb = adminTestDb(SHOP, (db) => seedPublished(db, SHOP));
const act = (fields: Record<string, unknown>, now = NOW) => publishAction(shopDb.db, SHOP, formData(fields), now);

/** A level as large as the admin allows: 10 groups of 10 spend conditions in their own windows. */
const maximalLevel = (i: number) => ({
  id: `level-${i}`,
  name: `${"N".repeat(57)}${String(i).padStart(3, "0")}`,
  rank: i,
  upgrade: Array.from({ length: 10 }, () =>
    Array.from({ length: 10 }, (_, c) => ({
      kind: "accumulatedSpend",
      amount: `${i * 1_000_000 + c}.99`,
      windowDays: 3650,
      scope: { tags: ["vip"] },
    })),
  ),
});
const draft = (program: unknown) => shopDb.db.programVersion.create({ data: { shop: SHOP, status: "draft", programJson: JSON.stringify(program) } });

describe("publish and the programme metafield", () => {
  it("queues the rewrite of the programme metafield with the recalculation", async () => {
    await draft(programJson({ currency: "EUR" }));
    await act({ intent: "publish" });
    const jobs = await shopDb.db.job.findMany({ where: { shop: SHOP }, select: { type: true, key: true } });
    expect(jobs).toEqual(
      expect.arrayContaining([{ type: PROGRAM_METAFIELD_JOB, key: programMetafieldKey(SHOP) }, expect.objectContaining({ type: RECALCULATE_JOB })]),
    );
  });

  it("a scheduled publish queues it too", async () => {
    await draft(programJson({ currency: "EUR" }));
    const { versionId } = await act({ intent: "schedule", publishAt: new Date(NOW + 3_600_000).toISOString() });
    await shopDb.db.job.deleteMany({ where: { type: PROGRAM_METAFIELD_JOB } });
    expect((await runScheduledPublish(shopDb.db, { versionId }, NOW + 3_600_000, SHOP)).published).toBe(true);
    expect(await shopDb.db.job.count({ where: { type: PROGRAM_METAFIELD_JOB } })).toBe(1);
  });

  it("refuses a programme too large for shoppers' pages, and nothing changes", async () => {
    await draft(programJson({ levels: Array.from({ length: 20 }, (_, i) => maximalLevel(i + 1)) }));
    const e = await rejected(() => act({ intent: "publish" }));
    expect(e.status).toBe(422);
    expect(JSON.stringify(e.errors)).toMatch(/The programme is too large for shoppers' pages \(\d+ KB; Shopify stores at most 128 KB\)/);
    expect((await shopDb.db.programVersion.findMany()).map((v) => v.status).sort()).toEqual(["draft", "published"]);
    expect(await shopDb.db.job.count()).toBe(0);
  });

  it("publishes ten maximal levels", async () => {
    await draft(programJson({ levels: Array.from({ length: 10 }, (_, i) => maximalLevel(i + 1)) }));
    await expect(act({ intent: "publish" })).resolves.toMatchObject({ versionId: expect.any(String) });
  });
});
