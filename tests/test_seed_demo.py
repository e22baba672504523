"""`manage.py seed_demo`: a believable organisation, idempotent, and `--if-empty` / SEED_DEMO for `make run`."""

from __future__ import annotations

import random
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from profiles import demo
from profiles.models import Profile, Seniority, User
from profiles.tests.factories import make_member
from skills.models import MemberSkill

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    """Rows of every model of the project's apps (and allauth's e-mail addresses)."""
    labels = {"profiles", "skills", "endorsements", "badges", "notifications", "account"}
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.app_label in labels}


def test_seed_creates_an_organisation_across_the_ladder():
    output = seed()
    members = User.objects.all()
    assert 30 <= members.count() <= 50
    assert set(Profile.objects.values_list("seniority", flat=True)) == set(Seniority.values)
    assert f"{members.count()} members" in output and demo.DEMO_PASSWORD in output
    ladder = Counter(Profile.objects.values_list("seniority", flat=True))
    # A pyramid, not a flat list: more individual contributors than directors.
    assert ladder["MID"] + ladder["JUNIOR"] > ladder["DIRECTOR"] + ladder["EXECUTIVE"]
    for user in members.select_related("profile"):
        assert user.profile.display_name and user.profile.title and user.profile.organisation == "Northwind Labs"
        assert 3 <= MemberSkill.objects.filter(member=user).count() <= 6
        assert user.emailaddress_set.filter(verified=True, primary=True).exists()
    # Member controls are shown too: Hana reviews before showing (two wait), Grace limits who may endorse her.
    from endorsements.models import Endorsement

    assert Profile.objects.get(user__username="hana").review_before_showing
    assert Endorsement.objects.filter(member__username="hana", pending_review=True).count() == 2
    assert Profile.objects.get(user__username="grace").who_may_endorse == "ORGANISATION_AND_ASKED"


def test_demo_members_can_sign_in():
    seed()
    assert Client().login(username="maria", password=demo.DEMO_PASSWORD)


def test_every_member_but_the_top_has_a_manager_in_the_org():
    org = demo.seed(random.Random(2026))
    assert set(org.members) == {p[0] for p in demo.PEOPLE}
    assert set(org.manager_of) == set(org.members) - {"maria"}
    assert set(org.manager_of.values()) <= set(org.members)
    assert all(manager != member for member, manager in org.manager_of.items())


def test_second_run_creates_nothing_new():
    seed()
    first = _row_counts()
    assert first["profiles.User"] >= 30
    seed()
    assert _row_counts() == first


def test_seed_is_deterministic():
    seed()
    listed = sorted(MemberSkill.objects.values_list("member__username", "skill__name"))
    User.objects.all().delete()
    seed()
    assert sorted(MemberSkill.objects.values_list("member__username", "skill__name")) == listed


def test_if_empty_does_nothing_when_members_exist():
    make_member("someone")
    before = _row_counts()
    assert seed("--if-empty") == ""
    assert _row_counts() == before
    assert list(User.objects.values_list("username", flat=True)) == ["someone"]


def test_if_empty_seeds_an_empty_database():
    seed("--if-empty")
    assert User.objects.count() >= 30


def test_seed_demo_0_turns_off_the_automatic_seed(settings):
    settings.SEED_DEMO = False
    assert seed("--if-empty") == ""
    assert not User.objects.exists()
    # Asked for explicitly, the command still seeds.
    seed()
    assert User.objects.count() >= 30


def test_existing_member_with_a_demo_username_is_left_alone():
    make_member("maria", seniority=Seniority.INTERN, display_name="Another Maria")
    seed()
    maria = User.objects.get(username="maria")
    assert (maria.profile.display_name, maria.profile.seniority) == ("Another Maria", "INTERN")
    assert not MemberSkill.objects.filter(member=maria).exists()
