import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/client.server";
import { FormValidationError } from "~/forms/form-errors";
import { PROGRAM_METAFIELD_JOB } from "~/queue/job-kinds";
import { saveSettingsAction, settingsView } from "~/services/admin/settings.server";
import { publishedProgramMetafield } from "~/services/program-metafield.server";
import { loadRedemptionSettings } from "~/services/rewards/redemption.server";
import { parseTierProgram } from "~/shared/tier-metafield";
import { createTestDb, type TestDb } from "../support/db";
import { formData, seedPublished, seedShop, settingsInput } from "../support/admin-builders";

// The merchant's redemption settings through the settings page's own service: saved as a shop setting (in force at
// once, no publish), shown again on the form, and copied to the shoppers' programme metafield.

const SHOP = "redeem-settings.myshopify.com";
const ON = { enabled: true, points: "100", value: "5", minimumPoints: "200", stepPoints: "100", storeCredit: true };

let t: TestDb;
let db: Db;
beforeEach(async () => {
  t = await createTestDb();
  db = t.db;
  await seedShop(db, SHOP);
  await seedPublished(db, SHOP);
});
afterEach(() => t.cleanup());

const save = (redemption: unknown) => saveSettingsAction(db, SHOP, formData({ intent: "save", payload: settingsInput({ redemption }) }));

describe("redemption settings on the settings page", () => {
  it("apply on save: the backend uses them at once, the form shows them, the shoppers' metafield is rewritten", async () => {
    expect((await loadRedemptionSettings(db, SHOP)).enabled).toBe(false);
    expect(parseTierProgram(await publishedProgramMetafield(db, SHOP))?.redemption).toBeUndefined();

    await save(ON);
    expect(await loadRedemptionSettings(db, SHOP)).toEqual({
      enabled: true,
      points: 100,
      value: "5.00",
      minimumPoints: 200,
      stepPoints: 100,
      storeCredit: true,
    });
    expect((await settingsView(db, SHOP)).form.redemption).toEqual({ ...ON, value: "5.00" });
    expect(await db.job.count({ where: { shop: SHOP, type: PROGRAM_METAFIELD_JOB } })).toBe(1);
    expect(parseTierProgram(await publishedProgramMetafield(db, SHOP))?.redemption).toEqual({
      points: 100,
      value: "5.00",
      minimumPoints: 200,
      stepPoints: 100,
      storeCredit: true,
    });
    // A shop setting, not a programme rule: no version of the programme carries it.
    for (const v of await db.programVersion.findMany({ where: { shop: SHOP } })) expect(v.programJson).not.toContain("redemption");
  });

  it("turned off, shoppers are no longer offered redemption", async () => {
    await save(ON);
    await save({ ...ON, enabled: false });
    expect((await loadRedemptionSettings(db, SHOP)).enabled).toBe(false);
    expect(parseTierProgram(await publishedProgramMetafield(db, SHOP))?.redemption).toBeUndefined();
  });

  it("a bad rate is refused with the field named and nothing saved", async () => {
    const refused = await save({ ...ON, minimumPoints: "150" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FormValidationError);
    expect((refused as FormValidationError).errors["redemption.minimumPoints"]).toMatch(/multiple of the step/);
    expect((await loadRedemptionSettings(db, SHOP)).enabled).toBe(false);
  });

  it("a save without the section (an older page) keeps redemption off", async () => {
    await saveSettingsAction(db, SHOP, formData({ intent: "save", payload: settingsInput() }));
    expect((await loadRedemptionSettings(db, SHOP)).enabled).toBe(false);
  });
});
