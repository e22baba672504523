"""A real Open Badges issuer for the Django-side tests: its own RSA key, issuer profile, CryptographicKey, BadgeClass
and image, served over HTTP by a thread on 127.0.0.1, issuing hosted and signed (RS256 JWS) assertions, and baking
them into PNG (iTXt "openbadges") and SVG; the `issuer` fixture (root conftest.py) starts one per test. Nothing of
the verifier is replaced: the app's own fetcher (badges.services.make_fetcher) reaches this server because the tests
put 127.0.0.1 in BADGE_FETCH_ALLOWED_HOSTS.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import struct
import threading
import zlib
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.jwk import RSAKey
from PIL import Image

OB2 = "https://w3id.org/openbadges/v2"
_seq = itertools.count(1)


@lru_cache(maxsize=1)
def _rsa_pem() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def png_bytes(size: int = 48, colour: tuple[int, int, int] = (200, 40, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, format="PNG")
    return out.getvalue()


def _chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def bake_png(payload: str, image: bytes | None = None) -> bytes:
    """Insert an iTXt chunk (keyword openbadges) right after IHDR, as the baking specification says."""
    image = image or png_bytes()
    ihdr_end = 8 + 8 + 13 + 4
    itxt = _chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00" + payload.encode("utf-8"))
    return image[:ihdr_end] + itxt + image[ihdr_end:]


def bake_svg(payload: str, *, verify: str | None = None) -> bytes:
    attr = f' verify="{verify}"' if verify else ""
    body = "" if verify else f"<![CDATA[{payload}]]>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org" width="64" height="64">'
        f"<openbadges:assertion{attr}>{body}</openbadges:assertion>"
        '<circle cx="32" cy="32" r="30" fill="#c82"/></svg>'
    ).encode()


def hashed(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()


class LocalIssuer:
    """An issuer at http://127.0.0.1:<port>/. `routes` maps a path to (status, content type, body)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.hits: list[str] = []
        self.redirects: dict[str, str] = {}  # path -> Location of a 302
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.hits.append(self.path)
                if self.path in issuer.redirects:
                    self.send_response(302)
                    self.send_header("Location", issuer.redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status, ctype, body = issuer.routes.get(self.path, (404, "text/plain", b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

        private, public = _rsa_pem()
        self.private_key = RSAKey.import_key(private)
        self.issuer_id = self.url("/issuer.json")
        self.key_id = self.url("/key.json")
        self.badge_class_id = self.url("/badges/python.json")
        self.serve_json(
            "/issuer.json",
            {
                "@context": OB2,
                "type": "Issuer",
                "id": self.issuer_id,
                "name": "Local Test Academy",
                "url": self.url("/"),
                "email": "badges@academy.test",
                "publicKey": self.key_id,
            },
        )
        self.serve_json(
            "/key.json",
            {
                "@context": OB2,
                "type": "CryptographicKey",
                "id": self.key_id,
                "owner": self.issuer_id,
                "publicKeyPem": public.decode(),
            },
        )
        self.serve_json(
            "/badges/python.json",
            {
                "@context": OB2,
                "type": "BadgeClass",
                "id": self.badge_class_id,
                "name": "Python Practitioner",
                "description": "Writes, tests and ships Python.",
                "image": self.url("/badges/python.png"),
                "criteria": {"id": self.url("/criteria/python"), "narrative": "Pass the practical exam."},
                "issuer": self.issuer_id,
            },
        )
        self.routes["/badges/python.png"] = (200, "image/png", png_bytes(300))

    def url(self, path: str) -> str:
        return self.base + path

    def serve_json(self, path: str, doc: Any, status: int = 200) -> None:
        self.routes[path] = (status, "application/ld+json", json.dumps(doc).encode())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- issuing ---------------------------------------------------------------------------------------------
    def assertion(
        self,
        email: str,
        *,
        signed: bool = False,
        issued_on: datetime | None = None,
        expires: datetime | None = None,
        plain: bool = False,
        salt: str = "pepper",
    ) -> dict[str, Any]:
        n = next(_seq)
        doc: dict[str, Any] = {
            "@context": OB2,
            "type": "Assertion",
            "id": self.url(f"/assertions/{n}.json"),
            "recipient": (
                {"type": "email", "hashed": False, "identity": email}
                if plain
                else {"type": "email", "hashed": True, "salt": salt, "identity": hashed(email, salt)}
            ),
            "badge": self.badge_class_id,
            "verification": {"type": "signed", "creator": self.key_id} if signed else {"type": "hosted"},
            "issuedOn": (issued_on or datetime.now(UTC) - timedelta(days=30)).isoformat(),
        }
        if expires is not None:
            doc["expires"] = expires.isoformat()
        return doc

    def hosted(self, email: str, **kwargs: Any) -> str:
        """Issue and host an assertion; returns its URL."""
        doc = self.assertion(email, **kwargs)
        path = doc["id"][len(self.base) :]
        self.serve_json(path, doc)
        return doc["id"]

    def signed(self, email: str, **kwargs: Any) -> str:
        """Issue a signed assertion; returns the compact JWS."""
        doc = self.assertion(email, signed=True, **kwargs)
        return jws.serialize_compact({"alg": "RS256"}, json.dumps(doc).encode(), self.private_key)

    def revoke(self, url: str, reason: str = "Issued in error") -> None:
        path = url[len(self.base) :]
        self.serve_json(path, {"@context": OB2, "id": url, "revoked": True, "revocationReason": reason}, status=410)
