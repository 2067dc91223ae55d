"""A local fixture portal: a threaded HTTP server on 127.0.0.1 serving a site dict {path: Page}.

One site per server (the default): every request is answered from `site`, whatever
its Host header, so a crawler is pointed at `server.url("/zt/xxgkzl/zfxxgknb.html")`
with allowed_domains ["127.0.0.1"]. Several virtual hosts are possible too:
`PortalServer(hosts={"www.bjxch.gov.cn": xicheng_site(), ...})` picks the site by the
Host header or by an absolute-form request line (`GET http://www.bjxch.gov.cn/… HTTP/1.1`),
so the server can also act as the HTTP proxy of a crawler that keeps the real host names.

Every 200 page carries an ETag (a hash of its bytes) and a Last-Modified, and conditional
requests get 304 (If-None-Match first; If-Modified-Since only without it). `{{base}}` in
a page's text becomes `http://<Host header>` when served, so a page can hold absolute
links to its own server although the port is only known once it runs.

    with PortalServer(xicheng_site()) as portal:
        urlopen(portal.url("/zt/xxgkzl/zfxxgknb.html"))
        portal.hits("/robots.txt"); portal.log[-1].status
        portal.touch(path)            # new content, new ETag, Last-Modified now
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

BASE_TOKEN = "{{base}}"
DEFAULT_MODIFIED = datetime(2025, 1, 1, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))
_NOT_FOUND_HTML = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 页面不存在</title></head>'
    '<body><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除。</p><p><a href="/">返回首页</a></p></body></html>'
)


@dataclass(frozen=True)
class Page:
    """What the server answers for one path. Build it with the functions below.

    kind: "content" (a body with status 200 or another), "flaky" (status `fail_status` for the
    first `failures` requests, then `then`), "hang" (never answers), "redirect". A callable body
    is rendered once, on the first request (PortalServer keeps the bytes): it must not vary.
    """

    kind: str = "content"
    body: str | bytes | Callable[[], str] = b""
    status: int = 200
    content_type: str = "text/html"
    encoding: str = "utf-8"
    declare_charset: bool = True  # put "; charset=…" in Content-Type (a text body only)
    last_modified: datetime | None = None
    location: str = ""
    failures: int = 0
    fail_status: int = 500
    then: Page | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def render(self, base: str) -> bytes:
        body = self.body() if callable(self.body) else self.body
        if isinstance(body, bytes):
            return body
        return body.replace(BASE_TOKEN, base).encode(self.encoding)

    def content_type_header(self) -> str:
        if self.declare_charset and not isinstance(self.body, bytes) and self.content_type.startswith("text/"):
            return f"{self.content_type}; charset={self.encoding}"
        return self.content_type


def html(
    text: str | Callable[[], str],
    *,
    encoding: str = "utf-8",
    declare_charset: bool = True,
    last_modified: datetime | None = None,
    status: int = 200,
) -> Page:
    """An HTML page. encoding="gbk", declare_charset=False: GBK bytes with no charset in the header
    (the text itself must not declare one either)."""
    return Page(
        body=text, encoding=encoding, declare_charset=declare_charset, last_modified=last_modified, status=status
    )


def text(body: str, content_type: str = "text/plain") -> Page:
    return Page(body=body, content_type=content_type)


def binary(data: bytes, content_type: str = "application/octet-stream") -> Page:
    return Page(body=data, content_type=content_type)


def robots(*disallow: str, user_agent: str = "*", extra: str = "") -> Page:
    """robots.txt with one Disallow line per path."""
    lines = [f"User-agent: {user_agent}", *(f"Disallow: {p}" for p in disallow)]
    return text("\n".join(lines) + "\n" + extra)


def not_found() -> Page:
    """An explicit 404 (a path missing from the site dict gets the same answer)."""
    return html(_NOT_FOUND_HTML, status=404)


def error(status: int = 500) -> Page:
    return html(f"<html><body><h1>{status}</h1><p>服务器错误</p></body></html>", status=status)


def flaky(then: Page, failures: int = 2, status: int = 500) -> Page:
    """Answers `status` to the first `failures` requests, then serves `then` (the request
    numbered failures+1 succeeds: with failures=2, a client's second retry)."""
    return Page(kind="flaky", failures=failures, fail_status=status, then=then)


def hang() -> Page:
    """Reads the request and never answers, until the server stops (which it does not delay)."""
    return Page(kind="hang")


def redirect(location: str, status: int = 302) -> Page:
    """A redirect; location may be another host (http://evil.example.com/…) or use {{base}}."""
    return Page(kind="redirect", status=status, location=location)


@dataclass
class LoggedRequest:
    """One request as the server saw it. status is None while unanswered (a hanging page)."""

    method: str
    path: str  # the request target as sent, query included (absolute-form stays absolute)
    host: str  # the Host header
    headers: dict[str, str]
    status: int | None = None
    bytes_sent: int = 0  # body bytes written
    time: float = field(default_factory=time.time)

    def header(self, name: str) -> str | None:
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 stalls bursts of new connections for 1 s each
    portal: PortalServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection is dropped after this
    server: _HTTPServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base signature
        pass

    def version_string(self) -> str:
        return "nginx"

    def setup(self) -> None:
        super().setup()
        self.server.portal._connections.add(self.connection)

    def finish(self) -> None:
        self.server.portal._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        self.server.portal._answer(self)

    def do_HEAD(self) -> None:
        self.server.portal._answer(self, head=True)


class PortalServer:
    """Serve `site` ({path: Page}) on 127.0.0.1:port (port 0: any free one). A context manager."""

    def __init__(
        self,
        site: Mapping[str, Page] | None = None,
        *,
        hosts: Mapping[str, Mapping[str, Page]] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        max_hang: float = 600.0,
        latency: float = 0.0,
        routes: Callable[[str], Page | None] | None = None,
    ) -> None:
        if site is None and not hosts:
            raise ValueError("give a site or hosts")
        self.fixture = site  # the object given (a sites.Site: its traps, reports …)
        self.site: dict[str, Page] = dict(site or {})
        self.hosts: dict[str, dict[str, Page]] = {h.lower(): dict(s) for h, s in (hosts or {}).items()}
        self.max_hang = max_hang
        self.latency = latency  # seconds before each answer: a portal across the internet, for benchmarks
        self.routes = routes  # path -> Page for paths not in the site: endless portals (fixture_portal.hostile)
        self._bind = (host, port)
        self._lock = threading.Lock()
        self._log: list[LoggedRequest] = []
        self._served: dict[tuple[str, str], int] = {}
        self._modified: dict[tuple[str, str], datetime] = {}
        self._touches: dict[tuple[str, str], int] = {}
        self._stop = threading.Event()
        self._connections: set[socket.socket] = set()
        # Rendered bodies and their ETags, per page object and base URL: a real portal serves stored
        # files, so the fixture should not spend the machine's CPU (~2.4 ms a report page) building
        # each page again for every request. set_page/touch put new Page objects in: never stale.
        # An entry keeps its Page alive, so no other Page can take its id.
        self._rendered: dict[tuple[int, str], tuple[Page, bytes, str]] = {}
        self._httpd: _HTTPServer | None = None
        self._port: int | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle ----------------------------------------------------------
    def start(self) -> PortalServer:
        httpd = _HTTPServer(self._bind, _Handler)
        httpd.portal = self
        self._httpd = httpd
        self._port = httpd.server_address[1]
        self._stop.clear()
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: wakes hanging pages, closes open connections; returns at once."""
        self._stop.set()
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        for conn in list(self._connections):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> PortalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port it listens on (still known after stop())."""
        assert self._port is not None, "not started"
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    # --- the request log -------------------------------------------------------
    @property
    def log(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def requests(self, path: str | None = None) -> list[LoggedRequest]:
        """Logged requests, optionally only those for one path (query and host ignored)."""
        return [r for r in self.log if path is None or _target(r.path)[1] == path]

    def hits(self, path: str) -> int:
        return len(self.requests(path))

    def statuses(self, path: str) -> list[int | None]:
        return [r.status for r in self.requests(path)]

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    # --- changing pages while running ---------------------------------------------
    def set_page(self, path: str, page: Page, host: str | None = None) -> None:
        """Replace (or add) one page; its Last-Modified becomes now."""
        with self._lock:
            self._pages(host)[path] = page
            self._modified[(host or "", path)] = _now()

    def touch(self, path: str, host: str | None = None) -> None:
        """Change a page's content (a new comment at the end): new ETag, Last-Modified now."""
        with self._lock:
            page = self._pages(host)[path]
            n = self._touches.get((host or "", path), 0) + 1
            self._touches[(host or "", path)] = n
            target = page.then if page.kind == "flaky" and page.then else page
            body = target.body
            if callable(body):
                body = body()
            if isinstance(body, bytes):
                body = body + f"\n<!-- revision {n} -->\n".encode()
            else:
                body = body + f"\n<!-- revision {n} -->\n"
            new = replace(target, body=body)
            self._pages(host)[path] = replace(page, then=new) if target is not page else new
            self._modified[(host or "", path)] = _now()

    def etag(self, path: str, host: str | None = None) -> str | None:
        """The ETag the page at path would be served with now (None if not a 200 content page)."""
        with self._lock:
            page = self._pages(host).get(path)
        if page is None or page.kind != "content" or page.status != 200:
            return None
        return self._render(page, f"http://{host or self.base_url.removeprefix('http://')}")[1]

    def _render(self, page: Page, base: str) -> tuple[bytes, str]:
        """The page's bytes and ETag for this base URL, rendered once."""
        key = (id(page), base)
        cached = self._rendered.get(key)
        if cached is None:
            body = page.render(base)
            cached = self._rendered[key] = (page, body, _etag(body))
        return cached[1], cached[2]

    def _pages(self, host: str | None) -> dict[str, Page]:
        if host is None:
            return self.site
        return self.hosts[host.lower()]

    # --- answering -------------------------------------------------------------
    def _answer(self, h: _Handler, head: bool = False) -> None:
        if self.latency:
            self._stop.wait(self.latency)
        host_header = h.headers.get("Host", "")
        entry = LoggedRequest(h.command, h.path, host_header, dict(h.headers.items()))
        with self._lock:
            self._log.append(entry)
        target_host, path, query = _target(h.path)
        host = (target_host or host_header).lower()
        vhost = host.split(":")[0] if host.split(":")[0] in self.hosts else None
        pages = self.hosts[vhost] if vhost else self.site
        base = f"http://{target_host or host_header or f'127.0.0.1:{self.port}'}"
        key = None
        for candidate in (f"{path}?{query}" if query else None, path, unquote(path)):
            if candidate and candidate in pages:
                key = candidate
                break
        if key is None and path.endswith("/") and path + "index.html" in pages:
            key = path + "index.html"
        page = pages.get(key) if key else None
        if page is None and self.routes is not None:
            page = self.routes(path)
        if page is None:
            self._send(h, entry, not_found(), base, head)
            return
        if page.kind == "flaky":
            with self._lock:
                n = self._served.get((vhost or "", key), 0) + 1
                self._served[(vhost or "", key)] = n
            if n <= page.failures:
                self._send(h, entry, error(page.fail_status), base, head)
                return
            assert page.then is not None
            page = page.then
        if page.kind == "hang":
            self._stop.wait(self.max_hang)
            h.close_connection = True
            return
        if page.kind == "redirect":
            location = page.location.replace(BASE_TOKEN, base)
            self._send(h, entry, html(f'<html><body><a href="{location}">{location}</a></body></html>', status=page.status),
                       base, head, extra=[("Location", location)])  # fmt: skip
            return
        modified = _aware(self._modified.get((vhost or "", key)) or page.last_modified or DEFAULT_MODIFIED)
        self._send(h, entry, page, base, head, modified=modified)

    def _send(self, h: _Handler, entry: LoggedRequest, page: Page, base: str, head: bool,
              modified: datetime | None = None, extra: list[tuple[str, str]] | None = None) -> None:  # fmt: skip
        # Only the site's own pages are cached: 404s, errors and redirects are built per request.
        body, tag = self._render(page, base) if modified is not None else (page.render(base), "")
        headers = [("Content-Type", page.content_type_header()), *page.headers, *(extra or [])]
        status = page.status
        if status == 200 and modified is not None:
            headers += [("ETag", tag), ("Last-Modified", format_datetime(modified, usegmt=True))]
            if _not_modified(h, tag, modified):
                status, body = 304, b""
                headers = [(k, v) for k, v in headers if k in ("ETag", "Last-Modified")]
        with self._lock:  # before answering: a client that has its answer finds it logged
            entry.status = status
            entry.bytes_sent = 0 if head else len(body)
        try:
            h.send_response(status)
            for k, v in headers:
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if not head and body:
                h.wfile.write(body)
        except OSError:
            h.close_connection = True


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _aware(when: datetime) -> datetime:
    """A naive datetime is Beijing time (the portals' dates)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=BEIJING)
    return when.astimezone(UTC).replace(microsecond=0)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def _target(raw: str) -> tuple[str, str, str]:
    """(host or "", path, query) of a request target, origin-form or absolute-form."""
    parts = urlsplit(raw)
    if parts.scheme and parts.netloc:
        return parts.netloc, parts.path or "/", parts.query
    path, _, query = raw.partition("?")
    return "", path, query


def _not_modified(h: _Handler, tag: str, modified: datetime) -> bool:
    inm = h.headers.get("If-None-Match")
    if inm is not None:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or tag in tags
    ims = h.headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return modified <= since
    return False
