import { z } from "zod";
import { AdminCaller, asCaller, type AdminGraphqlClient, type CallPolicy } from "./admin-graphql.server";
import { newBulkStats, runBulkMutation, type BulkOptions, type BulkStats } from "./bulk-operations.server";
import {
  MEMBER_METAFIELDS_SET,
  MEMBER_METAFIELDS_SET_BULK,
  MEMBER_TAGS,
  MEMBER_TIER_TAG_ADD,
  MEMBER_TIER_TAG_REMOVE,
  MEMBER_TIER_TAG_SWAP,
} from "./documents";
import { MEMBER_METAFIELD_KEYS, TIERLINE_NAMESPACE, type MemberMetafieldKey } from "~/shared/metafield-keys";
import { MemberSyncRecordSchema, isTierTag, tierTag, type MemberSyncRecord } from "./types";

/**
 * Writes members' level, progress, benefits and points history to Shopify: the `$app:tierline` customer metafields
 * (docs/contracts.md, validated by the shared readers of app/shared/tier-metafield.ts) and exactly one
 * `tier:<level-id>` tag. Every write is a "set" (metafieldsSet, tagsAdd, tagsRemove), so running a sync twice, or
 * re-running one that failed half-way, converges on the same store state.
 *
 * Only the metafields `metafieldKeys` names per member are written (the sync job passes those changed since the
 * last sync). A live sync (what the drain owes, up to a thousand members a run) goes through ordinary requests: lists
 * of at most 25 entries of one key, five lists per request (writeMetafieldsDirect), up to `concurrency` requests in
 * flight, paced by the shop's cost bucket (AdminCaller), so its members reach Shopify within seconds. Larger batches
 * (a full recalculation's) go through bulk operations (one JSONL line, so one metafieldsSet, of a member's entries),
 * which cost no points but take Shopify minutes.
 *
 * Tags follow levels: only a member whose level differs from the one last synced (`previousLevelId`) has its tags
 * read and reconciled, on both paths; a member whose level did not change keeps the tags it has.
 */

export interface SyncMembersOptions extends CallPolicy, BulkOptions {
  /** Force the bulk path regardless of size. */
  bulk?: boolean;
  /** Above this many members the metafields go through one bulk operation. */
  bulkThreshold?: number;
  /** On the bulk path, above this many level changes the tags go through bulk operations too. */
  tagBulkThreshold?: number;
  /** On the direct path, requests in flight at once (each waits for its points first). */
  concurrency?: number;
  /**
   * On the direct path, the most members whose tier tag is reconciled in this call (the first ones whose level
   * changed); the others are named in `SyncSummary.tagsDeferred` and left for a later call. Every member's metafields
   * are written either way. Default: all of them.
   */
  maxTagChanges?: number;
  /** Per customer GID, the metafields to write (those changed since the last sync); every one when absent. */
  metafieldKeys?: ReadonlyMap<string, readonly MemberMetafieldKey[]>;
}

export type SyncOperation = "metafieldsSet" | "tags" | "tagsAdd" | "tagsRemove" | "bulk";

export interface SyncError {
  customerGid: string | null;
  operation: SyncOperation;
  key?: MemberMetafieldKey;
  code: string | null;
  message: string;
  field?: string[] | null;
}

export interface SyncSummary {
  mode: "direct" | "bulk";
  members: number;
  /** Admin GraphQL requests sent, retries included. */
  calls: number;
  metafieldsWritten: number;
  tagsChanged: number;
  bulkOperations: number;
  stagedUploads: number;
  retries: number;
  /** Time spent waiting for the cost budget or backing off (bulk polling excluded). */
  waitedMs: number;
  errors: SyncError[];
  /** Members whose level changed but whose tier tag was left for a later call (SyncMembersOptions.maxTagChanges). */
  tagsDeferred: string[];
}

export class MemberSyncInputError extends Error {
  readonly code = "MEMBER_SYNC.INVALID_INPUT";
  constructor(readonly issues: string[]) {
    super(`Invalid member sync input: ${issues.slice(0, 5).join("; ")}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ""}`);
    this.name = "MemberSyncInputError";
  }
}

