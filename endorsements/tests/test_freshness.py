"""Freshness: endorsements count less as they age, the daily job keeps every score within the stated bound of the
exact value, and "Still true?" (requestReconfirmation / reconfirmEndorsement / the e-mailed link) makes one fresh
again. Frozen clock (time-machine)."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils.module_loading import import_string

from endorsements import weighting
from endorsements.models import Endorsement
from endorsements.scoring import recompute_scores
from endorsements.services import endorse
from endorsements.tests.factories import listing, make_established, refreshed
from notifications.models import Notification
from profiles.tests.factories import make_member
from skills.models import Skill
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
YEAR = timedelta(days=365.25)

REQUEST = """
mutation($id: ID!) {
  requestReconfirmation(input: {endorsementId: $id}) {
    endorsement { id givenAt reconfirmedAt }
    errors { field code }
  }
}
"""
RECONFIRM = """
mutation($id: ID!) {
  reconfirmEndorsement(input: {endorsementId: $id}) {
    endorsement { id weight givenAt reconfirmedAt freshness weightExplanation }
    memberSkill { score }
    errors { field code }
  }
}
"""


# --- the pure formula -------------------------------------------------------------------
def test_half_life_per_kind_with_a_floor():
    assert weighting.freshness(0) == 1.0
    assert weighting.freshness(1095) == pytest.approx(0.5)  # the default kind: three years
    assert weighting.freshness(730, "TOOL") == pytest.approx(0.5)
    assert weighting.freshness(2190, "LASTING") == pytest.approx(0.5)
    assert weighting.freshness(730, "TOOL") < weighting.freshness(730) < weighting.freshness(730, "LASTING")
    assert weighting.freshness(100 * 365) == weighting.FRESHNESS_FLOOR
    assert weighting.freshness(-5) == 1.0  # a clock skew never raises a weight above fresh
    assert weighting.freshness(10, "UNKNOWN") == weighting.freshness(10)


def test_the_explanation_states_the_age_factor():
    old = weighting.weigh(weighting.WeightInputs("MID", "PEER", trust=1.0, seed=True, age_days=1096))
    assert old.weight == pytest.approx(1.2 * 0.5, abs=1e-3)
    assert "given 3 years ago: counts 0.5×" in old.explanation("Ana", "Go")
    fresh = weighting.weigh(weighting.WeightInputs("MID", "PEER", trust=1.0, seed=True, age_days=2))
    assert "given" not in fresh.explanation("Ana", "Go")  # nothing to say: it counts in full
    again = weighting.weigh(weighting.WeightInputs("MID", "PEER", trust=1.0, seed=True, reconfirmed=True))
    assert "re-confirmed today: counts 1.0×" in again.explanation("Ana", "Go")


def test_an_old_badge_lends_less_standing_unless_its_issuer_states_validity():
    def standing(**kw):
        return weighting.standing_factor(
            weighting.WeightInputs("MID", "PEER", lists_skill=True, verified_badge=True, **kw)
        )

    assert standing(badge_age_days=None) == weighting.STANDING_BADGE  # stated validity (expiry honoured elsewhere)
    assert standing(badge_age_days=0) == weighting.STANDING_BADGE
    halfway = weighting.STANDING_LISTS + (weighting.STANDING_BADGE - weighting.STANDING_LISTS) / 2
    assert standing(badge_age_days=1095) == pytest.approx(halfway)
    assert standing(badge_age_days=730, skill_kind="TOOL") == pytest.approx(halfway)
    # Being endorsed for the skill still counts when the badge has aged past it.
    assert standing(badge_age_days=5000, skill_score=25.0) == weighting.STANDING_ENDORSED_MAX


# --- through the database, with a frozen clock --------------------------------------------
@pytest.fixture
def network():
    with time_machine.travel(T0, tick=False):
        ana = make_member("ana", display_name="Ana", email="ana@example.com")
        ms = listing(ana, "Go")
        maria = make_established("maria", seniority="MANAGER", email="maria@example.com", display_name="Maria")
        e = endorse(maria, member=ana, skill="Go", relationship="MANAGER")
    return dict(ana=ana, maria=maria, ms=ms, e=e, gid=encode_id("Endorsement", e.pk))


def exact_score(ms, now):
    """The score with every visible endorsement's freshness at `now` exactly (what the stored score approximates)."""
    established, pooled = [], []
    for e in Endorsement.objects.filter(member_skill=ms, hidden=False).select_related("skill"):
        inputs = weighting.WeightInputs.from_json(e.weight_inputs)
        base = e.weight / weighting.freshness(inputs.age_days, inputs.skill_kind)
        age = (now - e.fresh_since).total_seconds() / 86400
        (established if e.from_established else pooled).append(base * weighting.freshness(age, e.skill.kind))
    return weighting.score(established, pooled)


