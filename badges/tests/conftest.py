"""Shared fixtures for the Open Badges core tests (no database, no Django needed).

The fake HTTP layer serves exactly the URL maps of /work/shared/openbadges-vectors/MANIFEST.md (404 otherwise), and
a fake resolver answers every host with a public address because the sandbox has no DNS. Only the transport and the
resolver are replaced: the Fetcher's guard, limits and memo run for real.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from badges.openbadges import Fetcher

VECTORS = Path(
    os.environ.get("VOUCH_OPENBADGES_VECTORS", Path(__file__).resolve().parents[3] / "shared" / "openbadges-vectors")
)
NOW = datetime(2025, 6, 1, tzinfo=UTC)
PUBLIC_IP = "93.184.215.14"
NOBODY = "nobody@example.org"
TEST_EMAIL = "test@example.com"
OB3_SUBJECT = "did:example:ebfeb1f712ebc6f1c276e12ec21"

A = "https://example.org/beths-robotics-badge.json"

# --- URL maps, transcribed from MANIFEST.md ("URL maps") -----------------------------------------------------------
CTX2 = {"https://w3id.org/openbadges/v2": "contexts/openbadges-v2-context.json"}
CTX1 = {
    "https://w3id.org/openbadges/v1": "contexts/openbadges-v1-context.json",
    "https://w3id.org/openbadges/legacy-v1": "contexts/openbadges-legacy-v1-context.json",
}
IMAGES = {
    "https://example.org/robotics-badge.png": "images/heart-unbaked.png",
    "https://example.org/beths-robot-badge.png": "images/heart-unbaked.png",
}
OB2_BASE = {
    "https://example.org/robotics-badge.json": "ob2/badgeclass-robotics.json",
    "https://example.org/organization.json": "ob2/issuer-organization.json",
    "http://example.org/key1.json": "ob2/key1.json",
    **IMAGES,
}
OB2_REVOC = {
    "https://example.org/badge-from-organization-with-revocation-list.json": "ob2/badgeclass-issuer-with-revocation-list.json",  # noqa: E501 - one MANIFEST.md URL-map row per line
    "https://example.org/badge-from-organization-with-empty-revocation-list.json": "ob2/badgeclass-issuer-with-empty-revocation-list.json",  # noqa: E501 - one MANIFEST.md URL-map row per line
    "https://example.org/organization-with-revocation-list.json": "ob2/issuer-with-revocation-list.json",
    "https://example.org/organization-with-empty-revocation-list.json": "ob2/issuer-with-empty-revocation-list.json",
    "http://example.org/revocation-list.json": "ob2/revocation-list.json",
    "http://example.org/empty-revocation-list.json": "ob2/revocation-list-empty.json",
    "http://example.org/key2.json": "ob2/key2.json",
    "http://example.org/key3.json": "ob2/key3.json",
    **IMAGES,
}
OB1 = {
    "http://a.com/instance": "ob1/ob1.0-assertion-hosted.json",
    "http://a.com/instance3": "ob1/ob1.0-assertion-hosted-uppercase-email.json",
    "http://a.com/instancebaddate": "ob1/ob1.0-assertion-hosted-bad-date.json",
    "http://a.com/badgeclass": "ob1/ob1.0-badgeclass.json",
    "http://a.com/issuer": "ob1/ob1.0-issuer.json",
    "http://a.com/badgeclass_image": "images/heart-unbaked.png",
    **CTX1,
    **CTX2,
}
OB3_CTX = {
    "https://www.w3.org/ns/credentials/v2": "contexts/credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "contexts/ob-v3p0-context-3.0.3.json",
}
BITSTRING_LIST = (
    "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/"
    "inspector-vc/src/test/resources/ob30/bit-string-list/testlist"
)


def startswith_routes(flavour: str) -> dict[str, str]:
    """The startsWith rows: 'valid' or 'invalid' in every URL and file name."""
    return {
        f"https://example.org/badgeclass-with-verification-{flavour}-starts-with.json": f"ob2/badgeclass-startswith-{flavour}.json",  # noqa: E501 - one MANIFEST.md URL-map row per line
        f"http://example.org/badgeclass-with-verification-{flavour}-starts-with": f"ob2/badgeclass-startswith-{flavour}.json",  # noqa: E501 - one MANIFEST.md URL-map row per line
        f"http://example.org/issuer-with-allowed-origins-{flavour}-starts-with.json": f"ob2/issuer-startswith-{flavour}.json",  # noqa: E501 - one MANIFEST.md URL-map row per line
        "http://example.org/issuer-with-allowed-origins": f"ob2/issuer-startswith-{flavour}.json",
        "http://example.org/robotics-badge.png": "images/heart-unbaked.png",
        "https://example.org/beths-robot-badge.png": "images/heart-unbaked.png",
        **CTX2,
    }


# file, or (file, status), or (file, status, content type); bytes are served as they are (documents a test
# generates itself, e.g. an issuer document, never copies of vectors).
Route = str | bytes | tuple[str, int] | tuple[str, int, str]


def content_type_for(name: str, json_type: str = "application/ld+json") -> str:
    if name.endswith(".png"):
        return "image/png"
    if name.endswith(".svg"):
        return "image/svg+xml"
    if name.endswith(".jws"):
        return "text/plain"
    return json_type


class VectorServer:
    """An httpx MockTransport handler serving vector files by URL, counting every request."""

    def __init__(self, routes: Mapping[str, Route], json_type: str = "application/ld+json") -> None:
        self.routes = dict(routes)
        self.json_type = json_type
        self.hits: Counter[str] = Counter()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.hits[url] += 1
        route = self.routes.get(url)
        if route is None:
            return httpx.Response(404, text="not found")
        if isinstance(route, bytes):
            return httpx.Response(200, content=route, headers={"Content-Type": self.json_type})
        if isinstance(route, str):
            route = (route, 200)
        name, status = route[0], route[1]
        ctype = route[2] if len(route) > 2 else content_type_for(name, self.json_type)  # type: ignore[misc]
        return httpx.Response(status, content=(VECTORS / name).read_bytes(), headers={"Content-Type": ctype})

    @property
    def total(self) -> int:
        return sum(self.hits.values())


def public_resolver(host: str) -> list[str]:
    return [PUBLIC_IP]


def make_fetcher(
    routes: Mapping[str, Route],
    *,
    resolver: Callable[[str], list[str]] = public_resolver,
    allowed_hosts: frozenset[str] = frozenset(),
    json_type: str = "application/ld+json",
) -> tuple[Fetcher, VectorServer]:
    server = VectorServer(routes, json_type)
    fetcher = Fetcher(allowed_hosts=allowed_hosts, transport=httpx.MockTransport(server), resolver=resolver)
    return fetcher, server


def vector_bytes(name: str) -> bytes:
    return (VECTORS / name).read_bytes()


def vector_text(name: str) -> str:
    return (VECTORS / name).read_text("utf-8")


@pytest.fixture
def vectors() -> Path:
    """The published vectors directory. ../shared is beside the checkout on every developer machine and in CI; a
    newcomer's clone has none: there the test skips with the reason, under CI=true it fails (root conftest)."""
    from conftest import _unavailable

    if not (VECTORS / "MANIFEST.md").is_file():
        _unavailable(
            f"the published Open Badges vectors are not at {VECTORS} (clone ../shared or set VOUCH_OPENBADGES_VECTORS)"
        )
    return VECTORS


# For tests that read the vectors: skips with its reason outside CI, fails under CI when they are absent.
requires_vectors = pytest.mark.usefixtures("vectors")
