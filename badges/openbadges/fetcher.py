"""The one outbound HTTP client used by badge verification.

Security properties (see docs/openbadges.md):

* only ``http``/``https``; at most ``max_redirects`` redirects, each hop re-checked;
* every host is resolved and refused when any address is loopback, private, link-local (incl. 169.254.169.254),
  multicast, reserved, unspecified or otherwise not globally routable (IPv4, IPv6, IPv4-mapped/6to4/NAT64
  embeddings) unless the host is listed in ``allowed_hosts``;
* with the default transport the socket is opened to the *vetted* address (our own httpcore network backend), so a
  DNS answer that changes between check and connect (DNS rebinding) cannot slip through;
* connect/read timeouts plus an overall deadline per fetch that bounds every socket operation, so a server that
  trickles bytes forever fails with FETCH_TIMEOUT;
* body limits enforced while streaming (JSON 1 MB, images 5 MB);
* a per-run memo: inside ``with fetcher.run():`` each URL is fetched at most once;
* JSON-LD contexts are served from bundled, pinned copies and never fetched.

Tests may replace the transport (e.g. ``httpx.MockTransport``) and the resolver (the sandbox has no DNS), but the
URL guard in :meth:`Fetcher.fetch` always runs.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

import httpcore
import httpx

from . import codes, jsonsafe
from .model import BadgeError

JSON_LIMIT = 1_000_000
IMAGE_LIMIT = 5_000_000
DEFAULT_TIMEOUT = 5.0  # seconds, per connect / read / write operation
DEFAULT_DEADLINE = 15.0  # seconds, whole fetch including redirects
DEFAULT_RUN_DEADLINE = 30.0  # seconds, a whole verification run (every fetch of it together)
DEFAULT_MAX_REQUESTS = 40  # HTTP requests per verification run, redirects included
MAX_REDIRECTS = 3
USER_AGENT = "Vouch-OpenBadges-Verifier/1.0"
ACCEPT_JSON = "application/ld+json, application/json;q=0.9, */*;q=0.1"
ACCEPT_ANY = "application/ld+json, application/json;q=0.9, image/png;q=0.8, image/svg+xml;q=0.8, */*;q=0.1"

# Pinned copies of the JSON-LD contexts a verifier needs (copied from the 1EdTech sources, see MANIFEST).
BUNDLED_CONTEXTS: dict[str, str] = {
    "https://w3id.org/openbadges/v2": "openbadges-v2-context.json",
    "https://w3id.org/openbadges/v1": "openbadges-v1-context.json",
    "https://w3id.org/openbadges/legacy-v1": "openbadges-legacy-v1-context.json",
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    # DID documents and their keys (npm did-context 3.1.1, @digitalbazaar/multikey-context 2.0.1,
    # @digitalbazaar/data-integrity-context 2.0.1), for did:web issuers such as Vouch instances.
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
}
_context_cache: dict[str, Any] = {}


def bundled_context(url: str) -> Any | None:
    """The parsed bundled context for ``url`` (``http``/``https`` and a trailing ``/`` ignored), or None."""
    key = url.rstrip("/")
    if key.startswith("http://"):
        key = "https://" + key[len("http://") :]
    name = BUNDLED_CONTEXTS.get(key)
    if name is None:
        return None
    if key not in _context_cache:
        text = resources.files(__package__).joinpath("contexts", name).read_text("utf-8")
        _context_cache[key] = json.loads(text)
    return _context_cache[key]


class FetchError(BadgeError):
    """A fetch failed. ``code`` is one of the FETCH_* codes; ``status``/``body`` are set for HTTP errors."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        url: str | None = None,
        status: int | None = None,
        body: bytes = b"",
        content_type: str = "",
    ) -> None:
        super().__init__(code, message)
        self.url = url
        self.status = status
        self.body = body
        self.content_type = content_type


@dataclass(frozen=True)
class FetchResponse:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str  # media type only, lower case, without parameters
    body: bytes

    def json(self) -> Any:
        return jsonsafe.loads(self.body, max_bytes=JSON_LIMIT)


Resolver = Callable[[str], list[str]]

_tls_lock = threading.Lock()
_tls_context: ssl.SSLContext | None = None


def shared_ssl_context() -> ssl.SSLContext:
    """The one client TLS context of the process (CA bundle loaded once: building one costs tens of ms).

    An SSLContext is safe to share between threads and connections; it is never modified after creation.
    """
    global _tls_context
    with _tls_lock:
        if _tls_context is None:
            _tls_context = httpx.create_ssl_context()
        return _tls_context


