/**
 * Every Admin GraphQL document Tierline sends, named, in one place. test/shopify/documents.test.ts validates each
 * exported string against Shopify's real Admin 2026-10 schema, so a typo fails CI instead of a merchant's sync.
 *
 * Documents passed *inside* bulk operations (the `…Bulk` mutations and the `Backfill…` queries) are full documents
 * too: Shopify parses them with the same schema when the operation starts.
 */

// ── Metafield definitions (install) ───────────────────────────────────────────────────────────────────────────────

export const TIERLINE_METAFIELD_DEFINITIONS = `#graphql
query TierlineMetafieldDefinitions($ownerType: MetafieldOwnerType!, $namespace: String!) {
  metafieldDefinitions(ownerType: $ownerType, namespace: $namespace, first: 50) {
    nodes {
      id
      namespace
      key
      type { name }
      access { admin customerAccount storefront }
    }
  }
}`;

export const TIERLINE_METAFIELD_DEFINITION_CREATE = `#graphql
mutation TierlineMetafieldDefinitionCreate($definition: MetafieldDefinitionInput!) {
  metafieldDefinitionCreate(definition: $definition) {
    createdDefinition { id namespace key }
    userErrors { field message code }
  }
}`;

// ── The programme (shop metafield, written on publish) ──────────────────────────────────────────────────────────

/** The shop's id and its current `program` metafield (compared before writing, so an unchanged programme is not rewritten). */
export const SHOP_PROGRAM_METAFIELD = `#graphql
query ShopProgramMetafield($namespace: String!, $key: String!) {
  shop {
    id
    metafield(namespace: $namespace, key: $key) { id value }
  }
}`;

export const SHOP_PROGRAM_METAFIELD_SET = `#graphql
mutation ShopProgramMetafieldSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { key }
    userErrors { field message code }
  }
}`;

export const SHOP_PROGRAM_METAFIELD_DELETE = `#graphql
mutation ShopProgramMetafieldDelete($metafields: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $metafields) {
    deletedMetafields { key }
    userErrors { field message }
  }
}`;

// ── Member sync: metafields and tier tags ─────────────────────────────────────────────────────────────────────────

/**
 * One request writes up to 25 members: metafieldsSet accepts at most 25 metafields per call, so each key gets its
 * own aliased call and every list holds one entry per member (same order, so elementIndex maps back to a member).
 */
export const MEMBER_METAFIELDS_SET = `#graphql
mutation MemberMetafieldsSet(
  $level: [MetafieldsSetInput!]!
  $progress: [MetafieldsSetInput!]!
  $benefits: [MetafieldsSetInput!]!
  $history: [MetafieldsSetInput!]!
  $rewards: [MetafieldsSetInput!]!
) {
  level: metafieldsSet(metafields: $level) {
    userErrors { field message code elementIndex }
  }
  progress: metafieldsSet(metafields: $progress) {
    userErrors { field message code elementIndex }
  }
  benefits: metafieldsSet(metafields: $benefits) {
    userErrors { field message code elementIndex }
  }
  history: metafieldsSet(metafields: $history) {
    userErrors { field message code elementIndex }
  }
  rewards: metafieldsSet(metafields: $rewards) {
    userErrors { field message code elementIndex }
  }
}`;

/** Bulk variant: one JSONL line per member holding that member's four metafields. */
export const MEMBER_METAFIELDS_SET_BULK = `#graphql
mutation MemberMetafieldsSetBulk($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { key }
    userErrors { field message code elementIndex }
  }
}`;

export const MEMBER_TAGS = `#graphql
query MemberTags($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Customer { id tags }
  }
}`;

/** Also the bulk mutation for tag adds: a single root field, as bulkOperationRunMutation requires. */
export const MEMBER_TIER_TAG_ADD = `#graphql
mutation MemberTierTagAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}`;

/** Also the bulk mutation for tag removals. */
export const MEMBER_TIER_TAG_REMOVE = `#graphql
mutation MemberTierTagRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}`;

/** Add the new tier tag before removing the old one, so a customer is never seen without a tier tag mid-change. */
export const MEMBER_TIER_TAG_SWAP = `#graphql
mutation MemberTierTagSwap($id: ID!, $add: [String!]!, $remove: [String!]!) {
  tagsAdd(id: $id, tags: $add) {
    userErrors { field message }
  }
  tagsRemove(id: $id, tags: $remove) {
    userErrors { field message }
  }
}`;

export const SHOP_CURRENCY = `#graphql
query ShopCurrency {
  shop { currencyCode }
}`;

// ── Billing (Shopify App Pricing) ──────────────────────────────────────────────────────────────────────────────────

/** The shop's ACTIVE app subscriptions: the plan the merchant chose on Shopify's plan page (app/services/billing/). */
export const CURRENT_APP_SUBSCRIPTIONS = `#graphql
query CurrentAppSubscriptions {
  currentAppInstallation {
    activeSubscriptions {
      id
      name
      status
      lineItems {
        plan {
          pricingDetails {
            ... on AppRecurringPricing { planHandle }
          }
        }
      }
    }
  }
}`;

// ── Bulk operations ───────────────────────────────────────────────────────────────────────────────────────────────

