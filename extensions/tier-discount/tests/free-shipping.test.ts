import { describe, expect, it } from "vitest";
import { cartDeliveryOptionsDiscountsGenerateRun, planFreeShipping } from "../src/cart_delivery_options_discounts_generate_run";
import { config, deliveryGroup, deliveryInput, goldBenefits, goldLevel, type DiscountClassName } from "./support/function-input";

const groups = [deliveryGroup(1, "US"), deliveryGroup(2, "FR"), deliveryGroup(3, null)];

function freeGroups(opts: {
  countries?: string[] | null;
  minimumOrder?: string | null;
  subtotal?: string;
  rate?: string;
  classes?: DiscountClassName[];
  level?: unknown;
  enabled?: boolean;
  discountOnly?: boolean;
}): number[] {
  const benefits = opts.discountOnly
    ? goldBenefits()
    : goldBenefits({ freeShipping: { countries: opts.countries ?? null, minimumOrder: opts.minimumOrder ?? null } });
  const result = planFreeShipping(
    deliveryInput({
      config: config({ gold: benefits }, opts.enabled ?? true),
      level: opts.level,
      classes: opts.classes,
      rate: opts.rate,
      subtotal: opts.subtotal ?? "100.0",
      groups,
    }),
  );
  return result.operations.flatMap((op) =>
    op.deliveryDiscountsAdd!.candidates.flatMap((c) => c.targets.map((t) => Number(t.deliveryGroup!.id.split("/").pop()))),
  );
}

describe("free shipping", () => {
  it.each([
    ["everywhere when the level names no countries, even without an address", {}, [1, 2, 3]],
    ["only to the level's countries; no address is no match", { countries: ["US"] }, [1]],
    ["minimum met exactly", { minimumOrder: "100.00" }, [1, 2, 3]],
    ["minimum not met", { minimumOrder: "100.01" }, []],
    ["minimum converted to the cart's currency (50.00 × 2 = 100.00)", { minimumOrder: "50.00", rate: "2.0" }, [1, 2, 3]],
    ["minimum converted and not met (50.01 × 2)", { minimumOrder: "50.01", rate: "2.0" }, []],
    ["not without the SHIPPING class", { classes: ["PRODUCT", "ORDER"] as DiscountClassName[] }, []],
    ["not for a frozen member", { level: goldLevel({ status: "frozen" }) }, []],
    ["not when the program is off", { enabled: false }, []],
    ["not when the level has no free shipping", { discountOnly: true }, []],
    ["not for a guest (no level metafield)", { level: null }, []],
  ])("%s", (_case, opts, expected) => {
    expect(freeGroups(opts)).toEqual(expected);
  });

  it("never throws on input Shopify would never send", () => {
    expect(cartDeliveryOptionsDiscountsGenerateRun({} as never)).toEqual({ operations: [] });
    expect(cartDeliveryOptionsDiscountsGenerateRun(deliveryInput({ config: "nope", subtotal: "1.0", groups }))).toEqual({ operations: [] });
  });
});
