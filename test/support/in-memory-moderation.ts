/** In-memory fakes of the moderation ports (shared/domain/moderation-ports.ts), for use-case unit tests. */
import type { AuditEntry, AuditTrail } from '../../shared/domain/moderation-ports.ts';

/** Appends like the audit store: an entry id used twice is refused, as its conditional put would be. */
export class InMemoryAudit implements AuditTrail {
  readonly entries: AuditEntry[] = [];

  async append(entry: AuditEntry): Promise<void> {
    if (this.entries.some((e) => e.entryId === entry.entryId)) throw new Error('Audit entry exists');
    this.entries.push(structuredClone(entry));
  }
}
