import http from "node:http";
import type { AddressInfo } from "node:net";
import { mintSessionToken } from "./session-token";

/**
 * A small local stand-in for App Bridge's CDN script. Shopify's CDN is unreachable on our machines,
 * so the demo and the browser tests point `SHOPIFY_APP_BRIDGE_URL` at this server. It provides the parts
 * of `window.shopify` the admin uses (idToken, toast, resourcePicker, loading, saveBar) and, like the real
 * App Bridge, adds a fresh session token to the app's own fetch requests. Tokens are minted here with the
 * demo's API secret; production never loads this script.
 */
export interface AppBridgeStandIn {
  url: string;
  scriptUrl: string;
  close(): Promise<void>;
}

export async function startAppBridgeStandIn(opts: {
  shop: string;
  apiKey: string;
  apiSecret: string;
  port?: number;
  /** Resources the resource picker offers, e.g. products of the demo store. */
  pickerResources?: { product?: { id: string; title: string }[]; collection?: { id: string; title: string }[] };
}): Promise<AppBridgeStandIn> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    res.setHeader("Access-Control-Allow-Origin", "*");
    if (url.pathname === "/id-token") {
      res.setHeader("Content-Type", "text/plain");
      res.end(mintSessionToken({ shop: opts.shop, apiKey: opts.apiKey, apiSecret: opts.apiSecret }));
      return;
    }
    if (url.pathname === "/app-bridge.js") {
      res.setHeader("Content-Type", "application/javascript");
      res.end(appBridgeScript(`http://${req.headers.host}`, opts.pickerResources ?? {}));
      return;
    }
    res.statusCode = 404;
    res.end("not found");
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    scriptUrl: `${url}/app-bridge.js`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function appBridgeScript(origin: string, picker: object): string {
  return `(() => {
  const origin = ${JSON.stringify(origin)};
  const pickerResources = ${JSON.stringify(picker)};
  const nativeFetch = window.fetch.bind(window);
  const idToken = async () => (await nativeFetch(origin + "/id-token")).text();
  window.fetch = async (input, init = {}) => {
    const target = new URL(typeof input === "string" ? input : input.url, window.location.href);
    if (target.origin === window.location.origin) {
      const headers = new Headers(init.headers || (typeof input === "string" ? undefined : input.headers));
      if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + (await idToken()));
      init = { ...init, headers };
    }
    return nativeFetch(input, init);
  };
  const toasts = [];
  window.shopify = {
    config: { apiKey: document.currentScript && document.currentScript.dataset.apiKey },
    idToken,
    toast: { show(message) { toasts.push(message); const el = document.createElement("div"); el.setAttribute("role", "status"); el.dataset.toast = ""; el.textContent = message; el.style.cssText = "position:fixed;bottom:16px;left:50%;transform:translateX(-50%);background:#303030;color:#fff;padding:8px 16px;border-radius:8px;z-index:9999"; document.body.appendChild(el); setTimeout(() => el.remove(), 4000); } },
    loading() {},
    saveBar: { show() {}, hide() {}, toggle() {} },
    modal: { show() {}, hide() {} },
    resourcePicker: async ({ type = "product" } = {}) => (pickerResources[type] || []).map((r) => ({ ...r })),
    __toasts: toasts,
  };
  // App Bridge's web components render nothing outside the Shopify admin frame.
  for (const tag of ["ui-nav-menu", "ui-title-bar", "ui-save-bar", "ui-modal"]) {
    if (!customElements.get(tag)) customElements.define(tag, class extends HTMLElement {});
  }
})();
`;
}
