import { useLocaleSubscription } from "@shopify/ui-extensions-react/point-of-sale";
import { useEffect, useMemo, useState } from "react";
import { createTranslator } from "../../../app/shared/member-messages";
import { memberView, type MemberView, type ViewContext } from "../../../app/shared/member-view";
import en from "../locales/en.default.json";
import { fetchPosMember, type FetchLike } from "./member-client";

export type PosMemberState = { status: "noCustomer" } | { status: "loading" } | { status: "ready"; view: MemberView } | { status: "error"; message: string };

/**
 * POS offers no translate API to extensions, so texts come from this extension's own locale file through the
 * shared translator (English for now; a new locale is a new file here).
 */
export function usePosViewContext(): ViewContext {
  const locale = useLocaleSubscription();
  return useMemo(() => ({ locale, t: createTranslator(en, locale) }), [locale]);
}

/** The member view of a POS customer, refetched when the customer changes. */
export function usePosMember(customerId: number | string | undefined | null): PosMemberState {
  const ctx = usePosViewContext();
  const [state, setState] = useState<{ id: string; docs: Awaited<ReturnType<typeof fetchPosMember>> } | { id: string; error: string } | null>(null);
  const key = customerId === undefined || customerId === null ? null : String(customerId);
  useEffect(() => {
    if (key === null) return;
    let live = true;
    fetchPosMember(fetch as unknown as FetchLike, key).then(
      (docs) => live && setState({ id: key, docs }),
      (error: unknown) => live && setState({ id: key, error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  if (key === null) return { status: "noCustomer" };
  if (!state || state.id !== key) return { status: "loading" };
  if ("error" in state) return { status: "error", message: state.error };
  return { status: "ready", view: memberView(state.docs ?? { level: null, progress: null, benefits: null }, ctx) };
}
