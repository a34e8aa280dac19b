/**
 * Every GraphQL document this extension sends, each named, to the Customer Account API (validated against the real
 * 2026-10 schema in test/extensions/customer-account-documents.test.ts). Aliases give each metafield its key's name.
 */

export const CUSTOMER_ACCOUNT_API_VERSION = "2026-10";
export const CUSTOMER_ACCOUNT_API_URL = `shopify://customer-account/api/${CUSTOMER_ACCOUNT_API_VERSION}/graphql.json`;

/** The full member card: level, progress, benefits and points history. */
export const TIERLINE_MEMBER_CARD = `#graphql
query TierlineMemberCard {
  customer {
    id
    level: metafield(namespace: "$app:tierline", key: "level") {
      value
    }
    progress: metafield(namespace: "$app:tierline", key: "progress") {
      value
    }
    benefits: metafield(namespace: "$app:tierline", key: "benefits") {
      value
    }
    history: metafield(namespace: "$app:tierline", key: "history") {
      value
    }
  }
}
`;

/** The profile block's summary: only what it shows, so the profile page stays light. */
export const TIERLINE_MEMBER_SUMMARY = `#graphql
query TierlineMemberSummary {
  customer {
    id
    level: metafield(namespace: "$app:tierline", key: "level") {
      value
    }
    progress: metafield(namespace: "$app:tierline", key: "progress") {
      value
    }
  }
}
`;
