// npm run bench:function — the tier discount Function, bundled the way the Shopify CLI bundles it before Javy, timed
// in Node and inside QuickJS (the engine Javy compiles into the Wasm module) on 1/100/200/500-line carts.
// Every QuickJS run's output is compared with the cart's expected output, so the numbers are for correct runs.
// Prints one JSON object. BENCH_MS sets the time spent per measurement (default 400 ms).
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { getQuickJS, type QuickJSContext, type QuickJSHandle } from "quickjs-emscripten";
import { largeCart } from "../extensions/tier-discount/scripts/generate-large-cart.ts";

const ROOT = join(import.meta.dirname, "..");
const OUT_DIR = join(ROOT, ".tmp/bench-function");
const BUNDLE = join(OUT_DIR, "function.js");
const SIZES = [1, 100, 200, 500];
const BUDGET_MS = Number(process.env.BENCH_MS ?? 400);

type Run = (input: unknown) => unknown;

/** Runs `fn` in batches until the time budget is spent; returns milliseconds per call. */
function timePerCall(fn: () => void, minCalls = 5): { msPerRun: number; runs: number } {
  for (let i = 0; i < 3; i++) fn();
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < BUDGET_MS || runs < minCalls) {
    fn();
    runs++;
    elapsed = performance.now() - start;
  }
  return { msPerRun: elapsed / runs, runs };
}

const round = (n: number, digits = 4) => Number(n.toFixed(digits));

const EXTENSION_DIR = join(ROOT, "extensions/tier-discount");

/** The toml's `export` names ("cart-lines-discounts-generate-run"). */
function tomlExports(): string[] {
  const toml = readFileSync(join(EXTENSION_DIR, "shopify.extension.toml"), "utf8");
  return [...toml.matchAll(/^\s*export = "([a-z0-9-]+)"/gm)].map((m) => m[1]);
}

const camel = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Bundles the Function the way Shopify CLI 4.x does for @shopify/shopify_function 2.x before handing it to Javy: a
 * generated entry module wraps each export in the library's `run` (which reads the input from and writes the output
 * to the `ShopifyFunction` global that Javy's plugin provides), `user-function` aliases src/index.ts, and esbuild
 * bundles it as ES2022 ESM without minifying.
 */
async function bundle(): Promise<{ code: string; bytes: number; gzipBytes: number }> {
  mkdirSync(OUT_DIR, { recursive: true });
  const entry = [
    'import __runFunction from "@shopify/shopify_function/run"',
    ...tomlExports().map(
      (e) =>
        `import { ${camel(e)} as ${camel(`run-${e}`)} } from "user-function"\nexport function ${camel(e)}() { return __runFunction(${camel(`run-${e}`)}) }`,
    ),
  ].join("\n");
  await build({
    absWorkingDir: EXTENSION_DIR,
    stdin: { contents: entry, loader: "ts", resolveDir: EXTENSION_DIR },
    alias: { "user-function": join(EXTENSION_DIR, "src/index.ts") },
    bundle: true,
    format: "esm",
    target: "es2022",
    legalComments: "none",
    outfile: BUNDLE,
    logLevel: "silent",
  });
  const code = readFileSync(BUNDLE, "utf8");
  return { code, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code).length };
}

function loadInQuickJS(vm: QuickJSContext, code: string): void {
  // Module evaluation yields the exports, or a promise of them; settle it either way.
  const evaluated = vm.unwrapResult(vm.evalCode(code, "function.js", { type: "module" }));
  vm.runtime.executePendingJobs();
  const state = vm.getPromiseState(evaluated);
  if (state.type !== "fulfilled")
    throw new Error(`the bundle did not load in QuickJS: ${state.type === "rejected" ? JSON.stringify(vm.dump(state.error)) : "pending"}`);
  const namespace: QuickJSHandle = state.value;
  vm.setProp(vm.global, "__fn", namespace);
  if (namespace !== evaluated) namespace.dispose();
  evaluated.dispose();
  // ShopifyFunction stands in for Javy's plugin. __endToEnd reads the input as JSON text and writes the result as JSON
  // text, like the Wasm module; __functionOnly hands over an input parsed once by __load, so it times the Function.
  vm.unwrapResult(
    vm.evalCode(`
      globalThis.__load = (json) => { globalThis.__json = json; globalThis.__input = JSON.parse(json); };
      globalThis.__endToEnd = (times) => {
        let out;
        globalThis.ShopifyFunction = { readInput: () => JSON.parse(__json), writeOutput: (o) => { out = JSON.stringify(o); } };
        for (let i = 0; i < times; i++) __fn.cartLinesDiscountsGenerateRun();
        return out;
      };
      globalThis.__functionOnly = (times) => {
        let out;
        globalThis.ShopifyFunction = { readInput: () => __input, writeOutput: (o) => { out = o; } };
        for (let i = 0; i < times; i++) __fn.cartLinesDiscountsGenerateRun();
        return JSON.stringify(out);
      };
    `),
  ).dispose();
}

function loadCart(vm: QuickJSContext, json: string): void {
  const fn = vm.getProp(vm.global, "__load");
  const arg = vm.newString(json);
  vm.unwrapResult(vm.callFunction(fn, vm.undefined, arg)).dispose();
  fn.dispose();
  arg.dispose();
}

