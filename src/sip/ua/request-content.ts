/**
 * What a scenario adds to a request it sends: extension headers (`X-Run-Id: 42`,
 * `P-Asserted-Identity: <sip:+4930123@lab.test>`) and a body. sip.js builds the rest (Via,
 * From, To, Call-ID, CSeq, Contact, Max-Forwards, Content-Length) as RFC 3261 §8.1.1 says.
 */
export interface RequestContent {
  /** Header name to value, in order; the schema refuses the headers sip.js builds itself. */
  headers?: Readonly<Record<string, string>>;
  body?: string;
  /** Default text/plain. */
  contentType?: string;
}

/** `Name: value` lines as sip.js's extraHeaders take them. */
export function extraHeaderLines(headers: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(headers ?? {}).map(([name, value]) => `${name}: ${value}`);
}

/** The body as sip.js sends it; `render` is what RFC 3261 §20.11 implies for non-SDP bodies. */
export function sipJsBody(content: RequestContent): { contentDisposition: string; contentType: string; content: string } | undefined {
  if (content.body === undefined) return undefined;
  return { contentDisposition: 'render', contentType: content.contentType ?? 'text/plain', content: content.body };
}
