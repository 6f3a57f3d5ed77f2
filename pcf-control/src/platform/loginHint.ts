import type { Platform } from './Platform';

/**
 * The signed-in Dynamics user's sign-in name, for a silent Entra sign-in without asking: `domainname` is the
 * user principal name (`userSettings.userName` is only documented as "the username"), else the e-mail address.
 */
export async function loginHint(platform: Platform): Promise<string | null> {
  try {
    const user = await platform.webApi.retrieveRecord(
      'systemuser',
      platform.user.id,
      '?$select=domainname,internalemailaddress',
    );
    for (const value of [user.domainname, user.internalemailaddress]) {
      if (typeof value === 'string' && value.includes('@')) return value;
    }
    return null;
  } catch {
    return null;
  }
}
