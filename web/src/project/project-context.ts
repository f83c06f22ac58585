/** What every tab of a project page shares: the project, its live updates, the user. */
import { createContext, useContext } from 'react';
import type { Flow, Project, User } from '../api/types.ts';
import type { LiveState } from '../live/use-live-events.ts';

/** The shared state of a project page. */
export interface ProjectContextValue {
  readonly project: Project;
  /** The cutover flow (status reason, placement, the orchestrator's clock); undefined on servers without it. */
  readonly flow: Flow | undefined;
  readonly live: LiveState;
  readonly user: User;
  readonly canEdit: boolean;
  readonly reloadProject: () => void;
}

export const ProjectContext = createContext<ProjectContextValue | null>(null);

/** The project page's shared state (inside `ProjectShell` only). */
export function useProject(): ProjectContextValue {
  const value = useContext(ProjectContext);
  if (!value) throw new Error('useProject outside ProjectShell');
  return value;
}
