import { Prisma, type WebhookInbox } from "@prisma/client";
import { dbProvider, type Db, type Tx } from "~/db/client.server";
import { jsonTextRows, sqlInstant } from "~/db/raw-values.server";
import { PLAN_REFRESH_JOB, planRefreshKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { storeGrantedScopes } from "~/shopify/access-scopes.server";
import { orderFactFromPayload, refundFactFromPayload, writeFacts, type FactInput } from "./order-facts.server";
import { importFullOrderHistory } from "./order-history.server";
import { applyCatalogChange } from "./order-scopes-webhooks.server";
import { queueScopeResolution } from "./product-data-wait.server";
import {
  forgetDeletedCustomer,
  mergeCustomers,
  purgeShop,
  REDACTED_PAYLOAD,
  redactCustomer,
  updateMemberProfile,
  type MemberProfile,
} from "./privacy.server";
import { customerGidFromId, orderGidFromId, parseWebhookPayload, WebhookPayloadError, type ParsedWebhook } from "./webhook-payloads.server";

/**
 * Turns one stored delivery into facts, in one transaction with the row's new status. A row whose facts touch
 * members becomes `applied` (its customers are listed in touchedJson) and only `processed` once those members have
 * been recomputed, so a worker that dies between the two steps leaves work that the next run finds and redoes.
 */

export interface ApplyResult {
  status: "applied" | "processed" | "skipped";
  touched: string[];
  /** The shop's data was deleted (app/uninstalled, shop/redact): nothing else of this shop is to be done. */
  purged: boolean;
}

/** Topics whose deliveries only write facts and profiles, so many can be applied together (applyFactDeliveries). */
export const FACT_DELIVERY_TOPICS: ReadonlySet<string> = new Set([
  "orders/paid",
  "orders/updated",
  "orders/cancelled",
  "refunds/create",
  "customers/create",
  "customers/update",
]);
/** Topics that write facts (a merge moves them, alone): nothing to do for a shop that has uninstalled. */
const FACT_TOPICS = new Set([...FACT_DELIVERY_TOPICS, "customers/merge"]);

export async function applyInboxRow(db: Db, row: WebhookInbox, opts: { now: Date; shopUninstalled: boolean }): Promise<ApplyResult> {
  let parsed: ParsedWebhook;
  try {
    parsed = parseWebhookPayload(row.topic, row.payload);
  } catch (error) {
    // Validated on arrival, so only a row redacted before it was applied gets here: nothing left to apply.
    if (!(error instanceof WebhookPayloadError)) throw error;
    await db.webhookInbox.update({ where: { id: row.id }, data: { status: "skipped", processedAt: opts.now, error: error.message } });
    return { status: "skipped", touched: [], purged: false };
  }
  if (opts.shopUninstalled && FACT_TOPICS.has(parsed.topic)) {
    await db.webhookInbox.update({
      where: { id: row.id },
      data: { status: "skipped", processedAt: opts.now, error: "the shop uninstalled Tierline" },
    });
    return { status: "skipped", touched: [], purged: false };
  }

  return db.$transaction(async (tx) => {
    const result = await applyParsedDelivery(tx, row, parsed, opts);
    if (!result.purged) await recordApplyOutcomes(tx, [{ id: row.id, result }], opts.now);
    return result;
  });
}

/**
 * The facts of one parsed delivery, written in the caller's transaction; the row's new status is the caller's to write
 * (recordApplyOutcomes), so a drainer can apply many deliveries in one transaction.
 */
export async function applyParsedDelivery(
  tx: Tx,
  row: Pick<WebhookInbox, "shop" | "receivedAt">,
  parsed: ParsedWebhook,
  opts: { now: Date; shopUninstalled: boolean },
): Promise<ApplyResult> {
  const shop = row.shop;
  let touched: string[] = [];
  switch (parsed.topic) {
    case "orders/paid":
    case "orders/updated":
    case "orders/cancelled":
    case "refunds/create":
      touched = (await writeDeliveredFacts(tx, shop, [parsed], opts.now))[0];
      break;
    case "products/update":
    case "products/delete":
    case "collections/update":
    case "collections/delete":
      await applyCatalogChange(tx, shop, parsed, row.receivedAt);
      break;
    case "customers/create":
    case "customers/update":
      await updateMemberProfile(tx, shop, parsed.payload.admin_graphql_api_id, profileOf(parsed.payload));
      break;
    case "customers/delete":
      await forgetDeletedCustomer(tx, shop, parsed.payload.admin_graphql_api_id, opts.now);
      break;
    case "customers/merge":
      if (parsed.payload.status === "completed") {
        touched = await mergeCustomers(
          tx,
          shop,
          parsed.payload.admin_graphql_api_customer_deleted_id,
          parsed.payload.admin_graphql_api_customer_kept_id,
          opts.now,
        );
      }
      break;
    case "customers/redact":
      await redactCustomer(
        tx,
        shop,
        {
          customerGid: customerGidFromId(parsed.payload.customer.id),
          email: parsed.payload.customer.email,
          phone: parsed.payload.customer.phone,
          orderGids: (parsed.payload.orders_to_redact ?? []).map(orderGidFromId),
        },
        opts.now,
      );
      break;
    case "customers/data_request":
      // Tierline's data about a customer is their member page (level, birthday, ledger, orders, audit), which the
      // merchant can open or export (the members CSV has the birthday too); nothing is sent anywhere automatically.
      break;
    case "app/scopes_update":
      await storeGrantedScopes(tx, shop, parsed.payload.current);
      // read_all_orders granted after an import that Shopify's 60-day window cut short: the older orders come in now.
      await importFullOrderHistory(tx, shop, opts.now, parsed.payload.current);
      break;
    case "bulk_operations/finish":
      await tx.syncState.upsert({
        where: { shop_subject: { shop, subject: "shop" } },
        create: {
          shop,
          subject: "shop",
          bulkOperationId: parsed.payload.admin_graphql_api_id,
          bulkOperationType: parsed.payload.type ?? null,
          bulkStatus: parsed.payload.status,
        },
        update: {
          bulkOperationId: parsed.payload.admin_graphql_api_id,
          bulkOperationType: parsed.payload.type ?? null,
          bulkStatus: parsed.payload.status,
        },
      });
      break;
    case "app_subscriptions/update":
      // The payload names one subscription; the plan depends on all the active ones, so it is read again from Shopify.
      // An uninstalled shop has no token to read it with (and Shopify cancels its subscription anyway).
      if (!opts.shopUninstalled) await enqueueJob(tx, { type: PLAN_REFRESH_JOB, shop, key: planRefreshKey(shop), maxAttempts: 5 }, opts.now);
      break;
    case "app/uninstalled":
      await purgeShop(tx, shop, { keepTombstone: true, now: opts.now });
      return { status: "processed", touched: [], purged: true } satisfies ApplyResult;
    case "shop/redact":
      await purgeShop(tx, shop, { keepTombstone: false, now: opts.now });
      return { status: "processed", touched: [], purged: true } satisfies ApplyResult;
  }
  return { status: touched.length ? "applied" : "processed", touched, purged: false } satisfies ApplyResult;
}

type FactDelivery = Extract<ParsedWebhook, { topic: "orders/paid" | "orders/updated" | "orders/cancelled" | "refunds/create" }>;
type FactDeliveryOrProfile = Extract<ParsedWebhook, { topic: "customers/create" | "customers/update" }> | FactDelivery;

/** The orders and refunds of these deliveries, written together (writeFacts); per delivery, the customers it touched. */
async function writeDeliveredFacts(tx: Tx, shop: string, deliveries: FactDelivery[], now: Date): Promise<string[][]> {
  const inputs = deliveries.map((d): FactInput =>
    d.topic === "refunds/create"
      ? { kind: "refund", input: refundFactFromPayload(d.payload) }
      : { kind: "order", input: orderFactFromPayload(d.payload, d.topic) },
  );
  const written = await writeFacts(tx, shop, inputs);
  // A live order's lines wait for their collections and tags: the resolver reads them from Shopify after commit.
  if (written.awaitingScopes) await queueScopeResolution(tx, shop, now);
  return written.touched;
}

/**
 * Many deliveries of FACT_DELIVERY_TOPICS (a drainer's group, in arrival order) in the caller's transaction, with
 * their rows' new statuses: the same facts as applying each alone, in a few statements for the whole group.
 */
export async function applyFactDeliveries(tx: Tx, shop: string, deliveries: { id: string; parsed: ParsedWebhook }[], now: Date): Promise<void> {
  const facts: { index: number; parsed: FactDelivery }[] = [];
  const outcomes = deliveries.map(({ id }) => ({ id, result: { status: "processed", touched: [], purged: false } as ApplyResult }));
  for (const [index, { parsed }] of deliveries.entries()) {
    const p = parsed as FactDeliveryOrProfile;
    if (p.topic === "customers/create" || p.topic === "customers/update")
      await updateMemberProfile(tx, shop, p.payload.admin_graphql_api_id, profileOf(p.payload));
    else if (FACT_DELIVERY_TOPICS.has(p.topic)) facts.push({ index, parsed: p });
    else throw new Error(`applyFactDeliveries cannot apply ${parsed.topic}`);
  }
  const touched = facts.length
    ? await writeDeliveredFacts(
        tx,
        shop,
        facts.map((f) => f.parsed),
        now,
      )
    : [];
  facts.forEach(({ index }, i) => {
    if (touched[i].length) outcomes[index].result = { status: "applied", touched: touched[i], purged: false };
  });
  await recordApplyOutcomes(tx, outcomes, now);
}

/**
 * The new statuses of applied deliveries, in the transaction that wrote their facts: `applied` with the customers to
 * recompute (touchedJson), or `processed` when they touched none. Two statements for any number of rows.
 */
export async function recordApplyOutcomes(tx: Tx, outcomes: { id: string; result: ApplyResult }[], now: Date): Promise<void> {
  const processed = outcomes.filter((o) => o.result.touched.length === 0).map((o) => o.id);
  const applied = outcomes.filter((o) => o.result.touched.length > 0).map((o) => ({ id: o.id, touchedJson: JSON.stringify(o.result.touched) }));
  await markInboxRowsProcessed(tx, processed, now);
  if (applied.length === 1)
    await tx.webhookInbox.update({
      where: { id: applied[0].id },
      data: { status: "applied", touchedJson: applied[0].touchedJson, processedAt: null, error: null },
    });
  else if (applied.length > 1) {
    // Each row its own touchedJson: one UPDATE … FROM the rows as JSON.
    const v = jsonTextRows(dbProvider(tx), ["id", "touchedJson"], applied);
    await tx.$executeRaw`
      UPDATE "WebhookInbox" SET "status" = 'applied', "touchedJson" = v."touchedJson", "processedAt" = NULL, "error" = NULL
        FROM ${v} WHERE "WebhookInbox"."id" = v."id"`;
  }
}

/**
 * Marks inbox rows processed (`onlyApplied`: those still `applied`, the drainer's last step after their members were
 * recomputed). One statement whatever their number: the ids as one JSON parameter (through Prisma an `in` list of a
 * few hundred ids costs several milliseconds of its query compiler each time, inside the drain's transactions).
 */
export async function markInboxRowsProcessed(db: Db | Tx, ids: string[], now: Date, opts: { onlyApplied?: boolean } = {}): Promise<void> {
  if (ids.length === 0) return;
  const provider = dbProvider(db);
  const rows = jsonTextRows(
    provider,
    ["id"],
    ids.map((id) => ({ id })),
  );
  const at = sqlInstant(provider, now);
  await db.$executeRaw(
    opts.onlyApplied
      ? Prisma.sql`UPDATE "WebhookInbox" SET "status" = 'processed', "processedAt" = ${at} WHERE "id" IN (SELECT v."id" FROM ${rows}) AND "status" = 'applied'`
      : Prisma.sql`UPDATE "WebhookInbox" SET "status" = 'processed', "touchedJson" = NULL, "processedAt" = ${at}, "error" = NULL
          WHERE "id" IN (SELECT v."id" FROM ${rows})`,
  );
}

function profileOf(p: { email: string | null; first_name: string | null; last_name: string | null; phone: string | null }): MemberProfile {
  return { email: p.email, firstName: p.first_name, lastName: p.last_name, phone: p.phone };
}

/**
 * Personal data the deliveries carry for the customers they name (order payloads and customer payloads). `parse` lets
 * a caller that already parsed the rows (the drainer) hand its results over instead of parsing each body again.
 */
export function profilesFromRows<R extends Pick<WebhookInbox, "topic" | "payload">>(
  rows: R[],
  parse: (row: R) => ParsedWebhook = (row) => parseWebhookPayload(row.topic, row.payload),
): Map<string, Partial<MemberProfile>> {
  const profiles = new Map<string, Partial<MemberProfile>>();
  const add = (gid: string, profile: MemberProfile) => profiles.set(gid, { ...profiles.get(gid), ...definedOnly(profile) });
  for (const row of rows) {
    let parsed: ParsedWebhook;
    try {
      parsed = parse(row);
    } catch {
      continue;
    }
    if (parsed.topic === "orders/paid" || parsed.topic === "orders/updated" || parsed.topic === "orders/cancelled") {
      if (parsed.payload.customer) add(parsed.payload.customer.admin_graphql_api_id, profileOf(parsed.payload.customer));
    } else if (parsed.topic === "customers/create" || parsed.topic === "customers/update") {
      add(parsed.payload.admin_graphql_api_id, profileOf(parsed.payload));
    }
  }
  return profiles;
}

const PROFILE_TOPICS = ["orders/paid", "orders/updated", "orders/cancelled", "customers/create", "customers/update"];

/**
 * Personal data for customers who become members later than their deliveries arrived (a program published after
 * the first orders): read back from the inbox, newest last. Customers deleted or redacted meanwhile get none.
 */
export async function profilesFromInbox(db: Db, shop: string, customerGids: string[]): Promise<Map<string, Partial<MemberProfile>>> {
  if (customerGids.length === 0) return new Map();
  const rows = await db.webhookInbox.findMany({
    where: {
      shop,
      customerGid: { in: customerGids },
      topic: { in: [...PROFILE_TOPICS, "customers/delete", "customers/redact"] },
      payload: { not: REDACTED_PAYLOAD },
    },
    orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    select: { topic: true, payload: true, customerGid: true },
  });
  const forgotten = new Set(rows.filter((r) => r.topic === "customers/delete" || r.topic === "customers/redact").map((r) => r.customerGid));
  const profiles = profilesFromRows(rows.filter((r) => PROFILE_TOPICS.includes(r.topic) && !forgotten.has(r.customerGid)));
  for (const gid of forgotten) if (gid) profiles.delete(gid);
  return profiles;
}

function definedOnly(profile: MemberProfile): Partial<MemberProfile> {
  return Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== null)) as Partial<MemberProfile>;
}
