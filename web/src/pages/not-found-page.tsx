/** A path the portal does not know. */
import { Link } from '../components/link.tsx';

/** 404 inside the app. */
export function NotFoundPage() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>There is nothing at this address. <Link href="/">Back to the projects</Link>.</p>
    </section>
  );
}
