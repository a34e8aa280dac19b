import { useFetcher } from "@remix-run/react";
import { BlockStack, ProgressBar, Text } from "@shopify/polaris";
import { useEffect } from "react";
import type { RecalculationView } from "~/forms/view-models";

/**
 * Shows a recalculation's progress and polls `/app/recalculation` with a fetcher while it runs, so the rest of the
 * admin stays usable: nothing here blocks navigation or editing.
 */
export function RecalculationProgress({ initial, intervalMs = 1000 }: { initial: RecalculationView; intervalMs?: number }) {
  const fetcher = useFetcher<{ recalculation: RecalculationView | null }>();
  const current = fetcher.data?.recalculation ?? initial;
  const running = current.status === "queued" || current.status === "running";

  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => {
      if (fetcher.state === "idle") fetcher.load(`/app/recalculation?job=${encodeURIComponent(initial.jobId)}`);
    }, intervalMs);
    return () => clearInterval(t);
  }, [running, fetcher, initial.jobId, intervalMs]);

  // A finished run is a full bar even when members left the shop while it ran (done < total).
  const percent = current.status === "done" ? 100 : current.total > 0 ? Math.min(100, Math.round((current.done / current.total) * 100)) : 0;
  return (
    <BlockStack gap="200">
      <ProgressBar progress={percent} tone={current.status === "failed" ? "critical" : "primary"} ariaLabelledBy="recalculation-status" />
      <Text as="p" id="recalculation-status" aria-live="polite">
        {current.status === "queued" && `Waiting to start (${current.total} members)`}
        {current.status === "running" && `Recalculating: ${current.done} of ${current.total} members`}
        {current.status === "done" && `Done: ${current.total} members recalculated`}
        {current.status === "failed" &&
          `Stopped after ${current.done} of ${current.total} members: ${current.error ?? "unknown error"}. It is retried automatically.`}
      </Text>
    </BlockStack>
  );
}
