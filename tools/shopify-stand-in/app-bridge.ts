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
export interface PickerResources {
  product?: { id: string; title: string }[];
  collection?: { id: string; title: string }[];
}

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
  /**
   * Resources the resource picker offers, e.g. products of the demo store; a function is read on every page load,
   * so it can follow a store that changes (e.g. `() => ({ product: Object.values(standIn.state.products) })`).
   */
  pickerResources?: PickerResources | (() => PickerResources);
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
      const picker = typeof opts.pickerResources === "function" ? opts.pickerResources() : (opts.pickerResources ?? {});
      const offered = Object.fromEntries(
        Object.entries(picker).map(([type, list]) => [type, (list ?? []).map((r: { id: string; title: string }) => ({ id: r.id, title: r.title }))]),
      );
      res.end(appBridgeScript(`http://${req.headers.host}`, offered));
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

  // The bounce page (/auth/session-token?shopify-reload=URL): authenticate.admin sends a document request that has
  // embedded=1 but no id_token here, and App Bridge answers by reloading the URL with a fresh session token.
  const reload = new URLSearchParams(window.location.search).get("shopify-reload");
  if (reload) {
    idToken().then((token) => {
      const target = new URL(reload, window.location.href);
      // Like App Bridge, only ever reload into the app itself.
      if (target.origin !== window.location.origin) return;
      target.searchParams.set("id_token", token);
      window.location.replace(target.toString());
    });
    return;
  }

  window.fetch = async (input, init = {}) => {
    const request = input instanceof Request ? input : null;
    const target = new URL(request ? request.url : String(input), window.location.href);
    if (target.origin === window.location.origin) {
      const headers = new Headers(init.headers || (request ? request.headers : undefined));
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
    resourcePicker: (options) => pickResources(options || {}),
    __toasts: toasts,
  };
  // Like App Bridge's picker: a dialog listing the store's resources, current selection ticked; "Select" resolves
  // with the chosen resources ({ id, title }), closing it any other way resolves with undefined (cancelled).
  function pickResources({ type = "product", multiple = false, selectionIds = [] }) {
    const offered = pickerResources[type] || [];
    const chosen = new Set(selectionIds.map((s) => s.id));
    return new Promise((resolve) => {
      const dialog = document.createElement("dialog");
      dialog.setAttribute("aria-label", "Select " + type + "s");
      dialog.style.cssText = "border:0;border-radius:12px;padding:16px;min-width:360px;box-shadow:0 8px 32px rgba(0,0,0,.3);font:14px/20px -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,sans-serif";
      const title = document.createElement("h2");
      title.textContent = "Select " + type + "s";
      title.style.cssText = "margin:0 0 12px;font-size:16px";
      dialog.appendChild(title);
      if (offered.length === 0) dialog.appendChild(Object.assign(document.createElement("p"), { textContent: "No " + type + "s in this store." }));
      for (const r of offered) {
        const label = document.createElement("label");
        label.style.cssText = "display:flex;gap:8px;padding:4px 0";
        const box = document.createElement("input");
        box.type = multiple ? "checkbox" : "radio";
        box.name = "resource";
        box.checked = chosen.has(r.id);
        box.addEventListener("change", () => { if (!multiple) chosen.clear(); if (box.checked) chosen.add(r.id); else chosen.delete(r.id); });
        label.append(box, document.createTextNode(r.title));
        dialog.appendChild(label);
      }
      const buttons = document.createElement("div");
      buttons.style.cssText = "display:flex;justify-content:flex-end;gap:8px;margin-top:12px";
      const cancel = Object.assign(document.createElement("button"), { type: "button", textContent: "Cancel" });
      const select = Object.assign(document.createElement("button"), { type: "button", textContent: "Select" });
      buttons.append(cancel, select);
      dialog.appendChild(buttons);
      let result;
      cancel.addEventListener("click", () => dialog.close());
      select.addEventListener("click", () => { result = offered.filter((r) => chosen.has(r.id)).map((r) => ({ ...r })); dialog.close(); });
      dialog.addEventListener("close", () => { dialog.remove(); resolve(result); });
      document.body.appendChild(dialog);
      dialog.showModal();
    });
  }

  // App Bridge's web components render inside the Shopify admin frame, which this page has none of. The title bar,
  // save bar and modal render nothing; the nav menu's links (the app's own client-side links) become a top bar,
  // the place the admin's sidebar would show them.
  for (const tag of ["ui-nav-menu", "ui-title-bar", "ui-save-bar", "ui-modal"]) {
    if (!customElements.get(tag)) customElements.define(tag, class extends HTMLElement {});
  }
  const style = document.createElement("style");
  style.textContent = [
    "ui-title-bar, ui-save-bar, ui-modal { display: none; }",
    "ui-nav-menu { display: flex; gap: 4px; padding: 8px 16px; background: #1a1a1a; font: 500 13px/20px -apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, sans-serif; }",
    "ui-nav-menu a { color: #e3e3e3; text-decoration: none; padding: 4px 10px; border-radius: 8px; }",
    "ui-nav-menu a:hover { background: #303030; }",
    "ui-nav-menu a[aria-current='page'] { background: #303030; color: #fff; }",
  ].join("\\n");
  document.head.appendChild(style);
})();
`;
}
