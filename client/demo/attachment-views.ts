import { ChatApiError, type ChatClient, type Message, type MessageAttachment } from '@serverless-chat/client';
import { create } from './dom.ts';

/** An attachment on the page, and the object URL of its bytes once fetched. */
interface AttachmentView {
  element: HTMLElement;
  url?: string;
  /** Its message left the page: a fetch finishing now is dropped instead of shown. */
  released?: boolean;
  /** Brings it up to date with the message as it is now (an image's preview, once ready). */
  update?(attachment: MessageAttachment): void;
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
 * across the timeline's redraws (an image is fetched once, and its preview once ready), and its URL revoked
 * once it is no longer drawn (its message left the page) or, for an original, once its preview replaced it.
 */
export class AttachmentViews {
  /** By attachmentId: those drawn before the last `releaseUndrawn`, and those drawn since. */
  private kept = new Map<string, AttachmentView>();
  private drawn = new Map<string, AttachmentView>();

  constructor(private readonly client: ChatClient) {}

  /** The message's images inline (its thumbnail once ready, else the original), other files as download links. */
  of(message: Message): HTMLElement {
    const list = create('div', 'attachments');
    for (const attachment of message.attachments ?? []) {
      const { attachmentId } = attachment;
      let view = this.drawn.get(attachmentId) ?? this.kept.get(attachmentId);
      view?.update?.(attachment);
      view ??= attachment.contentType.startsWith('image/')
        ? this.image(message.conversationId, attachment)
        : this.fileLink(message.conversationId, attachment);
      this.drawn.set(attachmentId, view);
      list.append(view.element);
    }
    return list;
  }

  /** Revokes the URL of every attachment not drawn since the last call. */
  releaseUndrawn(): void {
    for (const [attachmentId, view] of this.kept) {
      if (this.drawn.has(attachmentId)) continue;
      view.released = true;
      if (view.url) URL.revokeObjectURL(view.url);
    }
    this.kept = this.drawn;
    this.drawn = new Map();
  }

  /**
   * An image, from its preview once the message says it is ready, else from the original; a preview replaces
   * the original in the same element once it loaded (the original's URL is then revoked), and one that fails
   * leaves the original shown.
   */
  private image(conversationId: string, first: MessageAttachment): AttachmentView {
    const frame = create('span', 'attachment picture');
    const image = document.createElement('img');
    image.className = 'attachment-image';
    image.alt = first.fileName;
    frame.append(image);
    const view: AttachmentView = { element: frame };
    let shown: 'thumbnail' | 'original' | undefined;
    const show = (attachment: MessageAttachment) => {
      const variant = attachment.hasThumbnail ? 'thumbnail' : 'original';
      if (shown === 'thumbnail' || shown === variant) return;
      shown = variant;
      // Known sizes reserve the image's box before it loads, so the timeline does not jump.
      if (attachment.width && attachment.height) {
        image.width = attachment.width;
        image.height = attachment.height;
      }
      const options = variant === 'thumbnail' ? { variant: 'thumbnail' as const } : {};
      this.client.attachmentBlob(conversationId, attachment.attachmentId, options).then(
        (blob) => {
          // Released, or the original answering after its preview was asked for.
          if (view.released || shown !== variant) return;
          const previous = view.url;
          view.url = URL.createObjectURL(blob);
          image.src = view.url;
          if (previous) URL.revokeObjectURL(previous);
        },
        (error: unknown) => {
          if (!view.url && shown === variant)
            frame.replaceChildren(`${attachment.fileName} (not available: ${failureText(error)})`);
        },
      );
    };
    view.update = show;
    show(first);
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
