"""Sharing a profile: Open Graph / Twitter tags, the share card PNG, the embeddable card (the only framable page,
no cookies), "Get the credential" links, copy-link buttons and LinkedIn add-to-profile links for verified badges."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from badges.models import Badge, BadgeStatus
from credentials.tests.helpers import network
from frontend.tests.helpers import assert_csp_clean
from profiles.models import Visibility
from vouch.testing import client_for

pytestmark = pytest.mark.django_db


def _meta(html: str, prop: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', html)
    assert match, prop
    return match.group(1)


def test_public_profile_has_open_graph_and_twitter_tags_pointing_at_a_png_card():
    network()
    html = Client().get("/m/alice/").content.decode()
    assert _meta(html, "og:title") == "Alice Archer"
    image = _meta(html, "og:image")
    assert image == "http://testserver/m/alice/card.png"
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert "Python" in _meta(html, "og:description")
    response = Client().get(urlsplit(image).path)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    card = Image.open(io.BytesIO(response.content))
    assert card.format == "PNG" and card.size == (1200, 630)
    # Something is drawn: more than the white background and the brand bar.
    assert len(card.convert("RGB").getcolors(maxcolors=100_000) or []) > 10


def test_card_and_embed_of_a_members_only_profile_are_404_even_for_members():
    n = network()
    n["alice"].profile.visibility = Visibility.MEMBERS
    n["alice"].profile.save(update_fields=["visibility"])
    member = client_for(n["bob"])
    assert member.get("/m/alice/").status_code == 200
    assert member.get("/m/alice/card.png").status_code == 404
    assert member.get("/m/alice/embed").status_code == 404
    assert Client().get("/m/nobody/card.png").status_code == 404


def test_embed_is_the_only_framable_page_and_sets_no_cookie():
    n = network()
    signed_in = client_for(n["bob"])
    response = signed_in.get("/m/alice/embed")
    assert response.status_code == 200
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    assert not response.cookies
    html = response.content.decode()
    assert "Alice Archer" in html and "Python" in html and "<script" not in html
    assert "Bob Builder" not in html  # nothing of the visitor
    for path in ("/m/alice/", "/", "/badges/", "/m/alice/credential", "/.well-known/did.json"):
        other = signed_in.get(path)
        assert "frame-ancestors 'none'" in other["Content-Security-Policy"], path


def test_profile_links_each_endorsement_credential_and_has_copy_buttons_without_inline_script():
    network()
    response = Client().get("/m/alice/")
    assert_csp_clean(response)
    html = response.content.decode()
    links = re.findall(r'href="(/e/[^"]+/credential)"', html)
    assert len(links) == 1
    assert Client().get(links[0]).status_code == 200
    assert 'data-copy="http://testserver/m/alice/"' in html
    assert "/m/alice/credential?download=1" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # scripts only from files (the CSP forbids inline)
    download = Client().get("/m/alice/credential?download=1")
    assert "attachment" in download["Content-Disposition"]


def _verified_badge(owner, *, public=True):
    return Badge.objects.create(
        owner=owner,
        status=BadgeStatus.VERIFIED,
        public=public,
        name="Cloud Architect",
        issuer_name="Example Academy",
        issued_on=datetime(2025, 3, 14, tzinfo=UTC),
        expires_at=datetime(2028, 3, 14, tzinfo=UTC),
        verified_at=timezone.now(),
        source_kind="url",
        source_url="https://academy.example/a/1",
        source_digest="d" * 64,
    )


def test_verified_public_badge_offers_add_to_linkedin_with_certification_details():
    n = network()
    badge = _verified_badge(n["alice"])
    owner = client_for(n["alice"])
    html = owner.get(f"/b/{badge.public_id}/").content.decode()
    match = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', html)
    assert match
    query = parse_qs(urlsplit(match.group(1).replace("&amp;", "&")).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == ["Cloud Architect"]
    assert query["organizationName"] == ["Example Academy"]
    assert query["issueYear"] == ["2025"] and query["issueMonth"] == ["3"]
    assert query["expirationYear"] == ["2028"]
    assert query["certUrl"] == [f"http://testserver/b/{badge.public_id}/"]
    assert "linkedin.com/profile/add" in owner.get("/badges/").content.decode()
    # Others see the public page, but the add-to-profile button is the owner's.
    assert "linkedin.com/profile/add" not in Client().get(f"/b/{badge.public_id}/").content.decode()


def test_private_badge_has_no_linkedin_link():
    n = network()
    _verified_badge(n["alice"], public=False)
    assert "linkedin.com/profile/add" not in client_for(n["alice"]).get("/badges/").content.decode()
