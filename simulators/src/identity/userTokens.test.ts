import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { z } from 'zod';
import { seededEntities } from './seededEntities';
import { useIdentitySimulator } from './testSupport';
import { postJsonTrusting } from './tlsClient';

const seeded = seededEntities();
const productApiUri = seeded.productApi.identifierUris[0] ?? '';
const identity = useIdentitySimulator();

const MintAnswerSchema = z.object({ token_type: z.literal('Bearer'), access_token: z.string() });

describe('user tokens', () => {
  it('fact: POST /_sim/tokens mints a v2 user token with aud, iss, tid, oid, preferred_username, name, roles, scp and exp', async () => {
    const response = await postJsonTrusting(identity.certificatePem, `${identity.url}/_sim/tokens`, {
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      aud: seeded.productApi.appId,
    });
    expect(response.status).toBe(200);
    const token = MintAnswerSchema.parse(response.json).access_token;
    const claims = await identity.verifyAccessToken(token, {
      audience: seeded.productApi.appId,
      tenantId: seeded.homeTenantId,
    });
    expect(claims).toMatchObject({
      aud: seeded.productApi.appId,
      iss: identity.issuer(seeded.homeTenantId),
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      preferred_username: seeded.admin.userPrincipalName,
      name: seeded.admin.name,
      roles: ['ProductSync.Admin'],
      scp: 'access_as_user',
      azp: seeded.widget.clientId,
      ver: '2.0',
    });
    expect(claims?.exp).toBeGreaterThan(Date.now() / 1000 + 3000);
  });

  it('fact: a user without app roles gets no roles claim, like Entra', async () => {
    const token = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.rep.oid,
      aud: productApiUri,
    });
    expect(decodeJwt(token)).not.toHaveProperty('roles');
  });

  it('fact: a v2 token asked for by App ID URI names the API by its app id in aud', async () => {
    const token = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      aud: productApiUri,
    });
    expect(decodeJwt(token).aud).toBe(seeded.productApi.appId);
    await expect(identity.verifyAccessToken(token, { audience: productApiUri })).resolves.toBeNull();
  });

  it('fact: a user’s sub is pairwise, not the oid', async () => {
    const token = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      aud: productApiUri,
    });
    expect(decodeJwt(token).sub).not.toBe(seeded.admin.oid);
  });

  it('fact: an expired token fails verification (beyond the five minutes of clock skew)', async () => {
    const token = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      aud: seeded.productApi.appId,
      expiresInSeconds: -600,
    });
    const claims = decodeJwt(token);
    expect(claims.exp).toBeLessThan(Date.now() / 1000);
    expect(claims.iat).toBeLessThan(claims.exp ?? 0);
    await expect(
      identity.verifyAccessToken(token, { audience: seeded.productApi.appId }),
    ).resolves.toBeNull();
  });

  it('a token not valid yet (nbf half an hour ahead, beyond the clock skew) fails verification, its other times as usual', async () => {
    const token = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      aud: seeded.productApi.appId,
      notBeforeInSeconds: 1800,
    });
    const claims = decodeJwt(token);
    const now = Date.now() / 1000;
    expect(claims.nbf).toBeGreaterThan(now + 1700);
    expect(claims.iat).toBeLessThan(now);
    expect(claims.exp).toBeGreaterThan(claims.nbf ?? 0);
    await expect(
      identity.verifyAccessToken(token, { audience: seeded.productApi.appId }),
    ).resolves.toBeNull();
  });

  it('a token whose issuer names another tenant than its tid is signed by the published keys and fails verification', async () => {
    const token = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      aud: seeded.productApi.appId,
      issuerTenantId: seeded.otherTenantId,
    });
    expect(decodeJwt(token)).toMatchObject({
      tid: seeded.homeTenantId,
      iss: identity.issuer(seeded.otherTenantId),
    });
    await expect(
      identity.verifyAccessToken(token, { audience: seeded.productApi.appId }),
    ).resolves.toBeNull();
  });

  it('fact: a token of another tenant is signed by the same keys but fails when the home tenant is expected', async () => {
    const token = await identity.mintUserToken({
      tid: seeded.otherTenantId,
      oid: seeded.otherTenantUser.oid,
      aud: seeded.productApi.appId,
    });
    expect(decodeJwt(token)).toMatchObject({
      tid: seeded.otherTenantId,
      iss: identity.issuer(seeded.otherTenantId),
      preferred_username: seeded.otherTenantUser.userPrincipalName,
    });
    await expect(
      identity.verifyAccessToken(token, { audience: seeded.productApi.appId, tenantId: seeded.homeTenantId }),
    ).resolves.toBeNull();
    await expect(
      identity.verifyAccessToken(token, { audience: seeded.productApi.appId }),
    ).resolves.toMatchObject({
      tid: seeded.otherTenantId,
    });
  });

  it('fact: a token for an unknown tenant can be minted (for negative tests) and carries that tid', async () => {
    const strangerTenant = '12345678-aaaa-4bbb-8ccc-123456789abc';
    const token = await identity.mintUserToken({
      tid: strangerTenant,
      oid: '87654321-aaaa-4bbb-8ccc-123456789abc',
      preferred_username: 'someone@elsewhere.example',
      aud: seeded.productApi.appId,
    });
    expect(decodeJwt(token)).toMatchObject({
      tid: strangerTenant,
      preferred_username: 'someone@elsewhere.example',
    });
  });

  it('fact: a token for another audience fails verification', async () => {
    const token = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      aud: 'https://contoso.crm4.dynamics.com',
    });
    await expect(
      identity.verifyAccessToken(token, { audience: seeded.productApi.appId }),
    ).resolves.toBeNull();
  });

  it('fact: a Dataverse user token is v1: iss sts.windows.net, upn instead of preferred_username', async () => {
    const token = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.rep.oid,
      aud: 'https://contoso.crm4.dynamics.com',
    });
    expect(decodeJwt(token)).toMatchObject({
      iss: `https://sts.windows.net/${seeded.homeTenantId}/`,
      upn: seeded.rep.userPrincipalName,
      ver: '1.0',
    });
    expect(decodeJwt(token)).not.toHaveProperty('preferred_username');
  });

  it('fact: a token signed by any other key fails verification even with the right claims and kid', async () => {
    const genuine = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
      aud: seeded.productApi.appId,
    });
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(decodeJwt(genuine))
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: decodeProtectedHeader(genuine).kid })
      .sign(privateKey);
    await expect(
      identity.verifyAccessToken(forged, { audience: seeded.productApi.appId }),
    ).resolves.toBeNull();
  });

  it('fact: the mint endpoint refuses a body without aud (400 naming the field)', async () => {
    const response = await postJsonTrusting(identity.certificatePem, `${identity.url}/_sim/tokens`, {
      tid: seeded.homeTenantId,
      oid: seeded.admin.oid,
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('aud');
  });
});
