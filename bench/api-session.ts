/** Logs in to a benchmark's `cutover serve` and returns a POST helper carrying the session cookie. */
export type ApiPost = <T>(path: string, body: unknown, type?: string) => Promise<T>;

export async function apiSession(url: string, admin: { email: string; password: string }): Promise<ApiPost> {
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
  if (!login.ok) throw new Error(`login to ${url}: ${login.status} ${await login.text()}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return async <T>(path: string, body: unknown, type = 'application/json'): Promise<T> => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { cookie, 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
}
