import { act } from "react-test-renderer";
import { MemoryRouter } from "react-router-dom";
import { beforeEach, describe, expect, it } from "vitest";
import { BenefitsForm } from "~/components/BenefitsForm/BenefitsForm";
import { GrowthChart } from "~/components/GrowthChart/GrowthChart";
import { LevelForm } from "~/components/LevelForm/LevelForm";
import { PreviewTable } from "~/components/PreviewTable/PreviewTable";
import { SettingsForm } from "~/components/SettingsForm/SettingsForm";
import { applyPointsRules, benefitsFormValues, NO_SHOPPER_BENEFITS, parseBenefitsForm, shopperBenefitsOf } from "~/forms/benefits-form";
import { applyLevelForm, levelFormValues, parseLevelForm } from "~/forms/level-form";
import { DEFAULT_TEMPLATES } from "~/forms/notification-templates";
import { parseSettingsForm, settingsFormValues } from "~/forms/settings-form";
import {
  change,
  click,
  control,
  installBrowserStandIns,
  labels,
  programJson,
  renderAdmin,
  submit,
  type PickerStandIn,
} from "../support/admin-builders";

let picker: PickerStandIn;
beforeEach(() => {
  picker = installBrowserStandIns();
});

describe("LevelForm", () => {
  async function render(errors?: Record<string, string>) {
    const sent: Record<string, unknown>[] = [];
    const r = await renderAdmin(
      <LevelForm initial={levelFormValues(null)} currencyCode="USD" retentionOn={false} errors={errors} onSubmit={(p) => sent.push(p)} />,
    );
    return { r, sent };
  }

  it("gives every control a stable accessible label", async () => {
    const { r } = await render();
    expect(labels(r)).toEqual(
      expect.arrayContaining([
        "Level name",
        "Enabled",
        "Internal only",
        "Upgrade group 1, condition 1: kind",
        "Upgrade group 1, condition 1: amount",
        "Upgrade group 1, condition 1: window in days",
        "Upgrade group 1, condition 1: role",
        "Retention amount",
        "Badge",
        "Background colour",
        "Text colour",
        "Level colour",
        "Hide dates on the member card",
      ]),
    );
    expect(() => control(r, "Save level")).not.toThrow();
    expect(() => control(r, "Add upgrade condition group")).not.toThrow();
  });

  it("builds OR-of-AND groups with picked products, and submits what the server accepts", async () => {
    const { r, sent } = await render();
    await change(r, "Level name", "Gold");
    await change(r, "Upgrade group 1, condition 1: amount", "1,000");
    await click(r, "Add a condition to upgrade group 1");
    await change(r, "Upgrade group 1, condition 2: kind", "itemCount");
    await change(r, "Upgrade group 1, condition 2: count", "5");
    picker.next = [{ id: "gid://shopify/Product/7", title: "VIP card" }];
    await click(r, "Upgrade group 1, condition 2: pick products");
    expect(picker.calls).toEqual([expect.objectContaining({ type: "product", multiple: true })]);
    await click(r, "Add upgrade condition group");
    await change(r, "Upgrade group 2, condition 1: kind", "orderCount");
    await change(r, "Upgrade group 2, condition 1: count", "10");
    await change(r, "Upgrade group 2, condition 1: window in days", "365");
    await change(r, "Upgrade group 2, condition 1: role", "upgrade");
    await change(r, "Background colour", "#000000");
    await submit(r);

    expect(sent).toHaveLength(1);
    const { program } = applyLevelForm(programJson({ levels: [] }), null, parseLevelForm(sent[0]));
    expect(program.levels![0]).toMatchObject({
      id: "gold",
      name: "Gold",
      upgrade: [
        [
          { kind: "accumulatedSpend", amount: "1000.00" },
          { kind: "itemCount", count: 5, scope: { productIds: ["gid://shopify/Product/7"] } },
        ],
        [{ kind: "orderCount", count: 10, windowDays: 365, role: "upgrade" }],
      ],
      card: { background: "#000000" },
      resourceTitles: { "gid://shopify/Product/7": "VIP card" },
    });
  });

  it("a cancelled picker keeps what was picked", async () => {
    const { r, sent } = await render();
    await change(r, "Upgrade group 1, condition 1: kind", "productPurchase");
    picker.next = [{ id: "gid://shopify/Product/1", title: "A" }];
    await click(r, "Upgrade group 1, condition 1: pick products");
    picker.next = undefined;
    await click(r, "Upgrade group 1, condition 1: pick products");
    await submit(r);
    expect((sent[0].upgrade as any)[0][0].scope.productIds).toEqual(["gid://shopify/Product/1"]);
  });

  it("shows each error on its own field", async () => {
    const { r } = await render({
      "upgrade[0][0].amount": "thresholds must rise with rank",
      name: "Name is required",
      "card.text": "Text colour must be a colour like #1f2937",
      _form: "Gold: something else",
    });
    expect(control(r, "Upgrade group 1, condition 1: amount").props.error).toBe("thresholds must rise with rank");
    expect(control(r, "Level name").props.error).toBe("Name is required");
    expect(control(r, "Text colour").props.error).toBe("Text colour must be a colour like #1f2937");
    expect(JSON.stringify(r.toJSON())).toContain("Gold: something else");
  });
});

