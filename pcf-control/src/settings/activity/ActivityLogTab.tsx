import * as React from 'react';
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Button,
  Field,
  Input,
  Radio,
  RadioGroup,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { ActivityChange, ActivityEntry } from '../../api/contract';
import { describeError } from '../../api/errors';
import type { ActivitySubject } from '../../api/SyncApiClient';
import { useStrings, type Translate } from '../../strings/strings';
import { ActivityEntrySummary, useActivityPages, type ActivityPages } from '../../ui/activity';
import { ErrorBar } from '../../ui/ErrorBar';
import { useServices } from '../../ui/Services';
import { displayValue } from '../../ui/values';
import { ACTIVITY_FILTERS, readSubject, type ActivityFilter, type SubjectKind } from './activityFilter';

/** Entries per page, newest first; "Load more" continues where the page ended. */
const ACTIVITY_PAGE_SIZE = 20;

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
  filter: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalS,
  },
  idField: { minWidth: '22em' },
  // Level with the input below its label, whether or not a hint or problem shows under it.
  show: { marginTop: tokens.spacingVerticalXXL },
  secondary: { color: tokens.colorNeutralForeground2 },
  code: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: 'anywhere',
  },
  note: { overflowWrap: 'anywhere' },
  footer: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM },
  entry: { borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}` },
  // Columns as wide as their content: a long note gets the room, short sides and values keep little.
  changes: { tableLayout: 'auto' },
});

const SUBJECT_KEYS: Record<SubjectKind, { label: string; hint: string }> = {
  contract: { label: 'Activity_ByContract', hint: 'Activity_Id_Hint_Contract' },
  record: { label: 'Activity_ByRecord', hint: 'Activity_Id_Hint_Record' },
};

const FILTER_KEYS: Record<ActivityFilter, { label: string; empty: string }> = {
  all: { label: 'Activity_Filter_All', empty: 'Activity_Empty_All' },
  failed: { label: 'Activity_Filter_Failed', empty: 'Activity_Empty_Failed' },
  needs_attention: { label: 'Activity_Filter_Held', empty: 'Activity_Empty_Held' },
  interrupted: { label: 'Activity_Filter_Interrupted', empty: 'Activity_Empty_Interrupted' },
};

const CHANGE_COLUMNS = [
  'Activity_Col_Line',
  'Activity_Col_Field',
  'Activity_Col_Side',
  'Activity_Col_Values',
  'Activity_Col_Rule',
] as const;

function subjectWords(t: Translate, subject: ActivitySubject): string {
  return 'contractId' in subject
    ? t('Activity_Subject_Contract', subject.contractId)
    : t('Activity_Subject_Record', subject.recordId);
}

/** How many entries are listed, in words that never claim more than the API said. */
function countWords(t: Translate, pages: ActivityPages, subject: string): string {
  const shown = pages.entries.length;
  if (pages.total !== null) {
    return pages.total === 1
      ? t('Activity_Count_One', subject)
      : t('Activity_Count_Total', pages.total, subject);
  }
  return pages.token === null
    ? t('Activity_Count_AllShown', shown, subject)
    : t('Activity_Count_Partial', shown, subject);
}

function ChangesTable({ entry }: { entry: ActivityEntry }): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const { platform } = useServices();
  if (entry.changes.length === 0) {
    return (
      <Text block className={styles.secondary}>
        {t('Activity_NoChanges')}
      </Text>
    );
  }
  const fieldWords = (change: ActivityChange): string => {
    if (change.dynamicsField !== null && change.oneflowField !== null) {
      return t('Activity_Field_Both', change.dynamicsField, change.oneflowField);
    }
    return change.dynamicsField ?? change.oneflowField ?? t('Activity_Field_WholeProduct');
  };
  const sideWords = (change: ActivityChange): string => {
    switch (change.side) {
      case 'dynamics':
        return t('Activity_Side_Dynamics');
      case 'oneflow':
        return t('Activity_Side_Oneflow');
      case null:
        return t('Activity_Side_None');
    }
  };
  return (
    <Table size="small" className={styles.changes} aria-label={t('Activity_Changes_Label')}>
      <TableHeader>
        <TableRow>
          {CHANGE_COLUMNS.map((key) => (
            <TableHeaderCell key={key}>{t(key)}</TableHeaderCell>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {entry.changes.map((change, index) => (
          <TableRow key={`${change.lineId ?? ''}-${change.oneflowField ?? ''}-${String(index)}`}>
            <TableCell>
              {change.lineId === null ? (
                t('Activity_Line_WholeContract')
              ) : (
                <span>
                  <Text block className={styles.code}>
                    {change.lineId}
                  </Text>
                  {change.productId !== null && (
                    <Text block size={200} className={styles.secondary}>
                      {t('Activity_Line_Product', change.productId)}
                    </Text>
                  )}
                </span>
              )}
            </TableCell>
            <TableCell className={styles.code}>{fieldWords(change)}</TableCell>
            <TableCell>{sideWords(change)}</TableCell>
            <TableCell>
              {t('Activity_Values', displayValue(change.old, platform), displayValue(change.new, platform))}
            </TableCell>
            <TableCell className={styles.note}>
              {change.note === undefined ? change.rule : t('Activity_RuleNote', change.rule, change.note)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** What product sync did, by contract or record, field by field. */
export function ActivityLogTab(): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const [kind, setKind] = React.useState<SubjectKind>('contract');
  const [text, setText] = React.useState('');
  const [problem, setProblem] = React.useState<string | null>(null);
  const [filter, setFilter] = React.useState<ActivityFilter>('all');
  const { pages, show, more } = useActivityPages(ACTIVITY_PAGE_SIZE);
  const inputRef = React.useRef<HTMLInputElement>(null);

  const showFor = (subject: ActivitySubject, outcome: ActivityFilter): void => {
    show(outcome === 'all' ? { subject } : { subject, outcome });
  };

  const submit = (event: React.FormEvent): void => {
    event.preventDefault();
    const read = readSubject(kind, text);
    if ('problem' in read) {
      setProblem(t(read.problem));
      inputRef.current?.focus();
      return;
    }
    setProblem(null);
    showFor(read.subject, filter);
  };

  const shownSubject = pages.query?.subject ?? null;
  const shownWords = shownSubject === null ? '' : subjectWords(t, shownSubject);
  const shownFilter: ActivityFilter =
    ACTIVITY_FILTERS.find((candidate) => candidate === pages.query?.outcome) ?? 'all';
  const settled = pages.status === 'loaded' || pages.status === 'failed';

  return (
    <div className={styles.root}>
      <Text block className={styles.secondary}>
        {t('Activity_Intro')}
      </Text>
      <form className={styles.filter} onSubmit={submit} noValidate>
        <Field label={t('Activity_FilterBy')}>
          <RadioGroup
            layout="horizontal"
            value={kind}
            onChange={(_event, data) => {
              setKind(data.value === 'record' ? 'record' : 'contract');
              setProblem(null);
            }}
          >
            <Radio value="contract" label={t('Activity_ByContract')} />
            <Radio value="record" label={t('Activity_ByRecord')} />
          </RadioGroup>
        </Field>
        <Field
          className={styles.idField}
          label={t(SUBJECT_KEYS[kind].label)}
          hint={problem === null ? t(SUBJECT_KEYS[kind].hint) : undefined}
          validationState={problem === null ? 'none' : 'error'}
          validationMessage={problem ?? undefined}
        >
          <Input
            ref={inputRef}
            value={text}
            inputMode={kind === 'contract' ? 'numeric' : 'text'}
            onChange={(_event, data) => {
              setText(data.value);
            }}
          />
        </Field>
        <Button type="submit" appearance="primary" className={styles.show}>
          {t('Activity_Show')}
        </Button>
      </form>
      <Field label={t('Activity_Outcome_Label')}>
        <RadioGroup
          layout="horizontal"
          value={filter}
          onChange={(_event, data) => {
            const next = ACTIVITY_FILTERS.find((candidate) => candidate === data.value) ?? 'all';
            setFilter(next);
            // A listing already shown follows the filter at once; otherwise Show applies it.
            if (shownSubject !== null) showFor(shownSubject, next);
          }}
        >
          {ACTIVITY_FILTERS.map((value) => (
            <Radio key={value} value={value} label={t(FILTER_KEYS[value].label)} />
          ))}
        </RadioGroup>
      </Field>

      {pages.status === 'idle' && <Text block>{t('Activity_Idle')}</Text>}
      {settled && pages.entries.length > 0 && (
        <Text block weight="semibold" role="status">
          {countWords(t, pages, shownWords)}
        </Text>
      )}
      {pages.status === 'loaded' && pages.entries.length === 0 && (
        <Text block role="status">
          {t(FILTER_KEYS[shownFilter].empty, shownWords)}
        </Text>
      )}
      {pages.entries.length > 0 && (
        <Accordion multiple collapsible>
          {pages.entries.map((entry) => (
            <AccordionItem key={entry.id} value={entry.id} className={styles.entry}>
              <AccordionHeader>
                <ActivityEntrySummary entry={entry} />
              </AccordionHeader>
              <AccordionPanel>
                <ChangesTable entry={entry} />
              </AccordionPanel>
            </AccordionItem>
          ))}
        </Accordion>
      )}
      {pages.status === 'failed' && <ErrorBar error={describeError(pages.error, t)} onRetry={more} />}
      {pages.status === 'loading' && (
        <Spinner
          size="small"
          label={pages.entries.length === 0 ? t('Activity_Loading', shownWords) : t('Activity_LoadingMore')}
        />
      )}
      {pages.status === 'loaded' && pages.token !== null && (
        <div className={styles.footer}>
          <Button onClick={more}>{t('Activity_LoadMore')}</Button>
        </div>
      )}
    </div>
  );
}
