/**
 * Every GraphQL document this extension sends. POS UI extensions reach the Admin API directly
 * (`fetch("shopify:admin/api/graphql.json")`), so these are Admin 2026-10 documents, validated against the real
 * schema in test/extensions/pos-documents.test.ts.
 */

export const POS_ADMIN_API_URL = "shopify:admin/api/graphql.json";

export const TIERLINE_POS_MEMBER = `#graphql
query TierlinePosMember($id: ID!) {
  customer(id: $id) {
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
  }
}
`;
