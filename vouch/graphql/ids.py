"""The API's ids are the domain's public ids (vouch.ids): re-exported for the schema modules."""

from __future__ import annotations

from vouch.ids import decode_id, encode_id

__all__ = ["decode_id", "encode_id"]
