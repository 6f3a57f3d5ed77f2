import * as React from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Option,
  Spinner,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  useId,
} from '@fluentui/react-components';
import type {
  ContractTemplate,
  CreateContractAnswer,
  CreateContractPreviewAnswer,
  Operation,
} from '../../api/contract';
import { ApiError } from '../../api/SyncApiClient';
import { describeError } from '../../api/errors';
import { withBusyRetry, type Sleep } from '../../api/retry';
import { useStrings, type Translate } from '../../strings/strings';
import { ErrorBar } from '../../ui/ErrorBar';
import type { ActionOutcome } from '../outcome';
import { useServices } from '../../ui/Services';
import { actionReducer, canClose, type ActionEvent, type ActionState } from './actionMachine';
import { PlanningSpinner, WriteProgress } from './DialogStatus';
import { useDialogStyles } from './dialogs.styles';
import { ScrollRegion, SkipsTable } from './PreviewTables';
import { lineLabel, previewDiffers, previewRows } from './previewRows';
import { CloseButton } from './SyncActionDialog';
import { displayValue, fieldLabel } from './words';

export interface CreateContractDialogProps {
  entity: string;
  recordId: string;
  onDone: (outcome: ActionOutcome) => void;
  onCancel: () => void;
  /** The record has a contract already (someone created it meanwhile): closing lets the widget load it. */
  onContractExists?: () => void;
  /** How the busy retry waits (tests pass one that does not). */
  sleep?: Sleep;
}

type CreateState = ActionState<CreateContractPreviewAnswer, CreateContractAnswer>;
type CreateEvent = ActionEvent<CreateContractPreviewAnswer, CreateContractAnswer>;
const createReducer = (state: CreateState, event: CreateEvent): CreateState => actionReducer(state, event);

type Templates =
  | { status: 'loading' }
  | { status: 'loaded'; templates: readonly ContractTemplate[] }
  | { status: 'failed'; error: unknown };

type CreateOperation = Extract<Operation, { kind: 'create_product' }>;

function templateName(t: Translate, template: ContractTemplate): string {
  return template.name ?? t('Create_TemplateUnnamed', template.id);
}

/** The template Create contract starts from unless the person picks another: the organisation's default. */
function defaultTemplate(templates: readonly ContractTemplate[]): ContractTemplate | null {
  return templates.find((template) => template.isDefault) ?? templates[0] ?? null;
}

