/**
 * The app's URL as the shopper extensions call its backend (the account page's birthday form: POST /api/account/…).
 * A UI extension is built without the app's environment, so the URL is written here: keep it equal to
 * shopify.app.toml's `application_url` (a test checks) and change both when deploying.
 */
export const TIERLINE_APP_URL = "https://example.com";
