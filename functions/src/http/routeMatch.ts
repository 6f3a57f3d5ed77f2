import type { RouteDefinition } from './route';

export interface RouteMatch {
  route: RouteDefinition;
  params: Record<string, string>;
}

/** Matches a path below `/api/` against Functions route templates (`settings/{entity}`), as the host does. */
export function matchRoute(
  routes: readonly RouteDefinition[],
  method: string,
  path: string,
): RouteMatch | 'method_not_allowed' | null {
  const segments = path.split('/').filter(Boolean);
  let pathMatched = false;
  for (const route of routes) {
    const template = route.route.split('/');
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = template.every((part, index) => {
      const segment = segments[index] ?? '';
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name) {
        try {
          params[name] = decodeURIComponent(segment);
        } catch {
          // Malformed percent-encoding: the raw segment reaches the route's own parameter check (400).
          params[name] = segment;
        }
        return true;
      }
      return part.toLowerCase() === segment.toLowerCase();
    });
    if (!matches) continue;
    pathMatched = true;
    if (route.methods.includes(method.toUpperCase() as RouteDefinition['methods'][number])) {
      return { route, params };
    }
  }
  return pathMatched ? 'method_not_allowed' : null;
}
