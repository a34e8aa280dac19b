import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { extensionViewContext } from "../../../app/shared/extension-view-context";
import { usePosMember } from "./use-member";

/** pos.home.tile.render: the cart customer's level at a glance on the smart grid; tapping opens the modal. */
export default async () => {
  render(<MemberTile />, document.body);
};

function MemberTile() {
  const ctx = extensionViewContext(shopify, shopify.locale.current.value);
  const { t } = ctx;
  const state = usePosMember(shopify.cart.current.value.customer?.id, ctx);
  let subheading: string;
  switch (state.status) {
    case "noCustomer":
      subheading = t("tile.noCustomer");
      break;
    case "loading":
      subheading = t("tile.loading");
      break;
    case "error":
      subheading = t("error.load");
      break;
    case "ready":
      subheading =
        state.view.kind === "member" ? [state.view.badgeText, state.view.benefits[0]?.text].filter(Boolean).join(" · ") : t("tile.noLevel");
      break;
  }
  return (
    <s-tile
      heading={t("tile.title")}
      subheading={subheading}
      disabled={state.status === "noCustomer"}
      onClick={() => shopify.action.presentModal()}
    />
  );
}