export const METAFIELDS_PER_CALL = 25;
const TAG_READS_PER_CALL = 50;
/** A live sync's largest batch (sync-members' SYNC_BATCH) still goes direct: 2 points a member, 2 s at Plus rates. */
const DEFAULT_BULK_THRESHOLD = 1000;
const DEFAULT_CONCURRENCY = 4;
/** On the bulk path, more level changes than this go through bulk operations too (two per change otherwise). */
const DEFAULT_TAG_BULK_THRESHOLD = 250;

interface MetafieldsSetInput {
  ownerId: string;
  namespace: string;
  key: MemberMetafieldKey;
  type: "json";
  value: string;
}

/** Records validateMemberSyncRecord returned: syncMembers does not validate them again (they must be unchanged since). */
const validatedRecords = new WeakSet<MemberSyncRecord>();

/**
 * One member's record validated on its own (MemberSyncRecordSchema), so a caller can set a bad one aside and send
 * the rest: the record to send, or why it is refused ("path: message; …").
 */
export function validateMemberSyncRecord(input: unknown): { ok: true; record: MemberSyncRecord } | { ok: false; issues: string } {
  const parsed = MemberSyncRecordSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
  validatedRecords.add(parsed.data);
  return { ok: true, record: parsed.data };
}

/**
 * Validates everything first: a bad record stops the sync before anything is written. Records that
 * validateMemberSyncRecord returned are taken as they are (each document's check costs about as much as sending it).
 */
export function parseMemberSyncRecords(input: unknown): MemberSyncRecord[] {
  // One customer, one final state: when a customer appears twice the later record wins.
  const byCustomer = new Map<string, MemberSyncRecord>();
  for (const record of validRecords(input)) byCustomer.set(record.customerGid, record);
  return [...byCustomer.values()];
}

/** `input` as records: taken as it is when every record came from validateMemberSyncRecord, else validated here. */
function validRecords(input: unknown): MemberSyncRecord[] {
  if (Array.isArray(input) && input.every((r) => typeof r === "object" && r !== null && validatedRecords.has(r))) return input as MemberSyncRecord[];
  const parsed = z.array(MemberSyncRecordSchema).safeParse(input);
  if (parsed.success) return parsed.data;
  throw new MemberSyncInputError(
    parsed.error.issues.map((i) => `members${i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}: ${i.message}`),
  );
}

export function memberMetafields(member: MemberSyncRecord): Record<MemberMetafieldKey, MetafieldsSetInput> {
  const entry = (key: MemberMetafieldKey, value: unknown): MetafieldsSetInput => ({
    ownerId: member.customerGid,
    namespace: TIERLINE_NAMESPACE,
    key,
    type: "json",
    value: JSON.stringify(value),
  });
  return {
    level: entry("level", member.level ?? { v: 1, id: null }),
    progress: entry("progress", member.progress),
    benefits: entry("benefits", member.benefits),
    history: entry("history", member.history),
    rewards: entry("rewards", member.rewards),
  };
}

