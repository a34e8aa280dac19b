/**
 * The one client of the shopper extensions' member query: every GraphQL document they send, and the fetch that runs
 * one and reads the member's `$app:tierline` metafields out of the answer. Pure: the fetch is passed in (the
 * extension sandbox's `fetch`, which resolves `shopify:` URLs; a stand-in in tests and the local host). Documents are
 * validated against Shopify's real 2026-10 schemas in test/extensions/graphql-documents.test.ts.
 *
 * - Customer accounts speak the Customer Account API (`shopify://customer-account/api/…`).
 * - POS speaks the Admin API directly (`shopify:admin/api/graphql.json`), for the customer the staff selected.
 */

import type { MemberDocuments } from "./member-view";

export const CUSTOMER_ACCOUNT_API_VERSION = "2026-10";
export const CUSTOMER_ACCOUNT_API_URL = `shopify://customer-account/api/${CUSTOMER_ACCOUNT_API_VERSION}/graphql.json`;
export const POS_ADMIN_API_URL = "shopify:admin/api/graphql.json";

/** The full member card and the programme: level, progress, benefits, points history, rewards, and every level. */
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
    rewards: metafield(namespace: "$app:tierline", key: "rewards") {
      value
    }
  }
  shop {
    program: metafield(namespace: "$app:tierline", key: "program") {
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

/** A POS customer's level, progress and benefits (Admin API, by customer GID). */
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

/** One request the extensions make: where it goes, which document, with which variables. */
export interface MemberRequest {
  api: "Customer Account API" | "Admin API";
  url: string;
  query: string;
  variables?: Record<string, unknown>;
}

export const ACCOUNT_MEMBER_CARD: MemberRequest = { api: "Customer Account API", url: CUSTOMER_ACCOUNT_API_URL, query: TIERLINE_MEMBER_CARD };
export const ACCOUNT_MEMBER_SUMMARY: MemberRequest = { api: "Customer Account API", url: CUSTOMER_ACCOUNT_API_URL, query: TIERLINE_MEMBER_SUMMARY };

/** POS hands extensions a numeric customer id; the Admin API wants the GID. Null for anything else. */
export function customerGid(id: number | string): string | null {
  const s = String(id);
  if (/^gid:\/\/shopify\/Customer\/[1-9]\d*$/.test(s)) return s;
  return /^[1-9]\d*$/.test(s) ? `gid://shopify/Customer/${s}` : null;
}

export function posMemberRequest(customerId: number | string): MemberRequest {
  const id = customerGid(customerId);
  if (!id) throw new MemberLoadError(`not a customer id: ${String(customerId)}`);
  return { api: "Admin API", url: POS_ADMIN_API_URL, query: TIERLINE_POS_MEMBER, variables: { id } };
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export class MemberLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MemberLoadError";
  }
}

/** The member's metafield values as they arrived (raw), and the shop's programme when the document asked for it. */
export interface MemberAnswer {
  docs: MemberDocuments;
  program: unknown;
}

/**
 * Runs one member request and returns the raw metafield values; null when the API knows no such customer. A
 * metafield that is absent comes back undefined: judging the values is the view-model's job, not this one's.
 */
export async function fetchMember(fetchFn: FetchLike, request: MemberRequest): Promise<MemberAnswer | null> {
  const { api } = request;
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    const body = JSON.stringify(request.variables ? { query: request.query, variables: request.variables } : { query: request.query });
    response = await fetchFn(request.url, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  } catch (error) {
    throw new MemberLoadError(`${api} unreachable: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!response.ok) throw new MemberLoadError(`${api} answered HTTP ${response.status}`);
  const body = (await response.json().catch(() => null)) as { data?: { customer?: unknown; shop?: unknown }; errors?: { message?: string }[] } | null;
  if (!body || typeof body !== "object") throw new MemberLoadError(`${api} answered with no JSON body`);
  if (Array.isArray(body.errors) && body.errors.length > 0)
    throw new MemberLoadError(`${api} errors: ${body.errors.map((e) => e?.message ?? "?").join("; ")}`);
  const customer = body.data?.customer;
  if (!isRecord(customer)) return null;
  const shop = body.data?.shop;
  return {
    docs: {
      level: valueOf(customer, "level"),
      progress: valueOf(customer, "progress"),
      benefits: valueOf(customer, "benefits"),
      history: valueOf(customer, "history"),
      rewards: valueOf(customer, "rewards"),
    },
    program: isRecord(shop) ? valueOf(shop, "program") : undefined,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function valueOf(owner: Record<string, unknown>, key: string): unknown {
  const field = owner[key];
  return isRecord(field) ? field.value : undefined;
}

/** What a surface renders from: the answer, or why there is none. Never throws. */
export type MemberState = { status: "ready"; answer: MemberAnswer | null } | { status: "error"; message: string };

export async function loadMember(fetchFn: FetchLike, request: MemberRequest): Promise<MemberState> {
  try {
    return { status: "ready", answer: await fetchMember(fetchFn, request) };
  } catch (error) {
    return { status: "error", message: error instanceof Error ? error.message : String(error) };
  }
}