export const BULK_VARIABLES_STAGED_UPLOAD = `#graphql
mutation BulkVariablesStagedUpload($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets {
      url
      resourceUrl
      parameters { name value }
    }
    userErrors { field message }
  }
}`;

export const BULK_MUTATION_RUN = `#graphql
mutation BulkMutationRun($mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath, clientIdentifier: $clientIdentifier) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

export const BULK_QUERY_RUN = `#graphql
mutation BulkQueryRun($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

export const BULK_OPERATION_STATUS = `#graphql
query BulkOperationStatus($id: ID!) {
  bulkOperation(id: $id) {
    id
    type
    status
    errorCode
    objectCount
    rootObjectCount
    url
    partialDataUrl
  }
}`;

// ── Install backfill (bulk queries; no variables allowed, so the date is spliced into the search string) ──────────

export const BACKFILL_SINCE_PLACEHOLDER = "__SINCE__";

export const BACKFILL_CUSTOMERS = `#graphql
query BackfillCustomers {
  customers {
    edges {
      node {
        id
        displayName
        defaultEmailAddress { emailAddress }
        tags
        createdAt
        numberOfOrders
      }
    }
  }
}`;

/**
 * Orders with their lines. Refund lines are not here: refundLineItems is a connection inside the `refunds` list,
 * which bulk queries do not allow; `fetchRefundLines` reads them for the few orders that have refunds.
 */
export const BACKFILL_ORDERS = `#graphql
query BackfillOrders {
  orders(query: "processed_at:>='${BACKFILL_SINCE_PLACEHOLDER}'") {
    edges {
      node {
        id
        name
        processedAt
        cancelledAt
        test
        sourceName
        displayFinancialStatus
        customer { id }
        discountCodes
        totalPriceSet { shopMoney { amount currencyCode } }
        subtotalPriceSet { shopMoney { amount } }
        totalShippingPriceSet { shopMoney { amount } }
        totalTaxSet { shopMoney { amount } }
        refunds {
          id
          createdAt
          totalRefundedSet { shopMoney { amount } }
        }
        lineItems {
          edges {
            node {
              id
              quantity
              isGiftCard
              product { id }
              discountedUnitPriceAfterAllDiscountsSet { shopMoney { amount } }
            }
          }
        }
      }
    }
  }
}`;

/** Product tags and collections feed the engine's scoped conditions (include/exclude by collection or tag). */
export const BACKFILL_PRODUCTS = `#graphql
query BackfillProducts {
  products {
    edges {
      node {
        id
        tags
        collections {
          edges { node { id } }
        }
      }
    }
  }
}`;

export const BACKFILL_REFUND_LINES = `#graphql
query BackfillRefundLines($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Order {
      id
      refunds(first: 5) {
        id
        refundLineItems(first: 25) {
          nodes {
            quantity
            lineItem { id }
          }
          pageInfo { hasNextPage }
        }
      }
    }
  }
}`;

// ── Tier discount (automatic app discount backed by the tier-discount Function) ────────────────────────────────────

export const TIER_DISCOUNT_LOOKUP = `#graphql
query TierDiscountLookup($after: String) {
  discountNodes(first: 50, after: $after, query: "method:automatic") {
    nodes {
      id
      discount {
        __typename
        ... on DiscountAutomaticApp { discountId title status }
      }
      configuration: metafield(namespace: "$app:tierline", key: "discount-config") { id }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const TIER_DISCOUNT_CREATE = `#graphql
mutation TierDiscountCreate($discount: DiscountAutomaticAppInput!) {
  discountAutomaticAppCreate(automaticAppDiscount: $discount) {
    automaticAppDiscount { discountId title status }
    userErrors { field message code }
  }
}`;

/** Settings and configuration in one request: the Function never sees new settings with an old configuration. */
export const TIER_DISCOUNT_UPDATE = `#graphql
mutation TierDiscountUpdate($id: ID!, $discount: DiscountAutomaticAppInput!, $configuration: [MetafieldsSetInput!]!) {
  discountAutomaticAppUpdate(id: $id, automaticAppDiscount: $discount) {
    automaticAppDiscount { discountId title status }
    userErrors { field message code }
  }
  metafieldsSet(metafields: $configuration) {
    userErrors { field message code elementIndex }
  }
}`;

export const TIER_DISCOUNT_DELETE = `#graphql
mutation TierDiscountDelete($id: ID!) {
  discountAutomaticDelete(id: $id) {
    deletedAutomaticDiscountId
    userErrors { field message code }
  }
}`;

// ── Reward discount codes (app/services/rewards/reward-codes.server.ts) ─────────────────────────────────────────────

/** A reward's code, if it was already created (a retry after a crash finds it instead of making a second one). */
export const REWARD_CODE_LOOKUP = `#graphql
query RewardCodeLookup($code: String!) {
  codeDiscountNodeByCode(code: $code) {
    id
    codeDiscount {
      __typename
      ... on DiscountCodeBasic {
        endsAt
        context { __typename ... on DiscountCustomers { customers { id } } }
      }
    }
  }
}`;

export const REWARD_CODE_CREATE = `#graphql
mutation RewardCodeCreate($discount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $discount) {
    codeDiscountNode { id }
    userErrors { field message code }
  }
}`;
