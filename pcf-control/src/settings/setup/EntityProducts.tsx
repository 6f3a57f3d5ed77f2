import * as React from 'react';
import {
  Button,
  Dropdown,
  Field,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Spinner,
  Switch,
  Tab,
  TabList,
  Text,
  Tooltip,
  makeStyles,
  tokens,
  useRestoreFocusTarget,
  useId,
} from '@fluentui/react-components';
import type {
  EntitySettings,
  FieldMapping,
  MetadataField,
  ProductSourceOption,
  SettingsAnswer,
} from '../../api/contract';
import { describeError, type ErrorView } from '../../api/errors';
import { ApiError } from '../../api/SyncApiClient';
import { useStrings, type Translate } from '../../strings/strings';
import { ActionDialog } from '../../ui/ActionDialog';
import { ErrorBar } from '../../ui/ErrorBar';
import { useServices } from '../../ui/Services';
import { useRead, type Read } from '../useRead';
import { ADMIN_ROLE } from '../useSignedIn';
import { ImpactPreview } from './ImpactPreview';
import { cellId, placeProblems, type MappingColumn, type PlacedProblem } from './mappingCells';
import { MappingTable } from './MappingTable';
import { mappingsForSource, newDraft, reapplyChanges, sameSettings, sourceKey, sourceOf } from './setupDraft';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, minWidth: 0 },
  panel: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
  footer: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalS,
  },
  problems: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  summary: { outlineStyle: 'none' },
});

/** What was read of the entity's settings: null settings when nothing is saved and there are no defaults. */
interface Stored {
  settings: EntitySettings | null;
  etag: string | null;
  isDefault: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** A failed read keeps the error itself: it is worded when shown, so the loads never depend on the strings. */

type Notice =
  | { kind: 'saved' | 'reset'; at: string; by: string }
  | { kind: 'reloaded'; at: string | null; by: string | null; reapplied: boolean };

type WriteAction = 'save' | 'reset' | 'reload';

type OpenDialog = { kind: 'review' } | { kind: 'reset' } | { kind: 'source'; to: ProductSourceOption };

function storedOf(answer: SettingsAnswer): Stored {
  return {
    settings: answer.settings,
    etag: answer.etag,
    isDefault: answer.isDefault,
    updatedAt: answer.updatedAt,
    updatedBy: answer.updatedBy,
  };
}

const COLUMN_KEYS: Record<MappingColumn, string> = {
  dynamicsField: 'Setup_Column_DynamicsField',
  oneflowField: 'Setup_Column_OneflowField',
  direction: 'Setup_Column_Direction',
  writeCondition: 'Setup_Column_WriteCondition',
  conflictPolicy: 'Setup_Column_ConflictPolicy',
};

function problemText(problem: PlacedProblem, t: Translate): string {
  const { place, message } = problem;
  switch (place.kind) {
    case 'cell':
      return t('Setup_ProblemCell', place.row + 1, t(COLUMN_KEYS[place.column]), message);
    case 'row':
      return t('Setup_ProblemRow', place.row + 1, message);
    case 'mappings':
      return t('Setup_ProblemMappings', message);
    case 'productSource':
      return t('Setup_ProblemSource', message);
    case 'productsEnabled':
      return t('Setup_ProblemSwitch', message);
    case 'settings':
      return message;
  }
}

export interface EntityProductsProps {
  entity: string;
  displayName: string;
  /** Without the admin role: everything shows, nothing can be changed. */
  readOnly: boolean;
  /** Whether the admin has edits that are not saved, so that leaving the entity can ask first. */
  onDirtyChange: (entity: string, dirty: boolean) => void;
}

/** One entity's settings: its header and the Products sub-tab (switch, product source, mappings, save, reset). */
export function EntityProducts({
  entity,
  displayName,
  readOnly,
  onDirtyChange,
}: EntityProductsProps): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const { client, platform } = useServices();
  const baseId = useId('setup-entity');
  const switchId = `${baseId}-products-enabled`;
  const sourceId = `${baseId}-source`;
  const summaryRef = React.useRef<HTMLDivElement>(null);
  const pickedSource = React.useRef<ProductSourceOption | null>(null);
  // Dialogs opened from code hand focus back to the control that opened them.
  const restoreFocusTarget = useRestoreFocusTarget();

