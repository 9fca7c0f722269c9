/** A URL path segment as Next hands it to a route's parameters (a malformed escape stays as it was). */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
