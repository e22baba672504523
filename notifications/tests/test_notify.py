"""notify(): stored in the caller's transaction, pushed only after commit, muted kinds pushed as a count only."""

from __future__ import annotations

import pytest
from django.db import transaction

from notifications import services
from notifications.models import Notification
from notifications.services import notify, update_preferences
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    messages: list = []
    monkeypatch.setattr(services, "_group_send", lambda group, message: messages.append((group, message)))
    return messages


def test_pushed_only_after_commit_with_the_unread_count(sent, django_capture_on_commit_callbacks):
    ana = make_member("ana")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        n = notify(ana, "endorsement.received", {"x": 1})
        assert sent == []
    ((group, message),) = sent
    assert group == f"user.{ana.pk}"
    assert message["type"] == "notification.push"
    assert message["pk"] == n.pk and message["unread"] == 1
    assert message["notification"]["id"] == encode_id("Notification", n.pk)


def test_a_rolled_back_event_stores_and_pushes_nothing(sent, django_capture_on_commit_callbacks):
    ana = make_member("ana")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify(ana, "endorsement.received", {})
        raise RuntimeError
    assert sent == [] and not Notification.objects.exists()


def test_a_muted_kind_is_stored_and_only_the_count_is_pushed(sent, django_capture_on_commit_callbacks):
    ana = make_member("ana")
    update_preferences(ana, muted_kinds=["badge.revoked"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(ana, "badge.revoked", {})
    assert Notification.objects.filter(recipient=ana, kind="badge.revoked").exists()
    assert sent == [(f"user.{ana.pk}", {"type": "unread.push", "count": 1})]


def test_an_unknown_kind_is_a_programming_error():
    ana = make_member("ana")
    with pytest.raises(ValueError):
        notify(ana, "endorsement.recieved", {})
    assert not Notification.objects.exists()
