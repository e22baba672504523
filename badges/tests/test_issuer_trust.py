"""Issuer trust through the public surface: GraphQL, pages, the management command; import/re-check rate limits;
IDNA 2008 addresses at sign-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from badges.demo import DemoIssuer
from badges.models import Badge, IssuerTrust, TrustedIssuer
from badges.selectors import verified_badge_pairs
from badges.tests.helpers import import_text, import_url
from badges.trust import set_trusted_issuer
from profiles.tests.factories import PASSWORD, make_member
from skills.services import add_skill
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, gql

pytestmark = pytest.mark.django_db
SKILL_BADGES = (
    "query($u: String!) { member(username: $u) {"
    " badges { name issuerTrust countsAsEvidence } skills { badges { name } } } }"
)


def _self_issued(capture, member):
    ms = add_skill(member, name="Linux")
    email = f"{member.username}@example.com"
    token = DemoIssuer().credential(email, "Kernel Hacker", "d", valid_from=timezone.now() - timedelta(days=2))
    payload = import_text(capture, client_for(member), token)
    badge = Badge.objects.get(pk=Badge.objects.get(owner=member).pk)
    badge.member_skill = ms
    badge.save(update_fields=["member_skill"])
    return payload, badge, ms


def test_self_issued_badge_is_shown_as_such_but_is_not_evidence(django_capture_on_commit_callbacks):
    ana = make_member("ana")
    payload, badge, ms = _self_issued(django_capture_on_commit_callbacks, ana)
    assert payload["badge"]["status"] == "VERIFIED"
    assert badge.issuer_trust == IssuerTrust.SELF_ISSUED
    body = data_of(gql(client_for(make_member("ben")), SKILL_BADGES, {"u": "ana"}))["member"]
    assert body["badges"] == [{"name": "Kernel Hacker", "issuerTrust": "SELF_ISSUED", "countsAsEvidence": False}]
    assert body["skills"] == [{"badges": []}]  # never listed as proof under the skill
    assert verified_badge_pairs([ana.pk], [ms.skill_id]) == set()  # no weighting factor
    page = Client().get(f"/b/{badge.public_id}/").content.decode()
    assert "Self-issued" in page and badge.issuer_id[:20] in page


def test_registry_confirms_an_issuer_and_it_counts(django_capture_on_commit_callbacks):
    ana = make_member("ana")
    _, badge, ms = _self_issued(django_capture_on_commit_callbacks, ana)
    call_command("issuer_trust", "add", "--kind", "DID", "--value", badge.issuer_id, "--name", "Kernel Org")
    badge.refresh_from_db()
    assert badge.issuer_trust == IssuerTrust.CONFIRMED and badge.issuer_confirmed_name == "Kernel Org"
    assert verified_badge_pairs([ana.pk], [ms.skill_id]) == {(ana.pk, ms.skill_id)}
    body = data_of(gql(Client(), SKILL_BADGES, {"u": "ana"}))["member"]
    assert body["skills"] == [{"badges": [{"name": "Kernel Hacker"}]}]
    call_command("issuer_trust", "remove", "--kind", "DID", "--value", badge.issuer_id)
    badge.refresh_from_db()
    assert badge.issuer_trust == IssuerTrust.SELF_ISSUED


def test_pinned_key_that_does_not_match_does_not_confirm(django_capture_on_commit_callbacks, issuer):
    ana = make_member("ana")
    payload = import_url(django_capture_on_commit_callbacks, client_for(ana), issuer.hosted("ana@example.com"))
    assert payload["badge"]["status"] == "VERIFIED"
    badge = Badge.objects.get(owner=ana)
    assert badge.issuer_trust == IssuerTrust.DOMAIN_BOUND
    set_trusted_issuer(None, kind=TrustedIssuer.Kind.DOMAIN, value="127.0.0.1x.example", name="Nope")
    set_trusted_issuer(
        None,
        kind=TrustedIssuer.Kind.PROFILE,
        value=issuer.issuer_id,
        name="Academy",
        pinned_keys=["sha256:" + "0" * 64],
    )
    badge.refresh_from_db()
    assert badge.issuer_trust == IssuerTrust.DOMAIN_BOUND  # hosted: no key, so a pinned entry cannot confirm
    set_trusted_issuer(None, kind=TrustedIssuer.Kind.PROFILE, value=issuer.issuer_id, name="Academy")
    badge.refresh_from_db()
    assert badge.issuer_trust == IssuerTrust.CONFIRMED


def test_only_staff_edit_the_registry():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        set_trusted_issuer(make_member("eve"), kind="DOMAIN", value="example.org", name="x")
    assert not TrustedIssuer.objects.exists()


IMPORT = "mutation($i: ImportBadgeInput!) { importBadge(input: $i) { badge { id } errors { code } } }"


def test_imports_are_rate_limited_per_member(settings):
    settings.BADGE_IMPORTS_PER_HOUR = 3
    settings.BADGE_VERIFY_MODE = "off"
    ana, ben = make_member("ana"), make_member("ben")
    codes = [
        (data_of(gql(client_for(ana), IMPORT, {"i": {"url": f"https://example.org/{n}"}}))["importBadge"]["errors"])
        for n in range(4)
    ]
    assert codes[:3] == [[], [], []] and codes[3] == [{"code": "RATE_LIMITED"}]
    assert Badge.objects.filter(owner=ana).count() == 3
    for badge in Badge.objects.filter(owner=ana):  # deleting does not give imports back
        badge.delete()
    again = data_of(gql(client_for(ana), IMPORT, {"i": {"url": "https://example.org/x"}}))["importBadge"]["errors"]
    assert again == [{"code": "RATE_LIMITED"}]
    other = data_of(gql(client_for(ben), IMPORT, {"i": {"url": "https://example.org/x"}}))["importBadge"]["errors"]
    assert other == []


def test_signup_normalises_idna_and_refuses_ambiguous_domains():
    response = Client().post(
        "/accounts/signup/", {"email": "Leo@Bücher.example", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]
    from profiles.models import User

    assert User.objects.filter(email="leo@xn--bcher-kva.example").exists()
    assert mail.outbox[-1].to == ["leo@xn--bcher-kva.example"]
    before = User.objects.count()
    response = Client().post(
        "/accounts/signup/", {"email": "anna@straße.example", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200 and User.objects.count() == before
    assert "older mail software" in response.content.decode()
    assert encode_id
