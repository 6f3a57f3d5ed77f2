import { FIXTURE, startStack, type Stack } from '../testing/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 60_000);
afterAll(async () => {
  await stack.close();
});

const show = (label: string, value: unknown) => {
  process.stdout.write(`\n=== ${label}\n${JSON.stringify(value, null, 1).slice(0, 3000)}\n`);
};

it('explore', async () => {
  const alex = await stack.token('alex');
  const sam = await stack.token('sam');
  const robin = await stack.token('robin');
  const megan = await stack.token('megan');
  show('health', await stack.api('GET', 'health'));
  show('no token', await stack.api('GET', 'settings/opportunity'));
  show('settings alex', await stack.api('GET', 'settings/opportunity', { token: alex }));
  show('main entities', await stack.api('GET', 'metadata/main-entities', { token: alex }));
  show('sources', await stack.api('GET', 'metadata/product-sources?entity=opportunity', { token: alex }));
  show('fields', await stack.api('GET', 'metadata/fields?entity=opportunityproduct', { token: alex }));
  show('sim requests dv', await stack.sim('dataverse', 'GET', '/_sim/requests'));
  show('sim requests of', await stack.sim('oneflow', 'GET', '/_sim/requests'));
  const created = await stack.api('POST', 'contracts', { token: alex, body: { entity: 'opportunity', recordId: FIXTURE.opportunity } });
  show('create', created);
  show('links', await stack.api('GET', 'links', { token: alex }));
  show('csv', (await stack.api('GET', 'links/export.csv', { token: alex })));
  show('robin create', await stack.api('POST', 'contracts', { token: robin, body: { entity: 'quote', recordId: FIXTURE.quote } }));
  show('megan settings', await stack.api('GET', 'settings/opportunity', { token: megan }));
  show('sam put', await stack.api('PUT', 'settings/opportunity', { token: sam, body: { mainEntity: 'opportunity', productsEnabled: true, productSource: { entity: 'opportunityproduct', lookupAttribute: 'opportunityid', relationship: 'opportunity_products' }, mappings: [{ dynamicsField: 'productidname', oneflowField: 'name', direction: 'dynamics_to_oneflow' }, { dynamicsField: 'description', oneflowField: 'description', direction: 'two_way' }, { dynamicsField: 'nope', oneflowField: 'quantity', direction: 'dynamics_to_oneflow' }] } }));
});
