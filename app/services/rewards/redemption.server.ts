import type { Reward } from "@prisma/client";
import type { Db, Tx } from "~/db/client.server";
import { storedRedemptionSettings, type RedemptionSettings } from "~/forms/redemption-settings";
import { REDEMPTION_CREDIT_JOB, redemptionCreditKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { minorToDecimal, redemptionProblem, redemptionValueMinor, type RedemptionFormV1, type RedemptionProblem } from "~/shared/redemption";
import { asCaller, ShopifyAdminError, type AdminGraphqlClient, type CallPolicy } from "~/shopify/admin-graphql.server";
import { creditCustomerStoreCredit, recentStoreCredits, StoreCreditRefusedError } from "~/shopify/store-credit.server";
import { loadShopSettings } from "../admin/settings.server";
import { recordRewardFlowEvent } from "../flow/reward-events.server";
import { loadMemberFacts, loadStoredMembers, lockMembers, persistPlan } from "../member-recalculation.server";
import { customersWaitingForProductData } from "../product-data-wait.server";
import { requestProgramMetafieldSync } from "../program-metafield.server";
import { planMember } from "../recalculation/member-plan";
import { currentProgram, loadShopContext, type ShopContext } from "../shop-context.server";
import { createRewardCode } from "./reward-codes.server";

/**
 * Points redemption: a shopper turns points into a discount code or Shopify store credit.
 *
 * One transaction, the member locked (lockMembers), reserves the redemption: it checks the balance the member has
 * now, inserts the Reward (kind redemption, key `redeem:<customer>:<client key>`, pending) and the debit as the
 * member's MemberAdjustment under the same key, and writes the member recomputed from all facts, so the balance
 * shown everywhere already reflects it. The key makes a double click or a retry one redemption: a repeat returns the
 * same reward and debits nothing. The lock (and SQLite's single writer) makes concurrent redemptions take turns,
 * so two different keys can never spend the same points.
 *
 * After commit, Shopify is called once: the code through createRewardCode (derived from the reward id, so a retry
 * finds the code it made), the credit through storeCreditAccountCredit (looked up among the customer's recent credits
 * before a retry gives a second). Shopify refusing leaves the points untouched: a reversing adjustment
 * (`<key>:refund`) and the reward marked failed, in one transaction. When the outcome is unknown (an answer lost), the
 * reward stays pending and the `redemption-credit` job finishes it a minute later: issued if it landed, given again
 * if it did not, refunded when Shopify keeps refusing.
 */

export type RedemptionRefusal = RedemptionProblem | "redemption-off" | "no-program" | "no-member" | "key-reused" | "order-being-counted";

const REFUSAL_STATUS: Record<RedemptionRefusal, number> = {
  "invalid-points": 400,
  "below-minimum": 422,
  "not-a-step-multiple": 422,
  "worth-nothing": 422,
  "not-enough-points": 422,
  "store-credit-not-offered": 403,
  "redemption-off": 403,
  "no-program": 404,
  "no-member": 404,
  "key-reused": 409,
  "order-being-counted": 409,
};

/** A redemption refused before anything was written: the shopper's 4xx. */
export class RedemptionRefusedError extends Error {
  readonly status: number;
  constructor(
    readonly code: RedemptionRefusal,
    message: string,
  ) {
    super(message);
    this.name = "RedemptionRefusedError";
    this.status = REFUSAL_STATUS[code];
  }
}

export interface RedemptionRequest {
  shop: string;
  customerGid: string;
  points: number;
  form: RedemptionFormV1;
  /** The client's key for this click: the same key is the same redemption. */
  idempotencyKey: string;
}

export interface RedemptionResult {
  status: "issued" | "pending" | "failed";
  /** True when the key had been used before: nothing new was debited. */
  replay: boolean;
  rewardId: string;
  points: number;
  form: RedemptionFormV1;
  /** The money given, a decimal string in `currency`. */
  value: string;
  currency: string;
  code: string | null;
  creditGid: string | null;
  /** The member's points after the redemption (and after a refund, when it failed). */
  balance: number;
  /** For pending and failed: what the shopper is told. */
  message: string | null;
}

export interface RedemptionDeps {
  /** The shop's Admin API, a plain client (the route: the offline session; the job: WorkerDeps.adminFor). */
  admin: (shop: string) => Promise<AdminGraphqlClient>;
  now: () => Date;
  /** Retries and clock for the Admin calls; a shopper's request waits for at most INLINE_POLICY's retries by default. */
  policy?: CallPolicy;
}

/** A shopper is waiting: one quick retry, then the sweep takes over. */
export const INLINE_POLICY: CallPolicy = { maxAttempts: 2, baseDelayMs: 250, maxDelayMs: 1000 };

/** A pending redemption older than this is the sweep's (the request that made it has given up or died). */
export const REDEMPTION_SWEEP_AFTER_MS = 60_000;
/** Attempts at Shopify before a pending redemption is refunded. */
export const REDEMPTION_MAX_ATTEMPTS = 5;

export const redemptionKey = (customerGid: string, idempotencyKey: string) => `redeem:${customerGid}:${idempotencyKey}`;
const refundKey = (rewardKey: string) => `${rewardKey}:refund`;

const PENDING_MESSAGE = "Shopify has not confirmed it yet; it will appear here within a few minutes. Your points are reserved.";
const FAILED_MESSAGE = "Shopify could not create it, so your points were given back. Please try again.";

/** The shop's redemption settings in force (saved in Shop.settingsJson; off until the merchant turns it on). */
export async function loadRedemptionSettings(db: Db | Tx, shop: string): Promise<RedemptionSettings> {
  return storedRedemptionSettings((await loadShopSettings(db, shop)).redemption);
}

/**
 * Saves the shop's redemption settings alone (the settings page saves them with the rest of its form through
 * saveSettingsAction; this is for scripts such as the demo) and queues the rewrite of the shoppers' copy of the rules.
 */
export async function saveRedemptionSettings(db: Db, shop: string, settings: RedemptionSettings, now: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    const current = await loadShopSettings(tx, shop);
    const settingsJson = JSON.stringify({ ...current, redemption: settings });
    await tx.shop.upsert({ where: { domain: shop }, create: { domain: shop, settingsJson }, update: { settingsJson } });
    await requestProgramMetafieldSync(tx, shop, now.getTime());
  });
}

