"""The single entry point: :func:`verify`.

It recognises the input, routes it to the OB 2.0/legacy or OB 3.0 procedure, and always returns a
:class:`VerificationResult`; bad input and unexpected errors become FAILED results with a code, never exceptions.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from . import codes, jsonsafe
from .extract import Extracted, extract, extract_image, parse_text, sniff_image
from .fetcher import ACCEPT_ANY, IMAGE_LIMIT, Fetcher, FetchError
from .model import Abort, BadgeError, BadgeSource, Run, VerificationResult
from .ob2 import OB2Verifier
from .ob3 import VC_V1, VC_V2, OB3Verifier
from .util import as_list, jws_parts, types_of

log = logging.getLogger(__name__)


def is_verifiable_credential(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    contexts = [c for c in as_list(doc.get("@context")) if isinstance(c, str)]
    return (
        "VerifiableCredential" in types_of(doc)
        or VC_V2 in contexts
        or VC_V1 in contexts
        or isinstance(doc.get("vc"), dict)
    )


def verify(
    source: BadgeSource,
    *,
    fetcher: Fetcher,
    now: datetime,
    identities: Sequence[str],
    strict_key_binding: bool = False,
    linked_identities: Sequence[str] = (),
) -> VerificationResult:
    """Verify an imported badge.

    ``identities``: the member's *verified* e-mail addresses (other identity strings such as a URL or DID are
    compared exactly). ``now``: the clock (aware; a naive value is taken as UTC). ``strict_key_binding``: treat an
    OB 3.0 key the issuer does not confirm as a failure instead of a warning (see docs/openbadges.md).
    ``linked_identities``: did:web identities on other hosts the member says are theirs (a Vouch member's linked
    profiles, docs/credentials.md). A credential whose subject is one of them matches only when that DID's own
    document, fetched now, names one of ``identities`` in ``alsoKnownAs``: both sides claim the link.
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    run = Run(
        now,
        tuple(i for i in identities if isinstance(i, str)),
        tuple(i for i in linked_identities if isinstance(i, str) and i.startswith("did:web:")),
    )
    with fetcher.run():
        try:
            _dispatch(run, fetcher, extract(source), strict_key_binding)
        except Abort:
            pass
        except BadgeError as exc:
            run.failed("Read input", exc.code, exc.message)
        except Exception:  # a verifier bug must not surface as a 500; it is logged and reported
            log.exception("Open Badges verification crashed")
            run.failed("Verification", codes.INTERNAL_ERROR)
    return run.finish()


def _dispatch(run: Run, fetcher: Fetcher, item: Extracted, strict: bool) -> None:
    if item.container in ("png", "svg"):
        run.passed("Read input", f"Found baked Open Badges data ({item.kind}) in the {item.container.upper()} image.")
    elif item.container == "text":
        run.passed("Read input", f"Recognised the pasted {item.kind.upper()}.")
    if item.kind == "url":
        _from_url(run, fetcher, item.value, strict)
    elif item.kind == "json":
        if item.ob3 or is_verifiable_credential(item.value):
            OB3Verifier(run, fetcher, strict_key_binding=strict).verify_json(item.value)
        else:
            OB2Verifier(run, fetcher).verify_local_json(item.value)
    else:
        try:
            _header, payload, _raw = jws_parts(item.value)
        except BadgeError as exc:
            run.failed("Decode signature", exc.code, exc.message, fatal=True)
            raise
        if item.ob3 or is_verifiable_credential(payload):
            OB3Verifier(run, fetcher, strict_key_binding=strict).verify_jwt(item.value)
        else:
            OB2Verifier(run, fetcher).verify_signed(item.value)


MAX_HOPS = 3  # URL -> baked image -> URL -> ... (a self-referencing image would recurse forever)


def _from_url(run: Run, fetcher: Fetcher, url: str, strict: bool) -> None:
    """A URL is a hosted assertion/credential or an image with baked data; the response tells which."""
    run.hops += 1
    if run.hops > MAX_HOPS:
        run.failed(
            "Follow badge URL",
            codes.TOO_MANY_HOPS,
            f"The badge led to {url} after {MAX_HOPS} other addresses; it is not followed further.",
            fatal=True,
        )
    try:
        response = fetcher.fetch(url, max_bytes=IMAGE_LIMIT, accept=ACCEPT_ANY)
    except FetchError as exc:
        if exc.status == 410:
            ob2 = OB2Verifier(run, fetcher)
            ob2.r.verification_method = "hosted"
            ob2._revoked_by_gone(url, exc)
            raise Abort(codes.REVOKED) from exc
        run.failed("Fetch", exc.code, f"{url} could not be fetched: {exc.message}", fatal=True)
        raise
    body = response.body
    if sniff_image(body):
        try:
            item = extract_image(body)
        except BadgeError as exc:
            run.failed("Read image", exc.code, exc.message, fatal=True)
            raise
        _dispatch(run, fetcher, item, strict)
        return
    text_start = body.lstrip()[:1]
    if text_start not in (b"{", b"["):
        try:
            item = parse_text(body.decode("utf-8"), container="url")
        except (UnicodeDecodeError, BadgeError) as exc:
            run.failed(
                "Read document",
                codes.INPUT_UNRECOGNISED,
                f"{url} serves neither JSON, a JWS nor a baked image.",
                fatal=True,
            )
            raise BadgeError(codes.INPUT_UNRECOGNISED) from exc
        if item.kind == "url":
            run.failed("Read document", codes.INPUT_UNRECOGNISED, f"{url} serves only another URL.", fatal=True)
        _dispatch(run, fetcher, item, strict)
        return
    try:
        doc = jsonsafe.loads(body)
    except BadgeError as exc:
        run.failed("Read document", exc.code, exc.message, fatal=True)
        raise
    if not isinstance(doc, dict):
        run.failed("Read document", codes.INPUT_UNRECOGNISED, "The document is not a JSON object.", fatal=True)
    if is_verifiable_credential(doc):
        OB3Verifier(run, fetcher, strict_key_binding=strict).verify_json(doc)
        return
    ob2 = OB2Verifier(run, fetcher)
    ob2.r.verification_method = "hosted"
    run.passed("Fetch hosted assertion", f"Fetched {url}.")
    ob2.verify_fetched_document(url, doc)
