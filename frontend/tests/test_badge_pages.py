"""Badges /badges/ and the public badge page /b/<id>/: import by URL, image or pasted text; readable reasons;
attach to a skill; public/private; the verification report without the recipient's address."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from badges.models import Badge
from badges.tests.issuer import bake_png
from frontend.tests.helpers import assert_csp_clean, csrf_client, html
from profiles.tests.factories import make_member
from skills.models import MemberSkill
from skills.services import add_skill
from vouch.testing import client_for

pytestmark = pytest.mark.django_db


def _import(capture, client, data):
    with capture(execute=True):
        return client.post("/badges/import/", data)


def test_badges_page_needs_a_signed_in_member():
    assert Client().get("/badges/")["Location"].startswith("/accounts/login/")


def test_baked_png_upload_is_verified_attached_and_shown_on_the_profile(issuer, django_capture_on_commit_callbacks):
    ana = make_member("ana", email="ana@example.com")
    ms = add_skill(ana, name="Kubernetes")
    png = bake_png(issuer.hosted("ana@example.com"))
    response = _import(
        django_capture_on_commit_callbacks,
        client_for(ana),
        {"image": SimpleUploadedFile("b.png", png, content_type="image/png"), "member_skill": str(ms.pk)},
    )
    assert response.status_code == 302
    badge = Badge.objects.get()
    assert badge.status == "VERIFIED" and badge.member_skill_id == ms.pk
    profile = html(Client().get("/m/ana/"))
    assert f"/b/{badge.public_id}/" in profile and "Verified badge" in profile and badge.issuer_name in profile
    page = Client().get(f"/b/{badge.public_id}/")
    body = html(page)
    assert page.status_code == 200
    assert "Issued to a verified email address of" in body and badge.issuer_name in body
    assert "ana@example.com" not in body  # the recipient's address is never shown to others
    assert "Check again" not in body  # only the owner re-runs it
    assert_csp_clean(page)
    assert "Check again" in html(client_for(ana).get(f"/b/{badge.public_id}/"))


def test_someone_elses_badge_fails_with_readable_reasons_and_is_not_public_evidence(
    issuer, django_capture_on_commit_callbacks
):
    ana = make_member("ana", email="ana@example.com")
    _import(django_capture_on_commit_callbacks, client_for(ana), {"url": issuer.hosted("bob@example.com")})
    badge = Badge.objects.get()
    assert badge.status == "FAILED"
    body = html(client_for(ana).get("/badges/"))
    assert "Not verified" in body and "RECIPIENT_MISMATCH" in body
    assert Client().get(f"/b/{badge.public_id}/").status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"assertion": "{ not json"}, "assertion", ""),
        ({"assertion": "hello, this is my badge"}, "assertion", "This is not a badge"),
        ({"image": SimpleUploadedFile("cat.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40)}, "image", "No badge found"),
        ({"image": SimpleUploadedFile("notes.txt", b"just text")}, "image", "No badge found"),
        ({"url": "http://127.0.0.1:9/badge.json"}, "url", "could not be fetched"),  # private address: refused
    ],
)
def test_what_is_not_a_badge_is_a_form_error_and_nothing_is_stored(data, field, says, settings):
    ana = make_member("ana")
    response = client_for(ana).post("/badges/import/", data)
    assert response.status_code == 400
    body = html(response)
    assert f'id="id_{field}_error"' in body and f'aria-invalid="true" aria-describedby="id_{field}' in body
    for ids in re.findall(r'aria-describedby="([^"]+)"', body):  # every id it points at exists
        assert all(f'id="{one}"' in body for one in ids.split()), ids
    assert says in body
    assert not Badge.objects.exists()


def test_unreachable_url_is_a_form_error(settings):
    import socket

    settings.BADGE_FETCH_ALLOWED_HOSTS = frozenset({"127.0.0.1"})
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    response = client_for(make_member("ana")).post("/badges/import/", {"url": f"http://127.0.0.1:{port}/b.json"})
    assert response.status_code == 400 and "could not be fetched" in html(response)
    assert not Badge.objects.exists()


def test_a_json_object_that_is_not_a_valid_badge_is_stored_and_fails_with_a_reason(django_capture_on_commit_callbacks):
    # Recognisable input goes to the verifier, which says what is wrong with it (a FAILED badge, not a 500).
    ana = make_member("ana")
    _import(django_capture_on_commit_callbacks, client_for(ana), {"assertion": '{"type": "Assertion"}'})
    badge = Badge.objects.get()
    assert badge.status == "FAILED" and badge.verification_errors
    body = html(client_for(ana).get("/badges/"))
    assert "Not verified" in body and "Imported from pasted assertion text" in body


@pytest.mark.parametrize("data", [{}, {"url": "https://a.example/x", "assertion": "{}"}])
def test_import_needs_exactly_one_source_and_writes_nothing(data):
    ana = make_member("ana")
    response = client_for(ana).post("/badges/import/", data)
    assert response.status_code == 400
    assert "Give exactly one of" in html(response)
    assert not Badge.objects.exists()


def test_import_needs_csrf():
    ana = make_member("ana")
    response = csrf_client(ana).post("/badges/import/", {"assertion": "{}"})
    assert response.status_code == 403 and not Badge.objects.exists()


def test_owner_attaches_detaches_and_makes_private_and_others_cannot(issuer, django_capture_on_commit_callbacks):
    ana, eve = make_member("ana", email="ana@example.com"), make_member("eve")
    ms = add_skill(ana, name="Go")
    _import(django_capture_on_commit_callbacks, client_for(ana), {"url": issuer.hosted("ana@example.com")})
    badge = Badge.objects.get()
    other = client_for(eve)
    assert other.post(f"/badges/{badge.pk}/skill/", {"member_skill": str(ms.pk)}).status_code == 404
    assert other.post(f"/badges/{badge.pk}/public/", {"public": "0"}).status_code == 404
    assert other.post(f"/badges/{badge.pk}/delete/").status_code == 404
    badge.refresh_from_db()
    assert badge.public and badge.member_skill_id is None
    client = client_for(ana)
    client.post(f"/badges/{badge.pk}/skill/", {"member_skill": str(ms.pk)})
    badge.refresh_from_db()
    assert badge.member_skill_id == ms.pk
    client.post(f"/badges/{badge.pk}/public/", {"public": "0"})
    assert Client().get(f"/b/{badge.public_id}/").status_code == 404
    assert f"/b/{badge.public_id}/" not in html(Client().get("/m/ana/"))
    client.post(f"/badges/{badge.pk}/skill/", {"member_skill": ""})
    badge.refresh_from_db()
    assert badge.member_skill_id is None
    assert MemberSkill.objects.filter(pk=ms.pk).exists()


def test_check_again_is_rate_limited_with_a_message(issuer, django_capture_on_commit_callbacks):
    ana = make_member("ana", email="ana@example.com")
    _import(django_capture_on_commit_callbacks, client_for(ana), {"url": issuer.hosted("ana@example.com")})
    badge = Badge.objects.get()
    response = client_for(ana).post(f"/badges/{badge.pk}/check/", follow=True)
    assert "try again in" in html(response)


HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(2)",
    " javascript:alert(3)",
    "data:text/html,<b>x</b>",
    "vbscript:msgbox(4)",
    "file:///etc/passwd",
    "//evil.example/x",
    "ftp://files.example/x",
]


def _hrefs(body: str) -> list[str]:
    import re

    return re.findall(r'href="([^"]*)"', body)


def test_only_http_urls_from_an_issuer_become_links_on_the_badge_page(issuer, django_capture_on_commit_callbacks):
    """issuer.url, criteria and evidence as the issuer publishes them, each a non-http(s) URL: the badge still
    verifies, and none of them is linked on its page. The image is never the issuer's URL: Vouch shows its own
    re-encoded copy (an image the issuer names with a non-http(s) URL fails with BADGE_IMAGE_INVALID)."""
    import json

    profile = json.loads(issuer.routes["/issuer.json"][2])
    profile["url"] = HOSTILE[0]
    issuer.serve_json("/issuer.json", profile)
    badge_class = json.loads(issuer.routes["/badges/python.json"][2])
    badge_class["criteria"] = {"id": HOSTILE[1], "narrative": "Pass the practical exam."}
    issuer.serve_json("/badges/python.json", badge_class)
    doc = issuer.assertion("ana@example.com")
    doc["evidence"] = [{"id": h, "name": f"Evidence {i}"} for i, h in enumerate(HOSTILE[2:])] + [
        {"id": "https://portfolio.example/ana", "name": "Portfolio"}
    ]
    issuer.serve_json(doc["id"][len(issuer.base) :], doc)
    ana = make_member("ana", email="ana@example.com")
    client = client_for(ana)
    _import(django_capture_on_commit_callbacks, client, {"url": doc["id"]})
    badge = Badge.objects.get(owner=ana)
    assert badge.status == "VERIFIED", badge.verification_errors
    for viewer in (client, Client()):
        if viewer is not client:
            Badge.objects.filter(pk=badge.pk).update(public=True)
        body = html(viewer.get(f"/b/{badge.public_id}/"))
        links = _hrefs(body)
        assert "https://portfolio.example/ana" in links
        for hostile in HOSTILE:
            assert hostile.strip() not in links and f'src="{hostile.strip()}' not in body
        assert not [u for u in links if u.lower().strip().startswith(("javascript:", "data:", "vbscript:", "file:"))]
        assert f'src="{issuer.base}' not in body


def test_urls_stored_before_the_check_existed_are_not_linked_either(django_capture_on_commit_callbacks):
    """Rows written by an older verifier may hold anything: the page links http(s) URLs only, whatever is stored."""
    from badges.models import BadgeStatus, SourceKind

    ana = make_member("ana")
    badge = Badge.objects.create(
        owner=ana,
        status=BadgeStatus.VERIFIED,
        issuer_trust="DOMAIN_BOUND",
        name="Old",
        public=True,
        source_kind=SourceKind.URL,
        source_url="https://issuer.example/a",
        source_digest="old",
        issuer_name="Old Issuer",
        issuer_url=HOSTILE[0],
        criteria_url=HOSTILE[1],
        verification_report={
            "recipient_matched": True,
            "checks": [],
            "evidence": [{"url": h, "name": f"E{i}"} for i, h in enumerate(HOSTILE)],
        },
    )
    body = html(Client().get(f"/b/{badge.public_id}/"))
    assert "Old Issuer" in body and "E0" in body
    links = _hrefs(body)
    for hostile in HOSTILE:
        assert hostile.strip() not in links
