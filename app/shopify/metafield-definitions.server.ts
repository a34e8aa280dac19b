import { asCaller, ShopifyAdminError, type AdminCaller, type AdminGraphqlClient, type CallPolicy } from "./admin-graphql.server";
import { TIERLINE_METAFIELD_DEFINITION_CREATE, TIERLINE_METAFIELD_DEFINITIONS } from "./documents";
import { MEMBER_METAFIELD_KEYS, TIERLINE_NAMESPACE, type MemberMetafieldKey } from "~/shared/metafield-keys";

const DEFINITIONS: Record<MemberMetafieldKey, { name: string; description: string }> = {
  level: { name: "Membership level", description: "The customer's Tierline level, status and validity (written by Tierline)." },
  progress: { name: "Level progress", description: "Spend and points toward the next Tierline level (written by Tierline)." },
  benefits: { name: "Level benefits", description: "Benefits of the customer's Tierline level (written by Tierline)." },
  history: { name: "Points history", description: "The customer's latest Tierline points entries, newest first (written by Tierline)." },
};

export interface DefinitionsResult {
  created: string[];
  existing: string[];
}

/**
 * Creates the customer metafield definitions on install. Storefront and customer-account read access is what lets
 * the theme, the Function input and the account extension see the level; admin stays read-only so the merchant
 * cannot edit by hand what the next sync would overwrite. Safe to run on every install: existing keys are skipped.
 */
export async function ensureMemberMetafieldDefinitions(admin: AdminGraphqlClient | AdminCaller, policy?: CallPolicy): Promise<DefinitionsResult> {
  const caller = asCaller(admin, policy);
  const data = await caller.request(TIERLINE_METAFIELD_DEFINITIONS, { ownerType: "CUSTOMER", namespace: TIERLINE_NAMESPACE });
  const existingKeys = new Set<string>(((data?.metafieldDefinitions?.nodes ?? []) as { key: string }[]).map((d) => d.key));
  const result: DefinitionsResult = { created: [], existing: [] };
  for (const key of MEMBER_METAFIELD_KEYS) {
    if (existingKeys.has(key)) {
      result.existing.push(key);
      continue;
    }
    const created = await caller.request(TIERLINE_METAFIELD_DEFINITION_CREATE, {
      definition: {
        namespace: TIERLINE_NAMESPACE,
        key,
        type: "json",
        ownerType: "CUSTOMER",
        name: DEFINITIONS[key].name,
        description: DEFINITIONS[key].description,
        access: { admin: "MERCHANT_READ", storefront: "PUBLIC_READ", customerAccount: "READ" },
      },
    });
    const errors = (created?.metafieldDefinitionCreate?.userErrors ?? []) as { message: string; code: string | null }[];
    // TAKEN: another install (or a concurrent job) created it between our read and our write.
    if (errors.length > 0 && errors.every((e) => e.code === "TAKEN")) result.existing.push(key);
    else if (errors.length > 0) {
      throw new ShopifyAdminError("GRAPHQL_ERRORS", `metafieldDefinitionCreate ${key}: ${errors.map((e) => e.message).join("; ")}`, { errors });
    } else result.created.push(key);
  }
  return result;
}
