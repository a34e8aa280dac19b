import { Badge, BlockStack, DataTable, Text } from "@shopify/polaris";
import { SectionCard } from "~/components/SectionCard/SectionCard";
import type { MemberRewardRow } from "~/shared/reward-view";

const STATUS: Record<MemberRewardRow["status"], { label: string; tone?: "success" | "attention" | "critical" }> = {
  issued: { label: "Issued", tone: "success" },
  pending: { label: "Being issued", tone: "attention" },
  failed: { label: "Failed", tone: "critical" },
};

/**
 * The member page's rewards card: each welcome, birthday and redemption reward with its level, value, code, last day
 * and status; a failed one says why (Shopify's reason), so the merchant can fix the cause or give a code by hand.
 */
export function MemberRewards({ rewards }: { rewards: MemberRewardRow[] }) {
  const failed = rewards.filter((r) => r.status === "failed");
  return (
    <SectionCard title="Rewards" gap="200">
      {rewards.length === 0 ? (
        <Text as="p" tone="subdued">
          No rewards yet. Welcome rewards are given when the member first reaches a level through their own orders.
        </Text>
      ) : (
        <DataTable
          columnContentTypes={["text", "text", "text", "text", "text", "text"]}
          headings={["Reward", "Level", "Value", "Code", "Valid until", "Status"]}
          rows={rewards.map((r) => [
            r.kind,
            r.level ?? "—",
            r.value ?? "—",
            r.code ?? "—",
            r.validUntil ? r.validUntil.slice(0, 10) : "—",
            <Badge key={r.id} tone={STATUS[r.status].tone}>
              {STATUS[r.status].label}
            </Badge>,
          ])}
        />
      )}
      {failed.length > 0 && (
        <BlockStack gap="100">
          {failed.map((r) => (
            <Text as="p" tone="critical" key={r.id}>
              {r.kind} reward{r.level ? ` for ${r.level}` : ""} could not be created after {r.attempts} attempts: {r.error ?? "unknown error"}
            </Text>
          ))}
        </BlockStack>
      )}
    </SectionCard>
  );
}
