"""Authorization of every page: each URL pattern the resolver knows has an entry here, run as anonymous, as the
owner and as another member (tests/authz_world.py) with the status each must get: 200, a redirect to the login
page, 404 for what the caller may not see (never 403: it must look as if it did not exist), 405 for the wrong
method, and nothing written by a refused POST. `test_every_route_has_an_entry` fails when a route is added (or
removed) without its entry.

Third-party URL sets (admin, allauth's pages, allauth headless) are one entry each, keyed by their prefix, with
one representative page: their own tests cover them; what is checked here is that they are mounted as expected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from backpack.models import BadgeCollection
from badges.models import Badge
from endorsements.models import Endorsement, EndorsementRequest
from notifications.models import Notification
from profiles.models import Block, Profile
from profiles.tests.factories import PASSWORD
from skills.models import MemberSkill
from tests.authz_world import ROLES, World, build_world, changes, snapshot
from vouch.testing import client_for


@dataclass(frozen=True)
class Outcome:
    status: int
    login: bool = False  # a redirect to the login page, back to this page afterwards
    location: Callable[[World], str] | None = None
    unchanged: bool = False  # nothing written
    check: Callable[[World, Any], bool] | None = None


LOGIN = Outcome(302, login=True, unchanged=True)
NOT_FOUND = Outcome(404, unchanged=True)


def shown(status: int = 200, check: Callable[[World, Any], bool] | None = None) -> Outcome:
    """A page that is read (GET): answered with `status`, nothing written."""
    return Outcome(status, unchanged=True, check=check)


def done(check: Callable[[World, Any], bool] | None = None, location: Callable[[World], str] | None = None) -> Outcome:
    """A POST that succeeded: redirected (post/redirect/get), with what `check` says it wrote."""
    return Outcome(302, location=location, check=check)


def refused(status: int) -> Outcome:
    return Outcome(status, unchanged=True)


@dataclass(frozen=True)
class Page:
    path: Callable[[World], str]
    anonymous: Outcome
    owner: Outcome
    other: Outcome
    method: str = "GET"
    data: Callable[[World], dict[str, Any]] = field(default=lambda w: {})


def _unsubscribe_token(w: World) -> str:
    from notifications.mail import make_token

    return make_token(w.olive.pk, "endorsement_request.received", 0)


def _opted_out() -> list[str]:
    from insights.models import ViewsOptOut

    return sorted(ViewsOptOut.objects.values_list("member__username", flat=True))


def _reconfirm_path(w: World) -> str:
    from endorsements.reconfirm_links import reconfirm_path

    return reconfirm_path(w.e_given.pk, w.olive.pk)


def text(response: Any) -> str:
    return response.content.decode(errors="replace")


def has(*needles: str) -> Callable[[World, Any], bool]:
    return lambda w, r: all(n in text(r) for n in needles)


def lacks(*needles: str) -> Callable[[World, Any], bool]:
    return lambda w, r: not any(n in text(r) for n in needles)


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def gone(obj: Any) -> bool:
    return not type(obj).objects.filter(pk=obj.pk).exists()


def post(
    path: Callable[[World], str],
    data: Callable[[World], dict[str, Any]] | None = None,
    *,
    owner: Outcome,
    other: Outcome,
) -> Page:
    """A form target: anonymous visitors are sent to log in and nothing is written."""
    return Page(path, anonymous=LOGIN, owner=owner, other=other, method="POST", data=data or (lambda w: {}))


def private(
    path: Callable[[World], str], *, owner_sees: tuple[str, ...] = (), other_lacks: tuple[str, ...] = ()
) -> Page:
    """A signed-in member's own page: each member sees their own, never the owner's data."""
    return Page(path, anonymous=LOGIN, owner=shown(200, has(*owner_sees)), other=shown(200, lacks(*other_lacks)))


PAGES: dict[str, Page] = {
    # --- vouch/urls.py --------------------------------------------------------------------------------------------
    "graphql/": Page(lambda w: "/graphql/", anonymous=shown(), owner=shown(), other=shown()),  # GraphiQL in a browser
    "healthz": Page(lambda w: "/healthz", anonymous=shown(), owner=shown(), other=shown()),
    "^media/(?P<path>.*)$": Page(
        lambda w: "/media/avatars/none.jpg", anonymous=NOT_FOUND, owner=NOT_FOUND, other=NOT_FOUND
    ),
    "_allauth/": Page(
        lambda w: "/_allauth/browser/v1/auth/session", anonymous=shown(401), owner=shown(), other=shown()
    ),
    "accounts/": Page(
        lambda w: "/accounts/email/",
        anonymous=LOGIN,
        owner=shown(200, has("olive@example.com")),
        other=shown(200, lacks("olive@example.com")),
    ),
    "admin/": Page(
        lambda w: "/admin/",
        anonymous=Outcome(302, location=lambda w: "/admin/login/?next=/admin/"),
        owner=Outcome(302, location=lambda w: "/admin/login/?next=/admin/"),  # members are not staff
        other=Outcome(302, location=lambda w: "/admin/login/?next=/admin/"),
    ),
    # --- frontend/urls.py -----------------------------------------------------------------------------------------
    "": Page(
        lambda w: "/?q=o&text=1",
        anonymous=shown(200, lacks("Olive Owner")),
        owner=shown(200, has("Olive Owner")),
        other=shown(200, has("Olive Owner")),
    ),
    # Olive's profile is MEMBERS-only; her hidden endorsement shows to nobody else.
    "how-scores-work/": Page(
        lambda w: "/how-scores-work/",
        anonymous=shown(200, has("How scores work", "Self-declared executive")),
        owner=shown(),
        other=shown(),
    ),
    "m/<str:username>/": Page(
        lambda w: "/m/olive/", anonymous=NOT_FOUND, owner=shown(200, has("Olive Owner")), other=shown(200, lacks("Meh"))
    ),
    "m/<str:username>/confirm-seniority/": post(
        lambda w: "/m/dina/confirm-seniority/",
        owner=done(lambda w, r: fresh(w.dina.profile).seniority_confirmed == "LEAD"),  # olive administers Acme
        other=NOT_FOUND,
    ),
    "m/<str:username>/endorse/": post(
        lambda w: "/m/olive/endorse/",
        lambda w: {"skill": "Go", "relationship": "PEER"},
        owner=refused(400),  # not herself
        other=done(lambda w, r: Endorsement.objects.filter(endorser=w.otto, member=w.olive).exists()),
    ),
    "me/": Page(
        lambda w: "/me/",
        anonymous=LOGIN,
        owner=Outcome(302, location=lambda w: "/m/olive/", unchanged=True),
        other=Outcome(302, location=lambda w: "/m/otto/", unchanged=True),
    ),
    "endorsements/<int:endorsement_id>/withdraw/": post(
        lambda w: f"/endorsements/{w.e_given.pk}/withdraw/", owner=done(lambda w, r: gone(w.e_given)), other=NOT_FOUND
    ),
    "endorsements/<int:endorsement_id>/reconfirm/": post(
        lambda w: f"/endorsements/{w.e_given.pk}/reconfirm/",
        owner=done(lambda w, r: fresh(w.e_given).reconfirmed_at is not None),
        other=NOT_FOUND,
    ),
    "endorsements/<int:endorsement_id>/ask-reconfirm/": post(
        lambda w: f"/endorsements/{w.e_visible.pk}/ask-reconfirm/",
        owner=done(lambda w, r: fresh(w.e_visible).reconfirmation_requested_at is not None),
        other=NOT_FOUND,
    ),
    # The signed link is the authority (e-mailed to the endorser, olive): GET asks and changes nothing, for anyone.
    "reconfirm/<str:token>/": Page(
        lambda w: _reconfirm_path(w),
        anonymous=shown(200, has("Still true?", "Carol")),
        owner=shown(200, has("Still true?")),
        other=shown(200, has("Still true?")),
    ),
    "endorsements/<int:endorsement_id>/hidden/": post(
        lambda w: f"/endorsements/{w.e_visible.pk}/hidden/",
        lambda w: {"hidden": "1"},
        owner=done(lambda w, r: fresh(w.e_visible).hidden),
        other=NOT_FOUND,
    ),
    # Aggregates only, for anyone; a signed-in member also sees their own suggestions and preference.
    "insights/": Page(
        lambda w: "/insights/",
        anonymous=shown(200, lacks("Skills to strengthen")),
        owner=shown(200, has("Skills to strengthen", "Don’t count views of my profile")),
        other=shown(200, has("Skills to strengthen")),
    ),
    "insights/preferences/": post(
        lambda w: "/insights/preferences/",
        lambda w: {"counted": "0"},
        owner=done(lambda w, r: _opted_out() == ["olive"], location=lambda w: "/insights/#your-privacy"),
        other=done(lambda w, r: _opted_out() == ["otto"], location=lambda w: "/insights/#your-privacy"),
    ),
    "settings/": private(lambda w: "/settings/", owner_sees=("Olive Owner",), other_lacks=("Olive Owner",)),
    "settings/skills/": private(lambda w: "/settings/skills/"),
    "settings/skills/add/": post(
        lambda w: "/settings/skills/add/",
        lambda w: {"name": "Kotlin"},
        owner=done(lambda w, r: MemberSkill.objects.filter(member=w.olive, skill__name="Kotlin").exists()),
        other=done(lambda w, r: not MemberSkill.objects.filter(member=w.olive, skill__name="Kotlin").exists()),
    ),
    "settings/skills/reorder/": post(
        lambda w: "/settings/skills/reorder/",
        lambda w: {"order": f"{w.ms_go.pk},{w.ms_python.pk}"},
        owner=done(lambda w, r: fresh(w.ms_go).position < fresh(w.ms_python).position),
        other=Outcome(302, unchanged=True),  # "that order could not be saved"
    ),
    "settings/skills/<int:member_skill_id>/remove/": post(
        lambda w: f"/settings/skills/{w.ms_python.pk}/remove/",
        owner=done(lambda w, r: gone(w.ms_python)),
        other=NOT_FOUND,
    ),
    "settings/skills/<int:member_skill_id>/move/": post(
        lambda w: f"/settings/skills/{w.ms_go.pk}/move/",
        lambda w: {"direction": "up"},
        owner=done(lambda w, r: fresh(w.ms_go).position < fresh(w.ms_python).position),
        other=NOT_FOUND,
    ),
    "settings/skills/<int:member_skill_id>/endorsements/": post(
        lambda w: f"/settings/skills/{w.ms_python.pk}/endorsements/",
        lambda w: {"enabled": "0"},
        owner=done(lambda w, r: not fresh(w.ms_python).endorsements_enabled),
        other=NOT_FOUND,
    ),
    "settings/endorsements/": private(lambda w: "/settings/endorsements/", owner_sees=("Meh",), other_lacks=("Meh",)),
    "settings/blocked/": private(lambda w: "/settings/blocked/", owner_sees=("Bert",), other_lacks=("Bert",)),
    "settings/endorsements/controls/": post(
        lambda w: "/settings/endorsements/controls/",
        lambda w: {"who_may_endorse": "ONLY_ASKED", "review_before_showing": "on"},
        owner=done(
            lambda w, r: Profile.objects.filter(
                user=w.olive, who_may_endorse="ONLY_ASKED", review_before_showing=True
            ).exists()
        ),
        # The settings changed are always the caller's own.
        other=done(
            lambda w, r: (
                Profile.objects.filter(user=w.olive, who_may_endorse="ANYONE").exists()
                and Profile.objects.filter(user=w.otto, who_may_endorse="ONLY_ASKED").exists()
            )
        ),
    ),
    "settings/blocked/add/": post(
        lambda w: "/settings/blocked/add/",
        lambda w: {"username": "carol", "confirm": "1"},
        owner=done(lambda w, r: Block.objects.filter(blocker=w.olive, blocked=w.carol).exists()),
        other=done(lambda w, r: not Block.objects.filter(blocker=w.olive, blocked=w.carol).exists()),
    ),
    "settings/blocked/remove/": post(
        lambda w: "/settings/blocked/remove/",
        lambda w: {"username": "bert"},
        owner=done(lambda w, r: not Block.objects.filter(blocker=w.olive).exists()),
        other=Outcome(302, unchanged=True),  # nothing of his to undo; olive's block stays
    ),
    "settings/notifications/": private(lambda w: "/settings/notifications/"),
    "settings/data/": private(lambda w: "/settings/data/"),
    "settings/export.json": Page(
        lambda w: "/settings/export.json",
        anonymous=LOGIN,
        owner=shown(200, has('"username": "olive"', "olive@example.com")),
        other=shown(200, lacks("olive@example.com")),
    ),
    # The account deleted is the caller's own, whoever types which password.
    "settings/delete/": post(
        lambda w: "/settings/delete/",
        lambda w: {"password": PASSWORD},
        owner=done(lambda w, r: gone(w.olive), location=lambda w: "/"),
        other=done(lambda w, r: gone(w.otto) and not gone(w.olive), location=lambda w: "/"),
    ),
    # The signed token is the authority (RFC 8058 one-click, no login): the same answer whoever is signed in;
    # GET asks and changes nothing, POST unsubscribes olive (the token's member) only.
    "unsubscribe/<str:token>/": Page(
        lambda w: f"/unsubscribe/{_unsubscribe_token(w)}/",
        anonymous=shown(200, has("Unsubscribe?")),
        owner=shown(200, has("Unsubscribe?")),
        other=shown(200, has("Unsubscribe?")),
    ),
    "requests/": private(
        lambda w: "/requests/", owner_sees=("Please?", "Pat Public"), other_lacks=("Please?", "Pat Public")
    ),
    "requests/new/": post(
        lambda w: "/requests/new/",
        lambda w: {"recipient": "carol", "skill": "Go", "relationship": "PEER"},
        owner=done(lambda w, r: EndorsementRequest.objects.filter(requester=w.olive, recipient=w.carol).exists()),
        other=refused(400),  # not one of his skills
    ),
    "requests/<int:request_id>/respond/": post(
        lambda w: f"/requests/{w.r_incoming.pk}/respond/",
        lambda w: {"accept": "1"},
        owner=done(lambda w, r: fresh(w.r_incoming).status == "ACCEPTED"),
        other=NOT_FOUND,
    ),
    "requests/<int:request_id>/cancel/": post(
        lambda w: f"/requests/{w.r_outgoing.pk}/cancel/",
        owner=done(lambda w, r: fresh(w.r_outgoing).status == "CANCELLED"),
        other=NOT_FOUND,
    ),
    "requests/<int:request_id>/remind/": post(
        lambda w: f"/requests/{w.r_outgoing.pk}/remind/",
        owner=Outcome(302, unchanged=True),  # hers, but asked just now: TOO_SOON (endorsements/tests/test_reminders.py)
        other=NOT_FOUND,
    ),
    "notifications/": private(lambda w: "/notifications/"),
    "notifications/read/": post(
        lambda w: "/notifications/read/",
        lambda w: {"id": str(w.n_olive.pk)},
        owner=done(lambda w, r: fresh(w.n_olive).read_at is not None),
        other=NOT_FOUND,
    ),
    "badges/": private(lambda w: "/badges/", owner_sees=("Private badge",), other_lacks=("Private badge",)),
    "badges/import/": post(
        lambda w: "/badges/import/",
        lambda w: {"assertion": '{"not": "a badge"}', "member_skill": str(w.ms_python.pk)},
        owner=done(lambda w, r: Badge.objects.filter(owner=w.olive).count() == 3),
        other=refused(400),  # olive's listing is not one of his choices
    ),
    "badges/<int:badge_id>/skill/": post(
        lambda w: f"/badges/{w.b_private.pk}/skill/",
        lambda w: {"member_skill": str(w.ms_go.pk)},
        owner=done(lambda w, r: fresh(w.b_private).member_skill_id == w.ms_go.pk),
        other=NOT_FOUND,
    ),
    "badges/<int:badge_id>/public/": post(
        lambda w: f"/badges/{w.b_private.pk}/public/",
        lambda w: {"public": "1"},
        owner=done(lambda w, r: fresh(w.b_private).public),
        other=NOT_FOUND,
    ),
    "badges/<int:badge_id>/check/": post(
        lambda w: f"/badges/{w.b_private.pk}/check/",
        owner=done(lambda w, r: fresh(w.b_private).verification_requested_at is not None),
        other=NOT_FOUND,
    ),
    "badges/<int:badge_id>/delete/": post(
        lambda w: f"/badges/{w.b_private.pk}/delete/", owner=done(lambda w, r: gone(w.b_private)), other=NOT_FOUND
    ),
    # A private badge's page: its owner only.
    "b/<str:ident>/": Page(
        lambda w: f"/b/{w.b_private.public_id}/",
        anonymous=NOT_FOUND,
        owner=shown(200, has("Private badge")),
        other=NOT_FOUND,
    ),
    "m/<str:username>/card.png": Page(  # share images show what anyone sees: public profiles only
        lambda w: "/m/pat/card.png",
        anonymous=shown(200, lambda w, r: r["Content-Type"] == "image/png"),
        owner=shown(200, lambda w, r: r["Content-Type"] == "image/png"),
        other=shown(200, lambda w, r: r["Content-Type"] == "image/png"),
    ),
    "m/<str:username>/embed": Page(lambda w: "/m/olive/embed", anonymous=NOT_FOUND, owner=NOT_FOUND, other=NOT_FOUND),
    # --- backpack/urls.py: badge collections ---------------------------------------------------------------------
    "badges/collections/": private(
        lambda w: "/badges/collections/", owner_sees=("Shared set", "Private set"), other_lacks=("Shared set",)
    ),
    "badges/collections/new/": post(
        lambda w: "/badges/collections/new/",
        lambda w: {"name": "New set", "badges": [str(w.b_private.pk)]},
        owner=done(lambda w, r: BadgeCollection.objects.filter(owner=w.olive, name="New set").exists()),
        # otto cannot put olive's badge in a collection: refused, nothing written
        other=Outcome(302, unchanged=True),
    ),
    "badges/collections/<int:collection_id>/": post(
        lambda w: f"/badges/collections/{w.col_private.pk}/",
        lambda w: {"name": "Renamed", "public": "1"},
        owner=done(lambda w, r: fresh(w.col_private).name == "Renamed" and fresh(w.col_private).public),
        other=NOT_FOUND,
    ),
    "badges/collections/<int:collection_id>/delete/": post(
        lambda w: f"/badges/collections/{w.col_private.pk}/delete/",
        owner=done(lambda w, r: gone(w.col_private)),
        other=NOT_FOUND,
    ),
    "c/<str:public_id>/": Page(  # olive is MEMBERS-only: her shared collection is for members; the private badge hers
        lambda w: f"/c/{w.col_shared.public_id}/",
        anonymous=NOT_FOUND,
        owner=shown(200, has("Shared set", "Public badge", "Private badge")),
        other=shown(200, lacks("Private badge")),
    ),
    # --- credentials/urls.py (docs/credentials.md) ----------------------------------------------------------------
    "settings/linked-profiles/": private(
        lambda w: "/settings/linked-profiles/",
        owner_sees=("https://vouch-elsewhere.example/m/olive/",),
        other_lacks=("vouch-elsewhere.example",),
    ),
    "settings/linked-profiles/<int:link_id>/delete/": post(
        lambda w: f"/settings/linked-profiles/{w.link.pk}/delete/",
        owner=done(lambda w, r: gone(w.link)),
        other=NOT_FOUND,
    ),
    ".well-known/did.json": Page(lambda w: "/.well-known/did.json", anonymous=shown(), owner=shown(), other=shown()),
    "m/<str:username>/did.json": Page(lambda w: "/m/olive/did.json", anonymous=NOT_FOUND, owner=shown(), other=shown()),
    "m/<str:username>/status/<int:number>": Page(
        lambda w: "/m/olive/status/0", anonymous=NOT_FOUND, owner=shown(), other=shown()
    ),
    "m/<str:username>/credential": Page(
        lambda w: "/m/olive/credential",
        anonymous=NOT_FOUND,
        owner=shown(200, lacks("Meh", "Private badge")),  # hidden and private things never leave
        other=shown(200, lacks("Meh", "Private badge")),
    ),
    "e/<str:public_id>/credential": Page(
        lambda w: _credential_path(w.e_hidden), anonymous=NOT_FOUND, owner=shown(200, has("Meh")), other=NOT_FOUND
    ),
}


def _credential_path(endorsement: Endorsement) -> str:
    from credentials.issuing import public_id

    return f"/e/{public_id(endorsement.pk)}/credential"


# Third-party URL sets mounted as a whole: one entry for the prefix.
INCLUDED = {"_allauth/", "accounts/", "admin/"}


def routes() -> set[str]:
    """Every route of the project: full patterns of our URLconfs, the prefix of third-party ones."""
    found: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                module = getattr(pattern.urlconf_module, "__name__", "")
                if module.startswith(("vouch.", "frontend.", "credentials.", "backpack.", "insights.")):
                    walk(pattern.url_patterns, route)
                else:
                    found.add(route)
            else:
                assert isinstance(pattern, URLPattern)
                found.add(route)

    walk(get_resolver().url_patterns, "")
    return found


def test_every_route_has_an_entry():
    known = routes()
    assert known >= INCLUDED, f"third-party URL sets no longer mounted: {sorted(INCLUDED - known)}"
    assert not known - set(PAGES), f"routes without an authorization entry: {sorted(known - set(PAGES))}"
    assert not set(PAGES) - known, f"entries for routes that no longer exist: {sorted(set(PAGES) - known)}"


def _request(client: Client, page: Page, w: World, method: str | None = None) -> Any:
    method = method or page.method
    path = page.path(w)
    if method == "POST":
        return client.post(path, page.data(w))
    return client.get(path, HTTP_ACCEPT="text/html")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(PAGES))
def test_page(route, role):
    page = PAGES[route]
    expected: Outcome = getattr(page, role)
    w = build_world()
    client = client_for(w.user(role))
    before = snapshot()
    response = _request(client, page, w)
    assert response.status_code == expected.status, (
        response.status_code,
        response.get("Location"),
        text(response)[:300],
    )
    if expected.login:
        assert response["Location"].startswith("/accounts/login/?next="), response["Location"]
    if expected.location is not None:
        assert response["Location"] == expected.location(w)
    if expected.unchanged:
        assert changes(before, snapshot()) == []
    if expected.check is not None:
        assert expected.check(w, response), text(response)[:2000]


POST_ONLY = sorted(route for route, page in PAGES.items() if page.method == "POST")


@pytest.mark.django_db
@pytest.mark.parametrize("route", POST_ONLY)
def test_form_targets_refuse_get(route):
    """A form target read with GET: anonymous visitors are sent to log in, members get 405; nothing is written."""
    page = PAGES[route]
    w = build_world()
    anonymous, owner = client_for(None), client_for(w.olive)
    before = snapshot()
    response = _request(anonymous, page, w, "GET")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert _request(owner, page, w, "GET").status_code == 405
    assert changes(before, snapshot()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("route", POST_ONLY)
def test_form_targets_refuse_a_cross_site_post(route):
    """The owner's session cookie without the CSRF token (what a forged cross-site form sends): 403, nothing written."""
    page = PAGES[route]
    w = build_world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.olive)
    before = snapshot()
    assert _request(client, page, w).status_code == 403
    assert changes(before, snapshot()) == []


