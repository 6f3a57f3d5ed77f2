import * as React from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Radio,
  RadioGroup,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Tooltip,
  useId,
} from '@fluentui/react-components';
import type { CompareAnswer, ResolveConflictsBody } from '../../api/contract';
import { describeError } from '../../api/errors';
import { useStrings } from '../../strings/strings';
import { ErrorBar } from '../../ui/ErrorBar';
import type { ActionOutcome } from '../outcome';
import { useServices } from '../../ui/Services';
import { WriteProgress } from './DialogStatus';
import { useDialogStyles } from './dialogs.styles';
import { lineLabel } from './previewRows';
import { CloseButton } from './SyncActionDialog';
import { displayValue, fieldLabel, type SideName } from './words';

export interface ConflictDialogProps {
  contractId: number;
  /** The compare the widget shows: its `conflict_held` fields are the ones to settle. */
  compare: CompareAnswer;
  onDone: (outcome: ActionOutcome) => void;
  onCancel: () => void;
}

type Resolution = ResolveConflictsBody['resolutions'][number];

/** One field changed on both sides and held for a person to choose. */
export interface HeldField {
  key: string;
  lineId: string;
  lineName: string;
  oneflowField: Resolution['oneflowField'];
  dynamics: string | null;
  oneflow: string | null;
  /** The value both sides had at the last sync; null when unknown. */
  base: string | null;
}

export function heldFields(compare: CompareAnswer): HeldField[] {
  return compare.lines.flatMap((line) =>
    line.fields
      .filter((field) => field.status === 'conflict_held')
      .map((field) => ({
        key: `${line.lineId}|${field.oneflowField}`,
        lineId: line.lineId,
        lineName: line.name ?? lineLabel(line.lineId, {}),
        oneflowField: field.oneflowField,
        dynamics: field.dynamics,
        oneflow: field.oneflow,
        base: field.base?.dynamics ?? field.base?.oneflow ?? null,
      })),
  );
}

/** The resolve route's body for the choices made, in the order of the rows. */
export function resolutionsBody(
  fields: readonly HeldField[],
  choices: Readonly<Record<string, SideName>>,
): ResolveConflictsBody {
  return {
    resolutions: fields.flatMap((field) => {
      const keep = choices[field.key];
      return keep === undefined ? [] : [{ lineId: field.lineId, oneflowField: field.oneflowField, keep }];
    }),
  };
}

type Phase = { phase: 'choosing' } | { phase: 'applying' } | { phase: 'failed'; error: unknown };

