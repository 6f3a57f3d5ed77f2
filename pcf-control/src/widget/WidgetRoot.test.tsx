import * as React from 'react';
import { render, waitFor } from '@testing-library/react';
import type { TokenProvider } from '../auth/TokenProvider';
import { fakePlatform } from '../testing/fakePlatform';
import { WidgetRoot } from './WidgetRoot';
import { useServices, type SyncApi } from '../ui/Services';

const clientsSeen: SyncApi[] = [];

// The probe stands in for the widget: what matters here is the services every render hands down.
jest.mock('./WidgetApp', () => ({
  WidgetApp: function Probe() {
    clientsSeen.push(useServices().client);
    return null;
  },
}));

const provider: TokenProvider = {
  getToken: () => Promise.resolve('token'),
  signIn: () => Promise.resolve(),
  account: () => null,
};
const tokenProviderFor = (): TokenProvider => provider;

/** A new Platform object for each updateView, as pcfPlatform builds one from each context. */
const platformOfUpdateView = () =>
  fakePlatform({
    webApi: {
      retrieveMultiple: () => Promise.resolve([]),
      retrieveRecord: () => Promise.reject(new Error('none')),
    },
  });

it('keeps one API client across updateViews, so an open dialog never sends its plan or write again', async () => {
  const view = (platform: ReturnType<typeof fakePlatform>) => (
    <WidgetRoot platform={platform} instanceId="w1" theme={undefined} tokenProviderFor={tokenProviderFor} />
  );
  const { rerender } = render(view(platformOfUpdateView()));
  // The configuration is read asynchronously; the probe renders once it is there.
  await waitFor(() => {
    expect(clientsSeen.length).toBeGreaterThan(0);
  });
  const before = clientsSeen.length;

  // A resize, a grid save or any other updateView: a new platform object with the same inputs.
  rerender(view(platformOfUpdateView()));
  rerender(view(platformOfUpdateView()));

  expect(clientsSeen.length).toBeGreaterThan(before);
  expect(new Set(clientsSeen).size).toBe(1);
});
