import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { extensionViewContext } from "../../../app/shared/extension-view-context";
import { checkoutView, type DiscountAllocationInput, type ProgressView } from "../../../app/shared/member-view";
import { TIERLINE_NAMESPACE, type MemberMetafieldKey } from "../../../app/shared/metafield-keys";

/** purchase.checkout.block.render: the buyer's level, what it saved on this order, and the way to the next one. */
export default async () => {
  render(<TierBanner />, document.body);
};

/** The value of one of the signed-in customer's `$app:tierline` metafields (declared in the toml), or undefined. */
function memberMetafield(key: MemberMetafieldKey): unknown {
  const entry = shopify.appMetafields.value.find(
    (e) => e.target.type === "customer" && e.metafield.namespace === TIERLINE_NAMESPACE && e.metafield.key === key,
  );
  return entry?.metafield.value;
}

function TierBanner() {
  const ctx = extensionViewContext(shopify, shopify.localization.language.value.isoCode, shopify.localization.timezone.value);
  // Product discounts land on lines, order discounts on the cart: the level discount may be either.
  const allocations: DiscountAllocationInput[] = [
    ...shopify.discountAllocations.value,
    ...shopify.lines.value.flatMap((line) => line.discountAllocations),
  ];
  const title = shopify.settings.value.discount_title;
  const view = checkoutView(
    {
      signedIn: shopify.buyerIdentity?.customer.value !== undefined,
      level: memberMetafield("level"),
      progress: memberMetafield("progress"),
      benefits: memberMetafield("benefits"),
      allocations,
      discountTitles: typeof title === "string" ? [title] : [],
    },
    ctx,
  );

  switch (view.kind) {
    case "hidden":
      return null;
    case "guest": {
      const storefront = shopify.shop.storefrontUrl;
      return (
        <s-banner tone="info" heading={view.title}>
          <s-stack gap="small-200">
            <s-text>{view.body}</s-text>
            {storefront ? <s-link href={`${storefront.replace(/\/$/, "")}/account`}>{view.action}</s-link> : null}
          </s-stack>
        </s-banner>
      );
    }
    case "none":
      return <ProgressLine progress={view.progress} />;
    case "member":
      return (
        <s-stack gap="small-200">
          <s-stack direction="inline" gap="small-200" alignItems="center">
            <s-badge icon="star" color={view.paused ? "subdued" : "base"}>
              {view.badgeText}
            </s-badge>
            {view.statusText ? <s-text tone="warning">{view.statusText}</s-text> : null}
          </s-stack>
          {view.savings ? (
            <s-text tone="success" type="strong">
              {view.savings}
            </s-text>
          ) : null}
          {view.hint ? (
            <s-text type="small" color="subdued">
              {view.hint}
            </s-text>
          ) : null}
          {view.paused ? <s-text color="subdued">{view.paused}</s-text> : null}
          {view.progress ? <ProgressLine progress={view.progress} /> : null}
        </s-stack>
      );
  }
}

function ProgressLine({ progress }: { progress: ProgressView }) {
  return (
    <s-stack gap="small-300">
      {progress.kind === "next" && progress.fraction !== null ? (
        <s-progress value={progress.fraction} max={1} accessibilityLabel={progress.label} />
      ) : null}
      <s-text type="small" color="subdued">
        {progress.text}
      </s-text>
    </s-stack>
  );
}
