import { BIRTHDAY_METAFIELD_KEY, TIERLINE_NAMESPACE } from "~/shared/metafield-keys";
import { asCaller, ShopifyAdminError, type AdminCaller, type AdminGraphqlClient, type CallPolicy } from "./admin-graphql.server";

/**
 * Writes members' birthdays ("MM-DD", the app's copy in Member.birthday) to their `$app:tierline.birthday` customer
 * metafield, which the account page reads (and which a shopper writes once through the Customer Account API). The
 * app's copy is the truth: this puts it back after a shopper's later write was refused, and shows a birthday the
 * merchant or a CSV import set. A "set", so writing twice changes nothing.
 */

export const BIRTHDAY_METAFIELDS_SET = `#graphql
mutation BirthdayMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    userErrors { field message code elementIndex }
  }
}
`;

const PER_CALL = 25;

export interface BirthdayMetafield {
  customerGid: string;
  birthday: string;
}

/** Writes the birthdays, 25 per call. Customers Shopify no longer has are skipped; any other refusal throws. */
export async function writeBirthdayMetafields(
  admin: AdminGraphqlClient | AdminCaller,
  birthdays: BirthdayMetafield[],
  policy?: CallPolicy,
): Promise<{ written: number; missing: string[] }> {
  const caller = asCaller(admin, policy);
  const out = { written: 0, missing: [] as string[] };
  for (let i = 0; i < birthdays.length; i += PER_CALL) {
    const batch = birthdays.slice(i, i + PER_CALL);
    const metafields = batch.map((b) => ({
      ownerId: b.customerGid,
      namespace: TIERLINE_NAMESPACE,
      key: BIRTHDAY_METAFIELD_KEY,
      type: "single_line_text_field",
      value: b.birthday,
    }));
    let data = await caller.request(BIRTHDAY_METAFIELDS_SET, { metafields });
    let errors = (data?.metafieldsSet?.userErrors ?? []) as {
      field?: string[] | null;
      message: string;
      code?: string | null;
      elementIndex?: number | null;
    }[];
    // metafieldsSet is all or nothing: drop the owners Shopify does not know (deleted customers) and write the rest.
    const gone = new Set(errors.filter((e) => e.field?.includes("ownerId") && e.elementIndex != null).map((e) => e.elementIndex!));
    if (errors.length > 0 && gone.size === errors.length) {
      out.missing.push(...batch.filter((_, j) => gone.has(j)).map((b) => b.customerGid));
      const rest = metafields.filter((_, j) => !gone.has(j));
      if (rest.length === 0) continue;
      data = await caller.request(BIRTHDAY_METAFIELDS_SET, { metafields: rest });
      errors = data?.metafieldsSet?.userErrors ?? [];
      out.written -= gone.size;
    }
    if (errors.length > 0) {
      throw new ShopifyAdminError("GRAPHQL_ERRORS", `metafieldsSet (birthday): ${errors.map((e) => e.message).join("; ")}`, { errors });
    }
    out.written += batch.length;
  }
  return out;
}
