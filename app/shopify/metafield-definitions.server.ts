import { BIRTHDAY_METAFIELD_KEY, MEMBER_METAFIELD_KEYS, PROGRAM_METAFIELD_KEY, TIERLINE_NAMESPACE } from "~/shared/metafield-keys";
import { asCaller, ShopifyAdminError, type AdminCaller, type AdminGraphqlClient, type CallPolicy } from "./admin-graphql.server";
import { TIERLINE_METAFIELD_DEFINITION_CREATE, TIERLINE_METAFIELD_DEFINITIONS } from "./documents";

interface DefinitionText {
  name: string;
  description: string;
  /** json (the documents Tierline writes) unless said otherwise. */
  type?: string;
  access?: { admin: string; storefront: string; customerAccount: string };
}

const MEMBER_DEFINITIONS: Record<(typeof MEMBER_METAFIELD_KEYS)[number], DefinitionText> = {
  level: { name: "Membership level", description: "The customer's Tierline level, status and validity (written by Tierline)." },
  progress: { name: "Level progress", description: "Spend, points and conditions toward the next Tierline level (written by Tierline)." },
  benefits: { name: "Level benefits", description: "Benefits of the customer's Tierline level (written by Tierline)." },
  history: { name: "Points history", description: "The customer's latest Tierline points entries, newest first (written by Tierline)." },
  rewards: { name: "Rewards", description: "The customer's issued Tierline rewards and their discount codes, newest first (written by Tierline)." },
};

/**
 * The birthday the shopper enters once in their account: the Customer Account API may write it (READ_WRITE; the
 * extension's metafieldsSet), the storefront may not read it (personal data), and the merchant reads it in the admin
 * (the member page is where it is changed, so Tierline keeps the truth). Declaratively the same definition would be
 * `[customer.metafields.app.birthday]` with `access.customer_account = "read_write"` in shopify.app.toml; Tierline
 * creates all its definitions through metafieldDefinitionCreate on install, so it is here with the others.
 */
const BIRTHDAY_DEFINITION: DefinitionText = {
  name: "Birthday",
  description: "The customer's birthday as MM-DD, entered once in their account (Tierline keeps it; ask the shop to change it).",
  type: "single_line_text_field",
  access: { admin: "MERCHANT_READ", storefront: "NONE", customerAccount: "READ_WRITE" },
};

const PROGRAM_DEFINITION: DefinitionText = {
  name: "Membership programme",
  description: "Every Tierline level shoppers can reach, what each takes and gives (written by Tierline on publish).",
};

/**
 * Storefront and customer-account read access is what lets the theme (Liquid and the Storefront API), the Function
 * input and the account extensions see the documents; admin stays read-only so the merchant cannot edit by hand what
 * the next sync would overwrite.
 */
const SHOPPER_READABLE = { admin: "MERCHANT_READ", storefront: "PUBLIC_READ", customerAccount: "READ" } as const;

export interface DefinitionsResult {
  created: string[];
  existing: string[];
}

/** Creates the customer metafield definitions on install. Safe to run on every install: existing keys are skipped. */
export async function ensureMemberMetafieldDefinitions(admin: AdminGraphqlClient | AdminCaller, policy?: CallPolicy): Promise<DefinitionsResult> {
  return ensureDefinitions(asCaller(admin, policy), "CUSTOMER", { ...MEMBER_DEFINITIONS, [BIRTHDAY_METAFIELD_KEY]: BIRTHDAY_DEFINITION });
}

/** Creates the shop's `program` metafield definition (before the first write of the programme); skipped when it exists. */
export async function ensureProgramMetafieldDefinition(admin: AdminGraphqlClient | AdminCaller, policy?: CallPolicy): Promise<DefinitionsResult> {
  return ensureDefinitions(asCaller(admin, policy), "SHOP", { [PROGRAM_METAFIELD_KEY]: PROGRAM_DEFINITION });
}

async function ensureDefinitions(
  caller: AdminCaller,
  ownerType: "CUSTOMER" | "SHOP",
  definitions: Record<string, DefinitionText>,
): Promise<DefinitionsResult> {
  const data = await caller.request(TIERLINE_METAFIELD_DEFINITIONS, { ownerType, namespace: TIERLINE_NAMESPACE });
  const existingKeys = new Set<string>(((data?.metafieldDefinitions?.nodes ?? []) as { key: string }[]).map((d) => d.key));
  const result: DefinitionsResult = { created: [], existing: [] };
  for (const [key, text] of Object.entries(definitions)) {
    if (existingKeys.has(key)) {
      result.existing.push(key);
      continue;
    }
    const created = await caller.request(TIERLINE_METAFIELD_DEFINITION_CREATE, {
      definition: {
        namespace: TIERLINE_NAMESPACE,
        key,
        type: text.type ?? "json",
        ownerType,
        name: text.name,
        description: text.description,
        access: text.access ?? SHOPPER_READABLE,
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
