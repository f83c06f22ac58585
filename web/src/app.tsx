/**
 * The app: who is logged in (GET /api/auth/me), the login page when nobody is, and the pages by path.
 * Every page loads its data from the API; a 401 anywhere brings the login back.
 */
import { useCallback, useEffect, useState } from 'react';
import { onUnauthorized, request } from './api/client.ts';
import type { User } from './api/types.ts';
import { ErrorBoundary } from './components/error-boundary.tsx';
import { Layout } from './components/layout.tsx';
import { matchPath, navigate, useLocation } from './lib/router.ts';
import { LoginPage } from './pages/login-page.tsx';
import { NewProjectPage } from './pages/new-project-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { ProjectsPage } from './pages/projects-page.tsx';
import { ProjectShell } from './project/project-shell.tsx';

type Session = { state: 'loading' } | { state: 'anonymous' } | { state: 'user'; user: User };

/** The portal. */
export function App() {
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const { path } = useLocation();

  useEffect(() => {
    request<User>('/api/auth/me')
      .then((user) => setSession({ state: 'user', user }))
      .catch(() => setSession({ state: 'anonymous' }));
    return onUnauthorized(() => setSession({ state: 'anonymous' }));
  }, []);

  const loggedIn = useCallback((user: User) => {
    setSession({ state: 'user', user });
    if (path === '/login') navigate('/', { replace: true });
  }, [path]);

  const logout = useCallback(async () => {
    await request('/api/auth/logout', { method: 'POST', body: {} }).catch(() => undefined);
    setSession({ state: 'anonymous' });
    navigate('/login');
  }, []);

  if (session.state === 'loading') return <p className="boot" aria-live="polite">Loading…</p>;
  if (session.state === 'anonymous') return <LoginPage onLoggedIn={loggedIn} />;

  const user = session.user;
  let page;
  let params: Record<string, string> | null;
  if (path === '/' || path === '/projects' || path === '/login') page = <ProjectsPage user={user} />;
  else if (path === '/projects/new') page = <NewProjectPage user={user} />;
  else if ((params = matchPath('/projects/:id', path)) || (params = matchPath('/projects/:id/:tab', path))) {
    page = <ProjectShell key={params['id']} projectId={params['id'] ?? ''} tab={params['tab'] ?? 'overview'} user={user} />;
  } else page = <NotFoundPage />;
  return <Layout user={user} onLogout={() => void logout()}><ErrorBoundary key={path.split('/').slice(0, 3).join('/')}>{page}</ErrorBoundary></Layout>;
}
