// Rendering extension React trees without a Shopify runtime: Shopify's components are mocked as plain host
// elements (their names as strings), so react-test-renderer shows exactly what an extension asked to draw.
import type { ReactElement } from "react";
import { act, create, type ReactTestInstance, type ReactTestRenderer } from "react-test-renderer";

// React 18 wants this flag to allow act() outside a DOM test environment.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export interface Rendered {
  renderer: ReactTestRenderer;
  /** Every text the tree shows, in order, each host element's own text joined. */
  texts(): string[];
  /** Host elements of one component type ("Badge", "Progress"…). */
  all(type: string): ReactTestInstance[];
  isEmpty(): boolean;
}

export async function render(element: ReactElement): Promise<Rendered> {
  let renderer!: ReactTestRenderer;
  await act(async () => {
    renderer = create(element);
  });
  await settle();
  return wrap(renderer);
}

/** Lets pending fetches and the state updates they cause finish. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
  }
}

function wrap(renderer: ReactTestRenderer): Rendered {
  return {
    renderer,
    texts: () => collectTexts(renderer.root),
    all: (type) => renderer.root.findAll((n) => n.type === type),
    isEmpty: () => renderer.toJSON() === null,
  };
}

function collectTexts(node: ReactTestInstance): string[] {
  const out: string[] = [];
  const own: string[] = [];
  for (const child of node.children) {
    if (typeof child === "string") own.push(child);
    else out.push(...collectTexts(child));
  }
  // A host element's direct strings form one text ("Spend ", "$3.00", " more" render as siblings).
  return typeof node.type === "string" && own.length > 0 ? [own.join(""), ...out] : [...own, ...out];
}
