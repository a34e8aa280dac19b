import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createShopifyLiquid, THEME_EXTENSION_ROOT } from "../../tools/shopper-surfaces/storefront/shopify-liquid";

/**
 * Shopify's limits for a theme app extension, checked on the files as they would be deployed.
 *
 * - Shopify's docs (https://shopify.dev/docs/apps/build/online-store/theme-app-extensions/configuration#file-and-content-size-limits):
 *   all files together at most 10 MB; all Liquid (blocks and snippets) at most 100 KB; at most 30 app blocks
 *   (changelog 2026-02-03, up from 25); a locale file at most 15 KB; at most 25 settings per block.
 * - The Shopify CLI 4.8.2 (`shopify app build`/`deploy`, node_modules/@shopify/cli) refuses files outside assets/,
 *   blocks/, locales/ and snippets/, file types other than these per folder, more than 10 MB, or Liquid over 500 kB
 *   (the docs' 100 KB is the stricter, so it is the one checked).
 * - Theme Check's app extension preset: app block CSS at most 100,000 bytes, JavaScript at most 10,000 bytes.
 */

const KB = 1024;
const LIMITS = {
  totalBytes: 10 * KB * KB,
  liquidBytes: 100 * KB,
  appBlocks: 30,
  localeBytes: 15 * KB,
  settingsPerBlock: 25,
  cssBytes: 100_000,
  jsBytes: 10_000,
};
const ALLOWED: Record<string, string[]> = {
  assets: [".jpg", ".jpeg", ".json", ".js", ".css", ".png", ".svg", ".wasm"],
  blocks: [".liquid"],
  locales: [".json"],
  snippets: [".liquid"],
};

/** The files the CLI bundles: everything one folder deep (`*\/*`), as its theme extension validation globs them. */
function deployedFiles(): { rel: string; bytes: number }[] {
  const out: { rel: string; bytes: number }[] = [];
  for (const dir of fs.readdirSync(THEME_EXTENSION_ROOT, { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name.startsWith(".")) continue;
    for (const f of fs.readdirSync(path.join(THEME_EXTENSION_ROOT, dir.name), { withFileTypes: true })) {
      const rel = `${dir.name}/${f.name}`;
      out.push({ rel, bytes: fs.statSync(path.join(THEME_EXTENSION_ROOT, rel)).size });
    }
  }
  return out;
}

const files = deployedFiles();
const sum = (list: { bytes: number }[]) => list.reduce((n, f) => n + f.bytes, 0);
const liquid = createShopifyLiquid();
const blocks = files.filter((f) => f.rel.startsWith("blocks/")).map((f) => path.basename(f.rel, ".liquid"));

describe("theme app extension limits", () => {
  it("keeps every file in a folder and of a type the CLI deploys", () => {
    const misplaced = files.filter((f) => !(ALLOWED[f.rel.split("/")[0]] ?? []).includes(path.extname(f.rel)));
    expect(misplaced.map((f) => f.rel)).toEqual([]);
    expect(fs.readFileSync(path.join(THEME_EXTENSION_ROOT, "shopify.extension.toml"), "utf8")).toMatch(/^type = "theme"$/m);
  });

  it("stays within the size limits", () => {
    const liquidFiles = files.filter((f) => f.rel.endsWith(".liquid"));
    expect(sum(files)).toBeLessThanOrEqual(LIMITS.totalBytes);
    expect(sum(liquidFiles)).toBeLessThanOrEqual(LIMITS.liquidBytes);
    for (const f of files.filter((x) => x.rel.startsWith("locales/"))) expect(f.bytes, f.rel).toBeLessThanOrEqual(LIMITS.localeBytes);
    for (const f of files.filter((x) => x.rel.endsWith(".css"))) expect(f.bytes, f.rel).toBeLessThanOrEqual(LIMITS.cssBytes);
    for (const f of files.filter((x) => x.rel.endsWith(".js"))) expect(f.bytes, f.rel).toBeLessThanOrEqual(LIMITS.jsBytes);
    // Headroom worth knowing about when it shrinks.
    expect(sum(liquidFiles)).toBeLessThan(LIMITS.liquidBytes / 2);
  });

  it("declares valid app blocks within the block and setting limits", () => {
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.length).toBeLessThanOrEqual(LIMITS.appBlocks);
    for (const block of blocks) {
      const schema = liquid.schemaOf(block);
      expect(["section", "body", "head"], block).toContain(schema.target);
      expect(schema.name.length, block).toBeLessThanOrEqual(25);
      expect(schema.settings.filter((s) => s.type !== "header" && s.type !== "paragraph").length, block).toBeLessThanOrEqual(LIMITS.settingsPerBlock);
      if (schema.stylesheet)
        expect(
          files.map((f) => f.rel),
          block,
        ).toContain(`assets/${schema.stylesheet}`);
    }
  });

  it("translates every storefront key it uses and carries none it does not", () => {
    const source = files
      .filter((f) => f.rel.endsWith(".liquid"))
      .map((f) => fs.readFileSync(path.join(THEME_EXTENSION_ROOT, f.rel), "utf8"))
      .join("\n");
    const used = new Set([...source.matchAll(/'(tierline\.[a-z0-9_.]+)'\s*\|\s*t\b/g)].map((m) => m[1]));
    const leaves: string[] = [];
    const walk = (node: unknown, prefix: string) => {
      if (typeof node === "string") return void leaves.push(prefix);
      const keys = Object.keys(node as object);
      // A plural entry ({one, other}) is one key to the `t` filter.
      if (keys.includes("other") && keys.every((k) => ["zero", "one", "two", "few", "many", "other"].includes(k))) return void leaves.push(prefix);
      for (const k of keys) walk((node as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k);
    };
    walk(liquid.messages, "");
    expect([...used].filter((k) => !leaves.includes(k))).toEqual([]);
    expect(leaves.filter((k) => !used.has(k))).toEqual([]);
  });

  it("labels every block setting from the schema locale file", () => {
    const schemaLocale = JSON.parse(fs.readFileSync(path.join(THEME_EXTENSION_ROOT, "locales/en.default.schema.json"), "utf8"));
    const lookup = (key: string) =>
      key.split(".").reduce<unknown>((n, k) => (n && typeof n === "object" ? (n as Record<string, unknown>)[k] : undefined), schemaLocale);
    for (const block of blocks) {
      const refs = JSON.stringify(liquid.schemaOf(block)).match(/"t:[^"]+"/g) ?? [];
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect(typeof lookup(ref.slice(3, -1)), ref).toBe("string");
    }
  });
});
