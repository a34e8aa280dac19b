import { Badge, Banner, BlockStack, Card, Divider, Heading, Image, Page, SkeletonTextBlock, Text, reactExtension, useSettings } from "@shopify/ui-extensions-react/customer-account";
import { memberCardImageSource } from "../../../app/shared/member-card-image";
import { memberView } from "../../../app/shared/member-view";
import { BadgeRow, BenefitList, MemberProgress, PointsHistory, RulesSection } from "./components";
import { TIERLINE_MEMBER_CARD } from "./documents";
import { useMemberDocuments } from "./use-member";
import { useViewContext } from "./view-context";

export default reactExtension("customer-account.page.render", () => <MemberPage />);

/** Merchant-written texts from the extension's settings (shopify.extension.toml); each is optional. */
export interface RulesSettings {
  upgrade_rules?: string;
  benefit_instructions?: string;
  membership_notice?: string;
}

export function MemberPage() {
  const state = useMemberDocuments(TIERLINE_MEMBER_CARD);
  const settings = useSettings<RulesSettings & Record<string, string | undefined>>();
  const ctx = useViewContext();
  const { t } = ctx;
  const title = t("page.title");

  if (state.status === "loading") {
    return (
      <Page title={title} loading>
        <SkeletonTextBlock lines={4} />
      </Page>
    );
  }
  if (state.status === "error") {
    return (
      <Page title={title}>
        <Banner status="critical">{t("error.load")}</Banner>
      </Page>
    );
  }

  const view = memberView(state.docs, ctx);
  const rules = <Rules settings={settings} />;
  if (view.kind === "none") {
    return (
      <Page title={title}>
        <BlockStack spacing="loose">
          <Card padding>
            <BlockStack spacing="base">
              <Text>{view.text}</Text>
              {view.progress ? <MemberProgress progress={view.progress} /> : null}
            </BlockStack>
          </Card>
          {rules}
        </BlockStack>
      </Page>
    );
  }

  return (
    <Page title={title}>
      <BlockStack spacing="loose">
        <Card padding>
          <BlockStack spacing="base">
            <Image
              source={memberCardImageSource({ levelName: view.levelName, caption: view.validity, card: view.card })}
              accessibilityDescription={t("page.card", { level: view.levelName })}
              aspectRatio={16 / 9}
            />
            <BadgeRow>
              <Heading level={2}>{view.levelName}</Heading>
              <Badge icon="star" tone={view.benefitsPaused ? "subdued" : "default"}>
                {view.badgeText}
              </Badge>
              {view.statusText ? <Text appearance="warning">{view.statusText}</Text> : null}
            </BadgeRow>
            {view.validity ? <Text appearance="subdued">{view.validity}</Text> : null}
            {view.progress ? (
              <BlockStack spacing="extraTight">
                <Text emphasis="bold">{t("page.progress")}</Text>
                <MemberProgress progress={view.progress} />
              </BlockStack>
            ) : null}
          </BlockStack>
        </Card>

        <Card padding>
          <BlockStack spacing="base">
            <Heading level={2}>{t("page.benefits")}</Heading>
            {view.benefitsPaused ? <Banner status="warning">{view.benefitsPaused}</Banner> : null}
            {view.benefits.length > 0 ? <BenefitList benefits={view.benefits} /> : <Text appearance="subdued">{t("page.noBenefits")}</Text>}
          </BlockStack>
        </Card>

        {view.points ? (
          <Card padding>
            <BlockStack spacing="base">
              <Heading level={2}>{t("page.points")}</Heading>
              <Text size="large" emphasis="bold">
                {view.points}
              </Text>
              <Divider />
              <Text emphasis="bold">{t("page.history")}</Text>
              {view.history.length > 0 ? <PointsHistory rows={view.history} /> : <Text appearance="subdued">{t("page.noHistory")}</Text>}
            </BlockStack>
          </Card>
        ) : null}

        {rules}
      </BlockStack>
    </Page>
  );
}

function Rules({ settings }: { settings: Partial<RulesSettings> }) {
  const { t } = useViewContext();
  const configured = [settings.upgrade_rules, settings.benefit_instructions, settings.membership_notice].some((s) => typeof s === "string" && s.trim().length > 0);
  if (!configured) return null;
  return (
    <Card padding>
      <BlockStack spacing="base">
        <Heading level={2}>{t("page.rules")}</Heading>
        <RulesSection title={t("page.upgradeRules")} body={settings.upgrade_rules} />
        <RulesSection title={t("page.benefitInstructions")} body={settings.benefit_instructions} />
        <RulesSection title={t("page.notice")} body={settings.membership_notice} />
      </BlockStack>
    </Card>
  );
}
