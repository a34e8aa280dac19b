import { Link } from "@remix-run/react";
import { DataTable, Text } from "@shopify/polaris";

export interface PreviewRow {
  levelId: string;
  levelName: string;
  up: number;
  down: number;
  stay: number;
}

/**
 * Per current level, how many members the draft would move up, down or leave. Each non-zero cell links to the
 * member list filtered to exactly those members, so the merchant can check who moves before publishing.
 */
export function PreviewTable({ rows, drillHref }: { rows: PreviewRow[]; drillHref(levelId: string, move: "up" | "down" | "stay"): string }) {
  const cell = (r: PreviewRow, move: "up" | "down" | "stay") => {
    const n = r[move];
    if (n === 0)
      return (
        <Text as="span" tone="subdued">
          0
        </Text>
      );
    return (
      <Link to={drillHref(r.levelId, move)} aria-label={`${n} ${r.levelName} members ${move === "stay" ? "stay" : `move ${move}`}`}>
        {n}
      </Link>
    );
  };
  return (
    <DataTable
      columnContentTypes={["text", "numeric", "numeric", "numeric"]}
      headings={["Current level", "Move up", "Move down", "Stay"]}
      rows={rows.map((r) => [r.levelName, cell(r, "up"), cell(r, "down"), cell(r, "stay")])}
      totals={["", rows.reduce((s, r) => s + r.up, 0), rows.reduce((s, r) => s + r.down, 0), rows.reduce((s, r) => s + r.stay, 0)]}
      showTotalsInFooter
    />
  );
}
