import type { Db } from "~/db/client.server";
import { benefitsInput, formData, programJson, seedOrder, seedPublished, seedShop } from "../admin-builders";
import { installSession } from "./app-harness";

/**
 * Two installed shops for the isolation tests. Shop B holds one of everything the admin can address by id — a level
 * only B has, a member with personal data, ledger entries, a note, benefits, a draft, a scheduled version, a
 * recalculation job — written through the admin's own services, and `markers` lists strings that identify B's data,
 * which must never appear in anything shop A is shown.
 */

export const SHOP_A = "isolation-a.myshopify.com";
export const SHOP_B = "isolation-b.myshopify.com";

export interface ShopBIds {
  memberId: string;
  customerGid: string;
  customerNumber: string;
  levelId: string;
  draftVersionId: string;
  scheduledVersionId: string;
  publishedVersionId: string;
  recalculationJobId: string;
  markers: string[];
}

const B_LEVEL = { id: "beekeeper", name: "Apiary Reserve", rank: 3, upgrade: [[{ kind: "accumulatedSpend", amount: "600.00" }]] };

export async function seedTwoShops(db: Db): Promise<ShopBIds> {
  const { recomputeMemberNow } = await import("~/services/admin/member-recompute.server");
  const { memberAction } = await import("~/services/admin/members.server");
  const { saveBenefitsAction } = await import("~/services/admin/benefits.server");
  const { levelsListAction } = await import("~/services/admin/levels.server");
  const { publishNow, scheduleDraft } = await import("~/services/admin/publish.server");
  const now = Date.now();

  for (const shop of [SHOP_A, SHOP_B]) {
    await installSession(db, shop);
    await seedShop(db, shop);
  }
  // Shop A: an ordinary program and member, so its own pages have something to show.
  await seedPublished(db, SHOP_A, programJson({ points: { earn: [{ per: "amount", every: "1.00", points: 1 }] } }));
  await seedOrder(db, SHOP_A, "gid://shopify/Customer/1001", { total: "150.00" });
  await recomputeMemberNow(db, SHOP_A, "gid://shopify/Customer/1001", now);

  // Shop B.
  const customerNumber = "7770012345";
  const customerGid = `gid://shopify/Customer/${customerNumber}`;
  await seedPublished(
    db,
    SHOP_B,
    programJson({ levels: [...programJson().levels, B_LEVEL], points: { earn: [{ per: "amount", every: "1.00", points: 1 }] } }),
  );
  await seedOrder(db, SHOP_B, customerGid, { total: "640.00", id: "gid://shopify/Order/8880012345" });
  await recomputeMemberNow(db, SHOP_B, customerGid, now);
  await db.member.update({
    where: { shop_customerGid: { shop: SHOP_B, customerGid } },
    data: { email: "beatrix.bshop@example.org", firstName: "Beatrix", lastName: "Bumblewood", phone: "+15550199887" },
  });
  const member = await db.member.findUniqueOrThrow({ where: { shop_customerGid: { shop: SHOP_B, customerGid } } });
  await memberAction(
    db,
    SHOP_B,
    member.id,
    formData({ intent: "adjustPoints", points: "25", note: "Bshop private apology note", key: "b-seed-adjust" }),
    now,
  );
  await saveBenefitsAction(
    db,
    SHOP_B,
    B_LEVEL.id,
    formData({ intent: "save", payload: benefitsInput({ custom: [{ title: "Bshop honey tasting", icon: "star" }] }) }),
    now,
  );
  // A recalculation job (publish), then a scheduled version, then a pending draft.
  await levelsListAction(db, SHOP_B, formData({ intent: "setEnabled", levelId: "silver", enabled: "false" }));
  const published = await publishNow(db, SHOP_B, now);
  await levelsListAction(db, SHOP_B, formData({ intent: "setEnabled", levelId: "silver", enabled: "true" }));
  const scheduled = await scheduleDraft(db, SHOP_B, now + 86_400_000, now);
  await levelsListAction(db, SHOP_B, formData({ intent: "setEnabled", levelId: "gold", enabled: "false" }));
  const draft = await db.programVersion.findFirstOrThrow({ where: { shop: SHOP_B, status: "draft" } });

  return {
    memberId: member.id,
    customerGid,
    customerNumber,
    levelId: B_LEVEL.id,
    draftVersionId: draft.id,
    scheduledVersionId: scheduled.versionId,
    publishedVersionId: published.versionId,
    recalculationJobId: published.jobId,
    markers: [
      member.id,
      customerNumber,
      "beatrix",
      "bumblewood",
      "bshop",
      "5550199887",
      B_LEVEL.id,
      "Apiary",
      draft.id,
      scheduled.versionId,
      published.versionId,
      published.jobId,
      SHOP_B,
    ],
  };
}
