import { containsText, type Tx } from "~/db/client.server";

/**
 * Personal data and its removal. Tierline keeps little personal data: a member's name, email and phone (for the
 * admin's member list), and the raw webhook bodies in the inbox (which carry names, emails and addresses). Facts
 * (orders, refunds, ledger, audit) hold ids and amounts only, so a redacted member keeps their level and history
 * without anything that names them.
 */

export interface MemberProfile {
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
}

const NO_PROFILE: MemberProfile = { email: null, firstName: null, lastName: null, phone: null };
/** The birthday is personal data too: redact and delete clear it with the profile. */
const NO_BIRTHDAY = { birthday: null, birthdaySource: null, birthdaySetAt: null };

/** What a redacted inbox row keeps instead of the body. */
export const REDACTED_PAYLOAD = '{"redacted":true}';

/** Updates an existing member's personal data; customers who are not members are not stored. */
export async function updateMemberProfile(tx: Tx, shop: string, customerGid: string, profile: MemberProfile): Promise<boolean> {
  const { count } = await tx.member.updateMany({ where: { shop, customerGid, deletedAt: null, redactedAt: null }, data: profile });
  return count > 0;
}

export interface RedactRequest {
  customerGid: string;
  email: string | null;
  phone: string | null;
  /** Orders Shopify names in `orders_to_redact`. */
  orderGids: string[];
}

/**
 * customers/redact: every trace of the customer's identity goes — the member's name, email and phone, notes the
 * merchant typed about them, and the stored webhook bodies that mention them (by customer, by their orders, or by
 * their email, phone or name anywhere in the body). Ids and amounts stay, so shop-level statistics do not change.
 */
export async function redactCustomer(tx: Tx, shop: string, request: RedactRequest, now: Date): Promise<{ inboxRows: number }> {
  const member = await tx.member.findUnique({ where: { shop_customerGid: { shop, customerGid: request.customerGid } } });
  const orders = await tx.orderFact.findMany({ where: { shop, customerGid: request.customerGid }, select: { orderGid: true } });
  const orderGids = [...new Set([...request.orderGids, ...orders.map((o) => o.orderGid)])];
  const fullName = [member?.firstName, member?.lastName].filter(Boolean).join(" ");
  const needles = [request.email, request.phone, member?.email, member?.phone, fullName.includes(" ") ? fullName : null].filter(
    (s): s is string => typeof s === "string" && s.trim().length >= 5,
  );

  if (member) {
    await tx.member.update({ where: { id: member.id }, data: { ...NO_PROFILE, ...NO_BIRTHDAY, redactedAt: now, version: { increment: 1 } } });
    await tx.pointsEntry.updateMany({ where: { shop, memberId: member.id, note: { not: null } }, data: { note: null } });
  }
  await tx.memberAdjustment.updateMany({ where: { shop, customerGid: request.customerGid, note: { not: null } }, data: { note: null, actor: null } });
  // Checkpoints copy the ledger's notes: dropped (a cache, rebuilt by the next recalculation without the notes).
  await tx.memberCheckpoint.deleteMany({ where: { shop, customerGid: request.customerGid } });
  // Flow events carry the member's name in their messages: dropped (sent long ago, or no longer to be sent).
  await tx.flowEvent.deleteMany({ where: { shop, customerGid: request.customerGid } });

  const { count } = await tx.webhookInbox.updateMany({
    where: {
      shop,
      payload: { not: REDACTED_PAYLOAD },
      OR: [
        { customerGid: request.customerGid },
        ...(orderGids.length ? [{ orderGid: { in: orderGids } }] : []),
        ...needles.map((needle) => ({ payload: containsText(tx, needle) })),
      ],
    },
    data: { payload: REDACTED_PAYLOAD },
  });
  return { inboxRows: count };
}

/** customers/delete: the member stays for the shop's history, without personal data, and is no longer synced. */
export async function forgetDeletedCustomer(tx: Tx, shop: string, customerGid: string, now: Date): Promise<void> {
  await tx.member.updateMany({ where: { shop, customerGid }, data: { ...NO_PROFILE, ...NO_BIRTHDAY, deletedAt: now, version: { increment: 1 } } });
  await tx.syncState.deleteMany({ where: { shop, subject: customerGid } });
}

/**
 * customers/merge: Shopify moved the deleted customer's orders to the kept one, so their facts move too. The kept
 * member is then recomputed from everything; the deleted member's replay is empty, so its ledger is corrected to 0.
 */
export async function mergeCustomers(tx: Tx, shop: string, deletedGid: string, keptGid: string, now: Date): Promise<string[]> {
  if (deletedGid === keptGid) return [];
  await tx.orderFact.updateMany({ where: { shop, customerGid: deletedGid }, data: { customerGid: keptGid } });
  await tx.refundFact.updateMany({ where: { shop, customerGid: deletedGid }, data: { customerGid: keptGid } });
  // Points adjustments belong to the person; manual level assignments were a decision about the old record only.
  await tx.memberAdjustment.updateMany({ where: { shop, customerGid: deletedGid, kind: "points" }, data: { customerGid: keptGid } });
  await forgetDeletedCustomer(tx, shop, deletedGid, now);
  return [keptGid, deletedGid];
}

/** Every table that holds a shop's data, children before parents. */
const SHOP_TABLES = [
  "memberCheckpoint",
  "pointsEntry",
  "levelChange",
  "member",
  "memberAdjustment",
  "refundFact",
  "orderFact",
  "productScope",
  "flowEvent",
  "benefit",
  "level",
  "programVersion",
  "syncState",
  "webhookInbox",
  "job",
  "session",
] as const;

/**
 * app/uninstalled and shop/redact: deletes all of a shop's data, sessions included, and nothing of another shop.
 * Uninstalling keeps the Shop row as a tombstone (uninstalledAt) so late deliveries are recognised and a reinstall
 * starts clean; shop/redact removes that too.
 */
export async function purgeShop(tx: Tx, shop: string, opts: { keepTombstone: boolean; now: Date }): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  for (const table of SHOP_TABLES) {
    const delegate = (tx as unknown as Record<string, { deleteMany(args: { where: { shop: string } }): Promise<{ count: number }> }>)[table];
    deleted[table] = (await delegate.deleteMany({ where: { shop } })).count;
  }
  if (opts.keepTombstone) {
    await tx.shop.updateMany({ where: { domain: shop }, data: { uninstalledAt: opts.now, settingsJson: null } });
  } else {
    deleted.shop = (await tx.shop.deleteMany({ where: { domain: shop } })).count;
  }
  return deleted;
}
