/** An anchor that routes inside the app on a plain left click. */
import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from 'react';
import { navigate } from '../lib/router.ts';

/** Props of `Link`: an `href` inside the app plus any anchor attribute. */
export interface LinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  readonly href: string;
  readonly children: ReactNode;
}

/** In-app link. */
export function Link({ href, children, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest}>{children}</a>;
}