def test_old_endorsements_count_less_after_the_scheduled_job(network, settings):
    fresh_weight, fresh_score = network["e"].weight, refreshed(network["ms"]).score
    spec = settings.PERIODIC_JOBS["endorsements.recompute_scores"]
    assert 0 < spec["every"] <= 86400  # the interval the bound in docs/weighting.md is stated for
    with time_machine.travel(T0 + 3 * YEAR, tick=False):
        assert import_string(spec["task"]).call() >= 1
        e = Endorsement.objects.get(pk=network["e"].pk)
        assert e.weight == pytest.approx(fresh_weight * 0.5, rel=1e-3)
        assert "given 3 years ago: counts 0.5×" in e.explanation
        assert refreshed(network["ms"]).score < fresh_score
        assert import_string(spec["task"]).call() == 0  # idempotent at one moment


def test_tools_decay_faster_than_lasting_skills(network):
    with time_machine.travel(T0, tick=False):
        Skill.objects.filter(name="Kubernetes").update(kind="TOOL")
        Skill.objects.filter(name="Mentoring").update(kind="LASTING")
        listing(network["ana"], "Kubernetes")
        listing(network["ana"], "Mentoring")
        k8s = endorse(network["maria"], member=network["ana"], skill="Kubernetes", relationship="MANAGER")
        mentor = endorse(network["maria"], member=network["ana"], skill="Mentoring", relationship="MANAGER")
    with time_machine.travel(T0 + 2 * YEAR, tick=False):
        recompute_scores()
    k8s.refresh_from_db()
    mentor.refresh_from_db()
    assert k8s.weight < mentor.weight
    assert "counts 0.5×" in k8s.explanation


def test_stored_scores_stay_within_the_stated_bound_between_runs(network):
    """docs/weighting.md: with the job every day, a stored score is never more than 0.05 points from the exact
    value (and never below it, but for the 4-decimal rounding of weights). Sampled across two and a half
    years, the shortest half-life, every hour of the day before a run."""
    with time_machine.travel(T0, tick=False):
        Skill.objects.filter(pk=network["ms"].skill_id).update(kind="TOOL")
        for i in range(4):
            endorse(
                make_established(f"peer{i}", seniority="SENIOR"), member=network["ana"], skill="Go", relationship="PEER"
            )
        recompute_scores()
    ms = network["ms"]
    worst = 0.0
    for day in range(0, 900, 37):
        run = T0 + timedelta(days=day)
        with time_machine.travel(run, tick=False):
            recompute_scores()
        for hour in (0, 6, 12, 23.99):
            moment = run + timedelta(hours=hour)
            stored, exact = refreshed(ms).score, exact_score(ms, moment)
            assert stored >= exact - 1e-3
            worst = max(worst, stored - exact)
    assert worst <= 0.05
    assert worst > 0  # the clock did move between runs: the bound is exercised, not vacuous


def test_reconfirmation_restores_the_weight(network):
    fresh_weight = network["e"].weight
    with time_machine.travel(T0 + 3 * YEAR, tick=False):
        recompute_scores()
        old_score = refreshed(network["ms"]).score
        payload = data_of(gql(client_for(network["maria"]), RECONFIRM, {"id": network["gid"]}))["reconfirmEndorsement"]
    assert payload["errors"] == []
    e = payload["endorsement"]
    assert e["weight"] == pytest.approx(fresh_weight) and e["freshness"] == 1.0
    assert e["reconfirmedAt"].startswith("2029-01-05") and e["givenAt"].startswith("2026-01-05")
    assert "re-confirmed today" in e["weightExplanation"]
    assert payload["memberSkill"]["score"] > old_score
    # Fresh from the re-confirmation: a year later it has decayed one year's worth, not four.
    with time_machine.travel(T0 + 4 * YEAR, tick=False):
        recompute_scores()
    assert refreshed_endorsement(network).weight == pytest.approx(fresh_weight * 0.5 ** (365.25 / 1095), rel=1e-3)


def refreshed_endorsement(network):
    return Endorsement.objects.get(pk=network["e"].pk)


@pytest.mark.parametrize("who", ["ana", "stranger"])
def test_only_the_endorser_reconfirms(network, who):
    user = network.get(who) or make_member("stranger")
    with time_machine.travel(T0 + 3 * YEAR, tick=False):
        recompute_scores()
        payload = data_of(gql(client_for(user), RECONFIRM, {"id": network["gid"]}))["reconfirmEndorsement"]
    assert error_codes(payload) == ["NOT_FOUND"] and payload["endorsement"] is None
    assert refreshed_endorsement(network).reconfirmed_at is None


