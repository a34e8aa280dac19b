import { describe, expect, it } from "vitest";
import { memberCardImageSource, memberCardSvg } from "~/shared/member-card-image";
import { cardStyle } from "~/shared/member-view";

const card = cardStyle({ badge: "crown", background: "#112233", text: "#ffffff", levelColor: "#d4af37", hideDates: false });

describe("member card image", () => {
  it("paints the merchant's colours and badge", () => {
    const svg = memberCardSvg({ levelName: "Gold", caption: "Valid until March 2, 2027", card });
    expect(svg).toContain('fill="#112233"');
    expect(svg).toContain('fill="#d4af37">Gold</text>');
    expect(svg).toContain("♛");
    expect(svg).toContain("Valid until March 2, 2027");
  });

  it("leaves the caption out when dates are hidden, and the badge out for 'none'", () => {
    const svg = memberCardSvg({ levelName: "Gold", caption: null, card: { ...card, badge: "none" } });
    expect(svg.match(/<text/g)).toHaveLength(1);
  });

  it("escapes a level name that looks like markup", () => {
    const svg = memberCardSvg({ levelName: `<script>"&'`, caption: null, card });
    expect(svg).toContain("&lt;script&gt;&quot;&amp;&apos;");
    expect(svg).not.toContain("<script>");
  });

  it("is a data URL that decodes back to the SVG", () => {
    const input = { levelName: "Or & Platine", caption: "2. März 2027", card };
    const source = memberCardImageSource(input);
    expect(source.startsWith("data:image/svg+xml;charset=utf-8,")).toBe(true);
    expect(decodeURIComponent(source.slice(source.indexOf(",") + 1))).toBe(memberCardSvg(input));
  });
});