/** Calls a VM harness that runs the Function `times` times inside the VM (one host crossing); returns its JSON. */
function callInVm(vm: QuickJSContext, name: string, times: number): string {
  const fn = vm.getProp(vm.global, name);
  const count = vm.newNumber(times);
  const result = vm.unwrapResult(vm.callFunction(fn, vm.undefined, count));
  const text = vm.getString(result);
  for (const h of [fn, count, result]) h.dispose();
  return text;
}

function timeInVm(vm: QuickJSContext, name: string, expected: string): { msPerRun: number; runs: number } {
  if (callInVm(vm, name, 1) !== expected) throw new Error(`QuickJS ${name} output differs from the expected output`);
  // Batches of about 20 ms keep the host crossing out of the per-run figure for the small carts.
  const probe = performance.now();
  callInVm(vm, name, 1);
  const one = performance.now() - probe;
  const perBatch = Math.max(1, Math.min(1000, Math.floor(20 / Math.max(one, 0.001))));
  const t = timePerCall(() => callInVm(vm, name, perBatch), 3);
  return { msPerRun: t.msPerRun / perBatch, runs: t.runs * perBatch };
}

async function main() {
  const bundled = await bundle();
  const mod = (await import(pathToFileURL(BUNDLE).href)) as { cartLinesDiscountsGenerateRun: () => void };
  // In Node too, the exports read and write through the ShopifyFunction global, as under Javy.
  let nodeIn: () => unknown = () => null;
  let nodeOut: unknown;
  (globalThis as Record<string, unknown>).ShopifyFunction = { readInput: () => nodeIn(), writeOutput: (o: unknown) => void (nodeOut = o) };
  const run: Run = (input) => {
    nodeIn = () => input;
    mod.cartLinesDiscountsGenerateRun();
    return nodeOut;
  };
  const carts = SIZES.map((lines) => {
    const { input, output } = largeCart(lines);
    return { lines, input, json: JSON.stringify(input), expected: JSON.stringify(output) };
  });

  const node = carts.map((c) => {
    if (JSON.stringify(run(c.input)) !== c.expected) throw new Error(`Node output differs for ${c.lines} lines`);
    const fnOnly = timePerCall(() => run(c.input));
    const endToEnd = timePerCall(() => JSON.stringify(run(JSON.parse(c.json))));
    return {
      lines: c.lines,
      inputBytes: c.json.length,
      functionMsPerRun: round(fnOnly.msPerRun),
      functionUsPerLine: round((fnOnly.msPerRun * 1000) / c.lines, 3),
      jsonInOutMsPerRun: round(endToEnd.msPerRun),
      runs: fnOnly.runs,
    };
  });

  const QuickJS = await getQuickJS();
  const runtime = QuickJS.newRuntime();
  const vm = runtime.newContext();
  loadInQuickJS(vm, bundled.code);
  const quickjs = carts.map((c) => {
    loadCart(vm, c.json);
    const fnOnly = timeInVm(vm, "__functionOnly", c.expected);
    const endToEnd = timeInVm(vm, "__endToEnd", c.expected);
    return {
      lines: c.lines,
      functionMsPerRun: round(fnOnly.msPerRun),
      functionUsPerLine: round((fnOnly.msPerRun * 1000) / c.lines, 3),
      jsonInOutMsPerRun: round(endToEnd.msPerRun),
      jsonInOutUsPerLine: round((endToEnd.msPerRun * 1000) / c.lines, 3),
      runs: fnOnly.runs,
    };
  });
  const usageHandle = runtime.computeMemoryUsage();
  const usage = vm.dump(usageHandle) as { memory_used_size?: number };
  usageHandle.dispose();
  vm.dispose();
  runtime.dispose();

  const at = <Row extends { lines: number }>(rows: Row[], n: number): Row => rows.find((r) => r.lines === n)!;
  const perLineRatio = (rows: { lines: number; functionUsPerLine: number }[]) =>
    round(at(rows, 500).functionUsPerLine / at(rows, 100).functionUsPerLine, 3);
  // Marginal cost of a line from the two largest carts: fixed per-run costs cancel out.
  const marginalUs = (rows: { lines: number; functionMsPerRun: number }[]) =>
    round(((at(rows, 500).functionMsPerRun - at(rows, 100).functionMsPerRun) * 1000) / 400, 3);

  console.log(
    JSON.stringify(
      {
        bench: "tier-discount function",
        bundle: {
          file: ".tmp/bench-function/function.js",
          built: "as Shopify CLI does before Javy (generated entry, esbuild ES2022 ESM, not minified)",
          bytes: bundled.bytes,
          gzipBytes: bundled.gzipBytes,
        },
        cart: "Gold 10% (15% on sale items), scope = 2 collections (one list), clearance tag excluded; 12 slot answers (6 collection lists, 6 tag lists) per line",
        node,
        quickjs,
        linearity: {
          nodePerLineRatio500vs100: perLineRatio(node),
          quickjsPerLineRatio500vs100: perLineRatio(quickjs),
          quickjsMarginalUsPerLine: marginalUs(quickjs),
          quickjsJsonInOutPerLineRatio500vs100: round(at(quickjs, 500).jsonInOutUsPerLine / at(quickjs, 100).jsonInOutUsPerLine, 3),
        },
        quickjsHeapBytesAfterRuns: usage.memory_used_size ?? null,
        node_version: process.version,
      },
      null,
      2,
    ),
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
