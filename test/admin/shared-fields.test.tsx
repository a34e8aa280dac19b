import { Banner, Checkbox, TextField } from "@shopify/polaris";
import { useState } from "react";
import { beforeEach, describe, expect, it } from "vitest";
import { DecimalField, MoneyField, PercentField } from "~/components/DecimalField/DecimalField";
import { ErrorBanner } from "~/components/ErrorBanner/ErrorBanner";
import { LevelChangeList } from "~/components/LevelChangeList/LevelChangeList";
import { SectionCard } from "~/components/SectionCard/SectionCard";
import { ToggleGroup } from "~/components/ToggleGroup/ToggleGroup";
import { change, installBrowserStandIns, renderAdmin } from "../support/admin-builders";

beforeEach(() => {
  installBrowserStandIns();
});

const noop = () => undefined;

describe("decimal fields", () => {
  it.each([
    {
      name: "MoneyField",
      el: <MoneyField label="Minimum order" currencyCode="EUR" value="5" onChange={noop} error="Too low" />,
      want: { prefix: "EUR", suffix: undefined, error: "Too low" },
    },
    {
      name: "PercentField",
      el: <PercentField label="Extra" value="5" onChange={noop} />,
      want: { prefix: undefined, suffix: "%", error: undefined },
    },
    {
      name: "DecimalField",
      el: <DecimalField label="Multiplier" suffix="×" value="1.5" onChange={noop} />,
      want: { prefix: undefined, suffix: "×", error: undefined },
    },
  ])("$name is a decimal text field without autofill", async ({ el, want }) => {
    const { autoComplete, inputMode, prefix, suffix, error } = (await renderAdmin(el)).root.findByType(TextField).props;
    expect({ autoComplete, inputMode, prefix, suffix, error }).toEqual({ autoComplete: "off", inputMode: "decimal", ...want });
  });
});

describe("ToggleGroup", () => {
  function Toggled() {
    const [on, setOn] = useState(false);
    return (
      <ToggleGroup label="Free shipping" checked={on} onChange={setOn}>
        <TextField label="Countries" autoComplete="off" value="" onChange={noop} />
      </ToggleGroup>
    );
  }

  it("shows its fields only while the checkbox is ticked", async () => {
    const r = await renderAdmin(<Toggled />);
    expect(r.root.findAllByType(TextField)).toHaveLength(0);
    await change(r, "Free shipping", true);
    expect(r.root.findByType(Checkbox).props.checked).toBe(true);
    expect(r.root.findAllByType(TextField).map((f) => f.props.label)).toEqual(["Countries"]);
    await change(r, "Free shipping", false);
    expect(r.root.findAllByType(TextField)).toHaveLength(0);
  });
});

describe("ErrorBanner", () => {
  it.each([
    { message: undefined, banners: 0 },
    { message: "", banners: 0 },
    { message: "Not saved", banners: 1 },
  ])("message $message shows $banners critical banner(s)", async ({ message, banners }) => {
    const found = (await renderAdmin(<ErrorBanner title="The level was not saved" message={message} />)).root.findAllByType(Banner);
    expect(found).toHaveLength(banners);
    if (banners) expect(found[0].props).toMatchObject({ tone: "critical", title: "The level was not saved" });
  });
});

describe("sections and lists", () => {
  it("SectionCard heads its content with an h2", async () => {
    const json = JSON.stringify((await renderAdmin(<SectionCard title="Member discount">body</SectionCard>)).toJSON());
    expect(json).toMatch(/"type":"h2".*"Member discount".*"body"/);
  });

  it.each([
    { items: [], want: ["No level changes yet."] },
    { items: ["Reached Gold", "Fell to Silver"], want: ["Reached Gold", "Fell to Silver"] },
  ])("LevelChangeList with $items.length change(s)", async ({ items, want }) => {
    const r = await renderAdmin(<LevelChangeList as="ol" gap="150" items={items} />);
    const text = JSON.stringify(r.toJSON());
    for (const w of want) expect(text).toContain(w);
    expect(r.root.findAllByType("li")).toHaveLength(items.length);
  });
});
