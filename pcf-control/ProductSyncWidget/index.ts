import * as React from 'react';
import type { Theme } from '@fluentui/react-components';
import { msalTokenProvider } from '../src/auth/msalTokenProvider';
import type { TokenProvider } from '../src/auth/TokenProvider';
import { loginHint } from '../src/platform/loginHint';
import { pcfPlatform } from '../src/platform/pcfPlatform';
import type { Platform } from '../src/platform/Platform';
import type { SyncConfig } from '../src/platform/config';
import { WidgetRoot } from '../src/widget/WidgetRoot';
import type { IInputs, IOutputs } from './generated/ManifestTypes';

let instances = 0;

/**
 * The sales rep's widget on Opportunity and Quote forms. Thin on purpose: the context becomes a Platform on
 * every updateView (the record id appears after the first save without a new init), everything else is React.
 */
export class ProductSyncWidget implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  private readonly instanceId = `oneflow-sync-widget-${++instances}`;
  private platform: Platform | null = null;
  private tokenProviders = new Map<string, TokenProvider>();

  public init(): void {
    // Nothing to prepare: sign-in starts when the widget first renders with its configuration.
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    this.platform = pcfPlatform(context);
    return React.createElement(WidgetRoot, {
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

  /** One provider per configuration for the control's lifetime, so a re-render never signs in again. */
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
