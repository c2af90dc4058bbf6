import { request as httpRequest } from 'node:http';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

export async function call(url: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<Answer> {
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : JSON.parse(text) };
}

/** fetch() cannot repeat a header; node:http sends each array value as its own field line. */
export function callWithRawHeaders(url: string, headers: Record<string, string | string[]>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'GET' }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') answerHeaders.set(name, value);
        resolve({ status: response.statusCode ?? 0, headers: answerHeaders, body: text === '' ? {} : JSON.parse(text) });
      });
    });
    for (const [name, value] of Object.entries(headers)) request.setHeader(name, value);
    request.on('error', reject);
    request.end();
  });
}

