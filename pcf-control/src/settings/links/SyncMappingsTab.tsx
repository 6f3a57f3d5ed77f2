import * as React from 'react';
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownload20Regular, Search20Regular } from '@fluentui/react-icons';
import type { Link } from '../../api/contract';
import { describeError, type ErrorView } from '../../api/errors';
import type { LinksFilter } from '../../api/SyncApiClient';
import { useStrings, type Translate } from '../../strings/strings';
import { ErrorBar } from '../../ui/ErrorBar';
import { useServices } from '../../ui/Services';
import { DeleteLinkDialog } from './DeleteLinkDialog';
import { EditLinkDialog } from './EditLinkDialog';
import { LinksTable } from './LinksTable';
import { LINKS_CSV_FILE_NAME, saveFile } from './saveFile';
import { useLinksList, type LinksList } from './useLinksList';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalS,
  },
  search: { flexGrow: 1, minWidth: '280px' },
  contract: { width: '180px' },
  // An Input's own width is its text box's: inside a narrow Field it must shrink to the Field, not overflow it.
  fill: { width: '100%', minWidth: 0 },
  bar: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', columnGap: tokens.spacingHorizontalM },
  count: { flexGrow: 1 },
  more: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalM },
});

/** How long typing rests before a search is sent: one request per pause, not one per key. */
export const SEARCH_DEBOUNCE_MS = 300;

/** The API's own limit on `q`. */
const MAX_QUERY_LENGTH = 100;

/** A contract id as the API takes it: plain digits without leading zeros. Null when it is not one. */
function parseContractId(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[1-9][0-9]*$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : null;
}

function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = React.useState(value);
  React.useEffect(() => {
    const timer = window.setTimeout(() => {
      setSettled(value);
    }, delayMs);
    return () => {
      window.clearTimeout(timer);
    };
  }, [value, delayMs]);
  return settled;
}

function countText(list: LinksList, t: Translate): string {
  if (list.total !== null) return list.total === 1 ? t('Links_Count_One') : t('Links_Count', list.total);
  return list.continuationToken === null
    ? t('Links_Showing', list.links.length)
    : t('Links_ShowingMore', list.links.length);
}

function emptyText(filter: LinksFilter, t: Translate): string {
  if (filter.q !== undefined && filter.contractId !== undefined)
    return t('Links_Empty_SearchInContract', filter.q, filter.contractId);
  if (filter.q !== undefined) return t('Links_Empty_Search', filter.q);
  if (filter.contractId !== undefined) return t('Links_Empty_Contract', filter.contractId);
  return t('Links_Empty');
}

type Notice = { intent: 'success' | 'warning'; text: string };

type OpenDialog = { kind: 'edit' | 'delete'; link: Link };

type Download =
  { kind: 'idle' } | { kind: 'running' } | { kind: 'done' } | { kind: 'failed'; error: ErrorView };

export interface SyncMappingsTabProps {
  /** Without the admin role: links can be searched and downloaded, not edited or deleted. */
  readOnly: boolean;
}