  const [stored, setStored] = React.useState<Read<Stored>>({ kind: 'loading' });
  const [storedGeneration, setStoredGeneration] = React.useState(0);
  const fieldsCache = React.useRef(new Map<string, MetadataField[]>());

  /** What the admin first read (or last saved): their edits are the difference to it. Null for a new draft. */
  const [original, setOriginal] = React.useState<EntitySettings | null>(null);
  const [draft, setDraft] = React.useState<EntitySettings | null>(null);

  const [busy, setBusy] = React.useState<WriteAction | null>(null);
  const [problems, setProblems] = React.useState<readonly PlacedProblem[]>([]);
  const [conflict, setConflict] = React.useState(false);
  const [forbidden, setForbidden] = React.useState(false);
  const [failure, setFailure] = React.useState<{ error: ErrorView; action: WriteAction } | null>(null);
  const [notice, setNotice] = React.useState<Notice | null>(null);
  const [dialog, setDialog] = React.useState<OpenDialog | null>(null);
  const [sourceChange, setSourceChange] = React.useState<{ busy: boolean; error: ErrorView | null }>({
    busy: false,
    error: null,
  });

  React.useEffect(() => {
    let live = true;
    setStored({ kind: 'loading' });
    client.settings(entity).then(
      (answer) => {
        if (!live) return;
        setStored({ kind: 'ready', value: storedOf(answer) });
        setOriginal(answer.settings);
        setDraft(answer.settings);
      },
      (error: unknown) => {
        if (!live) return;
        if (error instanceof ApiError && error.code === 'not_found') {
          setStored({
            kind: 'ready',
            value: { settings: null, etag: null, isDefault: false, updatedAt: null, updatedBy: null },
          });
        } else {
          setStored({ kind: 'error', error });
        }
      },
    );
    return () => {
      live = false;
    };
  }, [client, entity, storedGeneration]);

  const loadSources = React.useCallback(
    () => client.productSources(entity).then((answer) => answer.sources),
    [client, entity],
  );
  const { read: sources, retry: retrySources } = useRead(loadSources);

  // Nothing saved and no defaults: the admin starts from the first source the entity has.
  const firstSource = sources.kind === 'ready' ? sources.value[0] : undefined;
  const nothingStored = stored.kind === 'ready' && stored.value.settings === null;
  React.useEffect(() => {
    if (nothingStored && draft === null && firstSource !== undefined) {
      setDraft(newDraft(entity, firstSource));
    }
  }, [draft, entity, firstSource, nothingStored]);

  const fieldsOf = React.useCallback(
    (sourceEntity: string): Promise<MetadataField[]> => {
      const cached = fieldsCache.current.get(sourceEntity);
      if (cached !== undefined) return Promise.resolve(cached);
      return client.fields(sourceEntity).then((answer) => {
        fieldsCache.current.set(sourceEntity, answer.fields);
        return answer.fields;
      });
    },
    [client],
  );

  const sourceEntity = draft?.productSource.entity ?? null;
  const loadFields = React.useMemo(
    () => (sourceEntity === null ? null : () => fieldsOf(sourceEntity)),
    [fieldsOf, sourceEntity],
  );
  const { read: fields, retry: retryFields } = useRead(loadFields);

  const dirty = draft !== null && (original === null || !sameSettings(original, draft));
  React.useEffect(() => {
    onDirtyChange(entity, dirty);
  }, [dirty, entity, onDirtyChange]);

  React.useEffect(() => {
    if (problems.length > 0) summaryRef.current?.focus();
  }, [problems]);

