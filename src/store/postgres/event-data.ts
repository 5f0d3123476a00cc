import { transferData } from '../../domain/answers/event-data.js';
import type { LedgerEvent } from '../../domain/events.js';
import { TRANSFER_COLUMNS, toTransfer, type TransferRow } from './rows.js';
import type { Queryable } from './transaction.js';

/**
 * Events as read: a transfer.created event's data is its transfer as the
 * public history shows it, rendered from the transfers table (one query for
 * all of them), since the group commit stores only the transfer's id.
 */
export async function withTransferData(
  client: Queryable,
  events: readonly LedgerEvent[],
): Promise<LedgerEvent[]> {
  const ids = events.filter((event) => event.transferId !== null).map((event) => event.transferId!);
  if (ids.length === 0) return [...events];
  const found = await client.query<TransferRow>(
    `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = ANY($1)`,
    [ids],
  );
  const data = new Map(found.rows.map((row) => [row.id, transferData(toTransfer(row))]));
  return events.map((event) =>
    event.transferId === null ? event : { ...event, data: data.get(event.transferId) ?? 'null' },
  );
}
