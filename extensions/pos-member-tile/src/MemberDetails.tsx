import type { MemberView } from "../../../app/shared/member-view";

/** The level, its state and its benefits, for a staff member helping the customer at the counter. */
export function MemberDetails({ view }: { view: MemberView }) {
  if (view.kind === "none") {
    return (
      <s-stack direction="block" gap="small-200">
        <s-text>{view.text}</s-text>
        {view.progress ? <s-text color="subdued">{view.progress.text}</s-text> : null}
      </s-stack>
    );
  }
  return (
    <s-stack direction="block" gap="small-200">
      <s-stack direction="inline" gap="small-200" alignItems="center">
        <s-badge tone={view.status === "active" ? "success" : view.status === "grace" ? "warning" : "neutral"}>{view.badgeText}</s-badge>
        {view.statusText ? <s-text tone="warning">{view.statusText}</s-text> : null}
      </s-stack>
      {view.validity ? <s-text color="subdued">{view.validity}</s-text> : null}
      {view.benefitsPaused ? <s-text tone="critical">{view.benefitsPaused}</s-text> : null}
      {view.benefits.map((b, i) => (
        <s-text key={`${b.kind}-${i}`}>{b.text}</s-text>
      ))}
      {view.points ? <s-text>{view.points}</s-text> : null}
      {view.progress ? <s-text color="subdued">{view.progress.text}</s-text> : null}
    </s-stack>
  );
}
