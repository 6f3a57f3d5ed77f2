import * as React from 'react';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { LinkAnswerSchema, LinksPageAnswerSchema, type Link, type LinksPageAnswer } from '../../api/contract';
import type { LinksFilter, PageOptions } from '../../api/SyncApiClient';
import { apiError, fakeClient } from '../../testing/fakeClient';
import { SettingsShell } from '../../testing/settingsShell';
import type { SyncApi } from '../../ui/Services';
import { LINKS_PAGE_SIZE } from './useLinksList';
import { SEARCH_DEBOUNCE_MS, SyncMappingsTab } from './SyncMappingsTab';

// Dialogs and dropdowns render through Fluent's portals and positioning: slow on a busy machine, not stuck.
jest.setTimeout(20_000);

const LINE_1 = '2c3d0000-0000-4000-8000-000000000001';
const LINE_2 = '2c3d0000-0000-4000-8000-000000000002';
const LINE_3 = '2c3d0000-0000-4000-8000-000000000003';

function link(lineId: string, productId: number, overrides: Partial<Link> = {}): Link {
  return {
    contractId: 1001,
    lineId,
    productId,
    state: 'active',
    base: { quantity: { dynamics: '10', oneflow: '10' } },
    syncedAt: '2026-11-24T10:00:23.000Z',
    ...overrides,
  };
}

function page(links: Link[], continuationToken: string | null, total: number | null): LinksPageAnswer {
  return LinksPageAnswerSchema.parse({ links, continuationToken, total });
}

const THREE = [link(LINE_1, 300015), link(LINE_2, 300016), link(LINE_3, 300017)];

type LinksCall = { filter: LinksFilter; options: PageOptions };

function renderTab(calls: Partial<SyncApi>, readOnly = false) {
  const client = fakeClient(calls);
  const tree = () => (
    <SettingsShell client={client}>
      <SyncMappingsTab readOnly={readOnly} />
    </SettingsShell>
  );
  const rendered = render(tree());
  return {
    ...rendered,
    updateFromHost: () => {
      rendered.rerender(tree());
    },
  };
}

/** A `links` call that records what it was asked and answers from the given function. */
function recordLinks(answer: (filter: LinksFilter, options: PageOptions) => LinksPageAnswer) {
  const calls: LinksCall[] = [];
  const links: SyncApi['links'] = (filter, given) => {
    const options = given ?? {};
    calls.push({ filter, options });
    // An answer that throws is a refusal of the API, as the client's promise would reject with it.
    return new Promise((resolve) => {
      resolve(answer(filter, options));
    });
  };
  return { calls, links };
}

function rowOf(lineId: string): HTMLElement {
  const row = screen.getByText(lineId).closest('tr');
  if (row === null) throw new Error(`no row for ${lineId}`);
  return row;
}

afterEach(() => {
  jest.useRealTimers();
});

