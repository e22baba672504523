"""importBadge: every kind of source, as owner / another member / anonymously, and bad input of every sort.

Badges are issued by a real local issuer (badges/tests/issuer.py) over HTTP on 127.0.0.1; the verifier is never
replaced. Input shape errors are payload errors with nothing written; content errors are FAILED badges with codes.
"""

from __future__ import annotations

import io
import json

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError

from badges import services
from badges.models import Badge, BadgeStatus, SourceKind
from badges.tests.helpers import IMPORT_BADGE, import_image, import_text, import_url, run, upload
from badges.tests.issuer import bake_png, bake_svg, png_bytes
from notifications.models import Notification
from profiles.tests.factories import make_member
from skills.services import add_skill
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

ME_BADGES = "{ me { badges { name status verificationErrors public } } }"


def _member(username: str = "ana", **kwargs):
    return make_member(username, email=f"{username}@example.com", **kwargs)


# --- the sources ----------------------------------------------------------------------------------------------
def test_hosted_url_is_verified_and_shown_with_issuer_criteria_and_dates(issuer, django_capture_on_commit_callbacks):
    ana = _member()
    payload = import_url(django_capture_on_commit_callbacks, client_for(ana), issuer.hosted("ana@example.com"))
    assert payload["errors"] == []
    badge = payload["badge"]
    assert badge["status"] == "VERIFIED"
    assert badge["verificationErrors"] == []
    assert badge["name"] == "Python Practitioner"
    assert badge["issuerName"] == "Local Test Academy"
    assert badge["issuerUrl"] == issuer.url("/")
    assert badge["criteriaUrl"] == issuer.url("/criteria/python")
    assert badge["issuedOn"] and badge["verifiedAt"] and badge["lastCheckedAt"]
    assert badge["recipientMatched"] is True
    assert badge["imageUrl"].endswith(".png")
    assert badge["pageUrl"].endswith(f"/b/{badge['publicId']}/")
    assert {c["name"] for c in badge["verificationChecks"]} >= {"Recipient", "Issuer", "BadgeClass", "Expiry"}
    assert Notification.objects.filter(recipient=ana, kind="badge.verified").count() == 1


def test_stored_image_is_a_bounded_reencoded_png(issuer, django_capture_on_commit_callbacks):
    from PIL import Image

    ana = _member()
    import_url(django_capture_on_commit_callbacks, client_for(ana), issuer.hosted("ana@example.com"))
    badge = Badge.objects.get(owner=ana)
    with badge.image.open("rb") as fh:
        data = fh.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and max(image.size) <= 256  # the issuer serves 300x300


def test_signed_assertion_pasted_as_jws_is_verified(issuer, django_capture_on_commit_callbacks):
    ana = _member()
    badge = import_text(django_capture_on_commit_callbacks, client_for(ana), issuer.signed("ana@example.com"))["badge"]
    assert badge["status"] == "VERIFIED", badge["verificationErrors"]
    assert json.loads(badge["verificationReport"])["verification_method"] == "signed"


def test_pasted_hosted_json_is_checked_against_the_hosted_copy(issuer, django_capture_on_commit_callbacks):
    ana = _member()
    url = issuer.hosted("someone@example.com")
    local = issuer.assertion("ana@example.com")
    local["id"] = url  # a tampered local copy naming ana, of an assertion that is really someone else's
    badge = import_text(django_capture_on_commit_callbacks, client_for(ana), json.dumps(local))["badge"]
    assert badge["status"] == "FAILED"
    assert "RECIPIENT_MISMATCH" in badge["verificationErrors"]


def test_baked_png_upload_is_verified(issuer, django_capture_on_commit_callbacks):
    ana = _member()
    payload = import_image(
        django_capture_on_commit_callbacks, client_for(ana), bake_png(issuer.hosted("ana@example.com"))
    )
    assert payload["errors"] == []
    assert payload["badge"]["status"] == "VERIFIED"
    assert Badge.objects.get(owner=ana).source_kind == SourceKind.IMAGE


def test_baked_svg_upload_with_signed_verify_attribute_is_verified(issuer, django_capture_on_commit_callbacks):
    ana = _member()
    svg = bake_svg("", verify=issuer.signed("ana@example.com"))
    payload = import_image(django_capture_on_commit_callbacks, client_for(ana), svg, "badge.svg", "image/svg+xml")
    assert payload["badge"]["status"] == "VERIFIED", payload["badge"]["verificationErrors"]
    assert payload["badge"]["imageUrl"]  # the BadgeClass PNG, not the SVG


