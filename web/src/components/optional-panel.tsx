/**
 * A panel whose data comes from a route the server may not have yet (the orchestrator's steps,
 * alerts, DNS): a 404 API_NOT_FOUND shows "not available yet" instead of an error.
 */
import type { ReactNode } from 'react';
import { errorText, type ApiError } from '../api/client.ts';
import { useApi } from '../api/use-api.ts';

/** Props of `OptionalPanel`. */
export interface OptionalPanelProps<T> {
  readonly id: string;
  readonly title: string;
  readonly path: string;
  readonly what: string;
  readonly children: (data: T, reload: () => void) => ReactNode;
  readonly actions?: ReactNode;
}

function isMissing(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as ApiError).routeMissing === true;
}

/** A titled card that loads `path` and renders `children(data)`. */
export function OptionalPanel<T>({ id, title, path, what, children, actions }: OptionalPanelProps<T>) {
  const { data, error, loading, reload } = useApi<T>(path);
  return (
    <section className="card panel" id={id} aria-labelledby={`${id}-title`}>
      <div className="panel__head">
        <h2 id={`${id}-title`}>{title}</h2>
        {actions}
      </div>
      {error && isMissing(error) && (
        <p className="unavailable">
          Not available yet: this server does not offer {what} (<code>GET {path.split('?')[0]}</code> answered 404).
        </p>
      )}
      {error && !isMissing(error) && <p className="error" role="alert">{errorText(error)}</p>}
      {loading && !data && !error && <p aria-live="polite" className="muted">Loading…</p>}
      {data !== undefined && !error && children(data, reload)}
    </section>
  );
}
