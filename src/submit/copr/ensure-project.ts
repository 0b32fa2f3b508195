import type { CoprClient, CoprProject } from './copr-client.js';

/** Existing chroots first (in their order), then the wanted ones the project lacks. */
export function chrootUnion(existing: readonly string[], wanted: readonly string[]): string[] {
  const out = [...existing];
  for (const c of wanted) if (!out.includes(c)) out.push(c);
  return out;
}

export function projectChroots(project: CoprProject): string[] {
  return Object.keys(project.chroot_repos ?? {});
}

export interface EnsuredProject {
  /** The chroots the project has enabled now. */
  chroots: string[];
  /** Chroots this call enabled. */
  added: string[];
}

/**
 * Make sure `owner/project` exists with every wanted chroot enabled, without disabling any:
 * `project/add?exist_ok=True` creates it or returns the existing one; when chroots are missing,
 * `project/edit` sends the UNION (its list replaces the project's, and dropping a chroot that has
 * builds in progress is refused with 409).
 */
export async function ensureProject(
  client: CoprClient,
  owner: string,
  project: string,
  fields: { chroots: string[]; description?: string; enable_net?: boolean },
): Promise<EnsuredProject> {
  const answer = await client.addProject(owner, project, fields);
  const existing = projectChroots(answer);
  const added = fields.chroots.filter((c) => !existing.includes(c));
  if (added.length === 0) return { chroots: existing, added };
  const edited = await client.editProjectChroots(owner, project, chrootUnion(existing, fields.chroots));
  const now = projectChroots(edited);
  return { chroots: now.length ? now : chrootUnion(existing, fields.chroots), added };
}
