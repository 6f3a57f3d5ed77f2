/**
 * Where Entra sends the browser back after a pop-up or silent sign-in: the solution's redirect-bridge web
 * resource on the environment's own origin (MSAL 5 needs that page; see docs/decisions.md). The local form host
 * serves its bridge at the same path.
 */
export const REDIRECT_BRIDGE_PATH = '/WebResources/oneflowsync_/auth/redirect.html';
