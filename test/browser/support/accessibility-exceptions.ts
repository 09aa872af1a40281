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
  /** Text that must all appear in the offending element's HTML. */
  readonly htmlIncludes?: readonly string[];
  readonly reason: string;
};

export const ACCESSIBILITY_EXCEPTIONS: readonly AccessibilityException[] = [
  {
    rule: 'aria-allowed-attr',
    path: /.*/,
    htmlIncludes: [
      'class="govuk-radios__input"',
      'type="radio"',
      'aria-expanded=',
      'aria-controls="conditional-',
    ],
    reason:
      "govuk-frontend's own radios script sets aria-expanded on a radio that reveals a conditional question " +
      '(the GOV.UK Design System "conditionally revealing a related question" pattern, researched by GDS with ' +
      'assistive technology users); axe-core 4.14 does not allow aria-expanded on radios. Only govuk-frontend radios controlling a ' +
      'conditional panel ("conditional-…") are excused.',
  },
];
