"""A small real HTTP server that answers like CelesTrak's GP API, for tests.

It serves ``/NORAD/elements/gp.php?{GROUP|CATNR|INTDES|NAME}=…&FORMAT=json|csv`` from
element sets given to it as TLE line pairs, written in CelesTrak's OMM JSON and CSV
layouts on the fly (nothing is stored in the repository). It supports ``ETag`` /
``If-None-Match`` and ``Last-Modified`` / ``If-Modified-Since``, counts every request,
and can be told to misbehave for a query: answer with a given status and text, or
declare a Content-Length larger than the body it sends and close the connection.

A query nobody configured gets CelesTrak's HTTP 200 "No GP data found" answer; any other
path gets 404.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

GP_PATH = "/NORAD/elements/gp.php"
CSV_HEADER = (
    "OBJECT_NAME,OBJECT_ID,EPOCH,MEAN_MOTION,ECCENTRICITY,INCLINATION,RA_OF_ASC_NODE,"
    "ARG_OF_PERICENTER,MEAN_ANOMALY,EPHEMERIS_TYPE,CLASSIFICATION_TYPE,NORAD_CAT_ID,"
    "ELEMENT_SET_NO,REV_AT_EPOCH,BSTAR,MEAN_MOTION_DOT,MEAN_MOTION_DDOT"
)


# --- TLE -> CelesTrak OMM ----------------------------------------------------------------
def _tle_exp(field: str) -> str:
    """TLE's implied-decimal exponent field (' 35938-3', '-11606-4', ' 00000+0') as a decimal string."""
    f = field.strip()
    if not f:
        return "0"
    sign = "-" if f[0] == "-" else ""
    f = f.lstrip("+-")
    mantissa, exp = f[:-2], f[-2:]
    return f"{sign}0.{mantissa}e{int(exp)}"


def tle_to_omm(name: str, line1: str, line2: str) -> dict:
    """One TLE as the OMM keywords CelesTrak writes, in its key order, values as text.

    The values are the TLE's own digits (no float round trip), so a reader can be checked
    against the TLE field by field.
    """
    yy = int(line1[18:20])
    year = yy + (2000 if yy < 57 else 1900)
    doy = float(line1[20:32])
    epoch = datetime(year, 1, 1, tzinfo=timezone.utc) + timedelta(days=doy - 1.0)
    intl = line1[9:17].strip()
    if intl:
        ly = int(intl[:2])
        intl = f"{ly + (2000 if ly < 57 else 1900)}-{intl[2:]}"
    ndot = line1[33:43].strip()
    return {
        "OBJECT_NAME": name,
        "OBJECT_ID": intl,
        "EPOCH": epoch.strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "MEAN_MOTION": line2[52:63].strip(),
        "ECCENTRICITY": "0." + line2[26:33].strip(),
        "INCLINATION": line2[8:16].strip(),
        "RA_OF_ASC_NODE": line2[17:25].strip(),
        "ARG_OF_PERICENTER": line2[34:42].strip(),
        "MEAN_ANOMALY": line2[43:51].strip(),
        "EPHEMERIS_TYPE": str(int(line1[62] if line1[62].strip() else 0)),
        "CLASSIFICATION_TYPE": line1[7],
        "NORAD_CAT_ID": str(int(line1[2:7])),
        "ELEMENT_SET_NO": str(int(line1[64:68])),
        "REV_AT_EPOCH": str(int(line2[63:68])),
        "BSTAR": _tle_exp(line1[53:61]),
        "MEAN_MOTION_DOT": ndot.replace(".", "0.", 1) if ndot.lstrip("+-").startswith(".") else ndot,
        "MEAN_MOTION_DDOT": _tle_exp(line1[44:52]),
    }


_TEXT_KEYS = ("OBJECT_NAME", "OBJECT_ID", "EPOCH", "CLASSIFICATION_TYPE")
_INT_KEYS = ("EPHEMERIS_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH")


def omm_json(records: list[dict]) -> bytes:
    """CelesTrak's ``FORMAT=json``: one compact JSON array, numbers as JSON numbers."""
    out = []
    for r in records:
        d = {}
        for k, v in r.items():
            if k in _TEXT_KEYS:
                d[k] = v
            elif k in _INT_KEYS:
                d[k] = int(v)
            else:
                x = float(v)
                d[k] = int(x) if x == 0 else x
        out.append(d)
    return json.dumps(out, separators=(",", ":")).encode()


def omm_csv(records: list[dict]) -> bytes:
    """CelesTrak's ``FORMAT=csv``: the OMM header, one row per object, CRLF line ends."""
    lines = [CSV_HEADER]
    for r in records:
        name = r["OBJECT_NAME"]
        if "," in name or '"' in name:
            name = '"' + name.replace('"', '""') + '"'
        lines.append(",".join([name] + [r[k] for k in CSV_HEADER.split(",")[1:]]))
    return ("\r\n".join(lines) + "\r\n").encode()


