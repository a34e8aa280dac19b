// As in Shopify's JavaScript Function template (@shopify/shopify_function 2.x): the CLI's build maps each target's
// `export` in shopify.extension.toml ("cart-lines-discounts-generate-run") to the camel-cased function exported here,
// and hands it the input typed by generated/api.ts (`shopify app function typegen`).
export * from "./cart_lines_discounts_generate_run";
export * from "./cart_delivery_options_discounts_generate_run";
