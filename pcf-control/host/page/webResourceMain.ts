import { readConfig, report, signedInUser } from './hostPage';
import { ROOT_ELEMENT_ID, type WebResourcePageConfig } from './pageConfig';
import { formWebApi } from './webApi';
import { hostXrm } from './xrmShim';

/** What the server writes into the page: the user, and the web resource's address and title. */
type Config = WebResourcePageConfig & { src: string; title: string };

async function start(): Promise<void> {
  const config = readConfig() as Config;
  const webAPI = formWebApi(config.user);
  const user = await signedInUser(config.user, webAPI);
  // Set before the frame exists: a web resource reads `parent.Xrm` as soon as its script runs.
  (window as unknown as { Xrm: unknown }).Xrm = hostXrm(user, webAPI);
  const slot = document.getElementById(ROOT_ELEMENT_ID);
  if (slot === null) throw new Error(`The page has no #${ROOT_ELEMENT_ID}`);
  const frame = document.createElement('iframe');
  frame.src = config.src;
  frame.title = config.title;
  frame.style.cssText = 'width:100%;height:calc(100vh - 6rem);border:0;display:block';
  slot.replaceChildren(frame);
}

start().catch((error: unknown) => {
  report(error instanceof Error ? error.message : String(error));
});