def read_3le(path, wanted) -> list[tuple[str, str, str]]:
    """(name, line1, line2) of the objects in a 3LE file for which ``wanted(name, norad_id)`` is true."""
    with open(path, encoding="ascii", newline="") as f:
        lines = [ln.rstrip("\r\n") for ln in f]
    out = []
    for i in range(0, len(lines) - 2, 3):
        name = lines[i][2:].strip() if lines[i].startswith("0 ") else lines[i].strip()
        l1, l2 = lines[i + 1], lines[i + 2]
        if l1[2:7].isdigit() and wanted(name, int(l1[2:7])):
            out.append((name, l1, l2))
    return out


# --- the server ----------------------------------------------------------------------------
@dataclass
class Reply:
    """One scripted answer: ``status`` with ``body`` text; ``truncate_to`` sends only that
    many bytes of the real body while declaring its full length (+``extra``), then closes."""

    status: int = 200
    body: bytes | None = None
    headers: dict = field(default_factory=dict)
    truncate_to: int | None = None


@dataclass
class Request:
    path: str
    params: dict
    headers: dict


class GPServer:
    """CelesTrak look-alike on 127.0.0.1 (a free port), served from a background thread."""

    def __init__(self):
        self.content: dict[tuple[str, str], list[dict]] = {}  # (KIND, value) -> OMM records
        self.scripts: dict[tuple[str, str], list[Reply]] = {}  # one-shot answers, consumed in order
        self.requests: list[Request] = []
        self.etags = True
        self.last_modified = datetime(2023, 10, 9, 12, 0, tzinfo=timezone.utc)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # --- control -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "GPServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def serve(self, kind: str, value: str, records: list[dict]) -> None:
        """Answer ``KIND=value`` with these OMM records (replacing any earlier ones)."""
        with self._lock:
            self.content[(kind.upper(), value)] = list(records)

    def script(self, kind: str, value: str, *replies: Reply) -> None:
        """Answer the next requests for ``KIND=value`` with these replies, then normally again."""
        with self._lock:
            self.scripts.setdefault((kind.upper(), value), []).extend(replies)

    def count(self, kind: str | None = None, value: str | None = None) -> int:
        with self._lock:
            return sum(
                1 for r in self.requests
                if kind is None or r.params.get(kind.upper()) == value
            )

    # --- answering ---------------------------------------------------------------------------
    def body_for(self, key, fmt: str) -> bytes | None:
        records = self.content.get(key)
        if records is None:
            return None
        return omm_csv(records) if fmt == "csv" else omm_json(records)


def _handler_for(server: GPServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test output clean
            pass

        def _send(self, status: int, body: bytes, headers: dict | None = None, declared: int | None = None,
                  text: bool = False):
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8" if text or status != 200 else self._ctype)
            self.send_header("Content-Length", str(len(body) if declared is None else declared))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if body:
                self.wfile.write(body)
            self.wfile.flush()

        def do_GET(self):  # noqa: N802
            url = urlsplit(self.path)
            params = dict(parse_qsl(url.query, keep_blank_values=True))
            with server._lock:
                server.requests.append(Request(url.path, params, {k: v for k, v in self.headers.items()}))
            fmt = params.get("FORMAT", "tle").lower()
            self._ctype = "application/json" if fmt == "json" else "text/csv; charset=utf-8"
            if url.path != GP_PATH:
                self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>")
                return
            key = next(((k, v) for k, v in params.items() if k != "FORMAT"), ("", ""))
            with server._lock:
                queue = server.scripts.get(key)
                reply = queue.pop(0) if queue else None
                body = server.body_for(key, fmt)
            if reply is not None and reply.truncate_to is None:
                self._send(reply.status, reply.body or b"", reply.headers)
                return
            if body is None:
                self._send(200, b"No GP data found\n", text=True)
                return
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            lm = format_datetime(server.last_modified, usegmt=True)
            headers = {"ETag": etag, "Last-Modified": lm} if server.etags else {}
            if reply is not None:  # truncated: declare the full length, send less, hang up
                self.close_connection = True
                self._send(200, body[: reply.truncate_to], headers, declared=len(body))
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if server.etags:
                inm = self.headers.get("If-None-Match")
                ims = self.headers.get("If-Modified-Since")
                if (inm is not None and inm == etag) or (inm is None and ims == lm):
                    self._send(304, b"", headers)
                    return
            self._send(200, body, headers)

    return Handler


def refused_port():
    """A socket bound to a free port but not listening: connecting to it is refused.

    Returns the socket (keep it open while the port must stay unused) and the base URL.
    """
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    return s, f"http://127.0.0.1:{s.getsockname()[1]}"
