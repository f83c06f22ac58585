/** The login form: POST /api/auth/login sets the session cookie. */
import { useState, type FormEvent } from 'react';
import { errorText, request } from '../api/client.ts';
import type { User } from '../api/types.ts';

/** Props of `LoginPage`. */
export interface LoginPageProps {
  readonly onLoggedIn: (user: User) => void;
}

/** Email + password. */
export function LoginPage({ onLoggedIn }: LoginPageProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await request<User>('/api/auth/login', { method: 'POST', body: { email, password } }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="login">
      <form className="card login__card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title"><span className="brand__mark" aria-hidden="true">⇄</span> Cutover</h1>
        <p className="muted">Sign in to manage your migrations.</p>
        <label className="field">
          <span>Email</span>
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </label>
        <label className="field">
          <span>Password</span>
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" className="button button--primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        <p className="muted small">The first admin comes from CUTOVER_ADMIN_EMAIL and CUTOVER_ADMIN_PASSWORD when the server starts.</p>
      </form>
    </main>
  );
}
