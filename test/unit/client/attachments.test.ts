/**
 * Sends with files against a fake HTTP API and a fake object store: what the app sees while files upload, the
 * store failures that are tried again and the ones that are not, and a retry that resumes without uploading a
 * file twice or storing the message twice.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ChatApiError,
  type FetchLike,
  type FileResponse,
  type FileTransport,
  type FormUpload,
  fetchFileTransport,
  type XhrLike,
  xhrFileTransport,
} from '../../../client/src/index.ts';
import { message, setUp } from './fake-chat.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2])], 'cat.png', {
  type: 'image/png',
});
const note = new Blob(['hello there'], { type: 'text/plain' });

type StoreAnswer = number | Error;

/**
 * The API's attachment routes and the object store. The store answers each POST with the next of `answers`
 * (204 once they are used up), reporting half the file, then all of it, as a browser's XHR would.
 */
function fakeFiles(answers: StoreAnswer[] = [], expiresInMs = 15 * 60_000) {
  const log: string[] = [];
  const issued: { fileName: string; contentType: string; size: number }[] = [];
  const posts: FormUpload[] = [];
  const fetch = vi.fn<FetchLike>(async (url, init) => {
    const path = new URL(url).pathname;
    if (init.method === 'POST' && path === '/conversations/c1/attachments') {
      issued.push(JSON.parse(init.body ?? '{}'));
      const attachmentId = `a${issued.length}`;
      log.push(`issue ${attachmentId}`);
      const upload = { url: 'http://store.test/bucket', fields: { key: `attachments/c1/${attachmentId}` } };
      const expiresAt = new Date(Date.now() + expiresInMs).toISOString();
      return { ok: true, status: 201, json: async () => ({ attachmentId, upload, expiresAt }) };
    }
    return { ok: false, status: 404, json: async () => ({ error: { code: 'not_found', message: path } }) };
  });
  const transport: FileTransport = {
    async post(upload) {
      posts.push(upload);
      log.push(`post ${upload.fields.key?.split('/').at(-1)}`);
      upload.onProgress(0);
      const answer = answers.shift() ?? 204;
      if (answer instanceof Error) throw answer;
      upload.onProgress(Math.floor(upload.file.size / 2));
      if (answer < 300) upload.onProgress(upload.file.size);
      return answer;
    },
    get: vi.fn<FileTransport['get']>(),
  };
  return { fetch, transport, log, issued, posts };
}

function chatWithFiles(files: ReturnType<typeof fakeFiles>) {
  return setUp({
    fetch: files.fetch,
    fileTransport: files.transport,
    uploadRetry: { retries: 2, initialDelayMs: 100, maxDelayMs: 100 },
  });
}

const framesSent = (chat: ReturnType<typeof setUp>) =>
  chat.sockets.flatMap((socket) => socket.sentActions('sendMessage'));

