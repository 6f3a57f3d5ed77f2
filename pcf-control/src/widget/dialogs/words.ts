import type { PlanSummary } from '../../api/contract';
import type { Translate } from '../../strings/strings';

/** The Oneflow field a change concerns, in the widget's words. */
export function fieldLabel(t: Translate, field: string | null): string {
  switch (field) {
    case 'name':
      return t('Dialog_Field_Name');
    case 'description':
      return t('Dialog_Field_Description');
    case 'price_1.base_amount':
      return t('Dialog_Field_Price1');
    case 'price_1.discount_amount':
      return t('Dialog_Field_Discount1');
    case 'price_1.discount_percent':
      return t('Dialog_Field_DiscountPercent1');
    case 'price_2.base_amount':
      return t('Dialog_Field_Price2');
    case 'price_2.discount_amount':
      return t('Dialog_Field_Discount2');
    case 'price_2.discount_percent':
      return t('Dialog_Field_DiscountPercent2');
    case 'quantity':
      return t('Dialog_Field_Quantity');
    case null:
      return t('Dialog_Field_WholeProduct');
    default:
      return field;
  }
}

export type SideName = 'dynamics' | 'oneflow';

export function sideName(t: Translate, side: SideName): string {
  return side === 'dynamics' ? t('Dialog_Side_Dynamics') : t('Dialog_Side_Oneflow');
}

export { displayValue } from '../../ui/values';

/**
 * A plan's counts as one line ("1 product updated in Oneflow · 1 value held for review"); empty when it counts
 * nothing.
 */
export function summaryLine(t: Translate, summary: PlanSummary): string {
  const parts: string[] = [];
  const add = (count: number, one: () => string, other: () => string): void => {
    if (count > 0) parts.push(count === 1 ? one() : other());
  };
  const s = summary;
  add(
    s.productsCreated,
    () => t('Preview_Summary_Created_One'),
    () => t('Preview_Summary_Created_Other', s.productsCreated),
  );
  add(
    s.productsUpdated,
    () => t('Preview_Summary_Updated_One'),
    () => t('Preview_Summary_Updated_Other', s.productsUpdated),
  );
  add(
    s.productsDeleted,
    () => t('Preview_Summary_Deleted_One'),
    () => t('Preview_Summary_Deleted_Other', s.productsDeleted),
  );
  add(
    s.linesUpdated,
    () => t('Preview_Summary_Lines_One'),
    () => t('Preview_Summary_Lines_Other', s.linesUpdated),
  );
  add(
    s.conflictsOverwritten,
    () => t('Preview_Summary_Overwritten_One'),
    () => t('Preview_Summary_Overwritten_Other', s.conflictsOverwritten),
  );
  add(
    s.held,
    () => t('Preview_Summary_Held_One'),
    () => t('Preview_Summary_Held_Other', s.held),
  );
  add(
    s.untouchedProducts,
    () => t('Preview_Summary_Untouched_One'),
    () => t('Preview_Summary_Untouched_Other', s.untouchedProducts),
  );
  return parts.join(' · ');
}
