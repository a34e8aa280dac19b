import { z } from "zod";
import type { Db, DbOrTx } from "~/db/client.server";
import { formObject, parseForm, readJsonPayload } from "~/forms/form-errors";
import type { NotificationTemplates } from "~/forms/notification-templates";
import { storedRedemptionSettings } from "~/forms/redemption-settings";
import { requestProgramMetafieldSync } from "../program-metafield.server";
import { draftPending, editableProgram, editDraft } from "./program-drafts.server";
import { applySettings, parseSettingsForm, settingsFormValues } from "~/forms/settings-form";
import type { SettingsView } from "~/forms/view-models";

/** Shop settings that are not program rules, kept in Shop.settingsJson beside whatever else is stored there. */
export async function loadShopSettings(db: DbOrTx, shop: string): Promise<{ notifications?: NotificationTemplates; [k: string]: unknown }> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { settingsJson: true } });
  return row?.settingsJson ? JSON.parse(row.settingsJson) : {};
}

export async function settingsView(db: Db, shop: string): Promise<SettingsView> {
  const [{ program, versions, formKey }, settings] = await Promise.all([editableProgram(db, shop), loadShopSettings(db, shop)]);
  return {
    formKey,
    form: settingsFormValues(program, settings.notifications ?? null, storedRedemptionSettings(settings.redemption)),
    draftPending: draftPending(versions),
  };
}

const intentSchema = z.object({ intent: z.literal("save", { error: "Unknown action" }) });

/** Program rules go on the draft (effective on publish); notification templates and redemption apply at once. One transaction. */
export async function saveSettingsAction(db: Db, shop: string, form: FormData): Promise<{ saved: true }> {
  parseForm(intentSchema, formObject(form));
  const input = parseSettingsForm(readJsonPayload(form));
  return editDraft(db, shop, async ({ program }, tx) => {
    const settings = await loadShopSettings(tx, shop);
    const settingsJson = JSON.stringify({ ...settings, notifications: input.notifications, redemption: input.redemption });
    await tx.shop.upsert({ where: { domain: shop }, create: { domain: shop, settingsJson }, update: { settingsJson } });
    // Redemption applies on save too: the shoppers' copy of its rules (the programme metafield) is rewritten.
    if (JSON.stringify(storedRedemptionSettings(settings.redemption)) !== JSON.stringify(input.redemption))
      await requestProgramMetafieldSync(tx, shop, Date.now());
    return { program: applySettings(program, input), result: { saved: true as const } };
  });
}
