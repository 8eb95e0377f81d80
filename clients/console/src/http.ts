// One way to call the gateway's and the services' HTTP APIs: JSON in and out, the project's error shape
// {"code","reason"} read back, never thrown for an HTTP status (the console shows every answer).

export interface Answer<T> {
  ok: boolean;
  status: number;
  body: T | undefined;
  /** From the error body's `code`/`reason`, or the network failure. */
  code?: string;
  reason?: string;
  retryAfter?: string;
}

export async function callJson<T>(
  url: string,
  options: { method?: string; token?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (failure) {
    return { ok: false, status: 0, body: undefined, code: 'NETWORK', reason: `${String(failure)} (service down, or CORS not allowed for this page)` };
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const error = !response.ok && body && typeof body === 'object' ? (body as { code?: unknown; reason?: unknown }) : undefined;
  return {
    ok: response.ok,
    status: response.status,
    body: response.ok ? (body as T) : undefined,
    code: error && typeof error.code === 'string' ? error.code : response.ok ? undefined : `HTTP_${response.status}`,
    reason: error && typeof error.reason === 'string' ? error.reason : response.ok ? undefined : text.slice(0, 200) || response.statusText,
    retryAfter: response.headers.get('Retry-After') ?? undefined,
  };
}

export const describeFailure = (answer: Answer<unknown>): string =>
  `${answer.status || 'no answer'} ${answer.code ?? ''}: ${answer.reason ?? ''}${answer.retryAfter ? ` (retry after ${answer.retryAfter} s)` : ''}`;
