import { ROUTES } from '../registry';
import { matchRoute } from './routeMatch';

function matched(
  method: string,
  path: string,
): { name: string; params: Record<string, string> } | string | null {
  const match = matchRoute(ROUTES, method, path);
  return match && typeof match === 'object' ? { name: match.route.name, params: match.params } : match;
}

describe('matchRoute over the registry', () => {
  it.each([
    ['GET', 'health', 'health', {}],
    ['GET', 'settings/opportunity', 'settingsGet', { entity: 'opportunity' }],
    ['PUT', 'settings/opportunity', 'settingsPut', { entity: 'opportunity' }],
    ['POST', 'settings/quote/reset', 'settingsReset', { entity: 'quote' }],
    ['GET', 'contracts/1001/plan', 'contractPlan', { id: '1001' }],
    ['GET', 'contracts/1001/compare', 'contractCompare', { id: '1001' }],
    ['POST', 'contracts/1001/conflicts/resolve', 'conflictsResolve', { id: '1001' }],
    ['GET', 'links/export.csv', 'linksExport', {}],
    [
      'PATCH',
      'links/1001/2c3d0000-0000-4000-8000-000000000001',
      'linkUpdate',
      { contractId: '1001', lineId: '2c3d0000-0000-4000-8000-000000000001' },
    ],
    ['POST', 'webhooks/oneflow/contoso', 'webhookReceive', { orgKey: 'contoso' }],
  ])('%s %s → %s', (method, path, name, params) => {
    expect(matched(method, path)).toEqual({ name, params });
  });

  it('tells a wrong method from an unknown path', () => {
    expect(matched('DELETE', 'health')).toBe('method_not_allowed');
    expect(matched('GET', 'nothing/here')).toBeNull();
  });

  it('decodes parameters', () => {
    expect(matched('POST', 'webhooks/oneflow/a%2Db')).toEqual({
      name: 'webhookReceive',
      params: { orgKey: 'a-b' },
    });
  });

  it('keeps a malformed percent-encoding as it is, for the route to refuse', () => {
    expect(matched('GET', 'settings/%E0%A4%A')).toEqual({
      name: 'settingsGet',
      params: { entity: '%E0%A4%A' },
    });
  });

  it('has unique function names', () => {
    expect(new Set(ROUTES.map((route) => route.name)).size).toBe(ROUTES.length);
  });
});
