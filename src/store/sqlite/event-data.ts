import type Database from 'better-sqlite3';
import { transferData } from '../../domain/answers/event-data.js';
import type { LedgerEvent } from '../../domain/events.js';
import { TOKEN_JOIN, TRANSFER_COLUMNS, toTransfer, type TransferRow } from './rows.js';

/**
 * Events as read: a transfer.created event's data is its transfer as the
 * public history shows it, rendered from the transfers table (one query for
 * all of them), since the group commit stores only the transfer's id.
 */
export function withTransferData(db: Database.Database, events: readonly LedgerEvent[]): LedgerEvent[] {
  const ids = events.filter((event) => event.transferId !== null).map((event) => event.transferId!);
  if (ids.length === 0) return [...events];
  const rows = db
    .prepare(
      `SELECT ${TRANSFER_COLUMNS} FROM transfers t ${TOKEN_JOIN} WHERE t.id IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(ids)) as TransferRow[];
  const data = new Map(rows.map((row) => [row.id, transferData(toTransfer(row))]));
  return events.map((event) =>
    event.transferId === null ? event : { ...event, data: data.get(event.transferId) ?? 'null' },
  );
}
