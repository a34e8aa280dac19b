import { useLanguage, useTimezone, useTranslate } from "@shopify/ui-extensions-react/customer-account";
import type { Translate } from "../../../app/shared/member-messages";
import type { ViewContext } from "../../../app/shared/member-view";

/** The shopper's language and zone, and Shopify's translate over this extension's locales/. */
export function useViewContext(): ViewContext {
  const language = useLanguage();
  const timezone = useTimezone();
  const translate = useTranslate();
  const t: Translate = (key, params) => String(translate(key, params));
  return { locale: language.isoCode, t, timeZone: timezone };
}
