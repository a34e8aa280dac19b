import { BlockStack, Checkbox, InlineGrid, Layout, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { FieldErrors } from "~/forms/form-errors";
import { BADGES, levelPayload, type LevelFormValues } from "~/forms/level-form";
import { MoneyField } from "../DecimalField/DecimalField";
import { ErrorBanner } from "../ErrorBanner/ErrorBanner";
import { SaveButton } from "../SaveButton/SaveButton";
import { SectionCard } from "../SectionCard/SectionCard";
import { ToggleGroup } from "../ToggleGroup/ToggleGroup";
import { ConditionGroupsEditor } from "./ConditionGroupsEditor";
import { LevelCardPreview } from "./LevelCardPreview";

export interface LevelFormProps {
  initial: LevelFormValues;
  errors?: FieldErrors;
  submitting?: boolean;
  currencyCode: string;
  /** Whether the program keeps a level for members who spend the retention amount (Program settings → Retention). */
  retentionOn: boolean;
  onSubmit(payload: Record<string, unknown>): void;
}

const BADGE_OPTIONS = BADGES.map((b) => ({ label: b === "none" ? "No badge" : b[0].toUpperCase() + b.slice(1), value: b }));

export function LevelForm({ initial, errors, submitting, currencyCode, retentionOn, onSubmit }: LevelFormProps) {
  // The route keys this form by the stored version, so a successful save remounts it with the stored values,
  // while a rejected one keeps what the merchant typed.
  const [v, setV] = useState(initial);
  const set = <K extends keyof LevelFormValues>(k: K, value: LevelFormValues[K]) => setV((prev) => ({ ...prev, [k]: value }));
  const setCard = (patch: Partial<LevelFormValues["card"]>) => setV((prev) => ({ ...prev, card: { ...prev.card, ...patch } }));
  const conditionsEditor = (set: "upgrade" | "renewal") => (
    <ConditionGroupsEditor
      set={set}
      groups={v[set]}
      titles={v.resourceTitles}
      errors={errors}
      currencyCode={currencyCode}
      onChange={(groups, titles) => setV((prev) => ({ ...prev, [set]: groups, resourceTitles: titles ?? prev.resourceTitles }))}
    />
  );

  const formError = errors?._form;
  return (
    <form
      aria-label="Level editor"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(levelPayload(v));
      }}
    >
      <Layout>
        {formError && (
          <Layout.Section>
            <ErrorBanner title="The level was not saved" message={formError} />
          </Layout.Section>
        )}
        <Layout.Section>
          <BlockStack gap="400">
            <SectionCard title="Level">
              <TextField label="Level name" autoComplete="off" value={v.name} onChange={(x) => set("name", x)} error={errors?.name} maxLength={60} />
              <Checkbox
                label="Enabled"
                helpText="When off, members of this level fall to the next enabled level they qualify for."
                checked={v.enabled}
                onChange={(x) => set("enabled", x)}
                error={errors?.enabled}
              />
              <Checkbox
                label="Internal only"
                helpText="Assigned by hand only: never reached or lost automatically, and hidden from progress."
                checked={v.internalOnly}
                onChange={(x) => set("internalOnly", x)}
                error={errors?.internalOnly}
              />
            </SectionCard>

            <SectionCard title="Upgrade conditions">
              <Text as="p" tone="subdued">
                A member reaches this level when every condition of any one group holds.
              </Text>
              {conditionsEditor("upgrade")}
            </SectionCard>

            <SectionCard title="Keeping the level">
              <ToggleGroup
                label="Use different conditions to renew this level"
                helpText="Off: at expiry the member keeps the level when the upgrade conditions hold again."
                checked={v.customRenewal}
                onChange={(x) =>
                  setV((prev) => ({ ...prev, customRenewal: x, renewal: x && prev.renewal.length === 0 ? prev.upgrade : prev.renewal }))
                }
              >
                {conditionsEditor("renewal")}
              </ToggleGroup>
              <MoneyField
                label="Retention amount"
                currencyCode={currencyCode}
                value={v.retainAmount}
                onChange={(x) => set("retainAmount", x)}
                error={errors?.retainAmount}
                helpText={
                  retentionOn
                    ? "Members who spend this much while they hold the level keep it for the program's extension period."
                    : "Retention is off in Program settings; this amount is used once it is turned on."
                }
              />
            </SectionCard>
          </BlockStack>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <SectionCard title="Member card">
            <LevelCardPreview name={v.name} card={v.card} />
            <Select
              label="Badge"
              options={BADGE_OPTIONS}
              value={v.card.badge}
              onChange={(x) => setCard({ badge: x as LevelFormValues["card"]["badge"] })}
              error={errors?.["card.badge"]}
            />
            <InlineGrid columns={1} gap="200">
              <ColourField
                label="Background colour"
                value={v.card.background}
                onChange={(x) => setCard({ background: x })}
                error={errors?.["card.background"]}
              />
              <ColourField label="Text colour" value={v.card.text} onChange={(x) => setCard({ text: x })} error={errors?.["card.text"]} />
              <ColourField
                label="Level colour"
                value={v.card.levelColor}
                onChange={(x) => setCard({ levelColor: x })}
                error={errors?.["card.levelColor"]}
              />
            </InlineGrid>
            <Checkbox label="Hide dates on the member card" checked={v.card.hideDates} onChange={(x) => setCard({ hideDates: x })} />
          </SectionCard>
        </Layout.Section>

        <Layout.Section>
          <SaveButton label="Save level" submitting={submitting} />
        </Layout.Section>
      </Layout>
    </form>
  );
}

function ColourField({ label, value, onChange, error }: { label: string; value: string; onChange(v: string): void; error?: string }) {
  return (
    <TextField
      label={label}
      autoComplete="off"
      value={value}
      onChange={onChange}
      error={error}
      // A plain inline swatch: a block-level prefix stretches the field, and white needs the outline to show.
      prefix={
        <span
          aria-hidden
          style={{
            display: "inline-block",
            verticalAlign: "middle",
            width: 16,
            height: 16,
            borderRadius: 4,
            boxShadow: "inset 0 0 0 1px rgba(0,0,0,0.25)",
            background: /^#[0-9a-f]{6}$/i.test(value) ? value : "transparent",
          }}
        />
      }
    />
  );
}