export async function syncMembers(
  admin: AdminGraphqlClient | AdminCaller,
  shopDomain: string,
  members: MemberSyncRecord[],
  opts: SyncMembersOptions = {},
): Promise<SyncSummary> {
  const records = parseMemberSyncRecords(members);
  const caller = asCaller(admin, opts);
  const before = { ...caller.stats };
  const bulkStats = newBulkStats();
  const bulk = opts.bulk === true || records.length > (opts.bulkThreshold ?? DEFAULT_BULK_THRESHOLD);
  const summary: SyncSummary = {
    mode: bulk ? "bulk" : "direct",
    members: records.length,
    calls: 0,
    metafieldsWritten: 0,
    tagsChanged: 0,
    bulkOperations: 0,
    stagedUploads: 0,
    retries: 0,
    waitedMs: 0,
    errors: [],
    tagsDeferred: [],
  };

  if (records.length > 0) {
    const bulkOpts: BulkOptions = { ...opts, clientIdentifier: opts.clientIdentifier ?? `tierline-member-sync ${shopDomain}` };
    const changed = records.filter((m) => (m.level?.id ?? null) !== m.previousLevelId);
    const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
    const keysOf = (m: MemberSyncRecord) => opts.metafieldKeys?.get(m.customerGid) ?? MEMBER_METAFIELD_KEYS;
    if (bulk) {
      await writeMetafieldsBulk(caller, records, keysOf, bulkOpts, bulkStats, summary);
      if (changed.length > (opts.tagBulkThreshold ?? DEFAULT_TAG_BULK_THRESHOLD)) await writeTagsBulk(caller, changed, bulkOpts, bulkStats, summary);
      else await reconcileTags(caller, changed, summary, concurrency);
    } else {
      await writeMetafieldsDirect(caller, records, keysOf, concurrency, summary);
      const tagged = changed.slice(0, Math.max(0, opts.maxTagChanges ?? changed.length));
      summary.tagsDeferred = changed.slice(tagged.length).map((m) => m.customerGid);
      await reconcileTags(caller, tagged, summary, concurrency);
    }
  }

  summary.calls = caller.stats.calls - before.calls;
  summary.retries = caller.stats.retries - before.retries;
  summary.waitedMs = caller.stats.waitedMs - before.waitedMs;
  summary.bulkOperations = bulkStats.bulkOperations;
  summary.stagedUploads = bulkStats.stagedUploads;
  return summary;
}

function chunksOf<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Runs `task` over `items` with at most `limit` running at once; the first failure stops new tasks and is thrown. */
async function inFlight<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, lane));
  const rejected = lanes.find((l): l is PromiseRejectedResult => l.status === "rejected");
  if (rejected) throw rejected.reason;
}

// ── Direct path ───────────────────────────────────────────────────────────────────────────────────────────────────

interface UserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
  elementIndex?: number | null;
}

/**
 * The members' metafields as lists of at most 25 entries of one key (Shopify's limit per metafieldsSet), 25 members at
 * a time, only the keys each member needs; five lists per request, one aliased metafieldsSet each (the aliases are
 * the key names, but a list may hold another key's entries once members need different keys), the last lists one
 * metafieldsSet per request. metafieldsSet is all-or-nothing per call, so when some entries are refused the others
 * of that call are sent again without them.
 */
async function writeMetafieldsDirect(
  caller: AdminCaller,
  records: MemberSyncRecord[],
  keysOf: (m: MemberSyncRecord) => readonly MemberMetafieldKey[],
  concurrency: number,
  summary: SyncSummary,
): Promise<void> {
  const lists: MetafieldsSetInput[][] = [];
  for (const chunk of chunksOf(records, METAFIELDS_PER_CALL)) {
    const inputs = chunk.map(memberMetafields);
    for (const key of MEMBER_METAFIELD_KEYS) {
      const list = inputs.flatMap((m, i) => (keysOf(chunk[i]).includes(key) ? [m[key]] : []));
      if (list.length > 0) lists.push(list);
    }
  }
  await inFlight(chunksOf(lists, MEMBER_METAFIELD_KEYS.length), concurrency, (group) => writeMetafieldLists(caller, group, summary));
}

async function writeMetafieldLists(caller: AdminCaller, group: MetafieldsSetInput[][], summary: SyncSummary): Promise<void> {
  const settled: { entries: MetafieldsSetInput[]; errors: UserError[] }[] = [];
  if (group.length === MEMBER_METAFIELD_KEYS.length) {
    const variables = Object.fromEntries(MEMBER_METAFIELD_KEYS.map((slot, i) => [slot, group[i]]));
    // Each aliased metafieldsSet costs 10.
    const data = await caller.request(MEMBER_METAFIELDS_SET, variables, { estimatedCost: 10 * group.length });
    MEMBER_METAFIELD_KEYS.forEach((slot, i) => settled.push({ entries: group[i], errors: data?.[slot]?.userErrors ?? [] }));
  } else {
    for (const entries of group) {
      const data = await caller.request(MEMBER_METAFIELDS_SET_BULK, { metafields: entries });
      settled.push({ entries, errors: data?.metafieldsSet?.userErrors ?? [] });
    }
  }
  await writeLeftovers(
    caller,
    settled.flatMap(({ entries, errors }) => settle(entries, errors, summary)),
    summary,
  );
}

