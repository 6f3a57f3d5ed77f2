import { createContext, useContext } from 'react';
import type { SyncApiClient } from '../api/SyncApiClient';
import type { TokenProvider } from '../auth/TokenProvider';
import type { Platform } from '../platform/Platform';
import type { SyncConfig } from '../platform/config';

/** What every part of the widget may use: the host, the API and the sign-in. Handed down once, never the context. */
export interface WidgetServices {
  platform: Platform;
  config: SyncConfig;
  client: SyncApiClient;
  tokens: TokenProvider;
}

export const WidgetServicesContext = createContext<WidgetServices | null>(null);

export function useWidgetServices(): WidgetServices {
  const services = useContext(WidgetServicesContext);
  if (services === null) throw new Error('useWidgetServices outside WidgetServicesContext');
  return services;
}
