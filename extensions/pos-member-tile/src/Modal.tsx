import { Navigator, Screen, ScrollView, Section, Text, reactExtension, useCartSubscription } from "@shopify/ui-extensions-react/point-of-sale";
import { MemberDetails } from "./MemberDetails";
import { usePosMember, usePosViewContext } from "./use-member";

export default reactExtension("pos.home.modal.render", () => <MemberModal />);

/** Opened from the tile: the cart customer's level in full. */
export function MemberModal() {
  const cart = useCartSubscription();
  const { t } = usePosViewContext();
  const state = usePosMember(cart.customer?.id);
  return (
    <Navigator>
      <Screen name="MemberLevel" title={t("modal.title")} isLoading={state.status === "loading"}>
        <ScrollView>
          <Section title={state.status === "ready" && state.view.kind === "member" ? state.view.levelName : t("modal.title")}>
            {state.status === "ready" ? <MemberDetails view={state.view} /> : null}
            {state.status === "noCustomer" ? <Text>{t("modal.noCustomer")}</Text> : null}
            {state.status === "error" ? <Text color="TextCritical">{t("error.load")}</Text> : null}
          </Section>
        </ScrollView>
      </Screen>
    </Navigator>
  );
}
