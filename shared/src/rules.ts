/** The sync rules of the design, by id, in plain words (the widget and the activity ledger show these). */
export const RULES = {
  T1: 'Create contract: every line becomes an Oneflow product with every mapped field, whatever its direction',
  P1: 'Push, linked line and product: write only Dynamics-to-Oneflow and two-way fields whose values differ, never sync-once fields',
  P2: 'Push, line with no link (added in Dynamics): create its Oneflow product with all mapped fields and link it',
  P3: 'Push, line deleted in Dynamics: delete its Oneflow product and drop the link',
  P4: 'Push, product with no link (added by hand in Oneflow): left untouched, never deleted',
  P5: 'Push, product deleted in Oneflow: re-create it, because push makes the table match Dynamics',
  F1: 'Fetch, product deleted in Oneflow: its Dynamics line is not deleted; the link is marked',
  F2: 'Fetch, product added in Oneflow: not brought into Dynamics',
  F3: 'Fetch, linked pair: write only two-way and Oneflow-to-Dynamics fields whose values differ',
  F4: 'Fetch, built-in sales lines: price per unit is applied only to write-in lines; on a catalog line it is skipped',
  OFF: 'Product sync is turned off: nothing moves in either direction',
  SETTINGS: 'Settings must be valid before anything moves',
} as const;

export type RuleId = keyof typeof RULES;
