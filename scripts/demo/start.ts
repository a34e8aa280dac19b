import fs from "node:fs";
import { SYNC_MEMBERS_JOB, syncMembersKey } from "~/queue/job-kinds";
import { enqueueJob } from "~/queue/queue.server";
import { levelCap } from "~/services/admin/plan-limits";
import { startLocalStack, type LocalStack } from "../../tools/local-stack";
import { embeddedAdminUrl } from "../../tools/shopify-stand-in/session-token";
import { startStorefrontPage, storefrontShowcase, type StorefrontPage } from "../../tools/shopper-surfaces/storefront/storefront-page";
import { startAccountPageHost, type AccountPageHost } from "../../tools/shopper-surfaces/account-page/account-page-host";
import { membersPerLevel, table, watchLevelMoves, type LevelMove } from "./level-moves";
import { buildReplay, type ReplayEvent } from "./replay";
import { publishDemoProgram, seedStore } from "./seed";
import { benefitShowcase, showcaseTable } from "./showcase";
import { buildDemoShopData } from "./shop-data";

/**
 * `npm run demo` as a function (the CLI is scripts/demo.ts; the browser suite calls this too): Tierline running
 * locally as in production (tools/local-stack/: the production build, a migrated SQLite file, the Shopify
 * stand-in, an installed shop), a demo shop seeded through the admin's own services, and a replay of signed
 * webhooks that the worker drains while the terminal shows members moving between levels.
 */

export interface StartDemoOptions {
  /** Start from an empty database. Default: true when `databaseFile` does not exist yet (or is not given). */
  fresh?: boolean;
  /** Port of the app server (default: a free one). */
  port?: number;
  /** The SQLite file; a temporary one (deleted by stop()) when omitted. The CLI uses prisma/demo.sqlite. */
  databaseFile?: string;
  /** "live" (default): about five webhooks a second, for people; "instant": as fast as the app takes them. */
  pace?: "live" | "instant";
  /** How many customers the shop has (default 300; at least the six named ones). */
  customers?: number;
  /** Print nothing (the log lines still go to `output` when given). */
  quiet?: boolean;
  /** Where the demo's lines go (default console.log unless quiet). */
  output?: (line: string) => void;
}

export interface Demo {
  stack: LocalStack;
  /** A signed admin URL (valid for 12 hours) that opens the embedded admin in a plain browser: local use only. */
  adminUrl(path?: string): string;
  /** Resolves when every webhook was delivered and processed and the summary was printed (at once on a reopened database). */
  replayDone: Promise<void>;
  /** Level changes printed so far. */
  moves: LevelMove[];
  /** The storefront page with the Tierline theme block, rendered from the stand-in store's metafields. */
  storefront: StorefrontPage;
  /** The customer account member card page (the account-member-page extension), run from its real bundle on the stand-in's data. */
  accountPage: AccountPageHost;
  stop(): Promise<void>;
}

const LIVE_GAP_MS = 200;
const SETTLE_TIMEOUT_MS = 180_000;