describe('sending files with a message', () => {
  it('shows the files at once, uploads each, then sends one frame naming them; progress reaches the total first', async () => {
    const files = fakeFiles();
    const chat = chatWithFiles(files);
    await chat.connect();
    const progress: { loaded: number; total: number }[] = [];
    const total = png.size + note.size;
    const sending = chat.client.send('c1', '', {
      attachments: [png, note],
      replyTo: '3-X',
      onProgress: (p) => {
        progress.push(p);
        files.log.push(`progress ${p.loaded}`);
      },
    });
    expect(sending).toMatchObject({
      status: 'pending',
      body: '',
      replyTo: '3-X',
      uploads: [
        { fileName: 'cat.png', contentType: 'image/png', size: png.size, loaded: 0 },
        { fileName: 'file', contentType: 'text/plain', size: note.size, loaded: 0 },
      ],
    });
    expect(framesSent(chat)).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);

    expect(files.issued).toEqual([
      { fileName: 'cat.png', contentType: 'image/png', size: png.size },
      { fileName: 'file', contentType: 'text/plain', size: note.size },
    ]);
    expect(files.posts.map((post) => post.file)).toEqual([png, note]);
    expect(framesSent(chat)).toEqual([
      {
        action: 'sendMessage',
        conversationId: 'c1',
        clientMessageId: sending.clientMessageId,
        body: '',
        replyTo: '3-X',
        attachmentIds: ['a1', 'a2'],
      },
    ]);
    expect(files.log.filter((entry) => !entry.startsWith('progress'))).toEqual([
      'issue a1',
      'post a1',
      'issue a2',
      'post a2',
    ]);
    const loaded = progress.map((p) => p.loaded);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(progress.every((p) => p.total === total)).toBe(true);
    expect(progress.at(-1)).toEqual({ loaded: total, total });
    // The app's view follows the bytes too, and the last pending state before the frame has every file done.
    const latest = chat.outgoing.filter((m) => m.clientMessageId === sending.clientMessageId).at(-1);
    expect(latest?.uploads).toEqual([
      { fileName: 'cat.png', contentType: 'image/png', size: png.size, loaded: png.size, attachmentId: 'a1' },
      { fileName: 'file', contentType: 'text/plain', size: note.size, loaded: note.size, attachmentId: 'a2' },
    ]);

    chat.socket().receive({
      type: 'message.ack',
      clientMessageId: sending.clientMessageId,
      message: message(1, 'alice'),
    });
    expect(chat.outgoing.at(-1)).toMatchObject({ status: 'sent', uploads: latest?.uploads });
  });

  it('tries a store that is unreachable or answers 5xx again with backoff, and sends once', async () => {
    const files = fakeFiles([new TypeError('fetch failed'), 503]);
    const chat = chatWithFiles(files);
    await chat.connect();
    chat.client.send('c1', 'look', { attachments: [png] });
    await vi.advanceTimersByTimeAsync(0);
    expect(files.posts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(files.posts).toHaveLength(2);
    expect(framesSent(chat)).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(files.posts).toHaveLength(3);
    expect(files.issued).toHaveLength(1);
    expect(framesSent(chat)).toMatchObject([{ body: 'look', attachmentIds: ['a1'] }]);
  });

  it('fails the message with upload_failed on a 4xx at once, and after the last try of 5xx', async () => {
    const files = fakeFiles([403, 500, 502, 503]);
    const chat = chatWithFiles(files);
    await chat.connect();
    const refused = chat.client.send('c1', '', { attachments: [png] });
    await vi.advanceTimersByTimeAsync(0);
    expect(files.posts).toHaveLength(1);
    expect(chat.outgoing.at(-1)).toMatchObject({
      clientMessageId: refused.clientMessageId,
      status: 'failed',
      error: {
        code: 'upload_failed',
        message: 'cat.png could not be uploaded: the object store answered 403',
      },
    });

    const unlucky = chat.client.send('c1', '', { attachments: [png] });
    await vi.advanceTimersByTimeAsync(1000);
    expect(files.posts).toHaveLength(4);
    expect(chat.outgoing.at(-1)).toMatchObject({
      clientMessageId: unlucky.clientMessageId,
      status: 'failed',
      error: {
        code: 'upload_failed',
        message: 'cat.png could not be uploaded: the object store answered 503',
      },
    });
    expect(framesSent(chat)).toEqual([]);
  });

  it('retry resumes with the files already uploaded, posts the rest to the form it has, and sends once', async () => {
    const files = fakeFiles([204, 503, 503, 503]);
    const chat = chatWithFiles(files);
    await chat.connect();
    const sending = chat.client.send('c1', 'two files', { attachments: [png, note] });
    await vi.advanceTimersByTimeAsync(1000);
    expect(chat.outgoing.at(-1)).toMatchObject({ status: 'failed', error: { code: 'upload_failed' } });
    expect(chat.outgoing.at(-1)?.uploads?.map((upload) => upload.attachmentId)).toEqual(['a1', undefined]);
    expect(chat.client.retry(sending.clientMessageId)).toMatchObject({ status: 'pending' });
    expect(chat.outgoing.at(-1)).not.toHaveProperty('error');
    expect(chat.client.retry(sending.clientMessageId)).toBeUndefined(); // already going again
    await vi.advanceTimersByTimeAsync(0);

    expect(files.log.filter((entry) => entry.startsWith('issue'))).toEqual(['issue a1', 'issue a2']);
    expect(files.log.filter((entry) => entry === 'post a1')).toHaveLength(1);
    expect(files.log.filter((entry) => entry === 'post a2')).toHaveLength(4);
    expect(framesSent(chat)).toEqual([
      {
        action: 'sendMessage',
        conversationId: 'c1',
        clientMessageId: sending.clientMessageId,
        body: 'two files',
        attachmentIds: ['a1', 'a2'],
      },
    ]);
  });

  it('issues a new form on retry when the old one expired, but never for a file already uploaded', async () => {
    const files = fakeFiles([204, 400], 5 * 60_000);
    const chat = chatWithFiles(files);
    await chat.connect();
    const sending = chat.client.send('c1', '', { attachments: [png, note] });
    await vi.advanceTimersByTimeAsync(0);
    expect(chat.outgoing.at(-1)).toMatchObject({ status: 'failed' });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    chat.client.retry(sending.clientMessageId);
    await vi.advanceTimersByTimeAsync(0);
    expect(files.log.filter((entry) => entry.startsWith('issue'))).toEqual([
      'issue a1',
      'issue a2',
      'issue a3',
    ]);
    expect(framesSent(chat)).toMatchObject([{ attachmentIds: ['a1', 'a3'] }]);
  });

  it('a send that failed on the socket goes again with its attachmentIds, uploading nothing again', async () => {
    const files = fakeFiles();
    const chat = chatWithFiles(files);
    await chat.connect();
    const sending = chat.client.send('c1', '', { attachments: [png] });
    await vi.advanceTimersByTimeAsync(0);
    chat.socket().receive({
      type: 'error',
      code: 'internal',
      message: 'try again',
      clientMessageId: sending.clientMessageId,
    });
    expect(chat.outgoing.at(-1)).toMatchObject({ status: 'failed', error: { code: 'internal' } });
    chat.client.retry(sending.clientMessageId);
    await vi.advanceTimersByTimeAsync(0);
    const frames = framesSent(chat);
    expect(frames).toHaveLength(2);
    expect(new Set(frames.map((frame) => JSON.stringify(frame))).size).toBe(1);
    expect(frames[0]).toMatchObject({ clientMessageId: sending.clientMessageId, attachmentIds: ['a1'] });
    expect(files.posts).toHaveLength(1);
    expect(files.issued).toHaveLength(1);
  });

  it('refuses a file without a type before any request, with a clear validation_failed', async () => {
    const files = fakeFiles();
    const chat = chatWithFiles(files);
    await chat.connect();
    const untyped = new File(['?'], 'notes.xyz');
    chat.client.send('c1', '', { attachments: [png, untyped] });
    expect(chat.outgoing.at(-1)).toMatchObject({
      status: 'failed',
      error: { code: 'validation_failed', message: 'contentType: notes.xyz has no type; pass contentType' },
    });
    await expect(chat.client.uploadAttachment('c1', untyped)).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(files.fetch).not.toHaveBeenCalled();
    expect(files.posts).toEqual([]);
  });
});

