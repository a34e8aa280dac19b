/** The `shopify` global of this extension's target, for code and tests that build one (the host stand-in in tests). */
export type { Api as MemberPageApi } from "@shopify/ui-extensions/customer-account.page.render";
