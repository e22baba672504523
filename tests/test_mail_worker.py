"""Mail through real processes on PostgreSQL: a request made on the web process (Daphne) is mailed by a separate
job worker (`manage.py run_jobs`) to a real SMTP server on loopback, and the one-click unsubscribe in it works
against the web process; a worker killed in the middle of sending loses no mail. CI runs these (CI=true)."""

from __future__ import annotations

import re

import httpx
import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from endorsements.tests.factories import listing
from jobs.testing import wait_for
from notifications.services import preferences_of
from notifications.testing import text_part
from profiles.tests.factories import make_member

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180), pytest.mark.django_db(transaction=True)]

REQUEST = """
mutation Ask($input: RequestEndorsementInput!) {
  requestEndorsement(input: $input) { endorsementRequest { id } errors { code } }
}
"""


def _token(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _jobs() -> list:
    return list(DBTaskResult.objects.values_list("task_path", "status", "worker_ids"))


def _members():
    ana = make_member("ana", email="ana@example.com", display_name="Ana Lima")
    ben = make_member("ben", email="ben@example.com", display_name="Ben Okafor")
    listing(ana, "Kubernetes")
    return ana, ben


def test_a_request_on_the_web_process_is_mailed_by_a_separate_worker(
    live_server_factory, worker_factory, smtp_server, database_backend
):
    ana, ben = _members()
    env = {**smtp_server.env, "JOBS_BACKEND": "database"}
    server = live_server_factory(extra_env={**env, "SITE_URL": "http://127.0.0.1:1"})
    worker = worker_factory("mailer", env={**env, "SITE_URL": server.url})
    body = server.graphql(
        REQUEST,
        {"input": {"recipient": "ben", "skill": "Kubernetes", "relationship": "MANAGER", "message": "Please?"}},
        token=_token(ana),
    )
    assert body["data"]["requestEndorsement"]["errors"] == [], body
    wait_for(lambda: smtp_server.messages, timeout=60, what=f"the mail; jobs: {_jobs()}", workers=(worker,))
    (mail,) = smtp_server.messages
    assert mail["To"] == "ben@example.com" and mail["Subject"] == "Ana Lima asked you to endorse them for Kubernetes"
    assert "Please?" in text_part(mail)
    path = "notifications.tasks.send_notification_email"
    job = wait_for(
        lambda: DBTaskResult.objects.filter(task_path=path, status="SUCCESSFUL").first(), what="the job to finish"
    )
    assert job.worker_ids == ["mailer"]  # not the web process

    health = httpx.get(f"{server.url}/healthz", timeout=10).json()
    assert health["checks"]["jobs"] == "ok" and health["queue"]["workers"] == 1

    link = re.match(r"^<([^>]+)>$", mail["List-Unsubscribe"].strip()).group(1)
    assert link.startswith(server.url + "/unsubscribe/")
    # RFC 8058: the mail provider POSTs the body below, with no cookie and no CSRF token.
    asked = httpx.get(link, timeout=10)
    assert asked.status_code == 200 and "Unsubscribe?" in asked.text
    assert preferences_of(ben)["channels"]["endorsement_request.received"] == "EMAIL"
    done = httpx.post(
        link,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert preferences_of(ben)["channels"]["endorsement_request.received"] == "LIVE_ONLY"
    worker.stop()


def test_a_worker_killed_while_sending_loses_no_mail(worker_factory, smtp_server, django_capture_on_commit_callbacks):
    from endorsements.services import request_endorsement

    ana, ben = _members()
    smtp_server.recorder.hold_first = True
    with django_capture_on_commit_callbacks(execute=True):
        request_endorsement(ana, recipient=ben, skill="Kubernetes", relationship="PEER")
    job = DBTaskResult.objects.get(task_path="notifications.tasks.send_notification_email")
    first = worker_factory("sender-a", env=smtp_server.env)
    wait_for(smtp_server.recorder.data_started.is_set, timeout=60, what="worker A to send", workers=(first,))
    first.kill()
    smtp_server.recorder.release_first.set()  # A's connection is gone: that attempt was never accepted
    assert DBTaskResult.objects.get(pk=job.pk).status == "RUNNING"
    second = worker_factory("sender-b", env=smtp_server.env)
    wait_for(
        lambda: DBTaskResult.objects.get(pk=job.pk).status == "SUCCESSFUL",
        timeout=60,
        what="worker B to reclaim and send",
        workers=(second,),
    )
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == "ben@example.com"
    assert DBTaskResult.objects.get(pk=job.pk).worker_ids == ["sender-a", "sender-b"]