describe('single files', () => {
  it('uploadAttachment issues and posts one file, with its progress, and answers what a send needs', async () => {
    const files = fakeFiles([503]);
    const chat = chatWithFiles(files);
    const progress: number[] = [];
    const uploading = chat.client.uploadAttachment('c1', note, {
      fileName: 'note.txt',
      onProgress: ({ loaded, total }) => progress.push(loaded / total),
    });
    await vi.advanceTimersByTimeAsync(100);
    await expect(uploading).resolves.toEqual({
      attachmentId: 'a1',
      fileName: 'note.txt',
      contentType: 'text/plain',
      size: note.size,
    });
    expect(files.posts.map((post) => post.fileName)).toEqual(['note.txt', 'note.txt']);
    expect(progress.at(-1)).toBe(1);

    // Its id goes with a send, before the files that send uploads itself.
    await chat.connect();
    chat.client.send('c1', 'both', { attachmentIds: ['a1'], attachments: [png] });
    await vi.advanceTimersByTimeAsync(0);
    expect(chat.socket().sentActions('sendMessage')).toMatchObject([{ attachmentIds: ['a1', 'a2'] }]);
  });

  it('attachmentBlob fetches through the API with the token and answers the bytes; a refusal is a ChatApiError', async () => {
    const files = fakeFiles();
    const chat = chatWithFiles(files);
    const bytes = new Blob(['preview']);
    const answer = (status: number, body: unknown): FileResponse => ({
      ok: status < 300,
      status,
      blob: async () => bytes,
      json: async () => body,
    });
    vi.mocked(files.transport.get)
      .mockResolvedValueOnce(answer(200, undefined))
      .mockResolvedValueOnce(answer(404, { error: { code: 'not_found', message: 'no preview yet' } }));
    await expect(chat.client.attachmentBlob('c1', 'a/1', { variant: 'thumbnail' })).resolves.toBe(bytes);
    expect(files.transport.get).toHaveBeenCalledWith(
      'http://chat.test/conversations/c1/attachments/a%2F1?variant=thumbnail',
      { authorization: 'Bearer token-1' },
    );
    const missing = chat.client.attachmentBlob('c1', 'a1');
    await expect(missing).rejects.toBeInstanceOf(ChatApiError);
    await expect(missing).rejects.toMatchObject({
      code: 'not_found',
      status: 404,
      message: 'no preview yet',
    });
  });
});

