import { useEffect, useState } from "preact/hooks";
import { loadMember, posMemberRequest, type FetchLike, type MemberState } from "../../../app/shared/member-query";
import { memberView, type MemberView, type ViewContext } from "../../../app/shared/member-view";

export type PosMemberState =
  { status: "noCustomer" } | { status: "loading" } | { status: "ready"; view: MemberView } | { status: "error"; message: string };

/**
 * The member view of a POS customer, refetched when the customer changes. POS extensions reach the Admin API with
 * the sandbox's `fetch("shopify:admin/api/graphql.json")`.
 */
export function usePosMember(customerId: number | undefined, ctx: ViewContext): PosMemberState {
  const key = customerId === undefined ? null : String(customerId);
  const [loaded, setLoaded] = useState<{ key: string; state: MemberState } | null>(null);
  useEffect(() => {
    if (key === null) return;
    let live = true;
    void loadPosMember(key).then((state) => live && setLoaded({ key, state }));
    return () => {
      live = false;
    };
  }, [key]);
  if (key === null) return { status: "noCustomer" };
  if (!loaded || loaded.key !== key) return { status: "loading" };
  const { state } = loaded;
  if (state.status === "error") return state;
  return { status: "ready", view: memberView(state.answer?.docs ?? { level: null, progress: null, benefits: null }, ctx) };
}

async function loadPosMember(customerId: string): Promise<MemberState> {
  try {
    return await loadMember(fetch as FetchLike, posMemberRequest(customerId));
  } catch (error) {
    return { status: "error", message: error instanceof Error ? error.message : String(error) };
  }
}
