// A minimal user agent for tests that drive the hosted pages over real HTTP without a
// browser: a cookie jar (names, paths, expiry), manual redirects, and form helpers.
export interface StoredCookie {
  name: string;
  value: string;
  path: string;
  expires: number | undefined;
  httpOnly: boolean;
  sameSite: string | undefined;
}

export interface PageResponse {
  status: number;
  url: string;
  headers: Headers;
  body: string;
  location: string | undefined;
}

function parseSetCookie(header: string, requestPath: string): StoredCookie {
  const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  const cookie: StoredCookie = { name: pair.slice(0, eq), value: pair.slice(eq + 1), path: requestPath.replace(/\/[^/]*$/, '') || '/', expires: undefined, httpOnly: false, sameSite: undefined };
  for (const attribute of attributes) {
    const [key = '', value = ''] = attribute.split('=');
    switch (key.toLowerCase()) {
      case 'path': cookie.path = value; break;
      case 'expires': cookie.expires = Date.parse(value); break;
      case 'max-age': cookie.expires = Date.now() + Number(value) * 1000; break;
      case 'httponly': cookie.httpOnly = true; break;
      case 'samesite': cookie.sameSite = value.toLowerCase(); break;
      default:
    }
  }
  return cookie;
}

export class HttpSession {
  readonly cookies = new Map<string, StoredCookie>();

  private readonly headers: Record<string, string>;

  constructor(headers: Record<string, string> = {}) {
    this.headers = headers;
  }

  private cookieHeader(url: URL): string {
    const now = Date.now();
    return [...this.cookies.values()]
      .filter((c) => (c.expires === undefined || c.expires > now) && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)))
      .map((c) => `${c.name}=${c.value}`).join('; ');
  }

  cookie(name: string): StoredCookie | undefined {
    return [...this.cookies.values()].find((c) => c.name === name);
  }

  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<PageResponse> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'text/html', ...this.headers, ...init.headers };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const header of response.headers.getSetCookie()) {
      const parsed = parseSetCookie(header, target.pathname);
      const key = `${parsed.name};${parsed.path}`;
      if (parsed.expires !== undefined && parsed.expires <= Date.now()) this.cookies.delete(key);
      else this.cookies.set(key, parsed);
    }
    const location = response.headers.get('location') ?? undefined;
    return { status: response.status, url: target.href, headers: response.headers, body: await response.text(), location: location && new URL(location, target).href };
  }

  /** GETs url and follows redirects until one leaves `origin` or a page answers. */
  async follow(url: string, origin: string): Promise<PageResponse> {
    let response = await this.request(url);
    for (let hops = 0; response.location && response.location.startsWith(origin) && hops < 10; hops++) {
      response = await this.request(response.location);
    }
    return response;
  }

  /** POSTs a form and follows redirects within origin. */
  async submit(url: string, form: Record<string, string>, origin: string): Promise<PageResponse> {
    const response = await this.request(url, { form });
    return response.location?.startsWith(origin) ? this.follow(response.location, origin) : response;
  }
}

/** The value of a hidden or visible input in an HTML page. */
export function inputValue(html: string, name: string): string | undefined {
  const tag = html.match(new RegExp(`<input[^>]*name="${name}"[^>]*>`))?.[0];
  return tag?.match(/value="([^"]*)"/)?.[1]?.replace(/&#34;/g, '"').replace(/&amp;/g, '&');
}

export function formAction(html: string, pathEnd: string): string | undefined {
  return html.match(new RegExp(`action="([^"]*${pathEnd})"`))?.[1];
}
