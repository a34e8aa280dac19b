import { beforeEach, describe, expect, it } from "vitest";
import { SettingsForm } from "~/components/SettingsForm/SettingsForm";
import { DEFAULT_TEMPLATES } from "~/forms/notification-templates";
import { parseSettingsForm, settingsFormValues } from "~/forms/settings-form";
import { change, control, installBrowserStandIns, programJson, renderAdmin, submit } from "../support/admin-builders";

// The settings page's "Points redemption" section as the merchant uses it.

beforeEach(() => {
  installBrowserStandIns();
});

describe("SettingsForm: points redemption", () => {
  it("is off until ticked, then submits the rate, minimum, step and store credit the server saves", async () => {
    const sent: Record<string, unknown>[] = [];
    const r = await renderAdmin(<SettingsForm initial={settingsFormValues(programJson(), DEFAULT_TEMPLATES)} onSubmit={(p) => sent.push(p)} />);
    expect(() => control(r, "Points")).toThrow();
    await change(r, "Shoppers can redeem points", true);
    expect(control(r, "Are worth (USD)").props.value).toBe("5.00");
    await change(r, "Points", "250");
    await change(r, "Are worth (USD)", "10");
    await change(r, "Minimum points per redemption", "500");
    await change(r, "Step", "250");
    await change(r, "Offer Shopify store credit too", true);
    await submit(r);
    expect(parseSettingsForm(sent[0]).redemption).toEqual({
      enabled: true,
      points: 250,
      value: "10.00",
      minimumPoints: 500,
      stepPoints: 250,
      storeCredit: true,
    });
  });

  it("shows the server's message beside the field it names", async () => {
    const values = settingsFormValues(programJson(), DEFAULT_TEMPLATES, {
      enabled: true,
      points: 100,
      value: "5.00",
      minimumPoints: 200,
      stepPoints: 100,
      storeCredit: false,
    });
    const r = await renderAdmin(
      <SettingsForm
        initial={values}
        errors={{ "redemption.minimumPoints": "Minimum points must be a multiple of the step (100)" }}
        onSubmit={() => {}}
      />,
    );
    expect(control(r, "Minimum points per redemption").props.error).toMatch(/multiple of the step/);
  });
});