/** The links between Dynamics lines and Oneflow products: search, page, edit, delete, download. */
export function SyncMappingsTab({ readOnly }: SyncMappingsTabProps): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const { client } = useServices();
  const [query, setQuery] = React.useState('');
  const [contractText, setContractText] = React.useState('');
  const settledQuery = useDebounced(query.trim(), SEARCH_DEBOUNCE_MS);
  const settledContract = useDebounced(contractText.trim(), SEARCH_DEBOUNCE_MS);
  const contractId = settledContract === '' ? undefined : parseContractId(settledContract);
  const contractInvalid = contractText.trim() !== '' && parseContractId(contractText) === null;

  // A wrong contract id sends nothing: the list keeps what it showed, and the field says what is wrong.
  const [filter, setFilter] = React.useState<LinksFilter>({});
  React.useEffect(() => {
    if (contractId === null) return;
    setFilter({
      ...(contractId === undefined ? {} : { contractId }),
      ...(settledQuery === '' ? {} : { q: settledQuery }),
    });
  }, [contractId, settledQuery]);

  const { list, reload, loadMore, replace, remove } = useLinksList(client, filter, t);
  const [notice, setNotice] = React.useState<Notice | null>(null);
  const [dialog, setDialog] = React.useState<OpenDialog | null>(null);
  const [download, setDownload] = React.useState<Download>({ kind: 'idle' });
  const trigger = React.useRef<HTMLElement | null>(null);
  const countRef = React.useRef<HTMLSpanElement>(null);
  const returnFocus = React.useRef(false);

  React.useEffect(() => {
    if (dialog !== null || !returnFocus.current) return;
    returnFocus.current = false;
    // The row may be gone (deleted): focus then goes to the count above the table, not to the page's top.
    if (trigger.current?.isConnected === true) trigger.current.focus();
    else countRef.current?.focus();
  }, [dialog, list.links]);

  const open = (kind: OpenDialog['kind'], link: Link, from: HTMLElement): void => {
    trigger.current = from;
    setNotice(null);
    setDialog({ kind, link });
  };
  const close = (): void => {
    returnFocus.current = true;
    setDialog(null);
  };
  const gone = (link: Link): void => {
    close();
    setNotice({ intent: 'warning', text: t('Links_Gone', link.lineId) });
    reload();
  };

  const downloadCsv = (): void => {
    setDownload({ kind: 'running' });
    client.linksCsv(list.filter).then(
      (blob) => {
        saveFile(blob, LINKS_CSV_FILE_NAME);
        setDownload({ kind: 'done' });
      },
      (failure: unknown) => {
        setDownload({ kind: 'failed', error: describeError(failure, t) });
      },
    );
  };

  let body: React.ReactNode;
  if (list.status === 'error' && list.error !== null) {
    body = <ErrorBar error={list.error} onRetry={reload} />;
  } else if (list.status === 'loading' && list.links.length === 0) {
    body = <Spinner size="small" label={t('Links_Loading')} />;
  } else if (list.links.length === 0) {
    body = <Text>{emptyText(list.filter, t)}</Text>;
  } else {
    body = (
      <LinksTable
        links={list.links}
        readOnly={readOnly}
        onEdit={(link, from) => {
          open('edit', link, from);
        }}
        onDelete={(link, from) => {
          open('delete', link, from);
        }}
      />
    );
  }

  return (
    <div className={styles.root}>
      <div className={styles.filters}>
        <Field label={t('Links_Search_Label')} className={styles.search}>
          <Input
            contentBefore={<Search20Regular />}
            value={query}
            maxLength={MAX_QUERY_LENGTH}
            placeholder={t('Links_Search_Placeholder')}
            onChange={(_event, data) => {
              setQuery(data.value);
            }}
          />
        </Field>
        <Field
          label={t('Links_Contract_Label')}
          className={styles.contract}
          validationState={contractInvalid ? 'error' : 'none'}
          validationMessage={contractInvalid ? t('Links_Contract_Invalid') : undefined}
        >
          <Input
            className={styles.fill}
            inputMode="numeric"
            value={contractText}
            onChange={(_event, data) => {
              setContractText(data.value);
            }}
          />
        </Field>
      </div>
      <div className={styles.bar}>
        <Text className={styles.count} aria-live="polite">
          {list.status === 'ready' && (
            <span ref={countRef} tabIndex={-1}>
              {countText(list, t)}
            </span>
          )}
          {list.status === 'loading' && list.links.length > 0 && (
            <Spinner size="extra-tiny" label={t('Links_Loading')} labelPosition="after" />
          )}
        </Text>
        <Button
          icon={download.kind === 'running' ? <Spinner size="tiny" /> : <ArrowDownload20Regular />}
          disabledFocusable={download.kind === 'running'}
          onClick={downloadCsv}
        >
          {download.kind === 'running' ? t('Links_Downloading') : t('Links_Download')}
        </Button>
      </div>
      {download.kind === 'done' && (
        <MessageBar intent="success">
          <MessageBarBody>{t('Links_Downloaded', LINKS_CSV_FILE_NAME)}</MessageBarBody>
        </MessageBar>
      )}
      {download.kind === 'failed' && <ErrorBar error={download.error} onRetry={downloadCsv} />}
      {notice !== null && (
        <MessageBar intent={notice.intent}>
          <MessageBarBody>{notice.text}</MessageBarBody>
        </MessageBar>
      )}
      {body}
      {list.status === 'ready' && list.continuationToken !== null && (
        <div className={styles.more}>
          <Button disabledFocusable={list.loadingMore} onClick={loadMore}>
            {t('Links_LoadMore')}
          </Button>
          {list.loadingMore && <Spinner size="tiny" label={t('Links_LoadingMore')} />}
        </div>
      )}
      {list.moreError !== null && <ErrorBar error={list.moreError} onRetry={loadMore} />}
      {dialog?.kind === 'edit' && (
        <EditLinkDialog
          link={dialog.link}
          onSaved={(link) => {
            replace(link);
            close();
            setNotice({ intent: 'success', text: t('Links_Saved', link.lineId) });
          }}
          onGone={gone}
          onCancel={close}
        />
      )}
      {dialog?.kind === 'delete' && (
        <DeleteLinkDialog
          link={dialog.link}
          onDeleted={(link) => {
            remove(link);
            close();
            setNotice({ intent: 'success', text: t('Links_Deleted', link.lineId) });
          }}
          onGone={gone}
          onCancel={close}
        />
      )}
    </div>
  );
}