@pytest.mark.django_db
def test_a_public_badge_of_a_members_only_profile_is_not_shown_to_anonymous_visitors():
    w = build_world()
    assert client_for(None).get(f"/b/{w.b_public.public_id}/").status_code == 404
    page = client_for(w.otto).get(f"/b/{w.b_public.public_id}/")
    assert page.status_code == 200
    assert "olive@example.com" not in text(page)  # the recipient identity is the owner's alone


@pytest.mark.django_db
def test_a_private_profile_is_not_reachable_by_its_id_either():
    """Pages take usernames and own ids only; a member's numeric ids of others' objects answer 404 everywhere."""
    w = build_world()
    other = client_for(w.otto)
    for path in (
        f"/settings/skills/{w.ms_python.pk}/move/",
        f"/badges/{w.b_public.pk}/delete/",
        f"/requests/{w.r_outgoing.pk}/respond/",
        f"/endorsements/{w.e_hidden.pk}/hidden/",
    ):
        before = snapshot()
        assert other.post(path, {"direction": "up", "accept": "1", "hidden": "0"}).status_code == 404, path
        assert changes(before, snapshot()) == []
    assert Profile.objects.get(user=w.olive).visibility == "MEMBERS"
    assert Notification.objects.filter(recipient=w.olive, read_at__isnull=False).count() == 0
