/** The device facts a client's initial name is made from. */
export interface NameSources {
  readonly deviceInfo1: string;
  readonly deviceInfo2: string;
  readonly androidId: string;
  readonly clientName: string;
}

/** Longest client name (two 127-character device identifiers and the separator). */
export const CLIENT_NAME_MAX = 255;

/**
 * The name a client is listed under, as the guide describes: device_info_1
 * and device_info_2 joined with "-" when the MDM configured them (one alone
 * when only one is set), else the Android ID; a device that sent none of
 * these gets its own client_name, and finally a name made from its id.
 * Administrators may rename it afterwards.
 */
export function deriveClientName(sources: NameSources, clientId: string): string {
  const infos = [sources.deviceInfo1, sources.deviceInfo2].filter((value) => value !== '');
  if (infos.length > 0) return infos.join('-');
  if (sources.androidId !== '') return sources.androidId;
  if (sources.clientName !== '') return sources.clientName;
  return `client-${clientId.slice(0, 8)}`;
}