def test_anonymous_cannot_reconfirm_or_ask(network):
    for document in (RECONFIRM, REQUEST):
        assert unauthenticated(gql(Client(), document, {"id": network["gid"]}))
    e = refreshed_endorsement(network)
    assert e.reconfirmed_at is None and e.reconfirmation_requested_at is None


def test_the_member_asks_still_true_and_the_endorser_reconfirms_from_the_email(
    network, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://vouch.example.com"
    with time_machine.travel(T0 + 2 * YEAR, tick=False):
        recompute_scores()
        old = refreshed_endorsement(network).weight
        with django_capture_on_commit_callbacks(execute=True):
            payload = data_of(gql(client_for(network["ana"]), REQUEST, {"id": network["gid"]}))["requestReconfirmation"]
        assert payload["errors"] == [] and payload["endorsement"]["reconfirmedAt"] is None
        note = Notification.objects.get(recipient=network["maria"], kind="endorsement.reconfirmation_requested")
        assert note.payload["member"]["username"] == "ana" and note.payload["skill"]["name"] == "Go"
        (mail,) = [m for m in mailoutbox if m.to == ["maria@example.com"]]
        assert mail.subject.startswith("Still true? Ana asks you to re-confirm")
        link = re.search(r"https://vouch\.example\.com(/reconfirm/[^/\s\"]+/)", mail.body).group(1)
        assert link == note.payload["url"]
        anonymous = Client()  # the link works signed out: the e-mail reached the endorser
        page = anonymous.get(link)
        assert page.status_code == 200 and b"Still true?" in page.content
        assert refreshed_endorsement(network).reconfirmed_at is None  # a GET (a mail scanner) changes nothing
        with django_capture_on_commit_callbacks(execute=True):
            done = anonymous.post(link)
        assert done.status_code == 200 and b"Re-confirmed" in done.content
        e = refreshed_endorsement(network)
        assert e.reconfirmed_at is not None and e.weight > old
        assert Notification.objects.filter(recipient=network["ana"], kind="endorsement.reconfirmed").count() == 1


def test_a_bad_or_changed_link_changes_nothing(network):
    from endorsements.reconfirm_links import make_token

    with time_machine.travel(T0 + 2 * YEAR, tick=False):
        other = make_member("other")
        for token in (
            "nonsense",
            make_token(network["e"].pk, other.pk),
            make_token(network["e"].pk, network["maria"].pk)[:-2] + "xx",
        ):
            assert Client().post(f"/reconfirm/{token}/").status_code == 400
    assert refreshed_endorsement(network).reconfirmed_at is None


def test_an_expired_link_changes_nothing(network, settings):
    from endorsements.reconfirm_links import reconfirm_path

    with time_machine.travel(T0 + 2 * YEAR, tick=False):
        link = reconfirm_path(network["e"].pk, network["maria"].pk)
    with time_machine.travel(T0 + 2 * YEAR + timedelta(days=settings.RECONFIRM_LINK_DAYS + 1), tick=False):
        assert Client().post(link).status_code == 400
    assert refreshed_endorsement(network).reconfirmed_at is None


def test_asking_is_for_old_endorsements_once_a_month_and_rate_limited(network, settings):
    def ask(user, gid):
        return data_of(gql(client_for(user), REQUEST, {"id": gid}))["requestReconfirmation"]

    with time_machine.travel(T0 + timedelta(days=100), tick=False):
        assert error_codes(ask(network["ana"], network["gid"])) == ["TOO_RECENT"]
    with time_machine.travel(T0 + 2 * YEAR, tick=False):
        assert ask(network["ana"], network["gid"])["errors"] == []
        assert error_codes(ask(network["ana"], network["gid"])) == ["ALREADY_REQUESTED"]
    with time_machine.travel(T0 + 2 * YEAR + timedelta(days=settings.RECONFIRM_COOLDOWN_DAYS + 1), tick=False):
        assert ask(network["ana"], network["gid"])["errors"] == []
        settings.RECONFIRMATION_REQUESTS_PER_DAY = 1
        later = T0 + 2 * YEAR + timedelta(days=2 * settings.RECONFIRM_COOLDOWN_DAYS + 2)
    with time_machine.travel(later, tick=False):
        assert ask(network["ana"], network["gid"])["errors"] == []
    asked = Notification.objects.filter(recipient=network["maria"], kind="endorsement.reconfirmation_requested")
    assert asked.count() == 3


def test_the_daily_cap_on_asking(network, settings):
    settings.RECONFIRMATION_REQUESTS_PER_DAY = 1
    with time_machine.travel(T0, tick=False):
        kwame = make_established("kwame")
        second = endorse(kwame, member=network["ana"], skill="Go", relationship="PEER")
    with time_machine.travel(T0 + 2 * YEAR, tick=False):
        c = client_for(network["ana"])
        assert data_of(gql(c, REQUEST, {"id": network["gid"]}))["requestReconfirmation"]["errors"] == []
        payload = data_of(gql(c, REQUEST, {"id": encode_id("Endorsement", second.pk)}))["requestReconfirmation"]
        assert error_codes(payload) == ["RATE_LIMITED"]
    assert Endorsement.objects.get(pk=second.pk).reconfirmation_requested_at is None


@pytest.mark.parametrize("who", ["maria", "stranger"])
def test_only_the_endorsed_member_asks(network, who):
    user = network.get(who) or make_member("stranger")
    with time_machine.travel(T0 + 2 * YEAR, tick=False):
        payload = data_of(gql(client_for(user), REQUEST, {"id": network["gid"]}))["requestReconfirmation"]
    assert error_codes(payload) == ["NOT_FOUND"]
    assert not Notification.objects.filter(kind="endorsement.reconfirmation_requested").exists()


def test_pages_ask_and_reconfirm(network):
    with time_machine.travel(T0 + 2 * YEAR, tick=False):
        recompute_scores()
        ana = client_for(network["ana"])
        page = ana.get("/settings/endorsements/")
        assert b"Still true? Ask" in page.content
        r = ana.post(f"/endorsements/{network['e'].pk}/ask-reconfirm/", {"next": "/settings/endorsements/"})
        assert r.status_code == 302
        assert refreshed_endorsement(network).reconfirmation_requested_at is not None
        assert b"Asked to re-confirm" in ana.get("/settings/endorsements/").content
        # Another member cannot use either route on it.
        assert client_for(network["maria"]).post(f"/endorsements/{network['e'].pk}/ask-reconfirm/").status_code == 404
        assert ana.post(f"/endorsements/{network['e'].pk}/reconfirm/").status_code == 404
        maria = client_for(network["maria"])
        profile = maria.get("/m/ana/")
        assert b"Still true: re-confirm" in profile.content
        assert maria.post(f"/endorsements/{network['e'].pk}/reconfirm/", {"next": "/m/ana/"}).status_code == 302
        shown = maria.get("/m/ana/").content.decode()
        assert "re-confirmed 5 Jan 2028" in shown
        assert Client().post(f"/endorsements/{network['e'].pk}/reconfirm/").status_code == 302  # to sign-in
    assert math.isclose(refreshed_endorsement(network).weight, network["e"].weight)


def _go_badge(owner, *, issued_on, expires_at=None):
    from badges.models import Badge
    from skills.models import MemberSkill

    return Badge.objects.create(
        owner=owner,
        member_skill=MemberSkill.objects.get(member=owner, skill__name="Go"),
        status="VERIFIED",
        public=True,
        issuer_trust="CONFIRMED",
        issuer_name="Go Academy",
        name="Go badge",
        source_kind="URL",
        source_url=f"https://issuer.example/{owner.username}",
        source_digest=f"{owner.username}-go",
        issued_on=issued_on,
        expires_at=expires_at,
    )


def test_an_old_badge_lends_its_holder_less_standing_unless_it_states_validity():
    with time_machine.travel(T0 + 6 * YEAR, tick=False):
        ana = make_member("ana")
        listing(ana, "Go")
        old, dated = make_established("old"), make_established("dated")
        listing(old, "Go")
        listing(dated, "Go")
        _go_badge(old, issued_on=T0)  # six years old, no stated validity: decays
        _go_badge(dated, issued_on=T0, expires_at=T0 + 10 * YEAR)  # the issuer says it holds until then
        by_old = endorse(old, member=ana, skill="Go", relationship="PEER")
        by_dated = endorse(dated, member=ana, skill="Go", relationship="PEER")
    assert by_old.weight_inputs["verified_badge"] and by_dated.weight_inputs["verified_badge"]
    assert by_old.weight_inputs["badge_age_days"] == pytest.approx(6 * 365.25, abs=1)
    assert by_dated.weight_inputs["badge_age_days"] is None
    assert by_old.weight < by_dated.weight
    assert "(issued 6 years ago)" in by_old.explanation