/** Records refused entries as errors and returns the entries that were not refused but not written either. */
function settle(entries: MetafieldsSetInput[], errors: UserError[], summary: SyncSummary): MetafieldsSetInput[] {
  if (errors.length === 0) {
    summary.metafieldsWritten += entries.length;
    return [];
  }
  const refused = new Set<number>();
  for (const error of errors) {
    const index = typeof error.elementIndex === "number" ? error.elementIndex : null;
    const targets = index === null || !entries[index] ? entries : [entries[index]];
    if (index !== null && entries[index]) refused.add(index);
    else entries.forEach((_, i) => refused.add(i));
    for (const entry of targets) {
      summary.errors.push({
        customerGid: entry.ownerId,
        operation: "metafieldsSet",
        key: entry.key,
        code: error.code ?? null,
        message: error.message,
        field: error.field ?? null,
      });
    }
  }
  return entries.filter((_, i) => !refused.has(i));
}

async function writeLeftovers(caller: AdminCaller, leftovers: MetafieldsSetInput[], summary: SyncSummary): Promise<void> {
  let pending = leftovers;
  // Each round refuses at least one entry or writes all of them, so this ends.
  while (pending.length > 0) {
    const next: MetafieldsSetInput[] = [];
    for (const batch of chunksOf(pending, METAFIELDS_PER_CALL)) {
      const data = await caller.request(MEMBER_METAFIELDS_SET_BULK, { metafields: batch });
      next.push(...settle(batch, data?.metafieldsSet?.userErrors ?? [], summary));
    }
    pending = next;
  }
}

/**
 * Reads the customers' tags and leaves exactly one tier tag: the current level's. Reading first also clears stray
 * tier tags a merchant or an older sync left behind, which knowing only the previous level could not.
 */
async function reconcileTags(caller: AdminCaller, members: MemberSyncRecord[], summary: SyncSummary, concurrency: number): Promise<void> {
  await inFlight(chunksOf(members, TAG_READS_PER_CALL), concurrency, async (chunk) => {
    const data = await caller.request(MEMBER_TAGS, { ids: chunk.map((m) => m.customerGid) }, { estimatedCost: chunk.length + 1 });
    const tagsById = new Map<string, string[]>();
    for (const node of (data?.nodes ?? []) as ({ id: string; tags: string[] } | null)[]) if (node?.id) tagsById.set(node.id, node.tags ?? []);
    for (const member of chunk) {
      const tags = tagsById.get(member.customerGid);
      if (!tags) {
        summary.errors.push({ customerGid: member.customerGid, operation: "tags", code: "NOT_FOUND", message: "Customer not found" });
        continue;
      }
      const { add, remove } = tierTagChanges(tags, member.level?.id ?? null);
      if (add.length === 0 && remove.length === 0) continue;
      await changeTags(caller, member.customerGid, add, remove, summary);
    }
  });
}

export function tierTagChanges(currentTags: string[], levelId: string | null): { add: string[]; remove: string[] } {
  const wanted = levelId === null ? null : tierTag(levelId);
  const tierTags = currentTags.filter(isTierTag);
  const has = wanted !== null && tierTags.some((t) => t.toLowerCase() === wanted.toLowerCase());
  return {
    add: wanted !== null && !has ? [wanted] : [],
    remove: tierTags.filter((t) => wanted === null || t.toLowerCase() !== wanted.toLowerCase()),
  };
}

