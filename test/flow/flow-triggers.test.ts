import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FLOW_EVENTS_JOB } from "~/queue/job-kinds";
import { FLOW_TRIGGERS, flowTriggerHandle, recordFlowEvent } from "~/services/flow/flow-events.server";
import { FLOW_SEND_MAX_ATTEMPTS, flowTriggerPayload } from "~/services/flow/flow-sender.server";
import { recordRewardFlowEvent } from "~/services/flow/reward-events.server";
import { purgeShop, redactCustomer } from "~/services/privacy.server";
import { FLOW_TRIGGER_DEFINITIONS } from "~/shared/flow-triggers";
import { disableFlowTrigger, flowTriggerExtensions, flowTriggerSummaryLines, parseFlowTriggerToml } from "../../tools/shopify-stand-in/flow-triggers";
import { customer, customerGid, flowShop, SHOP, type FlowShop } from "./flow-harness";

const ROOT = path.resolve(import.meta.dirname, "../..");
const T0 = new Date("2026-03-01T10:00:00Z");
const later = (ms: number) => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;

let shop: FlowShop;
afterEach(async () => shop?.close());

describe("the Flow trigger extensions and what Tierline sends", () => {
  it.each(FLOW_TRIGGERS)("extensions/flow-%s declares exactly the fields the sender sends, with their types", (trigger) => {
    const toml = fs.readFileSync(path.join(ROOT, "extensions", `flow-${trigger}`, "shopify.extension.toml"), "utf8");
    const ext = parseFlowTriggerToml(toml)!;
    const def = FLOW_TRIGGER_DEFINITIONS[trigger];
    expect(ext).toEqual({
      handle: flowTriggerHandle(trigger),
      name: def.name,
      fields: [{ key: "customer_id", type: "customer_reference" }, ...def.fields.map((f) => ({ key: f.key, type: f.type }))],
    });
    // Shopify's CLI: handles of at most 30 characters, letters, digits and hyphens; field keys of letters and spaces.
    expect(ext.handle).toMatch(/^[a-z0-9-]{1,30}$/);
    for (const f of def.fields) expect(f.key).toMatch(/^[a-zA-Z ]+$/);
    // The payload of any event of this trigger has exactly these keys, whatever the recorder put in it.
    const sent = flowTriggerPayload({ trigger: flowTriggerHandle(trigger), customerGid: customerGid(7), payloadJson: "{}" });
    expect(Object.keys(sent)).toEqual(ext.fields.map((f) => f.key));
  });

  it("every flow_trigger extension in extensions/ is one of Tierline's triggers", () => {
    expect([...flowTriggerExtensions(path.join(ROOT, "extensions")).keys()].sort()).toEqual(FLOW_TRIGGERS.map(flowTriggerHandle).sort());
  });
});

