import { Prisma } from "@prisma/client";
import { dbProvider, type Db, type Tx } from "~/db/client.server";
import { sqliteDate } from "~/db/sqlite-direct-writes.server";
import type { FoldResult, MemberCheckpoint } from "~/domain/checkpoint";
import type { ShopContext } from "../shop-context.server";
import { keepsCheckpoints, type CheckpointSlot } from "./checkpoints";
import { newRowId } from "./row-id.server";

/**
 * MemberCheckpoint rows (docs/checkpoints.md): read before a member's fold, written in the transaction that writes the
 * member's state. A row the fold finds stale (a fact changed before its position) is simply replaced. Writes are one
 * statement for any number of members (an upsert from one JSON parameter, and a delete when a slot is given up).
 */

/** A member's stored checkpoints, by slot. */
export type StoredCheckpoints = Partial<Record<CheckpointSlot, MemberCheckpoint>>;

/** The checkpoints to start a fold from. */
export const checkpointList = (stored: StoredCheckpoints | undefined): MemberCheckpoint[] =>
  stored ? (Object.values(stored) as MemberCheckpoint[]) : [];

type CheckpointRow = { customerGid: string; slot: string; eventCount: number; hash: string; stateJson: string };

/** stateJson of a `stable` row whose checkpoint is the `latest` row's (a member whose last event is older than the late window). */
const SAME_AS_LATEST = "=";
/** Checkpoints read from a SAME_AS_LATEST row: rewritten in full before their latest row changes. */
const readThroughLatest = new WeakSet<MemberCheckpoint>();

/**
 * A stored checkpoint read lazily: its position and fingerprint come from the row's columns, its state is parsed only
 * when the fold resumes from it (bestCheckpoint picks by position and fingerprint first), so a member's other slot,
 * or a checkpoint that no longer fits, costs no JSON.parse. A row that does not parse, or was not written by a fold
 * with one-time rewards (the app's folds all are), throws there: foldWithCheckpoints then folds from the first event.
 */
function lazyCheckpoint(row: CheckpointRow, stateJson: () => string): MemberCheckpoint {
  let parsed: MemberCheckpoint | null = null;
  const read = (): MemberCheckpoint => {
    if (parsed === null) {
      const c = JSON.parse(stateJson()) as MemberCheckpoint;
      if (c?.v !== 1 || c.grantRewards !== true || c.count !== row.eventCount || c.hash !== row.hash || typeof c.run !== "object")
        throw new Error("MemberCheckpoint: unreadable row");
      parsed = c;
    }
    return parsed;
  };
  return {
    v: 1,
    count: row.eventCount,
    hash: row.hash,
    grantRewards: true,
    get lastAt() {
      return read().lastAt;
    },
    get run() {
      return read().run;
    },
  };
}

function byCustomer(rows: CheckpointRow[]): Map<string, StoredCheckpoints> {
  const latestRows = new Map<string, CheckpointRow>();
  for (const row of rows) if (row.slot === "latest") latestRows.set(row.customerGid, row);
  const out = new Map<string, StoredCheckpoints>();
  for (const row of rows) {
    if (row.slot !== "latest" && row.slot !== "stable") continue;
    let stored = out.get(row.customerGid);
    if (!stored) out.set(row.customerGid, (stored = {}));
    if (row.stateJson === SAME_AS_LATEST) {
      const latest = latestRows.get(row.customerGid);
      const checkpoint = lazyCheckpoint(row, () => latest?.stateJson ?? "");
      readThroughLatest.add(checkpoint);
      stored[row.slot] = checkpoint;
    } else stored[row.slot] = lazyCheckpoint(row, () => row.stateJson);
  }
  return out;
}

const SELECT = { customerGid: true, slot: true, eventCount: true, hash: true, stateJson: true } as const;

/**
 * The checkpoints kept for these customers (malformed rows are skipped: the fold then starts from the first event).
 * None are read for a shop that keeps none (keepsCheckpoints).
 */
export async function loadCheckpoints(db: Db | Tx, ctx: ShopContext, customerGids: string[]): Promise<Map<string, StoredCheckpoints>> {
  if (customerGids.length === 0 || !keepsCheckpoints(ctx)) return new Map();
  return byCustomer(await db.memberCheckpoint.findMany({ where: { shop: ctx.shop, customerGid: { in: customerGids } }, select: SELECT }));
}

/** loadCheckpoints for a batch of the full recalculation: the customers after `after` up to `upTo`, by key range. */
export async function loadCheckpointsOfRange(
  db: Db | Tx,
  ctx: ShopContext,
  after: string | null,
  upTo: string,
): Promise<Map<string, StoredCheckpoints>> {
  if (!keepsCheckpoints(ctx)) return new Map();
  return byCustomer(await db.memberCheckpoint.findMany({ where: { shop: ctx.shop, customerGid: { gt: after ?? "", lte: upTo } }, select: SELECT }));
}

/**
 * One member's fold to keep: its checkpoints (null: keep none; a fold whose `latest` is null, FoldOptions.keep, leaves
 * the stored rows as they are) and what loadCheckpoints returned for them.
 */
export interface CheckpointsToSave {
  customerGid: string;
  fold: Pick<FoldResult, "latest" | "stable"> | null;
  stored: StoredCheckpoints | undefined;
}

/**
 * Keeps the folds' checkpoints for these members, in two statements at most whatever their number: a slot's row is
 * written only when the fold's checkpoint differs from the one stored there, and deleted when the fold has none for it.
 */
