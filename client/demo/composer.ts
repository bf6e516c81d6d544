import type { ChatClient, Message } from '@serverless-chat/client';
import { create, view } from './dom.ts';
import { attachMentionPicker, mentionsIn } from './mentions.ts';
import { button } from './report.ts';

/** The conversation the composer writes to. */
interface ComposerTarget {
  id: string;
  memberIds: string[];
}

/**
 * The message being written: its text (with typing signals and `@` suggestions from the members), the files
 * picked with 📎, the message it answers (Reply), and the send, with `mentions` for every `@member` in the
 * text and the files as attachments (the timeline shows their upload).
 */
export class Composer {
  private replyingTo: Message | undefined;
  private readonly input: HTMLInputElement;

  constructor(
    private readonly client: ChatClient,
    me: string,
    private readonly target: () => ComposerTarget | undefined,
  ) {
    const input = view.composer.querySelector<HTMLInputElement>('input[name="body"]');
    if (!input) throw new Error('the composer has no message input');
    this.input = input;
    input.addEventListener('input', () => {
      const open = target();
      if (open && input.value !== '') client.typing(open.id);
    });
    attachMentionPicker(input, view.mentionPicker, () =>
      (target()?.memberIds ?? []).filter((id) => id !== me),
    );
    view.attach.addEventListener('change', () => this.showPickedFiles());
    view.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  /** Makes the next message a reply to `message`, quoted above the composer until sent or cancelled. */
  replyTo(message: Message): void {
    this.replyingTo = message;
    const cancel = button('×', () => this.cancelReply());
    cancel.setAttribute('aria-label', 'Cancel reply');
    view.replyingTo.replaceChildren(
      create('span', 'quote-sender', `Replying to ${message.senderId}`),
      create('span', 'quote-preview', message.body),
      cancel,
    );
    view.replyingTo.hidden = false;
    this.input.focus();
  }

  /** Empties it, for another conversation or none. */
  clear(): void {
    this.input.value = '';
    view.mentionPicker.hidden = true;
    view.attach.value = '';
    this.showPickedFiles();
    this.cancelReply();
  }

  private showPickedFiles(): void {
    const files = Array.from(view.attach.files ?? []);
    const remove = button('×', () => {
      view.attach.value = '';
      this.showPickedFiles();
    });
    remove.setAttribute('aria-label', 'Remove the files');
    view.pickedFiles.replaceChildren(
      ...files.map((file) => create('span', 'picked-file', file.name)),
      remove,
    );
    view.pickedFiles.hidden = files.length === 0;
  }

  private cancelReply(): void {
    this.replyingTo = undefined;
    view.replyingTo.hidden = true;
    view.replyingTo.replaceChildren();
  }

  private submit(): void {
    const open = this.target();
    const body = this.input.value.trim();
    const files = Array.from(view.attach.files ?? []);
    if (!open || (body === '' && files.length === 0)) return;
    const mentions = mentionsIn(body, open.memberIds);
    // The timeline shows it from the client's `outgoing` event.
    this.client.send(open.id, body, {
      ...(this.replyingTo ? { replyTo: this.replyingTo.messageId } : {}),
      ...(mentions.length > 0 ? { mentions } : {}),
      ...(files.length > 0 ? { attachments: files } : {}),
    });
    this.clear();
  }
}
