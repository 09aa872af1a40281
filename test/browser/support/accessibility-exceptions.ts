/**
 * The ONE place where an accessibility finding may be accepted. Every browser test runs axe-core on
 * every page it visits (see accessibility.ts) and fails on any violation not listed here.
 *
 * Fix the template instead wherever you can (GOV.UK Design System patterns). An entry needs the axe
 * rule id, the page path it applies to (a RegExp on the URL path), optionally a CSS selector that
 * must appear in the node's target, and a reason a reviewer would accept. Keep this list short.
 */
export type AccessibilityException = {
  readonly rule: string;
  readonly path: RegExp;
  readonly target?: string;
  readonly reason: string;
};

export const ACCESSIBILITY_EXCEPTIONS: readonly AccessibilityException[] = [];
