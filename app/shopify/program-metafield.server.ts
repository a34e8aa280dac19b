import { PROGRAM_METAFIELD_KEY, TIERLINE_NAMESPACE } from "~/shared/metafield-keys";
import { canonicalJson } from "~/shared/json-checks";
import type { TierProgramV1 } from "~/shared/tier-metafield";
import { asCaller, ShopifyAdminError, type AdminCaller, type AdminGraphqlClient, type CallPolicy } from "./admin-graphql.server";
import { SHOP_PROGRAM_METAFIELD, SHOP_PROGRAM_METAFIELD_DELETE, SHOP_PROGRAM_METAFIELD_SET } from "./documents";
import { ensureProgramMetafieldDefinition } from "./metafield-definitions.server";

/**
 * Shopify's cap on a `json` metafield value written with Admin API 2026-04 or later (apps that wrote JSON metafields
 * before April 2026 keep 2 MB; Tierline is newer): 128 KB.
 */
export const JSON_METAFIELD_MAX_BYTES = 128 * 1024;

export type ProgramMetafieldWrite = "written" | "unchanged" | "deleted" | "absent";

/**
 * Makes the shop's `$app:tierline.program` metafield hold `doc` (or removes it for null: no programme to show).
 * Idempotent: the current value is read first, and an equal document (same JSON, whatever its key order) is not
 * written again, so a repeated job or an unchanged republish costs one query.
 */
export async function writeProgramMetafield(
  admin: AdminGraphqlClient | AdminCaller,
  doc: TierProgramV1 | null,
  policy?: CallPolicy,
): Promise<ProgramMetafieldWrite> {
  const caller = asCaller(admin, policy);
  const data = await caller.request(SHOP_PROGRAM_METAFIELD, { namespace: TIERLINE_NAMESPACE, key: PROGRAM_METAFIELD_KEY });
  const shopId = data?.shop?.id as string;
  const current = (data?.shop?.metafield?.value ?? null) as string | null;
  if (doc === null) {
    if (current === null) return "absent";
    const deleted = await caller.request(SHOP_PROGRAM_METAFIELD_DELETE, {
      metafields: [{ ownerId: shopId, namespace: TIERLINE_NAMESPACE, key: PROGRAM_METAFIELD_KEY }],
    });
    throwOnUserErrors("metafieldsDelete", deleted?.metafieldsDelete?.userErrors);
    return "deleted";
  }
  const value = JSON.stringify(doc);
  if (current !== null && sameJson(current, doc)) return "unchanged";
  await ensureProgramMetafieldDefinition(caller);
  const set = await caller.request(SHOP_PROGRAM_METAFIELD_SET, {
    metafields: [{ ownerId: shopId, namespace: TIERLINE_NAMESPACE, key: PROGRAM_METAFIELD_KEY, type: "json", value }],
  });
  throwOnUserErrors("metafieldsSet", set?.metafieldsSet?.userErrors);
  return "written";
}

function sameJson(value: string, doc: TierProgramV1): boolean {
  try {
    return canonicalJson(JSON.parse(value)) === canonicalJson(doc);
  } catch {
    return false;
  }
}

function throwOnUserErrors(operation: string, errors: { message: string }[] | null | undefined): void {
  if (errors?.length)
    throw new ShopifyAdminError("GRAPHQL_ERRORS", `${operation} ${PROGRAM_METAFIELD_KEY}: ${errors.map((e) => e.message).join("; ")}`, { errors });
}
