import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const EXTENSION_DIR = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const FIXTURES_DIR = join(EXTENSION_DIR, "tests/fixtures");
export const SCHEMA_PATH = join(EXTENSION_DIR, "schema.graphql");

/** The input query of each target, as shopify.extension.toml maps them. */
export const INPUT_QUERIES: Record<string, string> = {
  "cart.lines.discounts.generate.run": join(EXTENSION_DIR, "src/cart_lines_discounts_generate_run.graphql"),
  "cart.delivery-options.discounts.generate.run": join(EXTENSION_DIR, "src/cart_delivery_options_discounts_generate_run.graphql"),
};

export function fixtureFiles(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => join(FIXTURES_DIR, f));
}

/** "cart-lines-discounts-generate-run" → "cartLinesDiscountsGenerateRun", the CLI's export naming. */
export function exportFunctionName(exportName: string): string {
  return exportName.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