/** Redeems points for the token's customer: reserve (one transaction), then Shopify, then issued / failed. */
export async function redeemPoints(db: Db, deps: RedemptionDeps, req: RedemptionRequest): Promise<RedemptionResult> {
  const settings = await loadRedemptionSettings(db, req.shop);
  if (!settings.enabled) throw new RedemptionRefusedError("redemption-off", "This shop does not offer points redemption.");
  const ctx = await loadShopContext(db, req.shop);
  if (!currentProgram(ctx)) throw new RedemptionRefusedError("no-program", "This shop's rewards programme is not running.");
  const reserved = await reserve(db, ctx, settings, req, deps.now());
  if (reserved.replay) return resultOf(reserved.reward, true, reserved.balance);
  return issue(db, { ...deps, policy: deps.policy ?? INLINE_POLICY }, ctx, reserved.reward);
}

interface Reserved {
  reward: Reward;
  replay: boolean;
  balance: number;
}

async function reserve(db: Db, ctx: ShopContext, settings: RedemptionSettings, req: RedemptionRequest, now: Date): Promise<Reserved> {
  const { shop, customerGid, points, form } = req;
  const key = redemptionKey(customerGid, req.idempotencyKey);
  try {
    return await db.$transaction(
      async (tx) => {
        await lockMembers(tx, shop, [customerGid]);
        const existing = await tx.reward.findUnique({ where: { shop_key: { shop, key } } });
        if (existing) return replayOf(tx, existing, req);
        // A paid order whose products' collections and tags are not read yet: the balance is not final until it is.
        if ((await customersWaitingForProductData(tx, ctx, [customerGid], now)).size)
          throw new RedemptionRefusedError("order-being-counted", "Your latest order is still being counted. Try again in a few minutes.");
        const facts = await loadMemberFacts(tx, shop, customerGid);
        const stored = (await loadStoredMembers(tx, shop, [customerGid])).get(customerGid)!;
        if (!stored.member || stored.member.deletedAt)
          throw new RedemptionRefusedError("no-member", "You are not a member of this shop's rewards programme yet.");
        const before = planMember(ctx, customerGid, facts, { now, origin: "live" })!;
        const problem = redemptionProblem(settings, { points, form, balance: before.data.points }, ctx.currency);
        if (problem) throw new RedemptionRefusedError(problem, refusalMessage(problem, settings, before.data.points, points, ctx.currency));

        const value = minorToDecimal(redemptionValueMinor(settings, points, ctx.currency), ctx.currency);
        const reward = await tx.reward.create({
          data: {
            shop,
            memberId: stored.member.id,
            customerGid,
            kind: "redemption",
            key,
            levelId: stored.member.levelId,
            form,
            valueType: form === "discountCode" ? "fixed" : null,
            value,
            currency: ctx.currency,
            points,
            status: "pending",
            at: now,
            startsAt: now,
          },
        });
        const debit = await tx.memberAdjustment.create({
          data: {
            shop,
            customerGid,
            kind: "points",
            at: now,
            points: -points,
            note: `Redeemed for ${form === "discountCode" ? "a discount code" : "store credit"} worth ${value} ${ctx.currency}`,
            key,
            actor: "shopper",
          },
        });
        const after = planMember(ctx, customerGid, { ...facts, adjustments: [...facts.adjustments, debit] }, { now, origin: "live" })!;
        await persistPlan(tx, ctx, after, stored, now, "live");
        // The sweep that finishes this redemption if the request dies before Shopify answers.
        await enqueueJob(tx, { type: REDEMPTION_CREDIT_JOB, shop, key: redemptionCreditKey(shop), runAt: sweepTime(now) }, now);
        return { reward, replay: false, balance: after.data.points };
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  } catch (error) {
    // The same key committed by another process between our read and our insert (SQLite across processes).
    if ((error as { code?: string }).code !== "P2002") throw error;
    const existing = await db.reward.findUnique({ where: { shop_key: { shop, key } } });
    if (!existing) throw error;
    return db.$transaction((tx) => replayOf(tx, existing, req));
  }
}

async function replayOf(tx: Tx, existing: Reward, req: RedemptionRequest): Promise<Reserved> {
  if (existing.points !== req.points || existing.form !== req.form)
    throw new RedemptionRefusedError("key-reused", "This request key was already used for a different redemption; send a new key.");
  const member = await tx.member.findUnique({ where: { id: existing.memberId }, select: { points: true } });
  return { reward: existing, replay: true, balance: member?.points ?? 0 };
}

function refusalMessage(problem: RedemptionProblem, s: RedemptionSettings, balance: number, points: number, currency: string): string {
  switch (problem) {
    case "invalid-points":
      return "Points must be a whole number of at least 1.";
    case "below-minimum":
      return `Redeem at least ${s.minimumPoints} points.`;
    case "not-a-step-multiple":
      return `Redeem points in steps of ${s.stepPoints}.`;
    case "worth-nothing":
      return `${points} points are worth less than the smallest amount in ${currency}; redeem more points.`;
    case "store-credit-not-offered":
      return "This shop does not offer store credit for points; choose a discount code.";
    case "not-enough-points":
      return `You have ${balance} points; this redemption needs ${points}.`;
  }
}

const sweepTime = (now: Date) => new Date(now.getTime() + REDEMPTION_SWEEP_AFTER_MS + 1000);

/** Whether Shopify's answer says for certain that nothing was created (refused), as opposed to an answer lost. */
function definitelyRefused(error: unknown): boolean {
  if (error instanceof StoreCreditRefusedError) return true;
  if (error instanceof ShopifyAdminError) return error.code === "GRAPHQL_ERRORS" || error.code === "UNAUTHORIZED" || error.code === "HTTP_ERROR";
  return false;
}

/**
 * Gives Shopify the reserved reward, once: issued on success; refunded and failed when Shopify refuses; still
 * pending (the sweep's) when the outcome is unknown. Never called for a reward that is not pending.
 */
async function issue(db: Db, deps: RedemptionDeps, ctx: ShopContext, reward: Reward): Promise<RedemptionResult> {
  await db.reward.update({ where: { id: reward.id }, data: { attempts: { increment: 1 } } });
  let client: AdminGraphqlClient;
  try {
    client = await deps.admin(reward.shop);
  } catch (error) {
    return keepPending(db, reward, error);
  }
  const admin = { client, policy: deps.policy };
  try {
    return await deliver(db, ctx, admin, reward, deps.now());
  } catch (error) {
    if (reward.form === "storeCredit") {
      // The credit may have landed with its answer lost: look before refunding.
      const landed = await findLandedCredit(db, admin, reward).catch(() => undefined);
      if (landed === undefined) return keepPending(db, reward, error);
      if (landed) return markIssued(db, ctx, reward, { creditGid: landed }, deps.now());
      return refund(db, ctx, reward, error, deps.now());
    }
    if (definitelyRefused(error)) return refund(db, ctx, reward, error, deps.now());
    return keepPending(db, reward, error);
  }
}

/** The shop's client and the retry policy: store credit is sent once per attempt (see store-credit.server.ts). */
interface Admin {
  client: AdminGraphqlClient;
  policy: CallPolicy | undefined;
}

async function deliver(db: Db, ctx: ShopContext, admin: Admin, reward: Reward, now: Date): Promise<RedemptionResult> {
  if (reward.form === "storeCredit") {
    const landed = reward.attempts > 0 ? await findLandedCredit(db, admin, reward) : null;
    if (landed) return markIssued(db, ctx, reward, { creditGid: landed }, now);
    const input = { customerGid: reward.customerGid, amount: reward.value!, currency: reward.currency! };
    const credit = await creditCustomerStoreCredit(admin.client, input, admin.policy);
    return markIssued(db, ctx, reward, { creditGid: credit.transactionGid }, now);
  }
  const { code, discountGid } = await createRewardCode(asCaller(admin.client, admin.policy), {
    rewardId: reward.id,
    customerGid: reward.customerGid,
    title: `Points redeemed: ${reward.points} points for ${reward.value} ${reward.currency} off`,
    valueType: "fixed",
    value: reward.value!,
    currency: reward.currency!,
    startsAt: reward.startsAt ?? reward.at,
    endsAt: null,
    prefix: "POINTS",
  });
  return markIssued(db, ctx, reward, { code, discountGid }, now);
}

/**
 * The credit a previous attempt gave for this reward, if Shopify shows one: a credit of exactly the reward's amount,
 * made after the reward, that no other reward has claimed. Null when there is none (safe to credit).
 */
/** How far Shopify's clock may be behind ours when a credit made right after a reward is matched to it. */
const CLOCK_SKEW_MS = 60_000;

async function findLandedCredit(db: Db, admin: Admin, reward: Reward): Promise<string | null> {
  const credits = await recentStoreCredits(admin.client, { customerGid: reward.customerGid, currency: reward.currency! }, admin.policy);
  const candidates = credits.filter(
    (c) => Number(c.amount) === Number(reward.value) && Date.parse(c.createdAt) >= reward.at.getTime() - CLOCK_SKEW_MS,
  );
  if (candidates.length === 0) return null;
  const claimed = new Set(
    (
      await db.reward.findMany({
        where: { shop: reward.shop, creditGid: { in: candidates.map((c) => c.transactionGid) } },
        select: { creditGid: true },
      })
    ).map((r) => r.creditGid),
  );
  // Oldest first: the attempts of one reward come before those of a later one.
  return candidates.reverse().find((c) => !claimed.has(c.transactionGid))?.transactionGid ?? null;
}

/**
 * Marks the reward issued, in one transaction with its Flow event (reward issued) and the member recomputed, so the
 * sync owes Shopify the member's `rewards` metafield with the new code or credit. Nothing when it is no longer pending.
 */
async function markIssued(
  db: Db,
  ctx: ShopContext,
  reward: Reward,
  given: { code?: string; discountGid?: string; creditGid?: string },
  now: Date,
): Promise<RedemptionResult> {
  await db.$transaction(
    async (tx) => {
      await lockMembers(tx, reward.shop, [reward.customerGid]);
      const { count } = await tx.reward.updateMany({
        where: { id: reward.id, status: "pending" },
        data: { status: "issued", issuedAt: now, error: null, ...given },
      });
      if (count === 0) return;
      await recordRewardFlowEvent(tx, { ...reward, ...given, status: "issued", issuedAt: now });
      await recomputeMember(tx, ctx, reward.customerGid, now);
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  return resultOfStored(db, reward.id, false);
}

/** The member folded again from all facts and written, inside the caller's transaction (the member already locked). */
async function recomputeMember(tx: Tx, ctx: ShopContext, customerGid: string, now: Date): Promise<void> {
  // Left to the order-scopes resolver, which recomputes the member once their order's products are read.
  if ((await customersWaitingForProductData(tx, ctx, [customerGid], now)).size) return;
  const stored = (await loadStoredMembers(tx, ctx.shop, [customerGid])).get(customerGid)!;
  if (!stored.member || !currentProgram(ctx)) return;
  const plan = planMember(ctx, customerGid, await loadMemberFacts(tx, ctx.shop, customerGid), { now, origin: "live" })!;
  await persistPlan(tx, ctx, plan, stored, now, "live");
}

async function keepPending(db: Db, reward: Reward, error: unknown): Promise<RedemptionResult> {
  await db.reward.updateMany({ where: { id: reward.id, status: "pending" }, data: { error: errorText(error) } });
  return resultOfStored(db, reward.id, false);
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);

/**
 * Gives the points back: a reversing adjustment (`<key>:refund`) and the reward marked failed, in one transaction with
 * the member locked and recomputed. Nothing when the reward is no longer pending (issued meanwhile, or refunded).
 */
export async function refund(db: Db, ctx: ShopContext, reward: Reward, error: unknown, now: Date): Promise<RedemptionResult> {
  await db.$transaction(
    async (tx) => {
      await lockMembers(tx, reward.shop, [reward.customerGid]);
      const current = await tx.reward.findUnique({ where: { id: reward.id } });
      if (current?.status !== "pending") return;
      const key = refundKey(reward.key);
      if (!(await tx.memberAdjustment.findUnique({ where: { shop_key: { shop: reward.shop, key } } })))
        await tx.memberAdjustment.create({
          data: {
            shop: reward.shop,
            customerGid: reward.customerGid,
            kind: "points",
            at: now,
            points: reward.points ?? 0,
            note: `Given back: Shopify did not create the ${reward.form === "discountCode" ? "discount code" : "store credit"}`,
            key,
            actor: "shopper",
          },
        });
      await tx.reward.update({ where: { id: reward.id }, data: { status: "failed", error: errorText(error) } });
      await recomputeMember(tx, ctx, reward.customerGid, now);
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  return resultOfStored(db, reward.id, false);
}

async function resultOfStored(db: Db, rewardId: string, replay: boolean): Promise<RedemptionResult> {
  const reward = await db.reward.findUniqueOrThrow({ where: { id: rewardId } });
  const member = await db.member.findUnique({ where: { id: reward.memberId }, select: { points: true } });
  return resultOf(reward, replay, member?.points ?? 0);
}

function resultOf(reward: Reward, replay: boolean, balance: number): RedemptionResult {
  const status = reward.status === "issued" ? "issued" : reward.status === "failed" ? "failed" : "pending";
  return {
    status,
    replay,
    rewardId: reward.id,
    points: reward.points ?? 0,
    form: reward.form as RedemptionFormV1,
    value: reward.value ?? "0",
    currency: reward.currency ?? "",
    code: reward.code,
    creditGid: reward.creditGid,
    balance,
    message: status === "pending" ? PENDING_MESSAGE : status === "failed" ? FAILED_MESSAGE : null,
  };
}

// ── The sweep: the `redemption-credit` job ─────────────────────────────────────────────────────────────────────────

/**
 * Finishes the shop's redemptions still pending a minute after they were reserved (the request died between the
 * debit and Shopify, or Shopify's answer was lost): store credit and discount codes alike, each looked up before it
 * is given, so never two codes or two credits for one reward. A redemption Shopify refuses, or that has failed
 * REDEMPTION_MAX_ATTEMPTS times, is refunded. Queues itself again for redemptions not yet a minute old, and throws
 * (the job retries with backoff) when some outcome is still unknown.
 */
export async function finishPendingRedemptions(
  db: Db,
  deps: RedemptionDeps,
  shop: string,
): Promise<{ issued: number; refunded: number; pending: number }> {
  const now = deps.now();
  const pending = await db.reward.findMany({ where: { shop, kind: "redemption", status: "pending" }, orderBy: { at: "asc" } });
  const due = pending.filter((r) => r.at.getTime() <= now.getTime() - REDEMPTION_SWEEP_AFTER_MS);
  const young = pending.filter((r) => r.at.getTime() > now.getTime() - REDEMPTION_SWEEP_AFTER_MS);
  const out = { issued: 0, refunded: 0, pending: 0 };
  if (young.length) await enqueueJob(db, { type: REDEMPTION_CREDIT_JOB, shop, key: redemptionCreditKey(shop), runAt: sweepTime(young[0].at) }, now);
  if (!due.length) return out;
  const ctx = await loadShopContext(db, shop);
  for (const r of due) {
    const result =
      r.attempts >= REDEMPTION_MAX_ATTEMPTS
        ? await refund(db, ctx, r, r.error ?? "gave up after repeated failures", now)
        : await issue(db, deps, ctx, r);
    out[result.status === "issued" ? "issued" : result.status === "failed" ? "refunded" : "pending"]++;
  }
  if (out.pending) throw new Error(`${out.pending} redemption(s) of ${shop} still wait for Shopify; retrying`);
  return out;
}
