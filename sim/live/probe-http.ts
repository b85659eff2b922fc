/**
 * Resolves once anything answers HTTP at `url`, whatever the status; otherwise rejects within
 * `timeoutMs` with the socket error (ECONNREFUSED, ENOTFOUND, ...) or an ETIMEDOUT one naming the
 * host and port, so a service that is down is reported before a run depends on it.
 */
export async function probeHttp(url: string, timeoutMs = 3_000): Promise<void> {
  try {
    const response = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if ((error as Error).name !== "TimeoutError") throw cause ?? error;
    const { hostname, port, protocol } = new URL(url);
    throw Object.assign(new Error(`no answer from ${url} within ${timeoutMs} ms`), {
      code: "ETIMEDOUT",
      hostname,
      port: Number(port || (protocol === "https:" ? 443 : 80)),
    });
  }
}
