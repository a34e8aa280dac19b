/**
 * Where Tierline's metafields live: one namespace for everything the app writes (app-owned, reserved to this app
 * as `$app:tierline`), and the keys of each owner. Every writer, reader, definition and GraphQL query takes its
 * names from here. Kept apart from the documents' types so the discount Function can import it without them.
 */

export const TIERLINE_NAMESPACE = "$app:tierline";

/** The customer's metafields (docs/contracts.md), in the order the sync writes them (one metafieldsSet entry each). */
export const MEMBER_METAFIELD_KEYS = ["level", "progress", "benefits", "history", "rewards"] as const;
export type MemberMetafieldKey = (typeof MEMBER_METAFIELD_KEYS)[number];

/**
 * The customer's birthday ("MM-DD", single_line_text_field): the one metafield a shopper writes (once, from the account
 * page, through the Customer Account API); the app keeps the truth in Member.birthday and writes it back.
 */
export const BIRTHDAY_METAFIELD_KEY = "birthday";

/** The shop's programme metafield (TierProgramV1): every shopper-visible level, written on publish. */
export const PROGRAM_METAFIELD_KEY = "program";
