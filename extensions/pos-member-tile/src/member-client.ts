import type { MemberDocuments } from "../../../app/shared/member-view";
import { POS_ADMIN_API_URL, TIERLINE_POS_MEMBER } from "./documents";

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/** POS hands extensions a numeric customer id; the Admin API wants the GID. */
export function customerGid(id: number | string): string | null {
  const s = String(id);
  if (s.startsWith("gid://shopify/Customer/")) return s;
  return /^[1-9]\d*$/.test(s) ? `gid://shopify/Customer/${s}` : null;
}

export class PosMemberLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PosMemberLoadError";
  }
}

/** The customer's member metafield values (raw), or null when the Admin API knows no such customer. */
export async function fetchPosMember(fetchFn: FetchLike, customerId: number | string): Promise<MemberDocuments | null> {
  const id = customerGid(customerId);
  if (!id) throw new PosMemberLoadError(`not a customer id: ${String(customerId)}`);
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetchFn(POS_ADMIN_API_URL, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ query: TIERLINE_POS_MEMBER, variables: { id } }) });
  } catch (error) {
    throw new PosMemberLoadError(`Admin API unreachable: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!response.ok) throw new PosMemberLoadError(`Admin API answered HTTP ${response.status}`);
  const body = (await response.json().catch(() => null)) as { data?: { customer?: Record<string, unknown> | null }; errors?: { message?: string }[] } | null;
  if (!body || typeof body !== "object") throw new PosMemberLoadError("Admin API answered with no JSON body");
  if (Array.isArray(body.errors) && body.errors.length > 0) throw new PosMemberLoadError(`Admin API errors: ${body.errors.map((e) => e?.message ?? "?").join("; ")}`);
  const customer = body.data?.customer;
  if (!customer) return null;
  const valueOf = (key: string): unknown => {
    const field = customer[key];
    return field && typeof field === "object" ? (field as { value?: unknown }).value : undefined;
  };
  return { level: valueOf("level"), progress: valueOf("progress"), benefits: valueOf("benefits") };
}
