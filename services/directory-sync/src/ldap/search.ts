import { Control, type Client, type Entry, type Filter } from 'ldapts';

/** LDAP_SERVER_SHOW_DELETED_OID: tombstones are returned too. */
export const SHOW_DELETED_OID = '1.2.840.113556.1.4.417';

/** Options of {@link searchPages}. */
export interface PagedSearch {
  readonly base: string;
  /** A filter string, or a Filter object (needed for binary values: see guidFilter). */
  readonly filter: string | Filter;
  readonly attributes: readonly string[];
  readonly binary?: readonly string[];
  readonly scope?: 'base' | 'one' | 'sub';
  readonly pageSize: number;
  /** Include tombstones (show-deleted control). */
  readonly showDeleted?: boolean;
}

/**
 * Runs a paged search (simple paged results control, so AD's size limit of
 * 1000 entries per search never truncates), handing each page to `onPage`
 * before asking for the next. Every request is bounded by the client's
 * operation timeout.
 */
export async function searchPages(
  client: Client,
  search: PagedSearch,
  onPage: (entries: Entry[]) => Promise<void>,
): Promise<void> {
  // A fresh control per search: controls are plain objects ldapts serialises.
  const controls = search.showDeleted ? [new Control(SHOW_DELETED_OID, { critical: true })] : [];
  const pages = client.searchPaginated(
    search.base,
    {
      scope: search.scope ?? 'sub',
      filter: search.filter,
      attributes: [...search.attributes],
      explicitBufferAttributes: [...(search.binary ?? [])],
      paged: { pageSize: search.pageSize },
    },
    controls,
  );
  for await (const page of pages) {
    if (page.searchEntries.length > 0) await onPage(page.searchEntries);
  }
}

/** All entries of a (small) search, paged. */
export async function searchAll(client: Client, search: PagedSearch): Promise<Entry[]> {
  const all: Entry[] = [];
  await searchPages(client, search, (entries) => {
    all.push(...entries);
    return Promise.resolve();
  });
  return all;
}
