import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { extensionViewContext } from "../../../app/shared/extension-view-context";
import { MemberDetails } from "./MemberDetails";
import { usePosMember } from "./use-member";

/** pos.customer-details.block.render: the selected customer's level and benefits on the customer details screen. */
export default async () => {
  render(<CustomerMemberBlock />, document.body);
};

function CustomerMemberBlock() {
  const ctx = extensionViewContext(shopify, shopify.locale.current.value);
  const { t } = ctx;
  const state = usePosMember(shopify.customer.id, ctx);
  return (
    <s-pos-block heading={t("block.title")}>
      {state.status === "ready" ? (
        <MemberDetails view={state.view} />
      ) : (
        <s-text tone={state.status === "error" ? "critical" : "neutral"}>{state.status === "error" ? t("error.load") : t("tile.loading")}</s-text>
      )}
    </s-pos-block>
  );
}
