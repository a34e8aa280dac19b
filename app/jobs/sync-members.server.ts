import { Prisma } from "@prisma/client";
import { dbProvider, type Db } from "~/db/client.server";
import { jsonTextRows, sqlInstant } from "~/db/raw-values.server";
import { readInSlices } from "~/db/in-slices.server";
import { changedMetafieldKeys, memberShopperView, shopperViewHash, TAG_OWED, withTagOwed } from "~/services/member-sync-records.server";
import type { MemberMetafieldKey } from "~/shared/metafield-keys";
import { issuedRewardsByMember } from "~/services/rewards/reward-records.server";
import { loadShopContext } from "~/services/shop-context.server";
import { syncMembers, validateMemberSyncRecord } from "~/shopify/member-sync.server";
import type { MemberSyncRecord } from "~/shopify/types";
import { SYNC_MEMBERS_JOB, syncMembersKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import type { JobContext } from "./worker.server";

/**
 * Job `sync-members`: writes to Shopify what it is owed (SyncState rows whose pending hash differs from the synced
 * one), in batches, through sync's `syncMembers` — the one place this job talks to Shopify. The record is rebuilt
 * from the member's current state at send time, so a member that changed again since it was queued is sent once,
 * as it is now.
 */

export const SYNC_BATCH = 1000;
/** The most members one run sends: at about 2 KB of JSONL per member, one bulk operation stays below the 100 MB file cap. */
const MAX_SYNC_BATCH = 25_000;
/** After this many failed syncs a member is left out until something about it changes again. */
export const MAX_SYNC_FAILURES = 5;

/** Member rows of SyncState are keyed by customer GID; other subjects ("shop", the admin's "discount-config") are not members. */
const CUSTOMER_SUBJECT_PREFIX = "gid://shopify/Customer/";

export async function syncMembersJob(ctx: JobContext): Promise<void> {
  const shop = ctx.job.shop;
  if (!shop) throw new Error("sync-members needs a shop");
  if (!ctx.deps.adminFor) throw new Error("sync-members needs deps.adminFor (the Admin API client of a shop)");
  // A full recalculation asks for large batches: each goes to Shopify as one bulk operation.
  const batch = Math.max(1, Math.min(MAX_SYNC_BATCH, ctx.payload<{ batch?: number }>().batch ?? SYNC_BATCH));
  const owed = await owedStates(ctx.db, shop, batch);
  if (owed.length === 0) return;

  const shopCtx = await loadShopContext(ctx.db, shop);
  if (shopCtx.uninstalled) return;
  const members = await readInSlices(
    owed.map((s) => s.subject),
    (gids) => ctx.db.member.findMany({ where: { shop, customerGid: { in: gids }, deletedAt: null } }),
  );
  const byGid = new Map(members.map((m) => [m.customerGid, m]));
  // The shopper's points history is built from the whole ledger (newest first, a stable order); zero moves never show.
  const ledger = await readInSlices(
    members.map((m) => m.id),
    (ids) =>
      ctx.db.pointsEntry.findMany({
        where: { shop, memberId: { in: ids }, points: { not: 0 } },
        select: { memberId: true, key: true, kind: true, points: true, at: true },
      }),
  );
  const rewardsOf = await issuedRewardsByMember(
    ctx.db,
    shop,
    members.map((m) => m.id),
  );
  const ledgerOf = new Map<string, typeof ledger>();
  for (const e of ledger) {
    const list = ledgerOf.get(e.memberId);
    if (list) list.push(e);
    else ledgerOf.set(e.memberId, [e]);
  }

  const records: { record: MemberSyncRecord; hash: string; stateId: string }[] = [];
  // Per member, the metafields whose value changed since the last sync: only those are sent.
  const metafieldKeys = new Map<string, MemberMetafieldKey[]>();
  for (const state of owed) {
    const member = byGid.get(state.subject);
    if (!member) {
      await ctx.db.syncState.delete({ where: { id: state.id } }).catch(() => undefined);
      continue;
    }
    const view = memberShopperView(member, shopCtx, ledgerOf.get(member.id) ?? [], rewardsOf.get(member.id) ?? []);
    const valid = validateMemberSyncRecord({ ...view, previousLevelId: state.syncedLevelId ?? null });
    if (!valid.ok) {
      await ctx.db.syncState.update({
        where: { id: state.id },
        data: { failures: { increment: 1 }, lastError: `invalid record: ${valid.issues}`.slice(0, 2000) },
      });
      continue;
    }
    const hash = shopperViewHash(view);
    records.push({ record: valid.record, hash, stateId: state.id });
    metafieldKeys.set(member.customerGid, changedMetafieldKeys(state.syncedHash, hash));
  }
  if (records.length > 0) {
    const admin = await ctx.deps.adminFor(shop);
    await ctx.heartbeat();
    const summary = await syncMembers(
      admin,
      shop,
      records.map((r) => r.record),
      { maxTagChanges: TAG_CHANGES_PER_RUN, ...ctx.deps.syncOptions, metafieldKeys },
    );
    const tagOwed = new Set(summary.tagsDeferred);
    const errors = new Map<string, string>();
    for (const e of summary.errors) if (e.customerGid) errors.set(e.customerGid, `${e.operation}${e.code ? ` ${e.code}` : ""}: ${e.message}`);
    const now = ctx.now();
    const synced: Record<string, string | null>[] = [];
    for (const { record, hash, stateId } of records) {
      const error = errors.get(record.customerGid);
      if (error) {
        await ctx.db.syncState.update({ where: { id: stateId }, data: { failures: { increment: 1 }, lastError: error.slice(0, 2000) } });
      } else if (tagOwed.has(record.customerGid)) {
        // Metafields written, tier tag still owed: the member stays owed (withTagOwed) and keeps the level its tag shows.
        synced.push({ id: stateId, syncedHash: withTagOwed(hash), syncedLevelId: record.previousLevelId });
      } else synced.push({ id: stateId, syncedHash: hash, syncedLevelId: record.level?.id ?? null });
    }
    // The members Shopify took, in one statement (row by row, a thousand writes would each wait for the writer).
    if (synced.length) {
      const provider = dbProvider(ctx.db);
      await ctx.db.$executeRaw`
        UPDATE "SyncState" SET "syncedHash" = v."syncedHash", "syncedLevelId" = v."syncedLevelId", "lastSyncedAt" = ${sqlInstant(provider, now)},
               "lastError" = NULL, "failures" = 0, "updatedAt" = ${sqlInstant(provider, new Date())}
          FROM ${jsonTextRows(provider, ["id", "syncedHash", "syncedLevelId"], synced)}
         WHERE "SyncState"."id" = v."id"`;
    }
  }
  // Still owed (more than one batch, tier tags left for the next run, members that changed meanwhile): the next run
  // now. Only members Shopify refused: again in a minute, up to MAX_SYNC_FAILURES.
  const failures = await fewestFailuresOwed(ctx.db, shop);
  if (failures !== null) {
    const runAt = new Date(ctx.now().getTime() + (failures === 0 ? 0 : RETRY_DELAY_MS));
    await enqueueJob(
      ctx.db,
      { type: SYNC_MEMBERS_JOB, shop, key: syncMembersKey(shop), runAt, payload: batch === SYNC_BATCH ? undefined : { batch } },
      ctx.now(),
    );
  }
}

const RETRY_DELAY_MS = 60_000;

/**
 * The tier tags a live run reconciles, at most. A level change costs about 21 points (the tags read, one tagsRemove,
 * one tagsAdd) against about 2 for a member's five metafields, and the discount Function and the shopper's surfaces
 * read the metafields, not the tag. So under a burst the tags get about a third of a full batch's points (50 × 21
 * against 1,000 × 2) and the rest wait for the next runs, instead of holding every member's metafields behind them;
 * a quiet run has fewer level changes than this and reconciles them all. bench:webhooks (60 s at 500/s, Plus):
 * level freshness p99 62.5 s with every tag in its run, 3.7–6.5 s with this (owedStates' order included); the
 * tags catch up after the burst.
 */
export const TAG_CHANGES_PER_RUN = 50;

/** The fewest failures among the members owed a sync (metafields or tier tag), or null when none is owed. */
async function fewestFailuresOwed(db: Db, shop: string): Promise<number | null> {
  const [row] = await db.$queryRaw<{ failures: number | bigint }[]>`
    SELECT "failures" FROM "SyncState" WHERE ${owedMembers(shop)} ORDER BY "failures" LIMIT 1`;
  return row === undefined ? null : Number(row.failures);
}

/**
 * The SyncState rows of members owed a sync, metafields or tier tag, and not refused too often. Two columns compared
 * with each other: plain SQL says it more clearly than the query builder.
 */
const owedMembers = (shop: string) => Prisma.sql`"shop" = ${shop} AND "subject" LIKE ${`${CUSTOMER_SUBJECT_PREFIX}%`}
  AND "failures" < ${MAX_SYNC_FAILURES} AND "pendingHash" IS NOT NULL AND ("syncedHash" IS NULL OR "pendingHash" <> "syncedHash")`;

/**
 * The members the next run takes, at most `take`. Members whose metafields are owed come first, the longest owed
 * first as far as the row tells: a member synced before has been owed at most since their last sync, a member never
 * synced since their last change. Not by the last change alone: under a burst a member who keeps changing would keep
 * going to the back of a backlog longer than a batch. Nor every never-synced member first: under a burst of new
 * customers a member synced once and owed again waited behind all of them until the burst ended (bench:webhooks, 60 s
 * at 500/s: such members were fresh only about 38 s after their delivery). Then, in the run's remaining places up to
 * TAG_CHANGES_PER_RUN, members owed only their tier tag (withTagOwed), so tags always progress but never take the
 * metafields' places. Exported for its test.
 */
export async function owedStates(db: Db, shop: string, take = SYNC_BATCH) {
  const owed = (tagOnly: boolean, limit: number) => db.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "SyncState"
     WHERE ${owedMembers(shop)} AND (COALESCE("syncedHash", '') = "pendingHash" || ${TAG_OWED}) = ${tagOnly}
     ORDER BY "failures", COALESCE("lastSyncedAt", "updatedAt"), "id"
     LIMIT ${limit}`;
  const metafieldIds = await owed(false, take);
  const tagIds = metafieldIds.length < take ? await owed(true, Math.min(TAG_CHANGES_PER_RUN, take - metafieldIds.length)) : [];
  const ids = [...tagIds, ...metafieldIds];
  if (ids.length === 0) return [];
  const states = new Map(
    (
      await readInSlices(
        ids.map((r) => r.id),
        (slice) => db.syncState.findMany({ where: { id: { in: slice } } }),
      )
    ).map((st) => [st.id, st]),
  );
  return ids.flatMap((r) => states.get(r.id) ?? []);
}