/** Resolve conflicts held for review: one choice per held field. */
export function ConflictDialog({
  contractId,
  compare,
  onDone,
  onCancel,
}: ConflictDialogProps): React.ReactElement {
  const t = useStrings();
  const styles = useDialogStyles();
  const { client, platform } = useServices();
  const introId = useId('conflicts-intro');
  const fields = React.useMemo(() => heldFields(compare), [compare]);
  const [choices, setChoices] = React.useState<Readonly<Record<string, SideName>>>({});
  const [phase, setPhase] = React.useState<Phase>({ phase: 'choosing' });
  const show = (value: string | null): string => displayValue(value, platform);

  const applying = phase.phase === 'applying';
  const onDoneRef = React.useRef(onDone);
  React.useEffect(() => {
    onDoneRef.current = onDone;
  });
  const body = resolutionsBody(fields, choices);
  // The choices as they were when Apply was pressed (they cannot change while applying).
  const bodyRef = React.useRef(body);
  React.useEffect(() => {
    bodyRef.current = body;
  });
  React.useEffect(() => {
    if (!applying) return undefined;
    let current = true;
    client.resolveConflicts(contractId, bodyRef.current).then(
      (answer) => {
        if (current) onDoneRef.current({ action: 'resolve', results: answer.results, previewDiffers: false });
      },
      (error: unknown) => {
        if (current) setPhase({ phase: 'failed', error });
      },
    );
    return () => {
      current = false;
    };
  }, [applying, client, contractId]);

  const keepAll = (side: SideName): void => {
    setChoices(Object.fromEntries(fields.map((field) => [field.key, side])));
  };
  const missing = fields.length - body.resolutions.length;
  const count = body.resolutions.length;
  const submitLabel = count === 1 ? t('Conflicts_Apply_One') : t('Conflicts_Apply_Other', count);
  const close = (): void => {
    if (!applying) onCancel();
  };

  return (
    <Dialog
      open
      onOpenChange={(_event, data) => {
        if (!data.open) close();
      }}
    >
      <DialogSurface className={styles.surface} aria-describedby={introId}>
        <DialogBody>
          <DialogTitle>{t('Conflicts_Title')}</DialogTitle>
          <DialogContent className={styles.content}>
            <Text id={introId} block>
              {fields.length === 0 ? t('Conflicts_None') : t('Conflicts_Intro')}
            </Text>
            {phase.phase === 'failed' && (
              <ErrorBar
                error={describeError(phase.error, t)}
                onRetry={() => {
                  setPhase({ phase: 'applying' });
                }}
              />
            )}
            {applying && <WriteProgress label={t('Conflicts_Applying')} />}
            {fields.length > 0 && (
              <>
                <div className={styles.row}>
                  <Button
                    disabled={applying}
                    onClick={() => {
                      keepAll('dynamics');
                    }}
                  >
                    {t('Conflicts_KeepAllDynamics')}
                  </Button>
                  <Button
                    disabled={applying}
                    onClick={() => {
                      keepAll('oneflow');
                    }}
                  >
                    {t('Conflicts_KeepAllOneflow')}
                  </Button>
                </div>
                <div className={styles.tableScroll}>
                  <Table size="small" aria-label={t('Conflicts_Table')}>
                    <TableHeader>
                      <TableRow>
                        <TableHeaderCell>{t('Dialog_Column_Line')}</TableHeaderCell>
                        <TableHeaderCell>{t('Dialog_Column_Field')}</TableHeaderCell>
                        <TableHeaderCell>{t('Dialog_Column_Choice')}</TableHeaderCell>
                      </TableRow>
                    </TableHeader>
                    <TableBody>
                      {fields.map((field) => (
                        <TableRow key={field.key}>
                          <TableCell>{field.lineName}</TableCell>
                          <TableCell>
                            <Text block>{fieldLabel(t, field.oneflowField)}</Text>
                            <Text block className={styles.secondary}>
                              {t('Conflicts_Base', show(field.base))}
                            </Text>
                          </TableCell>
                          <TableCell>
                            <RadioGroup
                              aria-label={t(
                                'Conflicts_ChoiceFor',
                                field.lineName,
                                fieldLabel(t, field.oneflowField),
                              )}
                              value={choices[field.key] ?? ''}
                              disabled={applying}
                              onChange={(_event, data) => {
                                const side: SideName = data.value === 'oneflow' ? 'oneflow' : 'dynamics';
                                setChoices((previous) => ({ ...previous, [field.key]: side }));
                              }}
                            >
                              <Radio
                                value="dynamics"
                                label={t('Conflicts_KeepDynamics', show(field.dynamics))}
                              />
                              <Radio
                                value="oneflow"
                                label={t('Conflicts_KeepOneflow', show(field.oneflow))}
                              />
                            </RadioGroup>
                          </TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                </div>
              </>
            )}
          </DialogContent>
          <DialogActions>
            {fields.length > 0 &&
              (missing === 0 && !applying ? (
                <Button
                  appearance="primary"
                  onClick={() => {
                    setPhase({ phase: 'applying' });
                  }}
                >
                  {submitLabel}
                </Button>
              ) : (
                <Tooltip
                  content={applying ? t('Dialog_WaitWhileWriting') : t('Conflicts_ChooseAll', missing)}
                  relationship="description"
                >
                  <Button appearance="primary" disabledFocusable>
                    {submitLabel}
                  </Button>
                </Tooltip>
              ))}
            <CloseButton
              closable={!applying}
              onClose={close}
              label={fields.length > 0 ? t('Dialog_Cancel') : t('Dialog_Close')}
            />
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