describe('the sync mappings tab', () => {
  it('lists the first page with the total, each link with its state in words and when it last synced', async () => {
    const { calls, links } = recordLinks(() => page(THREE, null, 3));
    renderTab({ links });
    expect(await screen.findByText('3 links')).toBeInTheDocument();
    expect(calls).toEqual([
      { filter: {}, options: { limit: LINKS_PAGE_SIZE, continuationToken: undefined } },
    ]);
    const row = rowOf(LINE_2);
    expect(within(row).getByText('1001')).toBeInTheDocument();
    expect(within(row).getByText('300016')).toBeInTheDocument();
    expect(within(row).getByText('Active')).toBeInTheDocument();
    expect(within(row).getByText('2026-11-24 10:00')).toBeInTheDocument();
    expect(within(row).getByRole('button', { name: `Edit the link of line ${LINE_2}` })).toBeEnabled();
    expect(within(row).getByRole('button', { name: `Remove the link of line ${LINE_2}` })).toBeEnabled();
    expect(within(row).getByRole('button', { name: `Copy line id ${LINE_2}` })).toBeInTheDocument();
  });

  it('lists again only when the search changes, not when the host renders the page again', async () => {
    const { calls, links } = recordLinks(() => page(THREE, null, 3));
    const { updateFromHost } = renderTab({ links });
    await screen.findByText('3 links');
    updateFromHost();
    updateFromHost();
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(screen.queryByText('Loading links…')).not.toBeInTheDocument();
    expect(calls).toHaveLength(1);
  });

  it("copies a line's id, and says it was copied", async () => {
    const copied: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: {
        writeText: (text: string) => {
          copied.push(text);
          return Promise.resolve();
        },
      },
    });
    const { links } = recordLinks(() => page(THREE, null, 3));
    renderTab({ links });
    await screen.findByText('3 links');
    const copy = within(rowOf(LINE_2)).getByRole('button', { name: `Copy line id ${LINE_2}` });
    expect(copy).toHaveAccessibleDescription('Copy the line id');
    fireEvent.click(copy);
    await waitFor(() => {
      expect(copy).toHaveAccessibleDescription('Line id copied');
    });
    expect(copied).toEqual([LINE_2]);
  });

  it('sends one search after typing rests, with what was typed last', async () => {
    jest.useFakeTimers();
    const { calls, links } = recordLinks((filter) =>
      page(
        THREE.filter((candidate) => filter.q === undefined || candidate.lineId.startsWith(filter.q)),
        null,
        null,
      ),
    );
    renderTab({ links });
    await screen.findByText('Showing 3');
    const search = screen.getByRole('textbox', { name: 'Search by Dynamics line id or Oneflow product id' });
    fireEvent.change(search, { target: { value: '2c3d' } });
    act(() => {
      jest.advanceTimersByTime(SEARCH_DEBOUNCE_MS - 100);
    });
    fireEvent.change(search, { target: { value: LINE_1 } });
    act(() => {
      jest.advanceTimersByTime(SEARCH_DEBOUNCE_MS - 1);
    });
    expect(calls).toHaveLength(1);
    act(() => {
      jest.advanceTimersByTime(1);
    });
    expect(await screen.findByText('Showing 1')).toBeInTheDocument();
    expect(calls.map((call) => call.filter)).toEqual([{}, { q: LINE_1 }]);
    expect(screen.queryByText(LINE_2)).not.toBeInTheDocument();
  });

  it('names a wrong contract id on its field and sends nothing until it is a contract id', async () => {
    const { calls, links } = recordLinks(() => page(THREE, null, 3));
    renderTab({ links });
    await screen.findByText('3 links');
    const contract = screen.getByRole('textbox', { name: 'Contract id' });
    fireEvent.change(contract, { target: { value: '10a1' } });
    expect(
      screen.getByText(
        'A contract id is a whole number in plain digits without leading zeros, like 1001. Nothing was searched.',
      ),
    ).toBeInTheDocument();
    expect(contract).toHaveAttribute('aria-invalid', 'true');
    await act(() => new Promise((resolve) => setTimeout(resolve, SEARCH_DEBOUNCE_MS + 100)));
    expect(calls).toHaveLength(1);
    fireEvent.change(contract, { target: { value: '1001' } });
    await waitFor(() => {
      expect(calls).toHaveLength(2);
    });
    expect(calls[1]?.filter).toEqual({ contractId: 1001 });
    expect(contract).not.toHaveAttribute('aria-invalid', 'true');
  });

  it('pages with the continuation token when the API gives no total, following an empty page', async () => {
    const { calls, links } = recordLinks((_filter, options) => {
      if (options.continuationToken === undefined) return page(THREE.slice(0, 2), 'p2', null);
      if (options.continuationToken === 'p2') return page([], 'p3', null);
      return page(THREE.slice(2), null, null);
    });
    renderTab({ links });
    expect(await screen.findByText('Showing 2; more links follow')).toBeInTheDocument();
    expect(screen.queryByText(LINE_3)).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('Showing 3')).toBeInTheDocument();
    expect(screen.getByText(LINE_3)).toBeInTheDocument();
    expect(calls.map((call) => call.options.continuationToken)).toEqual([undefined, 'p2', 'p3']);
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('says when nothing was synced yet, and when a search matches nothing', async () => {
    const { links } = recordLinks(() => page([], null, 0));
    renderTab({ links });
    expect(await screen.findByText('No products have been synced yet.')).toBeInTheDocument();
    fireEvent.change(
      screen.getByRole('textbox', { name: 'Search by Dynamics line id or Oneflow product id' }),
      {
        target: { value: '999999' },
      },
    );
    expect(await screen.findByText('No links match “999999”.')).toBeInTheDocument();
  });

  it('shows a failed load in words with its request id, and Retry loads again', async () => {
    let failing = true;
    const { calls, links } = recordLinks(() => {
      if (failing) throw apiError(500, 'internal', { requestId: 'req-links-1' });
      return page(THREE, null, 3);
    });
    renderTab({ links });
    expect(await screen.findByText(/Something went wrong in the product sync service/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy request id' })).toBeInTheDocument();
    failing = false;
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('3 links')).toBeInTheDocument();
    expect(calls).toHaveLength(2);
  });
});

