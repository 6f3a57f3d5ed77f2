/** The error `promise` rejects with, when `is` recognises it; anything else (a resolution too) fails the test. */
export async function rejectionOf<T>(
  promise: Promise<unknown>,
  is: (error: unknown) => error is T,
): Promise<T> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (caught: unknown) => caught,
  );
  if (is(error)) return error;
  throw error;
}