def test_baked_image_by_url_is_verified(issuer, django_capture_on_commit_callbacks):
    ana = _member()
    issuer.routes["/baked.png"] = (200, "image/png", bake_png(issuer.hosted("ana@example.com")))
    payload = import_url(django_capture_on_commit_callbacks, client_for(ana), issuer.url("/baked.png"))
    assert payload["badge"]["status"] == "VERIFIED"


def test_import_with_own_skill_attaches_it(issuer, django_capture_on_commit_callbacks):
    ana = _member()
    ms = add_skill(ana, name="Python")
    payload = import_url(
        django_capture_on_commit_callbacks,
        client_for(ana),
        issuer.hosted("ana@example.com"),
        memberSkillId=encode_id("MemberSkill", ms.pk),
    )
    assert payload["badge"]["memberSkill"]["skill"]["name"] == "Python"


# --- who may import --------------------------------------------------------------------------------------------
def test_anonymous_import_is_unauthenticated_and_writes_nothing(issuer):
    body = gql(client_for(None), IMPORT_BADGE, {"input": {"url": issuer.hosted("ana@example.com")}})
    assert unauthenticated(body)
    assert Badge.objects.count() == 0


def test_another_members_skill_is_not_found_and_nothing_is_written(issuer, django_capture_on_commit_callbacks):
    ana, ben = _member(), _member("ben")
    ms = add_skill(ben, name="Python")
    payload = import_url(
        django_capture_on_commit_callbacks,
        client_for(ana),
        issuer.hosted("ana@example.com"),
        memberSkillId=encode_id("MemberSkill", ms.pk),
    )
    assert error_codes(payload) == ["NOT_FOUND"]
    assert payload["errors"][0]["field"] == "memberSkillId"
    assert Badge.objects.count() == 0


def test_importing_another_persons_badge_fails_the_recipient_check(issuer, django_capture_on_commit_callbacks):
    _member("ben")
    ana = _member()
    payload = import_url(django_capture_on_commit_callbacks, client_for(ana), issuer.hosted("ben@example.com"))
    assert payload["badge"]["status"] == "FAILED"
    assert payload["badge"]["verificationErrors"] == ["RECIPIENT_MISMATCH"]
    assert Notification.objects.filter(recipient=ana, kind="badge.failed").count() == 1


def test_the_same_badge_may_be_imported_by_two_members_but_only_its_recipient_verifies(
    issuer, django_capture_on_commit_callbacks
):
    ana, ben = _member(), _member("ben")
    url = issuer.hosted("ana@example.com")
    assert import_url(django_capture_on_commit_callbacks, client_for(ben), url)["badge"]["status"] == "FAILED"
    assert import_url(django_capture_on_commit_callbacks, client_for(ana), url)["badge"]["status"] == "VERIFIED"


def test_an_unverified_address_never_matches(issuer, django_capture_on_commit_callbacks):
    ana = _member(verified=False)
    payload = import_url(django_capture_on_commit_callbacks, client_for(ana), issuer.hosted("ana@example.com"))
    assert payload["badge"]["verificationErrors"] == ["RECIPIENT_MISMATCH"]


def test_an_unverified_secondary_address_never_matches_but_a_verified_one_does(
    issuer, django_capture_on_commit_callbacks
):
    ana = _member()
    EmailAddress.objects.create(user=ana, email="ana@work.example", verified=False, primary=False)
    EmailAddress.objects.create(user=ana, email="ana@home.example", verified=True, primary=False)
    client = client_for(ana)
    failed = import_url(django_capture_on_commit_callbacks, client, issuer.hosted("ana@work.example"))
    verified = import_url(django_capture_on_commit_callbacks, client, issuer.hosted("ana@home.example"))
    assert failed["badge"]["status"] == "FAILED"
    assert verified["badge"]["status"] == "VERIFIED"


# --- duplicates ------------------------------------------------------------------------------------------------
def test_importing_the_same_source_twice_is_refused(issuer, django_capture_on_commit_callbacks):
    ana = _member()
    url = issuer.hosted("ana@example.com")
    client = client_for(ana)
    import_url(django_capture_on_commit_callbacks, client, url)
    again = import_url(django_capture_on_commit_callbacks, client, "  " + url + " ")
    assert error_codes(again) == ["DUPLICATE_BADGE"]
    assert again["badge"] is None
    assert Badge.objects.filter(owner=ana).count() == 1


def test_the_same_assertion_by_another_route_fails_as_a_duplicate(issuer, django_capture_on_commit_callbacks):
    ana = _member()
    url = issuer.hosted("ana@example.com")
    client = client_for(ana)
    import_url(django_capture_on_commit_callbacks, client, url)
    baked = import_image(django_capture_on_commit_callbacks, client, bake_png(url))
    assert baked["badge"]["status"] == "FAILED"
    assert "DUPLICATE_BADGE" in baked["badge"]["verificationErrors"]
    assert Badge.objects.filter(owner=ana, status=BadgeStatus.VERIFIED).count() == 1


