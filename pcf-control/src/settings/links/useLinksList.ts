import * as React from 'react';
import type { Link, LinksPageAnswer } from '../../api/contract';
import { describeError, type ErrorView } from '../../api/errors';
import type { LinksFilter } from '../../api/SyncApiClient';
import type { Translate } from '../../strings/strings';
import type { SyncApi } from '../../ui/Services';

/** Links per page: a screenful an admin can scan; the rest arrive with "Load more". */
export const LINKS_PAGE_SIZE = 25;

/**
 * Empty pages followed in one go: a search may answer a page with nothing on it and a token (index entries of
 * changed links are dropped), which on screen would look like "no links" while more follow.
 */
const MAX_EMPTY_PAGES = 10;

export interface LinksList {
  status: 'loading' | 'error' | 'ready';
  /** The filter the shown links match. */
  filter: LinksFilter;
  links: readonly Link[];
  continuationToken: string | null;
  total: number | null;
  error: ErrorView | null;
  loadingMore: boolean;
  moreError: ErrorView | null;
}

export interface LinksListControls {
  list: LinksList;
  reload: () => void;
  loadMore: () => void;
  /** A link as an edit left it, in place. */
  replace: (link: Link) => void;
  /** A link that was removed (or found gone). */
  remove: (link: Link) => void;
}

function sameLink(a: Link, b: Link): boolean {
  return a.contractId === b.contractId && a.lineId === b.lineId;
}

async function fetchPage(
  client: SyncApi,
  filter: LinksFilter,
  token: string | undefined,
): Promise<LinksPageAnswer> {
  let page = await client.links(filter, { limit: LINKS_PAGE_SIZE, continuationToken: token });
  for (let followed = 0; page.links.length === 0 && page.continuationToken !== null; followed += 1) {
    if (followed >= MAX_EMPTY_PAGES) break;
    page = await client.links(filter, { limit: LINKS_PAGE_SIZE, continuationToken: page.continuationToken });
  }
  return page;
}

/** One listing of links: the first page of a filter, more pages on demand, and edits applied in place. */
export function useLinksList(client: SyncApi, filter: LinksFilter | null, t: Translate): LinksListControls {
  const [list, setList] = React.useState<LinksList>({
    status: 'loading',
    filter: {},
    links: [],
    continuationToken: null,
    total: null,
    error: null,
    loadingMore: false,
    moreError: null,
  });
  // Only the newest request may settle the list: a slow answer to an older search never replaces a newer one.
  const generation = React.useRef(0);
  const [reloads, setReloads] = React.useState(0);
  // The words of an error are read when it happens: a new translate function (the host re-rendering the control)
  // is no reason to list the links again.
  const words = React.useRef(t);
  words.current = t;
  const contractId = filter?.contractId;
  const q = filter?.q;
  const enabled = filter !== null;

  React.useEffect(() => {
    if (!enabled) return;
    generation.current += 1;
    const mine = generation.current;
    const applied: LinksFilter = {
      ...(contractId === undefined ? {} : { contractId }),
      ...(q === undefined ? {} : { q }),
    };
    setList((previous) => ({
      ...previous,
      status: 'loading',
      error: null,
      moreError: null,
      loadingMore: false,
    }));
    fetchPage(client, applied, undefined).then(
      (page) => {
        if (generation.current !== mine) return;
        setList({
          status: 'ready',
          filter: applied,
          links: page.links,
          continuationToken: page.continuationToken,
          total: page.total,
          error: null,
          loadingMore: false,
          moreError: null,
        });
      },
      (failure: unknown) => {
        if (generation.current !== mine) return;
        setList((previous) => ({
          ...previous,
          status: 'error',
          error: describeError(failure, words.current),
        }));
      },
    );
  }, [client, contractId, q, enabled, reloads]);

  const loadMore = React.useCallback((): void => {
    const token = list.continuationToken;
    if (token === null || list.loadingMore) return;
    const mine = generation.current;
    const { filter: applied } = list;
    setList((previous) => ({ ...previous, loadingMore: true, moreError: null }));
    fetchPage(client, applied, token).then(
      (page) => {
        if (generation.current !== mine) return;
        setList((previous) => ({
          ...previous,
          links: [
            ...previous.links,
            ...page.links.filter((link) => !previous.links.some((shown) => sameLink(shown, link))),
          ],
          continuationToken: page.continuationToken,
          total: page.total ?? previous.total,
          loadingMore: false,
        }));
      },
      (failure: unknown) => {
        if (generation.current !== mine) return;
        setList((previous) => ({
          ...previous,
          loadingMore: false,
          moreError: describeError(failure, words.current),
        }));
      },
    );
  }, [client, list]);

  const reload = React.useCallback((): void => {
    setReloads((count) => count + 1);
  }, []);

  const replace = React.useCallback((link: Link): void => {
    setList((previous) => ({
      ...previous,
      links: previous.links.map((shown) => (sameLink(shown, link) ? link : shown)),
    }));
  }, []);

  const remove = React.useCallback((link: Link): void => {
    setList((previous) => {
      const links = previous.links.filter((shown) => !sameLink(shown, link));
      const removed = previous.links.length - links.length;
      return {
        ...previous,
        links,
        total: previous.total === null ? null : Math.max(0, previous.total - removed),
      };
    });
  }, []);

  return { list, reload, loadMore, replace, remove };
}
