/**
 * `npm run build:extensions`: builds every extension with Shopify's own CLI, offline, and checks the UI bundles.
 *
 *  1. `shopify app function typegen` in each Function's folder must succeed (it works offline).
 *  2. `shopify app build` of the whole app: here it stops at the download of Javy (the Function's JavaScript-to-Wasm
 *     compiler, fetched from GitHub at build time), before it bundles anything else. That must be its only failure.
 *  3. `shopify app build` again with the Functions left out (a temporary, git-ignored app config whose
 *     `extension_directories` lists every other extension), so the CLI really bundles every UI extension and
 *     validates the theme app extension.
 *  4. Every UI bundle (`extensions/<name>/dist/<handle>.js`) must be within Shopify's limit: 64 KB compressed (the
 *     CLI's own measure: Brotli, quality 11). Prints a table of sizes.
 *
 * Exits non-zero on any failure. Runs the CLI with SHOPIFY_CLI_NO_ANALYTICS=1; nothing reaches Shopify.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const ROOT = path.resolve(import.meta.dirname, "..");
const EXTENSIONS = path.join(ROOT, "extensions");
/**
 * Shopify: "UI extensions using API version 2025-10 or later are limited to a 64 KB compressed JavaScript bundle"
 * (full-page customer account extensions may use 128 KB; Tierline keeps every bundle within 64 KB).
 */
const UI_BUNDLE_LIMIT_BYTES = 64 * 1024;
const TEMP_CONFIG_NAME = "build-extensions";
const TEMP_CONFIG = path.join(ROOT, `shopify.app.${TEMP_CONFIG_NAME}.toml`);

interface ExtensionDir {
  dir: string;
  handle: string;
  type: string;
}

function extensionDirs(): ExtensionDir[] {
  return fs
    .readdirSync(EXTENSIONS)
    .filter((d) => fs.existsSync(path.join(EXTENSIONS, d, "shopify.extension.toml")))
    .sort()
    .map((d) => {
      const toml = fs.readFileSync(path.join(EXTENSIONS, d, "shopify.extension.toml"), "utf8");
      const type = /^\s*type\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? "unknown";
      const handle = /^\s*handle\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? d;
      return { dir: d, handle, type };
    });
}

function shopify(args: string[]): { status: number; output: string } {
  console.log(`\n$ shopify ${args.join(" ")}`);
  const run = spawnSync("npx", ["--no-install", "shopify", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, SHOPIFY_CLI_NO_ANALYTICS: "1", SHOPIFY_CLI_NO_UPDATE_CHECK: "1", CI: "1", FORCE_COLOR: "0", NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 10 * 60_000,
  });
  const output = `${run.stdout ?? ""}${run.stderr ?? ""}`;
  process.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
  return { status: run.status ?? 1, output };
}

/** The CLI's boxed messages as plain text (borders removed, wrapped lines joined). */
function plainText(output: string): string {
  return output
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g"), "")
    .split("\n")
    .map((line) => line.replace(/^[\s│╭╰─┃]+|[\s│╮╯─┃]+$/g, ""))
    .join("")
    .replace(/\s+/g, " ");
}

/** True when a failed `shopify app build` failed only at the Javy download (no network to GitHub here). */
function onlyJavyDownloadFailed(output: string): boolean {
  const errorBoxes = (output.match(/╭─ error/g) ?? []).length;
  const text = plainText(output);
  return errorBoxes <= 1 && /javy/i.test(text) && /(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|download)/i.test(text);
}

function brotliSize(file: string): number {
  return zlib.brotliCompressSync(fs.readFileSync(file), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function main(): number {
  const failures: string[] = [];
  const all = extensionDirs();
  const functions = all.filter((e) => e.type === "function");
  const others = all.filter((e) => e.type !== "function");
  const ui = all.filter((e) => e.type === "ui_extension");

  // 1. Function typegen.
  for (const fn of functions) {
    const r = shopify(["app", "function", "typegen", "--path", path.join("extensions", fn.dir)]);
    if (r.status !== 0) failures.push(`shopify app function typegen failed for extensions/${fn.dir}`);
  }

  // 2. The whole app: only the Javy download may fail.
  const full = shopify(["app", "build", "--path", "."]);
  if (full.status !== 0 && !onlyJavyDownloadFailed(full.output)) failures.push("shopify app build failed for another reason than the Javy download");
  else
    console.log(
      full.status === 0
        ? "✔ shopify app build: built everything"
        : "✔ shopify app build: its only failure is the Javy download (the Function compiler and its Shopify plugin, fetched at build time)",
    );

  // 3. Everything but the Functions, for real.
  for (const e of ui) fs.rmSync(path.join(EXTENSIONS, e.dir, "dist"), { recursive: true, force: true });
  const appToml = fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8");
  const directories = `extension_directories = [${others.map((e) => JSON.stringify(`extensions/${e.dir}`)).join(", ")}]\n`;
  const firstTable = appToml.search(/^\[/m);
  fs.writeFileSync(
    TEMP_CONFIG,
    firstTable < 0 ? `${appToml}\n${directories}` : `${appToml.slice(0, firstTable)}${directories}\n${appToml.slice(firstTable)}`,
  );
  try {
    const partial = shopify(["app", "build", "--path", ".", "-c", TEMP_CONFIG_NAME]);
    if (partial.status !== 0) failures.push(`shopify app build without the Function(s) failed (${others.map((e) => e.dir).join(", ")})`);
  } finally {
    fs.rmSync(TEMP_CONFIG, { force: true });
  }

  // 4. Bundle sizes.
  const rows: string[][] = [["extension", "bundle", "size", "compressed (Brotli 11)", "limit", ""]];
  for (const e of ui) {
    const file = path.join(EXTENSIONS, e.dir, "dist", `${e.handle}.js`);
    if (!fs.existsSync(file)) {
      failures.push(`no bundle for ${e.dir}: ${path.relative(ROOT, file)}`);
      rows.push([e.dir, path.relative(ROOT, file), "missing", "", kb(UI_BUNDLE_LIMIT_BYTES), "✘"]);
      continue;
    }
    const raw = fs.statSync(file).size;
    const compressed = brotliSize(file);
    const ok = compressed <= UI_BUNDLE_LIMIT_BYTES;
    if (!ok) failures.push(`${e.dir}: ${kb(compressed)} compressed, over the ${kb(UI_BUNDLE_LIMIT_BYTES)} limit`);
    rows.push([
      e.dir,
      path.relative(ROOT, file),
      `${raw} B (${kb(raw)})`,
      `${compressed} B (${kb(compressed)})`,
      kb(UI_BUNDLE_LIMIT_BYTES),
      ok ? "✔" : "✘",
    ]);
  }
  for (const e of others.filter((x) => x.type !== "ui_extension")) rows.push([e.dir, `(${e.type}: validated, not bundled)`, "", "", "", "✔"]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(`\nUI extension bundles (${ui.length}):`);
  for (const r of rows) console.log(`  ${r.map((c, i) => c.padEnd(widths[i])).join("  ")}`);

  if (failures.length > 0) {
    console.error(`\n✘ build:extensions failed:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
    return 1;
  }
  console.log("\n✔ build:extensions: typegen ok, only the Javy download failed, every UI extension bundled within the limit, the theme validated");
  return 0;
}

process.exit(main());
