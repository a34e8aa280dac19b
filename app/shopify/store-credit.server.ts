import { asCaller, ShopifyAdminError, type AdminCaller, type AdminGraphqlClient, type CallPolicy } from "./admin-graphql.server";

/**
 * Shopify store credit for points redemption: `storeCreditAccountCredit` with the customer's GID as the account owner
 * (Shopify opens the account in that currency on the first credit), and the customer's recent credits, so a credit
 * that may have landed (an answer lost after Shopify applied it) is found instead of given twice. The mutation takes
 * no idempotency key, so it is sent once per attempt, never retried blindly (a retried 5xx could credit twice).
 * Documents are validated against the Admin 2026-10 schema by test/shopify/documents.test.ts.
 */

export const STORE_CREDIT_ACCOUNT_CREDIT = `#graphql
mutation TierlineStoreCreditAccountCredit($id: ID!, $creditInput: StoreCreditAccountCreditInput!) {
  storeCreditAccountCredit(id: $id, creditInput: $creditInput) {
    storeCreditAccountTransaction {
      id
      amount { amount currencyCode }
      createdAt
      account { id balance { amount currencyCode } }
    }
    userErrors { field message code }
  }
}`;

export const STORE_CREDIT_RECENT_CREDITS = `#graphql
query TierlineStoreCreditRecentCredits($customerId: ID!, $accountQuery: String!) {
  customer(id: $customerId) {
    id
    storeCreditAccounts(first: 2, query: $accountQuery) {
      nodes {
        id
        balance { amount currencyCode }
        transactions(first: 50, reverse: true, query: "type:credit") {
          nodes {
            ... on StoreCreditAccountCreditTransaction { id amount { amount currencyCode } createdAt }
          }
        }
      }
    }
  }
}`;

export interface StoreCredit {
  /** Shopify's StoreCreditAccountCreditTransaction GID. */
  transactionGid: string;
  /** Decimal string as Shopify answers it. */
  amount: string;
  currency: string;
  createdAt: string;
}

/** Shopify answered the credit with userErrors: nothing was credited (definite, unlike a lost answer). */
export class StoreCreditRefusedError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = "StoreCreditRefusedError";
  }
}

/** Credits `amount` (a decimal string in `currency`) to the customer's store credit account in that currency. */
export async function creditCustomerStoreCredit(
  admin: AdminGraphqlClient | AdminCaller,
  input: { customerGid: string; amount: string; currency: string },
  policy?: CallPolicy,
): Promise<StoreCredit> {
  const data = await asCaller(admin, { ...policy, maxAttempts: 1 }).request(STORE_CREDIT_ACCOUNT_CREDIT, {
    id: input.customerGid,
    creditInput: { creditAmount: { amount: input.amount, currencyCode: input.currency } },
  });
  const payload = data?.storeCreditAccountCredit;
  const errors = (payload?.userErrors ?? []) as { message: string; code: string | null }[];
  if (errors.length) throw new StoreCreditRefusedError(errors.map((e) => e.message).join("; "), errors[0].code ?? null);
  const t = payload?.storeCreditAccountTransaction;
  if (!t?.id)
    throw new ShopifyAdminError("GRAPHQL_ERRORS", "storeCreditAccountCredit answered no transaction", {
      operation: "TierlineStoreCreditAccountCredit",
    });
  return { transactionGid: t.id, amount: t.amount.amount, currency: t.amount.currencyCode, createdAt: t.createdAt };
}

/** The customer's latest credits in `currency`, newest first (at most 50 per account). */
export async function recentStoreCredits(
  admin: AdminGraphqlClient | AdminCaller,
  input: { customerGid: string; currency: string },
  policy?: CallPolicy,
): Promise<StoreCredit[]> {
  const data = await asCaller(admin, policy).request(STORE_CREDIT_RECENT_CREDITS, {
    customerId: input.customerGid,
    accountQuery: `currency_code:${input.currency}`,
  });
  const out: StoreCredit[] = [];
  for (const account of data?.customer?.storeCreditAccounts?.nodes ?? []) {
    for (const t of account?.transactions?.nodes ?? []) {
      if (t?.id && t.amount?.currencyCode === input.currency)
        out.push({ transactionGid: t.id, amount: t.amount.amount, currency: t.amount.currencyCode, createdAt: t.createdAt });
    }
  }
  return out;
}
