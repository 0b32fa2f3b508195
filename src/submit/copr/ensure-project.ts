import type { CoprClient, CoprProject } from './copr-client.js';
import type { CoprProjectSettings } from './copr-plan.js';

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
  /** Settings that differed on an existing project and were edited. */
  changed: string[];
}

/**
 * Settings whose value on the project (as Copr answers it) differs from the wanted one. The
 * project dict has no `delete_after_days`, so on a project that existed before it is always sent
 * (the frontend's project/edit accepts it): a variant's value is applied, not just remembered.
 */
export function settingsToChange(project: CoprProject, wanted: CoprProjectSettings, existed = false): Partial<CoprProjectSettings> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(wanted)) {
    if (v === undefined) continue;
    if (k in project) {
      if (JSON.stringify(project[k] ?? null) !== JSON.stringify(v)) out[k] = v;
    } else if (existed && k === 'delete_after_days') out[k] = v;
  }
  return out;
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
  fields: { chroots: string[] } & CoprProjectSettings,
  without: readonly string[] = [],
): Promise<EnsuredProject> {
  const { chroots: wantedChroots, ...settings } = fields;
  // only delete_after_days needs to know whether the project was there (Copr's dict does not show it)
  const existed = settings.delete_after_days !== undefined ? (await client.getProject(owner, project)) !== undefined : false;
  const answer = await client.addProject(owner, project, fields);
  // an existing project keeps its settings with exist_ok: edit those the variant sets differently
  const change = settingsToChange(answer, settings, existed);
  const changed = Object.keys(change);
  if (changed.length) await client.editProjectSettings(owner, project, change);
  const existing = projectChroots(answer);
  const added = wantedChroots.filter((c) => !existing.includes(c));
  let now = existing;
  if (added.length) {
    const edited = await client.editProjectChroots(owner, project, chrootUnion(existing, wantedChroots));
    now = projectChroots(edited).length ? projectChroots(edited) : chrootUnion(existing, wantedChroots);
  }
  if (without.length) for (const c of wantedChroots) await client.editProjectChroot(owner, project, c, { without_opts: [...without] });
  return { chroots: now, added, changed };
}
