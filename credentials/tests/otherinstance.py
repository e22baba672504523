"""Another Vouch instance for cross-instance tests: a real HTTPS server on 127.0.0.1 with a certificate for its own
host name (signed by a CA made for the test), serving what a Vouch instance serves for one endorsement, built by the
same code (credentials.issuing) with the other instance's own key.

Nothing of verification is replaced: the app's fetcher reaches this server over TLS (a resolver maps the host name
to 127.0.0.1, and the client trusts the test CA; the fetcher's address guard, limits and did:web rules all run).
"""

from __future__ import annotations

import datetime as dt
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from badges.openbadges.fetcher import Fetcher, default_resolver
from credentials import issuing
from credentials.keys import Key

HOST = "vouch-b.test"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificates(host: str) -> tuple[bytes, bytes, bytes]:
    """(CA certificate PEM, server certificate PEM, server key PEM)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Vouch test CA"))
        .issuer_name(_name("Vouch test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return ca.public_bytes(pem), cert.public_bytes(pem), key_pem


class OtherInstance:
    """``https://vouch-b.test:<port>``: bob there endorsed alice there (``did:web:vouch-b.test%3A<port>:m:alice``)."""

    def __init__(self, tmp_path: Any) -> None:
        self.routes: dict[str, tuple[str, bytes]] = {}
        self.hits: list[str] = []
        ca_pem, cert_pem, key_pem = _certificates(HOST)
        self.ca_pem = ca_pem
        (tmp_path / "cert.pem").write_bytes(cert_pem)
        (tmp_path / "key.pem").write_bytes(key_pem)
        server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_tls.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
        instance = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                instance.hits.append(self.path)
                ctype, body = instance.routes.get(self.path, ("text/plain", b"not found"))
                self.send_response(200 if self.path in instance.routes else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = server_tls.wrap_socket(self.server.socket, server_side=True)
        self.origin = f"https://{HOST}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.key = Key(Ed25519PrivateKey.generate())  # the other instance's own signing key
        self.revoked: list[int] = []

    # --- what the other instance serves ------------------------------------------------------------------------
    def serve(self, url: str, doc: dict[str, Any], ctype: str = issuing.CREDENTIAL_MEDIA_TYPE) -> None:
        self.routes[urlsplit(url).path] = (ctype, json.dumps(doc).encode())

    def member(self, username: str, *, also_known_as: list[str] = ()) -> str:  # type: ignore[assignment]
        did = issuing.member_did(self.origin, username)
        names = [issuing.profile_url(self.origin, username), *also_known_as]
        doc = issuing.did_document(did, [self.key.multikey], also_known_as=names)
        self.routes[f"/m/{username}/did.json"] = (issuing.DID_MEDIA_TYPE, json.dumps(doc).encode())
        return did

    def endorse(self, *, pk: int = 41, endorser: str = "bob", member: str = "alice") -> dict[str, Any]:
        """Bob's endorsement of alice there, signed there; the status list and DID documents served."""
        facts = issuing.EndorsementFacts(
            pk=pk,
            endorser_username=endorser,
            endorser_name="Bob Remote",
            member_username=member,
            member_name="Alice Archer",
            skill_name="Kubernetes",
            comment="Ran our clusters for three years.",
            relationship="Their manager",
            weight=1.5,
            explanation="Manager ×1.5.",
            given_at="2026-11-01T09:00:00Z",
        )
        credential = issuing.sign(
            issuing.endorsement_credential(facts, self.origin),
            key=self.key,
            controller=issuing.member_did(self.origin, endorser),
            created=dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC),
        )
        self.serve(credential["id"], credential)
        if f"/m/{endorser}/did.json" not in self.routes:
            self.member(endorser)
        self.publish_status(endorser)
        return credential

    def publish_status(self, endorser: str = "bob") -> None:
        listed = issuing.status_list_credential(
            self.origin, endorser, 0, sorted(self.revoked), dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        )
        signed = issuing.sign(
            listed,
            key=self.key,
            controller=issuing.member_did(self.origin, endorser),
            created=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
        )
        self.serve(issuing.status_list_url(self.origin, endorser, 0), signed)

    # --- the client side -------------------------------------------------------------------------------------
    def fetcher(self) -> Fetcher:
        """The app's fetcher as production builds it, except that it trusts the test CA and finds this host on
        127.0.0.1 (the host may be loopback, but its did:web documents are still fetched over https)."""
        tls = ssl.create_default_context(cadata=self.ca_pem.decode())

        def resolve(host: str) -> list[str]:
            return ["127.0.0.1"] if host == HOST else default_resolver(host)

        return Fetcher(allowed_hosts=frozenset({HOST}), plain_http_hosts=frozenset(), resolver=resolve, tls_context=tls)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
