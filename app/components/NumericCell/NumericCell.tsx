import { IndexTable, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

/** An index table cell holding a number, aligned to the end like its column heading. */
export function NumericCell({ children }: { children: ReactNode }) {
  return (
    <IndexTable.Cell>
      <Text as="span" alignment="end" numeric>
        {children}
      </Text>
    </IndexTable.Cell>
  );
}
