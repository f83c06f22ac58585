/**
 * Who may do what. Roles are ordered: a viewer reads; an operator also runs and changes projects,
 * endpoints and pairs; an admin also manages users and API tokens.
 */
import type { UserRole } from '../../store/user.repository.ts';

/** Every role, lowest first. */
export const ROLES: readonly UserRole[] = ['viewer', 'operator', 'admin'];

/** The authenticated caller of a request. */
export interface Principal {
  readonly userId: string;
  readonly email: string;
  readonly role: UserRole;
  /** How the caller proved who they are; the token id for API tokens. */
  readonly via: { readonly kind: 'session'; readonly sessionHash: string } | { readonly kind: 'token'; readonly tokenId: string };
}

/** True when `role` is at least `needed`. */
export function hasRole(role: UserRole, needed: UserRole): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * The role a route needs: its `config.access` when set, else viewer for reads (GET, HEAD) and
 * operator for anything that changes something — so a new route is safe by default.
 */
export function requiredRole(method: string, access: RouteAccess | undefined): UserRole | 'public' {
  if (access !== undefined) return access;
  return method === 'GET' || method === 'HEAD' ? 'viewer' : 'operator';
}

/** Route-level access setting: `public` needs no credentials (health, login, docs). */
export type RouteAccess = UserRole | 'public';
