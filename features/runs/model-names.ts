/**
 * A model's name for people: `claude-sonnet-4-5` → "Claude Sonnet 4.5". Ids of another shape
 * are shown as they are.
 */
export function modelDisplayName(id: string): string {
  const match = /^claude-([a-z]+)-(\d+)(?:-(\d{1,2}))?(?:-\d{8})?$/.exec(id);
  if (!match) return id;
  const [, family, major, minor] = match;
  return `Claude ${family![0]!.toUpperCase()}${family!.slice(1)} ${minor ? `${major}.${minor}` : major}`;
}
