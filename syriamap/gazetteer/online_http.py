"""A bounded HTTP transport for the online fallback: deadline, size limit, same-host redirects.

geopy's own adapters trust the server: a read timeout restarts with every byte,
so a server that drips one byte every half second holds the caller forever; a
``Retry-After: 3600`` is slept through by urllib3's retries; a 300 MB or
gzip-bomb answer is read whole into memory; a redirect to any host is followed.
:class:`BoundedAdapter` is a geopy sync adapter (built on the standard
library's ``http.client``) that bounds all of that:

* **an overall deadline**, set per call with :func:`deadline` (a context
  manager): every connect and read is given at most the time left, and a
  watchdog shuts the socket down when the deadline passes, whatever the server
  is sending (headers included);
* **a maximum answer size**, counted on the bytes received *and* after gzip or
  deflate decompression (decompressed in bounded steps), so memory stays within
  the limit;
* **redirects only within the host first asked** (same host and port, no
  downgrade from https to http), at most :data:`MAX_REDIRECTS`;
* **no hidden retries**: a 429 or 5xx is handed to geopy as
  :class:`geopy.adapters.AdapterHTTPError` (with its ``Retry-After``), and the
  caller decides whether time is left to retry.

JSON answers are parsed without ``NaN``/``Infinity`` and with bounded nesting;
the last top-level value of the current call is kept (:func:`last_json`) so the
caller can tell a real "no result" (``[]``) from an error object or junk.

Proxies are not used: the adapter connects directly to the configured host.
"""
from __future__ import annotations

import http.client
import json
import math
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin, urlsplit

from geopy.adapters import AdapterHTTPError, BaseSyncAdapter
from geopy.exc import GeocoderTimedOut, GeocoderUnavailable, GeopyError

from syriamap.errors import DataError

#: Largest answer accepted (bytes, after decompression); Nominatim's answers are a few kilobytes.
MAX_RESPONSE_BYTES = 2 << 20
#: Largest body read from an error or redirect answer (only for its message).
MAX_ERROR_BYTES = 64 << 10
#: Redirects followed within the configured host.
MAX_REDIRECTS = 3
_READ_CHUNK = 64 << 10
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: What :func:`last_json` returns when no JSON answer was read by a :class:`BoundedAdapter`.
NO_ANSWER = object()


class OnlineAnswerError(DataError, GeopyError):
    """An answer refused before it could be cached: malformed, too big, redirected away, or too late.

    A :class:`geopy.exc.GeopyError` but not a ``GeocoderServiceError``, so
    geopy's ``RateLimiter`` does not retry it: asking again would not help.
    """


class OnlineDeadlineError(OnlineAnswerError):
    """The call's deadline passed (while connecting, reading, or before a wait that would end after it)."""


class _CallState(threading.local):
    """The deadline and last JSON answer of the call running in this thread."""

    deadline: float | None = None
    last_json: Any = NO_ANSWER


_CALL = _CallState()


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound every request made in this thread inside the block to ``seconds`` in all."""
    previous, _CALL.deadline, _CALL.last_json = _CALL.deadline, time.monotonic() + seconds, NO_ANSWER
    try:
        yield
    finally:
        _CALL.deadline = previous


def remaining() -> float:
    """Seconds left before the current call's deadline (infinite outside :func:`deadline`)."""
    return math.inf if _CALL.deadline is None else _CALL.deadline - time.monotonic()


def last_json() -> Any:
    """The top-level JSON value of the last answer read in this call, or :data:`NO_ANSWER`."""
    return _CALL.last_json


def _check_deadline(what: str) -> float:
    left = remaining()
    if left <= 0:
        raise OnlineDeadlineError(f"deadline passed {what}")
    return left


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


