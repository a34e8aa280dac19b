import {
  Badge,
  Banner,
  BlockStack,
  InlineStack,
  Link,
  Progress,
  Text,
  reactExtension,
  useAppMetafields,
  useCartLines,
  useCustomer,
  useDiscountAllocations,
  useLanguage,
  useSettings,
  useShop,
  useTimezone,
  useTranslate,
} from "@shopify/ui-extensions-react/checkout";
import { checkoutView, type DiscountAllocationInput, type ProgressView } from "../../../app/shared/member-view";
import type { Translate } from "../../../app/shared/member-messages";
import { MEMBER_METAFIELD_KEYS, MEMBER_METAFIELD_NAMESPACE } from "../../../app/shared/tier-metafield";

export default reactExtension("purchase.checkout.block.render", () => <TierBanner />);

/** The value of one of the customer's `$app:tierline` metafields, or undefined. */
function useMemberMetafield(key: string): unknown {
  const entries = useAppMetafields({ namespace: MEMBER_METAFIELD_NAMESPACE, key, type: "customer" });
  return entries[0]?.metafield.value;
}

export function TierBanner() {
  const customer = useCustomer();
  const level = useMemberMetafield(MEMBER_METAFIELD_KEYS.level);
  const progress = useMemberMetafield(MEMBER_METAFIELD_KEYS.progress);
  const benefits = useMemberMetafield(MEMBER_METAFIELD_KEYS.benefits);
  const cartAllocations = useDiscountAllocations();
  const lines = useCartLines();
  const settings = useSettings<{ discount_title?: string }>();
  const language = useLanguage();
  const timezone = useTimezone();
  const shop = useShop();
  const translate = useTranslate();
  const t: Translate = (key, params) => String(translate(key, params));

  // Product discounts land on lines, order discounts on the cart: the level discount may be either.
  const allocations: DiscountAllocationInput[] = [...cartAllocations, ...lines.flatMap((line) => line.discountAllocations)];
  const titles = typeof settings.discount_title === "string" ? [settings.discount_title] : [];
  const view = checkoutView({ signedIn: customer !== undefined, level, progress, benefits, allocations, discountTitles: titles }, { locale: language.isoCode, t, timeZone: timezone });

  switch (view.kind) {
    case "hidden":
      return null;
    case "guest":
      return (
        <Banner status="info" title={view.title}>
          <BlockStack spacing="extraTight">
            <Text>{view.body}</Text>
            {shop.storefrontUrl ? <Link to={`${shop.storefrontUrl.replace(/\/$/, "")}/account`}>{view.action}</Link> : null}
          </BlockStack>
        </Banner>
      );
    case "none":
      return (
        <BlockStack spacing="tight">
          <ProgressLine progress={view.progress} />
        </BlockStack>
      );
    case "member":
      return (
        <BlockStack spacing="tight">
          <InlineStack spacing="tight" blockAlignment="center">
            <Badge icon="star" tone={view.paused ? "subdued" : "default"}>
              {view.badgeText}
            </Badge>
            {view.statusText ? <Text appearance="warning">{view.statusText}</Text> : null}
          </InlineStack>
          {view.savings ? (
            <Text appearance="success" emphasis="bold">
              {view.savings}
            </Text>
          ) : null}
          {view.hint ? (
            <Text size="small" appearance="subdued">
              {view.hint}
            </Text>
          ) : null}
          {view.paused ? <Text appearance="subdued">{view.paused}</Text> : null}
          {view.progress ? <ProgressLine progress={view.progress} /> : null}
        </BlockStack>
      );
  }
}

function ProgressLine({ progress }: { progress: ProgressView }) {
  return (
    <BlockStack spacing="extraTight">
      {progress.kind === "next" && progress.fraction !== null ? <Progress value={progress.fraction} max={1} accessibilityLabel={progress.label} /> : null}
      <Text size="small" appearance="subdued">
        {progress.text}
      </Text>
    </BlockStack>
  );
}
