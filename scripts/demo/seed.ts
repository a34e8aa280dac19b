import fs from "node:fs";
import path from "node:path";
import type { Db } from "~/db/client.server";
import { benefitsFormValues, benefitsPayload, type ShopperBenefits } from "~/forms/benefits-form";
import { saveBenefitsAction } from "~/services/admin/benefits.server";
import { levelFormValues, levelPayload, type ProgramJson } from "~/forms/level-form";
import { levelEditAction } from "~/services/admin/levels.server";
import { publishNow } from "~/services/admin/publish.server";
import { settingsFormValues, settingsPayload } from "~/forms/settings-form";
import { saveSettingsAction } from "~/services/admin/settings.server";
import type { StandIn } from "../../tools/shopify-stand-in";
import { customerSeeds, historyOrderSeeds, KNITWEAR_COLLECTION, productSeeds, type DemoShopData } from "./shop-data";

/**
 * Seeding the demo shop the way it would come to be for real: the Shopify store (stand-in) holds products,
 * customers and their past orders, and the merchant sets the program up in the admin — program settings, each
 * level's editor, each level's benefits — and publishes it. The admin's own services do the work, fed with the
 * payloads the admin's editors submit, so level rows, benefit rows and the discount configuration job come out
 * exactly as a merchant's clicks would leave them.
 */

const here = import.meta.dirname;

export function demoProgram(): ProgramJson {
  return JSON.parse(fs.readFileSync(path.join(here, "program.json"), "utf8")) as ProgramJson;
}

export function demoBenefits(): Record<string, ShopperBenefits> {
  return JSON.parse(fs.readFileSync(path.join(here, "benefits.json"), "utf8")) as Record<string, ShopperBenefits>;
}

/** The store's side: products, customers and order history (the install backfill imports the orders). */
export function seedStore(standIn: StandIn, shop: string, data: DemoShopData, anchor: number, opts: { orders: boolean }): void {
  standIn.seed(
    { products: productSeeds(), customers: customerSeeds(data, anchor), orders: opts.orders ? historyOrderSeeds(data, anchor) : [] },
    shop,
  );
  standIn.catalog.nameCollection(standIn.shop(shop), KNITWEAR_COLLECTION, "Knitwear");
}

function form(payload: unknown): FormData {
  const f = new FormData();
  f.set("intent", "save");
  f.set("payload", JSON.stringify(payload));
  return f;
}

/**
 * Enters `program` (scenario JSON, with the admin's card and resource titles on each level) and `benefits` through
 * the admin's services, then publishes. Returns the published version and the recalculation job it queued.
 */
export async function publishDemoProgram(
  db: Db,
  shop: string,
  now: number,
  program: ProgramJson = demoProgram(),
  benefits: Record<string, ShopperBenefits> = demoBenefits(),
): Promise<{ versionId: string; jobId: string }> {
  await saveSettingsAction(db, shop, form(settingsPayload(settingsFormValues(program, null))));
  const levels = [...(program.levels ?? [])].sort((a, b) => a.rank - b.rank);
  for (const level of levels) {
    // A new level's id is a slug of its name: the file's ids must be those slugs, or tags would not match.
    const saved = await levelEditAction(db, shop, null, form(levelPayload(levelFormValues(level))));
    if (saved.levelId !== level.id)
      throw new Error(`program.json: level "${level.name}" gets the id "${saved.levelId}" in the admin, not "${level.id}"`);
  }
  for (const level of levels) {
    const shopper = benefits[level.id];
    if (!shopper) throw new Error(`benefits.json has no entry for level "${level.id}"`);
    await saveBenefitsAction(db, shop, level.id, form(benefitsPayload(benefitsFormValues(program, level.id, shopper))), now);
  }
  return publishNow(db, shop, now);
}
