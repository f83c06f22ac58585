/** Shows what went wrong instead of a blank page when a component throws while rendering. */
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  readonly error: Error | null;
}

/** Catches render errors of its children. */
export class ErrorBoundary extends Component<{ readonly children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('portal error', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <section className="page" role="alert">
        <h1>Something went wrong on this page</h1>
        <p className="error">{this.state.error.message}</p>
        <p><button type="button" className="button" onClick={() => this.setState({ error: null })}>Try again</button> <a href="/">Back to the projects</a></p>
      </section>
    );
  }
}
