import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ACCEPTED_EXTENSIONS,
  MAX_DOCUMENT_BYTES,
  childForDocumentForm,
  downloadDocument,
  listDocuments,
  uploadDocument,
  type UploadedFile,
} from '../../../modules/help/documents.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { field } from '../../forms.ts';
import { actorOf, staffGuard } from '../guard.ts';
import { pageErrors, type PageErrors } from '../people/helpers.ts';
import { childView, type ChildParams } from './shared.ts';

type DocumentParams = { Params: { id: string; docId: string } };

/**
 * The most a document upload may send: the largest file taken plus room for the other fields and the
 * multipart envelope. A file over 10 MB but within this is refused on the form, with the answers kept;
 * anything larger is refused outright (413) without being read.
 */
export const UPLOAD_BODY_LIMIT = MAX_DOCUMENT_BYTES + 1024 * 1024;

/** A multipart field that is not a file, or a file Hearth did not ask for, makes the form malformed. */
function badForm(): Error {
  return Object.assign(new Error('The form could not be read'), { statusCode: 400 });
}

/**
 * Reads a multipart/form-data body with the platform's own parser (WHATWG FormData in Node), into a
 * plain object like the URL-encoded forms: text fields as strings (the first of each name, so the
 * anti-forgery check reads `_csrf` as it does everywhere) and the one file as `file`.
 */
export async function parseMultipart(contentType: string, body: Buffer): Promise<Record<string, unknown>> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw badForm();
  }
  // No prototype: a field called "__proto__" is just a field.
  const out = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of form) {
    if (name in out) continue;
    if (typeof value === 'string') out[name] = value;
    else if (name === 'file') {
      const file: UploadedFile = { filename: value.name, bytes: new Uint8Array(await value.arrayBuffer()) };
      out[name] = file;
    } else throw badForm();
  }
  return out;
}

function uploadedFile(body: unknown): UploadedFile | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = Reflect.get(body, 'file');
  if (typeof value !== 'object' || value === null) return undefined;
  const filename: unknown = Reflect.get(value, 'filename');
  const bytes: unknown = Reflect.get(value, 'bytes');
  return typeof filename === 'string' && bytes instanceof Uint8Array ? { filename, bytes } : undefined;
}

/** `attachment` with an ASCII name (safe already) and the same name for clients that read filename*. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^A-Za-z0-9._-]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(ascii)}`;
}

export async function documentRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  // Multipart bodies are taken only by this plugin's routes (Fastify keeps parsers per plugin), and
  // only from signed-in staff: the guard runs before the body is read, so nobody else can make the
  // server buffer an upload.
  app.addHook('onRequest', staffGuard);
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: UPLOAD_BODY_LIMIT },
    async (request: FastifyRequest, body: Buffer) =>
      parseMultipart(request.headers['content-type'] ?? '', body),
  );

  async function render(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    form: { title: string },
    errors?: PageErrors,
  ) {
    const { child, documents, mayWrite } = await listDocuments(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
    });
    if (errors) reply.code(400);
    return reply.view('pages/record/documents.njk', {
      child: childView(child),
      documents,
      mayWrite,
      values: form,
      errors,
      accept: ACCEPTED_EXTENSIONS.join(','),
    });
  }

  app.get<ChildParams>('/children/:id/documents', async (request, reply) =>
    render(request, reply, { title: '' }),
  );

  app.post<ChildParams>('/children/:id/documents', async (request, reply) => {
    const title = field(request.body, 'title', 1000);
    try {
      await uploadDocument(deps, actorOf(request), {
        personId: request.params.id,
        title,
        file: uploadedFile(request.body),
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/documents`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      await childForDocumentForm(deps, actorOf(request), request.params.id);
      return render(request, reply, { title }, pageErrors(error));
    }
  });

  app.get<DocumentParams>('/children/:id/documents/:docId', async (request, reply) => {
    const document = await downloadDocument(deps, actorOf(request), {
      personId: request.params.id,
      documentId: request.params.docId,
      requestId: request.id,
    });
    return reply
      .header('content-type', document.contentType)
      .header('content-disposition', contentDisposition(document.filename))
      .header('content-length', document.bytes.length)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .send(document.bytes);
  });
}
