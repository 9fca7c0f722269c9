import { describe, expect, it } from 'vitest';
import { routePattern } from './http-requests';

describe('routePattern', () => {
  it('names each parameter where its value stood, so no id becomes a label', () => {
    expect(routePattern('/api/conversations/3f0c/runs', { id: '3f0c' })).toBe('/api/conversations/[id]/runs');
    expect(routePattern('/api/runs/r1/approvals/a1', { id: 'r1', approvalId: 'a1' })).toBe('/api/runs/[id]/approvals/[approvalId]');
    expect(routePattern('/api/conversations', {})).toBe('/api/conversations');
    // What Next passes a route without dynamic segments.
    expect(routePattern('/api/files', undefined)).toBe('/api/files');
  });

  it('matches a segment as Next decoded it, and each part of a catch-all', () => {
    expect(routePattern('/api/files/a%20b', { name: 'a b' })).toBe('/api/files/[name]');
    expect(routePattern('/api/files/x/y', { path: ['x', 'y'] })).toBe('/api/files/[path]/[path]');
    expect(routePattern('/api/files/%E0%A4%A', { name: '%E0%A4%A' })).toBe('/api/files/[name]');
  });
});
