// The entry of the settings page's web-resource build (scripts/webResource.mjs): the strings are the control's
// resx, compiled in; React and Fluent are bundled, as a web resource has no platform libraries.
import * as React from 'react';
// A web resource has no platform to render it: this entry is the one place that renders the tree itself.
// eslint-disable-next-line no-restricted-imports
import * as ReactDOM from 'react-dom';
import resx from '../../SyncSettings/strings/SyncSettings.1033.resx';
import { parseResx } from '../strings/resx';
import { StandaloneSettings } from './StandaloneSettings';
import { findXrm } from './xrmPlatform';

const ROOT_ELEMENT_ID = 'oneflow-sync-settings';

const strings = parseResx(resx);

/** A key missing from the resx shows as itself and is logged (browser tests fail on it), never a blank page. */
function getString(key: string): string {
  const value = strings.get(key);
  if (value !== undefined) return value;
  console.error(`Missing resx string: ${key}`);
  return key;
}

const root = document.getElementById(ROOT_ELEMENT_ID);
if (root !== null) {
  document.title = getString('Settings_Heading');
  ReactDOM.render(<StandaloneSettings xrm={findXrm(window)} getString={getString} />, root);
}