def default_resolver(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(codes.FETCH_DNS_FAILED, f"Could not resolve {host}.") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    out = []
    if ip.ipv4_mapped is not None:
        out.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        out.append(ip.sixtofour)
    if ip.teredo is not None:
        out.extend(ip.teredo)
    if ip in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64 well-known prefix
        out.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return out


def is_public_address(address: str) -> bool:
    """True only for a globally routable unicast address (and no non-public IPv4 embedded in an IPv6 one)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        candidates.extend(_embedded_ipv4(ip))
    for c in candidates:
        if (
            c.is_loopback
            or c.is_private
            or c.is_link_local
            or c.is_multicast
            or c.is_reserved
            or c.is_unspecified
            or not c.is_global
        ):
            return False
        if isinstance(c, ipaddress.IPv6Address) and c.is_site_local:
            return False
    return True


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


class _DeadlineStream(httpcore.NetworkStream):
    """Caps every socket operation at the time left before the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, fetcher: Fetcher) -> None:
        self._inner = inner
        self._fetcher = fetcher

    def _cap(self, timeout: float | None) -> float:
        remaining = self._fetcher._remaining()
        if remaining <= 0:
            raise httpcore.ReadTimeout("deadline exceeded")
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._cap(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._cap(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, self._cap(timeout)), self._fetcher)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses that passed the guard (resolved here, once, and connected to directly)."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        addresses = self._fetcher._vetted_addresses(host)
        last: Exception | None = None
        for address in addresses:
            remaining = self._fetcher._remaining()
            if remaining <= 0:
                raise httpcore.ConnectTimeout("deadline exceeded")
            cap = remaining if timeout is None else min(timeout, remaining)
            try:
                sock = socket.create_connection((address, port), cap)
            except TimeoutError as exc:
                last = httpcore.ConnectTimeout(str(exc))
                continue
            except OSError as exc:
                last = httpcore.ConnectError(str(exc))
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            from httpcore._backends.sync import SyncStream  # the stock stream, around our vetted socket

            return _DeadlineStream(SyncStream(sock), self._fetcher)
        raise last or httpcore.ConnectError(f"no address for {host}")


