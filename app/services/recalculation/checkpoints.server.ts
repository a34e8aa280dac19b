import type { Db, Tx } from "~/db/client.server";
import type { FoldResult, MemberCheckpoint } from "~/domain/checkpoint";
import type { ShopContext } from "../shop-context.server";
import { keepsCheckpoints, type CheckpointSlot } from "./checkpoints";

/**
 * MemberCheckpoint rows (docs/checkpoints.md): read before a member's fold, written in the transaction that writes the
 * member's state. A row the fold finds stale (a fact changed before its position) is simply replaced.
 */

/** A member's stored checkpoints, by slot. */
export type StoredCheckpoints = Partial<Record<CheckpointSlot, MemberCheckpoint>>;

/** The checkpoints to start a fold from. */
export const checkpointList = (stored: StoredCheckpoints | undefined): MemberCheckpoint[] =>
  stored ? (Object.values(stored) as MemberCheckpoint[]) : [];

/**
 * The checkpoints kept for these customers (malformed rows are skipped: the fold then starts from the first event).
 * None are read for a shop that keeps none (keepsCheckpoints).
 */
export async function loadCheckpoints(db: Db | Tx, ctx: ShopContext, customerGids: string[]): Promise<Map<string, StoredCheckpoints>> {
  const out = new Map<string, StoredCheckpoints>();
  if (customerGids.length === 0 || !keepsCheckpoints(ctx)) return out;
  const shop = ctx.shop;
  const rows = await db.memberCheckpoint.findMany({
    where: { shop, customerGid: { in: customerGids } },
    select: { customerGid: true, slot: true, stateJson: true },
  });
  for (const row of rows) {
    if (row.slot !== "latest" && row.slot !== "stable") continue;
    let checkpoint: MemberCheckpoint;
    try {
      checkpoint = JSON.parse(row.stateJson) as MemberCheckpoint;
    } catch {
      continue;
    }
    let stored = out.get(row.customerGid);
    if (!stored) out.set(row.customerGid, (stored = {}));
    stored[row.slot] = checkpoint;
  }
  return out;
}

/**
 * Keeps the fold's checkpoints for the member: a slot's row is written only when the fold's checkpoint differs from
 * the one stored there, and deleted when the fold has none for it. `stored` is what loadCheckpoints returned.
 */
export async function saveCheckpoints(
  tx: Tx,
  shop: string,
  customerGid: string,
  fold: Pick<FoldResult, "latest" | "stable"> | null,
  stored: StoredCheckpoints | undefined,
  now: Date,
): Promise<void> {
  if (fold === null && stored === undefined) return;
  const slots: [CheckpointSlot, MemberCheckpoint | null][] = [
    ["latest", fold?.latest ?? null],
    ["stable", fold?.stable ?? null],
  ];
  for (const [slot, checkpoint] of slots) {
    const was = stored?.[slot];
    if (checkpoint === null || checkpoint.count === 0) {
      if (was) await tx.memberCheckpoint.deleteMany({ where: { shop, customerGid, slot } });
      continue;
    }
    if (was && was.count === checkpoint.count && was.hash === checkpoint.hash) continue;
    const data = {
      eventCount: checkpoint.count,
      lastAt: checkpoint.lastAt === null ? null : new Date(checkpoint.lastAt),
      hash: checkpoint.hash,
      stateJson: JSON.stringify(checkpoint),
      writtenAt: now,
    };
    await tx.memberCheckpoint.upsert({
      where: { shop_customerGid_slot: { shop, customerGid, slot } },
      create: { shop, customerGid, slot, ...data },
      update: data,
    });
  }
}
