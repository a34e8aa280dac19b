/**
 * What the extension host does around a UI extension, for tests: a `shopify` global shaped by the target's
 * `@shopify/ui-extensions` types (the test types it with the target's `Api`, so drift fails typecheck), real
 * Preact signals where Shopify hands signals, `i18n.translate` over the extension's own locale file, and the rendered
 * web components read back as the lines a shopper reads.
 */
import { signal, type Signal } from "@preact/signals";
import { render } from "preact";
import { createTranslator, type MessageTree } from "~/shared/member-messages";
import { readableText } from "../../support/readable-text";

/** A Shopify signal (`SubscribableSignalLike`, `ReadonlySignalLike`): what the host hands for a changing value. */
interface SignalLikeShape<V> {
  readonly value: V;
  subscribe(fn: (value: V) => void): () => void;
}

/**
 * Every property optional, all the way down; a Shopify signal becomes a Preact signal of the partial value (what
 * the host hands once `setSignals` ran); functions are kept as they are.
 */
export type DeepPartial<T> =
  T extends SignalLikeShape<infer V>
    ? Signal<DeepPartial<V>>
    : T extends (...args: never[]) => unknown
      ? T
      : T extends readonly (infer U)[]
        ? DeepPartial<U>[]
        : T extends object
          ? { [K in keyof T]?: DeepPartial<T[K]> }
          : T;

/**
 * A stand-in `shopify` of a target: the parts a test provides, typed against the real Api; anything else the
 * extension reads is missing and fails the test loudly rather than reading a made-up default.
 */
export function hostApi<Api>(parts: DeepPartial<Api>): Api {
  return parts as Api;
}

/** A Shopify `SubscribableSignalLike` / `ReadonlySignalLike`, as the host hands them once `setSignals` ran. */
export function hostSignal<T>(value: T): Signal<T> {
  return signal(value);
}

/**
 * Shopify's `i18n` over an extension's locale file (plural forms by `count`, `{{name}}` placeholders). `I` is the
 * target's `I18n`: its generic `translate` signature cannot be written as a plain function, hence the one cast.
 */
export function hostI18n<I>(messages: MessageTree, locale: string): I {
  const t = createTranslator(messages, locale);
  const i18n = {
    translate: (key: string, options?: Record<string, string | number>) => t(key, options),
    formatNumber: (n: number | bigint) => new Intl.NumberFormat(locale).format(n),
    formatCurrency: (n: number | bigint, o?: { currency?: string }) =>
      new Intl.NumberFormat(locale, { style: "currency", currency: o?.currency ?? "USD" }).format(n),
    formatDate: (d: Date) => new Intl.DateTimeFormat(locale).format(d),
  };
  return i18n as unknown as I;
}

/** Installs `shopify` and the sandbox `fetch`, then runs the extension's default export as the host does. */
export async function runExtension(entry: () => Promise<void> | void, shopify: unknown, fetchFn?: unknown): Promise<void> {
  (globalThis as { shopify?: unknown }).shopify = shopify;
  if (fetchFn) (globalThis as { fetch?: unknown }).fetch = fetchFn;
  await entry();
  await settle();
}

/** Lets effects, fetches and signal updates run to completion. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

export function unmount(): void {
  render(null, document.body);
  delete (globalThis as { shopify?: unknown }).shopify;
}

/** What a shopper reads in the rendered extension (../../support/readable-text.ts). */
export function readable(root: Element = document.body): string[] {
  return readableText(root);
}

/** The web components of one tag, for what only they carry (a progress value, a link's href). */
export function tags(tag: string, root: Element = document.body): Element[] {
  return [...root.querySelectorAll(tag)];
}
