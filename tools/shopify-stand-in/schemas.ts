import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";

/**
 * Shopify's published introspection schemas (2026-10), copied into the repo so tests and the demo
 * never need anything outside the repository at runtime. Building the Admin schema takes about a second, so each is built once per process.
 */
export type ShopifyApi = "admin" | "customer" | "functions_discount";

export const SHOPIFY_API_VERSION = "2026-10";

export const SCHEMA_DIR = path.resolve(import.meta.dirname, "../../test/fixtures/shopify-schemas");

const cache = new Map<ShopifyApi, GraphQLSchema>();

export function schemaFile(api: ShopifyApi): string {
  return path.join(SCHEMA_DIR, `${api}_${SHOPIFY_API_VERSION}.json.gz`);
}

export function loadShopifySchema(api: ShopifyApi): GraphQLSchema {
  const cached = cache.get(api);
  if (cached) return cached;
  const json = JSON.parse(zlib.gunzipSync(fs.readFileSync(schemaFile(api))).toString("utf8")) as { data: IntrospectionQuery };
  const schema = buildClientSchema(json.data);
  cache.set(api, schema);
  return schema;
}
