import { Banner } from "@shopify/polaris";

/** A critical banner with the message, or nothing when there is no message. */
export function ErrorBanner({ title, message }: { title?: string; message: string | null | undefined }) {
  if (!message) return null;
  return (
    <Banner tone="critical" title={title}>
      <p>{message}</p>
    </Banner>
  );
}
