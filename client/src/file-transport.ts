/** A presigned POST to the object store: every field, then the file as `file`. */
export interface FormUpload {
  url: string;
  fields: Record<string, string>;
  file: Blob;
  fileName: string;
  /** Bytes of the file sent so far. */
  onProgress(loaded: number): void;
  signal?: AbortSignal;
}

/** A download's answer, after any redirect. */
export interface FileResponse {
  ok: boolean;
  status: number;
  blob(): Promise<Blob>;
  json(): Promise<unknown>;
}

/** Moves file bytes: uploads to the object store and downloads through the API's redirect. Swappable for tests. */
export interface FileTransport {
  /** Answers the store's HTTP status; rejects when the store is unreachable or `signal` aborted. */
  post(upload: FormUpload): Promise<number>;
  /** A GET that follows redirects (the API's 302 to the object store). */
  get(url: string, headers: Record<string, string>): Promise<FileResponse>;
}

/** The platform `fetch`, as far as file transfers use it. */
export type FileFetch = (
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: FormData; signal?: AbortSignal },
) => Promise<FileResponse>;

/** The part of the platform `XMLHttpRequest` an upload uses (browsers, React Native). */
export interface XhrLike {
  open(method: string, url: string): void;
  send(body: FormData): void;
  abort(): void;
  readonly status: number;
  readonly upload: { onprogress: ((event: { loaded: number }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  ontimeout: (() => void) | null;
}

function uploadForm({ fields, file, fileName }: FormUpload): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', file, fileName);
  return form;
}

/**
 * Uploads with `fetch` and a FormData body (Node, React Native without XHR): no progress while the body goes,
 * so it reports 0, then the whole size once the store answered. The global `fetch` is looked up per call, so a
 * client can be made where there is none yet (a polyfill installed later, a `fetch` passed for the API only).
 */
export function fetchFileTransport(
  fetch: FileFetch = (url, init) => globalThis.fetch(url, init),
): FileTransport {
  return {
    async post(upload) {
      upload.onProgress(0);
      const response = await fetch(upload.url, {
        method: 'POST',
        body: uploadForm(upload),
        ...(upload.signal ? { signal: upload.signal } : {}),
      });
      // Read to the end, so the connection is free again; the store's error text is not shown.
      await response.blob().catch(() => undefined);
      if (response.ok) upload.onProgress(upload.file.size);
      return response.status;
    },
    get: (url, headers) => fetch(url, { method: 'GET', headers }),
  };
}

/** Uploads with `XMLHttpRequest`, whose `upload.onprogress` reports the bytes as they go; downloads with `fetch`. */
export function xhrFileTransport(
  Xhr: new () => XhrLike,
  fetch: FileFetch = (url, init) => globalThis.fetch(url, init),
): FileTransport {
  return {
    post: (upload) =>
      new Promise((resolve, reject) => {
        const request = new Xhr();
        const stop = () => request.abort();
        const done = () => upload.signal?.removeEventListener('abort', stop);
        request.open('POST', upload.url);
        request.upload.onprogress = (event) => upload.onProgress(Math.min(event.loaded, upload.file.size));
        request.onload = () => {
          done();
          if (request.status < 300) upload.onProgress(upload.file.size);
          resolve(request.status);
        };
        request.onerror =
          request.ontimeout =
          request.onabort =
            () => {
              done();
              reject(
                new Error(
                  upload.signal?.aborted ? 'The upload was aborted' : 'The object store is unreachable',
                ),
              );
            };
        upload.signal?.addEventListener('abort', stop);
        request.send(uploadForm(upload));
      }),
    get: fetchFileTransport(fetch).get,
  };
}

/** XHR where the platform has it (real upload progress), else `fetch`. */
export function defaultFileTransport(): FileTransport {
  const Xhr = (globalThis as { XMLHttpRequest?: new () => XhrLike }).XMLHttpRequest;
  return Xhr ? xhrFileTransport(Xhr) : fetchFileTransport();
}
