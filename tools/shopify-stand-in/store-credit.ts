import type { ShopState } from "./store";

/**
 * Shopify store credit on the stand-in: `storeCreditAccountCredit` (owner: a customer GID, which opens the account in
 * that currency on the first credit, or a StoreCreditAccount GID) and `Customer.storeCreditAccounts { transactions }`,
 * answered against the real 2026-10 schema. Accounts live in `shop.storeCreditAccounts` (persisted with the store);
 * `storeCreditBalance(shop, customerGid, currency)` is what tests and the demo read.
 *
 * `refuseNextMutation(shop, field, message)` makes the next call of that mutation answer a userError instead of
 * running (the switch for failure paths); `store.injectFault({ kind: "http", status: 500 })` fails any call at HTTP.
 */

export interface StoreCreditTransactionRecord {
  id: string;
  /** Minor units (hundredths) of the account's currency. */
  amountMinor: number;
  balanceAfterMinor: number;
  createdAt: string;
}

export interface StoreCreditAccountRecord {
  id: string;
  ownerId: string;
  currency: string;
  balanceMinor: number;
  transactions: StoreCreditTransactionRecord[];
}

type Args = Record<string, any>;
type Shop = ShopState & { storeCreditAccounts?: StoreCreditAccountRecord[] };

const refusals = new WeakMap<ShopState, { field: string; message: string }[]>();

/** The next call of mutation `field` on this shop answers `userErrors: [{ message }]` and changes nothing. */
export function refuseNextMutation(shop: ShopState, field: string, message = "The stand-in was told to refuse this call"): void {
  const list = refusals.get(shop) ?? [];
  list.push({ field, message });
  refusals.set(shop, list);
}

/** The refusal queued for this mutation field, taken (used by the stand-in's resolver before it runs a mutation). */
export function takeRefusal(shop: ShopState, field: string): { userErrors: { field: null; message: string }[] } | null {
  const list = refusals.get(shop);
  const index = list?.findIndex((r) => r.field === field) ?? -1;
  if (!list || index < 0) return null;
  const [refusal] = list.splice(index, 1);
  return { userErrors: [{ field: null, message: refusal.message }] };
}

const accountsOf = (shop: Shop) => (shop.storeCreditAccounts ??= []);
const toMinor = (decimal: string) => Math.round(Number(decimal) * 100);
const money = (minor: number, currency: string) => ({ amount: (minor / 100).toFixed(2), currencyCode: currency });

/** A customer's store credit balance in `currency` as a decimal string ("0.00" without an account). */
export function storeCreditBalance(shop: ShopState, customerGid: string, currency: string): string {
  const account = accountsOf(shop).find((a) => a.ownerId === customerGid && a.currency === currency);
  return (((account?.balanceMinor ?? 0) as number) / 100).toFixed(2);
}

/** Every credit given on the shop, oldest first (for tests: "exactly one credit for this reward"). */
export function storeCreditTransactions(shop: ShopState): (StoreCreditTransactionRecord & { ownerId: string; currency: string })[] {
  return accountsOf(shop).flatMap((a) => a.transactions.map((t) => ({ ...t, ownerId: a.ownerId, currency: a.currency })));
}

function accountView(a: StoreCreditAccountRecord) {
  return {
    __typename: "StoreCreditAccount",
    id: a.id,
    balance: money(a.balanceMinor, a.currency),
    transactions: (args: Args): unknown => {
      const typeCredit = typeof args.query === "string" && /type:credit/.test(args.query);
      let items = [...a.transactions];
      if (!typeCredit && typeof args.query === "string" && args.query.trim()) items = []; // other types never happen here
      if (args.reverse) items.reverse();
      const first = typeof args.first === "number" ? args.first : typeof args.last === "number" ? args.last : items.length;
      const nodes = items.slice(0, first).map((t) => transactionView(a, t));
      return {
        nodes,
        edges: nodes.map((node, i) => ({ cursor: String(i), node })),
        pageInfo: { hasNextPage: items.length > first, hasPreviousPage: false, startCursor: nodes.length ? "0" : null, endCursor: null },
      };
    },
  };
}

function transactionView(a: StoreCreditAccountRecord, t: StoreCreditTransactionRecord) {
  return {
    __typename: "StoreCreditAccountCreditTransaction",
    id: t.id,
    amount: money(t.amountMinor, a.currency),
    balanceAfterTransaction: money(t.balanceAfterMinor, a.currency),
    remainingAmount: money(t.amountMinor, a.currency),
    createdAt: t.createdAt,
    expiresAt: null,
    event: "ADJUSTMENT",
    origin: null,
    account: accountView(a),
  };
}

/** `Customer.storeCreditAccounts(first, query: "currency_code:USD")`. */
export function customerStoreCreditAccounts(shop: ShopState, customerGid: string, args: Args) {
  const currency = /currency_code:([A-Za-z]{3})/.exec(String(args.query ?? ""))?.[1]?.toUpperCase() ?? null;
  const items = accountsOf(shop).filter((a) => a.ownerId === customerGid && (currency === null || a.currency === currency));
  const first = typeof args.first === "number" ? args.first : items.length;
  const nodes = items.slice(0, first).map(accountView);
  return {
    nodes,
    edges: nodes.map((node, i) => ({ cursor: String(i), node })),
    pageInfo: { hasNextPage: items.length > first, hasPreviousPage: false, startCursor: nodes.length ? "0" : null, endCursor: null },
  };
}

/** `storeCreditAccountCredit(id, creditInput)` as Shopify answers it. */
export function storeCreditAccountCredit(shop: ShopState, args: Args, nowIso: string, changed: () => void) {
  const fail = (code: string, message: string, field: string[]) => ({
    storeCreditAccountTransaction: null,
    userErrors: [{ field, message, code }],
  });
  const { amount, currencyCode } = args.creditInput.creditAmount as { amount: string; currencyCode: string };
  const minor = toMinor(String(amount));
  if (!(minor > 0))
    return fail("NEGATIVE_OR_ZERO_AMOUNT", "A positive amount must be used to credit a store credit account.", [
      "creditInput",
      "creditAmount",
      "amount",
    ]);
  const id = String(args.id);
  const accounts = accountsOf(shop);
  let account: StoreCreditAccountRecord | undefined;
  if (id.startsWith("gid://shopify/StoreCreditAccount/")) {
    account = accounts.find((a) => a.id === id);
    if (!account) return fail("ACCOUNT_NOT_FOUND", "Store credit account does not exist.", ["id"]);
    if (account.currency !== currencyCode)
      return fail("MISMATCHING_CURRENCY", "The currency provided does not match the currency of the store credit account.", [
        "creditInput",
        "creditAmount",
        "currencyCode",
      ]);
  } else {
    if (!shop.customers[id]) return fail("OWNER_NOT_FOUND", "Owner does not exist.", ["id"]);
    account = accounts.find((a) => a.ownerId === id && a.currency === currencyCode);
    if (!account) {
      account = { id: `gid://shopify/StoreCreditAccount/${++shop.nextId}`, ownerId: id, currency: currencyCode, balanceMinor: 0, transactions: [] };
      accounts.push(account);
    }
  }
  account.balanceMinor += minor;
  const t: StoreCreditTransactionRecord = {
    id: `gid://shopify/StoreCreditAccountCreditTransaction/${++shop.nextId}`,
    amountMinor: minor,
    balanceAfterMinor: account.balanceMinor,
    createdAt: nowIso,
  };
  account.transactions.push(t);
  changed();
  return { storeCreditAccountTransaction: transactionView(account, t), userErrors: [] };
}
