import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Severity, themeCheckRun } from "@shopify/theme-check-node";
import { afterAll, describe, expect, it } from "vitest";
import { THEME_EXTENSION_ROOT } from "../../tools/shopper-surfaces/storefront/shopify-liquid";

/**
 * Shopify's theme linter on the theme app extension, with the extension's own `.theme-check.yml` (Shopify's
 * `theme-check:theme-app-extension` preset, the one `shopify app build` runs). Offline, theme-check loads the Liquid
 * docs bundled with @shopify/theme-check-docs-updater (its download from GitHub fails fast here). Any error-severity
 * offense fails; warnings and suggestions are listed in the failure message so they are seen too.
 */

const CONFIG = path.join(THEME_EXTENSION_ROOT, ".theme-check.yml");
const quiet = () => undefined;
const describeOffense = (o: { check: string; severity: Severity; message: string; uri: string; start: { line: number } }) =>
  `${Severity[o.severity]} ${o.check} ${path.relative(THEME_EXTENSION_ROOT, new URL(o.uri).pathname)}:${o.start.line + 1} ${o.message}`;

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

describe("theme-check on extensions/tierline-theme", () => {
  it("runs the app extension preset and finds no error", { timeout: 60_000 }, async () => {
    const run = await themeCheckRun(THEME_EXTENSION_ROOT, CONFIG, quiet);
    expect(run.config.context).toBe("app");
    const checked = [...run.theme].map((f) => path.relative(THEME_EXTENSION_ROOT, new URL(f.uri).pathname)).sort();
    expect(checked).toEqual(
      expect.arrayContaining(["blocks/membership-levels.liquid", "locales/en.default.json", "snippets/tierline-member.liquid"]),
    );
    const errors = run.offenses.filter((o) => o.severity === Severity.ERROR);
    expect(errors.map(describeOffense), run.offenses.map(describeOffense).join("\n")).toEqual([]);
  });

  it("would fail on a broken block (the check really runs here)", { timeout: 60_000 }, async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "tierline-theme-check-"));
    scratch.push(copy);
    fs.cpSync(THEME_EXTENSION_ROOT, copy, { recursive: true });
    fs.writeFileSync(
      path.join(copy, "blocks/broken.liquid"),
      `{{ 'tierline.no_such_key' | t }}{{ 1000 | no_such_filter }}\n{% schema %}\n{ "name": "Broken", "target": "section", "settings": [] }\n{% endschema %}\n`,
    );
    const run = await themeCheckRun(copy, path.join(copy, ".theme-check.yml"), quiet);
    const checks = run.offenses.filter((o) => o.severity === Severity.ERROR).map((o) => o.check);
    expect(checks).toEqual(expect.arrayContaining(["TranslationKeyExists", "UnknownFilter"]));
  });
});
