import { BlockStack, Button, Card, Checkbox, InlineGrid, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { benefitsPayload, type BenefitsFormValues } from "~/forms/benefits-form";
import type { FieldErrors } from "~/forms/form-errors";
import { emptyScope } from "~/forms/level-form";
import { DecimalField, MoneyField, PercentField } from "../DecimalField/DecimalField";
import { ErrorBanner } from "../ErrorBanner/ErrorBanner";
import { SaveButton } from "../SaveButton/SaveButton";
import { ScopePicker } from "../ScopePicker/ScopePicker";
import { SectionCard } from "../SectionCard/SectionCard";
import { ToggleGroup } from "../ToggleGroup/ToggleGroup";
import { CombinesWithFields } from "./CombinesWithFields";

export interface BenefitsFormProps {
  levelName: string;
  initial: BenefitsFormValues;
  errors?: FieldErrors;
  submitting?: boolean;
  currencyCode: string;
  onSubmit(payload: Record<string, unknown>): void;
}

const TYPE_OPTIONS = [
  { label: "Percentage", value: "percentage" },
  { label: "Fixed amount", value: "fixed" },
];
const APPLIES_TO_OPTIONS = [
  { label: "Retail price", value: "retail" },
  { label: "Already-discounted price", value: "discounted" },
];
const EARN_PER_OPTIONS = [
  { label: "per amount spent", value: "amount" },
  { label: "per items bought", value: "item" },
];
const ROUNDING_OPTIONS = [
  { label: "Round down", value: "down" },
  { label: "Round up", value: "up" },
  { label: "Round to nearest", value: "nearest" },
  { label: "No rounding", value: "none" },
];
const BIRTHDAY_WHEN_OPTIONS = [
  { label: "On the birthday", value: "day" },
  { label: "On the first day of the birthday month", value: "month" },
];
const BIRTHDAY_KIND_OPTIONS = [
  { label: "Discount", value: "discount" },
  { label: "Points", value: "points" },
];

type Amount = { type: "percentage" | "fixed"; value: string };

function AmountFields({
  label,
  amount,
  currencyCode,
  error,
  onChange,
}: {
  label: string;
  amount: Amount;
  currencyCode: string;
  error?: string;
  onChange(a: Amount): void;
}) {
  return (
    <InlineGrid columns={2} gap="200">
      <Select
        label={`${label} type`}
        options={TYPE_OPTIONS}
        value={amount.type}
        onChange={(t) => onChange({ ...amount, type: t as Amount["type"] })}
      />
      <DecimalField
        label={`${label} value`}
        prefix={amount.type === "fixed" ? currencyCode : undefined}
        suffix={amount.type === "percentage" ? "%" : undefined}
        value={amount.value}
        onChange={(value) => onChange({ ...amount, value })}
        error={error}
      />
    </InlineGrid>
  );
}

export function BenefitsForm({ levelName, initial, errors, submitting, currencyCode, onSubmit }: BenefitsFormProps) {
  const [v, setV] = useState(initial);
  const titles = v.resourceTitles;
  const setTitles = (resourceTitles: Record<string, string>) => setV((prev) => ({ ...prev, resourceTitles }));
  const patch = <K extends keyof BenefitsFormValues>(k: K, p: Partial<BenefitsFormValues[K]>) =>
    setV((prev) => ({ ...prev, [k]: typeof prev[k] === "object" && !Array.isArray(prev[k]) ? { ...(prev[k] as object), ...p } : p }));
  const setRule = (i: number, p: Partial<BenefitsFormValues["points"]["rules"][number]>) =>
    setV((prev) => ({ ...prev, points: { ...prev.points, rules: prev.points.rules.map((r, j) => (j === i ? { ...r, ...p } : r)) } }));
  const e = (k: string) => errors?.[k];
  const turn = (k: "discountOn" | "freeShippingOn" | "welcomeOn" | "birthdayOn") => (on: boolean) => setV((p) => ({ ...p, [k]: on }));

  return (
    <form
      aria-label={`Benefits of ${levelName}`}
      onSubmit={(ev) => {
        ev.preventDefault();
        onSubmit(benefitsPayload(v));
      }}
    >
      <BlockStack gap="400">
        <ErrorBanner title="The benefits were not saved" message={errors?._form} />

        <SectionCard title="Member discount">
          <ToggleGroup label="Give members of this level a discount" checked={v.discountOn} onChange={turn("discountOn")}>
            <BlockStack gap="300">
              <AmountFields
                label="Discount"
                amount={v.discount.amount}
                currencyCode={currencyCode}
                error={e("discount.amount.value") ?? e("discount.amount.type")}
                onChange={(amount) => patch("discount", { amount })}
              />
              <InlineGrid columns={{ xs: 1, md: 2 }} gap="200">
                <MoneyField
                  label="Discount minimum order"
                  currencyCode={currencyCode}
                  placeholder="No minimum"
                  value={v.discount.minimumOrder}
                  onChange={(minimumOrder) => patch("discount", { minimumOrder })}
                  error={e("discount.minimumOrder")}
                />
                <Select
                  label="Calculate the discount on"
                  options={APPLIES_TO_OPTIONS}
                  value={v.discount.appliesTo}
                  onChange={(x) => patch("discount", { appliesTo: x as "retail" | "discounted" })}
                />
                <PercentField
                  label="Extra discount on sale items"
                  placeholder="None"
                  value={v.discount.saleItemExtra}
                  onChange={(saleItemExtra) => patch("discount", { saleItemExtra })}
                  error={e("discount.saleItemExtra")}
                />
              </InlineGrid>
              <Text as="h3" variant="headingSm">
                Products the discount applies to
              </Text>
              <ScopePicker
                label="Discount"
                scope={v.discount.scope}
                titles={titles}
                error={e("discount.scope")}
                onChange={(scope, t) => {
                  setTitles(t);
                  patch("discount", { scope });
                }}
              />
              <CombinesWithFields value={v.discount.combinesWith} onChange={(combinesWith) => patch("discount", { combinesWith })} />
            </BlockStack>
          </ToggleGroup>
        </SectionCard>

        <SectionCard title="Free shipping">
          <ToggleGroup label="Give members of this level free shipping" checked={v.freeShippingOn} onChange={turn("freeShippingOn")}>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="200">
              <TextField
                label="Free shipping countries"
                autoComplete="off"
                placeholder="All countries"
                helpText="Two-letter codes, comma-separated (US, CA)"
                value={v.freeShipping.countries}
                onChange={(countries) => patch("freeShipping", { countries })}
                error={e("freeShipping.countries")}
              />
              <MoneyField
                label="Free shipping minimum order"
                currencyCode={currencyCode}
                placeholder="No minimum"
                value={v.freeShipping.minimumOrder}
                onChange={(minimumOrder) => patch("freeShipping", { minimumOrder })}
                error={e("freeShipping.minimumOrder")}
              />
            </InlineGrid>
          </ToggleGroup>
        </SectionCard>

        <SectionCard title="Points">
          <Text as="p" tone="subdued">
            Points rules are program rules: they are saved on the draft and apply from the moment you publish it.
          </Text>
          {v.points.rules.map((r, i) => {
            const label = `Earn rule ${i + 1}`;
            return (
              <Card key={i} background="bg-surface-secondary">
                <BlockStack gap="200">
                  <InlineGrid columns={{ xs: 1, md: 3 }} gap="200">
                    <DecimalField
                      label={`${label}: points`}
                      value={r.points}
                      onChange={(points) => setRule(i, { points })}
                      error={e(`points.rules[${i}].points`)}
                    />
                    <Select
                      label={`${label}: per`}
                      options={EARN_PER_OPTIONS}
                      value={r.per}
                      onChange={(per) => setRule(i, { per: per as "amount" | "item", every: per === "amount" ? "1.00" : "1" })}
                      error={e(`points.rules[${i}].per`)}
                    />
                    <DecimalField
                      label={r.per === "amount" ? `${label}: for every amount` : `${label}: for every number of items`}
                      prefix={r.per === "amount" ? currencyCode : undefined}
                      value={r.every}
                      onChange={(every) => setRule(i, { every })}
                      error={e(`points.rules[${i}].every`)}
                    />
                  </InlineGrid>
                  <InlineStack gap="400">
                    <Checkbox label={`${label}: prorate partial amounts`} checked={r.prorate} onChange={(prorate) => setRule(i, { prorate })} />
                    <Checkbox
                      label={`${label}: no points on orders with a discount code`}
                      checked={r.excludeDiscountCodes}
                      onChange={(excludeDiscountCodes) => setRule(i, { excludeDiscountCodes })}
                    />
                    <Button
                      variant="plain"
                      tone="critical"
                      onClick={() => setV((p) => ({ ...p, points: { ...p.points, rules: p.points.rules.filter((_, j) => j !== i) } }))}
                      accessibilityLabel={`Remove ${label.toLowerCase()}`}
                    >
                      Remove
                    </Button>
                  </InlineStack>
                  <ScopePicker
                    label={label}
                    scope={r.scope}
                    titles={titles}
                    onChange={(scope, t) => {
                      setTitles(t);
                      setRule(i, { scope });
                    }}
                  />
                </BlockStack>
              </Card>
            );
          })}
          <InlineStack>
            <Button
              onClick={() =>
                setV((p) => ({
                  ...p,
                  points: {
                    ...p.points,
                    rules: [
                      ...p.points.rules,
                      { per: "amount", every: "1.00", points: "1", prorate: true, scope: emptyScope(), excludeDiscountCodes: false },
                    ],
                  },
                }))
              }
              accessibilityLabel="Add earn rule"
            >
              Add earn rule
            </Button>
          </InlineStack>
          <InlineGrid columns={{ xs: 1, md: 3 }} gap="200">
            <DecimalField
              label="Points multiplier"
              suffix="×"
              value={v.points.multiplier}
              onChange={(multiplier) => patch("points", { multiplier })}
              error={e("points.multiplier")}
            />
            <Select
              label="Rounding (all levels)"
              options={ROUNDING_OPTIONS}
              value={v.points.rounding}
              onChange={(x) => patch("points", { rounding: x as BenefitsFormValues["points"]["rounding"] })}
            />
            <TextField
              label="Points expire after days (all levels)"
              autoComplete="off"
              type="number"
              placeholder="Never"
              value={v.points.expiryDays}
              onChange={(expiryDays) => patch("points", { expiryDays })}
              error={e("points.expiryDays")}
            />
          </InlineGrid>
        </SectionCard>

        <SectionCard title="Rewards">
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">
              Welcome reward
            </Text>
            <Text as="p" tone="subdued">
              Given once per member when they first reach this level through their own orders: points, a discount code, or both. Never for history
              imported on install, a publish or a level you assign by hand. Losing the level and reaching it again gives none.
            </Text>
          </BlockStack>
          <TextField
            label="Upgrade points"
            helpText="Welcome points, granted once when a member first reaches this level (also when a jump skips it). Takes effect when the draft is published."
            autoComplete="off"
            type="number"
            value={v.upgradePoints}
            onChange={(upgradePoints) => setV((p) => ({ ...p, upgradePoints }))}
            error={e("upgradePoints")}
          />
          <ToggleGroup label="Welcome discount on reaching this level" checked={v.welcomeOn} onChange={turn("welcomeOn")}>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="200">
              <AmountFields
                label="Welcome discount"
                amount={v.welcome.amount}
                currencyCode={currencyCode}
                error={e("welcome.amount.value")}
                onChange={(amount) => patch("welcome", { amount })}
              />
              <TextField
                label="Welcome discount valid for days"
                autoComplete="off"
                type="number"
                min={1}
                max={90}
                helpText="1 to 90 days"
                value={v.welcome.validDays}
                onChange={(validDays) => patch("welcome", { validDays })}
                error={e("welcome.validDays")}
              />
            </InlineGrid>
            <Checkbox
              label="Also give this code to members who skip past this level"
              helpText="A member whose order takes them straight to a higher level gets this level's code too. Off: only members who land on this level get it."
              checked={v.welcome.whenSkipped}
              onChange={(whenSkipped) => patch("welcome", { whenSkipped })}
            />
            <Text as="p" tone="subdued">
              A unique code for that member only, one use, valid from the day it is issued. It combines with the level discount and free shipping.
            </Text>
          </ToggleGroup>
          <ToggleGroup label="Birthday reward" checked={v.birthdayOn} onChange={turn("birthdayOn")}>
            <BlockStack gap="200">
              <Select
                label="Birthday reward kind"
                options={BIRTHDAY_KIND_OPTIONS}
                value={v.birthday.kind}
                onChange={(kind) => patch("birthday", { kind: kind as "discount" | "points" })}
              />
              <Select
                label="Birthday reward given"
                options={BIRTHDAY_WHEN_OPTIONS}
                value={v.birthday.when}
                onChange={(when) => patch("birthday", { when: when as "month" | "day" })}
                error={e("birthday.when")}
                helpText="Once a year to members holding this level (29 February birthdays on 28 February in other years; days in UTC). A birthday discount code is for that member only, one use, valid 30 days."
              />
              {v.birthday.kind === "discount" ? (
                <AmountFields
                  label="Birthday discount"
                  amount={v.birthday.amount}
                  currencyCode={currencyCode}
                  error={e("birthday.amount.value")}
                  onChange={(amount) => patch("birthday", { amount })}
                />
              ) : (
                <TextField
                  label="Birthday points"
                  autoComplete="off"
                  type="number"
                  value={v.birthday.points}
                  onChange={(points) => patch("birthday", { points })}
                  error={e("birthday.points")}
                />
              )}
            </BlockStack>
          </ToggleGroup>
        </SectionCard>

        <SectionCard title="Custom privileges">
          <Text as="p" tone="subdued">
            Shown on the member card; Tierline does not apply them.
          </Text>
          {v.custom.map((c, i) => (
            <InlineGrid key={i} columns={{ xs: 1, md: "2fr 1fr auto" }} gap="200" alignItems="end">
              <TextField
                label={`Privilege ${i + 1}: title`}
                autoComplete="off"
                value={c.title}
                onChange={(title) => setV((p) => ({ ...p, custom: p.custom.map((x, j) => (j === i ? { ...x, title } : x)) }))}
                error={e(`custom[${i}].title`)}
              />
              <TextField
                label={`Privilege ${i + 1}: icon`}
                autoComplete="off"
                value={c.icon}
                onChange={(icon) => setV((p) => ({ ...p, custom: p.custom.map((x, j) => (j === i ? { ...x, icon } : x)) }))}
              />
              <Button
                variant="plain"
                tone="critical"
                onClick={() => setV((p) => ({ ...p, custom: p.custom.filter((_, j) => j !== i) }))}
                accessibilityLabel={`Remove privilege ${i + 1}`}
              >
                Remove
              </Button>
            </InlineGrid>
          ))}
          <InlineStack>
            <Button
              onClick={() => setV((p) => ({ ...p, custom: [...p.custom, { title: "", icon: "star", description: "" }] }))}
              accessibilityLabel="Add custom privilege"
            >
              Add privilege
            </Button>
          </InlineStack>
        </SectionCard>

        <SaveButton label="Save benefits" submitting={submitting} />
      </BlockStack>
    </form>
  );
}
