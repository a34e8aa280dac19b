// Each UI extension's configuration agrees with its code: the toml targets are the ones the modules register,
// the API version is 2026-10, and the locale file carries the shared shopper texts verbatim.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { MEMBER_MESSAGES_EN, messageAt, messageKeys, type MessageTree } from "~/shared/member-messages";
import type { Registration } from "./support/ui-mocks";

vi.mock("@shopify/ui-extensions-react/checkout", async () => (await import("./support/ui-mocks")).checkoutModule());
vi.mock("@shopify/ui-extensions-react/customer-account", async () => (await import("./support/ui-mocks")).customerAccountModule());
vi.mock("@shopify/ui-extensions-react/point-of-sale", async () => (await import("./support/ui-mocks")).pointOfSaleModule());

const root = path.resolve(import.meta.dirname, "../../extensions");
const extensions = ["checkout-tier-banner", "account-member-card", "pos-member-tile"];

/** The [[extensions.targeting]] pairs of a toml, read line by line (the files are ours and regular). */
function targetings(toml: string): { module: string; target: string }[] {
  const out: { module: string; target: string }[] = [];
  for (const block of toml.split("[[extensions.targeting]]").slice(1)) {
    const module = /^\s*module\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    const target = /^\s*target\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    if (module && target) out.push({ module, target });
  }
  return out;
}

describe.each(extensions)("%s", (ext) => {
  const dir = path.join(root, ext);
  const toml = fs.readFileSync(path.join(dir, "shopify.extension.toml"), "utf8");

  it("targets API version 2026-10 as a ui_extension with its own handle", () => {
    expect(toml).toMatch(/^api_version = "2026-10"$/m);
    expect(toml).toMatch(/^type = "ui_extension"$/m);
    expect(toml).toMatch(new RegExp(`^handle = "${ext}"$`, "m"));
  });

  it("registers, in each module, the target its toml names", async () => {
    const pairs = targetings(toml);
    expect(pairs.length).toBeGreaterThan(0);
    for (const { module, target } of pairs) {
      const mod = (await import(/* @vite-ignore */ path.join(dir, module))) as { default: Registration };
      expect(mod.default.target, module).toBe(target);
    }
  });

  it("carries every shared shopper text verbatim in locales/en.default.json", () => {
    const locale = JSON.parse(fs.readFileSync(path.join(dir, "locales/en.default.json"), "utf8")) as MessageTree;
    for (const key of messageKeys(MEMBER_MESSAGES_EN)) expect(messageAt(locale, key), key).toBe(messageAt(MEMBER_MESSAGES_EN, key));
  });

  it("has a README line", () => {
    expect(fs.readFileSync(path.join(dir, "README.md"), "utf8").trim().length).toBeGreaterThan(40);
  });
});

describe.each(["account-member-card", "pos-member-tile"])("%s texts", (ext) => {
  it("uses only locale keys that exist", () => {
    const dir = path.join(root, ext);
    const locale = JSON.parse(fs.readFileSync(path.join(dir, "locales/en.default.json"), "utf8")) as MessageTree;
    const sources = fs.readdirSync(path.join(dir, "src")).map((f) => fs.readFileSync(path.join(dir, "src", f), "utf8"));
    const used = [...new Set(sources.flatMap((s) => [...s.matchAll(/\bt\("([a-zA-Z.]+)"/g)].map((m) => m[1])))];
    expect(used.length).toBeGreaterThan(5);
    for (const key of used) expect(messageAt(locale, key), key).not.toBeNull();
  });
});

describe("checkout metafields", () => {
  it("declares the $app:tierline keys the banner reads", () => {
    const toml = fs.readFileSync(path.join(root, "checkout-tier-banner/shopify.extension.toml"), "utf8");
    const declared = [...toml.matchAll(/\[\[extensions\.metafields\]\]\s*namespace = "([^"]+)"\s*key = "([^"]+)"/g)].map((m) => `${m[1]}.${m[2]}`);
    expect(declared).toEqual(["$app:tierline.level", "$app:tierline.progress", "$app:tierline.benefits"]);
  });
});
