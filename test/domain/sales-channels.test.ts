// One list of channel ids: the program's `channels`, the order facts from webhooks and from the install backfill,
// and the admin's settings form all use app/domain/sales-channels.ts, so a merchant limiting the program to a
// channel counts the same orders whichever way they arrived.
import { describe, expect, it } from "vitest";
import { SALES_CHANNELS, salesChannelOf } from "~/domain/sales-channels";
import { CHANNELS } from "~/forms/settings-form";
import { channelOf as webhookChannelOf } from "~/services/order-facts.server";
import { channelOf as backfillChannelOf } from "~/shopify/backfill.server";
import { buildProgramJson, evaluate, paid } from "../../tools/sample-data/program-builders";

const ids = SALES_CHANNELS.map((c) => c.id);

describe("sales channel ids", () => {
  it.each([
    { source: "web", channel: "online_store" },
    { source: "pos", channel: "pos" },
    { source: "shopify_draft_order", channel: "draft_orders" },
    { source: "draft_order", channel: "draft_orders" },
    { source: "customer_account", channel: "customer_accounts" },
    { source: "customer_accounts", channel: "customer_accounts" },
    { source: "1234567", channel: "1234567" },
    { source: "", channel: null },
    { source: null, channel: null },
  ])("source $source → $channel, from webhooks and from the backfill alike", ({ source, channel }) => {
    expect(salesChannelOf(source)).toBe(channel);
    expect(webhookChannelOf(source)).toBe(channel);
    expect(backfillChannelOf(source)).toBe(channel ?? undefined);
    // The backfill's id goes through the order-facts mapping again: a channel id maps to itself.
    expect(webhookChannelOf(backfillChannelOf(source))).toBe(channel);
  });

  it("the admin offers exactly the channel ids order facts carry", () => {
    expect(CHANNELS.map((c) => c.id)).toEqual(ids);
    expect(ids).toEqual(["online_store", "pos", "customer_accounts", "draft_orders"]);
    for (const id of ids) expect(salesChannelOf(id)).toBe(id);
  });

  it.each([
    { source: "shopify_draft_order", channels: ["draft_orders"], level: "gold" },
    { source: "shopify_draft_order", channels: ["online_store", "pos"], level: null },
    { source: "customer_account", channels: ["customer_accounts"], level: "gold" },
    { source: "web", channels: ["customer_accounts", "draft_orders"], level: null },
  ])("an order from $source counts for a program limited to $channels: $level", ({ source, channels, level }) => {
    const order = { amount: "600.00", channel: backfillChannelOf(source) };
    expect(evaluate(buildProgramJson({ channels }), [paid("2026-03-02T10:00:00Z", order)], "2026-04-01T00:00:00Z").level).toBe(level);
  });
});
