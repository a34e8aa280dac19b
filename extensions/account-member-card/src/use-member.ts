import { useEffect, useState } from "react";
import type { MemberDocuments } from "../../../app/shared/member-view";
import { fetchMemberDocuments, type FetchLike } from "./member-client";

export type MemberState = { status: "loading" } | { status: "ready"; docs: MemberDocuments } | { status: "error"; message: string };

/** Loads the member documents once per mount; the sandbox's global fetch resolves `shopify://` URLs. */
export function useMemberDocuments(query: string): MemberState {
  const [state, setState] = useState<MemberState>({ status: "loading" });
  useEffect(() => {
    let live = true;
    fetchMemberDocuments(fetch as unknown as FetchLike, query).then(
      (docs) => live && setState({ status: "ready", docs }),
      (error: unknown) => live && setState({ status: "error", message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
  }, [query]);
  return state;
}
