/**
 * Browser side of the local customer account host (./account-page-host.ts): what Shopify's customer account page
 * does around a UI extension, enough to run the member card page extension's real bundle. It installs the `shopify`
 * global of customer-account.page.render (settings, i18n over the extension's locale file, the shopper's language;
 * real Preact signals once the extension hands its Signal class to `setSignals`), routes the sandbox's
 * `fetch("shopify://customer-account/api/…")` to the host, draws the Polaris tags plainly, then runs the extension's
 * default export as Shopify does.
 */
import { createTranslator, type MessageTree } from "../../../app/shared/member-messages";

interface HostConfig {
  locale: string;
  settings: Record<string, string>;
  messages: MessageTree;
  /** Where `shopify://customer-account/api/<version>/graphql.json` goes for the logged-in customer. */
  apiBase: string;
  extensionUrl: string;
}

type SignalClass = new <T>(value: T) => { value: T };

const config = JSON.parse(document.getElementById("tierline-host-config")!.textContent!) as HostConfig;
const t = createTranslator(config.messages, config.locale);
const plain = <T>(value: T) => ({ value, subscribe: () => () => undefined });

const shopify: Record<string, unknown> = {
  extension: { target: "customer-account.page.render", apiVersion: "2026-07" },
  i18n: {
    translate: (key: string, options?: Record<string, string | number>) => t(key, options),
    formatNumber: (n: number) => new Intl.NumberFormat(config.locale).format(n),
    formatDate: (d: Date) => new Intl.DateTimeFormat(config.locale).format(d),
  },
  settings: plain(config.settings),
  localization: { language: plain({ isoCode: config.locale }), extensionLanguage: plain({ isoCode: config.locale }), country: plain(undefined) },
  /** Called by `@shopify/ui-extensions/preact`: from then on the host hands the extension's own signals. */
  setSignals(Signal: SignalClass) {
    shopify.settings = new Signal(config.settings);
    shopify.localization = { language: new Signal({ isoCode: config.locale }), extensionLanguage: new Signal({ isoCode: config.locale }), country: new Signal(undefined) };
  },
};
(globalThis as { shopify?: unknown }).shopify = shopify;

const pageFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  const url = String(input instanceof Request ? input.url : input);
  const api = /^shopify:\/\/customer-account\/api\/([^/]+)\/graphql\.json$/.exec(url);
  if (!api) return Promise.reject(new TypeError(`network access is off for this extension: ${url}`));
  return pageFetch(`${config.apiBase}/${api[1]}/graphql.json`, { method: "POST", headers: { "Content-Type": "application/json" }, body: init?.body });
};

/** Plain drawings of the two tags whose content is not text: the card image and the progress bar. */
class HostImage extends HTMLElement {
  static observedAttributes = ["src", "alt"];
  attributeChangedCallback() {
    const root = this.shadowRoot ?? this.attachShadow({ mode: "open" });
    const img = root.querySelector("img") ?? root.appendChild(document.createElement("img"));
    img.src = this.getAttribute("src") ?? "";
    img.alt = this.getAttribute("alt") ?? "";
    img.style.cssText = "display:block;width:100%;max-width:24rem;border-radius:12px";
  }
}
class HostProgress extends HTMLElement {
  static observedAttributes = ["value", "max"];
  attributeChangedCallback() {
    const root = this.shadowRoot ?? this.attachShadow({ mode: "open" });
    const bar = root.querySelector("progress") ?? root.appendChild(document.createElement("progress"));
    bar.max = Number(this.getAttribute("max") ?? 1);
    bar.value = Number(this.getAttribute("value") ?? 0);
    bar.style.cssText = "width:100%";
  }
}
customElements.define("s-image", HostImage);
customElements.define("s-progress", HostProgress);

const extension = (await import(config.extensionUrl)) as { default: () => Promise<void> };
await extension.default();
document.documentElement.dataset.extensionRendered = "true";
