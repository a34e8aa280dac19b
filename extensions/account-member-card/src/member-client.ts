import type { MemberDocuments } from "../../../app/shared/member-view";
import { CUSTOMER_ACCOUNT_API_URL } from "./documents";

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export class MemberLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MemberLoadError";
  }
}

/**
 * Runs one of the member documents against the Customer Account API and returns the raw metafield values. A
 * metafield that is absent comes back undefined; judging the values is the view-model's job, not this one's.
 */
export async function fetchMemberDocuments(fetchFn: FetchLike, query: string): Promise<MemberDocuments> {
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetchFn(CUSTOMER_ACCOUNT_API_URL, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ query }) });
  } catch (error) {
    throw new MemberLoadError(`Customer Account API unreachable: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!response.ok) throw new MemberLoadError(`Customer Account API answered HTTP ${response.status}`);
  const body = (await response.json().catch(() => null)) as { data?: { customer?: Record<string, unknown> | null }; errors?: { message?: string }[] } | null;
  if (!body || typeof body !== "object") throw new MemberLoadError("Customer Account API answered with no JSON body");
  if (Array.isArray(body.errors) && body.errors.length > 0) throw new MemberLoadError(`Customer Account API errors: ${body.errors.map((e) => e?.message ?? "?").join("; ")}`);
  const customer = body.data?.customer;
  if (!customer || typeof customer !== "object") throw new MemberLoadError("Customer Account API answered without a customer");
  const valueOf = (key: string): unknown => {
    const field = customer[key];
    return field && typeof field === "object" ? (field as { value?: unknown }).value : undefined;
  };
  return { level: valueOf("level"), progress: valueOf("progress"), benefits: valueOf("benefits"), history: valueOf("history") };
}
