/** In-memory fakes of the attachment ports (shared/domain/attachment-ports.ts), for use-case unit tests. */
import type {
  AttachmentObjects,
  AttachmentRecord,
  AttachmentRepository,
  AttachmentSigner,
  ClaimOutcome,
  RenderedPreview,
  StoredObject,
} from '../../shared/domain/attachment-ports.ts';

type Options<K extends keyof AttachmentRepository> = Parameters<AttachmentRepository[K]>[0];

/** Records by conversation and id; a claim is all or none, with the store's conditions. */
export class InMemoryAttachments implements AttachmentRepository {
  readonly records = new Map<string, AttachmentRecord>();
  private readonly keyOf = (conversationId: string, attachmentId: string) =>
    `${conversationId}/${attachmentId}`;

  async create(record: AttachmentRecord): Promise<void> {
    this.records.set(this.keyOf(record.conversationId, record.attachmentId), structuredClone(record));
  }

  async getMany({ conversationId, attachmentIds }: Options<'getMany'>): Promise<AttachmentRecord[]> {
    return attachmentIds.flatMap((id) => {
      const record = this.records.get(this.keyOf(conversationId, id));
      return record ? [structuredClone(record)] : [];
    });
  }

  async claim(options: Options<'claim'>): Promise<ClaimOutcome> {
    const { conversationId, attachmentIds, uploaderId, clientMessageId } = options;
    for (const attachmentId of attachmentIds) {
      const record = this.records.get(this.keyOf(conversationId, attachmentId));
      const claimable =
        record?.uploaderId === uploaderId &&
        (record.state === 'pending' || record.claimedBy === clientMessageId);
      if (!claimable) return { outcome: 'taken', attachmentId };
    }
    for (const attachmentId of attachmentIds) {
      const record = this.records.get(this.keyOf(conversationId, attachmentId));
      if (record) Object.assign(record, { state: 'attached', claimedBy: clientMessageId });
    }
    return { outcome: 'claimed' };
  }

  async release({ conversationId, attachmentIds, clientMessageId, expiresAt }: Options<'release'>) {
    for (const attachmentId of attachmentIds) {
      const record = this.records.get(this.keyOf(conversationId, attachmentId));
      if (record?.claimedBy !== clientMessageId) continue;
      delete record.claimedBy;
      Object.assign(record, { state: 'pending', expiresAt });
    }
  }

  async recordPreview({ conversationId, attachmentId, preview }: Options<'recordPreview'>) {
    const record = this.records.get(this.keyOf(conversationId, attachmentId));
    if (!record) return undefined;
    record.preview = { ...preview };
    return structuredClone(record);
  }

  async remove({ conversationId, attachmentIds }: Options<'remove'>): Promise<void> {
    for (const id of attachmentIds) this.records.delete(this.keyOf(conversationId, id));
  }
}

/** Objects by key, as a test puts them (`put`, all of a file as its `leadingBytes`), with the tags and deletions the use cases made. */
export class InMemoryObjects implements AttachmentObjects {
  readonly objects = new Map<string, StoredObject>();
  readonly attached = new Set<string>();

  put(key: string, object: StoredObject): void {
    this.objects.set(key, object);
  }

  async inspect(key: string): Promise<StoredObject | undefined> {
    return this.objects.get(key);
  }

  async read(key: string, maxBytes: number): Promise<Uint8Array | undefined> {
    const object = this.objects.get(key);
    return object && object.size <= maxBytes ? object.leadingBytes : undefined;
  }

  async writePreview(key: string, preview: RenderedPreview, attached: boolean): Promise<void> {
    const { bytes, contentType } = preview;
    this.put(key, { size: bytes.length, contentType, leadingBytes: bytes });
    if (attached) this.attached.add(key);
  }

  /** As S3 answers a tag of a missing key: nothing is tagged. */
  async markAttached(key: string): Promise<void> {
    if (this.objects.has(key)) this.attached.add(key);
  }

  async markPending(key: string): Promise<void> {
    this.attached.delete(key);
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }
}

/** Signs nothing: the form and link name the key and what they were asked for. */
export const fakeSigner: AttachmentSigner = {
  uploadForm: async ({ key, contentType, maxBytes }) => ({
    url: 'https://uploads.invalid/',
    fields: { key, 'Content-Type': contentType, maxBytes: String(maxBytes) },
  }),
  downloadUrl: async ({ key, contentDisposition }) =>
    `https://downloads.invalid/${key}?disposition=${encodeURIComponent(contentDisposition)}`,
};
