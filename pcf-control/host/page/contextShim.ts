import type { Theme } from '@fluentui/react-components';
import type { IInputs } from '../../ProductSyncWidget/generated/ManifestTypes';
import type { PageInputs } from './pageConfig';

type Context = ComponentFramework.Context<IInputs>;

/**
 * An object whose members the host implements; reading any other member throws with its name, so a control
 * that starts using a platform API the host lacks fails loudly instead of reading `undefined`.
 */
export function implemented<T extends object>(area: string, members: Partial<T>): T {
  return new Proxy(members, {
    get(target, property, receiver) {
      if (typeof property === 'symbol' || property in target) return Reflect.get(target, property, receiver);
      throw new Error(`${area}.${property} is not provided by the form host`);
    },
  }) as T;
}

function stringProperty(value: string | null): ComponentFramework.PropertyTypes.StringProperty {
  return implemented<ComponentFramework.PropertyTypes.StringProperty>('context.parameters', {
    raw: value,
    formatted: value ?? '',
    error: false,
    errorMessage: '',
    type: 'SingleLine.Text',
    security: { editable: true, readable: true, secured: false },
  });
}

export interface ContextSource {
  inputs: PageInputs;
  readOnly: boolean;
  /** The form's record; null on a page of no record (the settings page, as a custom page has none). */
  record: { entity: string; id: string; name: string } | null;
  /** The label the form gives the control's field. */
  label: string;
  user: { id: string; name: string };
  webAPI: ComponentFramework.WebApi;
  getString: (key: string) => string;
  width: number;
  /** The platform's Fluent theme, when the form runs in one (`?theme=dark`). */
  tokenTheme: Theme | null;
  updatedProperties: string[];
}

/** Fluent's web brand ramp (`brandWeb` of @fluentui/tokens), which Dynamics hands controls with its theme. */
const WEB_BRAND: ComponentFramework.FluentDesignState['brand'] = {
  10: '#061724',
  20: '#082338',
  30: '#0a2e4a',
  40: '#0c3b5e',
  50: '#0e4775',
  60: '#0f548c',
  70: '#115ea3',
  80: '#0f6cbd',
  90: '#2886de',
  100: '#479ef5',
  110: '#62abf5',
  120: '#77b7f7',
  130: '#96c6fa',
  140: '#b4d6fa',
  150: '#cfe4fa',
  160: '#ebf3fc',
};

const numberFormat = (precision: number) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: precision, maximumFractionDigits: precision });

/**
 * The ComponentFramework context Dynamics gives a field control, for the chosen record (if any) and user. Both
 * controls declare the same inputs, so the widget's generated types describe either's context.
 */
export function formContext(source: ContextSource): Context {
  const { inputs, record } = source;
  const mode = implemented<ComponentFramework.Mode & { contextInfo: Record<string, string> }>(
    'context.mode',
    {
      isControlDisabled: source.readOnly,
      isVisible: true,
      // A form section's width; forms give -1 for the height (the control sizes itself).
      allocatedWidth: source.width,
      allocatedHeight: -1,
      label: source.label,
      contextInfo:
        record === null
          ? {}
          : { entityId: record.id, entityTypeName: record.entity, entityRecordName: record.name },
      setControlState: () => true,
      setFullScreen: () => undefined,
      trackContainerResize: () => undefined,
    },
  );
  // Members read as optional (`fluentDesignLanguage`, the undocumented `page`) stay plain: absent is an answer.
  return {
    parameters: {
      anchor: stringProperty(record?.name ?? null),
      apiBaseUrl: stringProperty(inputs?.apiBaseUrl ?? null),
      clientId: stringProperty(inputs?.clientId ?? null),
      tenantId: stringProperty(inputs?.tenantId ?? null),
      apiScope: stringProperty(inputs?.apiScope ?? null),
      authorityHost: stringProperty(inputs?.authorityHost ?? null),
    },
    mode,
    webAPI: source.webAPI,
    resources: implemented<ComponentFramework.Resources>('context.resources', {
      getString: source.getString,
    }),
    formatting: implemented<ComponentFramework.Formatting>('context.formatting', {
      formatDecimal: (value, precision = 2) => numberFormat(precision).format(value),
      formatInteger: (value) => numberFormat(0).format(value),
      formatCurrency: (value, precision = 2, symbol = '$') =>
        `${symbol}${numberFormat(precision).format(value)}`,
      formatDateShort: (value, includeTime = false) =>
        new Intl.DateTimeFormat(
          'en-US',
          includeTime ? { dateStyle: 'short', timeStyle: 'short' } : { dateStyle: 'short' },
        ).format(value),
      formatDateLong: (value) => new Intl.DateTimeFormat('en-US', { dateStyle: 'long' }).format(value),
      formatTime: (value) => new Intl.DateTimeFormat('en-US', { timeStyle: 'short' }).format(value),
    }),
    userSettings: implemented<ComponentFramework.UserSettings>('context.userSettings', {
      userId: `{${source.user.id.toUpperCase()}}`,
      userName: source.user.name,
      languageId: 1033,
      isRTL: false,
      securityRoles: [],
      getTimeZoneOffsetMinutes: (date = new Date()) => -date.getTimezoneOffset(),
    }),
    navigation: implemented<ComponentFramework.Navigation>('context.navigation', {
      openUrl: (url) => {
        window.open(url, '_blank', 'noopener');
      },
    }),
    updatedProperties: source.updatedProperties,
    ...(source.tokenTheme === null
      ? {}
      : { fluentDesignLanguage: { tokenTheme: source.tokenTheme, brand: WEB_BRAND, isDarkTheme: true } }),
    client: implemented<ComponentFramework.Client>('context.client', {
      disableScroll: false,
      getFormFactor: () => 1,
      getClient: () => 'Web',
      isOffline: () => false,
    }),
    device: implemented<ComponentFramework.Device>('context.device', {}),
    factory: implemented<ComponentFramework.Factory>('context.factory', {}),
    utils: implemented<ComponentFramework.Utility>('context.utils', {}),
    copilot: implemented<ComponentFramework.Copilot>('context.copilot', {}),
    events: {},
  };
}
