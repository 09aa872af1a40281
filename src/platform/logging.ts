import type { LoggerOptions } from 'pino';

/**
 * Logs never carry personal data: request bodies and query strings are not logged, cookies and
 * authorisation headers are redacted, and URLs are logged without their query string.
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.password',
        '*.code',
        '*.totp',
        '*.email',
        '*.name',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(request: { method: string; url: string; id: string }) {
        return { method: request.method, url: request.url.split('?')[0], id: request.id };
      },
    },
  };
}
