import { BlockStack, Card, Checkbox, ChoiceList, InlineGrid, InlineStack, Layout, Select, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { FieldErrors } from "~/forms/form-errors";
import { CHANNELS, settingsPayload, type SettingsFormValues } from "~/forms/settings-form";
import { ErrorBanner } from "../ErrorBanner/ErrorBanner";
import { FlowNotifications } from "./FlowNotifications";
import { RedemptionSection } from "./RedemptionSection";
import { SaveButton } from "../SaveButton/SaveButton";
import { ToggleGroup } from "../ToggleGroup/ToggleGroup";

export interface SettingsFormProps {
  initial: SettingsFormValues;
  errors?: FieldErrors;
  submitting?: boolean;
  onSubmit(payload: Record<string, unknown>): void;
}

const WINDOW_OPTIONS = [
  { label: "Lifetime", value: "lifetime" },
  { label: "Since the last upgrade", value: "sinceLastUpgrade" },
  { label: "Calendar year", value: "calendarYear" },
  { label: "Rolling number of days", value: "rolling" },
  { label: "Fixed period", value: "fixed" },
];
const BASIS_OPTIONS = [
  { label: "Spend", value: "spend" },
  { label: "Points earned (never the spendable balance)", value: "points" },
];
const SPEND_BASE_OPTIONS = [
  { label: "Order total", value: "total" },
  { label: "Order subtotal", value: "subtotal" },
];
const VALIDITY_OPTIONS = [
  { label: "Permanent", value: "permanent" },
  { label: "One year from reaching it", value: "oneYear" },
  { label: "Number of days", value: "days" },
];
const AT_EXPIRY_OPTIONS = [
  { label: "Re-evaluate (may move the member down)", value: "reevaluate" },
  { label: "Freeze the level (kept without benefits)", value: "freeze" },
];

export function SettingsForm({ initial, errors, submitting, onSubmit }: SettingsFormProps) {
  const [v, setV] = useState(initial);
  const set = <K extends keyof SettingsFormValues>(k: K, value: SettingsFormValues[K]) => setV((p) => ({ ...p, [k]: value }));
  const e = (k: string) => errors?.[k];

  return (
    <form
      aria-label="Program settings"
      onSubmit={(ev) => {
        ev.preventDefault();
        onSubmit(settingsPayload(v));
      }}
    >
      <Layout>
        {errors?._form && (
          <Layout.Section>
            <ErrorBanner title="The settings were not saved" message={errors._form} />
          </Layout.Section>
        )}
        <Layout.AnnotatedSection title="Program" description="Off: no levels are shown and no level discounts or benefits apply.">
          <Card>
            <BlockStack gap="300">
              <Checkbox label="Level rules are on" checked={v.enabled} onChange={(x) => set("enabled", x)} />
              <TextField
                label="Active from"
                type="date"
                autoComplete="off"
                helpText="Orders paid before this date never count. Empty: all orders."
                value={v.activeFrom}
                onChange={(x) => set("activeFrom", x)}
                error={e("activeFrom")}
              />
              <TextField
                label="Currency"
                autoComplete="off"
                value={v.currency}
                onChange={(x) => set("currency", x.toUpperCase())}
                error={e("currency")}
                maxLength={3}
              />
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title="What counts" description="Which orders and amounts move members up.">
          <Card>
            <BlockStack gap="300">
              <Select
                label="Level basis"
                options={BASIS_OPTIONS}
                value={v.basis}
                onChange={(x) => set("basis", x as "spend" | "points")}
                error={e("basis")}
              />
              <Select
                label="Spend definition"
                options={SPEND_BASE_OPTIONS}
                value={v.spend.base}
                onChange={(x) => set("spend", { ...v.spend, base: x as "total" | "subtotal" })}
                helpText="Gift cards never count."
              />
              {v.spend.base === "total" && (
                <InlineStack gap="400">
                  <Checkbox
                    label="Exclude shipping"
                    checked={v.spend.excludeShipping}
                    onChange={(x) => set("spend", { ...v.spend, excludeShipping: x })}
                  />
                  <Checkbox label="Exclude taxes" checked={v.spend.excludeTaxes} onChange={(x) => set("spend", { ...v.spend, excludeTaxes: x })} />
                </InlineStack>
              )}
              <Select
                label="Counting window"
                options={WINDOW_OPTIONS}
                value={v.window.kind}
                onChange={(x) => set("window", { ...v.window, kind: x as SettingsFormValues["window"]["kind"] })}
                error={e("window.kind") ?? e("window")}
              />
              {v.window.kind === "rolling" && (
                <TextField
                  label="Rolling window in days"
                  type="number"
                  autoComplete="off"
                  value={v.window.days}
                  onChange={(x) => set("window", { ...v.window, days: x })}
                  error={e("window.days")}
                />
              )}
              {v.window.kind === "fixed" && (
                <InlineGrid columns={2} gap="200">
                  <TextField
                    label="Window start"
                    type="date"
                    autoComplete="off"
                    value={v.window.from}
                    onChange={(x) => set("window", { ...v.window, from: x })}
                    error={e("window.from")}
                  />
                  <TextField
                    label="Window end"
                    type="date"
                    autoComplete="off"
                    value={v.window.to}
                    onChange={(x) => set("window", { ...v.window, to: x })}
                    error={e("window.to")}
                  />
                </InlineGrid>
              )}
              <ChoiceList
                title="Participating channels"
                allowMultiple
                choices={CHANNELS.map((c) => ({ label: c.label, value: c.id }))}
                selected={v.channels}
                onChange={(x) => set("channels", x as SettingsFormValues["channels"])}
                error={e("channels")}
              />
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        <Layout.AnnotatedSection title="Validity and expiry" description="How long a level lasts and what happens when it runs out.">
          <Card>
            <BlockStack gap="300">
              <Select
                label="Level validity"
                options={VALIDITY_OPTIONS}
                value={v.validity.kind}
                onChange={(x) => set("validity", { ...v.validity, kind: x as SettingsFormValues["validity"]["kind"] })}
                error={e("validity.kind")}
              />
              {v.validity.kind === "days" && (
                <TextField
                  label="Validity in days"
                  type="number"
                  autoComplete="off"
                  value={v.validity.days}
                  onChange={(x) => set("validity", { ...v.validity, days: x })}
                  error={e("validity.days")}
                />
              )}
              <TextField
                label="Grace period in days"
                type="number"
                autoComplete="off"
                value={v.graceDays}
                onChange={(x) => set("graceDays", x)}
                error={e("graceDays")}
                helpText="After expiry, days to meet the renewal conditions before losing the level."
              />
              <Select
                label="At expiry"
                options={AT_EXPIRY_OPTIONS}
                value={v.onExpiry}
                onChange={(x) => set("onExpiry", x as "reevaluate" | "freeze")}
              />
              <ToggleGroup
                label="Retention: keep the level when a member spends its retention amount"
                checked={v.retention.on}
                onChange={(x) => set("retention", { ...v.retention, on: x })}
              >
                <TextField
                  label="Retention extension in days"
                  type="number"
                  autoComplete="off"
                  value={v.retention.extendDays}
                  onChange={(x) => set("retention", { ...v.retention, extendDays: x })}
                  error={e("retention.extendDays")}
                />
              </ToggleGroup>
              <Checkbox
                label="Move members down after refunds and cancellations"
                checked={v.downgradeOnRefund}
                onChange={(x) => set("downgradeOnRefund", x)}
              />
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>

        <FlowNotifications value={v.notifications} errors={errors} onChange={(n) => set("notifications", n)} />

        <RedemptionSection value={v.redemption} currency={v.currency} error={e} onChange={(r) => set("redemption", r)} />

        <Layout.Section>
          <SaveButton label="Save settings" submitting={submitting} />
        </Layout.Section>
      </Layout>
    </form>
  );
}