export async function saveCheckpointsMany(tx: Tx, shop: string, items: readonly CheckpointsToSave[], now: Date): Promise<void> {
  // [customer, slot, the checkpoint (its position and fingerprint go in the columns), what stateJson holds]
  const upserts: [string, CheckpointSlot, MemberCheckpoint, MemberCheckpoint | typeof SAME_AS_LATEST][] = [];
  const deletes: [string, CheckpointSlot][] = [];
  const same = (a: MemberCheckpoint | null | undefined, b: MemberCheckpoint | null | undefined) =>
    !!a && !!b && a.count === b.count && a.hash === b.hash;
  for (const { customerGid, fold, stored } of items) {
    if ((fold === null && stored === undefined) || (fold !== null && fold.latest === null)) continue;
    const latest = fold?.latest ?? null;
    const stable = fold?.stable ?? null;
    const was = { latest: stored?.latest, stable: stored?.stable };
    const latestChanges = latest !== null && latest.count > 0 && !same(latest, was.latest);
    if (latest === null || latest.count === 0) {
      if (was.latest) deletes.push([customerGid, "latest"]);
    } else if (latestChanges) upserts.push([customerGid, "latest", latest, latest]);
    if (stable === null || stable.count === 0) {
      if (was.stable) deletes.push([customerGid, "stable"]);
    } else if (same(stable, latest)) {
      // The stable checkpoint is the latest one: its row points to the latest row instead of repeating it.
      if (!same(stable, was.stable) || !readThroughLatest.has(was.stable!)) upserts.push([customerGid, "stable", stable, SAME_AS_LATEST]);
    } else if (!same(stable, was.stable) || (readThroughLatest.has(was.stable!) && latestChanges))
      upserts.push([customerGid, "stable", stable, stable]);
  }
  const postgres = dbProvider(tx) === "postgresql";
  if (deletes.length) {
    const pairs = JSON.stringify(deletes);
    await tx.$executeRaw(
      postgres
        ? Prisma.sql`DELETE FROM "MemberCheckpoint" WHERE "shop" = ${shop}
             AND ("customerGid", "slot") IN (SELECT p->>0, p->>1 FROM json_array_elements(${pairs}::json) AS p)`
        : Prisma.sql`DELETE FROM "MemberCheckpoint" WHERE "shop" = ${shop}
             AND ("customerGid", "slot") IN (SELECT json_extract(p.value, '$[0]'), json_extract(p.value, '$[1]') FROM json_each(${pairs}) AS p)`,
    );
  }
  if (upserts.length === 0) return;
  const stamp = (d: Date) => (postgres ? d.toISOString() : sqliteDate(d));
  // [id, customerGid, slot, eventCount, lastAt, hash, checkpoint]: the checkpoint travels as JSON inside the JSON
  // parameter (not as an escaped string) and is stored as its text; SAME_AS_LATEST as itself.
  const rows = JSON.stringify(
    upserts.map(([gid, slot, c, state]) => [newRowId(), gid, slot, c.count, c.lastAt === null ? null : stamp(new Date(c.lastAt)), c.hash, state]),
  );
  const written = stamp(now);
  await tx.$executeRaw(
    postgres
      ? Prisma.sql`INSERT INTO "MemberCheckpoint" ("id", "shop", "customerGid", "slot", "eventCount", "lastAt", "hash", "stateJson", "writtenAt")
          SELECT r->>0, ${shop}, r->>1, r->>2, (r->>3)::integer, (r->>4)::timestamp(3), r->>5,
                 CASE json_typeof(r->6) WHEN 'string' THEN r->>6 ELSE (r->6)::text END, ${written}::timestamp(3)
            FROM json_array_elements(${rows}::json) AS r
          ON CONFLICT ("shop", "customerGid", "slot") DO UPDATE SET "eventCount" = excluded."eventCount", "lastAt" = excluded."lastAt",
             "hash" = excluded."hash", "stateJson" = excluded."stateJson", "writtenAt" = excluded."writtenAt"`
      : Prisma.sql`INSERT INTO "MemberCheckpoint" ("id", "shop", "customerGid", "slot", "eventCount", "lastAt", "hash", "stateJson", "writtenAt")
          SELECT json_extract(r.value, '$[0]'), ${shop}, json_extract(r.value, '$[1]'), json_extract(r.value, '$[2]'), json_extract(r.value, '$[3]'),
                 json_extract(r.value, '$[4]'), json_extract(r.value, '$[5]'), json_extract(r.value, '$[6]'), ${written}
            FROM json_each(${rows}) AS r WHERE true
          ON CONFLICT ("shop", "customerGid", "slot") DO UPDATE SET "eventCount" = excluded."eventCount", "lastAt" = excluded."lastAt",
             "hash" = excluded."hash", "stateJson" = excluded."stateJson", "writtenAt" = excluded."writtenAt"`,
  );
}

/** saveCheckpointsMany for one member (the webhook drainer's recalculateMember). */
export function saveCheckpoints(
  tx: Tx,
  shop: string,
  customerGid: string,
  fold: Pick<FoldResult, "latest" | "stable"> | null,
  stored: StoredCheckpoints | undefined,
  now: Date,
): Promise<void> {
  return saveCheckpointsMany(tx, shop, [{ customerGid, fold, stored }], now);
}
