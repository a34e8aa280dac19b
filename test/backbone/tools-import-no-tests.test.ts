import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The demo (scripts/), the benches (bench/) and the local tools they share with the tests (tools/: the Shopify
 * stand-in, the local stack, the shopper-surface hosts, sample data) never import test/: the tests import tools/,
 * not the other way round. `.dependency-cruiser.cjs` has the same rule; this one runs with the suite.
 */

const root = path.resolve(import.meta.dirname, "../..");
const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(rel);
    return /\.(ts|tsx|mts|js|mjs)$/.test(entry.name) ? [rel] : [];
  });
}

/** Repository-relative paths of test/ that `file` imports. */
function testImports(file: string): string[] {
  const source = fs.readFileSync(path.join(root, file), "utf8");
  return [...source.matchAll(SPECIFIER)]
    .map((m) => m[1])
    .filter((spec) => spec.startsWith(".") || spec.startsWith("/"))
    .map((spec) =>
      path
        .relative(root, path.resolve(path.join(root, path.dirname(file)), spec))
        .split(path.sep)
        .join("/"),
    )
    .filter((target) => target === "test" || target.startsWith("test/"));
}

describe("tools, scripts and benches import no tests", () => {
  it.each(["scripts", "bench", "tools"])("%s/ imports nothing from test/", (dir) => {
    const offenders = sourceFiles(dir).flatMap((file) => testImports(file).map((target) => `${file} → ${target}`));
    expect(offenders).toEqual([]);
  });

  it("reads the folders it checks", () => {
    expect(sourceFiles("scripts").length).toBeGreaterThan(0);
    expect(sourceFiles("tools").some((f) => f.startsWith("tools/shopify-stand-in/"))).toBe(true);
  });
});
