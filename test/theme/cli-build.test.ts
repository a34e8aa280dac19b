import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { THEME_EXTENSION_ROOT } from "../../tools/shopper-surfaces/storefront/shopify-liquid";

/**
 * Shopify's own CLI (`@shopify/cli`, `shopify app build`) accepts the theme app extension: it runs Theme Check on it
 * and bundles it. The extension is built in a scratch app that holds only it, because the whole app's build stops at
 * the discount Function's Javy download on this offline machine before it reaches the theme extension
 * (scripts/build-extensions.ts builds the whole app).
 */

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, "../../node_modules/.bin/shopify");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tierline-theme-build-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("shopify app build", () => {
  it("builds the theme app extension", { timeout: 180_000 }, async () => {
    fs.mkdirSync(path.join(scratch, "extensions"));
    fs.cpSync(THEME_EXTENSION_ROOT, path.join(scratch, "extensions/tierline-theme"), { recursive: true });
    fs.writeFileSync(
      path.join(scratch, "shopify.app.toml"),
      [
        'client_id = "00000000000000000000000000000000"',
        'name = "Tierline"',
        'handle = "tierline"',
        'application_url = "https://example.com"',
        "embedded = true",
        "[access_scopes]",
        'scopes = "read_customers"',
        "[auth]",
        'redirect_urls = [ "https://example.com/auth/callback" ]',
        "[webhooks]",
        'api_version = "2026-10"',
        "",
      ].join("\n"),
    );
    fs.writeFileSync(path.join(scratch, "package.json"), JSON.stringify({ name: "tierline-theme-build", private: true }));
    const { stdout, stderr } = await run(CLI, ["app", "build", "--path", scratch, "--skip-dependencies-installation", "--no-color"], {
      env: { ...process.env, SHOPIFY_CLI_NO_ANALYTICS: "1", CI: "1" },
      maxBuffer: 16 * 1024 * 1024,
    });
    const output = `${stdout}\n${stderr}`;
    expect(output).toContain("Running theme check on your Theme app extension");
    expect(output).toContain("Bundling theme extension tierline-theme");
    expect(output).toMatch(/tierline built!/);
    // Theme Check prints its offenses here; there are none.
    expect(output).not.toMatch(/\b(error|warning|suggestion)\b/i);
  });
});