class BoundedAdapter(BaseSyncAdapter):
    """A geopy sync adapter with a per-call deadline, a size limit and same-host redirects (see the module)."""

    def __init__(
        self,
        *,
        proxies: Any = None,
        ssl_context: ssl.SSLContext | None = None,
        max_bytes: int = MAX_RESPONSE_BYTES,
        max_redirects: int = MAX_REDIRECTS,
    ) -> None:
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, not {max_bytes!r}")
        self.ssl_context = ssl_context
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects

    def get_json(self, url: str, *, timeout: float | None, headers: dict[str, str]) -> Any:
        text = self.get_text(url, timeout=timeout, headers=headers)
        try:
            value = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise OnlineAnswerError("the answer's JSON is nested too deeply") from None
        except ValueError as exc:
            raise OnlineAnswerError(f"the answer is not valid JSON ({exc})") from None
        _CALL.last_json = value
        return value

    def get_text(self, url: str, *, timeout: float | None, headers: dict[str, str]) -> str:
        origin = urlsplit(url)
        current = url
        for _ in range(self.max_redirects + 1):
            status, reason, response_headers, body = self._fetch(current, timeout, headers)
            if status in _REDIRECTS:
                location = response_headers.get("location")
                if not location:
                    raise OnlineAnswerError(f"redirect {status} without a Location")
                target = urljoin(current, location)
                if not same_host(origin, urlsplit(target)):
                    raise OnlineAnswerError(f"redirect to another host refused: {target[:200]!r}")
                current = target
                continue
            text = _decode(body, response_headers.get("content-type", ""))
            if not 200 <= status < 300:
                raise AdapterHTTPError(
                    f"Non-successful status code {status} {reason}", status_code=status,
                    headers=response_headers, text=text,
                )
            return text
        raise OnlineAnswerError(f"more than {self.max_redirects} redirects")

    def _fetch(self, url: str, timeout: float | None, headers: dict[str, str]) -> tuple[int, str, dict[str, str], bytes]:
        """One GET: ``(status, reason, lower-cased headers, body)``, all within the deadline."""
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise OnlineAnswerError(f"not an http(s) URL: {url[:200]!r}")
        left = _check_deadline("before the request")
        per_read = min(float(timeout) if timeout is not None else math.inf, left)
        per_read_or_none = None if math.isinf(per_read) else per_read
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=per_read_or_none, context=self.ssl_context
            )
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=per_read_or_none)
        watchdog = None if math.isinf(left) else threading.Timer(left, _shut_down, args=(conn,))
        if watchdog is not None:
            watchdog.daemon = True
            watchdog.start()
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("GET", path, headers={**headers, "Accept-Encoding": "gzip, deflate", "Connection": "close"})
            response = conn.getresponse()
            response_headers = {k.lower(): v for k, v in response.getheaders()}
            limit = self.max_bytes if 200 <= response.status < 300 else min(self.max_bytes, MAX_ERROR_BYTES)
            body = _read_body(response, response_headers, limit)
            return response.status, response.reason, response_headers, body
        except OnlineAnswerError:
            raise
        except (TimeoutError, socket.timeout):
            _check_deadline("while waiting for the server")
            raise GeocoderTimedOut(f"timed out: no answer within {per_read:.1f} s") from None
        except (OSError, http.client.HTTPException) as exc:
            _check_deadline("while reading the answer")
            raise GeocoderUnavailable(f"cannot reach {parts.hostname}: {type(exc).__name__}: {exc}") from None
        finally:
            if watchdog is not None:
                watchdog.cancel()
            conn.close()


def same_host(origin: Any, target: Any) -> bool:
    """Whether a redirect from ``origin`` to ``target`` (``urlsplit`` results) stays on the host.

    Same host name and port; the scheme may only go from http to https (on
    default ports), never back.
    """
    if target.scheme not in _DEFAULT_PORTS or not target.hostname:
        return False
    if (target.hostname or "").lower() != (origin.hostname or "").lower():
        return False
    if target.scheme == origin.scheme:
        return (target.port or _DEFAULT_PORTS[target.scheme]) == (origin.port or _DEFAULT_PORTS[origin.scheme])
    return origin.scheme == "http" and target.scheme == "https" and origin.port is None and target.port is None


def _shut_down(conn: http.client.HTTPConnection) -> None:
    """Watchdog: unblock whatever the connection is waiting for (the deadline passed)."""
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _read_body(response: http.client.HTTPResponse, headers: dict[str, str], limit: int) -> bytes:
    """The body, decompressed, refusing more than ``limit`` bytes (received or decompressed)."""
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise OnlineAnswerError(f"answer of {int(declared):,} bytes refused (at most {limit:,})")
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    elif encoding in ("", "identity"):
        inflater = None
    else:
        raise OnlineAnswerError(f"unsupported Content-Encoding {encoding!r}")
    body = bytearray()
    received = 0
    while True:
        _check_deadline(f"after {received:,} bytes of the answer")
        chunk = response.read1(_READ_CHUNK)
        if not chunk:
            break
        received += len(chunk)
        if received > limit:
            raise OnlineAnswerError(f"answer longer than {limit:,} bytes refused")
        if inflater is None:
            body += chunk
            continue
        try:
            body += inflater.decompress(chunk, limit + 1 - len(body))
        except zlib.error as exc:
            raise OnlineAnswerError(f"the answer's {encoding} data is corrupt ({exc})") from None
        if inflater.unconsumed_tail or len(body) > limit:
            raise OnlineAnswerError(f"answer decompressing to more than {limit:,} bytes refused")
    _check_deadline(f"after {received:,} bytes of the answer")  # the watchdog cut it short
    if inflater is not None and not inflater.eof:
        raise OnlineAnswerError(f"the answer's {encoding} data is truncated")
    return bytes(body)


def _decode(body: bytes, content_type: str) -> str:
    charset = "utf-8"
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError) as exc:
        raise OnlineAnswerError(f"the answer is not {charset} text ({exc})") from None
