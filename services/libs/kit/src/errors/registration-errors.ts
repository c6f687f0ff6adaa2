import { OAuthError, type OAuthErrorOptions } from './oauth-errors.js';

/**
 * RFC 7591 §3.2.2 dynamic client registration errors (also used by the RFC
 * 7592 client configuration endpoint). All are 400 with the RFC 6749 JSON body.
 */

/** RFC 7591 §3.2.2 `invalid_redirect_uri`: a redirection URI is invalid. */
export class InvalidRedirectUriError extends OAuthError {
  override name = 'InvalidRedirectUriError';
  constructor(description: string, options?: OAuthErrorOptions) {
    super(400, 'invalid_redirect_uri', description, options);
  }
}

/** RFC 7591 §3.2.2 `invalid_client_metadata`: a metadata field is invalid or refused. */
export class InvalidClientMetadataError extends OAuthError {
  override name = 'InvalidClientMetadataError';
  constructor(description: string, options?: OAuthErrorOptions) {
    super(400, 'invalid_client_metadata', description, options);
  }
}

/** RFC 7591 §3.2.2 `invalid_software_statement`: the software statement is invalid. */
export class InvalidSoftwareStatementError extends OAuthError {
  override name = 'InvalidSoftwareStatementError';
  constructor(description: string, options?: OAuthErrorOptions) {
    super(400, 'invalid_software_statement', description, options);
  }
}

/** RFC 7591 §3.2.2 `unapproved_software_statement`: the statement is valid but not approved. */
export class UnapprovedSoftwareStatementError extends OAuthError {
  override name = 'UnapprovedSoftwareStatementError';
  constructor(description: string, options?: OAuthErrorOptions) {
    super(400, 'unapproved_software_statement', description, options);
  }
}
