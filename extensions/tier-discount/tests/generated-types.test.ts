/**
 * generated/api.ts is committed (a clean clone type-checks without the CLI) and must be exactly what Shopify's CLI
 * generates from schema.graphql (the 2026-10 schema, held to the introspection by input-queries.test.ts) and the
 * input queries. This regenerates it with the real `shopify app function typegen` in a scratch copy of the app and
 * compares; after a schema or query change, run `npm run typegen -w extensions/tier-discount` and commit the result.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { EXTENSION_DIR } from "./support/fixtures";

const ROOT = join(EXTENSION_DIR, "../..");
const scratch = mkdtempSync(join(tmpdir(), "tier-discount-typegen-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("generated/api.ts", () => {
  it("is what `shopify app function typegen` writes today", async () => {
    const ext = join(scratch, "extensions/tier-discount");
    // Outside the repository, so the CLI finds this copy's app and extension rather than the real ones.
    cpSync(join(ROOT, "shopify.app.toml"), join(scratch, "shopify.app.toml"));
    writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "typegen-check", private: true, workspaces: ["extensions/*"] }));
    symlinkSync(join(ROOT, "node_modules"), join(scratch, "node_modules"));
    for (const f of ["package.json", "schema.graphql", "shopify.extension.toml", "src"])
      cpSync(join(EXTENSION_DIR, f), join(ext, f), { recursive: true });

    await promisify(execFile)(join(ROOT, "node_modules/.bin/shopify"), ["app", "function", "typegen", "--path", "."], {
      cwd: ext,
      env: { ...process.env, SHOPIFY_CLI_NO_ANALYTICS: "1", CI: "1" },
      timeout: 110_000,
    });
    const fresh = readFileSync(join(ext, "generated/api.ts"), "utf8");
    const committed = readFileSync(join(EXTENSION_DIR, "generated/api.ts"), "utf8");
    expect(fresh.includes("export type CartLinesDiscountsGenerateRunInput = ")).toBe(true);
    expect(committed === fresh, "generated/api.ts is stale: run `npm run typegen -w extensions/tier-discount` and commit it").toBe(true);
  }, 120_000);
});
