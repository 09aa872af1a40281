import { createHash } from 'node:crypto';
import { recordAudit, recordView } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { NotFoundError } from '../../platform/errors.ts';
import type { Actor } from '../access/actor.ts';
import { ErrorList } from '../people/person-form.ts';
import { auditChildView, childInHelpScope, requireHelpPermission, UUID } from './access.ts';
import { addAutomaticEntry } from './chronology.ts';
import { currentEpisode } from './episodes.ts';
import { mayWriteHelp, type Child } from './visits.ts';

/**
 * Documents attached to a child's record: letters, reports, photographs of a child's drawing. The
 * bytes live in the database (documents.content) with their SHA-256. Only common, harmless types are
 * taken, recognised by their name AND their first bytes, and they are always served as downloads
 * with the type Hearth decided, never one the uploader claimed.
 */

/** The largest file Hearth takes: 10 MB. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

type FileType = {
  readonly contentType: string;
  readonly extension: string;
  readonly label: string;
  readonly looksRight: (bytes: Uint8Array) => boolean;
};

function startsWith(bytes: Uint8Array, ...prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

const PDF: FileType = {
  contentType: 'application/pdf',
  extension: 'pdf',
  label: 'PDF',
  looksRight: (b) => startsWith(b, ...ascii('%PDF-')),
};
const PNG: FileType = {
  contentType: 'image/png',
  extension: 'png',
  label: 'PNG image',
  looksRight: (b) => startsWith(b, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
};
const JPEG: FileType = {
  contentType: 'image/jpeg',
  extension: 'jpg',
  label: 'JPG image',
  looksRight: (b) => startsWith(b, 0xff, 0xd8, 0xff),
};
const GIF: FileType = {
  contentType: 'image/gif',
  extension: 'gif',
  label: 'GIF image',
  looksRight: (b) => startsWith(b, ...ascii('GIF87a')) || startsWith(b, ...ascii('GIF89a')),
};
const WEBP: FileType = {
  contentType: 'image/webp',
  extension: 'webp',
  label: 'WEBP image',
  looksRight: (b) => startsWith(b, ...ascii('RIFF')) && ascii('WEBP').every((c, i) => b[8 + i] === c),
};
const DOCX: FileType = {
  contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  extension: 'docx',
  label: 'Word document',
  // A DOCX is a ZIP archive.
  looksRight: (b) => startsWith(b, 0x50, 0x4b, 0x03, 0x04),
};
const TEXT: FileType = {
  contentType: 'text/plain; charset=utf-8',
  extension: 'txt',
  label: 'Text file',
  looksRight: (b) => {
    if (b.includes(0)) return false;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b);
      return true;
    } catch {
      return false;
    }
  },
};

const BY_EXTENSION: Readonly<Record<string, FileType>> = {
  pdf: PDF,
  png: PNG,
  jpg: JPEG,
  jpeg: JPEG,
  gif: GIF,
  webp: WEBP,
  docx: DOCX,
  txt: TEXT,
};

/** For the form's hint and the input's accept attribute. */
export const ACCEPTED_EXTENSIONS = Object.keys(BY_EXTENSION).map((e) => `.${e}`);
const TYPE_MESSAGE =
  'The selected file must be a PDF, Word document (DOCX), JPG, PNG, GIF, WEBP or text file (TXT)';

function extensionOf(filename: string): string {
  const match = /\.([A-Za-z0-9]{1,10})$/.exec(filename.trim());
  return match?.[1]?.toLowerCase() ?? '';
}

/**
 * A filename that is safe in a Content-Disposition header and on any disk: the last path segment,
 * letters, digits, hyphens and underscores only (accents dropped), at most 80 characters, and the
 * extension of the type Hearth recognised.
 */
export function safeFilename(original: string, extension: string): string {
  const last = original.split(/[\\/]/).pop() ?? '';
  const stem = last
    .replace(/\.[^.]*$/, '')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9 _-]+/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 80)
    .replace(/^[-_]+|[-_]+$/g, '');
  return `${stem === '' ? 'document' : stem}.${extension}`;
}

export type UploadedFile = { readonly filename: string; readonly bytes: Uint8Array };

/** Checks the upload; returns the type Hearth recognised, or throws a FormInputError. */
export function checkUpload(
  title: string,
  file: UploadedFile | undefined,
): { title: string; type: FileType } {
  const errors = new ErrorList();
  const trimmed = title.trim();
  if (trimmed === '') errors.add('title', 'Enter a title for the document');
  else if (trimmed.length > 200) errors.add('title', 'Title must be 200 characters or fewer');
  let type: FileType | undefined;
  if (!file || (file.filename.trim() === '' && file.bytes.length === 0)) {
    errors.add('file', 'Select a file');
  } else if (file.bytes.length > MAX_DOCUMENT_BYTES) {
    errors.add('file', 'The selected file must be smaller than 10MB');
  } else if (file.bytes.length === 0) {
    errors.add('file', 'The selected file is empty');
  } else {
    type = BY_EXTENSION[extensionOf(file.filename)];
    if (!type?.looksRight(file.bytes)) {
      type = undefined;
      errors.add('file', TYPE_MESSAGE);
    }
  }
  errors.throwIfAny();
  if (!type) throw new Error('unreachable: a checked upload has a type');
  return { title: trimmed, type };
}