  const locked = readOnly || forbidden;
  const storedValue = stored.kind === 'ready' ? stored.value : null;

  const accept = (answer: SettingsAnswer, kind: 'saved' | 'reset'): void => {
    setStored({ kind: 'ready', value: storedOf(answer) });
    setOriginal(answer.settings);
    setDraft(answer.settings);
    if (!answer.isDefault) {
      setNotice({ kind, at: answer.updatedAt, by: answer.updatedBy });
    }
  };

  const refused = (error: unknown, action: WriteAction): void => {
    if (error instanceof ApiError && error.code === 'bad_request' && error.details.length > 0) {
      setProblems(placeProblems(error.details));
    } else if (error instanceof ApiError && error.code === 'precondition_failed') {
      setConflict(true);
    } else if (error instanceof ApiError && error.code === 'forbidden') {
      setForbidden(true);
    } else {
      setFailure({ error: describeError(error, t), action });
    }
  };

  const startWrite = (action: WriteAction): void => {
    setBusy(action);
    setFailure(null);
    setNotice(null);
    if (action !== 'reload') {
      setProblems([]);
      setConflict(false);
    }
  };

  const save = (): void => {
    if (draft === null) return;
    startWrite('save');
    client.saveSettings(entity, draft, storedValue?.etag ?? null).then(
      (answer) => {
        setBusy(null);
        accept(answer, 'saved');
      },
      (error: unknown) => {
        setBusy(null);
        refused(error, 'save');
      },
    );
  };

  const reset = (): void => {
    startWrite('reset');
    client.resetSettings(entity, storedValue?.etag ?? null).then(
      (answer) => {
        setBusy(null);
        accept(answer, 'reset');
      },
      (error: unknown) => {
        setBusy(null);
        refused(error, 'reset');
      },
    );
  };

  /** After a 412: the settings someone else saved, with this admin's edits applied again on top. */
  const reload = (): void => {
    startWrite('reload');
    client.settings(entity).then(
      (answer) => {
        setBusy(null);
        setConflict(false);
        setProblems([]);
        const next =
          draft === null
            ? answer.settings
            : original === null
              ? draft
              : reapplyChanges(original, draft, answer.settings);
        setStored({ kind: 'ready', value: storedOf(answer) });
        setOriginal(answer.settings);
        setDraft(next);
        setNotice({
          kind: 'reloaded',
          at: answer.updatedAt,
          by: answer.updatedBy,
          reapplied: !sameSettings(next, answer.settings),
        });
      },
      (error: unknown) => {
        setBusy(null);
        setFailure({ error: describeError(error, t), action: 'reload' });
      },
    );
  };

  const retry = (action: WriteAction): void => {
    if (action === 'save') save();
    else if (action === 'reset') reset();
    else reload();
  };

  const openDialog = (next: OpenDialog): void => {
    setDialog(next);
  };
  const closeDialog = (): void => {
    setDialog(null);
    setSourceChange({ busy: false, error: null });
  };

  const changeSource = (to: ProductSourceOption): void => {
    setSourceChange({ busy: true, error: null });
    fieldsOf(to.entity).then(
      (sourceFields) => {
        const productSource = sourceOf(to);
        setDraft((current) =>
          current === null
            ? current
            : { ...current, productSource, mappings: mappingsForSource(productSource, sourceFields) },
        );
        closeDialog();
      },
      (error: unknown) => {
        setSourceChange({ busy: false, error: describeError(error, t) });
      },
    );
  };

  const setMappings = (mappings: FieldMapping[]): void => {
    setDraft((current) => (current === null ? current : { ...current, mappings }));
  };

  const when = (at: string | null): string => (at === null ? '' : platform.formatDateTime(new Date(at)));

  const focusProblem = (problem: PlacedProblem): void => {
    const { place } = problem;
    const id =
      place.kind === 'cell'
        ? cellId(baseId, place.row, place.column)
        : place.kind === 'row'
          ? cellId(baseId, place.row, 'dynamicsField')
          : place.kind === 'productSource'
            ? sourceId
            : place.kind === 'productsEnabled'
              ? switchId
              : null;
    if (id !== null) document.getElementById(id)?.focus();
  };