class Fetcher:
    """See the module docstring. Not thread-safe: use one Fetcher per verification run/thread."""

    def __init__(
        self,
        allowed_hosts: frozenset[str] = frozenset(),
        transport: httpx.BaseTransport | None = None,
        resolver: Resolver | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        deadline: float = DEFAULT_DEADLINE,
        max_redirects: int = MAX_REDIRECTS,
        run_deadline: float = DEFAULT_RUN_DEADLINE,
        max_requests: int = DEFAULT_MAX_REQUESTS,
        tls_context: ssl.SSLContext | None = None,
        plain_http_hosts: frozenset[str] | None = None,
    ) -> None:
        """``tls_context``: trust other than the system CAs (tests: a local CA). ``plain_http_hosts``: hosts whose
        did:web documents are fetched over plain http (default: ``allowed_hosts``; tests of https pass none)."""
        self.allowed_hosts = frozenset(h.strip().lower().strip("[]") for h in allowed_hosts if h.strip())
        self.plain_http_hosts = (
            self.allowed_hosts
            if plain_http_hosts is None
            else frozenset(h.strip().lower().strip("[]") for h in plain_http_hosts if h.strip())
        )
        self.resolver: Resolver = resolver or default_resolver
        self.timeout = timeout
        self.deadline = deadline
        self.max_redirects = max_redirects
        self.run_deadline = run_deadline
        self.max_requests = max_requests
        if transport is None:
            tls = tls_context or shared_ssl_context()
            transport = httpx.HTTPTransport(verify=tls, trust_env=False, retries=0)
            # Replace only the network backend; keep the shared TLS context.
            transport._pool = httpcore.ConnectionPool(
                ssl_context=tls,
                max_connections=10,
                max_keepalive_connections=0,
                network_backend=_GuardedBackend(self),
                retries=0,
            )
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": USER_AGENT},
        )
        self._memo: dict[str, tuple[int, FetchResponse | FetchError]] = {}
        self._run_depth = 0
        self._deadline_at = float("inf")
        self._run_deadline_at = float("inf")
        self._run_requests = 0
        self.requests: list[str] = []  # every URL actually requested over the transport (for audit and tests)

    @classmethod
    def from_setting(cls, value: str | None, **kwargs: Any) -> Fetcher:
        """Build from a comma-separated BADGE_FETCH_ALLOWED_HOSTS value."""
        hosts = frozenset(h.strip() for h in (value or "").split(",") if h.strip())
        return cls(allowed_hosts=hosts, **kwargs)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def run(self) -> Iterator[Fetcher]:
        """Scope of one verification run: results are memoised inside it and forgotten after."""
        if self._run_depth == 0:
            self._memo.clear()
            self._run_deadline_at = time.monotonic() + self.run_deadline
            self._run_requests = 0
        self._run_depth += 1
        try:
            yield self
        finally:
            self._run_depth -= 1
            if self._run_depth == 0:
                self._memo.clear()
                self._run_deadline_at = float("inf")

    def run_remaining(self) -> float:
        """Seconds left of the current run's overall deadline (inf outside a run)."""
        return self._run_deadline_at - time.monotonic()

    def host_allowed(self, host: str) -> bool:
        """``host`` may be reached although not public (BADGE_FETCH_ALLOWED_HOSTS)."""
        return self._host_allowed(host)

    def plain_http_allowed(self, host: str) -> bool:
        """A did:web on ``host`` resolves over plain http (local issuers and tests); everything else over https."""
        return host.lower().strip("[]") in self.plain_http_hosts

    # --- guard ----------------------------------------------------------------------------------------------
    def _remaining(self) -> float:
        return self._deadline_at - time.monotonic()

    def _host_allowed(self, host: str) -> bool:
        return host.lower().strip("[]") in self.allowed_hosts

    def _vetted_addresses(self, host: str) -> list[str]:
        """Addresses for ``host`` that may be connected to; raises FETCH_BLOCKED_ADDRESS / FETCH_DNS_FAILED."""
        bare = host.strip("[]")
        try:
            ipaddress.ip_address(bare.split("%", 1)[0])
            addresses = [bare]
        except ValueError:
            addresses = self.resolver(bare)
            if not addresses:
                raise FetchError(codes.FETCH_DNS_FAILED, f"Could not resolve {bare}.") from None
        if self._host_allowed(bare):
            return addresses
        blocked = [a for a in addresses if not is_public_address(a)]
        if blocked:
            # Refuse when *any* address is non-public: a round-robin record mixing public and private answers
            # is how rebinding attacks are usually staged.
            raise FetchError(codes.FETCH_BLOCKED_ADDRESS, f"{bare} resolves to a non-public address ({blocked[0]}).")
        return addresses

    def check_url(self, url: str) -> httpx.URL:
        """Validate scheme and host of ``url`` (raises FetchError); returns the parsed URL."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise FetchError(codes.FETCH_BAD_URL, url=url) from exc
        if parsed.scheme not in ("http", "https"):
            raise FetchError(codes.FETCH_BAD_SCHEME, f"Scheme {parsed.scheme or '(none)'} is not allowed.", url=url)
        if not parsed.host:
            raise FetchError(codes.FETCH_BAD_URL, "URL has no host.", url=url)
        if parsed.userinfo:
            raise FetchError(codes.FETCH_BAD_URL, "URLs with credentials are not fetched.", url=url)
        self._vetted_addresses(parsed.host)
        return parsed

    # --- fetching -------------------------------------------------------------------------------------------
    def fetch(self, url: str, *, max_bytes: int = JSON_LIMIT, accept: str = ACCEPT_JSON) -> FetchResponse:
        """GET ``url`` (fragment dropped). Raises FetchError; non-2xx raise FETCH_HTTP_STATUS with status/body."""
        key = url.split("#", 1)[0]
        cached = self._memo.get(key)
        if cached is not None:
            limit, outcome = cached
            too_small = isinstance(outcome, FetchError) and outcome.code == codes.FETCH_TOO_LARGE and limit < max_bytes
            if not too_small:
                if isinstance(outcome, FetchError):
                    raise outcome
                if len(outcome.body) > max_bytes:
                    raise FetchError(codes.FETCH_TOO_LARGE, f"More than {max_bytes} bytes.", url=key)
                return outcome
        fresh: FetchResponse | FetchError
        try:
            fresh = self._fetch_uncached(key, max_bytes, accept)
        except FetchError as exc:
            fresh = exc
        if self._run_depth:
            self._memo[key] = (max_bytes, fresh)
        if isinstance(fresh, FetchError):
            raise fresh
        return fresh

    def _fetch_uncached(self, url: str, max_bytes: int, accept: str) -> FetchResponse:
        # Each fetch has its own deadline, capped by what is left of the run's: a run of many slow documents
        # cannot add up to more than run_deadline.
        self._deadline_at = min(time.monotonic() + self.deadline, self._run_deadline_at)
        try:
            current = url
            for _hop in range(self.max_redirects + 1):
                parsed = self.check_url(current)
                if self._remaining() <= 0:
                    raise FetchError(codes.FETCH_TIMEOUT, "The verification's overall deadline has passed.", url=url)
                if self._run_depth and self._run_requests >= self.max_requests:
                    raise FetchError(
                        codes.FETCH_TOO_MANY_REQUESTS,
                        f"More than {self.max_requests} requests for one verification.",
                        url=url,
                    )
                self._run_requests += 1
                self.requests.append(str(parsed))
                request = self._client.build_request("GET", parsed, headers={"Accept": accept})
                response = self._client.send(request, stream=True)
                try:
                    if response.status_code in (301, 302, 303, 307, 308):
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError(
                                codes.FETCH_HTTP_STATUS,
                                "Redirect without Location.",
                                url=url,
                                status=response.status_code,
                            )
                        current = str(parsed.join(location))
                        continue
                    body = self._read_limited(response, max_bytes, url)
                    ctype = _media_type(response.headers.get("content-type", ""))
                    if not 200 <= response.status_code < 300:
                        raise FetchError(
                            codes.FETCH_HTTP_STATUS,
                            f"HTTP {response.status_code} from {current}.",
                            url=url,
                            status=response.status_code,
                            body=body,
                            content_type=ctype,
                        )
                    return FetchResponse(
                        url=url, final_url=current, status=response.status_code, content_type=ctype, body=body
                    )
                finally:
                    response.close()
            raise FetchError(codes.FETCH_TOO_MANY_REDIRECTS, f"More than {self.max_redirects} redirects.", url=url)
        except FetchError:
            raise
        except httpx.TimeoutException as exc:
            raise FetchError(codes.FETCH_TIMEOUT, f"Timed out fetching {url}.", url=url) from exc
        except httpcore.TimeoutException as exc:  # raised by our deadline stream outside httpx's mapping
            raise FetchError(codes.FETCH_TIMEOUT, f"Timed out fetching {url}.", url=url) from exc
        except (httpx.HTTPError, httpcore.NetworkError, OSError, ValueError) as exc:
            raise FetchError(codes.FETCH_FAILED, f"Could not fetch {url}: {type(exc).__name__}.", url=url) from exc
        finally:
            self._deadline_at = float("inf")

    def _read_limited(self, response: httpx.Response, max_bytes: int, url: str) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(codes.FETCH_TOO_LARGE, f"Declared {declared} bytes, limit {max_bytes}.", url=url)
        chunks: list[bytes] = []
        size = 0
        # Decoded bytes are counted as they stream, so a small gzip body cannot inflate past the limit unnoticed.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(codes.FETCH_TOO_LARGE, f"More than {max_bytes} bytes.", url=url)
            if self._remaining() <= 0:
                raise FetchError(codes.FETCH_TIMEOUT, "Deadline exceeded while reading.", url=url)
            chunks.append(chunk)
        return b"".join(chunks)

    def fetch_json(self, url: str) -> tuple[FetchResponse, Any]:
        """Fetch and parse JSON. Bundled JSON-LD contexts are answered locally."""
        ctx = bundled_context(url)
        if ctx is not None:
            return FetchResponse(url, url, 200, "application/ld+json", b""), ctx
        response = self.fetch(url, max_bytes=JSON_LIMIT, accept=ACCEPT_JSON)
        try:
            return response, response.json()
        except BadgeError as exc:
            code = exc.code if exc.code == codes.JSON_TOO_DEEP else codes.FETCH_NOT_JSON
            raise FetchError(code, f"{url} did not answer with JSON.", url=url) from exc

    def fetch_image(self, url: str) -> FetchResponse:
        return self.fetch(url, max_bytes=IMAGE_LIMIT, accept="image/png, image/svg+xml;q=0.9, */*;q=0.1")
