import { BlockStack, Box, Button, Card, Checkbox, InlineError, InlineGrid, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { CONDITION_KINDS, type ConditionKind } from "~/domain/index";
import type { FieldErrors } from "~/forms/form-errors";
import { CONDITION_LABELS, newCondition, ROLE_LABELS, type ConditionRole, type ConditionValues } from "~/forms/level-form";
import { ScopePicker } from "../ScopePicker/ScopePicker";

export interface ConditionGroupsEditorProps {
  /** "upgrade" or "renewal": the key errors are reported under, and the accessible label prefix. */
  set: "upgrade" | "renewal";
  groups: ConditionValues[][];
  titles: Record<string, string>;
  errors?: FieldErrors;
  currencyCode: string;
  onChange(groups: ConditionValues[][], titles?: Record<string, string>): void;
}

const KIND_OPTIONS = CONDITION_KINDS.map((k) => ({ label: CONDITION_LABELS[k], value: k }));
const ROLE_OPTIONS = (Object.keys(ROLE_LABELS) as ConditionRole[]).map((r) => ({ label: ROLE_LABELS[r], value: r }));

/** OR of condition groups, AND inside a group: a member qualifies when every condition of any one group holds. */
export function ConditionGroupsEditor({ set, groups, titles, errors, currencyCode, onChange }: ConditionGroupsEditorProps) {
  const setLabel = set === "upgrade" ? "Upgrade" : "Renewal";
  const update = (gi: number, ci: number, patch: Partial<ConditionValues>, nextTitles?: Record<string, string>) =>
    onChange(
      groups.map((g, i) => (i !== gi ? g : g.map((c, j) => (j !== ci ? c : { ...c, ...patch })))),
      nextTitles,
    );
  const addCondition = (gi: number) => onChange(groups.map((g, i) => (i === gi ? [...g, newCondition("orderCount")] : g)));
  const removeCondition = (gi: number, ci: number) =>
    onChange(groups.map((g, i) => (i === gi ? g.filter((_, j) => j !== ci) : g)).filter((g) => g.length > 0));
  const addGroup = () => onChange([...groups, [newCondition()]]);

  return (
    <BlockStack gap="300">
      {groups.length === 0 && (
        <Text as="p" tone="subdued">
          {set === "upgrade" ? "No conditions: this level is never reached automatically." : "No renewal conditions yet."}
        </Text>
      )}
      {groups.map((group, gi) => (
        <BlockStack key={gi} gap="200">
          {gi > 0 && (
            <Text as="p" variant="headingSm" alignment="center">
              — or —
            </Text>
          )}
          <Card background="bg-surface-secondary">
            <BlockStack gap="300">
              <Text as="h3" variant="headingSm">
                {setLabel} group {gi + 1} {group.length > 1 ? "(all of these)" : ""}
              </Text>
              {group.map((c, ci) => {
                const key = `${set}[${gi}][${ci}]`;
                const label = `${setLabel} group ${gi + 1}, condition ${ci + 1}`;
                return (
                  <Box key={ci} paddingBlockEnd="200" borderBlockEndWidth={ci < group.length - 1 ? "025" : "0"} borderColor="border">
                    <BlockStack gap="200">
                      <InlineGrid columns={{ xs: 1, md: 3 }} gap="200">
                        <Select
                          label={`${label}: kind`}
                          options={KIND_OPTIONS}
                          value={c.kind}
                          onChange={(v) =>
                            update(gi, ci, {
                              ...newCondition(v as ConditionKind),
                              role: c.role,
                              windowDays: c.windowDays,
                              showProgress: c.showProgress,
                            })
                          }
                          error={errors?.[`${key}.kind`]}
                        />
                        <ThresholdField
                          c={c}
                          label={label}
                          currencyCode={currencyCode}
                          error={errors?.[`${key}.${thresholdField(c.kind)}`]}
                          onChange={(patch) => update(gi, ci, patch)}
                        />
                        <TextField
                          label={`${label}: window in days`}
                          type="number"
                          min={1}
                          autoComplete="off"
                          placeholder="Program window"
                          helpText="Empty = the program's counting window"
                          value={c.windowDays}
                          onChange={(v) => update(gi, ci, { windowDays: v })}
                          error={errors?.[`${key}.windowDays`]}
                        />
                      </InlineGrid>
                      <InlineStack gap="400" blockAlign="center">
                        <Box minWidth="220px">
                          <Select
                            label={`${label}: role`}
                            options={ROLE_OPTIONS}
                            value={c.role}
                            onChange={(v) => update(gi, ci, { role: v as ConditionRole })}
                            error={errors?.[`${key}.role`]}
                          />
                        </Box>
                        <Checkbox label="Show progress to members" checked={c.showProgress} onChange={(v) => update(gi, ci, { showProgress: v })} />
                        <Button
                          variant="plain"
                          tone="critical"
                          onClick={() => removeCondition(gi, ci)}
                          accessibilityLabel={`Remove ${label.toLowerCase()}`}
                        >
                          Remove
                        </Button>
                      </InlineStack>
                      {c.kind !== "points" && (
                        <ScopePicker
                          label={label}
                          scope={c.scope}
                          titles={titles}
                          allowExclude={c.kind !== "productPurchase"}
                          error={errors?.[`${key}.scope`]}
                          onChange={(scope, nextTitles) => update(gi, ci, { scope }, nextTitles)}
                        />
                      )}
                      {errors?.[key] && <InlineError message={errors[key]} fieldID={key} />}
                    </BlockStack>
                  </Box>
                );
              })}
              <InlineStack>
                <Button onClick={() => addCondition(gi)} accessibilityLabel={`Add a condition to ${setLabel.toLowerCase()} group ${gi + 1}`}>
                  Add condition (and)
                </Button>
              </InlineStack>
              {errors?.[`${set}[${gi}]`] && <InlineError message={errors[`${set}[${gi}]`]} fieldID={`${set}[${gi}]`} />}
            </BlockStack>
          </Card>
        </BlockStack>
      ))}
      <InlineStack>
        <Button onClick={addGroup} accessibilityLabel={`Add ${setLabel.toLowerCase()} condition group`}>
          Add condition group (or)
        </Button>
      </InlineStack>
      {errors?.[set] && <InlineError message={errors[set]} fieldID={set} />}
    </BlockStack>
  );
}

function thresholdField(kind: ConditionKind): "amount" | "count" | "quantity" {
  if (kind === "accumulatedSpend" || kind === "singleOrder" || kind === "points") return "amount";
  return kind === "productPurchase" ? "quantity" : "count";
}

function ThresholdField({
  c,
  label,
  currencyCode,
  error,
  onChange,
}: {
  c: ConditionValues;
  label: string;
  currencyCode: string;
  error?: string;
  onChange(p: Partial<ConditionValues>): void;
}) {
  const field = thresholdField(c.kind);
  const isMoney = c.kind === "accumulatedSpend" || c.kind === "singleOrder";
  const title = isMoney ? "amount" : c.kind === "points" ? "points" : c.kind === "productPurchase" ? "quantity" : "count";
  return (
    <TextField
      label={`${label}: ${title}`}
      type={isMoney ? "text" : "number"}
      inputMode={isMoney ? "decimal" : "numeric"}
      prefix={isMoney ? currencyCode : undefined}
      autoComplete="off"
      value={c[field]}
      onChange={(v) => onChange({ [field]: v })}
      error={error}
    />
  );
}
