import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { extensionViewContext } from "../../../app/shared/extension-view-context";
import { memberCardImageSource } from "../../../app/shared/member-card-image";
import { ACCOUNT_MEMBER_CARD, loadMember, type FetchLike, type MemberState } from "../../../app/shared/member-query";
import { memberView, type ViewContext } from "../../../app/shared/member-view";
import { programView } from "../../../app/shared/program-view";
import { BirthdayForm } from "./BirthdayForm";
import { RewardsList } from "./RewardsList";
import { RedeemPoints } from "./RedeemPoints";
import { BenefitList, MemberProgress, PointsHistory, ProgramLevels, Rules, type RulesSettings } from "./components";

/** customer-account.page.render: the member card, the whole programme, points and the merchant's rules. */
export default async () => {
  const state = await loadMember(fetch as FetchLike, ACCOUNT_MEMBER_CARD);
  render(<MemberPage state={state} />, document.body);
};

function MemberPage({ state }: { state: MemberState }) {
  const ctx = extensionViewContext(shopify, shopify.localization.language.value.isoCode);
  const { t } = ctx;
  const settings = shopify.settings.value;
  const rules: RulesSettings = {
    upgrade_rules: text(settings.upgrade_rules),
    benefit_instructions: text(settings.benefit_instructions),
    membership_notice: text(settings.membership_notice),
  };
  if (state.status === "error" || !state.answer) {
    return (
      <s-page heading={t("page.title")}>
        <s-banner tone="critical">{t("error.load")}</s-banner>
      </s-page>
    );
  }
  const view = memberView(state.answer.docs, ctx);
  const program = programView(state.answer.program, ctx, view.kind === "member" ? view.levelId : null);
  return (
    <s-page heading={t("page.title")}>
      <s-stack gap="large">
        <MemberCard view={view} ctx={ctx} />
        {program && program.levels.length > 0 ? <ProgramLevels levels={program.levels} ctx={ctx} /> : null}
        {view.kind === "member" && view.points ? (
          <s-section heading={t("page.points")}>
            <s-stack gap="base">
              <s-text type="strong">{view.points}</s-text>
              <s-divider />
              <s-heading>{t("page.history")}</s-heading>
              {view.history.length > 0 ? <PointsHistory rows={view.history} /> : <s-text color="subdued">{t("page.noHistory")}</s-text>}
            </s-stack>
          </s-section>
        ) : null}
        {view.kind === "member" ? <RedeemPoints answer={state.answer} ctx={ctx} sessionToken={shopify.sessionToken} /> : null}
        {view.kind === "member" ? <RewardsList answer={state.answer} ctx={ctx} /> : null}
        <BirthdayForm ctx={ctx} sessionToken={shopify.sessionToken} />
        <Rules settings={rules} ctx={ctx} />
      </s-stack>
    </s-page>
  );
}

function MemberCard({ view, ctx }: { view: ReturnType<typeof memberView>; ctx: ViewContext }) {
  const { t } = ctx;
  if (view.kind === "none") {
    return (
      <s-section>
        <s-stack gap="base">
          <s-text>{view.text}</s-text>
          {view.progress ? <MemberProgress progress={view.progress} /> : null}
        </s-stack>
      </s-section>
    );
  }
  return (
    <>
      <s-section heading={t("page.card", { level: view.levelName })}>
        <s-stack gap="base">
          <s-image
            src={memberCardImageSource({ levelName: view.levelName, caption: view.validity, card: view.card })}
            alt={t("page.card", { level: view.levelName })}
            aspectRatio="16/9"
          />
          <s-stack direction="inline" gap="small-200" alignItems="center">
            <s-badge icon="star" color={view.benefitsPaused ? "subdued" : "base"}>
              {view.badgeText}
            </s-badge>
            {view.statusText ? <s-text tone="warning">{view.statusText}</s-text> : null}
          </s-stack>
          {view.validity ? <s-text color="subdued">{view.validity}</s-text> : null}
          {view.progress ? (
            <s-stack gap="small-300">
              <s-heading>{t("page.progress")}</s-heading>
              <MemberProgress progress={view.progress} />
            </s-stack>
          ) : null}
        </s-stack>
      </s-section>
      <s-section heading={t("page.benefits")}>
        <s-stack gap="base">
          {view.benefitsPaused ? <s-banner tone="warning">{view.benefitsPaused}</s-banner> : null}
          {view.benefits.length > 0 ? <BenefitList benefits={view.benefits} /> : <s-text color="subdued">{t("page.noBenefits")}</s-text>}
        </s-stack>
      </s-section>
    </>
  );
}

function text(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
