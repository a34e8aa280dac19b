/**
 * Products' collections and tags for live orders' lines (app/services/order-scopes.server.ts). Cost on Shopify's
 * calculator: a product is 1, its first collections page 2 + 25: 28 a product, so 30 products a query (840 points,
 * under the 1,000 a single query may cost). A product in more collections pages the rest 250 at a time (253 points).
 */

export const PRODUCT_SCOPES = `#graphql
query ProductScopes($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Product {
      id
      tags
      collections(first: 25) {
        nodes { id }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;

export const PRODUCT_COLLECTIONS_PAGE = `#graphql
query ProductCollectionsPage($id: ID!, $after: String) {
  node(id: $id) {
    ... on Product {
      collections(first: 250, after: $after) {
        nodes { id }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;
