/**
 * Browser side of the local shopper-surfaces host (./account-page-host.ts): what Shopify's customer account page,
 * checkout and POS do around a UI extension, enough to run each extension's real bundle. It installs the `shopify`
 * global of the extension's target (i18n over the extension's locale file, the shopper's language, settings, and
 * per surface: checkout's app metafields and buyer, POS's customer and cart), with real Preact signals once the
 * extension hands its Signal class to `setSignals`; routes the sandbox's `fetch("shopify://customer-account/api/…")`
 * and `fetch("shopify:admin/api/graphql.json")` to the host; draws the few Polaris tags whose content is not text;
 * then runs the extension's default export as Shopify does.
 */
import { createTranslator, type MessageTree } from "../../../app/shared/member-messages";

export interface HostConfig {
  target:
    | "customer-account.page.render"
    | "customer-account.profile.block.render"
    | "purchase.checkout.block.render"
    | "pos.customer-details.block.render"
    | "pos.home.tile.render"
    | "pos.home.modal.render";
  locale: string;
  settings: Record<string, string>;
  messages: MessageTree;
  extensionUrl: string;
  /** Where `shopify://customer-account/api/<version>/graphql.json` goes for the logged-in customer. */
  customerAccountApi: string | null;
  /** Where POS's `shopify:admin/api/graphql.json` goes. */
  adminApi: string | null;
  /** The customer: numeric id (POS), and at checkout their `$app:tierline` metafields as checkout delivers them. */
  customer: { gid: string; id: number; metafields: { key: string; value: string }[] } | null;
  storefrontUrl: string | null;
}

type SignalClass = new <T>(value: T) => { value: T };

const config = JSON.parse(document.getElementById("tierline-host-config")!.textContent!) as HostConfig;
const t = createTranslator(config.messages, config.locale);

/** The values the host hands as signals, by path on `shopify`. */
function signalValues(): Record<string, unknown> {
  const language = { isoCode: config.locale };
  const values: Record<string, unknown> = { settings: config.settings };
  if (config.target.startsWith("customer-account.") || config.target.startsWith("purchase.")) {
    values["localization.language"] = language;
    values["localization.extensionLanguage"] = language;
  }
  if (config.target === "purchase.checkout.block.render") {
    const c = config.customer;
    values["localization.timezone"] = "Etc/UTC";
    values["buyerIdentity.customer"] = c ? { id: c.gid } : undefined;
    values.appMetafields = (c?.metafields ?? []).map((m) => ({
      target: { type: "customer", id: c!.gid },
      metafield: { namespace: "$app:tierline", key: m.key, value: m.value, type: "json", valueType: "json_string" },
    }));
    values.discountAllocations = [];
    values.lines = [];
  }
  if (config.target.startsWith("pos.")) {
    values["locale.current"] = config.locale;
    values["cart.current"] = { customer: config.customer ? { id: config.customer.id } : undefined, lineItems: [] };
  }
  return values;
}

const shopify: Record<string, any> = {
  extension: { target: config.target, apiVersion: "2026-07" },
  i18n: {
    translate: (key: string, options?: Record<string, string | number>) => t(key, options),
    formatNumber: (n: number) => new Intl.NumberFormat(config.locale).format(n),
    formatDate: (d: Date) => new Intl.DateTimeFormat(config.locale).format(d),
  },
  shop: { name: "Demo shop", storefrontUrl: config.storefrontUrl ?? undefined },
  customer: config.customer ? { id: config.customer.id } : undefined,
  action: { presentModal: () => window.parent.postMessage({ tierline: "presentModal" }, "*") },
  /** Called by `@shopify/ui-extensions/preact`: from then on the host hands the extension's own signals. */
  setSignals(Signal: SignalClass) {
    install((v) => new Signal(v));
  },
};

function install(make: (value: unknown) => unknown) {
  for (const [key, value] of Object.entries(signalValues())) {
    const parts = key.split(".");
    let owner = shopify;
    for (const part of parts.slice(0, -1)) owner = owner[part] ??= {};
    owner[parts[parts.length - 1]] = make(value);
  }
}
install((value) => ({ value, subscribe: () => () => undefined }));
(globalThis as { shopify?: unknown }).shopify = shopify;

const pageFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  const url = String(input instanceof Request ? input.url : input);
  const customerAccount = /^shopify:\/\/customer-account\/api\/([^/]+)\/graphql\.json$/.exec(url);
  const forward = (to: string) => pageFetch(to, { method: "POST", headers: { "Content-Type": "application/json" }, body: init?.body });
  if (customerAccount && config.customerAccountApi) return forward(`${config.customerAccountApi}/${customerAccount[1]}/graphql.json`);
  if (url === "shopify:admin/api/graphql.json" && config.adminApi) return forward(config.adminApi);
  return Promise.reject(new TypeError(`network access is off for this extension: ${url}`));
};

/** Plain drawings of the tags whose content is not text: the card image, the progress bar, the POS tile. */
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
