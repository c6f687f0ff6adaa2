/**
 * CSV export (RFC 4180): one header line, one line per row, CRLF line ends.
 * Cells a spreadsheet would run as a formula (starting with = + - @, a tab
 * or a carriage return) get a leading apostrophe: device-supplied text such
 * as window titles must not become live formulas in an analyst's
 * spreadsheet (CSV injection).
 */

/** The guide's attribute names, as CSV columns after the row's own fields. */
export const ATTRIBUTE_COLUMNS = [
  'EventType',
  'EventTime',
  'Category',
  'SubCategory',
  'Producer',
  'ProducerVersion',
  'OSType',
  'HostId',
  'HostName',
  'ClientId',
  'ClientName',
  'AppName',
  'UserId',
  'AuthenticatorId',
  'SecondaryAuthenticatorId',
  'AppProcessName',
  'AppURL',
  'AppWinTitle',
  'TotalElapsedTime',
  'Details',
  'ClientEventId',
] as const;

/** The row fields exported before the attributes. */
export const ROW_COLUMNS = [
  'id',
  'eventId',
  'timestamp',
  'severity',
  'level',
  'message',
  'exception',
  'traceId',
  'spanId',
  'source',
  'serviceName',
  'clientIp',
  'createdAt',
] as const;

/** One CSV cell. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header line. */
export function csvHeader(): string {
  return `${[...ROW_COLUMNS, ...ATTRIBUTE_COLUMNS].join(',')}\r\n`;
}

/** One data line of an exported row. */
export function csvLine(
  row: Readonly<Record<(typeof ROW_COLUMNS)[number], unknown>> & {
    readonly attributes: Readonly<Record<string, unknown>>;
  },
): string {
  const cells = [
    ...ROW_COLUMNS.map((column) => csvCell(row[column])),
    ...ATTRIBUTE_COLUMNS.map((name) => csvCell(row.attributes[name])),
  ];
  return `${cells.join(',')}\r\n`;
}
