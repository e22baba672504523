"""Public ids of the domain's objects: opaque "Type:pk" base64-encoded (the API's Relay global ids, the ids in
notification payloads and pages). Bad or foreign ids are NOT_FOUND."""

from __future__ import annotations

from graphql_relay import from_global_id, to_global_id

from vouch.errors import not_found


def decode_id(global_id: str | None, type_name: str, *, field: str | None = None) -> int:
    """The primary key behind a global id of `type_name`; NOT_FOUND for anything else."""
    try:
        kind, raw = from_global_id(global_id or "")
        pk = int(raw)
    except Exception:  # malformed base64, not "Type:pk", not an integer
        raise not_found(field, type_name) from None
    if kind != type_name or pk <= 0 or pk > 2**62:
        raise not_found(field, type_name)
    return pk


def encode_id(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)
