/**
 * The applications a CRT can register clients for. The guide knows one
 * (Nymi Connect for Android); the list is meant to grow, one entry here and
 * one row in the `app_scope` table (a test keeps the two equal).
 */
export const APP_SCOPES = {
  'nymi-connect': {
    /** What the console shows ("Scope" / "App Permissions"). */
    displayName: 'Nymi Connect - Nymi Connect Application',
    /** Short label for tables ("Scope" column of Manage Clients). */
    shortName: 'Nymi Connect',
    /** The code audit.InitialAccessToken stores in its Scope column. */
    auditCode: 2,
  },
} as const satisfies Readonly<
  Record<string, { displayName: string; shortName: string; auditCode: number }>
>;

/** A scope name, e.g. `nymi-connect`. */
export type AppScope = keyof typeof APP_SCOPES;

/** Every scope name, for enumerations in schemas. */
export const APP_SCOPE_NAMES = Object.keys(APP_SCOPES) as [AppScope, ...AppScope[]];

/** Whether `value` names a known scope. */
export function isAppScope(value: string): value is AppScope {
  return Object.hasOwn(APP_SCOPES, value);
}

/** Display data of a scope, as the APIs return it. */
export function describeScope(name: AppScope): {
  name: AppScope;
  displayName: string;
  auditCode: number;
} {
  const scope = APP_SCOPES[name];
  return { name, displayName: scope.displayName, auditCode: scope.auditCode };
}
