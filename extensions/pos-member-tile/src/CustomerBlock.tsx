import { POSBlock, POSBlockRow, Text, reactExtension, useApi } from "@shopify/ui-extensions-react/point-of-sale";
import { MemberDetails } from "./MemberDetails";
import { usePosMember, usePosViewContext } from "./use-member";

export default reactExtension("pos.customer-details.block.render", () => <CustomerMemberBlock />);

/** On the customer details screen: the selected customer's level and benefits. */
export function CustomerMemberBlock() {
  const api = useApi<"pos.customer-details.block.render">();
  const { t } = usePosViewContext();
  const state = usePosMember(api.customer.id);
  return (
    <POSBlock>
      <POSBlockRow>
        <Text variant="headingSmall">{t("block.title")}</Text>
      </POSBlockRow>
      <POSBlockRow>
        {state.status === "ready" ? (
          <MemberDetails view={state.view} />
        ) : (
          <Text color={state.status === "error" ? "TextCritical" : "TextSubdued"}>{state.status === "error" ? t("error.load") : t("tile.loading")}</Text>
        )}
      </POSBlockRow>
    </POSBlock>
  );
}
