/**
 * The ports of attachments: the record of each upload (DynamoDB, `shared/store/attachment-store.ts`), the
 * stored objects (S3, `shared/attachments/`), and the signer of the upload form and of download links.
 */

/** `pending`: issued, maybe uploaded, not yet named by a message; `attached`: claimed by one message. */
export type AttachmentState = 'pending' | 'attached';

/** The record of an upload, written when it is issued: who may name it, where, and what it must be. */
export interface AttachmentRecord {
  conversationId: string;
  attachmentId: string;
  uploaderId: string;
  /** Sanitised. */
  fileName: string;
  contentType: string;
  /** The declared size: the upload may be smaller, never larger. */
  declaredSize: number;
  state: AttachmentState;
  createdAt: string;
  /** The send that claimed it: `clientMessageId` of the uploader's message (a retry of that send claims again). */
  claimedBy?: string;
  /** Epoch seconds after which the record may go (pending: a day after issue; attached: the retention). */
  expiresAt?: number;
  /** An image's size (as shown, orientation applied), recorded once its preview is stored. */
  preview?: ImageSize;
}

export interface ImageSize {
  width: number;
  height: number;
}

/** What claiming the attachments of one send came to; `taken`: one of them is claimed by another message. */
export type ClaimOutcome = { outcome: 'claimed' } | { outcome: 'taken'; attachmentId: string };

export interface AttachmentRepository {
  /** Records an issued upload (state `pending`). */
  create(record: AttachmentRecord): Promise<void>;
  /** The records of these attachments of a conversation that exist, strongly consistent. */
  getMany(options: { conversationId: string; attachmentIds: string[] }): Promise<AttachmentRecord[]>;
  /**
   * Claims every one of them for the uploader's send `clientMessageId` in one transaction: each must be pending,
   * or claimed by that same send already (its retry). All or none.
   */
  claim(options: {
    conversationId: string;
    uploaderId: string;
    attachmentIds: string[];
    clientMessageId: string;
    expiresAt?: number;
  }): Promise<ClaimOutcome>;
  /**
   * Gives back what `claim` took for a send that was then refused: each claimed by that send is pending again,
   * to expire at `expiresAt` unless a message names it.
   */
  release(options: {
    conversationId: string;
    attachmentIds: string[];
    clientMessageId: string;
    expiresAt: number;
  }): Promise<void>;
  /**
   * Records that an upload's preview is stored; answers the record as it now is, or undefined when it is gone
   * (expired, or its message was deleted).
   */
  recordPreview(options: {
    conversationId: string;
    attachmentId: string;
    preview: ImageSize;
  }): Promise<AttachmentRecord | undefined>;
  /** Forgets the records (the message was deleted; its objects are deleted too). */
  remove(options: { conversationId: string; attachmentIds: string[] }): Promise<void>;
}

/** What the object store holds under an attachment's key: its size and type as uploaded, and its first bytes. */
export interface StoredObject {
  size: number;
  contentType: string;
  /** The first `signatureBytes` of the file (all of a smaller one), to check its real type. */
  leadingBytes: Uint8Array;
}

/** The uploaded objects; a function without attachment access gets one that refuses (`noAttachmentObjects`). */
export interface AttachmentObjects {
  /** The object's size, type and first bytes, undefined when nothing was uploaded (or it expired). */
  inspect(key: string): Promise<StoredObject | undefined>;
  /**
   * The whole object when it is at most `maxBytes`; undefined when nothing is stored there or it is larger (an
   * upload's size is checked when a message names it, not when it arrives).
   */
  read(key: string, maxBytes: number): Promise<Uint8Array | undefined>;
  /** Stores an image's preview, tagged as its upload is (`attached` or not), so it shares its lifecycle. */
  writePreview(key: string, preview: RenderedPreview, attached: boolean): Promise<void>;
  /**
   * Marks an object attached to a message, so the lifecycle rule of unattached uploads leaves it; nothing when
   * no object is there (a preview not made yet).
   */
  markAttached(key: string): Promise<void>;
  /** Undoes `markAttached` (a send refused after its claim); nothing when no object is there. */
  markPending(key: string): Promise<void>;
  /** Deletes these objects; a key with nothing stored is no error. */
  delete(keys: string[]): Promise<void>;
}

/** A small image made from an uploaded one, and the size of the original. */
export interface RenderedPreview {
  bytes: Uint8Array;
  contentType: string;
  original: ImageSize;
}

/** Makes previews; the thumbnail function's alone (sharp, `shared/attachments/sharp-previews.ts`). */
export interface PreviewRenderer {
  /** The preview of an image of a type in `previewedContentTypes`, or undefined when the bytes are not a readable image of it. */
  render(bytes: Uint8Array, contentType: string): Promise<RenderedPreview | undefined>;
}

/** A presigned POST: the form fields to send before the file (as `file`), to `url`. */
export interface UploadForm {
  url: string;
  fields: Record<string, string>;
}

export interface AttachmentSigner {
  /** A form that stores exactly this content type, at most `maxBytes`, under `key`, until `expiresInSeconds`. */
  uploadForm(options: {
    key: string;
    contentType: string;
    maxBytes: number;
    expiresInSeconds: number;
  }): Promise<UploadForm>;
  /** A GET link served with that content type and `Content-Disposition`. */
  downloadUrl(options: {
    key: string;
    contentType: string;
    contentDisposition: string;
    expiresInSeconds: number;
  }): Promise<string>;
}

/** Where an attachment's object lives: under its conversation, by its id. */
export const attachmentKey = (conversationId: string, attachmentId: string) =>
  `attachments/${conversationId}/${attachmentId}`;

/** The prefix every attachment object shares: what the bucket's policy and lifecycle rules name. */
export const attachmentPrefix = 'attachments/';

/**
 * Where an image attachment's preview lives: beside it under a prefix of its own, so that writing a preview
 * never triggers the upload notification that makes one.
 */
export const thumbnailKey = (conversationId: string, attachmentId: string) =>
  `thumbnails/${conversationId}/${attachmentId}`;

export const thumbnailPrefix = 'thumbnails/';

const unconfigured = async (): Promise<never> => {
  throw new Error('This function has no attachment access (see `attachments` in its route-table entry)');
};

/** The object store and signer of functions that have no attachment access. */
export const noAttachmentObjects: AttachmentObjects = {
  inspect: unconfigured,
  read: unconfigured,
  writePreview: unconfigured,
  markPending: unconfigured,
  markAttached: unconfigured,
  delete: unconfigured,
};
export const noAttachmentSigner: AttachmentSigner = { uploadForm: unconfigured, downloadUrl: unconfigured };
