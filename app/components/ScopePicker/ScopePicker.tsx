import { useAppBridge } from "@shopify/app-bridge-react";
import { BlockStack, Button, InlineError, InlineStack, Tag, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { ScopeJson } from "~/forms/level-form";

type FullScope = Required<ScopeJson>;
type ListKey = keyof FullScope;

export interface ScopePickerProps {
  /** Prefix of every control's accessible label, e.g. "Group 1, condition 2". */
  label: string;
  scope: FullScope;
  titles: Record<string, string>;
  onChange(scope: FullScope, titles: Record<string, string>): void;
  error?: string;
  /** Offer the exclude lists (spend and item conditions, discounts); a "bought N of" condition only includes. */
  allowExclude?: boolean;
}

/**
 * Products and collections come from App Bridge's resource picker, so ids are real GIDs rather than typed text;
 * tags have no picker in the admin, so they are typed (comma-separated).
 */
export function ScopePicker({ label, scope, titles, onChange, error, allowExclude = true }: ScopePickerProps) {
  const shopify = useAppBridge();
  const [showExclude, setShowExclude] = useState(scope.excludeProductIds.length + scope.excludeCollectionIds.length + scope.excludeTags.length > 0);

  async function pick(type: "product" | "collection", key: ListKey) {
    const current = scope[key].map((id) => ({ id }));
    const picked = await shopify.resourcePicker({ type, multiple: true, action: "select", selectionIds: current });
    if (!picked) return; // cancelled: keep what was there
    const nextTitles = { ...titles };
    for (const r of picked as unknown as { id: string; title?: string }[]) if (r.title) nextTitles[r.id] = r.title;
    onChange({ ...scope, [key]: picked.map((r: { id: string }) => r.id) }, nextTitles);
  }

  const remove = (key: ListKey, id: string) => onChange({ ...scope, [key]: scope[key].filter((x) => x !== id) }, titles);
  const setTags = (key: "tags" | "excludeTags", tags: string[]) => onChange({ ...scope, [key]: tags }, titles);

  const chips = (key: ListKey) =>
    scope[key].length > 0 && (
      <InlineStack gap="100" wrap>
        {scope[key].map((id) => (
          <Tag key={id} onRemove={() => remove(key, id)} accessibilityLabel={`Remove ${titles[id] ?? id}`}>
            {titles[id] ?? id.replace(/^gid:\/\/shopify\/\w+\//, "#")}
          </Tag>
        ))}
      </InlineStack>
    );

  return (
    <BlockStack gap="200">
      <InlineStack gap="200" blockAlign="center">
        <Text as="span" variant="bodySm" tone="subdued">
          Only count
        </Text>
        <Button size="slim" onClick={() => pick("product", "productIds")} accessibilityLabel={`${label}: pick products`}>
          Products{scope.productIds.length ? ` (${scope.productIds.length})` : ""}
        </Button>
        <Button size="slim" onClick={() => pick("collection", "collectionIds")} accessibilityLabel={`${label}: pick collections`}>
          Collections{scope.collectionIds.length ? ` (${scope.collectionIds.length})` : ""}
        </Button>
        {allowExclude && !showExclude && (
          <Button variant="plain" onClick={() => setShowExclude(true)} accessibilityLabel={`${label}: add exclusions`}>
            Exclude…
          </Button>
        )}
      </InlineStack>
      {chips("productIds")}
      {chips("collectionIds")}
      <TagsField
        label={`${label}: product tags`}
        placeholder="Product tags, comma-separated (e.g. vip, limited)"
        tags={scope.tags}
        onChange={(t) => setTags("tags", t)}
      />
      {allowExclude && showExclude && (
        <BlockStack gap="200">
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" variant="bodySm" tone="subdued">
              Never count
            </Text>
            <Button size="slim" onClick={() => pick("product", "excludeProductIds")} accessibilityLabel={`${label}: pick excluded products`}>
              Products{scope.excludeProductIds.length ? ` (${scope.excludeProductIds.length})` : ""}
            </Button>
            <Button size="slim" onClick={() => pick("collection", "excludeCollectionIds")} accessibilityLabel={`${label}: pick excluded collections`}>
              Collections{scope.excludeCollectionIds.length ? ` (${scope.excludeCollectionIds.length})` : ""}
            </Button>
          </InlineStack>
          {chips("excludeProductIds")}
          {chips("excludeCollectionIds")}
          <TagsField
            label={`${label}: excluded product tags`}
            placeholder="Excluded product tags, comma-separated"
            tags={scope.excludeTags}
            onChange={(t) => setTags("excludeTags", t)}
          />
        </BlockStack>
      )}
      {error && <InlineError message={error} fieldID={`${label}-scope`} />}
    </BlockStack>
  );
}

/** Keeps the text as typed (a trailing ", " included) and reports the parsed list. */
export function TagsField({
  label,
  placeholder,
  tags,
  onChange,
}: {
  label: string;
  placeholder: string;
  tags: string[];
  onChange(tags: string[]): void;
}) {
  const [raw, setRaw] = useState(tags.join(", "));
  return (
    <TextField
      label={label}
      labelHidden
      placeholder={placeholder}
      autoComplete="off"
      value={raw}
      onChange={(v) => {
        setRaw(v);
        onChange([
          ...new Set(
            v
              .split(",")
              .map((t) => t.trim())
              .filter(Boolean),
          ),
        ]);
      }}
    />
  );
}
