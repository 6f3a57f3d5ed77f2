import { parseResx, strictGetString } from '../../src/strings/resx';

/**
 * `resources.getString` over the control's resx: a missing key throws, as in the unit tests, and is reported
 * (console.error and a banner on the page) so a browser test fails even when the control catches the error.
 */
export function resourceStrings(xml: string, report: (message: string) => void): (key: string) => string {
  const getString = strictGetString(parseResx(xml));
  return (key) => {
    try {
      return getString(key);
    } catch (error) {
      report(error instanceof Error ? error.message : String(error));
      throw error;
    }
  };
}
