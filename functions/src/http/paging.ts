import { InvalidContinuationTokenError, type Page } from '../state/paging';
import { badRequest } from './errors';

/** Reads a page; a token the store refuses is a 400 naming the parameter, like any other bad parameter. */
export async function readPage<T>(read: () => Promise<Page<T>>): Promise<Page<T>> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidContinuationTokenError) {
      throw badRequest('The query parameters are not valid', [
        {
          field: 'query.continuationToken',
          message: 'is not a token this listing handed out (start again without one)',
        },
      ]);
    }
    throw error;
  }
}
