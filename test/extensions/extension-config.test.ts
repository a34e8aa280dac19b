// Each UI extension's configuration agrees with its code and with what Shopify accepts today: API 2026-07 with the
// matching @shopify/ui-extensions and Preact (no React), the documented entry shape in every module its toml names,
// a full-page target alone in its extension, typed `shopify` per target, and the shared shopper texts verbatim.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MEMBER_MESSAGES_EN, messageAt, messageKeys, type MessageTree } from "~/shared/member-messages";

const root = path.resolve(import.meta.dirname, "../../extensions");
const UI_EXTENSIONS = ["checkout-tier-banner", "account-member-card", "account-member-page", "pos-member-tile"];
const FULL_PAGE_TARGETS = ["customer-account.page.render", "customer-account.order.page.render"];
const read = (...p: string[]) => fs.readFileSync(path.join(root, ...p), "utf8");

/** The [[extensions.targeting]] pairs of a toml, read line by line (the files are ours and regular). */
function targetings(toml: string): { module: string; target: string }[] {
  const out: { module: string; target: string }[] = [];
  for (const block of toml.split("[[extensions.targeting]]").slice(1)) {
    const module = /^\s*module\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    const target = /^\s*target\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    if (module && target) out.push({ module, target });
  }
  return out;
}

describe("the extensions folder", () => {
  it("holds exactly these UI extensions (the Function and the theme are built differently)", () => {
    const ui = fs
      .readdirSync(root)
      .filter(
        (d) => fs.existsSync(path.join(root, d, "shopify.extension.toml")) && /^type = "ui_extension"$/m.test(read(d, "shopify.extension.toml")),
      );
    expect(ui.sort()).toEqual([...UI_EXTENSIONS].sort());
  });
});

describe.each(UI_EXTENSIONS)("%s", (ext) => {
  const toml = read(ext, "shopify.extension.toml");
  const pkg = JSON.parse(read(ext, "package.json")) as { name: string; dependencies: Record<string, string> };
  const pairs = targetings(toml);

  it("is a ui_extension on API 2026-07 with its own handle", () => {
    expect(toml).toMatch(/^api_version = "2026-07"$/m);
    expect(toml).toMatch(/^type = "ui_extension"$/m);
    expect(toml).toMatch(new RegExp(`^handle = "${ext}"$`, "m"));
    expect(pkg.name).toBe(ext);
  });

  it("depends on @shopify/ui-extensions of the same generation, Preact and its signals, and no React", () => {
    expect(pkg.dependencies["@shopify/ui-extensions"]).toMatch(/^[~^]?2026\.7\.\d+$/);
    expect(Object.keys(pkg.dependencies).sort()).toEqual(["@preact/signals", "@shopify/ui-extensions", "preact"]);
    for (const file of fs.readdirSync(path.join(root, ext, "src")))
      expect(read(ext, "src", file), file).not.toMatch(/ui-extensions-react|react-reconciler|from "react"/);
  });

  it("has the documented entry shape in every module its toml names", () => {
    expect(pairs.length).toBeGreaterThan(0);
    for (const { module } of pairs) {
      const source = read(ext, module);
      expect(source, module).toMatch(/^import "@shopify\/ui-extensions\/preact";$/m);
      expect(source, module).toMatch(/^import \{ render \} from "preact";$/m);
      expect(source, module).toMatch(/^export default async \(\) => \{$/m);
      expect(source, module).toMatch(/render\(<\w+[^>]*\/>, document\.body\)/);
    }
  });

  it("keeps a full-page target alone in its extension", () => {
    if (pairs.some((p) => FULL_PAGE_TARGETS.includes(p.target))) expect(pairs).toHaveLength(1);
  });

  it("types each module's `shopify` as its target's Api (shopify.d.ts, as the CLI writes it)", () => {
    const types = read(ext, "shopify.d.ts");
    for (const { module, target } of pairs) {
      expect(types).toContain(`declare module '${module}' {\n  const shopify: import('@shopify/ui-extensions/${target}').Api;`);
    }
  });

  it("compiles its JSX with Preact", () => {
    const tsconfig = JSON.parse(read(ext, "tsconfig.json")) as { compilerOptions: Record<string, unknown> };
    expect(tsconfig.compilerOptions).toMatchObject({ jsx: "react-jsx", jsxImportSource: "preact", strict: true });
  });

  it("carries every shared shopper text verbatim in locales/en.default.json, and every key its code uses", () => {
    const locale = JSON.parse(read(ext, "locales/en.default.json")) as MessageTree;
    for (const key of messageKeys(MEMBER_MESSAGES_EN)) expect(messageAt(locale, key), key).toBe(messageAt(MEMBER_MESSAGES_EN, key));
    const sources = fs.readdirSync(path.join(root, ext, "src")).map((f) => read(ext, "src", f));
    const used = [...new Set(sources.flatMap((s) => [...s.matchAll(/\bt\("([a-zA-Z.]+)"/g)].map((m) => m[1])))];
    for (const key of used) expect(messageAt(locale, key), key).not.toBeNull();
  });

  it("has a README that names its API version", () => {
    expect(read(ext, "README.md")).toMatch(/API 2026-07/);
  });
});

describe("checkout banner metafields", () => {
  it("declares the customer's $app:tierline keys the banner reads, each with owner_type CUSTOMER", () => {
    const toml = read("checkout-tier-banner", "shopify.extension.toml");
    const declared = [...toml.matchAll(/\[\[extensions\.metafields\]\]\s*namespace = "([^"]+)"\s*key = "([^"]+)"\s*owner_type = "([^"]+)"/g)].map(
      (m) => `${m[1]}.${m[2]} ${m[3]}`,
    );
    expect(declared).toEqual(["$app:tierline.level CUSTOMER", "$app:tierline.progress CUSTOMER", "$app:tierline.benefits CUSTOMER"]);
    expect(toml.split("[[extensions.metafields]]")).toHaveLength(declared.length + 1);
  });
});

describe("member card page settings", () => {
  it("declares exactly the settings the page reads", () => {
    const toml = read("account-member-page", "shopify.extension.toml");
    const declared = [...toml.matchAll(/^\s*key = "([a-z_]+)"$/gm)].map((m) => m[1]);
    const read_ = [...read("account-member-page", "src/MemberPage.tsx").matchAll(/settings\.([a-z_]+)/g)]
      .map((m) => m[1])
      .filter((k) => k !== "value");
    expect(declared.sort()).toEqual([...new Set(read_)].sort());
  });

  it("is linked from the profile block", () => {
    expect(read("account-member-card", "src/ProfileBlock.tsx")).toContain('"extension:account-member-page/"');
  });
});
