import { useRef, useState } from "preact/hooks";
import { newRedemptionKey, redeemPoints, type RedeemOutcome } from "../../../app/shared/account-redemption";
import { TIERLINE_APP_URL } from "../../../app/shared/app-url";
import type { FetchLike, MemberAnswer } from "../../../app/shared/member-query";
import type { ViewContext } from "../../../app/shared/member-view";
import { formatDecimalAmount, formatNumber } from "../../../app/shared/money-format";
import {
  minorToDecimal,
  redemptionChoices,
  redemptionValueMinor,
  type RedemptionFormV1,
  type RedemptionRulesV1,
} from "../../../app/shared/redemption";
import { parseTierProgram, parseTierProgress } from "../../../app/shared/tier-metafield";

/**
 * "Spend your points" on the member card page: the balance, the shop's rate and minimum (the programme metafield's
 * `redemption`, absent while the merchant has redemption off), a choice of amounts and of a code or store credit, and
 * the result. The backend (POST /api/account/redemptions, the session token) decides; the page offers only what it
 * would accept. One idempotency key per click: a second click while the request is out sends nothing, "check again"
 * while Shopify confirms sends the same key (the same redemption, never a second debit); the next click after an
 * answer is a new redemption with a new key.
 */
export function RedeemPoints({
  answer,
  ctx,
  sessionToken,
  appUrl = TIERLINE_APP_URL,
}: {
  answer: MemberAnswer;
  ctx: ViewContext;
  sessionToken: { get(): Promise<string> };
  appUrl?: string;
}) {
  const { t } = ctx;
  const program = parseTierProgram(answer.program);
  const progress = parseTierProgress(answer.docs.progress);
  const rules = program?.redemption ?? null;
  const [balance, setBalance] = useState<number | null>(null);
  const [points, setPoints] = useState<number | null>(null);
  const [form, setForm] = useState<RedemptionFormV1>("discountCode");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<RedeemOutcome | null>(null);
  /** The key of the redemption under way (sent, or answered "pending"); null once it is settled. */
  const key = useRef<string | null>(null);
  /** A request is out: a second click before it answers sends nothing (state would only change after a render). */
  const inFlight = useRef(false);

  if (!rules || !program || !progress) return null;
  const currency = program.currency;
  const have = balance ?? progress.points;
  const money = (minor: number) => formatDecimalAmount(minorToDecimal(minor, currency), currency, ctx.locale) ?? "";
  const choices = redemptionChoices(rules, have);
  const chosen = points !== null && choices.includes(points) ? points : (choices[0] ?? null);

  const redeem = async () => {
    if (chosen === null || inFlight.current) return;
    inFlight.current = true;
    key.current ??= newRedemptionKey();
    setBusy(true);
    const result = await redeemPoints(
      { fetch: fetch as FetchLike, sessionToken: () => sessionToken.get(), appUrl },
      { points: chosen, form, idempotencyKey: key.current },
    );
    inFlight.current = false;
    setBusy(false);
    setOutcome(result);
    if (result.status !== "pending") key.current = null;
    if ("balance" in result && typeof result.balance === "number") setBalance(result.balance);
  };

  return (
    <s-section heading={t("redeem.title")}>
      <s-stack gap="base">
        <s-text>{t("redeem.balance", { points: formatNumber(have, ctx.locale) })}</s-text>
        <s-text color="subdued">{rateText(rules, currency, ctx)}</s-text>
        {choices.length === 0 ? (
          <s-text color="subdued">{t("redeem.needMore", { points: formatNumber(Math.max(0, rules.minimumPoints - have), ctx.locale) })}</s-text>
        ) : (
          <s-stack gap="small-300">
            <s-select
              label={t("redeem.pointsLabel")}
              value={String(chosen)}
              onChange={(e: Event) => setPoints(Number((e.currentTarget as HTMLSelectElement).value))}
            >
              {choices.map((p) => (
                <s-option key={p} value={String(p)}>
                  {t("redeem.option", { points: formatNumber(p, ctx.locale), value: money(redemptionValueMinor(rules, p, currency)) })}
                </s-option>
              ))}
            </s-select>
            {rules.storeCredit ? (
              <s-select
                label={t("redeem.formLabel")}
                value={form}
                onChange={(e: Event) => setForm((e.currentTarget as HTMLSelectElement).value === "storeCredit" ? "storeCredit" : "discountCode")}
              >
                <s-option value="discountCode">{t("redeem.form.discountCode")}</s-option>
                <s-option value="storeCredit">{t("redeem.form.storeCredit")}</s-option>
              </s-select>
            ) : null}
            <s-button variant="primary" loading={busy} onClick={() => void redeem()}>
              {t("redeem.submit")}
            </s-button>
          </s-stack>
        )}
        {outcome ? <Outcome outcome={outcome} ctx={ctx} busy={busy} onCheckAgain={() => void redeem()} /> : null}
      </s-stack>
    </s-section>
  );
}

function rateText(rules: RedemptionRulesV1, currency: string, ctx: ViewContext): string {
  const { t } = ctx;
  const rate = t("redeem.rate", {
    points: formatNumber(rules.points, ctx.locale),
    value: formatDecimalAmount(rules.value, currency, ctx.locale) ?? rules.value,
  });
  const minimum = t("redeem.minimum", { points: formatNumber(rules.minimumPoints, ctx.locale) });
  const step = rules.stepPoints === null ? "" : ` ${t("redeem.step", { points: formatNumber(rules.stepPoints, ctx.locale) })}`;
  return `${rate}. ${minimum}${step}.`;
}

function Outcome({ outcome, ctx, busy, onCheckAgain }: { outcome: RedeemOutcome; ctx: ViewContext; busy: boolean; onCheckAgain: () => void }) {
  const { t } = ctx;
  if (outcome.status === "issued") {
    const value = formatDecimalAmount(outcome.value, outcome.currency, ctx.locale) ?? outcome.value;
    return outcome.form === "storeCredit" ? (
      <s-banner tone="success">{t("redeem.credit", { value })}</s-banner>
    ) : (
      <s-banner tone="success">
        <s-stack gap="small-300">
          <s-text type="strong">{t("redeem.code", { code: outcome.code ?? "" })}</s-text>
          <s-text>{t("redeem.codeHelp", { value })}</s-text>
        </s-stack>
      </s-banner>
    );
  }
  if (outcome.status === "pending")
    return (
      <s-banner tone="info">
        <s-stack gap="small-300">
          <s-text>{t("redeem.pending")}</s-text>
          <s-button loading={busy} onClick={onCheckAgain}>
            {t("redeem.checkAgain")}
          </s-button>
        </s-stack>
      </s-banner>
    );
  if (outcome.status === "failed") return <s-banner tone="critical">{t("redeem.failed")}</s-banner>;
  const known = [
    "below-minimum",
    "not-a-step-multiple",
    "not-enough-points",
    "store-credit-not-offered",
    "redemption-off",
    "no-member",
    "not-logged-in",
    "order-being-counted",
  ];
  return <s-banner tone="critical">{t(known.includes(outcome.code) ? `redeem.error.${outcome.code}` : "redeem.error.other")}</s-banner>;
}
