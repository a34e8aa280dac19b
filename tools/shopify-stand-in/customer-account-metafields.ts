import { createHash } from "node:crypto";
import { resolveNamespace } from "./resolvers";
import { newGid, type MetafieldRecord, type ShopState } from "./store";

/**
 * The Customer Account API's `metafieldsSet` as a customer account extension meets it: the logged-in customer may
 * write a metafield of their own only when its definition grants the Customer Account API READ_WRITE
 * (`access.customerAccount`), as Shopify enforces it. Atomic, at most 25 entries; the value is stored where the Admin
 * stand-in keeps it, so what the shopper wrote is what the app's Admin API reads (and overwrites).
 */

type Input = { ownerId: string; namespace: string; key: string; type?: string | null; value: string; compareDigest?: string | null };
type UserError = { field: string[]; message: string; code: string; elementIndex: number };

const digest = (r: MetafieldRecord) => createHash("sha256").update(`${r.id}:${r.value}:${r.updatedAt}`).digest("hex");

export function customerAccountMetafieldsSet(
  shop: ShopState,
  session: { customerId: string; appId: number; now: () => string },
  args: { metafields: Input[] },
) {
  const inputs = args.metafields;
  if (inputs.length > 25)
    return {
      metafields: null,
      userErrors: [
        { field: ["metafields"], message: "Exceeded the maximum metafields input limit of 25.", code: "LESS_THAN_OR_EQUAL_TO", elementIndex: null },
      ],
    };
  const customer = shop.customers[session.customerId];
  const userErrors: UserError[] = [];
  const checked = inputs.map((input, i) => {
    const error = (field: string, message: string, code: string) =>
      userErrors.push({ field: ["metafields", String(i), field], message, code, elementIndex: i });
    const namespace = resolveNamespace(input.namespace, session.appId);
    if (!customer || input.ownerId !== session.customerId) error("ownerId", "Owner subject does not exist.", "INVALID");
    const definition = shop.metafieldDefinitions.find((d) => d.ownerType === "CUSTOMER" && d.namespace === namespace && d.key === input.key);
    if (!definition || definition.access.customerAccount !== "READ_WRITE")
      error(
        "key",
        "Access to this metafield is not allowed: its definition does not grant the Customer Account API write access.",
        "APP_NOT_AUTHORIZED",
      );
    const type = input.type ?? definition?.type ?? "";
    if (definition && type !== definition.type) error("type", `Type must be ${definition.type} to match the definition.`, "INVALID_TYPE");
    if (type === "single_line_text_field" && (/[\r\n]/.test(input.value) || input.value.length > 255))
      error("value", "Value must be a single line of at most 255 characters.", "INVALID_VALUE");
    const existing = customer?.metafields[`${namespace}.${input.key}`];
    if (input.compareDigest != null && (!existing || digest(existing) !== input.compareDigest))
      error("compareDigest", "The resource has been updated since it was loaded.", "STALE_OBJECT");
    return { namespace, type };
  });
  if (userErrors.length > 0) return { metafields: null, userErrors };
  const now = session.now();
  const written = inputs.map((input, i) => {
    const mapKey = `${checked[i].namespace}.${input.key}`;
    const existing = customer!.metafields[mapKey];
    const record: MetafieldRecord = existing
      ? { ...existing, type: checked[i].type, value: input.value, updatedAt: now }
      : {
          id: newGid(shop, "Metafield"),
          ownerId: input.ownerId,
          namespace: checked[i].namespace,
          key: input.key,
          type: checked[i].type,
          value: input.value,
          createdAt: now,
          updatedAt: now,
        };
    customer!.metafields[mapKey] = record;
    customer!.updatedAt = now;
    return { ...record, namespace: input.namespace, compareDigest: digest(record), __typename: "Metafield" };
  });
  return { metafields: written, userErrors: [] };
}
