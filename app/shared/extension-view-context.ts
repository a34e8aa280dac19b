/**
 * The view context (language, translate, zone) of a shopper extension, from the parts of Shopify's `shopify` global
 * every surface has: `i18n.translate` over the extension's own locales/ and the shopper's language. Structural, so
 * app/shared needs no Shopify package; each extension passes its own typed `shopify`.
 */

import type { ViewContext } from "./member-view";

export interface TranslatingApi {
  i18n: { translate(key: string, options?: Record<string, string | number>): unknown };
}

export function extensionViewContext(api: TranslatingApi, locale: string, timeZone?: string): ViewContext {
  return { locale, timeZone, t: (key, params) => String(api.i18n.translate(key, params)) };
}
