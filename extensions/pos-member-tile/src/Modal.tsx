import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { extensionViewContext } from "../../../app/shared/extension-view-context";
import { MemberDetails } from "./MemberDetails";
import { usePosMember } from "./use-member";

/** pos.home.modal.render: opened from the tile, the cart customer's level in full. */
export default async () => {
  render(<MemberModal />, document.body);
};

function MemberModal() {
  const ctx = extensionViewContext(shopify, shopify.locale.current.value);
  const { t } = ctx;
  const state = usePosMember(shopify.cart.current.value.customer?.id, ctx);
  return (
    <s-page heading={t("modal.title")}>
      <s-scroll-box>
        <s-section heading={state.status === "ready" && state.view.kind === "member" ? state.view.levelName : t("modal.title")}>
          {state.status === "ready" ? <MemberDetails view={state.view} /> : null}
          {state.status === "loading" ? <s-text color="subdued">{t("tile.loading")}</s-text> : null}
          {state.status === "noCustomer" ? <s-text>{t("modal.noCustomer")}</s-text> : null}
          {state.status === "error" ? <s-text tone="critical">{t("error.load")}</s-text> : null}
        </s-section>
      </s-scroll-box>
    </s-page>
  );
}