function LinesTable({ operations }: { operations: readonly CreateOperation[] }): React.ReactElement {
  const t = useStrings();
  const styles = useDialogStyles();
  const { platform } = useServices();
  return (
    <ScrollRegion label={t('Create_Lines')}>
      <Table size="small" aria-label={t('Create_Lines')}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>{t('Dialog_Column_Line')}</TableHeaderCell>
            <TableHeaderCell>{t('Dialog_Column_Values')}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {operations.map((operation) => {
            const { name, ...rest } = operation.values;
            return (
              <TableRow key={operation.lineId}>
                <TableCell>{name ?? lineLabel(operation.lineId, {})}</TableCell>
                <TableCell className={styles.value}>
                  {Object.entries(rest)
                    .map(([field, value]) =>
                      t('Create_Value', fieldLabel(t, field), displayValue(value ?? null, platform)),
                    )
                    .join(' · ')}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </ScrollRegion>
  );
}

/** Create contract: template → preview of the lines sent → confirm → create. */
export function CreateContractDialog({
  entity,
  recordId,
  onDone,
  onCancel,
  onContractExists,
  sleep,
}: CreateContractDialogProps): React.ReactElement {
  const t = useStrings();
  const styles = useDialogStyles();
  const { client } = useServices();
  const questionId = useId('create-question');
  const [templates, setTemplates] = React.useState<Templates>({ status: 'loading' });
  const [templateId, setTemplateId] = React.useState<number | null>(null);
  const [state, dispatch] = React.useReducer(createReducer, { phase: 'idle' });

  const loadingTemplates = templates.status === 'loading';
  React.useEffect(() => {
    if (!loadingTemplates) return undefined;
    let current = true;
    client.templates().then(
      (answer) => {
        if (!current) return;
        setTemplates({ status: 'loaded', templates: answer.templates });
        const chosen = defaultTemplate(answer.templates);
        if (chosen !== null) {
          setTemplateId(chosen.id);
          dispatch({ type: 'plan' });
        }
      },
      (error: unknown) => {
        if (current) setTemplates({ status: 'failed', error });
      },
    );
    return () => {
      current = false;
    };
  }, [loadingTemplates, client]);

  const planning = state.phase === 'planning';
  React.useEffect(() => {
    if (!planning || templateId === null) return undefined;
    let current = true;
    withBusyRetry(
      () => client.createPreview(entity, recordId, templateId),
      (seconds) => {
        if (current) dispatch({ type: 'busy', seconds });
      },
      sleep,
    ).then(
      (preview) => {
        if (current) dispatch({ type: 'planned', preview });
      },
      (error: unknown) => {
        if (current) dispatch({ type: 'error', error });
      },
    );
    return () => {
      current = false;
    };
  }, [planning, templateId, client, entity, recordId, sleep]);

  const applying = state.phase === 'applying';
  React.useEffect(() => {
    if (!applying) return undefined;
    let current = true;
    // Create writes a contract: it is never repeated on its own, busy or not (a second try could make two).
    client.create(entity, recordId, templateId).then(
      (result) => {
        if (current) dispatch({ type: 'applied', result });
      },
      (error: unknown) => {
        if (current) dispatch({ type: 'error', error });
      },
    );
    return () => {
      current = false;
    };
  }, [applying, client, entity, recordId, templateId]);

  const onDoneRef = React.useRef(onDone);
  React.useEffect(() => {
    onDoneRef.current = onDone;
  });
  const done = state.phase === 'done' ? state : null;
  React.useEffect(() => {
    if (done === null) return;
    const { applied, outcome, summary, plan, failures, activityId } = done.result;
    onDoneRef.current({
      action: 'create',
      results: [{ applied, outcome, summary, plan, failures, activityId }],
      previewDiffers: previewDiffers(done.preview.plan, done.result.plan),
    });
  }, [done]);

  const closable = canClose(state);
  const exists =
    state.phase === 'failed' && state.error instanceof ApiError && state.error.code === 'contract_exists';
  const close = (): void => {
    if (!closable) return;
    if (exists && onContractExists !== undefined) onContractExists();
    else onCancel();
  };

  const loaded = templates.status === 'loaded' ? templates.templates : null;
  const template = loaded?.find((candidate) => candidate.id === templateId) ?? null;
  const preview = state.phase === 'previewing' || state.phase === 'failed' ? state.preview : null;
  const creates =
    preview?.plan.operations.filter(
      (operation): operation is CreateOperation => operation.kind === 'create_product',
    ) ?? [];
  const skips = preview === null ? [] : previewRows(preview.plan).skips;
  const canCreate = state.phase === 'previewing' && preview !== null && preview.outcome !== 'refused';

  return (
    <Dialog
      open
      onOpenChange={(_event, data) => {
        if (!data.open) close();
      }}
    >
      <DialogSurface className={styles.surface} aria-describedby={questionId}>
        <DialogBody>
          <DialogTitle>{t('Create_Title')}</DialogTitle>
          <DialogContent className={styles.content}>
            {templates.status === 'loading' && <Spinner size="small" label={t('Create_LoadingTemplates')} />}
            {templates.status === 'failed' && (
              <ErrorBar
                error={describeError(templates.error, t)}
                onRetry={() => {
                  setTemplates({ status: 'loading' });
                }}
              />
            )}
            {loaded !== null && loaded.length === 0 && <Text block>{t('Create_NoTemplates')}</Text>}
            {loaded !== null && loaded.length > 0 && (
              <Field label={t('Create_Template')}>
                <Dropdown
                  value={template === null ? '' : templateName(t, template)}
                  selectedOptions={templateId === null ? [] : [String(templateId)]}
                  disabled={!closable}
                  onOptionSelect={(_event, data) => {
                    const id = Number(data.optionValue);
                    if (!Number.isInteger(id) || id === templateId) return;
                    setTemplateId(id);
                    dispatch({ type: 'plan' });
                  }}
                >
                  {loaded.map((candidate) => (
                    <Option key={candidate.id} value={String(candidate.id)}>
                      {templateName(t, candidate)}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
            )}
            {state.phase === 'planning' && (
              <PlanningSpinner label={t('Create_Previewing')} waitingSeconds={state.waitingSeconds} />
            )}
            {state.phase === 'failed' && (
              <ErrorBar
                error={describeError(state.error, t)}
                onRetry={
                  exists
                    ? undefined
                    : () => {
                        dispatch({ type: 'retry' });
                      }
                }
              />
            )}
            {state.phase === 'applying' && <WriteProgress label={t('Create_Applying')} />}
            {preview !== null && state.phase !== 'applying' && (
              <>
                {preview.outcome === 'refused' ? (
                  <Text block>{preview.plan.operations.map((operation) => operation.reason).join(' ')}</Text>
                ) : (
                  <>
                    <Subtitle2 as="h3">{t('Create_Lines')}</Subtitle2>
                    {creates.length > 0 ? (
                      <LinesTable operations={creates} />
                    ) : (
                      <Text block>{t('Create_NoLines')}</Text>
                    )}
                  </>
                )}
                {skips.length > 0 && (
                  <>
                    <Subtitle2 as="h3">{t('Preview_NotWritten')}</Subtitle2>
                    <SkipsTable rows={skips} />
                  </>
                )}
              </>
            )}
            <Text id={questionId} block weight="semibold">
              {canCreate && template !== null
                ? creates.length === 1
                  ? t('Create_Question_One', templateName(t, template))
                  : t('Create_Question', templateName(t, template), creates.length)
                : ''}
            </Text>
          </DialogContent>
          <DialogActions>
            {canCreate && (
              <Button
                appearance="primary"
                onClick={() => {
                  dispatch({ type: 'confirm' });
                }}
              >
                {t('Create_Confirm')}
              </Button>
            )}
            <CloseButton
              closable={closable}
              onClose={close}
              label={canCreate ? t('Dialog_Cancel') : t('Dialog_Close')}
            />
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