/** Attaches a document to the child's record (and their open episode, if any). */
export async function uploadDocument(
  deps: Deps,
  actor: Actor,
  input: { personId: string; title: string; file: UploadedFile | undefined; requestId?: string | null },
): Promise<string> {
  requireHelpPermission(actor, 'write');
  // Scope first: someone who may not see the child learns nothing from the form's answers.
  await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'write');
  const { title, type } = checkUpload(input.title, input.file);
  const file = input.file as UploadedFile;
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInHelpScope(trx, actor, deps.clock, input.personId, 'write');
    const episode = await currentEpisode(trx, child.id);
    const now = deps.clock.now();
    const row = await trx
      .insertInto('documents')
      .values({
        person_id: child.id,
        episode_id: episode?.id ?? null,
        title,
        filename: safeFilename(file.filename, type.extension),
        content_type: type.contentType,
        size_bytes: file.bytes.length,
        sha256,
        content: file.bytes,
        uploaded_by: actor.userId,
        uploaded_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addAutomaticEntry(trx, {
      personId: child.id,
      episodeId: episode?.id ?? null,
      occurredOn: new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(now),
      event: 'document.added',
      summary: `Document added: ${title}`,
      sourceType: 'document',
      sourceId: row.id,
      actorUserId: actor.userId,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'document.upload',
      entityType: 'document',
      entityId: row.id,
      detail: { personId: child.id, sizeBytes: file.bytes.length, contentType: type.contentType, sha256 },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}

/** "2.4 MB", "310 KB", "12 bytes". */
export function sizeLabel(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

const LABEL_BY_TYPE = new Map(Object.values(BY_EXTENSION).map((t) => [t.contentType, t.label]));

export type DocumentListItem = {
  readonly id: string;
  readonly title: string;
  readonly filename: string;
  readonly typeLabel: string;
  readonly size: string;
  readonly uploadedAt: Date;
  readonly uploadedBy: string | null;
};

/** The child's documents, newest first, without their contents (a view of the child: audited). */
export async function listDocuments(
  deps: Deps,
  actor: Actor,
  input: { personId: string; requestId?: string | null },
): Promise<{ child: Child; documents: DocumentListItem[]; mayWrite: boolean }> {
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'read');
  const [rows, mayWrite] = await Promise.all([
    deps.db
      .selectFrom('documents')
      .leftJoin('users', 'users.id', 'documents.uploaded_by')
      .select([
        'documents.id',
        'documents.title',
        'documents.filename',
        'documents.content_type',
        'documents.size_bytes',
        'documents.uploaded_at',
        'users.display_name',
      ])
      .where('documents.person_id', '=', child.id)
      .orderBy('documents.uploaded_at', 'desc')
      .execute(),
    mayWriteHelp(deps, actor, child.id),
  ]);
  await auditChildView(deps.db, actor, {
    personId: child.id,
    route: '/children/:id/documents',
    purpose: 'documents',
    requestId: input.requestId ?? null,
  });
  return {
    child,
    mayWrite,
    documents: rows.map((r) => ({
      id: r.id,
      title: r.title,
      filename: r.filename,
      typeLabel: LABEL_BY_TYPE.get(r.content_type) ?? 'File',
      size: sizeLabel(r.size_bytes),
      uploadedAt: new Date(r.uploaded_at),
      uploadedBy: r.display_name,
    })),
  };
}

/** The child, for showing the upload form again with errors. */
export async function childForDocumentForm(deps: Deps, actor: Actor, personId: string): Promise<Child> {
  requireHelpPermission(actor, 'write');
  return childInHelpScope(deps.db, actor, deps.clock, personId, 'write');
}

/** One document's bytes, to download; audited as 'document.download' (committed before the bytes are sent). */
export async function downloadDocument(
  deps: Deps,
  actor: Actor,
  input: { personId: string; documentId: string; requestId?: string | null },
): Promise<{ filename: string; contentType: string; bytes: Buffer; sha256: string }> {
  if (!UUID.test(input.documentId)) throw new NotFoundError();
  const child = await childInHelpScope(deps.db, actor, deps.clock, input.personId, 'read');
  const row = await deps.db
    .selectFrom('documents')
    .select(['id', 'filename', 'content_type', 'content', 'sha256'])
    .where('id', '=', input.documentId)
    .where('person_id', '=', child.id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  await recordView(deps.db, {
    actorUserId: actor.userId,
    action: 'document.download',
    entityType: 'document',
    entityId: row.id,
    detail: { personId: child.id },
    requestId: input.requestId ?? null,
  });
  return {
    filename: row.filename,
    contentType: row.content_type,
    bytes: Buffer.from(row.content),
    sha256: row.sha256,
  };
}
