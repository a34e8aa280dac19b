import { BlockStack, Card, Checkbox, InlineGrid, Layout, Text, TextField } from "@shopify/polaris";
import type { RedemptionFormValues } from "~/forms/redemption-settings";
import { ToggleGroup } from "../ToggleGroup/ToggleGroup";

export interface RedemptionSectionProps {
  value: RedemptionFormValues;
  currency: string;
  onChange(value: RedemptionFormValues): void;
  /** The settings form's errors, keyed by path (`redemption.points`, …). */
  error(path: string): string | undefined;
}

/** What shoppers can spend points on, at what rate: the settings page's "Points redemption" section. */
export function RedemptionSection({ value: v, currency, onChange, error }: RedemptionSectionProps) {
  const set = <K extends keyof RedemptionFormValues>(k: K, x: RedemptionFormValues[K]) => onChange({ ...v, [k]: x });
  const e = (k: keyof RedemptionFormValues) => error(`redemption.${k}`);
  return (
    <Layout.AnnotatedSection
      title="Points redemption"
      description="Shoppers turn points into a discount code (or store credit) on their account page. Applies as soon as you save."
    >
      <Card>
        <BlockStack gap="300">
          <ToggleGroup label="Shoppers can redeem points" checked={v.enabled} onChange={(x) => set("enabled", x)}>
            <InlineGrid columns={2} gap="200">
              <TextField
                label="Points"
                type="number"
                autoComplete="off"
                value={v.points}
                onChange={(x) => set("points", x)}
                error={e("points")}
                helpText="This many points…"
              />
              <TextField
                label={`Are worth (${currency})`}
                autoComplete="off"
                value={v.value}
                onChange={(x) => set("value", x)}
                error={e("value")}
                helpText="…this much off, or in store credit."
              />
            </InlineGrid>
            <InlineGrid columns={2} gap="200">
              <TextField
                label="Minimum points per redemption"
                type="number"
                autoComplete="off"
                value={v.minimumPoints}
                onChange={(x) => set("minimumPoints", x)}
                error={e("minimumPoints")}
              />
              <TextField
                label="Step"
                type="number"
                autoComplete="off"
                value={v.stepPoints}
                onChange={(x) => set("stepPoints", x)}
                error={e("stepPoints")}
                helpText="Redeem in multiples of this many points. Empty: any whole number from the minimum."
              />
            </InlineGrid>
            <Checkbox
              label="Offer Shopify store credit too"
              helpText="Needs store credit turned on in your Shopify admin. Codes are always offered."
              checked={v.storeCredit}
              onChange={(x) => set("storeCredit", x)}
            />
            <Text as="p" variant="bodySm" tone="subdued">
              A code is for one use by that shopper, with no end date. Points are taken when the code or credit is created and given back if Shopify
              cannot create it.
            </Text>
          </ToggleGroup>
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
