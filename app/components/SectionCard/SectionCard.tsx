import { BlockStack, Card, Text, type BlockStackProps } from "@shopify/polaris";
import type { ReactNode } from "react";

export interface SectionProps {
  /** The section's heading (an h2). */
  title: string;
  /** Space between the heading and the content, and within the content. */
  gap?: BlockStackProps["gap"];
  children?: ReactNode;
}

/** A titled stack: the heading and content of a section, for a card that wraps them in something else first (a form). */
export function SectionBody({ title, gap = "300", children }: SectionProps) {
  return (
    <BlockStack gap={gap}>
      <Text as="h2" variant="headingMd">
        {title}
      </Text>
      {children}
    </BlockStack>
  );
}

/** One section of an admin page: a card with a heading above its content. */
export function SectionCard(props: SectionProps) {
  return (
    <Card>
      <SectionBody {...props} />
    </Card>
  );
}
