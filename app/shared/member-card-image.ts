/**
 * The member card as a small SVG image. Shopify's extension components take no custom colours, so the merchant's
 * card style (background, text and level colours, badge) reaches the shopper as an image; every word on it is also
 * rendered as text beside it, so the card carries no information of its own.
 */

import type { CardStyleView } from "./member-view";

const BADGE_GLYPHS: Record<string, string> = {
  star: "★",
  crown: "♛",
  diamond: "◆",
  gem: "◆",
  trophy: "🏆",
  medal: "🏅",
  heart: "♥",
  leaf: "❦",
  none: "",
};

export interface MemberCardImageInput {
  levelName: string;
  /** Second line, e.g. the validity; omitted when null (hidden dates). */
  caption: string | null;
  card: CardStyleView;
}

export const MEMBER_CARD_WIDTH = 320;
export const MEMBER_CARD_HEIGHT = 180;

export function memberCardSvg(input: MemberCardImageInput): string {
  const { card } = input;
  const glyph = BADGE_GLYPHS[card.badge] ?? BADGE_GLYPHS.star;
  const name = escapeXml(truncate(input.levelName, 24));
  const caption = input.caption
    ? `<text x="24" y="152" font-size="13" fill="${card.text}" opacity="0.85">${escapeXml(truncate(input.caption, 44))}</text>`
    : "";
  const badge = glyph ? `<text x="296" y="48" font-size="28" text-anchor="end" fill="${card.levelColor}">${glyph}</text>` : "";
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${MEMBER_CARD_WIDTH}" height="${MEMBER_CARD_HEIGHT}" viewBox="0 0 ${MEMBER_CARD_WIDTH} ${MEMBER_CARD_HEIGHT}" font-family="system-ui, sans-serif">` +
    `<rect width="${MEMBER_CARD_WIDTH}" height="${MEMBER_CARD_HEIGHT}" rx="14" fill="${card.background}"/>` +
    badge +
    `<text x="24" y="104" font-size="30" font-weight="700" fill="${card.levelColor}">${name}</text>` +
    caption +
    `</svg>`
  );
}

/** A `data:` URL for an Image component's `source`. */
export function memberCardImageSource(input: MemberCardImageInput): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(memberCardSvg(input))}`;
}

function truncate(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join("")}…`;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}
