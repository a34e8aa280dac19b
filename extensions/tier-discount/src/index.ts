// The Shopify CLI's JavaScript build maps each target's `export` in shopify.extension.toml
// ("cart-lines-discounts-generate-run") to the camel-cased function exported here.
export * from "./cart_lines_discounts_generate_run";
export * from "./cart_delivery_options_discounts_generate_run";
