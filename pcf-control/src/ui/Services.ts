import { createContext, useContext } from 'react';
import type { SyncApiClient } from '../api/SyncApiClient';
import type { TokenProvider } from '../auth/TokenProvider';
import type { Platform } from '../platform/Platform';
import type { SyncConfig } from '../platform/config';

/** The API client's public calls: what the controls use, and what a test's fake implements. */
export type SyncApi = Pick<SyncApiClient, keyof SyncApiClient>;

/** What every part of a control may use: the host, the API and the sign-in. Handed down once, never the context. */
export interface Services {
  platform: Platform;
  config: SyncConfig;
  client: SyncApi;
  tokens: TokenProvider;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (services === null) throw new Error('useServices outside ServicesContext');
  return services;
}
