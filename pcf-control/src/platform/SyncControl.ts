import * as React from 'react';
import type { Theme } from '@fluentui/react-components';
import { msalTokenProvider } from '../auth/msalTokenProvider';
import type { TokenProvider } from '../auth/TokenProvider';
import type { ControlRootProps } from '../ui/ControlRoot';
import type { IInputs, IOutputs } from '../../ProductSyncWidget/generated/ManifestTypes';
import type { SyncConfig } from './config';
import { loginHint } from './loginHint';
import { pcfPlatform } from './pcfPlatform';
import type { Platform } from './Platform';

/**
 * What both controls are: thin classes around a React root. The context becomes a Platform on every updateView
 * (a record id appears after the first save without a new init); sign-in is one provider per configuration for
 * the control's lifetime. Both manifests declare the same inputs, so the widget's generated types serve both.
 */
export abstract class SyncControl implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  private readonly instanceId: string;
  private platform: Platform | null = null;
  private tokenProviders = new Map<string, TokenProvider>();

  protected constructor(
    instancePrefix: string,
    private readonly root: React.ComponentType<ControlRootProps>,
  ) {
    this.instanceId = `${instancePrefix}-${nextInstance()}`;
  }

  public init(): void {
    // Nothing to prepare: sign-in starts when the control first renders with its configuration.
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    this.platform = pcfPlatform(context);
    return React.createElement(this.root, {
      platform: this.platform,
      instanceId: this.instanceId,
      theme: context.fluentDesignLanguage?.tokenTheme as Theme | undefined,
      tokenProviderFor: this.tokenProviderFor,
    });
  }

  public getOutputs(): IOutputs {
    return {};
  }

  public destroy(): void {
    this.tokenProviders.clear();
    this.platform = null;
  }

  private readonly tokenProviderFor = (config: SyncConfig): TokenProvider => {
    const key = `${config.authority}|${config.clientId}|${config.apiScope}`;
    let provider = this.tokenProviders.get(key);
    if (provider === undefined) {
      provider = this.createTokenProvider(config);
      this.tokenProviders.set(key, provider);
    }
    return provider;
  };

  /** MSAL in production. A host that signs users in by other means (the local host page) overrides this. */
  protected createTokenProvider(config: SyncConfig): TokenProvider {
    return msalTokenProvider(config, () =>
      this.platform === null ? Promise.resolve(null) : loginHint(this.platform),
    );
  }
}

let instances = 0;
function nextInstance(): number {
  instances += 1;
  return instances;
}
