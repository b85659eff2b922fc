/** Polls `read` until `done` holds for its value (bounded: 10 s unless told; fails the test when it never does). */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  let last: T | undefined;
  const deadline = Date.now() + timeoutMs;
  do {
    last = await read();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < deadline);
  throw new Error(`${what}: never happened; last value ${JSON.stringify(last)}`);
}
