"""Legacy assertions still in circulation: Open Badges 1.0/1.1 (hosted) and 0.5/0.5.1.

As in the spec history (and as the reference validator does by upgrading them), these are trusted only as the
copy fetched from the issuer's server: 1.0/1.1 from ``verify.url``, 0.5 from the URL it was imported from, which
must be on the issuer's ``origin``. Bare dates (``2015-04-30``) are allowed here and read as midnight UTC.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from . import codes
from .fetcher import FetchError
from .util import as_object, first_text, is_http_url, node_id, origin_of, same_origin

if TYPE_CHECKING:
    from .ob2 import OB2Verifier


def verify_ob10(v: OB2Verifier, doc: dict[str, Any], *, hosted_url: str) -> None:
    run, r = v.run, v.r
    r.assertion = doc
    r.identity = f"ob1:{hosted_url}"
    verify = doc.get("verify")
    if not isinstance(verify, dict) or verify.get("type") != "hosted":
        run.failed(
            "Verification type",
            codes.VERIFICATION_TYPE_INVALID,
            "Only hosted OB 1.0 assertions can be verified.",
            fatal=True,
        )
    run.passed("Verification type", "hosted")
    missing = [p for p in ("recipient", "badge", "issuedOn") if doc.get(p) in (None, "", {})]
    if missing:
        run.failed(
            "Assertion properties", codes.PROPERTY_MISSING, f"Assertion is missing {', '.join(missing)}.", fatal=True
        )
    run.passed("Assertion properties", "Assertion has recipient, badge, issuedOn and verify.")
    badge_url = node_id(doc.get("badge"))
    if not is_http_url(badge_url):
        run.failed("BadgeClass", codes.PROPERTY_INVALID, "badge must be the BadgeClass URL.", fatal=True)
    assert badge_url is not None
    badge = _fetch(v, badge_url, "BadgeClass", codes.BADGECLASS_UNAVAILABLE)
    missing = [p for p in ("name", "description", "image", "criteria", "issuer") if not badge.get(p)]
    if missing:
        run.failed(
            "BadgeClass", codes.BADGECLASS_UNAVAILABLE, f"BadgeClass is missing {', '.join(missing)}.", fatal=True
        )
    run.passed("BadgeClass", f"BadgeClass {first_text(badge.get('name'))!r} fetched and well-formed.")
    issuer_url = node_id(badge.get("issuer"))
    if not is_http_url(issuer_url):
        run.failed("Issuer", codes.PROPERTY_INVALID, "BadgeClass issuer must be a URL.", fatal=True)
    assert issuer_url is not None
    issuer = _fetch(v, issuer_url, "Issuer", codes.ISSUER_UNAVAILABLE)
    if not first_text(issuer.get("name")) or not issuer.get("url"):
        run.failed("Issuer", codes.ISSUER_UNAVAILABLE, "The issuer lacks a name or url.", fatal=True)
    run.passed("Issuer", f"Issuer {first_text(issuer.get('name'))!r} fetched and well-formed.")
    # Same default policy as 2.0 after the reference upgrade: the issuer's id is the URL it is served from.
    if not same_origin(hosted_url, issuer_url):
        run.failed(
            "Issuer verification scope",
            codes.OUTSIDE_ISSUER_SCOPE,
            f"The assertion is hosted on {origin_of(hosted_url)}, the issuer on {origin_of(issuer_url)}.",
        )
    else:
        run.passed("Issuer verification scope", f"Hosted on the issuer's origin {origin_of(issuer_url)}.")
    v._metadata({**badge, "id": badge_url}, {**issuer, "id": issuer_url}, doc)
    v._bind_issuer(issuer_url)
    v._badge_image(badge.get("image"))
    v._dates(doc.get("issuedOn"), doc.get("expires"), legacy=True)
    v._recipient(doc.get("recipient"))


def verify_ob05(v: OB2Verifier, doc: dict[str, Any], *, hosted_url: str) -> None:
    run, r = v.run, v.r
    r.assertion = doc
    r.spec_version = "0.5"
    r.verification_method = "hosted"
    r.identity = f"ob05:{hosted_url}"
    badge = as_object(doc.get("badge"))
    issuer = as_object(badge.get("issuer"))
    missing = [p for p in ("name", "description", "image", "criteria") if not badge.get(p)]
    if missing or not issuer.get("origin") or not issuer.get("name") or not isinstance(doc.get("recipient"), str):
        run.failed(
            "Assertion properties",
            codes.PROPERTY_MISSING,
            "A 0.5 assertion needs recipient and a badge with name, description, image, criteria and an "
            "issuer with origin and name.",
            fatal=True,
        )
    run.passed("Assertion properties", "0.5 assertion is well-formed.")
    origin = issuer["origin"]
    if not is_http_url(origin) or origin_of(origin) != origin_of(hosted_url):
        run.failed(
            "Issuer verification scope",
            codes.OUTSIDE_ISSUER_SCOPE,
            f"The assertion at {hosted_url} is not on the issuer's origin {origin}.",
        )
    else:
        run.passed("Issuer verification scope", f"Hosted on the issuer's origin {origin_of(origin)}.")
    image = urljoin(origin.rstrip("/") + "/", badge["image"]) if isinstance(badge["image"], str) else None
    criteria = urljoin(origin.rstrip("/") + "/", badge["criteria"]) if isinstance(badge["criteria"], str) else None
    v._metadata(
        {"name": badge.get("name"), "description": badge.get("description"), "image": image, "criteria": criteria},
        {"name": issuer.get("name"), "url": origin, "id": origin},
    )
    if is_http_url(origin) and same_origin(origin, hosted_url):
        v._bind_issuer(origin_of(origin))
    v._badge_image(image)
    v._dates(doc.get("issued_on"), doc.get("expires"), legacy=True) if doc.get("issued_on") else run.passed(
        "Issue date", "No issue date (optional in 0.5)."
    )
    salt = doc.get("salt") if isinstance(doc.get("salt"), str) else None
    v._recipient(doc.get("recipient"), salt=salt, legacy_string=True)


def _fetch(v: OB2Verifier, url: str, what: str, unavailable: str) -> dict[str, Any]:
    try:
        _, doc = v.fetcher.fetch_json(url)
    except FetchError as exc:
        v.run.failed(what, unavailable, f"{what} at {url} could not be fetched ({exc.code}).", fatal=True)
        raise
    if not isinstance(doc, dict):
        v.run.failed(what, unavailable, f"{what} at {url} is not a JSON object.", fatal=True)
    return doc