async function changeTags(caller: AdminCaller, id: string, add: string[], remove: string[], summary: SyncSummary): Promise<void> {
  const record = (operation: SyncOperation, errors: UserError[] | undefined, count: number) => {
    if (errors && errors.length > 0) {
      for (const e of errors) summary.errors.push({ customerGid: id, operation, code: e.code ?? null, message: e.message, field: e.field ?? null });
    } else summary.tagsChanged += count;
  };
  if (add.length > 0 && remove.length > 0) {
    const data = await caller.request(MEMBER_TIER_TAG_SWAP, { id, add, remove }, { estimatedCost: 20 });
    record("tagsAdd", data?.tagsAdd?.userErrors, add.length);
    record("tagsRemove", data?.tagsRemove?.userErrors, remove.length);
  } else if (add.length > 0) {
    const data = await caller.request(MEMBER_TIER_TAG_ADD, { id, tags: add });
    record("tagsAdd", data?.tagsAdd?.userErrors, add.length);
  } else {
    const data = await caller.request(MEMBER_TIER_TAG_REMOVE, { id, tags: remove });
    record("tagsRemove", data?.tagsRemove?.userErrors, remove.length);
  }
}

// ── Bulk path ─────────────────────────────────────────────────────────────────────────────────────────────────────

async function writeMetafieldsBulk(
  caller: AdminCaller,
  records: MemberSyncRecord[],
  keysOf: (m: MemberSyncRecord) => readonly MemberMetafieldKey[],
  opts: BulkOptions,
  stats: BulkStats,
  summary: SyncSummary,
): Promise<void> {
  const members = records.filter((m) => keysOf(m).length > 0);
  const entries = members.map((m) => {
    const byKey = memberMetafields(m);
    return keysOf(m).map((key) => byKey[key]);
  });
  const outcome = await runBulkMutation(
    caller,
    MEMBER_METAFIELDS_SET_BULK,
    entries.map((metafields) => JSON.stringify({ metafields })),
    opts,
    stats,
  );
  const leftovers: MetafieldsSetInput[] = [];
  for (const result of outcome.results) {
    const line = entries[result.index];
    if (result.errors) {
      for (const e of result.errors)
        summary.errors.push({ customerGid: line[0].ownerId, operation: "metafieldsSet", code: null, message: e.message });
      continue;
    }
    leftovers.push(...settle(line, result.data?.metafieldsSet?.userErrors ?? [], summary));
  }
  // A line refused for one key wrote none of its keys; the member's other keys are still worth writing.
  await writeLeftovers(caller, leftovers, summary);
  for (const index of outcome.unprocessed) {
    summary.errors.push({
      customerGid: members[index].customerGid,
      operation: "bulk",
      code: "NOT_PROCESSED",
      message: "The bulk operation stopped before this member",
    });
  }
}

/**
 * bulkOperationRunMutation takes a single mutation field, so adds and removes are two operations. Adds run first:
 * a customer between the two has two tier tags for a moment rather than none.
 */
async function writeTagsBulk(
  caller: AdminCaller,
  changed: MemberSyncRecord[],
  opts: BulkOptions,
  stats: BulkStats,
  summary: SyncSummary,
): Promise<void> {
  const adds = changed.filter((m) => m.level !== null).map((m) => ({ id: m.customerGid, tags: [tierTag(m.level!.id)] }));
  const removes = changed.filter((m) => m.previousLevelId !== null).map((m) => ({ id: m.customerGid, tags: [tierTag(m.previousLevelId!)] }));
  for (const [operation, document, lines] of [
    ["tagsAdd", MEMBER_TIER_TAG_ADD, adds],
    ["tagsRemove", MEMBER_TIER_TAG_REMOVE, removes],
  ] as const) {
    if (lines.length === 0) continue;
    const outcome = await runBulkMutation(
      caller,
      document,
      lines.map((l) => JSON.stringify(l)),
      opts,
      stats,
    );
    for (const result of outcome.results) {
      const line = lines[result.index];
      const errors: UserError[] = result.errors ?? result.data?.[operation]?.userErrors ?? [];
      if (errors.length === 0) summary.tagsChanged += line.tags.length;
      for (const e of errors)
        summary.errors.push({ customerGid: line.id, operation, code: e.code ?? null, message: e.message, field: e.field ?? null });
    }
    for (const index of outcome.unprocessed) {
      summary.errors.push({
        customerGid: lines[index].id,
        operation: "bulk",
        code: "NOT_PROCESSED",
        message: `The ${operation} bulk operation stopped before this member`,
      });
    }
  }
}
