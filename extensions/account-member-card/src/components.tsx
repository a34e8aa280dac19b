import { BlockStack, Grid, InlineStack, List, ListItem, Progress, Text, TextBlock } from "@shopify/ui-extensions-react/customer-account";
import type { BenefitLine, PointsHistoryRow, ProgressView } from "../../../app/shared/member-view";

export function MemberProgress({ progress }: { progress: ProgressView }) {
  return (
    <BlockStack spacing="extraTight">
      {progress.kind === "next" && progress.fraction !== null ? <Progress value={progress.fraction} max={1} accessibilityLabel={progress.label} /> : null}
      <Text appearance="subdued">{progress.text}</Text>
    </BlockStack>
  );
}

export function BenefitList({ benefits }: { benefits: BenefitLine[] }) {
  return (
    <List>
      {benefits.map((b, i) => (
        <ListItem key={`${b.kind}-${i}`}>{b.text}</ListItem>
      ))}
    </List>
  );
}

export function PointsHistory({ rows }: { rows: PointsHistoryRow[] }) {
  return (
    <Grid columns={["fill", "fill", "auto"]} spacing="tight">
      {rows.map((row) => (
        <PointsRow key={row.key} row={row} />
      ))}
    </Grid>
  );
}

function PointsRow({ row }: { row: PointsHistoryRow }) {
  return (
    <>
      <Text appearance="subdued">{row.date}</Text>
      <Text>{row.label}</Text>
      <Text appearance={row.positive ? "success" : "critical"}>{row.points}</Text>
    </>
  );
}

/** A merchant-written section: rendered only when the merchant wrote something. */
export function RulesSection({ title, body }: { title: string; body: string | undefined }) {
  const text = body?.trim();
  if (!text) return null;
  return (
    <BlockStack spacing="extraTight">
      <Text emphasis="bold">{title}</Text>
      {text.split(/\n{2,}/).map((paragraph, i) => (
        <TextBlock key={i}>{paragraph}</TextBlock>
      ))}
    </BlockStack>
  );
}

export function BadgeRow({ children }: { children: React.ReactNode }) {
  return (
    <InlineStack spacing="tight" blockAlignment="center">
      {children}
    </InlineStack>
  );
}
