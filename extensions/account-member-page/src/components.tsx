import { Fragment } from "preact";
import type { BenefitLine, PointsHistoryRow, ProgressView, ViewContext } from "../../../app/shared/member-view";
import type { ProgramLevelView } from "../../../app/shared/program-view";

/** The bar toward the next level, its sentence, and one line per condition of the closest group. */
export function MemberProgress({ progress }: { progress: ProgressView }) {
  return (
    <s-stack gap="small-300">
      {progress.kind === "next" && progress.fraction !== null ? (
        <s-progress value={progress.fraction} max={1} accessibilityLabel={progress.label} />
      ) : null}
      <s-text color="subdued">{progress.text}</s-text>
      {progress.lines.length > 0 ? (
        <s-unordered-list>
          {progress.lines.map((line) => (
            <s-list-item key={line.key}>{line.text}</s-list-item>
          ))}
        </s-unordered-list>
      ) : null}
    </s-stack>
  );
}

export function BenefitList({ benefits }: { benefits: BenefitLine[] }) {
  return (
    <s-unordered-list>
      {benefits.map((b, i) => (
        <s-list-item key={`${b.kind}-${i}`}>{b.text}</s-list-item>
      ))}
    </s-unordered-list>
  );
}

export function PointsHistory({ rows }: { rows: PointsHistoryRow[] }) {
  return (
    <s-grid gridTemplateColumns="1fr 1fr auto" gap="small-200">
      {rows.map((row) => (
        <Fragment key={row.key}>
          <s-text color="subdued">{row.date}</s-text>
          <s-text>{row.label}</s-text>
          <s-text tone={row.positive ? "success" : "critical"}>{row.points}</s-text>
        </Fragment>
      ))}
    </s-grid>
  );
}

/** Every level of the programme: what it takes (any one group), what it gives, how long it lasts. */
export function ProgramLevels({ levels, ctx }: { levels: ProgramLevelView[]; ctx: ViewContext }) {
  const { t } = ctx;
  return (
    <s-section heading={t("page.program")}>
      <s-stack gap="base">
        {levels.map((level, i) => (
          <s-stack key={level.id} gap="small-200">
            {i > 0 ? <s-divider /> : null}
            <s-stack direction="inline" gap="small-200" alignItems="center">
              <s-heading>{level.name}</s-heading>
              {level.current ? <s-badge icon="star">{t("program.current")}</s-badge> : null}
            </s-stack>
            <s-text>{level.requirements.join(` ${t("requirement.or")} `)}</s-text>
            {level.benefits.length > 0 ? <BenefitList benefits={level.benefits} /> : null}
            {level.validity ? <s-text color="subdued">{level.validity}</s-text> : null}
          </s-stack>
        ))}
      </s-stack>
    </s-section>
  );
}

/** Merchant-written texts from the extension's settings (shopify.extension.toml); each is optional. */
export interface RulesSettings {
  upgrade_rules?: string;
  benefit_instructions?: string;
  membership_notice?: string;
}

export function Rules({ settings, ctx }: { settings: RulesSettings; ctx: ViewContext }) {
  const { t } = ctx;
  const configured = [settings.upgrade_rules, settings.benefit_instructions, settings.membership_notice].some(
    (s) => typeof s === "string" && s.trim().length > 0,
  );
  if (!configured) return null;
  return (
    <s-section heading={t("page.rules")}>
      <s-stack gap="base">
        <RulesPart title={t("page.upgradeRules")} body={settings.upgrade_rules} />
        <RulesPart title={t("page.benefitInstructions")} body={settings.benefit_instructions} />
        <RulesPart title={t("page.notice")} body={settings.membership_notice} />
      </s-stack>
    </s-section>
  );
}

/** A merchant-written part: rendered only when the merchant wrote something. */
function RulesPart({ title, body }: { title: string; body: string | undefined }) {
  const text = body?.trim();
  if (!text) return null;
  return (
    <s-stack gap="small-300">
      <s-heading>{title}</s-heading>
      {text.split(/\n{2,}/).map((paragraph, i) => (
        <s-paragraph key={i}>{paragraph}</s-paragraph>
      ))}
    </s-stack>
  );
}