describe("sending", () => {
  it("a refused send is retried with backoff, then marked failed with Shopify's error; nothing reaches Flow", async () => {
    shop = await flowShop();
    disableFlowTrigger(shop.standIn.shop(SHOP), "tierline-level-up");
    await shop.order({ id: 2001, customer: customer(601), lines: [{ price: "150.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(later(1000));
    const first = await shop.db.flowEvent.findFirstOrThrow();
    expect(first).toMatchObject({ status: "pending", attempts: 1 });
    expect(first.error).toContain("Invalid handle 'tierline-level-up'");
    // The retry waits for its backoff.
    await shop.work(later(10_000));
    expect((await shop.db.flowEvent.findFirstOrThrow()).attempts).toBe(1);
    for (let h = 1; h < FLOW_SEND_MAX_ATTEMPTS; h++) await shop.work(later(h * HOUR));
    const last = await shop.db.flowEvent.findFirstOrThrow();
    expect(last).toMatchObject({ status: "failed", attempts: FLOW_SEND_MAX_ATTEMPTS, sentAt: null });
    expect(last.error).toMatch(/Invalid handle 'tierline-level-up'/);
    expect(await shop.db.job.count({ where: { type: FLOW_EVENTS_JOB, status: "queued" } })).toBe(0);
    expect(shop.received()).toEqual([]);
  });

  it("a reward issued and a birthday reward reach Flow with the code, the value and the merchant's text", async () => {
    shop = await flowShop();
    await shop.order({ id: 2002, customer: customer(602, "Grace"), lines: [{ price: "150.00" }], processedAt: T0.toISOString() }, T0);
    await shop.work(later(1000));
    const member = await shop.db.member.findFirstOrThrow({ where: { customerGid: customerGid(602) } });
    const base = { shop: SHOP, memberId: member.id, customerGid: member.customerGid, levelId: "silver", currency: "USD", issuedAt: later(2000) };
    await shop.db.$transaction(async (tx) => {
      await recordRewardFlowEvent(tx, {
        ...base,
        kind: "welcome",
        key: `welcome:${member.customerGid}:silver`,
        form: "discountCode",
        valueType: "percentage",
        value: "15",
        points: null,
        code: "TIER-AAAA-BBBB",
        endsAt: new Date("2026-03-31T10:00:00Z"),
      });
      await recordRewardFlowEvent(tx, {
        ...base,
        kind: "birthday",
        key: `birthday:${member.customerGid}:2026`,
        form: "discountCode",
        valueType: "fixed",
        value: "5.00",
        points: null,
        code: "TIER-CCCC-DDDD",
        endsAt: new Date("2026-04-01T10:00:00Z"),
      });
    });
    await shop.work(later(3000));
    expect(shop.received().slice(1)).toEqual([
      {
        handle: "tierline-reward-issued",
        receivedAt: expect.any(String),
        payload: {
          customer_id: 602,
          "Reward kind": "welcome",
          "Level name": "Silver",
          "Reward code": "TIER-AAAA-BBBB",
          "Reward value": "15% off",
          Points: 0,
          "Ends at": "2026-03-31T10:00:00.000Z",
          "Issued at": later(2000).toISOString(),
          "Message subject": "A reward for you, Grace",
          "Message body": "Hi Grace, here is your Silver reward: 15% off. Use code TIER-AAAA-BBBB by 2026-03-31.",
        },
      },
      {
        handle: "tierline-birthday-reward",
        receivedAt: expect.any(String),
        payload: {
          customer_id: 602,
          "Reward code": "TIER-CCCC-DDDD",
          "Reward value": "$5.00 off",
          Points: 0,
          "Ends at": "2026-04-01T10:00:00.000Z",
          "Issued at": later(2000).toISOString(),
          "Message subject": "Happy birthday, Grace!",
          "Message body": "Hi Grace, happy birthday! Your gift: $5.00 off. Use code TIER-CCCC-DDDD by 2026-04-01.",
        },
      },
    ]);
  });

  it("an event recorded twice under one key is sent once", async () => {
    shop = await flowShop();
    const e = { shop: SHOP, trigger: "points-expiring" as const, key: "k1", customerGid: customerGid(603), at: T0, payload: { Points: 5 } };
    await shop.db.$transaction((tx) => recordFlowEvent(tx, e));
    await shop.db.$transaction((tx) => recordFlowEvent(tx, e));
    await shop.work(later(1000));
    await shop.db.$transaction((tx) => recordFlowEvent(tx, e));
    await shop.work(later(2000));
    expect(shop.received().map((r) => [r.handle, r.payload.Points])).toEqual([["tierline-points-expiring", 5]]);
    // The demo's summary of what Flow received.
    expect(flowTriggerSummaryLines(shop.standIn.shop(SHOP))).toEqual([
      "Shopify Flow received 1 trigger payloads:",
      "  tierline-points-expiring     1  e.g. customer 603 · 5 points expire ",
    ]);
  });

  it("customers/redact deletes the customer's Flow events (their messages carry the name); an uninstall deletes the shop's", async () => {
    shop = await flowShop();
    const e = (id: number) => ({
      shop: SHOP,
      trigger: "level-up" as const,
      key: `k${id}`,
      customerGid: customerGid(id),
      at: T0,
      payload: { "Message body": "Hi Ada" },
    });
    await shop.db.$transaction(async (tx) => {
      await recordFlowEvent(tx, e(604));
      await recordFlowEvent(tx, e(605));
    });
    await shop.db.$transaction((tx) => redactCustomer(tx, SHOP, { customerGid: customerGid(604), email: null, phone: null, orderGids: [] }, T0));
    expect((await shop.db.flowEvent.findMany()).map((r) => r.customerGid)).toEqual([customerGid(605)]);
    await shop.db.$transaction((tx) => purgeShop(tx, SHOP, { keepTombstone: true, now: T0 }));
    expect(await shop.db.flowEvent.count()).toBe(0);
  });
});
