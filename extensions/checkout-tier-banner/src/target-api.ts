/** The `shopify` global of this extension's target, for code and tests that build one (the host stand-in in tests). */
export type { Api as CheckoutBlockApi } from "@shopify/ui-extensions/purchase.checkout.block.render";
