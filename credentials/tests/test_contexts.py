"""The contexts Vouch's DID documents use are bundled, pinned copies (from npm did-context 3.1.1,
@digitalbazaar/multikey-context 2.0.1 and @digitalbazaar/data-integrity-context 2.0.1), never fetched."""

from __future__ import annotations

import hashlib
from importlib import resources

import pytest

from badges.openbadges.fetcher import BUNDLED_CONTEXTS, bundled_context

PINNED = {
    "https://www.w3.org/ns/did/v1": "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f",
    "https://w3id.org/security/multikey/v1": "c5f3806f8286920573221938917988a18a4cc5a09e968d29649613c7a1c2b1f6",
    "https://w3id.org/security/data-integrity/v2": "0f77743daf5b4e8fc067fc5ba5b21044283053aa717fc6b0219843bed3b00363",
}


@pytest.mark.parametrize("url", sorted(PINNED))
def test_npm_context_copies_are_pinned(url):
    data = resources.files("badges.openbadges").joinpath("contexts", BUNDLED_CONTEXTS[url]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == PINNED[url]
    assert "@context" in bundled_context(url)
