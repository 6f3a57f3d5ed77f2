import { request } from 'node:https';
import { DEMO_USERS, type DemoUserKey } from './options';

interface MintedToken {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresOn: number;
}

/** Renewed this long before expiry, so a token handed out is never about to lapse mid-request. */
const RENEW_BEFORE_MS = 5 * 60_000;

function postJson(url: string, body: unknown, ca: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const call = request(
      url,
      {
        method: 'POST',
        ca,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, text });
        });
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(payload);
  });
}

/**
 * User tokens from the identity simulator (`POST /_sim/tokens`), one per user and audience, cached until near
 * expiry. The simulator signs them with its real keys, so the Function app and Dataverse verify them as Entra's.
 */
export class TokenMinter {
  private readonly cache = new Map<string, Promise<MintedToken>>();

  constructor(
    private readonly identityUrl: string,
    private readonly certificatePem: string,
  ) {}

  async token(user: DemoUserKey, audience: string): Promise<MintedToken> {
    const key = `${user}|${audience}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      const token = await cached.catch(() => null);
      if (token !== null && token.expiresOn - RENEW_BEFORE_MS > Date.now()) return token;
    }
    const minted = this.mint(user, audience);
    this.cache.set(key, minted);
    return minted;
  }

  private async mint(user: DemoUserKey, audience: string): Promise<MintedToken> {
    const answer = await postJson(
      `${this.identityUrl}/_sim/tokens`,
      { ...DEMO_USERS[user], aud: audience },
      this.certificatePem,
    );
    if (answer.status !== 200) {
      // The answer names the problem (unknown audience, user); it never holds a token when it is not a 200.
      throw new Error(`The identity provider refused a token for ${user} (${answer.status}): ${answer.text}`);
    }
    const body = JSON.parse(answer.text) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
      throw new Error('The identity provider answered a token without access_token or expires_in');
    }
    return { accessToken: body.access_token, expiresOn: Date.now() + body.expires_in * 1000 };
  }
}