  const placeMessage = (kind: 'productSource' | 'productsEnabled'): string | undefined => {
    const messages = problems.filter((problem) => problem.place.kind === kind).map((p) => p.message);
    return messages.length > 0 ? messages.join(' ') : undefined;
  };

  const header = t('Setup_EntityOption', displayName, entity);

  if (stored.kind === 'loading') {
    return <Spinner size="small" label={t('Setup_Loading', displayName)} />;
  }
  if (stored.kind === 'error') {
    return (
      <ErrorBar
        error={describeError(stored.error, t)}
        onRetry={() => {
          setStoredGeneration((value) => value + 1);
        }}
      />
    );
  }
  const current = stored.value;

  let status: React.ReactNode;
  if (current.settings === null) {
    // Without any product source there is no draft to speak of: the source field says why.
    status =
      draft === null ? null : (
        <MessageBar intent="info">
          <MessageBarBody>{t('Setup_NewDraft', displayName)}</MessageBarBody>
        </MessageBar>
      );
  } else if (current.isDefault) {
    status = <Text>{t('Setup_IsDefault', displayName)}</Text>;
  } else {
    status = <Text>{t('Setup_LastSaved', when(current.updatedAt), current.updatedBy ?? '')}</Text>;
  }

  const saveReason = locked
    ? t('Setup_ReadOnlyReason', ADMIN_ROLE)
    : busy !== null
      ? t('Setup_BusyReason')
      : draft === null
        ? t('Setup_NothingToSave')
        : !dirty
          ? t('Setup_NoChanges')
          : null;
  const resetReason = locked
    ? t('Setup_ReadOnlyReason', ADMIN_ROLE)
    : busy !== null
      ? t('Setup_BusyReason')
      : current.settings === null
        ? t('Setup_ResetNothingSaved', displayName)
        : null;

  let sourceControl: React.ReactNode;
  if (sources.kind === 'loading') {
    sourceControl = <Spinner size="tiny" label={t('Setup_SourcesLoading')} />;
  } else if (sources.kind === 'error') {
    sourceControl = <ErrorBar error={describeError(sources.error, t)} onRetry={retrySources} />;
  } else if (sources.value.length === 0) {
    sourceControl = <Text>{t('Setup_NoSources', displayName)}</Text>;
  } else if (draft !== null) {
    const chosen = sources.value.find(
      (option) => sourceKey(sourceOf(option)) === sourceKey(draft.productSource),
    );
    sourceControl = (
      <Dropdown
        {...restoreFocusTarget}
        id={sourceId}
        value={
          chosen?.label ??
          t('Setup_SourceUnlisted', draft.productSource.entity, draft.productSource.lookupAttribute)
        }
        selectedOptions={[sourceKey(draft.productSource)]}
        disabled={locked || busy !== null}
        onOptionSelect={(_event, data) => {
          const to = sources.value.find((option) => sourceKey(sourceOf(option)) === data.optionValue);
          pickedSource.current =
            to !== undefined && sourceKey(sourceOf(to)) !== sourceKey(draft.productSource) ? to : null;
        }}
        onOpenChange={(_event, data) => {
          // The question waits until the list has closed, so the list never takes focus back from the dialog.
          const to = pickedSource.current;
          pickedSource.current = null;
          if (!data.open && to !== null) openDialog({ kind: 'source', to });
        }}
      >
        {sources.value.map((option) => (
          <Option key={sourceKey(sourceOf(option))} value={sourceKey(sourceOf(option))} text={option.label}>
            {option.label}
          </Option>
        ))}
      </Dropdown>
    );
  }

