/** How the harness gets its servers. */
export type InfraMode = 'local' | 'containers' | 'external';

/** The servers the harness can start; `NES_TEST_COMPONENTS` picks a subset. */
export type InfraComponent = 'postgres' | 'redis' | 'kafka' | 'ad';

/** Every component, in the order they are listed in logs and env output. */
export const ALL_COMPONENTS: readonly InfraComponent[] = ['postgres', 'redis', 'kafka', 'ad'];

/** The Active Directory domain controller the tests talk to. */
export interface AdInfra {
  /** Plain LDAP, e.g. `ldap://127.0.0.1:389`: simple binds need StartTLS here. */
  url: string;
  /** LDAP over TLS, e.g. `ldaps://127.0.0.1:636`. */
  ldapsUrl: string;
  /** The DC's host name in its certificate: pass it as TLS `servername`. */
  servername: string;
  /** PEM of the CA that signed the DC's certificate. */
  caCertPem: string;
  /** e.g. `DC=nes,DC=test`. */
  baseDn: string;
  /** NetBIOS domain, e.g. `NES` (as in `NES\user`). */
  domain: string;
  /** Kerberos realm / DNS domain upper-cased, e.g. `NES.TEST`. */
  realm: string;
  /** Distinguished name of the domain administrator. */
  adminDn: string;
  /** The administrator's password (a throwaway test secret). */
  adminPassword: string;
  /** Local mode only: the DC's smb.conf, for `samba-tool ... -s`. */
  smbConfPath?: string;
}

/**
 * What the harness started, handed to every test file through vitest's
 * `provide`/`inject`. Must stay plain data (it is serialised to workers).
 */
export interface Infra {
  mode: InfraMode;
  /** Superuser URL of the `postgres` database; tests make their own databases. */
  postgres: { url: string };
  redis: { url: string };
  kafka: { brokers: string[] };
  ad?: AdInfra;
}

/**
 * What `startInfra` returns and global setup provides: like {@link Infra}, but
 * components left out by `NES_TEST_COMPONENTS` are absent. Tests read it
 * through `getInfra()`, which turns an absent component into a clear error.
 */
export interface StartedInfra {
  mode: InfraMode;
  components: InfraComponent[];
  postgres?: Infra['postgres'];
  redis?: Infra['redis'];
  kafka?: Infra['kafka'];
  ad?: AdInfra;
}
