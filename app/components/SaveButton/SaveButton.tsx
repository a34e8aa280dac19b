import { Button, InlineStack } from "@shopify/polaris";

/** A form's primary submit button, at the end of the row; `label` is both its text and its accessible name. */
export function SaveButton({ label, submitting }: { label: string; submitting?: boolean }) {
  return (
    <InlineStack align="end">
      <Button submit variant="primary" loading={submitting} accessibilityLabel={label}>
        {label}
      </Button>
    </InlineStack>
  );
}
