import * as React from 'react';
import {
  Button,
  Combobox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Option,
  Spinner,
  Tab,
  TabList,
  Text,
  Tooltip,
  makeStyles,
  tokens,
  useRestoreFocusTarget,
} from '@fluentui/react-components';
import type { MainEntity } from '../../api/contract';
import { describeError } from '../../api/errors';
import { useStrings } from '../../strings/strings';
import { ErrorBar } from '../../ui/ErrorBar';
import { useServices } from '../../ui/Services';
import { useRead } from '../useRead';
import { EntityProducts } from './EntityProducts';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    columnGap: tokens.spacingHorizontalXXL,
    rowGap: tokens.spacingVerticalL,
    paddingTop: tokens.spacingVerticalM,
  },
  list: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
    flexBasis: '240px',
    flexShrink: 0,
  },
  configure: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  editor: { flexGrow: 1, flexBasis: '480px', minWidth: 0 },
});

/** The entities Oneflow's extension ships defaults for: always listed, whether saved or not. */
const BUILT_IN = ['opportunity', 'quote'] as const;

export interface SetupEntitiesTabProps {
  /** Without the admin role: everything shows, nothing can be changed. */
  readOnly: boolean;
}

/**
 * Setup entities → entity → Products. The API lists no configured entities, so the list is Opportunity and Quote
 * plus every entity opened here; each opened entity keeps its editor (and its unsaved draft) while another shows.
 */
