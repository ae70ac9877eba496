"""Outbound HTTP to the IM providers and the group robots' webhooks, safely.

A webhook URL is typed in by an admin and API bases are settings: neither may turn the
desk into a way to reach its own network. So every call here

* resolves the host and refuses it when any address is loopback, private, link-local,
  multicast, reserved or otherwise not global (IPv4 and IPv6, IPv4 inside IPv6 too),
  unless the host is named in ``CHANNELS_ALLOWED_HOSTS`` (tests and development only);
* connects to the address it checked (the TLS name and the ``Host`` header stay the
  host's), so a DNS answer that changes between the check and the connection cannot
  redirect it;
* never follows a redirect: a 3xx is a failure;
* gives up after 3 s connecting and 10 s reading, and reads at most 1 MB of answer.

Errors: ``Refused`` (the target itself is not allowed; retrying will not help),
``NetworkError`` (connecting or reading failed; retry later), ``HTTPError`` (the server
answered with a status that is not a success: ``status``, ``body``, ``retry_after``).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
MAX_BODY = 1024 * 1024
USER_AGENT = "servicedesk-channels/1"

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(Exception):
    """Any failure of an outbound call."""


class Refused(OutboundError):
    """The URL or the address it resolves to is not one the desk may call."""


class NetworkError(OutboundError):
    """Resolving, connecting, sending or reading failed (worth a retry)."""


class HTTPError(OutboundError):
    """The server answered with a status that is not 2xx (3xx included: never followed)."""

    def __init__(self, status: int, body: bytes, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.retry_after = retry_after


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The body as JSON; a body that is not JSON is ``{}`` (callers check the fields)."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return {}


def is_public(address: str) -> bool:
    """Whether an IP address is one the desk may call: global, not multicast or reserved."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(str(embedded))
        if ip.teredo is not None:
            return False
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
    )


def _allowed_host(host: str) -> bool:
    allowed = {h.strip().lower() for h in getattr(settings, "CHANNELS_ALLOWED_HOSTS", []) or []}
    return host.lower() in allowed


def resolve(host: str, port: int) -> str:
    """The address to connect to: the first one the host resolves to, after checking all.

    Raises ``Refused`` when any address is not public (a name that resolves to a public
    and a private address is refused: the connection must not depend on which one wins).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise NetworkError(f"cannot resolve {host}: {exc}") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise NetworkError(f"{host} has no address")
    if not _allowed_host(host):
        for address in addresses:
            if not is_public(address):
                raise Refused(f"{host} resolves to a non-public address ({address})")
    return addresses[0]


_pools: dict[tuple[str, str, int, str], urllib3.HTTPConnectionPool] = {}
_pools_lock = threading.Lock()


def _pool(scheme: str, address: str, port: int, host: str) -> urllib3.HTTPConnectionPool:
    """A connection pool to one checked address (kept per process: keep-alive to providers)."""
    key = (scheme, address, port, host)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT)
            if scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    address,
                    port,
                    timeout=timeout,
                    maxsize=4,
                    retries=False,
                    cert_reqs="CERT_REQUIRED",
                    server_hostname=host,
                    assert_hostname=host,
                )
            else:
                pool = urllib3.HTTPConnectionPool(
                    address, port, timeout=timeout, maxsize=4, retries=False
                )
            _pools[key] = pool
        return pool


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def request(
    method: str,
    url: str,
    *,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """One call, safely (see the module). A 2xx is returned; anything else raises."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise Refused("only http and https URLs with a host")
    if parts.username or parts.password:
        raise Refused("URLs with credentials are not called")
    host = parts.hostname
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise Refused("bad port") from exc
    address = resolve(host, port)
    sent_headers = {
        "Host": parts.netloc.rsplit("@", 1)[-1],
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
    }
    body = None
    if json_body is not None:
        body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        sent_headers["Content-Type"] = "application/json; charset=utf-8"
    sent_headers.update(headers or {})
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        raw = _pool(scheme, address, port, host).urlopen(
            method,
            path,
            body=body,
            headers=sent_headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            data = raw.read(MAX_BODY + 1, decode_content=True)
        finally:
            raw.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        raise NetworkError(f"{method} {host}: {exc.__class__.__name__}") from exc
    if len(data) > MAX_BODY:
        raise NetworkError(f"{method} {host}: answer over {MAX_BODY} bytes")
    answer_headers = dict(raw.headers.items())
    if not 200 <= raw.status < 300:
        raise HTTPError(raw.status, data[:2000], _retry_after(raw.headers))
    return Response(raw.status, data, answer_headers)


def post_json(url: str, body: Any, *, headers: dict[str, str] | None = None) -> Response:
    return request("POST", url, json_body=body, headers=headers)


def get(url: str, *, headers: dict[str, str] | None = None) -> Response:
    return request("GET", url, headers=headers)
