import * as React from 'react';
import { render, waitFor } from '@testing-library/react';
import type { TokenProvider } from '../auth/TokenProvider';
import { useStrings, type Translate } from '../strings/strings';
import { fakePlatform } from '../testing/fakePlatform';
import { ControlRoot } from './ControlRoot';

const provider: TokenProvider = {
  getToken: () => Promise.resolve('token'),
  signIn: () => Promise.resolve(),
  account: () => null,
};
const tokenProviderFor = (): TokenProvider => provider;

/** A new Platform object for each updateView, as pcfPlatform builds one from each context. */
const platformOfUpdateView = (languageId = 1033) =>
  fakePlatform({
    user: { id: 'b3e1a2c4-0000-4000-8000-000000000001', name: 'Sam Admin', languageId },
    webApi: {
      retrieveMultiple: () => Promise.resolve([]),
      retrieveRecord: () => Promise.reject(new Error('none')),
    },
  });

it('keeps one translate function across updateViews, so a resize never reloads what is worded with it', async () => {
  const seen: Translate[] = [];
  function Probe() {
    seen.push(useStrings());
    return null;
  }
  const view = (platform: ReturnType<typeof fakePlatform>) => (
    <ControlRoot platform={platform} instanceId="s1" theme={undefined} tokenProviderFor={tokenProviderFor}>
      <Probe />
    </ControlRoot>
  );
  const { rerender } = render(view(platformOfUpdateView()));
  await waitFor(() => {
    expect(seen.length).toBeGreaterThan(0);
  });
  const before = seen.length;

  rerender(view(platformOfUpdateView()));
  rerender(view(platformOfUpdateView()));
  expect(seen.length).toBeGreaterThan(before);
  expect(new Set(seen).size).toBe(1);

  // Another language is other strings: then the function changes.
  rerender(view(platformOfUpdateView(1053)));
  expect(new Set(seen).size).toBe(2);
});