export function SetupEntitiesTab({ readOnly }: SetupEntitiesTabProps): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const { client } = useServices();
  // Dialogs opened from code hand focus back to the control that opened them.
  const restoreFocusTarget = useRestoreFocusTarget();

  const [entities, setEntities] = React.useState<readonly string[]>(BUILT_IN);
  const [opened, setOpened] = React.useState<readonly string[]>([BUILT_IN[0]]);
  const [selected, setSelected] = React.useState<string>(BUILT_IN[0]);
  const [dirty, setDirty] = React.useState<Readonly<Record<string, boolean>>>({});
  /** Bumped to drop an entity's draft: its editor starts again from what is saved. */
  const [generation, setGeneration] = React.useState<Readonly<Record<string, number>>>({});
  const [leaving, setLeaving] = React.useState<string | null>(null);

  const [query, setQuery] = React.useState('');
  const [chosen, setChosen] = React.useState<string | null>(null);

  const loadMainEntities = React.useCallback(
    (): Promise<MainEntity[]> => client.mainEntities().then((answer) => answer.entities),
    [client],
  );
  const { read: mainEntities, retry: retryMainEntities } = useRead(loadMainEntities);

  const nameOf = (entity: string): string =>
    (mainEntities.kind === 'ready'
      ? mainEntities.value.find((candidate) => candidate.logicalName === entity)?.displayName
      : undefined) ?? entity;

  const onDirtyChange = React.useCallback((entity: string, value: boolean) => {
    setDirty((current) => (current[entity] === value ? current : { ...current, [entity]: value }));
  }, []);

  const show = (entity: string): void => {
    setEntities((current) => (current.includes(entity) ? current : [...current, entity]));
    setOpened((current) => (current.includes(entity) ? current : [...current, entity]));
    setSelected(entity);
  };

  const ask = (entity: string): void => {
    if (entity === selected) return;
    if (dirty[selected] === true) {
      setLeaving(entity);
    } else {
      show(entity);
    }
  };

  const keepEditing = (): void => {
    setLeaving(null);
  };

  const discard = (): void => {
    if (leaving === null) return;
    const from = selected;
    setGeneration((current) => ({ ...current, [from]: (current[from] ?? 0) + 1 }));
    setDirty((current) => ({ ...current, [from]: false }));
    setLeaving(null);
    show(leaving);
  };

  const filtered =
    mainEntities.kind === 'ready'
      ? mainEntities.value.filter((candidate) => {
          const needle = query.trim().toLowerCase();
          return (
            needle === '' ||
            candidate.displayName.toLowerCase().includes(needle) ||
            candidate.logicalName.includes(needle) ||
            t('Setup_EntityOption', candidate.displayName, candidate.logicalName).toLowerCase() === needle
          );
        })
      : [];

  let configure: React.ReactNode;
  if (mainEntities.kind === 'loading') {
    configure = <Spinner size="tiny" label={t('Setup_MainEntitiesLoading')} />;
  } else if (mainEntities.kind === 'error') {
    configure = <ErrorBar error={describeError(mainEntities.error, t)} onRetry={retryMainEntities} />;
  } else if (mainEntities.value.length === 0) {
    configure = <Text>{t('Setup_MainEntitiesEmpty')}</Text>;
  } else {
    configure = (
      <>
        <Field label={t('Setup_ConfigureLabel')}>
          <Combobox
            placeholder={t('Setup_ConfigurePlaceholder')}
            value={query}
            selectedOptions={chosen === null ? [] : [chosen]}
            onChange={(event) => {
              setQuery(event.target.value);
              setChosen(null);
            }}
            onOptionSelect={(_event, data) => {
              setChosen(data.optionValue ?? null);
              setQuery(data.optionText ?? '');
            }}
          >
            {filtered.map((candidate) => {
              const label = t('Setup_EntityOption', candidate.displayName, candidate.logicalName);
              return (
                <Option key={candidate.logicalName} value={candidate.logicalName} text={label}>
                  {label}
                </Option>
              );
            })}
            {filtered.length === 0 && (
              <Option disabled value="" text={t('Setup_ConfigureNoMatch', query)}>
                {t('Setup_ConfigureNoMatch', query)}
              </Option>
            )}
          </Combobox>
        </Field>
        <Tooltip
          content={
            chosen === null ? t('Setup_ConfigureChooseFirst') : t('Setup_ConfigureHint', nameOf(chosen))
          }
          relationship="description"
        >
          <Button
            {...restoreFocusTarget}
            disabledFocusable={chosen === null}
            onClick={() => {
              if (chosen !== null) ask(chosen);
            }}
          >
            {t('Setup_Configure')}
          </Button>
        </Tooltip>
      </>
    );
  }

  return (
    <div className={styles.root}>
      <nav className={styles.list} aria-label={t('Setup_EntityListLabel')}>
        <TabList
          vertical
          selectedValue={selected}
          aria-label={t('Setup_EntityListLabel')}
          onTabSelect={(_event, data) => {
            const next = entities.find((entity) => entity === data.value);
            if (next !== undefined) ask(next);
          }}
        >
          {entities.map((entity) => (
            <Tab {...restoreFocusTarget} key={entity} value={entity}>
              {dirty[entity] === true ? t('Setup_EntityUnsaved', nameOf(entity)) : nameOf(entity)}
            </Tab>
          ))}
        </TabList>
        <div className={styles.configure}>{configure}</div>
      </nav>
      <div className={styles.editor}>
        {opened.map((entity) => (
          <div key={entity} hidden={entity !== selected}>
            <EntityProducts
              key={`${entity}-${generation[entity] ?? 0}`}
              entity={entity}
              displayName={nameOf(entity)}
              readOnly={readOnly}
              onDirtyChange={onDirtyChange}
            />
          </div>
        ))}
      </div>
      {leaving !== null && (
        <Dialog
          open
          modalType="alert"
          onOpenChange={(_event, data) => {
            if (!data.open) keepEditing();
          }}
        >
          <DialogSurface>
            <DialogBody>
              <DialogTitle>{t('Setup_UnsavedTitle')}</DialogTitle>
              <DialogContent>
                <Text block>{t('Setup_UnsavedBody', nameOf(selected), nameOf(leaving))}</Text>
              </DialogContent>
              <DialogActions>
                <Button appearance="primary" onClick={keepEditing}>
                  {t('Setup_KeepEditing')}
                </Button>
                <Button onClick={discard}>{t('Setup_Discard')}</Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
    </div>
  );
}
