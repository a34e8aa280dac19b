import { beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { levelEditAction, levelEditView, levelsListAction, levelsView } from "~/services/admin/levels.server";
import { loadVersions, programOf } from "~/services/admin/program-drafts.server";
import { saveSettingsAction } from "~/services/admin/settings.server";
import { adminTestDb, rejected } from "../support/admin-test-db";
import { formData, levelInput, ordersInput, programJson, seedMember, seedPublished, settingsInput, spendInput } from "../support/admin-builders";

const SHOP = "levels.myshopify.com";
const shopDb = adminTestDb(SHOP);
let db: Db;
beforeEach(() => void (db = shopDb.db));

const draftLevels = async () => programOf((await loadVersions(db, SHOP)).draft)?.levels ?? null;
const versionRows = () => db.programVersion.findMany({ orderBy: { createdAt: "asc" } });
const save = (levelId: string | null, input: Record<string, unknown>) =>
  levelEditAction(db, SHOP, levelId, formData({ intent: "save", payload: input }));

describe("creating and editing levels", () => {
  it("creates the first level on a new draft and lists it", async () => {
    const result = await save(null, levelInput({ name: "Silver", upgrade: [[spendInput("100")]] }));
    expect(result).toEqual({ levelId: "silver", deleted: false });
    expect(await draftLevels()).toEqual([
      expect.objectContaining({ id: "silver", name: "Silver", rank: 1, upgrade: [[{ kind: "accumulatedSpend", amount: "100.00" }]] }),
    ]);
    const view = await levelsView(db, SHOP);
    expect(view.levels).toEqual([expect.objectContaining({ id: "silver", state: "draft", memberCount: 0, conditionSummary: "spend ≥ $100.00" })]);
    expect(view.draftPending).toBe(true);
  });

  it("edits a published level on a draft copy; the published version is untouched", async () => {
    const published = await seedPublished(db, SHOP);
    await save("gold", levelInput({ name: "Gold", upgrade: [[spendInput("800")], [ordersInput(10)]] }));
    const rows = await versionRows();
    expect(rows.map((r) => r.status)).toEqual(["published", "draft"]);
    expect(rows[0].programJson).toBe(published.programJson);
    const gold = (await draftLevels())!.find((l) => l.id === "gold")!;
    expect(gold.upgrade).toEqual([[{ kind: "accumulatedSpend", amount: "800.00" }], [{ kind: "orderCount", count: 10 }]]);
    expect((await levelsView(db, SHOP)).levels.map((l) => [l.id, l.state])).toEqual([
      ["silver", "published"],
      ["gold", "changed"],
    ]);
  });

  it.each([
    ["a bad amount (zod)", levelInput({ upgrade: [[spendInput("12,34")]] }), "upgrade[0][0].amount", /Spend must be an amount/],
    [
      "a threshold below a lower level (engine)",
      levelInput({ upgrade: [[spendInput("50")]] }),
      "upgrade[0][0].amount",
      /thresholds must rise with rank/,
    ],
    [
      "a level no harder than a lower one (engine)",
      levelInput({ upgrade: [[spendInput("100")]] }),
      "upgrade[0][0].amount",
      /^"Gold" is no harder to reach than lower level "Silver": whoever meets "Silver" group 1 \(accumulatedSpend ≥ 100\.00\)/,
    ],
    ["an empty name", levelInput({ name: "" }), "name", /Name is required/],
  ])("rejects %s on the right field and saves nothing", async (_n, input, field, message) => {
    await seedPublished(db, SHOP);
    const e = await rejected(() => save("gold", input));
    expect(e.status).toBe(422);
    expect(e.errors[field]).toMatch(message);
    expect((await versionRows()).map((r) => r.status)).toEqual(["published"]);
  });

  it("saves a level with a lower level's threshold plus an extra condition (issue 12: equal thresholds are fine)", async () => {
    await seedPublished(db, SHOP);
    await save("gold", levelInput({ upgrade: [[spendInput("100"), ordersInput(3)]] }));
    expect((await draftLevels())!.find((l) => l.id === "gold")!.upgrade).toEqual([
      [
        { kind: "accumulatedSpend", amount: "100.00" },
        { kind: "orderCount", count: 3 },
      ],
    ]);
  });

  it("an edit that breaks another level's rule is reported on the form, naming that level", async () => {
    await seedPublished(db, SHOP);
    const e = await rejected(() => save("silver", levelInput({ name: "Silver", upgrade: [[spendInput("900")]] })));
    expect(Object.keys(e.errors)).toEqual(["_form"]);
    expect(e.errors._form).toMatch(/^Gold, upgrade group 1, condition 1: accumulatedSpend thresholds must rise/);
  });

  it("a malformed payload is a 400 and an unknown level a 404", async () => {
    await seedPublished(db, SHOP);
    expect((await rejected(() => levelEditAction(db, SHOP, "gold", formData({ intent: "save", payload: "{not json" })))).status).toBe(400);
    expect((await rejected(() => levelEditAction(db, SHOP, "gold", formData({ intent: "save" })))).status).toBe(400);
    expect((await rejected(() => save("bronze", levelInput()))).status).toBe(404);
    expect((await rejected(() => levelEditView(db, SHOP, "bronze"))).status).toBe(404);
    expect((await versionRows()).length).toBe(1);
  });

  it.each([
    ["basic", null, 3, "Your Basic plan allows 3 levels"],
    ["pro", null, 5, "Your Pro plan allows 5 levels"],
    ["basic", 4, 4, "allows 4 levels"],
  ])("enforces the %s plan's cap (override %s): %i levels", async (plan, override, cap, message) => {
    await db.shop.update({ where: { domain: SHOP }, data: { plan, levelCap: override } });
    for (let i = 1; i <= cap; i++) await save(null, levelInput({ name: `L${i}`, upgrade: [[spendInput(`${i * 100}`)]] }));
    expect((await draftLevels())!.length).toBe(cap);
    const e = await rejected(() => save(null, levelInput({ name: "One more", upgrade: [[spendInput("99999")]] })));
    expect(e.status).toBe(409);
    expect(e.errors._form).toContain(message);
    expect((await draftLevels())!.length).toBe(cap);
    const view = await levelsView(db, SHOP);
    expect(view.capMessage).toContain(message);
    expect((await levelEditView(db, SHOP, null)).capMessage).toContain(message);
  });
});

describe("deleting a level", () => {
  it("is refused while members hold it, and says why", async () => {
    await seedPublished(db, SHOP);
    await seedMember(db, SHOP, "gid://shopify/Customer/1", { levelId: "gold", status: "active" });
    await seedMember(db, SHOP, "gid://shopify/Customer/2", { levelId: "gold", status: "grace" });
    const e = await rejected(() => levelEditAction(db, SHOP, "gold", formData({ intent: "delete" })));
    expect(e.status).toBe(409);
    expect(e.errors._form).toMatch(/Gold cannot be deleted: 2 members hold it/);
    expect(await loadVersions(db, SHOP).then((v) => v.draft)).toBeNull();
  });

  it("removes a level nobody holds, with the earn rules that named only it", async () => {
    await seedPublished(
      db,
      SHOP,
      programJson({
        points: {
          earn: [
            { per: "amount", every: "1.00", points: 2, levels: ["gold"] },
            { per: "amount", every: "1.00", points: 1, levels: ["silver", "gold"] },
          ],
        },
      }),
    );
    await seedMember(db, SHOP, "gid://shopify/Customer/1", { levelId: "silver", status: "active" });
    expect(await levelEditAction(db, SHOP, "gold", formData({ intent: "delete" }))).toEqual({ levelId: "gold", deleted: true });
    const draft = programOf((await loadVersions(db, SHOP)).draft)!;
    expect(draft.levels!.map((l) => l.id)).toEqual(["silver"]);
    expect((draft.points as any).earn).toEqual([{ per: "amount", every: "1.00", points: 1, levels: ["silver"] }]);
    expect((await levelsView(db, SHOP)).removed).toEqual([{ id: "gold", name: "Gold" }]);
  });
});

describe("the levels list", () => {
  beforeEach(async () => {
    await seedPublished(
      db,
      SHOP,
      programJson({ levels: [...programJson().levels, { id: "vip", name: "VIP", rank: 3, internalOnly: true, upgrade: [] }] }),
    );
  });

  it("orders by rank with member counts and flags", async () => {
    await seedMember(db, SHOP, "gid://shopify/Customer/1", { levelId: "gold", status: "active" });
    await seedMember(db, SHOP, "gid://shopify/Customer/2", { levelId: "gold", status: "active" });
    await seedMember(db, SHOP, "gid://shopify/Customer/3", { levelId: "vip", status: "active", deletedAt: new Date() });
    const view = await levelsView(db, SHOP);
    expect(view.levels.map((l) => [l.id, l.rank, l.memberCount, l.internalOnly, l.conditionSummary])).toEqual([
      ["silver", 1, 0, false, "spend ≥ $100.00"],
      ["gold", 2, 2, false, "spend ≥ $500.00"],
      ["vip", 3, 0, true, "Assigned by hand"],
    ]);
  });

  it("switches a level off and on in the draft", async () => {
    await levelsListAction(db, SHOP, formData({ intent: "setEnabled", levelId: "gold", enabled: "false" }));
    expect((await draftLevels())!.find((l) => l.id === "gold")!.enabled).toBe(false);
    await levelsListAction(db, SHOP, formData({ intent: "setEnabled", levelId: "gold", enabled: "true" }));
    expect((await draftLevels())!.find((l) => l.id === "gold")!.enabled).toBe(true);
  });

  it("moves a level by swapping ranks, and refuses a move that breaks rising thresholds", async () => {
    expect((await rejected(() => levelsListAction(db, SHOP, formData({ intent: "move", levelId: "vip", direction: "down" })))).errors._form).toBe(
      "VIP is already the highest level.",
    );
    const e = await rejected(() => levelsListAction(db, SHOP, formData({ intent: "move", levelId: "gold", direction: "up" })));
    expect(e.errors._form).toMatch(/^Silver, upgrade group 1, condition 1: accumulatedSpend thresholds must rise with rank/);
    expect(await loadVersions(db, SHOP).then((v) => v.draft)).toBeNull();
    await levelsListAction(db, SHOP, formData({ intent: "move", levelId: "vip", direction: "up" }));
    expect((await levelsView(db, SHOP)).levels.map((l) => [l.id, l.rank])).toEqual([
      ["silver", 1],
      ["vip", 2],
      ["gold", 3],
    ]);
  });

  it.each([
    [{ intent: "explode", levelId: "gold" }, "intent"],
    [{ intent: "move", levelId: "gold", direction: "sideways" }, "direction"],
    [{ intent: "setEnabled", levelId: "" }, "levelId"],
  ])("rejects %j", async (fields, field) => {
    const e = await rejected(() => levelsListAction(db, SHOP, formData(fields)));
    expect(Object.keys(e.errors)).toContain(field);
    expect(await loadVersions(db, SHOP).then((v) => v.draft)).toBeNull();
  });
});

it("saves of different parts of the draft do not overwrite each other", async () => {
  await seedPublished(db, SHOP);
  await Promise.all([
    save("gold", levelInput({ name: "Gold", upgrade: [[spendInput("750")]] })),
    saveSettingsAction(db, SHOP, formData({ intent: "save", payload: settingsInput({ graceDays: "30" }) })),
  ]);
  const draft = programOf((await loadVersions(db, SHOP)).draft)!;
  expect(draft.graceDays).toBe(30);
  expect(draft.levels!.find((l) => l.id === "gold")!.upgrade).toEqual([[{ kind: "accumulatedSpend", amount: "750.00" }]]);
  expect((await versionRows()).filter((r) => r.status === "draft")).toHaveLength(1);
});

it("a level saved without changes is not flagged as changed", async () => {
  await seedPublished(db, SHOP);
  const view = await levelEditView(db, SHOP, "gold");
  const { levelPayload } = await import("~/forms/level-form");
  await save("gold", levelPayload(view.form));
  await save("silver", levelInput({ name: "Silver", upgrade: [[spendInput("150")]] }));
  expect((await levelsView(db, SHOP)).levels.map((l) => [l.id, l.state])).toEqual([
    ["silver", "changed"],
    ["gold", "published"],
  ]);
});
