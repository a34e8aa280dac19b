import { List, Text } from "@shopify/polaris";

/** What a CSV import did with each row's birthday: set (the member had none) or kept (one was on file). */
export function ImportedBirthdays({ outcomes }: { outcomes: { line: number; outcome: "set" | "kept"; message: string }[] }) {
  const set = outcomes.filter((o) => o.outcome === "set").length;
  const kept = outcomes.filter((o) => o.outcome === "kept");
  return (
    <>
      <Text as="p">
        Birthdays: {set} set{kept.length > 0 ? `, ${kept.length} kept as they were` : ""}.
      </Text>
      {kept.length > 0 && (
        <List>
          {kept.slice(0, 20).map((o) => (
            <List.Item key={o.line}>{o.message}</List.Item>
          ))}
        </List>
      )}
    </>
  );
}
