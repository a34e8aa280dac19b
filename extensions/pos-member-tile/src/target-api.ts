/** The `shopify` global of each of this extension's targets, for code and tests that build one (the host stand-in in tests). */
export type { Api as CustomerDetailsBlockApi } from "@shopify/ui-extensions/pos.customer-details.block.render";
export type { Api as HomeTileApi } from "@shopify/ui-extensions/pos.home.tile.render";
export type { Api as HomeModalApi } from "@shopify/ui-extensions/pos.home.modal.render";
