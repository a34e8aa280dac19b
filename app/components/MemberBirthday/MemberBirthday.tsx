import { useFetcher } from "@remix-run/react";
import { Button, Card, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { ErrorBanner } from "~/components/ErrorBanner/ErrorBanner";
import { SectionBody } from "~/components/SectionCard/SectionCard";

/** The member's birthday as the member page shows it (from memberBirthdayView). */
export interface MemberBirthdayProps {
  birthday: string | null;
  /** "March 14". */
  text: string | null;
  source: "shopper" | "import" | "admin" | null;
  setAt: string | null;
}

const SOURCE: Record<string, string> = {
  shopper: "entered by the customer in their account",
  import: "imported from a CSV file",
  admin: "set by staff",
};

type Answer = { ok: true; birthday: string } | { ok: false; errors?: Record<string, string> };

/**
 * The member page's birthday card: the birthday, who set it and when, and a form to set it (when empty) or correct
 * it. The customer can set it only once in their account; the merchant may change it (the change is recorded as
 * theirs and written to the customer's metafield).
 */
export function MemberBirthday({ birthday, text, source, setAt }: MemberBirthdayProps) {
  const fetcher = useFetcher<Answer>();
  const [value, setValue] = useState(birthday ?? "");
  const errors = fetcher.data && !fetcher.data.ok ? fetcher.data.errors : undefined;
  return (
    <Card>
      <fetcher.Form method="post" aria-label="Birthday">
        <input type="hidden" name="intent" value="birthday" />
        <SectionBody title="Birthday">
          {text ? (
            <Text as="p">
              {text}
              {source ? ` — ${SOURCE[source] ?? source}` : ""}
              {setAt ? ` on ${setAt.slice(0, 10)}` : ""}
            </Text>
          ) : (
            <Text as="p" tone="subdued">
              No birthday on file. The customer can enter it once in their account, or you can set it here.
            </Text>
          )}
          <TextField
            label={birthday ? "Correct the birthday" : "Set the birthday"}
            name="birthday"
            autoComplete="off"
            placeholder="MM-DD"
            helpText="Month and day, e.g. 03-14 (a year, 1990-03-14, is accepted and dropped)."
            value={value}
            onChange={setValue}
            error={errors?.birthday}
          />
          <ErrorBanner message={errors?._form} />
          {fetcher.data?.ok && (
            <Text as="p" tone="success">
              Birthday saved.
            </Text>
          )}
          <Button submit loading={fetcher.state !== "idle"} accessibilityLabel="Save birthday">
            Save birthday
          </Button>
        </SectionBody>
      </fetcher.Form>
    </Card>
  );
}
