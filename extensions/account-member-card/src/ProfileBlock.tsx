import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { extensionViewContext } from "../../../app/shared/extension-view-context";
import { ACCOUNT_MEMBER_SUMMARY, loadMember, type FetchLike, type MemberState } from "../../../app/shared/member-query";
import { memberView } from "../../../app/shared/member-view";

/** The member card page, a full-page extension of its own (extensions/account-member-page). */
export const MEMBER_PAGE_URL = "extension:account-member-page/";

/** customer-account.profile.block.render: the level at a glance, linking to the member card page. */
export default async () => {
  const state = await loadMember(fetch as FetchLike, ACCOUNT_MEMBER_SUMMARY);
  render(<ProfileBlock state={state} />, document.body);
};

function ProfileBlock({ state }: { state: MemberState }) {
  // The profile page is the customer's own space: a membership that cannot be read stays out of the way here,
  // and the full page says what went wrong.
  if (state.status === "error" || !state.answer) return null;
  const ctx = extensionViewContext(shopify, shopify.localization.language.value.isoCode);
  const { t } = ctx;
  const view = memberView(state.answer.docs, ctx);
  if (view.kind === "none" && !view.progress) return null;
  return (
    <s-section heading={t("profile.title")}>
      <s-stack gap="base">
        {view.kind === "member" ? (
          <s-stack gap="small-200">
            <s-stack direction="inline" gap="small-200" alignItems="center">
              <s-badge icon="star" color={view.benefitsPaused ? "subdued" : "base"}>
                {view.badgeText}
              </s-badge>
              {view.statusText ? <s-text tone="warning">{view.statusText}</s-text> : null}
            </s-stack>
            {view.validity ? <s-text color="subdued">{view.validity}</s-text> : null}
            {view.points ? <s-text>{view.points}</s-text> : null}
          </s-stack>
        ) : (
          <s-text>{view.text}</s-text>
        )}
        {view.progress ? <s-text color="subdued">{view.progress.text}</s-text> : null}
        <s-button variant="secondary" href={MEMBER_PAGE_URL}>
          {t("profile.viewCard")}
        </s-button>
      </s-stack>
    </s-section>
  );
}
