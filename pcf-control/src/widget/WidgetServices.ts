import { createContext, useContext } from 'react';
import type { SyncApiClient } from '../api/SyncApiClient';
import type { TokenProvider } from '../auth/TokenProvider';
import type { Platform } from '../platform/Platform';
import type { SyncConfig } from '../platform/config';

/** The API client's public calls: what the widget uses, and what a test's fake implements. */
export type SyncApi = Pick<SyncApiClient, keyof SyncApiClient>;

/** What every part of the widget may use: the host, the API and the sign-in. Handed down once, never the context. */
export interface WidgetServices {
  platform: Platform;
  config: SyncConfig;
  client: SyncApi;
  tokens: TokenProvider;
}

export const WidgetServicesContext = createContext<WidgetServices | null>(null);

export function useWidgetServices(): WidgetServices {
  const services = useContext(WidgetServicesContext);
  if (services === null) throw new Error('useWidgetServices outside WidgetServicesContext');
  return services;
}