describe('editing a link', () => {
  async function openEdit(
    updateLink: SyncApi['updateLink'],
    links = recordLinks(() => page(THREE, null, 3)),
  ) {
    renderTab({ links: links.links, updateLink });
    await screen.findByText('3 links');
    const trigger = within(rowOf(LINE_3)).getByRole('button', { name: `Edit the link of line ${LINE_3}` });
    fireEvent.click(trigger);
    const dialog = await screen.findByRole('dialog', { name: 'Edit link' });
    return { dialog, trigger, linksCalls: links.calls };
  }

  it('sends only the state when only the state changed, and shows the row as the API left it', async () => {
    const patches: unknown[] = [];
    const { dialog, trigger } = await openEdit((contractId, lineId, patch) => {
      patches.push({ contractId, lineId, patch });
      return Promise.resolve(
        LinkAnswerSchema.parse({ link: link(LINE_3, 300017, { state: 'deleted_in_oneflow' }) }),
      );
    });
    expect(
      within(dialog).getByText(
        'Changing the product clears the last-synced values; the next push or fetch compares both sides afresh.',
      ),
    ).toBeInTheDocument();
    const save = within(dialog).getByRole('button', { name: 'Save link' });
    expect(save).toHaveAttribute('aria-disabled', 'true');
    expect(within(dialog).getByText('Change the product id or the state to save.')).toBeInTheDocument();
    fireEvent.click(within(dialog).getByRole('combobox', { name: 'State' }));
    fireEvent.click(await screen.findByRole('option', { name: 'Deleted in Oneflow' }));
    fireEvent.click(save);
    expect(await screen.findByText(`The link of line ${LINE_3} was saved.`)).toBeInTheDocument();
    expect(patches).toEqual([{ contractId: 1001, lineId: LINE_3, patch: { state: 'deleted_in_oneflow' } }]);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(within(rowOf(LINE_3)).getByText('Deleted in Oneflow')).toBeInTheDocument();
    await waitFor(() => {
      expect(trigger).toHaveFocus();
    });
  });

  it('refuses a product id that is not a positive whole number on its field, sending nothing', async () => {
    const updateLink = jest.fn<ReturnType<SyncApi['updateLink']>, Parameters<SyncApi['updateLink']>>();
    const { dialog } = await openEdit(updateLink);
    const product = within(dialog).getByRole('spinbutton', { name: /Oneflow product id/ });
    fireEvent.change(product, { target: { value: '0' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save link' }));
    expect(
      within(dialog).getByText('The Oneflow product id must be a positive whole number, like 300015.'),
    ).toBeInTheDocument();
    expect(product).toHaveAttribute('aria-invalid', 'true');
    expect(updateLink).not.toHaveBeenCalled();
  });

  it('puts a product already linked on the product id field, sending only the product id', async () => {
    const patches: unknown[] = [];
    const { dialog } = await openEdit((_contractId, _lineId, patch) => {
      patches.push(patch);
      return Promise.reject(apiError(409, 'product_already_linked'));
    });
    const product = within(dialog).getByRole('spinbutton', { name: /Oneflow product id/ });
    fireEvent.change(product, { target: { value: '300016' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save link' }));
    expect(
      await within(dialog).findByText('Product 300016 is already linked to another line of this contract'),
    ).toBeInTheDocument();
    expect(product).toHaveAttribute('aria-invalid', 'true');
    expect(patches).toEqual([{ productId: 300016 }]);
    expect(screen.queryByText(/was saved/)).not.toBeInTheDocument();
  });

  it('offers Retry when the contract is busy, and keeps the dialog open', async () => {
    let busy = true;
    const { dialog } = await openEdit(() =>
      busy
        ? Promise.reject(apiError(409, 'contract_busy', { retryAfterSeconds: 5 }))
        : Promise.resolve(LinkAnswerSchema.parse({ link: link(LINE_3, 300099) })),
    );
    fireEvent.change(within(dialog).getByRole('spinbutton', { name: /Oneflow product id/ }), {
      target: { value: '300099' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save link' }));
    expect(await within(dialog).findByText('Another sync of this contract is running.')).toBeInTheDocument();
    busy = false;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText(`The link of line ${LINE_3} was saved.`)).toBeInTheDocument();
    expect(within(rowOf(LINE_3)).getByText('300099')).toBeInTheDocument();
  });

  it('says a link that is gone is gone, and refreshes the list', async () => {
    let answers = [page(THREE, null, 3), page(THREE.slice(0, 2), null, 2)];
    const listing = recordLinks(() => {
      const [first, ...rest] = answers;
      if (first === undefined) throw new Error('no more pages');
      if (rest.length > 0) answers = rest;
      return first;
    });
    const { linksCalls } = await openEdit(() => Promise.reject(apiError(404, 'not_found')), listing);
    fireEvent.change(screen.getByRole('spinbutton', { name: /Oneflow product id/ }), {
      target: { value: '300099' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save link' }));
    expect(
      await screen.findByText(
        `The link of line ${LINE_3} no longer exists: someone removed it or its contract was unlinked. The list was refreshed.`,
      ),
    ).toBeInTheDocument();
    expect(await screen.findByText('2 links')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.queryByText(LINE_3)).not.toBeInTheDocument();
    expect(linksCalls).toHaveLength(2);
  });
});

describe('removing a link', () => {
  it('asks first, then removes it and the row disappears', async () => {
    const removed: unknown[] = [];
    const { links } = recordLinks(() => page(THREE, null, 3));
    renderTab({
      links,
      deleteLink: (contractId, lineId) => {
        removed.push({ contractId, lineId });
        return Promise.resolve();
      },
    });
    await screen.findByText('3 links');
    fireEvent.click(within(rowOf(LINE_2)).getByRole('button', { name: `Remove the link of line ${LINE_2}` }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Remove this link?' });
    expect(
      within(dialog).getByText(
        'At the next push the line counts as new. If its product still exists in Oneflow it is found again, not duplicated.',
      ),
    ).toBeInTheDocument();
    expect(removed).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove link' }));
    expect(await screen.findByText(`The link of line ${LINE_2} was removed.`)).toBeInTheDocument();
    expect(removed).toEqual([{ contractId: 1001, lineId: LINE_2 }]);
    expect(screen.queryByText(LINE_2)).not.toBeInTheDocument();
    expect(screen.getByText('2 links')).toBeInTheDocument();
  });

  it('removes nothing when cancelled', async () => {
    const deleteLink = jest.fn<ReturnType<SyncApi['deleteLink']>, Parameters<SyncApi['deleteLink']>>();
    const { links } = recordLinks(() => page(THREE, null, 3));
    renderTab({ links, deleteLink });
    await screen.findByText('3 links');
    fireEvent.click(within(rowOf(LINE_2)).getByRole('button', { name: `Remove the link of line ${LINE_2}` }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Remove this link?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => {
      expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    });
    expect(deleteLink).not.toHaveBeenCalled();
    expect(screen.getByText(LINE_2)).toBeInTheDocument();
  });
});

describe('Download CSV', () => {
  const createObjectURL = jest.fn<string, [Blob]>(() => 'blob:https://host/links');
  const revokeObjectURL = jest.fn<undefined, [string]>();
  let clicked: { href: string; download: string }[] = [];

  beforeEach(() => {
    clicked = [];
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download });
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    createObjectURL.mockClear();
    revokeObjectURL.mockClear();
  });

  it('downloads the file of the current search through an object URL, and revokes it', async () => {
    const filters: LinksFilter[] = [];
    const csv = new Blob(['contractId,lineId\n'], { type: 'text/csv' });
    const { calls, links } = recordLinks(() => page(THREE.slice(0, 1), null, 1));
    renderTab({
      links,
      linksCsv: (filter) => {
        filters.push(filter);
        return Promise.resolve(csv);
      },
    });
    await screen.findByText('1 link');
    fireEvent.change(screen.getByRole('textbox', { name: 'Contract id' }), { target: { value: '1001' } });
    fireEvent.change(
      screen.getByRole('textbox', { name: 'Search by Dynamics line id or Oneflow product id' }),
      {
        target: { value: '300015' },
      },
    );
    await waitFor(() => {
      expect(calls.at(-1)?.filter).toEqual({ contractId: 1001, q: '300015' });
    });
    await screen.findByText('1 link');
    fireEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    expect(
      await screen.findByText('Downloaded product-sync-links.csv: every link the search matches.'),
    ).toBeInTheDocument();
    expect(filters).toEqual([{ contractId: 1001, q: '300015' }]);
    expect(createObjectURL).toHaveBeenCalledWith(csv);
    expect(clicked).toEqual([{ href: 'blob:https://host/links', download: 'product-sync-links.csv' }]);
    await waitFor(() => {
      expect(revokeObjectURL).toHaveBeenCalledWith('blob:https://host/links');
    });
    expect(document.querySelector('a[download]')).toBeNull();
  });

  it('says a failed download failed, and never that it was downloaded', async () => {
    const { links } = recordLinks(() => page(THREE, null, 3));
    renderTab({ links, linksCsv: () => Promise.reject(apiError(0, 'network')) });
    await screen.findByText('3 links');
    fireEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    expect(await screen.findByText(/Can't reach Oneflow product sync/)).toBeInTheDocument();
    expect(screen.queryByText(/Downloaded/)).not.toBeInTheDocument();
    expect(clicked).toEqual([]);
  });
});

describe('without the admin role', () => {
  it('lists and downloads, but edit and remove stay focusable, do nothing and say which role they need', async () => {
    const { links } = recordLinks(() => page(THREE, null, 3));
    renderTab({ links }, true);
    await screen.findByText('3 links');
    const edit = within(rowOf(LINE_1)).getByRole('button', { name: `Edit the link of line ${LINE_1}` });
    const remove = within(rowOf(LINE_1)).getByRole('button', { name: `Remove the link of line ${LINE_1}` });
    expect(edit).toHaveAttribute('aria-disabled', 'true');
    expect(remove).toHaveAttribute('aria-disabled', 'true');
    fireEvent.click(edit);
    fireEvent.click(remove);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(edit).toHaveAccessibleDescription('Changing links needs the ProductSync.Admin role.');
    expect(remove).toHaveAccessibleDescription('Changing links needs the ProductSync.Admin role.');
    expect(screen.getByRole('button', { name: 'Download CSV' })).not.toHaveAttribute('aria-disabled');
  });
});
