/**
 * What a shopper reads from rendered Polaris web components, in document order: each element's `heading` /
 * `subheading` (the components draw them) and its own text, one line each. Labels read by assistive technology only
 * (`accessibilityLabel`, `alt`) are left out. Self-contained on purpose: the browser suite hands it to
 * `locator.evaluate`, which runs it inside the page; the DOM tests call it directly.
 */
export function readableText(root: Element): string[] {
  const lines: string[] = [];
  const visit = (el: Element) => {
    for (const attr of ["heading", "subheading"]) {
      const v = el.getAttribute(attr);
      if (v) lines.push(v);
    }
    const own = [...el.childNodes]
      .filter((n) => n.nodeType === 3)
      .map((n) => n.textContent ?? "")
      .join("")
      .trim();
    if (own) lines.push(own);
    for (const child of el.children) visit(child);
  };
  for (const child of root.children) visit(child);
  return lines;
}