describe("BenefitsForm", () => {
  it("turns benefits on, fills them in and submits what the server accepts", async () => {
    const sent: Record<string, unknown>[] = [];
    const r = await renderAdmin(
      <BenefitsForm
        levelName="Gold"
        initial={benefitsFormValues(programJson(), "gold", NO_SHOPPER_BENEFITS)}
        currencyCode="USD"
        onSubmit={(p) => sent.push(p)}
      />,
    );
    await change(r, "Give members of this level a discount", true);
    await change(r, "Discount value", "15");
    await change(r, "Discount minimum order", "40");
    await change(r, "Combines with order discounts", true);
    picker.next = [{ id: "gid://shopify/Collection/3", title: "Summer" }];
    await click(r, "Discount: pick collections");
    await change(r, "Give members of this level free shipping", true);
    await change(r, "Free shipping countries", "us, ca");
    await click(r, "Add earn rule");
    await change(r, "Earn rule 1: points", "2");
    await change(r, "Welcome discount on reaching this level", true);
    await change(r, "Welcome discount value", "10");
    await change(r, "Welcome discount valid for days", "14");
    await click(r, "Add custom privilege");
    await change(r, "Privilege 1: title", "Early access");
    await submit(r);
    const b = shopperBenefitsOf(parseBenefitsForm(sent[0]));
    expect(b.discount).toMatchObject({
      type: "percentage",
      value: "15",
      minimumOrder: "40.00",
      combinesWith: { productDiscounts: false, orderDiscounts: true, shippingDiscounts: true },
    });
    expect(b.freeShipping).toEqual({ countries: ["US", "CA"], minimumOrder: null });
    expect(b.welcome).toMatchObject({ validDays: 14 });
    expect(b.custom.map((c) => c.title)).toEqual(["Early access"]);
    expect(b.discount!.scope).toEqual({ collectionIds: ["gid://shopify/Collection/3"] });
    // The picked collection's title is kept so the editor shows "Summer", not an id, when reopened.
    const stored = applyPointsRules(programJson(), "gold", parseBenefitsForm(sent[0]));
    expect(benefitsFormValues(stored, "gold", b).resourceTitles).toEqual({ "gid://shopify/Collection/3": "Summer" });
    expect(parseBenefitsForm(sent[0]).points.rules).toEqual([
      { per: "amount", every: "1.00", points: 2, prorate: true, scope: null, excludeDiscountCodes: false },
    ]);
  });
});

describe("SettingsForm", () => {
  it("shows the fields the chosen kinds need, previews templates live and submits what the server accepts", async () => {
    const sent: Record<string, unknown>[] = [];
    const r = await renderAdmin(<SettingsForm initial={settingsFormValues(programJson(), DEFAULT_TEMPLATES)} onSubmit={(p) => sent.push(p)} />);
    expect(() => control(r, "Rolling window in days")).toThrow();
    await change(r, "Counting window", "rolling");
    await change(r, "Rolling window in days", "90");
    await change(r, "Level validity", "days");
    await change(r, "Validity in days", "180");
    await change(r, "Level-up subject", "Hi {name}, welcome to {levle}");
    expect(control(r, "Level-up subject").props.error).toBe("Unknown placeholder {levle}");
    await change(r, "Level-up subject", "Hi {name}, welcome to {level}");
    expect(control(r, "Level-up subject").props.error).toBeUndefined();
    expect(JSON.stringify(r.toJSON())).toContain("Hi Ada, welcome to Gold");
    await change(r, "Participating channels", ["online_store", "pos"]);
    await submit(r);
    expect(parseSettingsForm(sent[0])).toMatchObject({
      window: { kind: "rolling", days: 90 },
      validity: { kind: "days", days: 180 },
      channels: ["online_store", "pos"],
    });
  });
});

describe("small components", () => {
  it("GrowthChart describes its data for screen readers", async () => {
    const r = await renderAdmin(
      <GrowthChart
        points={[
          { date: "2026-01-01", count: 3 },
          { date: "2026-03-01", count: 12 },
        ]}
      />,
    );
    const svg = r.root.findByType("svg");
    expect(svg.props["aria-label"]).toBe("Members over time: 3 on 2026-01-01, 12 on 2026-03-01");
  });

  it("PreviewTable links each non-zero cell to its members", async () => {
    let r!: Awaited<ReturnType<typeof renderAdmin>>;
    await act(async () => {
      r = await renderAdmin(
        <MemoryRouter>
          <PreviewTable
            rows={[{ levelId: "silver", levelName: "Silver", up: 2, down: 0, stay: 5 }]}
            drillHref={(id, move) => `/app/members?moveFrom=${id}&move=${move}`}
          />
        </MemoryRouter>,
      );
    });
    const links = r.root.findAll((n) => n.type === "a").map((a) => [a.props.href, a.props["aria-label"]]);
    expect(links).toEqual([
      ["/app/members?moveFrom=silver&move=up", "2 Silver members move up"],
      ["/app/members?moveFrom=silver&move=stay", "5 Silver members stay"],
    ]);
  });
});
