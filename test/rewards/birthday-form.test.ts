// @vitest-environment happy-dom
// The account page's birthday form rendered for real (Preact into a DOM, Polaris web components): empty → the form;
// saved → the date read-only with "set once"; a birthday the app already had → the app's date and why.
import { h, render } from "preact";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { BirthdayForm } from "../../extensions/account-member-page/src/BirthdayForm";
import en from "../../extensions/account-member-page/locales/en.default.json";
import { createTranslator } from "../../app/shared/member-messages";
import { TIERLINE_APP_URL } from "../../app/shared/app-url";
import { customerAccountFetch } from "../../tools/shopify-stand-in/customer-account";
import { startStandIn, type StandIn } from "../../tools/shopify-stand-in/index";
import { readable, settle, tags } from "../extensions/support/extension-host";

const SHOP = "birthday-form.myshopify.com";
const GID = "gid://shopify/Customer/77";
let standIn: StandIn;
const ctx = { locale: "en-US", t: createTranslator(en, "en-US") };

beforeAll(async () => {
  standIn = await startStandIn({ shops: [{ domain: SHOP, customers: [{ id: GID, firstName: "Ana" }] }] });
  // The definition install creates (READ_WRITE for the Customer Account API).
  standIn.shop(SHOP).metafieldDefinitions.push({
    id: "gid://shopify/MetafieldDefinition/1",
    namespace: `app--${standIn.appId}--tierline`,
    key: "birthday",
    type: "single_line_text_field",
    ownerType: "CUSTOMER",
    name: "Birthday",
    description: null,
    access: { admin: "MERCHANT_READ", storefront: "NONE", customerAccount: "READ_WRITE" },
  });
});
afterAll(() => standIn.close());
afterEach(() => render(null, document.body));

/** The sandbox fetch: the Customer Account API stand-in, and a backend answering `backend` for the app's URL. */
function sandbox(backend: (body: { birthday: string }) => { status: number; body: unknown }) {
  const api = customerAccountFetch({ shop: () => standIn.shop(SHOP), customerId: GID, appId: standIn.appId });
  const posted: unknown[] = [];
  (globalThis as { fetch?: unknown }).fetch = async (url: string, init: { headers: Record<string, string>; body: string }) => {
    if (!url.startsWith(TIERLINE_APP_URL)) return api(url, init);
    posted.push({ url, authorization: init.headers.Authorization, body: JSON.parse(init.body) });
    const answer = backend(JSON.parse(init.body));
    return new Response(JSON.stringify(answer.body), { status: answer.status });
  };
  return posted;
}

async function type(value: string) {
  const field = tags("s-text-field")[0] as HTMLElement & { value: string };
  field.value = value;
  field.dispatchEvent(new Event("input"));
  await settle();
  (tags("s-button")[0] as HTMLElement).click();
  await settle();
}

describe("the birthday form on the account page", () => {
  it("asks once, saves through the Customer Account API and the app, then shows the date read-only", async () => {
    delete standIn.shop(SHOP).customers[GID].metafields[`app--${standIn.appId}--tierline.birthday`];
    const posted = sandbox((b) => ({ status: 201, body: { birthday: b.birthday, message: "saved" } }));
    render(h(BirthdayForm, { ctx, sessionToken: { get: async () => "session-token" } }), document.body);
    await settle();
    expect(readable()).toEqual(["Your birthday", "Tell us your birthday and get a treat from us when it comes round.", "Save birthday"]);
    await type("1992-03-14");
    expect(posted).toEqual([{ url: `${TIERLINE_APP_URL}/api/account/birthday`, authorization: "Bearer session-token", body: { birthday: "03-14" } }]);
    expect(readable()).toEqual(["Your birthday", "March 14", "Your birthday can be set once. To change it, contact the shop."]);
  });

  it("a date that does not exist is refused on the field, nothing sent", async () => {
    delete standIn.shop(SHOP).customers[GID].metafields[`app--${standIn.appId}--tierline.birthday`];
    const posted = sandbox(() => ({ status: 500, body: {} }));
    render(h(BirthdayForm, { ctx, sessionToken: { get: async () => "t" } }), document.body);
    await settle();
    await type("02-30");
    expect(posted).toEqual([]);
    expect(tags("s-text-field")[0].getAttribute("error")).toBe("Enter your birthday as MM-DD, for example 03-14.");
  });

  it("when the app already had a birthday, shows the app's date and says it was kept", async () => {
    delete standIn.shop(SHOP).customers[GID].metafields[`app--${standIn.appId}--tierline.birthday`];
    sandbox(() => ({ status: 409, body: { error: { code: "birthday-already-set", message: "kept", birthday: "07-04" } } }));
    render(h(BirthdayForm, { ctx, sessionToken: { get: async () => "t" } }), document.body);
    await settle();
    await type("12-24");
    expect(readable()).toEqual([
      "Your birthday",
      "July 4",
      "A birthday was already on file, so we kept it. To change it, contact the shop.",
      "Your birthday can be set once. To change it, contact the shop.",
    ]);
  });
});
