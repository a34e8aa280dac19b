import { Badge, Stack, Text } from "@shopify/ui-extensions-react/point-of-sale";
import type { MemberView } from "../../../app/shared/member-view";

/** The level, its state and its benefits, for a staff member helping the customer at the counter. */
export function MemberDetails({ view }: { view: MemberView }) {
  if (view.kind === "none") {
    return (
      <Stack direction="block" gap="200">
        <Text>{view.text}</Text>
        {view.progress ? <Text color="TextSubdued">{view.progress.text}</Text> : null}
      </Stack>
    );
  }
  return (
    <Stack direction="block" gap="200">
      <Stack direction="inline" gap="200" alignItems="center">
        <Badge text={view.badgeText} variant={view.status === "active" ? "success" : view.status === "grace" ? "warning" : "neutral"} />
        {view.statusText ? <Text color="TextWarning">{view.statusText}</Text> : null}
      </Stack>
      {view.validity ? <Text color="TextSubdued">{view.validity}</Text> : null}
      {view.benefitsPaused ? <Text color="TextCritical">{view.benefitsPaused}</Text> : null}
      {view.benefits.map((b, i) => (
        <Text key={`${b.kind}-${i}`}>{b.text}</Text>
      ))}
      {view.points ? <Text>{view.points}</Text> : null}
      {view.progress ? <Text color="TextSubdued">{view.progress.text}</Text> : null}
    </Stack>
  );
}
