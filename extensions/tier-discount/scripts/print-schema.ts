/**
 * Prints the Discount Function API 2026-10 schema (schema.graphql) from the introspection JSON kept in the repo.
 * Usage: npx tsx extensions/tier-discount/scripts/print-schema.ts [--check]
 * With --check it writes nothing and exits 1 when schema.graphql differs from the introspection.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { buildClientSchema, printSchema, type IntrospectionQuery } from "graphql";

const extensionDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const INTROSPECTION_PATH = join(extensionDir, "../../test/fixtures/shopify-schemas/functions_discount_2026-10.json.gz");
export const SCHEMA_PATH = join(extensionDir, "schema.graphql");

export function printDiscountFunctionSchema(introspectionPath = INTROSPECTION_PATH): string {
  const json = JSON.parse(gunzipSync(readFileSync(introspectionPath)).toString("utf8")) as { data: IntrospectionQuery };
  return `${printSchema(buildClientSchema(json.data))}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const printed = printDiscountFunctionSchema();
  if (process.argv.includes("--check")) {
    const current = readFileSync(SCHEMA_PATH, "utf8");
    if (current !== printed) {
      console.error("schema.graphql is out of date: run npx tsx extensions/tier-discount/scripts/print-schema.ts");
      process.exit(1);
    }
  } else {
    writeFileSync(SCHEMA_PATH, printed);
    console.log(`wrote ${SCHEMA_PATH} (${printed.length} bytes)`);
  }
}
