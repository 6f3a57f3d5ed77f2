import { render as renderDom, unmountComponentAtNode } from 'react-dom';
import { act, screen } from '@testing-library/react';
import { ProductSyncWidget } from '../../ProductSyncWidget';
import type { IInputs, IOutputs } from '../../ProductSyncWidget/generated/ManifestTypes';
import type { TokenProvider } from '../auth/TokenProvider';
import type { SyncConfig } from '../platform/config';
import { WIDGET_STRINGS } from '../testing/fakePlatform';
import { RECORD_ID } from '../testing/fakeClient';

type Context = ComponentFramework.Context<IInputs>;

function text(raw: string | null): ComponentFramework.PropertyTypes.StringProperty {
  return { raw, error: false, errorMessage: '', type: 'SingleLine.Text' };
}

/** The members of the context the control reads, each typed as the platform declares it. */
interface ContextParts {
  parameters: IInputs;
  mode: Pick<Context['mode'], 'isControlDisabled'> & { contextInfo: Record<string, string> };
  userSettings: Pick<Context['userSettings'], 'userId' | 'userName' | 'languageId'>;
  webAPI: Pick<Context['webAPI'], 'retrieveMultipleRecords' | 'retrieveRecord'>;
  resources: Pick<Context['resources'], 'getString'>;
  formatting: Pick<Context['formatting'], 'formatDecimal' | 'formatDateShort'>;
  navigation: Pick<Context['navigation'], 'openUrl'>;
}

/**
 * A form's context as the platform hands it to the control: the record (absent on a create form), the inputs, the
 * user, the Web API (no environment variables set) and the resx strings.
 */
function formContext(recordId: string | null): Context {
  const parts: ContextParts = {
    parameters: {
      anchor: text(null),
      apiBaseUrl: text('https://sync.example.test'),
      clientId: text('7e1f3a5c-9b2d-4f6e-8a0c-3d5f7b9e1a2c'),
      tenantId: text('3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f'),
      apiScope: text('api://a9900000-0000-4000-8000-000000000001/access_as_user'),
      authorityHost: text(null),
    },
    mode: {
      isControlDisabled: false,
      contextInfo:
        recordId === null
          ? { entityTypeName: 'opportunity' }
          : {
              entityTypeName: 'opportunity',
              entityId: `{${recordId.toUpperCase()}}`,
              entityRecordName: 'Contoso',
            },
    },
    userSettings: {
      userId: '{B3E1A2C4-0000-4000-8000-000000000001}',
      userName: 'Alex Seller',
      languageId: 1033,
    },
    webAPI: {
      retrieveMultipleRecords: () => Promise.resolve({ entities: [], nextLink: '' }),
      retrieveRecord: () => Promise.reject(new Error('no such record')),
    },
    resources: {
      getString: (key) => {
        const value = WIDGET_STRINGS.get(key);
        if (value === undefined) throw new Error(`Missing resx string: ${key}`);
        return value;
      },
    },
    formatting: {
      formatDecimal: (value, precision) => value.toFixed(precision),
      formatDateShort: (value) => value.toISOString(),
    },
    navigation: { openUrl: () => undefined },
  };
  // The control reads only these members (pcfPlatform.ts); the rest of the platform's context is not needed here.
  return parts as unknown as Context;
}

class TestWidget extends ProductSyncWidget {
  readonly providers: SyncConfig[] = [];
  protected override createTokenProvider(config: SyncConfig): TokenProvider {
    this.providers.push(config);
    return {
      getToken: () => Promise.resolve('token-from-the-host'),
      signIn: () => Promise.resolve(),
      account: () => null,
    };
  }
}

interface Sent {
  url: string;
  authorization: string | undefined;
}

function stubFetch(): Sent[] {
  const sent: Sent[] = [];
  const fetch = (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    sent.push({ url, authorization: headers.Authorization });
    const body = {
      error: { code: 'not_found', message: 'This opportunity has no Oneflow contract yet', details: [] },
    };
    return Promise.resolve({ ok: false, status: 404, text: () => Promise.resolve(JSON.stringify(body)) });
  };
  Object.defineProperty(globalThis, 'fetch', { value: fetch, configurable: true, writable: true });
  return sent;
}

describe('the ProductSyncWidget control', () => {
  afterEach(() => {
    Reflect.deleteProperty(globalThis, 'fetch');
  });

  it('renders from init and updateView, loads when the record is saved, and is destroyed cleanly', async () => {
    const sent = stubFetch();
    const container = document.createElement('div');
    document.body.append(container);
    const control = new TestWidget();
    const asPlatformSeesIt: ComponentFramework.ReactControl<IInputs, IOutputs> = control;
    const notify = jest.fn();

    asPlatformSeesIt.init(formContext(null), notify, {});
    act(() => {
      renderDom(asPlatformSeesIt.updateView(formContext(null)), container);
    });
    expect(await screen.findByRole('heading', { name: 'Oneflow contract' })).toBeInTheDocument();
    expect(
      await screen.findAllByText('Save the record to create its Oneflow contract.', {
        ignore: '[aria-live]',
      }),
    ).toHaveLength(1);
    expect(sent).toEqual([]);

    // The first save: the platform calls updateView with the record id, without a new init.
    act(() => {
      renderDom(asPlatformSeesIt.updateView(formContext(RECORD_ID)), container);
    });
    expect(await screen.findByText('No Oneflow contract yet', { ignore: '[aria-live]' })).toBeInTheDocument();
    expect(sent).toEqual([
      {
        url: `https://sync.example.test/api/contracts?entity=opportunity&recordId=${RECORD_ID}`,
        authorization: 'Bearer token-from-the-host',
      },
    ]);
    expect(control.providers).toEqual([
      expect.objectContaining({
        apiBaseUrl: 'https://sync.example.test',
        authority: 'https://login.microsoftonline.com/3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
      }),
    ]);
    expect(asPlatformSeesIt.getOutputs?.()).toEqual({});
    expect(notify).not.toHaveBeenCalled();

    asPlatformSeesIt.destroy();
    act(() => {
      unmountComponentAtNode(container);
    });
    expect(container).toBeEmptyDOMElement();
    container.remove();
  });
});