export async function startDemo(opts: StartDemoOptions = {}): Promise<Demo> {
  const startedAt = Date.now();
  const say = opts.output ?? (opts.quiet ? () => undefined : (line: string) => console.log(line));
  const fresh = opts.fresh ?? !(opts.databaseFile && fs.existsSync(opts.databaseFile));
  const pace = opts.pace ?? "live";

  say(
    fresh ? "Starting Tierline on a fresh SQLite database (the first run also builds the app, about a minute)…" : `Reopening ${opts.databaseFile}…`,
  );
  const stack = await startLocalStack({ databaseFile: opts.databaseFile, fresh, port: opts.port, quiet: true });
  const { db, shop } = stack;
  const stopped = new AbortController();
  let watcher: ReturnType<typeof watchLevelMoves> | null = null;
  let storefront: StorefrontPage | null = null;
  let accountPage: AccountPageHost | null = null;
  const stop = async () => {
    stopped.abort();
    await watcher?.stop();
    await storefront?.close();
    await accountPage?.close();
    await stack.stop();
  };

  try {
    // Midnight UTC today: history dates are days before it, so counts do not depend on the hour.
    const anchor = Math.floor(startedAt / 86_400_000) * 86_400_000;
    const data = buildDemoShopData({ customers: opts.customers ?? 300 });
    // The stand-in keeps its store in memory: a reopened demo gets the same customers and products back.
    seedStore(stack.standIn, shop, data, anchor, { orders: fresh });
    // The demo shop is on the Growth plan (Shopify App Pricing; docs/plans.md): the merchant's choice on Shopify's plan
    // page reaches the app as app_subscriptions/update, and the worker reads the plan back from the stand-in.
    const shopState = stack.standIn.shop(shop);
    for (const s of stack.standIn.billing.choosePlan(shopState, "Growth").changed) {
      const res = await stack.sendWebhook("app_subscriptions/update", stack.standIn.billing.webhookPayload(shopState, s));
      if (res.status !== 200) throw new Error(`app_subscriptions/update answered ${res.status}`);
    }
    if (fresh) {
      await publishDemoProgram(db, shop, Date.now());
      // The install backfill imports the history, the publish recalculates, the discount and members sync.
      await stack.drain();
    } else {
      // What Shopify had of the members was in the previous stand-in's memory: write it again.
      await db.syncState.updateMany({ where: { shop, subject: { startsWith: "gid://shopify/Customer/" } }, data: { syncedHash: null } });
      await enqueueJob(db, { type: SYNC_MEMBERS_JOB, shop, key: syncMembersKey(shop) });
    }
    const adminUrl = (p = "/app") =>
      embeddedAdminUrl(stack.appUrl, p, { shop, apiKey: stack.apiKey, apiSecret: stack.apiSecret, ttlSeconds: 12 * 3600 });

    const counts = await membersPerLevel(db, shop);
    say("");
    say(
      `Tierline demo: ${shop}, ${data.customers.length} customers, ${await db.orderFact.count({ where: { shop } })} orders on record (ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`,
    );
    say(`  Members now: ${counts.map((c) => `${c.name} ${c.members}`).join(", ")}`);
    const plan = levelCap((await db.shop.findUnique({ where: { domain: shop }, select: { plan: true } }))?.plan);
    say(`  Plan: ${plan.label} (up to ${plan.maxLevels} levels), the demo shop's subscription in the Shopify stand-in`);
    say("");
    say("Open the admin in a browser (signed session-token links that work outside Shopify's iframe; local use only, valid 12 h):");
    say(`  Member centre  ${adminUrl("/app")}`);
    say(`  Members        ${adminUrl("/app/members")}`);
    say(`  Levels         ${adminUrl("/app/levels")}`);
    say(`  Publish        ${adminUrl("/app/publish")}`);
    say(`  App server ${stack.appUrl} · Shopify stand-in ${stack.standIn.url} · database ${stack.databaseFile}`);
    storefront = await startStorefrontPage({ standIn: stack.standIn, shop });
    say("");
    say("Storefront: the Tierline theme block (Membership levels), rendered from the stand-in store's metafields on every load:");
    say(`  Visitor, not logged in   ${storefront.url}`);
    for (const s of storefrontShowcase(stack.standIn.shop(shop))) say(`  ${s.label.padEnd(24)} ${storefront.memberUrl(s.customerId)}`);
    accountPage = await startAccountPageHost({ standIn: stack.standIn, shop, storefrontUrl: storefront.url });
    say("");
    say("Customer account, checkout and POS: the UI extensions' real bundles, with Shopify's side stood in (tools/shopper-surfaces/account-page):");
    const showcase = storefrontShowcase(stack.standIn.shop(shop));
    for (const s of showcase) say(`  Member card page  ${s.label.padEnd(22)} ${accountPage.memberPageUrl(s.customerId)}`);
    const member = showcase.find((s) => s.label !== "No level yet") ?? showcase[0];
    if (member) {
      for (const [surface, label] of [
        ["profile-block", "Profile block"],
        ["checkout-banner", "Checkout banner"],
        ["pos-customer", "POS customer"],
        ["pos-home", "POS tile + modal"],
      ] as const) {
        say(`  ${label.padEnd(17)} ${member.label.padEnd(22)} ${accountPage.surfaceUrl(surface, member.customerId)}`);
      }
    }
    say(`  ${"Any customer, any surface".padEnd(40)} ${accountPage.url}`);
    say("");

    stack.startWorkerLoop({ idleMs: 200, onError: (e) => say(`worker error: ${e instanceof Error ? e.message : String(e)}`) });
    const demo: Demo = { stack, adminUrl, replayDone: Promise.resolve(), moves: [], storefront, accountPage, stop };
    if (!fresh) {
      say("Reopened: the replay ran when this database was created. Run with --fresh to start over and watch it again.");
      return demo;
    }

    const events = buildReplay(data);
    say(
      `Replaying ${events.length} signed webhooks (${pace === "live" ? "about five a second" : "as fast as the app takes them"}); level moves as the worker records them:`,
    );
    const replayStart = new Date();
    // The replay compresses a stretch of live traffic into the minutes before now; in the demo's story the app was
    // installed before that stretch began, so its orders are the members' own live orders that reward and notify
    // (one-time rewards and Flow events start at Shop.rewardsFrom, the install; the imported history stays before it).
    const firstEventAt = replayStart.getTime() - Math.max(...events.map((e) => e.minutesAgo), 0) * 60_000;
    await db.shop.update({ where: { domain: shop }, data: { rewardsFrom: new Date(firstEventAt - 60_000) } });
    watcher = watchLevelMoves(db, shop, replayStart, (m) => say(`  ${m.line}`));
    demo.moves = watcher.moves;
    demo.replayDone = (async () => {
      await replay(stack, events, { pace, signal: stopped.signal, start: replayStart.getTime(), say });
      if (stopped.signal.aborted) return;
      await settled(stack, stopped.signal);
      await watcher!.flush();
      if (stopped.signal.aborted) return;
      await summary(stack, demo.moves, events.length, replayStart.getTime(), say);
    })();
    // Keep an unobserved failure from crashing the process before the caller awaits it.
    demo.replayDone.catch(() => undefined);
    return demo;
  } catch (error) {
    await stop();
    throw error;
  }
}

