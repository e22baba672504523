"""Notification e-mail through a real SMTP server on loopback (aiosmtpd) and Django's outbox: what is mailed at
once, digests, one-click unsubscribe, refusing addresses. Jobs run with the immediate backend here (on commit);
worker processes: tests/test_mail_worker.py."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from endorsements.services import endorse, request_endorsement
from endorsements.tests.factories import listing
from notifications.models import MailState, Notification
from notifications.services import mark_read, preferences_of, update_preferences
from notifications.tasks import due_digests
from notifications.testing import html_part, text_part
from profiles.tests.factories import make_member

pytestmark = pytest.mark.django_db

UNSUB = re.compile(r"^<(https?://[^>]+/unsubscribe/([^/>]+)/)>$")


@pytest.fixture
def people(settings):
    settings.SITE_URL = "https://vouch.example.com"
    ana = make_member("ana", email="ana@example.com", display_name="Ana Lima")
    ben = make_member("ben", email="ben@example.com", display_name="Ben Okafor")
    listing(ana, "Kubernetes")
    listing(ben, "Go")
    return ana, ben


def _ask(ana, ben, oncommit, message="Could you vouch for my cluster work?"):
    with oncommit(execute=True):
        return request_endorsement(ana, recipient=ben, skill="Kubernetes", relationship="PEER", message=message)


def test_a_request_is_mailed_at_once_over_smtp_with_one_click_unsubscribe(
    people, smtp_server, django_capture_on_commit_callbacks
):
    ana, ben = people
    request = _ask(ana, ben, django_capture_on_commit_callbacks)
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == "ben@example.com"
    assert mail["From"].startswith("Vouch <")
    assert mail["Subject"] == "Ana Lima asked you to endorse them for Kubernetes"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link, _token = UNSUB.match(mail["List-Unsubscribe"].strip()).groups()
    assert link.startswith("https://vouch.example.com/unsubscribe/")
    text, html = text_part(mail), html_part(mail)
    exact = f"https://vouch.example.com/requests/#request-{request.pk}"
    assert exact in text and exact in html
    assert "Could you vouch for my cluster work?" in text
    assert "Hi Ben Okafor" in text and "Vouch" in html
    # Nothing of a third party: not the requester's address.
    assert "ana@example.com" not in mail.as_string()
    assert Notification.objects.get(recipient=ben).emailed_at is not None


def test_the_outbox_gets_the_same_mail(people, mailoutbox, django_capture_on_commit_callbacks):
    ana, ben = people
    _ask(ana, ben, django_capture_on_commit_callbacks)
    (mail,) = mailoutbox
    assert mail.to == ["ben@example.com"] and "Kubernetes" in mail.subject
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [alt[1] for alt in mail.alternatives] == ["text/html"]


def test_a_rolled_back_request_mails_nothing(people, mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    ana, ben = people
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        request_endorsement(ana, recipient=ben, skill="Kubernetes", relationship="PEER")
        raise RuntimeError
    assert mailoutbox == []


@pytest.mark.parametrize("channel", ["LIVE_ONLY", "DIGEST", "OFF"])
def test_other_channels_mail_nothing_at_once(people, mailoutbox, django_capture_on_commit_callbacks, channel):
    ana, ben = people
    update_preferences(ben, channels=[("endorsement_request.received", channel)])
    _ask(ana, ben, django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_an_unverified_address_gets_no_mail(settings, mailoutbox, django_capture_on_commit_callbacks):
    ana = make_member("ana")
    ben = make_member("ben", verified=False)
    listing(ana, "Go")
    with django_capture_on_commit_callbacks(execute=True):
        request_endorsement(ana, recipient=ben, skill="Go", relationship="PEER")
    assert mailoutbox == []


def test_endorsements_go_to_one_digest_never_empty_claimed_once(
    people, smtp_server, django_capture_on_commit_callbacks
):
    ana, ben = people
    carl = make_member("carl", display_name="Carl Roy")
    with django_capture_on_commit_callbacks(execute=True):
        endorse(ben, member=ana, skill="Kubernetes", relationship="PEER", comment="Ran our clusters for years.")
        endorse(carl, member=ana, skill="Kubernetes", relationship="MANAGER")
    assert smtp_server.messages == []  # digest kinds are not mailed at once
    call_command("send_digests")
    (digest,) = smtp_server.wait_for(1)
    assert digest["To"] == "ana@example.com"
    assert digest["Subject"] == "2 things happened on Vouch"
    text = text_part(digest)
    assert "Ben Okafor endorsed you for Kubernetes" in text and "Carl Roy endorsed you for Kubernetes" in text
    assert "Ran our clusters for years." in text
    endorsement_pk = Notification.objects.filter(recipient=ana).order_by("id").first().payload["endorsementId"]
    assert "https://vouch.example.com/settings/endorsements/#endorsement-" in text and endorsement_pk
    assert UNSUB.match(digest["List-Unsubscribe"].strip())
    # Claimed: running again (another worker, the command twice) sends nothing more.
    call_command("send_digests")
    assert due_digests() == []
    # A day later there is nothing new: still no mail (never an empty digest).
    MailState.objects.update(next_digest_at=timezone.now() - timedelta(seconds=1))
    call_command("send_digests")
    assert len(smtp_server.messages) == 1


def test_a_digest_leaves_out_what_was_read_live_and_skips_members_who_read_everything(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    ana, ben = people
    carl, dora = make_member("carl"), make_member("dora")
    listing(dora, "Go")
    with django_capture_on_commit_callbacks(execute=True):
        endorse(ben, member=ana, skill="Kubernetes", relationship="PEER")
        endorse(carl, member=ana, skill="Kubernetes", relationship="PEER")
        endorse(ben, member=dora, skill="Go", relationship="PEER")
    first = Notification.objects.filter(recipient=ana).order_by("id").first()
    mark_read(ana, ids=[first.pk])
    mark_read(dora, all=True)  # Dora saw everything live
    call_command("send_digests")
    (mail,) = mailoutbox
    assert mail.to == ["ana@example.com"]
    assert "Carl endorsed you" in mail.body and "Ben Okafor endorsed you" not in mail.body


def test_digest_claim_is_a_conditional_update(people, django_capture_on_commit_callbacks):
    ana, ben = people
    with django_capture_on_commit_callbacks(execute=True):
        endorse(ben, member=ana, skill="Kubernetes", relationship="PEER")
    now = timezone.now()
    assert due_digests(now) == [ana.pk]
    assert due_digests(now) == []  # the second caller's UPDATE matches no row
    assert due_digests(now + timedelta(hours=25)) == [ana.pk]


def _token(mail):
    return UNSUB.match(mail["List-Unsubscribe"].strip()).group(2)


def test_one_click_post_unsubscribes_without_login_and_get_only_asks(
    people, smtp_server, django_capture_on_commit_callbacks
):
    ana, ben = people
    _ask(ana, ben, django_capture_on_commit_callbacks)
    token = _token(smtp_server.wait_for(1)[0])
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(f"/unsubscribe/{token}/")
    assert page.status_code == 200 and b"Unsubscribe?" in page.content
    assert preferences_of(ben)["channels"]["endorsement_request.received"] == "EMAIL"  # a GET changes nothing

    response = anonymous.post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and b"You are unsubscribed" in response.content
    assert preferences_of(ben)["channels"]["endorsement_request.received"] == "LIVE_ONLY"
    assert preferences_of(ben)["channels"]["endorsement.received"] == "DIGEST"  # only that kind
    # Posting again is harmless; the next request is not mailed.
    assert anonymous.post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}).status_code == 200
    listing(ana, "Go")
    with django_capture_on_commit_callbacks(execute=True):
        request_endorsement(ana, recipient=ben, skill="Go", relationship="PEER")
    assert len(smtp_server.messages) == 1


def test_the_digest_link_unsubscribes_from_the_digest(people, mailoutbox, django_capture_on_commit_callbacks):
    ana, ben = people
    with django_capture_on_commit_callbacks(execute=True):
        endorse(ben, member=ana, skill="Kubernetes", relationship="PEER")
    call_command("send_digests")
    token = _token(mailoutbox[0].message())
    assert Client().post(f"/unsubscribe/{token}/").status_code == 200
    channels = preferences_of(ana)["channels"]
    assert channels["endorsement.received"] == "LIVE_ONLY" and channels["badge.verified"] == "LIVE_ONLY"
    assert channels["endorsement_request.received"] == "EMAIL"


@pytest.mark.parametrize("mangle", ["tamper", "garbage", "other-kind"])
def test_a_tampered_token_shows_a_clear_page_and_changes_nothing(
    people, mailoutbox, django_capture_on_commit_callbacks, mangle
):
    ana, ben = people
    _ask(ana, ben, django_capture_on_commit_callbacks)
    token = _token(mailoutbox[0].message())
    bad = {
        "tamper": token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"),
        "garbage": "not-a-token",
        "other-kind": token.replace(token.split(":")[0], token.split(":")[0][:-2] + "xx"),
    }[mangle]
    before = preferences_of(ben)["channels"]
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/unsubscribe/{bad}/")
        assert response.status_code == 400
        assert b"This unsubscribe link does not work" in response.content and b"Nothing was changed" in response.content
    assert preferences_of(ben)["channels"] == before


def test_expired_and_revoked_tokens_change_nothing(people, mailoutbox, django_capture_on_commit_callbacks, settings):
    from notifications.services import revoke_unsubscribe_links

    ana, ben = people
    _ask(ana, ben, django_capture_on_commit_callbacks)
    token = _token(mailoutbox[0].message())
    revoke_unsubscribe_links(ben)
    response = Client().post(f"/unsubscribe/{token}/")
    assert response.status_code == 400 and b"withdrawn" in response.content
    assert preferences_of(ben)["channels"]["endorsement_request.received"] == "EMAIL"

    from notifications.mail import make_token

    state = MailState.objects.get(user=ben)
    fresh = make_token(ben.pk, "endorsement_request.received", state.token_generation)
    settings.UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS = 0  # every token is past its age now
    time.sleep(0.01)
    response = Client().post(f"/unsubscribe/{fresh}/")
    assert response.status_code == 400 and b"expired" in response.content
    assert preferences_of(ben)["channels"]["endorsement_request.received"] == "EMAIL"


def test_an_address_that_refuses_mail_is_stopped_without_retries_and_the_member_sees_why(
    people, smtp_server, django_capture_on_commit_callbacks
):
    ana, ben = people
    smtp_server.recorder.refuse.add("ben@example.com")
    _ask(ana, ben, django_capture_on_commit_callbacks)
    assert smtp_server.recorder.rcpt_attempts == ["ben@example.com"]  # one attempt: no retry storm
    assert smtp_server.messages == []
    email = preferences_of(ben)["email"]
    assert email["stopped"] and email["stopped_reason"].startswith("550")
    # The next request is not even attempted.
    listing(ana, "Go")
    with django_capture_on_commit_callbacks(execute=True):
        request_endorsement(ana, recipient=ben, skill="Go", relationship="PEER")
    assert smtp_server.recorder.rcpt_attempts == ["ben@example.com"]
    # The settings page says why, and the member can resume.
    client = Client()
    client.force_login(ben)
    page = client.get("/settings/notifications/").content.decode()
    assert "We stopped e-mailing" in page and "User unknown" in page
    assert client.post("/settings/notifications/", {"action": "resume-email"}).status_code == 302
    assert not preferences_of(ben)["email"]["stopped"]


def test_a_transient_failure_is_retried_by_the_engine(people, smtp_server, django_capture_on_commit_callbacks):
    ana, ben = people
    smtp_server.recorder.tempfail_next = 1  # 451 on the first DATA
    _ask(ana, ben, django_capture_on_commit_callbacks)
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == "ben@example.com"
    assert len(smtp_server.recorder.rcpt_attempts) == 2


def test_a_job_for_a_deleted_notification_or_member_finishes_quietly(people):
    from notifications.tasks import deliver_digest, send_notification_email

    assert send_notification_email.call(987654) == "deleted"
    assert deliver_digest(987654) == "no address"


def test_already_read_notifications_are_not_mailed_at_once(people, mailoutbox, django_capture_on_commit_callbacks):
    from notifications.tasks import send_notification_email

    ana, ben = people
    update_preferences(ben, channels=[("endorsement_request.received", "LIVE_ONLY")])
    _ask(ana, ben, django_capture_on_commit_callbacks)
    update_preferences(ben, channels=[("endorsement_request.received", "EMAIL")])
    mark_read(ben, all=True)
    assert send_notification_email.call(Notification.objects.get(recipient=ben).pk) == "already read"
    assert mailoutbox == []


def test_allauth_mails_say_vouch_not_the_host(client, mailoutbox, settings):
    from profiles.tests.factories import make_member

    make_member("dana", email="dana@example.com")
    client.post("/accounts/password/reset/", {"email": "dana@example.com"})
    (mail,) = mailoutbox
    assert mail.subject.startswith("[Vouch]")
    assert "Hello from Vouch!" in mail.body and "127.0.0.1:8000" not in mail.body.split("\n")[0]
