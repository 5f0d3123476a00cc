import { v7 as uuidv7 } from 'uuid';

/** Transfer ids are UUIDv7: unique without coordination and ordered by creation time. */
export function newTransferId(): string {
  return uuidv7();
}
