"""reverifyBadge and `manage.py reverify_badges`: revocation, expiry, recovery, rate limit, stale PENDING."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone as dj_timezone

from badges import services
from badges.models import Badge, BadgeStatus
from badges.selectors import verified_badge_pairs
from badges.tests.helpers import BADGE_FIELDS, after_commit, gid, import_url, run
from notifications.models import Notification
from profiles.tests.factories import make_member
from skills.services import add_skill
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

REVERIFY = f"""
mutation($input: ReverifyBadgeInput!) {{
  reverifyBadge(input: $input) {{ badge {{ {BADGE_FIELDS} }} errors {{ field message code }} }}
}}
"""
PROFILE = "query($u: String!) { member(username: $u) { badges { name status } skills { badges { name } } } }"


def _verified_badge(issuer, capture, username="ana", **kwargs):
    member = make_member(username, email=f"{username}@example.com")
    ms = add_skill(member, name="Python")
    url = issuer.hosted(f"{username}@example.com", **kwargs)
    import_url(capture, client_for(member), url, memberSkillId=encode_id("MemberSkill", ms.pk))
    return member, Badge.objects.get(owner=member), url


def _reverify(capture, client, badge):
    payload = data_of(run(capture, client, REVERIFY, {"input": {"badgeId": gid(badge)}}))["reverifyBadge"]
    return after_commit(client, payload)


def test_revoked_hosted_badge_becomes_revoked_notifies_and_stops_counting(
    issuer, settings, django_capture_on_commit_callbacks
):
    settings.BADGE_REVERIFY_INTERVAL_SECONDS = 0
    ana, badge, url = _verified_badge(issuer, django_capture_on_commit_callbacks)
    viewer = client_for(make_member("ben"))
    assert data_of(gql(viewer, PROFILE, {"u": "ana"}))["member"]["badges"] == [
        {"name": "Python Practitioner", "status": "VERIFIED"}
    ]
    assert verified_badge_pairs([ana.pk], [badge.member_skill.skill_id]) == {(ana.pk, badge.member_skill.skill_id)}

    issuer.revoke(url, "Exam result annulled")
    payload = _reverify(django_capture_on_commit_callbacks, client_for(ana), badge)
    assert payload["errors"] == []
    assert payload["badge"]["status"] == "REVOKED"
    assert payload["badge"]["verificationErrors"] == ["REVOKED"]
    note = Notification.objects.get(recipient=ana, kind="badge.revoked")
    assert note.payload["badge"] == {"id": gid(badge), "name": "Python Practitioner", "url": f"/b/{badge.public_id}/"}
    assert note.payload["reason"] == "Exam result annulled" and note.payload["previousStatus"] == "VERIFIED"
    member = data_of(gql(viewer, PROFILE, {"u": "ana"}))["member"]
    assert member["badges"] == [] and member["skills"][0]["badges"] == []
    assert verified_badge_pairs([ana.pk], [badge.member_skill.skill_id]) == set()
    # The owner still sees it, with the reason.
    own = data_of(gql(client_for(ana), PROFILE, {"u": "ana"}))["member"]["badges"]
    assert own == [{"name": "Python Practitioner", "status": "REVOKED"}]


def test_badge_past_its_expiry_becomes_expired_on_recheck_and_notifies(issuer, django_capture_on_commit_callbacks):
    soon = datetime.now(UTC) + timedelta(days=1)
    ana, badge, _ = _verified_badge(issuer, django_capture_on_commit_callbacks, expires=soon)
    assert badge.status == BadgeStatus.VERIFIED and badge.expires_at == soon
    with django_capture_on_commit_callbacks(execute=True):
        services.verify_badge(badge.pk, now=soon + timedelta(hours=1))
    badge.refresh_from_db()
    assert badge.status == BadgeStatus.EXPIRED
    assert badge.verification_errors == ["EXPIRED"]
    note = Notification.objects.get(recipient=ana, kind="badge.failed")
    assert note.payload["errors"] == ["EXPIRED"] and note.payload["status"] == "EXPIRED"


def test_expired_badge_stops_counting_before_it_is_rechecked(issuer, django_capture_on_commit_callbacks):
    soon = datetime.now(UTC) + timedelta(days=1)
    ana, badge, _ = _verified_badge(issuer, django_capture_on_commit_callbacks, expires=soon)
    Badge.objects.filter(pk=badge.pk).update(expires_at=dj_timezone.now() - timedelta(seconds=1))
    viewer = client_for(make_member("ben"))
    assert data_of(gql(viewer, PROFILE, {"u": "ana"}))["member"]["badges"] == []
    assert verified_badge_pairs([ana.pk], [badge.member_skill.skill_id]) == set()


def test_a_failed_badge_that_verifies_later_is_restored_and_notified(
    issuer, settings, django_capture_on_commit_callbacks
):
    settings.BADGE_REVERIFY_INTERVAL_SECONDS = 0
    ana, badge, url = _verified_badge(issuer, django_capture_on_commit_callbacks)
    saved = issuer.routes.pop(url[len(issuer.base) :])
    client = client_for(ana)
    assert _reverify(django_capture_on_commit_callbacks, client, badge)["badge"]["status"] == "FAILED"
    issuer.routes[url[len(issuer.base) :]] = saved
    again = _reverify(django_capture_on_commit_callbacks, client, badge)["badge"]
    assert again["status"] == "VERIFIED" and again["name"] == "Python Practitioner"
    kinds = list(Notification.objects.filter(recipient=ana).order_by("id").values_list("kind", flat=True))
    assert kinds == ["badge.verified", "badge.failed", "badge.verified"]


def test_reverify_with_no_change_does_not_notify_again(issuer, settings, django_capture_on_commit_callbacks):
    settings.BADGE_REVERIFY_INTERVAL_SECONDS = 0
    ana, badge, _ = _verified_badge(issuer, django_capture_on_commit_callbacks)
    before = badge.last_checked_at
    payload = _reverify(django_capture_on_commit_callbacks, client_for(ana), badge)
    assert payload["badge"]["status"] == "VERIFIED"
    badge.refresh_from_db()
    assert badge.last_checked_at > before
    assert Notification.objects.filter(recipient=ana).count() == 1


def test_reverify_is_rate_limited_per_badge(issuer, django_capture_on_commit_callbacks):
    ana, badge, _ = _verified_badge(issuer, django_capture_on_commit_callbacks)
    client = client_for(ana)
    hits = len(issuer.hits)
    payload = data_of(run(django_capture_on_commit_callbacks, client, REVERIFY, {"input": {"badgeId": gid(badge)}}))
    assert error_codes(payload["reverifyBadge"]) == ["RATE_LIMITED"]  # the import itself just checked it
    assert len(issuer.hits) == hits
    Badge.objects.filter(pk=badge.pk).update(verification_requested_at=dj_timezone.now() - timedelta(minutes=2))
    assert _reverify(django_capture_on_commit_callbacks, client, badge)["errors"] == []
    assert len(issuer.hits) > hits


def test_reverify_of_another_members_badge_is_not_found_and_changes_nothing(issuer, django_capture_on_commit_callbacks):
    ana, badge, url = _verified_badge(issuer, django_capture_on_commit_callbacks)
    Badge.objects.filter(pk=badge.pk).update(verification_requested_at=None)
    issuer.revoke(url)
    payload = data_of(
        run(
            django_capture_on_commit_callbacks,
            client_for(make_member("ben")),
            REVERIFY,
            {"input": {"badgeId": gid(badge)}},
        )
    )["reverifyBadge"]
    assert error_codes(payload) == ["NOT_FOUND"] and payload["badge"] is None
    badge.refresh_from_db()
    assert badge.status == BadgeStatus.VERIFIED and badge.verification_requested_at is None


def test_reverify_anonymously_is_unauthenticated(issuer, django_capture_on_commit_callbacks):
    _, badge, _ = _verified_badge(issuer, django_capture_on_commit_callbacks)
    assert unauthenticated(gql(client_for(None), REVERIFY, {"input": {"badgeId": gid(badge)}}))


@pytest.mark.parametrize("bad_id", ["", "nope", encode_id("MemberSkill", 1), encode_id("Badge", 999999)])
def test_reverify_with_a_bad_id_is_not_found(bad_id, django_capture_on_commit_callbacks):
    payload = data_of(
        run(
            django_capture_on_commit_callbacks, client_for(make_member("ana")), REVERIFY, {"input": {"badgeId": bad_id}}
        )
    )["reverifyBadge"]
    assert error_codes(payload) == ["NOT_FOUND"]


# --- the management command ----------------------------------------------------------------------------------------
def test_command_rechecks_old_verified_and_stale_pending_badges(issuer, settings, django_capture_on_commit_callbacks):
    ana, old, old_url = _verified_badge(issuer, django_capture_on_commit_callbacks)
    _, fresh, _ = _verified_badge(issuer, django_capture_on_commit_callbacks, username="cleo")
    Badge.objects.filter(pk=old.pk).update(last_checked_at=dj_timezone.now() - timedelta(hours=25))
    issuer.revoke(old_url)
    settings.BADGE_VERIFY_MODE = "off"
    ben = make_member("ben", email="ben@example.com")
    import_url(django_capture_on_commit_callbacks, client_for(ben), issuer.hosted("ben@example.com"))
    stale = Badge.objects.get(owner=ben)
    assert stale.status == BadgeStatus.PENDING
    Badge.objects.filter(pk=stale.pk).update(verification_requested_at=dj_timezone.now() - timedelta(minutes=11))

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reverify_badges", stdout=out)
    assert out.getvalue().strip() == "Re-verified 2 badge(s): 1 revoked, 1 verified; 2 changed status."
    old.refresh_from_db(), fresh.refresh_from_db(), stale.refresh_from_db()
    assert (old.status, fresh.status, stale.status) == ("REVOKED", "VERIFIED", "VERIFIED")
    assert Notification.objects.filter(recipient=ana, kind="badge.revoked").count() == 1


def test_command_with_nothing_due_says_so():
    out = StringIO()
    call_command("reverify_badges", stdout=out)
    assert "nothing due" in out.getvalue()


def test_rechecks_are_rate_limited_per_member_across_badges(issuer, settings, django_capture_on_commit_callbacks):
    """Besides once a minute per badge: at most BADGE_RECHECKS_PER_HOUR re-checks per member, whatever the badge."""
    settings.BADGE_REVERIFY_INTERVAL_SECONDS = 0
    settings.BADGE_RECHECKS_PER_HOUR = 2
    ana = make_member("ana", email="ana@example.com")
    client = client_for(ana)
    for _ in range(3):
        import_url(django_capture_on_commit_callbacks, client, issuer.hosted("ana@example.com"))
    badges = list(Badge.objects.filter(owner=ana).order_by("pk"))
    assert [b.status for b in badges] == ["VERIFIED"] * 3
    requested = badges[2].verification_requested_at
    outcomes = [error_codes(_reverify(django_capture_on_commit_callbacks, client, b)) for b in badges]
    assert outcomes == [[], [], ["RATE_LIMITED"]]
    hits = len(issuer.hits)
    assert error_codes(_reverify(django_capture_on_commit_callbacks, client, badges[0])) == ["RATE_LIMITED"]
    assert len(issuer.hits) == hits  # a refused re-check fetches nothing
    badges[2].refresh_from_db()
    assert badges[2].verification_requested_at == requested  # the refused re-check wrote nothing
    # Another member's re-checks are not affected.
    _, ben_badge, _ = _verified_badge(issuer, django_capture_on_commit_callbacks, username="ben")
    assert _reverify(django_capture_on_commit_callbacks, client_for(ben_badge.owner), ben_badge)["errors"] == []


def test_a_badge_for_an_address_added_after_sign_up_matches_once_that_address_is_verified(
    issuer, settings, django_capture_on_commit_callbacks
):
    import re

    from django.core import mail

    settings.BADGE_REVERIFY_INTERVAL_SECONDS = 0
    ana = make_member("ana", email="ana@example.com")
    client = client_for(ana)
    import_url(django_capture_on_commit_callbacks, client, issuer.hosted("ana.work@example.org"))
    badge = Badge.objects.get(owner=ana)
    assert badge.status == BadgeStatus.FAILED and "RECIPIENT_MISMATCH" in badge.verification_errors
    # Added, not yet verified: still no match.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/email/", {"email": "ana.work@example.org", "action_add": ""})
    assert response.status_code in (200, 302)
    assert _reverify(django_capture_on_commit_callbacks, client, badge)["badge"]["status"] == "FAILED"
    badge.refresh_from_db()
    assert "RECIPIENT_MISMATCH" in badge.verification_errors
    # Verified by the mailed link: the badge is checked again by itself, and matches.
    link = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 302
    badge.refresh_from_db()
    assert badge.status == BadgeStatus.VERIFIED and badge.verification_errors == []
    # The reverse: the address removed, a re-check fails again.
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=ana, email="ana.work@example.org").delete()
    assert _reverify(django_capture_on_commit_callbacks, client, badge)["badge"]["status"] == "FAILED"


def _forged_but_once_verified(real, attacker, owner) -> Badge:
    """A badge the old verifier accepted (an inline Issuer claiming the real issuer's id and listing the attacker's
    key), stored VERIFIED and checked a minute ago, as it was before the upgrade."""
    import json

    from joserfc import jws

    from badges.models import SourceKind
    from badges.tests.test_openbadges_corpus import rsa_key

    key, public = rsa_key()
    evil_key = attacker.url("/key.json")
    attacker.serve_json(
        "/key.json",
        {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "CryptographicKey",
            "id": evil_key,
            "owner": real.issuer_id,
            "publicKeyPem": public,
        },
    )
    doc = real.assertion(owner.email, signed=True)
    doc["verification"] = {"type": "signed", "creator": evil_key}
    doc["badge"] = {
        "id": real.badge_class_id,
        "type": "BadgeClass",
        "name": "Forged",
        "description": "x",
        "image": real.url("/badges/python.png"),
        "criteria": "https://x.example/",
        "issuer": {"id": real.issuer_id, "type": "Issuer", "name": "Local Test Academy", "publicKey": [evil_key]},
    }
    token = jws.serialize_compact({"alg": "RS256"}, json.dumps(doc).encode(), key)
    now = dj_timezone.now()
    return Badge.objects.create(
        owner=owner,
        status=BadgeStatus.VERIFIED,
        issuer_trust="DOMAIN_BOUND",
        name="Forged",
        public=True,
        source_kind=SourceKind.TEXT,
        source_text=token,
        source_digest=f"forged-{owner.pk}",
        verified_at=now - timedelta(minutes=1),
        last_checked_at=now - timedelta(minutes=1),
        verification_requested_at=now - timedelta(minutes=1),
    )


@pytest.mark.parametrize("args", [["--hours", "0"], ["--all"]])
def test_after_an_upgrade_every_stored_badge_is_rejudged_and_forgeries_fail(
    issuer, args, django_capture_on_commit_callbacks
):
    from badges.tests.issuer import LocalIssuer

    attacker = LocalIssuer()
    try:
        ana, genuine, _ = _verified_badge(issuer, django_capture_on_commit_callbacks)
        forged = _forged_but_once_verified(issuer, attacker, ana)
        failed = Badge.objects.create(
            owner=ana,
            status=BadgeStatus.FAILED,
            name="Was unreachable",
            source_kind="URL",
            source_url=issuer.hosted("ana@example.com"),
            source_digest="was-unreachable",
            verification_errors=["FETCH_FAILED"],
            last_checked_at=dj_timezone.now(),
        )
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("reverify_badges", stdout=out)  # the default run: nothing is due yet
        assert "nothing due" in out.getvalue()
        forged.refresh_from_db()
        assert forged.status == BadgeStatus.VERIFIED
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("reverify_badges", *args, stdout=out)
        forged.refresh_from_db(), genuine.refresh_from_db(), failed.refresh_from_db()
        assert forged.status == BadgeStatus.FAILED and "SIGNING_KEY_NOT_LISTED" in forged.verification_errors
        assert genuine.status == BadgeStatus.VERIFIED
        # --all also re-checks what had failed (it verifies now); --hours 0 re-checks VERIFIED ones only.
        assert failed.status == (BadgeStatus.VERIFIED if args == ["--all"] else BadgeStatus.FAILED)
        assert verified_badge_pairs([ana.pk], [genuine.member_skill.skill_id]) == {
            (ana.pk, genuine.member_skill.skill_id)
        }
        assert Notification.objects.filter(recipient=ana, kind="badge.failed").count() == 1
    finally:
        attacker.close()