  let table: React.ReactNode = null;
  if (draft !== null) {
    if (fields.kind === 'loading') {
      table = <Spinner size="small" label={t('Setup_FieldsLoading', draft.productSource.entity)} />;
    } else if (fields.kind === 'error') {
      table = (
        <ErrorBar
          error={describeError(fields.error, t)}
          onRetry={() => {
            fieldsCache.current.delete(draft.productSource.entity);
            retryFields();
          }}
        />
      );
    } else {
      table = (
        <MappingTable
          settings={draft}
          fields={fields.value}
          readOnly={locked || busy !== null}
          problems={problems}
          idPrefix={baseId}
          onChange={setMappings}
        />
      );
    }
  }

  const sourceMessage = placeMessage('productSource');
  const switchMessage = placeMessage('productsEnabled');

  return (
    <section className={styles.root} aria-labelledby={`${baseId}-heading`}>
      <Text as="h3" size={400} weight="semibold" id={`${baseId}-heading`}>
        {header}
      </Text>
      {status}
      <TabList selectedValue="products" size="small" aria-label={t('Setup_SubTabs', displayName)}>
        <Tab value="products" id={`${baseId}-tab-products`} aria-controls={`${baseId}-panel-products`}>
          {t('Setup_ProductsTab')}
        </Tab>
      </TabList>
      <div
        role="tabpanel"
        id={`${baseId}-panel-products`}
        aria-labelledby={`${baseId}-tab-products`}
        className={styles.panel}
      >
        {forbidden && (
          <MessageBar intent="warning">
            <MessageBarBody>{t('Setup_Forbidden', ADMIN_ROLE)}</MessageBarBody>
          </MessageBar>
        )}
        {conflict && (
          <MessageBar intent="warning" layout="multiline" politeness="assertive">
            <MessageBarBody>
              <MessageBarTitle>{t('Setup_Conflict', displayName)}</MessageBarTitle>
              {t('Setup_ConflictHint')}
            </MessageBarBody>
            <MessageBarActions>
              <Button
                size="small"
                disabled={busy !== null}
                icon={busy === 'reload' ? <Spinner size="tiny" /> : undefined}
                onClick={reload}
              >
                {busy === 'reload' ? t('Setup_Reloading') : t('Setup_Reload')}
              </Button>
            </MessageBarActions>
          </MessageBar>
        )}
        {failure !== null && (
          <ErrorBar
            error={failure.error}
            onRetry={() => {
              retry(failure.action);
            }}
          />
        )}
        {problems.length > 0 && (
          <div ref={summaryRef} tabIndex={-1} className={styles.summary}>
            <MessageBar intent="error" layout="multiline">
              <MessageBarBody>
                <MessageBarTitle>
                  {problems.length === 1 ? t('Setup_ProblemsOne') : t('Setup_ProblemsMany', problems.length)}
                </MessageBarTitle>
                <ul className={styles.problems}>
                  {problems.map((problem, index) => {
                    const text = problemText(problem, t);
                    const linked = problem.place.kind !== 'mappings' && problem.place.kind !== 'settings';
                    return (
                      <li key={`${problem.field}-${index}`}>
                        {linked ? (
                          <Link
                            as="button"
                            onClick={() => {
                              focusProblem(problem);
                            }}
                          >
                            {text}
                          </Link>
                        ) : (
                          text
                        )}
                      </li>
                    );
                  })}
                </ul>
              </MessageBarBody>
            </MessageBar>
          </div>
        )}
        {notice !== null && (
          <MessageBar intent={notice.kind === 'reloaded' ? 'info' : 'success'} politeness="polite">
            <MessageBarBody>
              {notice.kind === 'saved' && t('Setup_Saved', when(notice.at), notice.by)}
              {notice.kind === 'reset' && t('Setup_ResetDone', when(notice.at), notice.by)}
              {notice.kind === 'reloaded' &&
                (notice.reapplied
                  ? t('Setup_Reloaded', when(notice.at), notice.by ?? '')
                  : t('Setup_ReloadedNoChanges', when(notice.at), notice.by ?? ''))}
            </MessageBarBody>
          </MessageBar>
        )}
        {draft !== null && (
          <Field
            hint={t('Setup_TransferProductsHint', displayName)}
            validationState={switchMessage === undefined ? 'none' : 'error'}
            validationMessage={switchMessage}
          >
            <Switch
              id={switchId}
              label={t('Setup_TransferProducts')}
              checked={draft.productsEnabled}
              disabled={locked || busy !== null}
              onChange={(_event, data) => {
                setDraft((value) => (value === null ? value : { ...value, productsEnabled: data.checked }));
              }}
            />
          </Field>
        )}
        <Field
          label={{ children: t('Setup_SourceLabel'), htmlFor: sourceId }}
          validationState={sourceMessage === undefined ? 'none' : 'error'}
          validationMessage={sourceMessage}
        >
          {sourceControl}
        </Field>
        {table}
      </div>
      <div className={styles.footer}>
        <Tooltip content={saveReason ?? t('Setup_SaveHint')} relationship="description">
          <Button
            {...restoreFocusTarget}
            appearance="primary"
            disabledFocusable={saveReason !== null}
            icon={busy === 'save' ? <Spinner size="tiny" /> : undefined}
            onClick={() => {
              openDialog({ kind: 'review' });
            }}
          >
            {busy === 'save' ? t('Setup_Saving') : t('Setup_Save')}
          </Button>
        </Tooltip>
        <Tooltip content={resetReason ?? t('Setup_ResetHint', displayName)} relationship="description">
          <Button
            {...restoreFocusTarget}
            disabledFocusable={resetReason !== null}
            icon={busy === 'reset' ? <Spinner size="tiny" /> : undefined}
            onClick={() => {
              openDialog({ kind: 'reset' });
            }}
          >
            {busy === 'reset' ? t('Setup_Resetting') : t('Setup_Reset')}
          </Button>
        </Tooltip>
        <Text>
          {locked
            ? t('Setup_ReadOnlyReason', ADMIN_ROLE)
            : draft === null
              ? t('Setup_NothingToSave')
              : dirty
                ? t('Setup_Unsaved')
                : t('Setup_NoChanges')}
        </Text>
      </div>
      {dialog?.kind === 'review' && draft !== null && (
        <ActionDialog
          title={t('Setup_ReviewTitle')}
          modalType="modal"
          confirmLabel={t('Setup_ReviewSave')}
          onConfirm={() => {
            closeDialog();
            save();
          }}
          cancelLabel={t('Setup_Cancel')}
          onCancel={closeDialog}
        >
          <Text block>{t('Setup_ReviewIntro', displayName)}</Text>
          <ImpactPreview entity={entity} settings={draft} />
        </ActionDialog>
      )}
      {dialog?.kind === 'reset' && (
        <ActionDialog
          title={t('Setup_ResetTitle')}
          modalType="alert"
          confirmLabel={t('Setup_ResetConfirm')}
          onConfirm={() => {
            closeDialog();
            reset();
          }}
          cancelLabel={t('Setup_Cancel')}
          onCancel={closeDialog}
        >
          <Text block>{t('Setup_ResetBody', displayName)}</Text>
          <Text block>{t('Setup_ResetDetail')}</Text>
        </ActionDialog>
      )}
      {dialog?.kind === 'source' && (
        <ActionDialog
          title={t('Setup_SourceChangeTitle')}
          modalType="alert"
          running={sourceChange.busy}
          runningLabel={t('Setup_FieldsLoading', dialog.to.entity)}
          error={sourceChange.error}
          confirmLabel={t('Setup_SourceChangeConfirm')}
          onConfirm={() => {
            changeSource(dialog.to);
          }}
          cancelLabel={t('Setup_Cancel')}
          onCancel={closeDialog}
        >
          <Text block>{t('Setup_SourceChangeBody', displayName, dialog.to.label)}</Text>
        </ActionDialog>
      )}
    </section>
  );
}