# --- input shape: payload errors, nothing written ------------------------------------------------------------------
@pytest.mark.parametrize(
    "given",
    [
        {},
        {"url": "", "assertion": "  "},
        {"url": "https://example.org/a.json", "assertion": "{}"},
    ],
)
def test_exactly_one_source_is_required(given, django_capture_on_commit_callbacks):
    ana = _member()
    body = run(django_capture_on_commit_callbacks, client_for(ana), IMPORT_BADGE, {"input": given})
    assert error_codes(data_of(body)["importBadge"]) == ["EXACTLY_ONE_SOURCE"]
    assert Badge.objects.count() == 0


def test_url_and_image_together_are_refused(django_capture_on_commit_callbacks):
    ana = _member()
    body = upload(
        django_capture_on_commit_callbacks,
        client_for(ana),
        IMPORT_BADGE,
        {"input": {"url": "https://example.org/a.json", "image": None}},
        "variables.input.image",
        bake_png("https://example.org/a.json"),
    )
    assert error_codes(data_of(body)["importBadge"]) == ["EXACTLY_ONE_SOURCE"]
    assert Badge.objects.count() == 0


def test_text_over_one_megabyte_is_refused(django_capture_on_commit_callbacks):
    ana = _member()
    body = run(
        django_capture_on_commit_callbacks,
        client_for(ana),
        IMPORT_BADGE,
        {"input": {"assertion": '{"x": "' + "a" * 1_000_001 + '"}'}},
    )
    payload = data_of(body)["importBadge"]
    assert error_codes(payload) == ["INPUT_TOO_LARGE"] and payload["errors"][0]["field"] == "assertion"
    assert Badge.objects.count() == 0


def test_image_over_five_megabytes_is_refused(django_capture_on_commit_callbacks):
    ana = _member()
    big = bake_png("https://example.org/a.json") + b"\0" * 5_000_001
    body = upload(
        django_capture_on_commit_callbacks,
        client_for(ana),
        IMPORT_BADGE,
        {"input": {"image": None}},
        "variables.input.image",
        big,
    )
    assert error_codes(data_of(body)["importBadge"]) == ["INPUT_TOO_LARGE"]
    assert Badge.objects.count() == 0


class _HugeUpload:
    """A 200 MB upload as Django hands it over (size known from the request), failing the test if read whole."""

    size = 200 * 1024 * 1024
    content_type = "image/png"

    def __init__(self) -> None:
        self.bytes_read = 0

    def seek(self, *_: int) -> None:
        pass

    def read(self, n: int = -1) -> bytes:
        assert n != -1, "the whole upload was read"
        self.bytes_read += n
        return b"\0" * min(n, 1024)


def test_a_200_megabyte_upload_is_refused_without_reading_it():
    ana = _member()
    huge = _HugeUpload()
    with pytest.raises(ValidationError) as exc:
        services.import_badge(ana, image=huge)
    assert exc.value.error_dict["image"][0].code == "INPUT_TOO_LARGE"
    assert huge.bytes_read == 0
    assert Badge.objects.count() == 0


# --- content errors: FAILED with a code, never a 500 ----------------------------------------------------------------
def _truncated_png() -> bytes:
    return bake_png("https://example.org/a.json", png_bytes(64))[:60]


XXE_SVG = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">
<openbadges:assertion verify="https://example.org/a.json">&xxe;</openbadges:assertion></svg>"""

LAUGHS_SVG = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>
<svg xmlns="http://www.w3.org/2000/svg">&c;</svg>"""


@pytest.mark.parametrize(
    "data,name,ctype,code",
    [
        (png_bytes(), "plain.png", "image/png", "PNG_NO_BADGE"),
        (_truncated_png(), "cut.png", "image/png", "PNG_TRUNCATED"),
        (XXE_SVG, "xxe.svg", "image/svg+xml", "SVG_FORBIDDEN_ENTITY"),
        (LAUGHS_SVG, "laughs.svg", "image/svg+xml", "SVG_FORBIDDEN_ENTITY"),
        (b"GIF89a not a badge", "x.gif", "image/gif", "IMAGE_NOT_RECOGNISED"),
    ],
)
def test_bad_images_fail_with_a_code(data, name, ctype, code, django_capture_on_commit_callbacks):
    ana = _member()
    payload = import_image(django_capture_on_commit_callbacks, client_for(ana), data, name, ctype)
    assert payload["errors"] == []
    assert payload["badge"]["status"] == "FAILED"
    assert payload["badge"]["verificationErrors"] == [code]
    assert payload["badge"]["imageUrl"] is None


