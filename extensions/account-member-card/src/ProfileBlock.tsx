import { Badge, BlockStack, Button, Card, Heading, SkeletonTextBlock, Text, reactExtension } from "@shopify/ui-extensions-react/customer-account";
import { memberView } from "../../../app/shared/member-view";
import { BadgeRow, MemberProgress } from "./components";
import { TIERLINE_MEMBER_SUMMARY } from "./documents";
import { useMemberDocuments } from "./use-member";
import { useViewContext } from "./view-context";

export default reactExtension("customer-account.profile.block.render", () => <ProfileBlock />);

/** The full page of this same extension (customer-account.page.render). */
export const MEMBER_PAGE_URL = "extension:account-member-card/";

export function ProfileBlock() {
  const state = useMemberDocuments(TIERLINE_MEMBER_SUMMARY);
  const ctx = useViewContext();
  const { t } = ctx;
  if (state.status === "loading") {
    return (
      <Card padding>
        <SkeletonTextBlock lines={2} />
      </Card>
    );
  }
  // The profile page is the customer's own space: a membership that cannot be read stays out of the way here,
  // and the full page says what went wrong.
  if (state.status === "error") return null;
  const view = memberView(state.docs, ctx);
  if (view.kind === "none" && !view.progress) return null;
  return (
    <Card padding>
      <BlockStack spacing="base">
        <Heading level={2}>{t("profile.title")}</Heading>
        {view.kind === "member" ? (
          <BlockStack spacing="tight">
            <BadgeRow>
              <Badge icon="star" tone={view.benefitsPaused ? "subdued" : "default"}>
                {view.badgeText}
              </Badge>
              {view.statusText ? <Text appearance="warning">{view.statusText}</Text> : null}
            </BadgeRow>
            {view.validity ? <Text appearance="subdued">{view.validity}</Text> : null}
            {view.points ? <Text>{view.points}</Text> : null}
          </BlockStack>
        ) : (
          <Text>{view.text}</Text>
        )}
        {view.progress ? <MemberProgress progress={view.progress} /> : null}
        <Button kind="secondary" to={MEMBER_PAGE_URL}>
          {t("profile.viewCard")}
        </Button>
      </BlockStack>
    </Card>
  );
}
