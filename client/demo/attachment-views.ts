import { ChatApiError, type ChatClient, type Message, type MessageAttachment } from '@serverless-chat/client';
import { create } from './dom.ts';

/** An attachment on the page, and the object URL of its bytes once fetched. */
interface AttachmentView {
  element: HTMLElement;
  url?: string;
  /** Its message left the page: a fetch finishing now is dropped instead of shown. */
  released?: boolean;
}

const sizeText = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${Math.round(bytes / 1024)} KB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MB`;

const failureText = (error: unknown) => (error instanceof ChatApiError ? error.code : 'network');

/**
 * The attachments of the messages shown. Their bytes need the bearer token, which an `<img>` or a link cannot
 * send, so each file is fetched with the client and shown from an object URL. The element of each is kept
 * across the timeline's redraws (an image is fetched once), and its URL revoked once it is no longer drawn: its
 * message left the page, or its thumbnail came and replaced the original.
 */
export class AttachmentViews {
  /** By attachment and variant: those drawn before the last `releaseUndrawn`, and those drawn since. */
  private kept = new Map<string, AttachmentView>();
  private drawn = new Map<string, AttachmentView>();

  constructor(private readonly client: ChatClient) {}

  /** The message's images inline (its thumbnail once ready, else the original), other files as download links. */
  of(message: Message): HTMLElement {
    const list = create('div', 'attachments');
    for (const attachment of message.attachments ?? []) {
      const variant = attachment.contentType.startsWith('image/')
        ? attachment.hasThumbnail
          ? 'thumbnail'
          : 'original'
        : 'file';
      const key = `${attachment.attachmentId} ${variant}`;
      let view = this.drawn.get(key) ?? this.kept.get(key);
      if (!view) {
        view =
          variant === 'file'
            ? this.fileLink(message.conversationId, attachment)
            : this.image(message.conversationId, attachment, variant === 'thumbnail');
      }
      this.drawn.set(key, view);
      list.append(view.element);
    }
    return list;
  }

  /** Revokes the URL of every attachment not drawn since the last call. */
  releaseUndrawn(): void {
    for (const [key, view] of this.kept) {
      if (this.drawn.has(key)) continue;
      view.released = true;
      if (view.url) URL.revokeObjectURL(view.url);
    }
    this.kept = this.drawn;
    this.drawn = new Map();
  }

  private image(conversationId: string, attachment: MessageAttachment, thumbnail: boolean): AttachmentView {
    const frame = create('span', 'attachment picture');
    const image = document.createElement('img');
    image.className = 'attachment-image';
    image.alt = attachment.fileName;
    // Known sizes reserve the image's box before it loads, so the timeline does not jump.
    if (attachment.width && attachment.height) {
      image.width = attachment.width;
      image.height = attachment.height;
    }
    frame.append(image);
    const view: AttachmentView = { element: frame };
    this.client
      .attachmentBlob(conversationId, attachment.attachmentId, thumbnail ? { variant: 'thumbnail' } : {})
      .then(
        (blob) => {
          if (view.released) return;
          view.url = URL.createObjectURL(blob);
          image.src = view.url;
        },
        (error: unknown) => {
          frame.replaceChildren(`${attachment.fileName} (not available: ${failureText(error)})`);
        },
      );
    return view;
  }

  /** A link that fetches the file on its first click, then saves it under its name. */
  private fileLink(conversationId: string, attachment: MessageAttachment): AttachmentView {
    const link = create('a', 'attachment file', `📄 ${attachment.fileName} (${sizeText(attachment.size)})`);
    link.href = '#';
    link.download = attachment.fileName;
    const view: AttachmentView = { element: link };
    link.addEventListener('click', (event) => {
      if (view.url) return;
      event.preventDefault();
      this.client.attachmentBlob(conversationId, attachment.attachmentId).then(
        (blob) => {
          if (view.released) return;
          view.url = URL.createObjectURL(blob);
          link.href = view.url;
          link.click();
        },
        (error: unknown) => {
          link.title = `Not available (${failureText(error)})`;
          link.classList.add('failed');
        },
      );
    });
    return view;
  }
}
