/** The frame of every page: a skip link, the header with the user and logout, the main region. */
import type { ReactNode } from 'react';
import type { User } from '../api/types.ts';
import { Link } from './link.tsx';

/** Props of `Layout`. */
export interface LayoutProps {
  readonly user: User;
  readonly onLogout: () => void;
  readonly children: ReactNode;
}

/** Header + main. */
export function Layout({ user, onLogout, children }: LayoutProps) {
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <Link href="/" className="brand" aria-label="Cutover — all projects">
          <span className="brand__mark" aria-hidden="true">⇄</span> Cutover
        </Link>
        <nav aria-label="Main" className="topbar__nav">
          <Link href="/">Projects</Link>
          <a href="/docs">API docs</a>
        </nav>
        <div className="topbar__user">
          <span className="muted" title={`role: ${user.role}`}>{user.email}</span>
          <button type="button" className="button button--quiet" onClick={onLogout}>Log out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}
