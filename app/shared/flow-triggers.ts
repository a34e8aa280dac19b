/**
 * Tierline's Shopify Flow triggers, shared by the sender (app/services/flow/) and the settings page's preview.
 *
 * What each Tierline Flow trigger carries: the fields of its extension (extensions/flow-<trigger>/shopify.extension.toml,
 * a test keeps the two equal) besides the customer reference, which Flow receives as `customer_id`. Field keys are
 * what merchants see in Flow's variable picker; Shopify's CLI allows only letters and spaces in them.
 */

/** The events a merchant can start a Flow workflow with: one Flow trigger extension each (extensions/flow-*). */
export type FlowTrigger = "level-up" | "level-down" | "reward-issued" | "points-expiring" | "birthday-reward";

export const FLOW_TRIGGERS: readonly FlowTrigger[] = ["level-up", "level-down", "reward-issued", "points-expiring", "birthday-reward"];

/** The trigger extension's handle (extensions/flow-<trigger>/shopify.extension.toml), which flowTriggerReceive names. */
export const flowTriggerHandle = (trigger: FlowTrigger): string => `tierline-${trigger}`;

/** The trigger a stored handle names (FlowEvent.trigger); null for a handle Tierline does not have. */
export const flowTriggerOfHandle = (handle: string): FlowTrigger | null => FLOW_TRIGGERS.find((t) => flowTriggerHandle(t) === handle) ?? null;

export type FlowFieldType = "single_line_text_field" | "number_decimal" | "boolean" | "email" | "url";

export interface FlowField {
  key: string;
  type: FlowFieldType;
  description: string;
}

export interface FlowTriggerDefinition {
  /** The merchant-facing name in Flow's editor ("object + past-tense verb", sentence case). */
  name: string;
  description: string;
  fields: FlowField[];
}

const text = (key: string, description: string): FlowField => ({ key, type: "single_line_text_field", description });
const decimal = (key: string, description: string): FlowField => ({ key, type: "number_decimal", description });

const message = [
  text("Message subject", "The subject of the merchant's Tierline template for this event, placeholders filled in"),
  text("Message body", "The text of the merchant's Tierline template for this event, placeholders filled in"),
];

const levelMove = (direction: string): FlowField[] => [
  text("Level name", `The level the member moved ${direction} to ("No level" when they left the programme)`),
  text("Level ID", "The level's id in Tierline (empty when the member has no level)"),
  text("Previous level name", `The level the member moved ${direction} from ("No level" when they had none)`),
  text("Previous level ID", "The previous level's id in Tierline (empty when they had none)"),
  text("Discount", "The member discount of the new level, as shoppers see it (empty when none)"),
  text("Changed at", "When the level changed (ISO 8601)"),
  ...message,
];

const reward = [
  text("Reward code", "The discount code issued (empty for points or store credit)"),
  text("Reward value", 'What the reward is worth, as shoppers see it ("15% off", "500 points", "$5.00 store credit")'),
  decimal("Points", "Points credited by the reward (0 when none)"),
  text("Ends at", "When the code stops working (ISO 8601; empty when it does not expire)"),
  text("Issued at", "When the reward was issued (ISO 8601)"),
];

export const FLOW_TRIGGER_DEFINITIONS: Record<FlowTrigger, FlowTriggerDefinition> = {
  "level-up": {
    name: "Member level raised",
    description: "A member moved up to a higher Tierline level through their orders.",
    fields: levelMove("up"),
  },
  "level-down": {
    name: "Member level lowered",
    description: "A member moved down a Tierline level (a refund, a cancelled order or an expired level).",
    fields: levelMove("down"),
  },
  "reward-issued": {
    name: "Member reward issued",
    description: "Tierline issued a reward to a member (a level's welcome reward or points turned into a code).",
    fields: [
      text("Reward kind", "welcome or redemption"),
      text("Level name", "The level the reward belongs to (empty when none)"),
      ...reward,
      ...message,
    ],
  },
  "birthday-reward": {
    name: "Birthday reward issued",
    description: "Tierline issued a member's birthday reward.",
    fields: [...reward, ...message],
  },
  "points-expiring": {
    name: "Member points expiring soon",
    description: "Some of a member's points expire soon (one event per batch of earned points).",
    fields: [
      decimal("Points", "The points that expire on that date"),
      text("Expires at", "When they expire (ISO 8601)"),
      decimal("Points balance", "The member's balance when the event was recorded"),
      ...message,
    ],
  },
};

/** A field's value as Flow expects its type: numbers for number_decimal, text otherwise. */
export function flowFieldValue(field: FlowField, value: unknown): string | number | boolean {
  if (field.type === "number_decimal") {
    const n = typeof value === "number" ? value : Number(value);
    return Number.isFinite(n) ? n : 0;
  }
  if (field.type === "boolean") return value === true;
  return value === null || value === undefined ? "" : String(value);
}

/**
 * The fields of `trigger` from `payload`, exactly the extension's keys in its order: a key the event lacks is sent
 * empty (0 for numbers), a key the extension does not declare is left out (Flow refuses undeclared fields).
 */
export function flowFields(trigger: FlowTrigger, payload: Record<string, unknown>): Record<string, string | number | boolean> {
  return Object.fromEntries(FLOW_TRIGGER_DEFINITIONS[trigger].fields.map((f) => [f.key, flowFieldValue(f, payload[f.key])]));
}

/** Example values of every field (the settings page previews what Flow receives with them); messages are added by the preview. */
export const FLOW_SAMPLE_FIELDS: Record<string, string | number> = {
  "Level name": "Gold",
  "Level ID": "gold",
  "Previous level name": "Silver",
  "Previous level ID": "silver",
  Discount: "10% off every order",
  "Changed at": "2026-12-07T10:00:00.000Z",
  "Reward kind": "welcome",
  "Reward code": "TIER-7K2Q-9XWD",
  "Reward value": "15% off",
  Points: 250,
  "Ends at": "2026-12-31T10:00:00.000Z",
  "Issued at": "2026-12-07T10:00:00.000Z",
  "Expires at": "2026-12-31T10:00:00.000Z",
  "Points balance": 1200,
};
