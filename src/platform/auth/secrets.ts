import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Small cryptographic helpers keyed from the service secret (HEARTH_SECRET). */
export type Secrets = {
  /** Encrypts a short secret for storage (AES-256-GCM). */
  seal(plain: string): string;
  open(sealed: string): string;
  /** HMAC-SHA-256, hex. */
  sign(value: string): string;
  verify(value: string, signature: string): boolean;
};

export function makeSecrets(secret: string): Secrets {
  const encryptionKey = createHash('sha256').update(`hearth-encryption:${secret}`).digest();
  const signingKey = createHash('sha256').update(`hearth-signing:${secret}`).digest();
  const sign = (value: string): string => createHmac('sha256', signingKey).update(value).digest('hex');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || !body) throw new Error('Unreadable sealed value');
      const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
    sign,
    verify(value, signature) {
      const expected = Buffer.from(sign(value), 'hex');
      const given = Buffer.from(signature, 'hex');
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}

/** A new random token with 256 bits of entropy. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
