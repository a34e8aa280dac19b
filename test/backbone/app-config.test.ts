import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { WEBHOOK_TOPICS } from "~/services/webhook-payloads.server";

/** shopify.app.toml, the webhook routes and Shopify's schema agree: every topic subscribed, routed and real. */

const root = path.resolve(import.meta.dirname, "../..");
const toml = fs.readFileSync(path.join(root, "shopify.app.toml"), "utf8");

interface Subscription {
  handledBy: string | null;
  topics: string[];
  compliance: boolean;
  uri: string;
}

/** The [[webhooks.subscriptions]] blocks with the `# Handled by:` comment above each (enough TOML for this file). */
function subscriptions(): Subscription[] {
  const out: Subscription[] = [];
  const blocks = toml.split("[[webhooks.subscriptions]]");
  for (let i = 1; i < blocks.length; i++) {
    const before = blocks[i - 1].trimEnd().split("\n");
    const comment = before[before.length - 1].match(/#\s*Handled by:\s*(\S+)/);
    const body = blocks[i].split(/\n\s*\n|\n\s*#|\n\[/)[0];
    const list = body.match(/(compliance_topics|topics)\s*=\s*\[([^\]]*)\]/);
    const uri = body.match(/uri\s*=\s*"([^"]+)"/);
    out.push({
      handledBy: comment?.[1] ?? null,
      topics: list ? [...list[2].matchAll(/"([^"]+)"/g)].map((m) => m[1]) : [],
      compliance: list?.[1] === "compliance_topics",
      uri: uri?.[1] ?? "",
    });
  }
  return out;
}

describe("shopify.app.toml", () => {
  const subs = subscriptions();

  it("subscribes to every topic Tierline handles, once", () => {
    expect(subs.flatMap((s) => s.topics).sort()).toEqual([...WEBHOOK_TOPICS].sort());
  });

  it.each(subscriptions().map((s) => ({ ...s, name: s.topics.join(",") })))(
    "$name: comment names the route that serves its uri",
    ({ handledBy, topics, uri }) => {
      expect(handledBy).not.toBeNull();
      expect(fs.existsSync(path.join(root, handledBy!))).toBe(true);
      expect(uri).toBe(`/webhooks/${topics[0]}`);
      expect(handledBy).toBe(`app/routes/webhooks.${topics[0].replace("/", ".")}.tsx`);
    },
  );

  it("uses compliance_topics exactly for the mandatory compliance webhooks", () => {
    expect(
      subs
        .filter((s) => s.compliance)
        .flatMap((s) => s.topics)
        .sort(),
    ).toEqual(["customers/data_request", "customers/redact", "shop/redact"]);
  });

  it("subscribes only to topics that exist in the Admin API 2026-10 (WebhookSubscriptionTopic)", () => {
    const schema = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(root, "test/fixtures/shopify-schemas/admin_2026-10.json.gz"))).toString());
    const enumType = schema.data.__schema.types.find((t: { name: string }) => t.name === "WebhookSubscriptionTopic");
    const known = new Set(enumType.enumValues.map((v: { name: string }) => v.name));
    for (const s of subs.filter((x) => !x.compliance))
      for (const topic of s.topics) expect(known.has(topic.replace("/", "_").toUpperCase()), topic).toBe(true);
  });

  it("declares the scopes, API version and embedding the app needs", () => {
    expect(toml).toMatch(
      /scopes = "read_customers,write_customers,read_orders,read_customer_merge,write_discounts,read_products,customer_read_customers,customer_write_customers"/,
    );
    expect(toml).toMatch(/^optional_scopes = \[ "read_all_orders" \]$/m);
    expect(toml).toMatch(/\[webhooks\]\napi_version = "2026-10"/);
    expect(toml).toMatch(/^embedded = true$/m);
    expect(toml).toMatch(/\[pos\]\nembedded = false/);
  });
});
