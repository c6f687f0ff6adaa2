import { ValidationError, type FieldIssue } from '@nes/kit';
import { isAppScope, type AppScope } from './scopes.js';
import { cleanText } from './text.js';

/** Bounds of a CRT's fields (the guide's console form). */
export const CRT_LIMITS = {
  titleMax: 200,
  detailsMax: 4000,
  /** Largest max client limit; 0 means unlimited. */
  maxClientsMax: 1_000_000,
} as const;

/**
 * The key titles are unique by: compatibility-normalised (NFKC, so that
 * full-width or ligature look-alikes collide) and case-folded the Unicode way
 * (upper then lower, so that ß and SS match), computed here rather than by
 * the database so it does not depend on the server's locale.
 */
export function titleKey(title: string): string {
  return title.normalize('NFKC').toUpperCase().toLowerCase();
}

/** A CRT as an administrator describes it (the create form). */
export interface CrtInput {
  readonly title: string;
  readonly expiresAt: Date;
  readonly scope: string;
  readonly details: string;
  readonly maxClients: number;
}

/** The same, checked and normalised. */
export interface CrtFields {
  readonly title: string;
  readonly expiresAt: Date;
  readonly scope: AppScope;
  readonly details: string;
  readonly maxClients: number;
}

/** What the rules depend on. */
export interface CrtRuleContext {
  readonly now: Date;
  /** Longest lifetime a CRT may be given, from now. */
  readonly maxLifetimeMs: number;
}

function checkTitle(title: string, issues: FieldIssue[]): string {
  const result = cleanText(title, { min: 1, max: CRT_LIMITS.titleMax });
  if (result.ok) return result.value;
  issues.push({ path: '/body/title', message: `title ${result.problem}` });
  return title;
}

function checkDetails(details: string, issues: FieldIssue[]): string {
  const result = cleanText(details, { min: 0, max: CRT_LIMITS.detailsMax, multiline: true });
  if (result.ok) return result.value;
  issues.push({ path: '/body/details', message: `details ${result.problem}` });
  return details;
}

function checkExpiry(expiresAt: Date, context: CrtRuleContext, issues: FieldIssue[]): void {
  const at = expiresAt.getTime();
  if (!Number.isFinite(at) || at <= context.now.getTime()) {
    issues.push({ path: '/body/expiresAt', message: 'expiresAt must be in the future' });
  } else if (at > context.now.getTime() + context.maxLifetimeMs) {
    const days = Math.floor(context.maxLifetimeMs / 86_400_000);
    issues.push({
      path: '/body/expiresAt',
      message: `expiresAt must be within ${days} days from now`,
    });
  }
}

function checkMaxClients(maxClients: number, issues: FieldIssue[]): void {
  if (
    !Number.isSafeInteger(maxClients) ||
    maxClients < 0 ||
    maxClients > CRT_LIMITS.maxClientsMax
  ) {
    issues.push({
      path: '/body/maxClients',
      message: `maxClients must be an integer from 0 (unlimited) to ${CRT_LIMITS.maxClientsMax}`,
    });
  }
}

function throwIfAny(issues: FieldIssue[]): void {
  if (issues.length > 0) {
    throw new ValidationError(issues.map((i) => i.message).join('; '), issues);
  }
}

/**
 * Checks a new CRT: title 1–200 characters (trimmed, NFC, no control or
 * bidi characters), expiry in the future and within the allowed lifetime,
 * a known scope, details up to 4000 characters, max clients ≥ 0.
 *
 * @throws ValidationError listing every failed field.
 */
export function checkNewCrt(input: CrtInput, context: CrtRuleContext): CrtFields {
  const issues: FieldIssue[] = [];
  const title = checkTitle(input.title, issues);
  const details = checkDetails(input.details, issues);
  checkExpiry(input.expiresAt, context, issues);
  checkMaxClients(input.maxClients, issues);
  if (!isAppScope(input.scope)) {
    issues.push({ path: '/body/scope', message: `scope '${input.scope}' is not known` });
  }
  throwIfAny(issues);
  return { ...input, title, details, scope: input.scope as AppScope };
}

/** An administrator's edit of an active CRT; absent fields stay as they are. */
export interface CrtChanges {
  readonly title?: string;
  readonly details?: string;
  readonly expiresAt?: Date;
  readonly maxClients?: number;
}

/**
 * Checks an edit with the same rules as creation.
 *
 * @throws ValidationError listing every failed field, or when nothing is to change.
 */
export function checkCrtChanges(changes: CrtChanges, context: CrtRuleContext): CrtChanges {
  const issues: FieldIssue[] = [];
  const checked: { -readonly [K in keyof CrtChanges]: CrtChanges[K] } = {};
  if (changes.title !== undefined) checked.title = checkTitle(changes.title, issues);
  if (changes.details !== undefined) checked.details = checkDetails(changes.details, issues);
  if (changes.expiresAt !== undefined) {
    checkExpiry(changes.expiresAt, context, issues);
    checked.expiresAt = changes.expiresAt;
  }
  if (changes.maxClients !== undefined) {
    checkMaxClients(changes.maxClients, issues);
    checked.maxClients = changes.maxClients;
  }
  if (Object.keys(checked).length === 0 && issues.length === 0) {
    issues.push({
      path: '/body',
      message: 'name at least one of title, details, expiresAt, maxClients',
    });
  }
  throwIfAny(issues);
  return checked;
}

/** Checks an administrator's new name for a client (same character rules as titles). */
export function checkClientName(name: string, max: number): string {
  const result = cleanText(name, { min: 1, max });
  if (!result.ok) {
    throw new ValidationError(`name ${result.problem}`, [
      { path: '/body/name', message: `name ${result.problem}` },
    ]);
  }
  return result.value;
}