@pytest.mark.parametrize(
    "text,code",
    [
        ("[" * 10_000 + "]" * 10_000, "JSON_TOO_DEEP"),
        ("not a badge at all", "INPUT_UNRECOGNISED"),
        ("eyJhbGciOiJub25lIn0.eyJpZCI6MX0.", "JWS_ALG_NOT_ALLOWED"),
    ],
)
def test_bad_text_fails_with_a_code(text, code, django_capture_on_commit_callbacks):
    ana = _member()
    badge = import_text(django_capture_on_commit_callbacks, client_for(ana), text)["badge"]
    assert badge["status"] == "FAILED"
    assert code in badge["verificationErrors"]


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/badge.json",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/badge.json",
        "http://127.0.0.1:9/badge.json",
    ],
)
def test_urls_to_private_addresses_fail_without_fetching(url, settings, django_capture_on_commit_callbacks):
    settings.BADGE_FETCH_ALLOWED_HOSTS = frozenset()
    ana = _member()
    payload = import_url(django_capture_on_commit_callbacks, client_for(ana), url)
    assert payload["badge"]["status"] == "FAILED"
    assert payload["badge"]["verificationErrors"] == ["FETCH_BLOCKED_ADDRESS"]


def test_the_local_issuer_is_blocked_unless_allowed(issuer, settings, django_capture_on_commit_callbacks):
    url = issuer.hosted("ana@example.com")
    settings.BADGE_FETCH_ALLOWED_HOSTS = frozenset()
    ana = _member()
    payload = import_url(django_capture_on_commit_callbacks, client_for(ana), url)
    assert payload["badge"]["verificationErrors"] == ["FETCH_BLOCKED_ADDRESS"]
    assert issuer.hits == []


def test_a_redirect_to_a_private_address_is_blocked(issuer, django_capture_on_commit_callbacks):
    # The issuer's host is allowed, but it redirects to the cloud metadata address, which is not.
    issuer.redirects["/jump"] = "http://169.254.169.254/latest/meta-data/"
    ana = _member()
    payload = import_url(django_capture_on_commit_callbacks, client_for(ana), issuer.url("/jump"))
    assert payload["badge"]["status"] == "FAILED"
    assert payload["badge"]["verificationErrors"] == ["FETCH_BLOCKED_ADDRESS"]
    assert issuer.hits == ["/jump"]


def test_unknown_url_scheme_fails_with_a_code(django_capture_on_commit_callbacks):
    ana = _member()
    payload = import_url(django_capture_on_commit_callbacks, client_for(ana), "file:///etc/passwd")
    assert payload["badge"]["status"] == "FAILED"
    assert payload["badge"]["verificationErrors"] == ["FETCH_BAD_SCHEME"]


# --- pending ------------------------------------------------------------------------------------------------------
def test_badge_is_pending_until_verification_runs(issuer, settings, django_capture_on_commit_callbacks):
    settings.BADGE_VERIFY_MODE = "off"
    ana = _member()
    client = client_for(ana)
    payload = import_url(django_capture_on_commit_callbacks, client, issuer.hosted("ana@example.com"))
    assert payload["badge"]["status"] == "PENDING"
    assert data_of(gql(client, ME_BADGES))["me"]["badges"][0]["status"] == "PENDING"
    with django_capture_on_commit_callbacks(execute=True):
        services.verify_badge(Badge.objects.get(owner=ana).pk)
    assert data_of(gql(client, ME_BADGES))["me"]["badges"][0]["status"] == "VERIFIED"


def test_too_many_badges_are_refused(settings, django_capture_on_commit_callbacks):
    settings.BADGE_MAX_PER_MEMBER = 1
    settings.BADGE_VERIFY_MODE = "off"
    ana = _member()
    client = client_for(ana)
    import_url(django_capture_on_commit_callbacks, client, "https://example.org/one.json")
    payload = import_url(django_capture_on_commit_callbacks, client, "https://example.org/two.json")
    assert error_codes(payload) == ["TOO_MANY_BADGES"]
    assert Badge.objects.count() == 1


@pytest.mark.parametrize("value", ["x", 42, True, {"a": 1}, ["x"]])
def test_image_that_is_not_a_file_is_a_coded_payload_error_without_python_text(
    value, django_capture_on_commit_callbacks
):
    # A JSON client can put anything in an `Upload` variable: {"image": "x"} answered AttributeError's text before.
    ana = _member()
    body = run(django_capture_on_commit_callbacks, client_for(ana), IMPORT_BADGE, {"input": {"image": value}})
    assert "errors" not in body, body
    payload = body["data"]["importBadge"]
    assert payload["badge"] is None
    assert payload["errors"] == [
        {"field": "image", "message": "Send the image as a file (GraphQL multipart request).", "code": "INVALID_IMAGE"}
    ]
    assert not Badge.objects.exists()
