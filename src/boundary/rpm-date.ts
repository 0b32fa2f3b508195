const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Sun Nov 22`: weekday, month and day of a UTC date, as %changelog writes them. */
export function rpmChangelogDay(d: Date): string {
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** `2026-11-22` → `Sun Nov 22 2026`, the date form %changelog requires. */
export function rpmChangelogDate(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new Error(`invalid date ${isoDate}`);
  return `${rpmChangelogDay(d)} ${d.getUTCFullYear()}`;
}