async function replay(
  stack: LocalStack,
  events: ReplayEvent[],
  opts: { pace: "live" | "instant"; signal: AbortSignal; start: number; say: (line: string) => void },
): Promise<void> {
  for (const event of events) {
    if (opts.signal.aborted) return;
    if (event.note) opts.say(`  · ${event.topic}: ${event.note}`);
    const res = await stack.sendWebhook(event.topic, event.payload(opts.start), { webhookId: event.webhookId });
    if (res.status !== 200) throw new Error(`${event.topic} ${event.webhookId} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    if (opts.pace === "live") await new Promise((r) => setTimeout(r, LIVE_GAP_MS));
  }
}

/** Waits until the inbox is empty and no job is due: everything delivered has been applied and synced. */
async function settled(stack: LocalStack, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let quiet = 0;
  while (!signal.aborted) {
    const [inbox, jobs, unresolved] = await Promise.all([
      stack.db.webhookInbox.count({ where: { shop: stack.shop, status: { in: ["received", "applied"] } } }),
      stack.db.job.count({ where: { status: { in: ["queued", "running"] }, runAt: { lte: new Date() } } }),
      // Live orders whose products' collections and tags the worker has not read yet (their members wait for them).
      stack.db.orderFact.count({ where: { shop: stack.shop, scopeState: "unresolved", paidAt: { not: null } } }),
    ]);
    quiet = inbox === 0 && jobs === 0 && unresolved === 0 ? quiet + 1 : 0;
    if (quiet >= 3) return;
    if (Date.now() > deadline)
      throw new Error(`the worker did not settle within ${SETTLE_TIMEOUT_MS / 1000} s (${inbox} deliveries and ${jobs} jobs pending)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function summary(stack: LocalStack, moves: LevelMove[], delivered: number, start: number, say: (line: string) => void): Promise<void> {
  const { db, shop, standIn } = stack;
  const counts = await membersPerLevel(db, shop);
  const stored = await db.webhookInbox.count({ where: { shop, topic: { not: "bulk_operations/finish" }, receivedAt: { gte: new Date(start) } } });
  const customers = Object.values(standIn.shop(shop).customers);
  const tagged = customers.filter((c) => c.tags.some((t) => t.startsWith("tier:"))).length;
  const synced = customers.filter((c) => standIn.metafieldJson(c.id, "progress", "$app:tierline", shop) !== undefined).length;
  const ups = moves.filter((m) => m.direction === "up").length;
  const downs = moves.filter((m) => m.direction === "down").length;
  say("");
  say(
    `Replay done: ${delivered} deliveries sent, ${stored} stored (repeats under one webhook id are stored once), ${moves.length} level changes (${ups} up, ${downs} down).`,
  );
  for (const line of table(
    ["Level", "Members"],
    counts.map((c) => [c.name, c.members]),
  ))
    say(`  ${line}`);
  say(`Shopify stand-in: ${tagged} customers tagged tier:<level>; ${synced} carry the $app:tierline level/progress/benefits metafields.`);
  say("");
  say("Benefits reaching shoppers, end to end through the Shopify stand-in:");
  const { rows, details } = await benefitShowcase(stack);
  stack.startWorkerLoop({ idleMs: 200, onError: (e) => say(`worker error: ${e instanceof Error ? e.message : String(e)}`) });
  for (const line of showcaseTable(rows)) say(`  ${line}`);
  for (const line of details) say(`  ${line}`);
  const [failedNow, deadNow] = await Promise.all([
    db.webhookInbox.count({ where: { shop, status: "failed" } }),
    db.job.count({ where: { shop, status: "dead" } }),
  ]);
  if (failedNow || deadNow) say(`Problems: ${failedNow} deliveries failed, ${deadNow} jobs dead (see the Job and WebhookInbox tables).`);
}
