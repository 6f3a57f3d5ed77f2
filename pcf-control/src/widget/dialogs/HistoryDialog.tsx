import * as React from 'react';
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
  Text,
} from '@fluentui/react-components';
import type { ActivityChange } from '../../api/contract';
import type { Platform } from '../../platform/Platform';
import { describeError } from '../../api/errors';
import { useStrings, type Translate } from '../../strings/strings';
import { ActivityEntrySummary, useActivityPages } from '../../ui/activity';
import { ErrorBar } from '../../ui/ErrorBar';
import { useServices } from '../../ui/Services';
import { useDialogStyles } from './dialogs.styles';
import { lineLabel } from './previewRows';
import { displayValue, fieldLabel, sideName } from './words';

export interface HistoryDialogProps {
  recordId: string;
  onClose: () => void;
  /** Line names by Dynamics line id; a short id stands in for a missing one. */
  lineNames?: Readonly<Record<string, string>>;
}

/** Entries per page: the latest ones first, more on request. */
const HISTORY_PAGE_SIZE = 20;

/** One change of an entry in words: "Widget: Quantity 12 → 13 (Dynamics)". */
function changeWords(
  t: Translate,
  change: ActivityChange,
  lineNames: Readonly<Record<string, string>>,
  platform: Pick<Platform, 'formatDecimal'>,
): string {
  const line = change.lineId === null ? t('Preview_WholeContract') : lineLabel(change.lineId, lineNames);
  const field =
    change.oneflowField !== null
      ? fieldLabel(t, change.oneflowField)
      : (change.dynamicsField ?? t('Dialog_Field_WholeProduct'));
  const from = displayValue(change.old, platform);
  const to = displayValue(change.new, platform);
  const text =
    change.side === null
      ? t('History_ChangeNoSide', line, field, from, to)
      : t('History_Change', line, field, from, to, sideName(t, change.side));
  return change.note === undefined ? text : `${text}: ${change.note}`;
}

/** The record's sync history, field by field. */
export function HistoryDialog({ recordId, onClose, lineNames = {} }: HistoryDialogProps): React.ReactElement {
  const t = useStrings();
  const styles = useDialogStyles();
  const { platform } = useServices();
  const { pages: history, more: loadMore } = useActivityPages(HISTORY_PAGE_SIZE, { subject: { recordId } });
  const { entries, token } = history;

  return (
    <Dialog
      open
      onOpenChange={(_event, data) => {
        if (!data.open) onClose();
      }}
    >
      <DialogSurface className={styles.surface}>
        <DialogBody>
          <DialogTitle>{t('History_Title')}</DialogTitle>
          <DialogContent className={styles.content}>
            {history.status === 'failed' && (
              <ErrorBar error={describeError(history.error, t)} onRetry={loadMore} />
            )}
            {history.status === 'loaded' && entries.length === 0 && <Text block>{t('History_Empty')}</Text>}
            {entries.length > 0 && (
              <Accordion multiple collapsible>
                {entries.map((entry) => (
                  <AccordionItem key={entry.id} value={entry.id}>
                    <AccordionHeader>
                      <ActivityEntrySummary entry={entry} />
                    </AccordionHeader>
                    <AccordionPanel>
                      {entry.changes.length === 0 ? (
                        <Text block className={styles.secondary}>
                          {t('History_NoChanges')}
                        </Text>
                      ) : (
                        <ul className={styles.list}>
                          {entry.changes.map((change, index) => (
                            <li key={`${change.lineId ?? ''}-${change.oneflowField ?? ''}-${String(index)}`}>
                              {changeWords(t, change, lineNames, platform)}
                            </li>
                          ))}
                        </ul>
                      )}
                    </AccordionPanel>
                  </AccordionItem>
                ))}
              </Accordion>
            )}
            {history.status === 'loading' && <Spinner size="small" label={t('History_Loading')} />}
          </DialogContent>
          <DialogActions>
            {history.status === 'loaded' && token !== null && (
              <Button onClick={loadMore}>{t('History_LoadMore')}</Button>
            )}
            <Button onClick={onClose}>{t('Dialog_Close')}</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
