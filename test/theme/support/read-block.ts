import { Window } from "happy-dom";

/**
 * What a shopper reads in the rendered Membership levels block, section by section, with whitespace collapsed as a
 * browser shows it. Missing sections are null / [].
 */
export interface BlockReading {
  /** Anything rendered at all (the block renders nothing for shoppers without a programme). */
  empty: boolean;
  heading: string | null;
  guest: string | null;
  loginHref: string | null;
  notes: string[];
  hint: string | null;
  cards: CardReading[];
  member: MemberReading | null;
}

export interface CardReading {
  name: string;
  current: boolean;
  badge: string | null;
  reachLabel: string | null;
  /** One line per condition group, without the "or" that joins them. */
  requirements: string[];
  /** The "or" words between groups, as shown. */
  joiners: string[];
  /** Plain requirement text when the level is not reached by orders. */
  requirementNote: string | null;
  benefits: string[];
  benefitsNote: string | null;
  validity: string | null;
  /** The card's inline style (level card colours), or null with theme colours. */
  style: string | null;
}

export interface MemberReading {
  heading: string;
  level: string | null;
  status: string | null;
  validity: string | null;
  points: string | null;
  next: string | null;
  lines: { text: string; value: number | null; max: number | null; labelledBy: string | null }[];
  bar: { value: number; max: number } | null;
  paused: string | null;
  benefits: string[];
  none: string | null;
  style: string | null;
}

const text = (el: { textContent: string | null } | null | undefined): string | null =>
  el ? (el.textContent ?? "").replace(/\s+/g, " ").trim() : null;

export function readBlock(html: string): BlockReading {
  const window = new Window();
  const doc = window.document;
  doc.body.innerHTML = html;
  const root = doc.querySelector(".tierline");
  const cards: CardReading[] = [...doc.querySelectorAll(".tierline-card")].map((card) => {
    const reqList = card.querySelector(".tierline-card__requirements");
    const requirements: string[] = [];
    const joiners: string[] = [];
    for (const li of reqList ? [...reqList.querySelectorAll(":scope > li")] : []) {
      const or = li.querySelector(".tierline-or");
      if (or) joiners.push(text(or)!);
      const clone = li.cloneNode(true) as typeof li;
      clone.querySelector(".tierline-or")?.remove();
      requirements.push(text(clone)!);
    }
    const reachLabel = (reqList ?? card.querySelector(".tierline-card__requirement-note"))?.previousElementSibling ?? null;
    const benefitsList = card.querySelector(".tierline-card__benefits");
    return {
      name: text(card.querySelector(".tierline-card__name"))!,
      current: card.getAttribute("aria-current") === "true",
      badge: text(card.querySelector(".tierline-card__badge")),
      reachLabel: text(reachLabel),
      requirements,
      joiners,
      requirementNote: text(card.querySelector(".tierline-card__requirement-note")),
      benefits: benefitsList ? [...benefitsList.querySelectorAll("li")].map((li) => text(li)!) : [],
      benefitsNote: text(card.querySelector(".tierline-card__no-benefits")),
      validity: text(card.querySelector(".tierline-card__validity")),
      style: card.getAttribute("style"),
    };
  });
  const m = doc.querySelector(".tierline-member");
  const member: MemberReading | null = m
    ? {
        heading: text(m.querySelector(".tierline-member__heading"))!,
        level: text(m.querySelector(".tierline-member__level")),
        status: text(m.querySelector(".tierline-member__status")),
        validity: text(m.querySelector(".tierline-member__validity")),
        points: text(m.querySelector(".tierline-member__points")),
        next: text(m.querySelector(".tierline-member__next")),
        lines: [...m.querySelectorAll(".tierline-progress__line")].map((li) => {
          const bar = li.querySelector("progress");
          return {
            text: text(li.querySelector("span"))!,
            value: bar ? Number(bar.getAttribute("value")) : null,
            max: bar ? Number(bar.getAttribute("max")) : null,
            labelledBy: bar?.getAttribute("aria-labelledby") ?? null,
          };
        }),
        bar: (() => {
          const b = m.querySelector(":scope > progress");
          return b ? { value: Number(b.getAttribute("value")), max: Number(b.getAttribute("max")) } : null;
        })(),
        paused: text(m.querySelector(".tierline-member__paused")),
        benefits: [...m.querySelectorAll(".tierline-member__benefits li")].map((li) => text(li)!),
        none: text(m.querySelector(".tierline-member__none")),
        style: m.getAttribute("style"),
      }
    : null;
  const reading: BlockReading = {
    empty: html.trim() === "",
    heading: text(doc.querySelector(".tierline__heading")),
    guest: text(doc.querySelector(".tierline__guest")),
    loginHref: doc.querySelector(".tierline__guest a")?.getAttribute("href") ?? null,
    notes: [...doc.querySelectorAll(".tierline__note")].map((n) => text(n)!),
    hint: text(doc.querySelector(".tierline__hint")),
    cards,
    member,
  };
  void root;
  window.close();
  return reading;
}
