import {
  BusyError,
  InvalidCredentialsError,
  ResultCodeError,
  UnavailableError,
  type Client,
} from 'ldapts';
import type { DcConfig } from '../config.js';
import { BindOutcomeUnknownError } from '../directory-adapter.js';
import { adBindSubcode, checkFromSubcode, type PasswordCheck } from '../domain/bind-outcome.js';

/**
 * Binds once as the user and closes the connection. An LDAP answer is the
 * result; "busy"/"unavailable" mean the DC did not process the bind (safe to
 * ask another DC); anything else after the request left means the outcome is
 * unknown.
 */
export async function bindAs(
  client: Client,
  dc: DcConfig,
  dn: string,
  password: string,
): Promise<{ check: PasswordCheck; subcode: string | undefined } | 'not_processed'> {
  try {
    await client.bind(dn, password);
    return { check: 'ok', subcode: undefined };
  } catch (error) {
    if (error instanceof InvalidCredentialsError) {
      const subcode = adBindSubcode(error.message);
      return { check: checkFromSubcode(subcode), subcode };
    }
    if (error instanceof BusyError || error instanceof UnavailableError) return 'not_processed';
    if (error instanceof ResultCodeError) {
      // e.g. unwillingToPerform: the DC answered and refused the bind.
      return { check: 'invalid_password', subcode: `ldap-${error.code}` };
    }
    throw new BindOutcomeUnknownError(dc.id, { cause: error });
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
