import { useEffect, useState } from "preact/hooks";
import { loadBirthday, saveBirthday, type BirthdayState } from "../../../app/shared/account-birthday";
import { TIERLINE_APP_URL } from "../../../app/shared/app-url";
import type { FetchLike } from "../../../app/shared/member-query";
import type { ViewContext } from "../../../app/shared/member-view";

/**
 * The shopper's birthday on the member card page: a form while none is on file; once set, the date read-only (set
 * once; the shop changes it). Saving writes the `$app:tierline.birthday` metafield through the Customer Account API,
 * then tells the app with Shopify's session token (app/shared/account-birthday.ts).
 */
export function BirthdayForm({ ctx, sessionToken }: { ctx: ViewContext; sessionToken: { get(): Promise<string> } }) {
  const { t } = ctx;
  const [state, setState] = useState<BirthdayState>({ status: "loading" });
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    void loadBirthday(fetch as FetchLike).then(setState);
  }, []);

  if (state.status === "loading" || state.status === "error") return null;
  if (state.status === "set") {
    return (
      <s-section heading={t("birthday.title")}>
        <s-stack gap="small-300">
          <s-text type="strong">{formatMonthDay(state.birthday, ctx.locale)}</s-text>
          {notice ? <s-banner tone="warning">{notice}</s-banner> : null}
          <s-text color="subdued">{t("birthday.locked")}</s-text>
        </s-stack>
      </s-section>
    );
  }

  const customerId = state.customerId;
  const save = async () => {
    setSaving(true);
    setError(null);
    const outcome = await saveBirthday(
      { fetch: fetch as FetchLike, sessionToken: () => sessionToken.get(), appUrl: TIERLINE_APP_URL },
      customerId,
      value,
    );
    setSaving(false);
    if (outcome.status === "saved") setState({ status: "set", customerId, birthday: outcome.birthday });
    else if (outcome.status === "kept") {
      setNotice(t("birthday.kept"));
      setState({ status: "set", customerId, birthday: outcome.birthday });
    } else setError(outcome.status === "invalid" ? t("birthday.invalid") : t("birthday.failed"));
  };

  return (
    <s-section heading={t("birthday.title")}>
      <s-stack gap="base">
        <s-text>{t("birthday.ask")}</s-text>
        <s-text-field
          label={t("birthday.label")}
          placeholder="MM-DD"
          value={value}
          error={error ?? undefined}
          onInput={(e: Event) => setValue((e.currentTarget as HTMLInputElement).value)}
        />
        <s-button variant="primary" loading={saving} onClick={() => void save()}>
          {t("birthday.save")}
        </s-button>
      </s-stack>
    </s-section>
  );
}

/** "March 14" in the shopper's language (a yearless date; the year only carries the month and day). */
function formatMonthDay(birthday: string, locale: string): string {
  const [month, day] = birthday.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, { month: "long", day: "numeric", timeZone: "UTC" }).format(new Date(Date.UTC(2000, month - 1, day)));
}
