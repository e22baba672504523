"""Every page through axe-core (npm, tests/browser/axe/) at desktop width and at a phone's 390 px: as an anonymous
visitor and as a signed-in demo member. No serious or critical violation may remain; at 390 px no page scrolls
sideways, the header's log-out is reachable, a search result shows its score under the name, and a profile's
endorse form is reachable from each skill. Screenshots of the phone layouts go to docs/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, shoot

# The session fixture seeds the demo network in a subprocess: minutes on a loaded 2-core machine.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

DEMO_PASSWORD = "vouch-demo-2026"

ANONYMOUS = [
    "/",
    "/?skill=Python",
    "/?q=zzqxv-nobody",
    "/?skill=Kubernets",
    "/how-scores-work/",
    "/m/ana/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/insights/",
    "/m/ana/embed",
]
SIGNED_IN = [
    "/m/ana/",
    "/m/maria/",
    "/?skill=Kubernetes",
    "/settings/",
    "/settings/skills/",
    "/settings/endorsements/",
    "/settings/blocked/",
    "/settings/notifications/",
    "/settings/data/",
    "/requests/",
    "/notifications/",
    "/badges/",
    "/badges/collections/",
    "/settings/linked-profiles/",
    "/insights/",
]


def _log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("button", has_text="Log out")).to_be_attached()


def _public_badge_path(page) -> str | None:
    page.goto("/?skill=Kubernetes")
    for href in page.locator("a[href^='/m/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")[:10]:
        page.goto(href)
        link = page.locator("a.badge-chip[href^='/b/']").first
        if link.count():
            return link.get_attribute("href")
    return None


def _audit(page, axe_source: str, paths: list[str], *, phone: bool) -> list[str]:
    problems: list[str] = []
    for path in paths:
        page.goto(path)
        problems += axe_violations(page, axe_source)
        if phone:
            wide = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if wide > 0:
                culprits = page.evaluate(
                    """() => [...document.querySelectorAll('main *')]
                        .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                                      && ![...el.children].some(c => c.getBoundingClientRect().right
                                                                    > document.documentElement.clientWidth + 1))
                        .slice(0, 3).map(el => el.tagName.toLowerCase() + '.' + el.className)"""
                )
                problems.append(f"{page.url}: scrolls sideways by {wide}px at 390 px ({', '.join(culprits)})")
    return problems


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_every_page_passes_axe(live, new_page, axe_source, phone):
    visitor = new_page(mobile=phone)
    badge = _public_badge_path(visitor)
    assert badge is not None, "the demo network shows a public verified badge"
    problems = _audit(visitor, axe_source, [*ANONYMOUS, badge], phone=phone)

    ana = new_page(mobile=phone)
    _log_in(ana, "ana@northwind.example", DEMO_PASSWORD)
    problems += _audit(ana, axe_source, SIGNED_IN, phone=phone)
    # A form with errors (the error ids its fields point at must exist) and a flash message.
    ana.goto("/badges/")
    ana.fill("#id_assertion", "this is not a badge")
    with ana.expect_navigation():
        ana.locator("#id_assertion").evaluate("el => el.form.requestSubmit()")
    problems += axe_violations(ana, axe_source)
    # Blocking asks first: the confirmation page.
    ana.goto("/m/maria/")
    with ana.expect_navigation():
        ana.locator("form[action='/settings/blocked/add/'] button").first.click()
    expect(ana.locator("form[action='/settings/blocked/add/']")).to_be_attached()
    problems += axe_violations(ana, axe_source)
    assert problems == [], "\n".join(problems)


def test_phone_width_layouts(live, new_page):
    phone = new_page(mobile=True)
    _log_in(phone, "ana@northwind.example", DEMO_PASSWORD)
    expect(phone.get_by_role("button", name="Log out")).to_be_visible()

    phone.goto("/?skill=Python")
    result = phone.locator(".result").first
    name_box = result.locator(".result__name").bounding_box()
    score_box = result.locator(".result__score").bounding_box()
    assert name_box and score_box and score_box["y"] >= name_box["y"] + name_box["height"] - 1, (name_box, score_box)
    shoot(phone, "search-phone")

    phone.goto("/m/maria/")
    endorse = phone.locator(".skill").first.locator("a.skill__endorse")
    expect(endorse).to_be_visible()
    endorse.click()
    expect(phone.locator("#endorse")).to_be_in_viewport()
    shoot(phone, "profile-other-phone")

    phone.goto("/badges/")
    shoot(phone, "badges-phone")
    assert phone.console_errors == [], phone.console_errors
