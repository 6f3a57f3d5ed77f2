import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import axios from 'axios';

const server = setupServer(http.get('http://example.test/x', () => HttpResponse.json({ ok: 1 })));
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
it('works', async () => {
  const r = await axios.get('http://example.test/x');
  expect(r.data).toEqual({ ok: 1 });
});
