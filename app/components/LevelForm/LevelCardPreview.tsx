import type { CardStyle } from "~/forms/level-form";

const BADGE_GLYPHS: Record<string, string> = {
  star: "★",
  crown: "♛",
  diamond: "◆",
  gem: "✦",
  trophy: "🏆",
  medal: "🎖",
  heart: "♥",
  leaf: "❦",
  none: "",
};

/** How the member card looks in customer accounts, so card colours can be judged before saving. */
export function LevelCardPreview({
  name,
  card,
  since = "2026-03-02",
  until = "2027-03-02",
}: {
  name: string;
  card: CardStyle;
  since?: string;
  until?: string;
}) {
  return (
    <div
      role="img"
      aria-label={`Member card preview for ${name || "this level"}`}
      style={{
        background: card.background,
        color: card.text,
        borderRadius: 12,
        padding: 16,
        minHeight: 110,
        display: "flex",
        flexDirection: "column",
        justifyContent: "space-between",
        maxWidth: 320,
      }}
    >
      <div style={{ display: "flex", alignItems: "center", gap: 8 }}>
        {card.badge !== "none" && <span style={{ color: card.levelColor, fontSize: 22 }}>{BADGE_GLYPHS[card.badge]}</span>}
        <strong style={{ color: card.levelColor, fontSize: 18 }}>{name || "Level name"}</strong>
      </div>
      {!card.hideDates && (
        <div style={{ fontSize: 12, opacity: 0.85 }}>
          Member since {since} · valid until {until}
        </div>
      )}
    </div>
  );
}
