import { Tile, reactExtension, useApi, useCartSubscription } from "@shopify/ui-extensions-react/point-of-sale";
import { usePosMember, usePosViewContext } from "./use-member";

export default reactExtension("pos.home.tile.render", () => <MemberTile />);

/** The cart customer's level at a glance on the smart grid; tapping opens the full level and benefits. */
export function MemberTile() {
  const api = useApi<"pos.home.tile.render">();
  const cart = useCartSubscription();
  const { t } = usePosViewContext();
  const state = usePosMember(cart.customer?.id);
  let subtitle: string;
  switch (state.status) {
    case "noCustomer":
      subtitle = t("tile.noCustomer");
      break;
    case "loading":
      subtitle = t("tile.loading");
      break;
    case "error":
      subtitle = t("error.load");
      break;
    case "ready":
      subtitle = state.view.kind === "member" ? [state.view.badgeText, state.view.benefits[0]?.text].filter(Boolean).join(" · ") : t("tile.noLevel");
      break;
  }
  return <Tile title={t("tile.title")} subtitle={subtitle} enabled={state.status !== "noCustomer"} onPress={() => api.action.presentModal()} />;
}