describe('the transports', () => {
  const form = (onProgress: (loaded: number) => void, signal?: AbortSignal): FormUpload => ({
    url: 'http://store.test/bucket',
    fields: { key: 'attachments/c1/a1', 'Content-Type': 'image/png' },
    file: png,
    fileName: 'cat.png',
    onProgress,
    ...(signal ? { signal } : {}),
  });

  it('fetch posts the fields, then the file as `file`, and reports 0, then all of it', async () => {
    const fetch = vi.fn(async () => ({
      ok: true,
      status: 204,
      blob: async () => new Blob(),
      json: async () => ({}),
    }));
    const loaded: number[] = [];
    await expect(fetchFileTransport(fetch).post(form((n) => loaded.push(n)))).resolves.toBe(204);
    const [[url, init]] = fetch.mock.calls as unknown as [[string, { method: string; body: FormData }]];
    expect([url, init.method]).toEqual(['http://store.test/bucket', 'POST']);
    const names: string[] = [];
    init.body.forEach((_, name) => {
      names.push(name);
    });
    expect(names).toEqual(['key', 'Content-Type', 'file']);
    expect((init.body.get('file') as File).name).toBe('cat.png');
    expect(loaded).toEqual([0, png.size]);
  });

  it('XHR reports the bytes as they go, answers the status, and rejects when the store is unreachable', async () => {
    const requests: FakeXhr[] = [];
    class FakeXhr implements XhrLike {
      status = 0;
      readonly upload: XhrLike['upload'] = { onprogress: null };
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      onabort: (() => void) | null = null;
      ontimeout: (() => void) | null = null;
      opened: string[] = [];
      body: FormData | undefined;
      constructor() {
        requests.push(this);
      }
      open(method: string, url: string) {
        this.opened = [method, url];
      }
      send(body: FormData) {
        this.body = body;
      }
      abort() {
        this.onabort?.();
      }
    }
    const transport = xhrFileTransport(FakeXhr);
    const loaded: number[] = [];
    const posted = transport.post(form((n) => loaded.push(n)));
    const [request] = requests;
    expect(request?.opened).toEqual(['POST', 'http://store.test/bucket']);
    request?.upload.onprogress?.({ loaded: 4 });
    expect(loaded).toEqual([4]);
    if (request) request.status = 201;
    request?.onload?.();
    await expect(posted).resolves.toBe(201);
    expect(loaded).toEqual([4, png.size]);

    const failing = transport.post(form(() => {}));
    requests[1]?.onerror?.();
    await expect(failing).rejects.toThrow('The object store is unreachable');

    const controller = new AbortController();
    const aborted = transport.post(form(() => {}, controller.signal));
    controller.abort();
    await expect(aborted).rejects.toThrow('The upload was aborted');
  });
});
