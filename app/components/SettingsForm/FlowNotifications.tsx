import { BlockStack, Box, Card, Layout, Link, List, Text, TextField } from "@shopify/polaris";
import type { FieldErrors } from "~/forms/form-errors";
import {
  KIND_PLACEHOLDERS,
  MAX_POINTS_EXPIRY_NOTICE_DAYS,
  previewTemplates,
  TEMPLATE_KINDS,
  TEMPLATE_TITLES,
  unknownPlaceholders,
  type NotificationTemplates,
  type TemplateKind,
} from "~/forms/notification-templates";
import { FLOW_SAMPLE_FIELDS, FLOW_TRIGGER_DEFINITIONS, flowFields, type FlowTrigger } from "~/shared/flow-triggers";

/**
 * The settings page's Notifications section, as it really works: Tierline sends each event to Shopify Flow with the
 * merchant's template filled in (the "Message subject" and "Message body" fields of its Tierline trigger); the
 * merchant builds the message itself in Flow (an email, an SMS, a tag) from those fields. Tierline sends no email.
 * The preview shows the payload Flow receives, with sample values.
 */

export const FLOW_APP_URL = "shopify://admin/apps/flow";
export const FLOW_HELP_URL = "https://help.shopify.com/manual/shopify-flow";

const TRIGGER_OF: Record<TemplateKind, FlowTrigger> = {
  levelUp: "level-up",
  levelDown: "level-down",
  rewardIssued: "reward-issued",
  birthdayReward: "birthday-reward",
  pointsExpiring: "points-expiring",
};

/** The settings' labels for each kind ("Level-up subject", "Level-up preview"); the trigger's name in Flow. */
const LABELS: Record<TemplateKind, string> = {
  levelUp: "Level-up",
  levelDown: "Level-down",
  rewardIssued: "Reward",
  birthdayReward: "Birthday reward",
  pointsExpiring: "Points expiring",
};

export interface FlowNotificationsProps {
  value: NotificationTemplates;
  errors?: FieldErrors;
  onChange(next: NotificationTemplates): void;
}

export function FlowNotifications({ value, errors, onChange }: FlowNotificationsProps) {
  const preview = previewTemplates(value);
  const setField = (kind: TemplateKind, field: "subject" | "body" | "daysBefore", text: string) =>
    onChange({ ...value, [kind]: { ...value[kind], [field]: field === "daysBefore" ? Number(text) : text } });
  // Typos in placeholders are shown while typing; the server rejects them too.
  const liveError = (kind: TemplateKind, field: "subject" | "body") => {
    const bad = unknownPlaceholders(value[kind][field], KIND_PLACEHOLDERS[kind]);
    return errors?.[`notifications.${kind}.${field}`] ?? (bad.length ? `Unknown placeholder ${bad.join(", ")}` : undefined);
  };

  return (
    <Layout.AnnotatedSection
      title="Notifications"
      description="Tierline doesn't email your members itself. It sends each event to Shopify Flow with your text filled in; you build the message in Flow."
    >
      <Card>
        <BlockStack gap="500">
          <BlockStack gap="200">
            <Text as="p">
              Each event below starts the Tierline trigger of the same name in Shopify Flow, with the member, their levels and this text as the
              trigger's "Message subject" and "Message body". In Flow, start a workflow with the trigger and add the action you want: send an email or
              an SMS through your marketing app, tag the customer, and so on. Changes apply to events from the moment you save.
            </Text>
            <InlineLinks />
          </BlockStack>
          {TEMPLATE_KINDS.map((kind) => {
            const label = LABELS[kind];
            const trigger = FLOW_TRIGGER_DEFINITIONS[TRIGGER_OF[kind]];
            const payload = {
              customer_id: "the member (a customer in Flow)",
              ...flowFields(TRIGGER_OF[kind], {
                ...FLOW_SAMPLE_FIELDS,
                "Message subject": preview[kind].subject,
                "Message body": preview[kind].body,
              }),
            };
            return (
              <BlockStack key={kind} gap="200">
                <Text as="h3" variant="headingSm">
                  {TEMPLATE_TITLES[kind]}: Flow trigger "{trigger.name}"
                </Text>
                <Text as="p" variant="bodySm" tone="subdued">
                  Placeholders: {KIND_PLACEHOLDERS[kind].map((p) => `{${p}}`).join(", ")}
                </Text>
                {kind === "pointsExpiring" && (
                  <TextField
                    label="Days before expiry"
                    type="number"
                    min={1}
                    max={MAX_POINTS_EXPIRY_NOTICE_DAYS}
                    autoComplete="off"
                    value={String(value.pointsExpiring.daysBefore)}
                    onChange={(x) => setField(kind, "daysBefore", x)}
                    error={errors?.["notifications.pointsExpiring.daysBefore"]}
                    helpText="The event is sent once for each batch of earned points, this many days before they expire."
                  />
                )}
                <TextField
                  label={`${label} subject`}
                  autoComplete="off"
                  value={value[kind].subject}
                  onChange={(x) => setField(kind, "subject", x)}
                  error={liveError(kind, "subject")}
                />
                <TextField
                  label={`${label} message`}
                  autoComplete="off"
                  multiline={3}
                  value={value[kind].body}
                  onChange={(x) => setField(kind, "body", x)}
                  error={liveError(kind, "body")}
                />
                <Box padding="300" background="bg-surface-secondary" borderRadius="200">
                  <div role="region" aria-label={`${label} preview`}>
                    <BlockStack gap="100">
                      <Text as="p" variant="bodySm" tone="subdued">
                        What Flow receives (sample values)
                      </Text>
                      <List type="bullet">
                        {Object.entries(payload).map(([key, v]) => (
                          <List.Item key={key}>
                            <Text as="span" fontWeight="semibold">
                              {key}
                            </Text>
                            : {String(v)}
                          </List.Item>
                        ))}
                      </List>
                    </BlockStack>
                  </div>
                </Box>
              </BlockStack>
            );
          })}
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}

function InlineLinks() {
  return (
    <Text as="p">
      <Link url={FLOW_APP_URL} target="_top">
        Open Shopify Flow
      </Link>{" "}
      ·{" "}
      <Link url={FLOW_HELP_URL} target="_blank">
        How Flow workflows work
      </Link>
    </Text>
  );
}
