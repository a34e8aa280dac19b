import { Checkbox, InlineStack, Text } from "@shopify/polaris";
import type { BenefitsFormValues } from "~/forms/benefits-form";

type CombinesWith = BenefitsFormValues["discount"]["combinesWith"];

const KINDS: { key: keyof CombinesWith; label: string }[] = [
  { key: "productDiscounts", label: "Combines with product discounts" },
  { key: "orderDiscounts", label: "Combines with order discounts" },
  { key: "shippingDiscounts", label: "Combines with shipping discounts" },
];

/** Which other kinds of Shopify discounts the level discount combines with. */
export function CombinesWithFields({ value, onChange }: { value: CombinesWith; onChange(value: CombinesWith): void }) {
  return (
    <>
      <Text as="h3" variant="headingSm">
        Combines with
      </Text>
      <InlineStack gap="400">
        {KINDS.map(({ key, label }) => (
          <Checkbox key={key} label={label} checked={value[key]} onChange={(on) => onChange({ ...value, [key]: on })} />
        ))}
      </InlineStack>
      <Text as="p" tone="subdued" variant="bodySm">
        One automatic discount carries every level, so a kind of discount combines only when every level allows it.
      </Text>
    </>
  );
}
