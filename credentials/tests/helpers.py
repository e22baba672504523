"""Shared set-up for the portable-proof tests: a small network with one endorsement."""

from __future__ import annotations

import base64
import gzip
from typing import Any

from endorsements.services import endorse
from endorsements.tests.factories import listing, make_established


def network() -> dict[str, Any]:
    alice = make_established("alice", display_name="Alice Archer")
    bob = make_established("bob", display_name="Bob Builder")
    listing(alice, "Python")
    endorsement = endorse(bob, member=alice, skill="Python", relationship="MANAGER", comment="Ships clean code.")
    return {"alice": alice, "bob": bob, "endorsement": endorsement}


def status_bit(status_list: dict[str, Any], index: int) -> int:
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    data = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    return (data[index // 8] >> (7 - index % 8)) & 1
