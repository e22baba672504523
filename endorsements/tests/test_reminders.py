"""Seen and the one reminder (endorsements.reminders): the outbox says whether the recipient saw a request (read
its notification, or opened the requests page); the requester may remind once, REMIND_AFTER after asking, while
it is pending; the reminder reaches the recipient as a notification linking to the exact request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from endorsements.models import EndorsementRequest
from endorsements.reminders import REMIND_AFTER, outbox_states, remind_endorsement_request
from endorsements.services import cancel_endorsement_request, request_endorsement
from frontend.tests.helpers import html
from notifications.models import Notification
from profiles.tests.factories import make_member
from skills.services import add_skill
from vouch.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked():
    ana = make_member("ana", display_name="Ana Lima")
    add_skill(ana, name="Kubernetes")
    maria = make_member("maria", display_name="Maria Okafor")
    request = request_endorsement(ana, recipient="maria", skill="Kubernetes", relationship="MANAGER", message="Pls?")
    return ana, maria, request


def _age(request, days):
    EndorsementRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - timedelta(days=days))
    request.refresh_from_db()


def _codes(fn, *args, **kwargs):
    from django.core.exceptions import ValidationError

    try:
        fn(*args, **kwargs)
    except ValidationError as exc:
        return [e.code for e in exc.error_dict["requestId"]] if hasattr(exc, "error_dict") else [exc.code]
    return []


def test_one_reminder_after_a_few_days_only_by_the_requester(asked):
    ana, maria, request = asked
    assert _codes(remind_endorsement_request, ana, request_id=request.pk) == ["TOO_SOON"]
    _age(request, REMIND_AFTER.days)
    assert _codes(remind_endorsement_request, maria, request_id=request.pk) == ["NOT_FOUND"]  # not hers to remind
    remind_endorsement_request(ana, request_id=request.pk)
    notes = Notification.objects.filter(recipient=maria, kind="endorsement_request.received").order_by("pk")
    assert [n.payload.get("reminder", False) for n in notes] == [False, True]
    assert notes.last().payload["url"] == f"/requests/#request-{request.pk}"
    assert _codes(remind_endorsement_request, ana, request_id=request.pk) == ["ALREADY_REMINDED"]
    assert notes.count() == 2  # nothing more written


def test_no_reminder_for_a_request_that_is_not_pending(asked):
    ana, _maria, request = asked
    _age(request, 5)
    cancel_endorsement_request(ana, request_id=request.pk)
    assert _codes(remind_endorsement_request, ana, request_id=request.pk) == ["INVALID_STATE"]
    assert outbox_states([EndorsementRequest.objects.get()])[request.pk]["remind_from"] is None


def test_seen_once_the_recipient_read_it_on_the_requests_page(asked, django_assert_num_queries):
    ana, maria, request = asked
    with django_assert_num_queries(1):
        assert outbox_states([request])[request.pk] == {
            "seen": False,
            "reminded": False,
            "remind_from": request.created_at + REMIND_AFTER,
        }
    outbox = html(client_for(ana).get("/requests/"))
    assert "Not seen yet" in outbox and "As my manager" in outbox and "“Pls?”" in outbox
    assert "Reminder possible from" in outbox and "Send a reminder" not in outbox
    inbox = html(client_for(maria).get("/requests/"))  # a GET writes nothing: the page posts what it showed
    assert outbox_states([request])[request.pk]["seen"] is False
    note = Notification.objects.get(recipient=maria)
    assert f'data-mark-seen="{note.pk}"' in inbox
    client_for(maria).post("/notifications/read/", {"id": str(note.pk)})
    assert outbox_states([request])[request.pk]["seen"] is True
    assert "data-mark-seen" not in html(client_for(maria).get("/requests/"))
    assert "Seen" in html(client_for(ana).get("/requests/"))


def test_reminder_through_the_page(asked):
    ana, maria, request = asked
    _age(request, 4)
    assert "Send a reminder" in html(client_for(ana).get("/requests/"))
    response = client_for(ana).post(f"/requests/{request.pk}/remind/")
    assert response.status_code == 302 and response["Location"] == f"/requests/#request-{request.pk}"
    page = html(client_for(ana).get("/requests/"))
    assert "reminder sent" in page and "Send a reminder" not in page
    assert client_for(maria).post(f"/requests/{request.pk}/remind/").status_code == 404
    assert Client().post(f"/requests/{request.pk}/remind/")["Location"].startswith("/accounts/login/")
    inbox = html(client_for(maria).get("/notifications/"))
    assert "Reminder: Ana Lima asked you to endorse their Kubernetes." in inbox
    assert f'href="/requests/#request-{request.pk}"' in inbox
