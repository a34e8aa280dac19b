import { BlockStack, Text, type BlockStackProps } from "@shopify/polaris";
import type { ReactNode } from "react";

export interface LevelChangeListProps {
  /** "ol" where the order is the point (a member's history), "ul" for a feed. */
  as: "ol" | "ul";
  gap: BlockStackProps["gap"];
  /** One line per level change, in the order given. */
  items: ReactNode[];
}

/** Level changes as plain lines, or "No level changes yet." when there are none. */
export function LevelChangeList({ as, gap, items }: LevelChangeListProps) {
  if (items.length === 0) {
    return (
      <Text as="p" tone="subdued">
        No level changes yet.
      </Text>
    );
  }
  return (
    <BlockStack as={as} gap={gap}>
      {items.map((item, i) => (
        <li key={i} style={{ listStyle: "none" }}>
          <Text as="p">{item}</Text>
        </li>
      ))}
    </BlockStack>
  );
}
