import { signedInRoute } from '../http/route';
import { editLink } from './linkUpdate';

/** Drops a link: the line counts as new at the next push (its product is found again by custom_id if it exists). */
export default signedInRoute(
  'admin',
  { name: 'linkDelete', methods: ['DELETE'], route: 'links/{contractId}/{lineId}' },
  async (context) => {
    await editLink(context, () => null, 'Link removed by hand');
    return { status: 204 };
  },
);
