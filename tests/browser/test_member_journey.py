"""The whole mission in a real browser: sign up, verify, list skills, ask for an endorsement; a second member
accepts from the inbox; the first sees the bell update live and the endorsement with its explanation; hides it and
an anonymous visitor no longer sees it; a baked badge image is imported and shown as verified evidence.
Screenshots of the main pages are saved to docs/screenshots/ on the way."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from badges.tests.issuer import LocalIssuer, bake_png
from tests.browser.conftest import shoot

# The session fixture seeds the demo network in a subprocess: minutes on a loaded 2-core machine.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

PASSWORD = "a-long-pass-phrase-for-nia-7"
DEMO_PASSWORD = "vouch-demo-2026"


def _verification_link(mail_dir, email: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sorted(mail_dir.glob("*.log")):
            text = message.read_text()
            if email in text:
                found = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", text)
                if found:
                    return found.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no verification e-mail for {email} in {mail_dir}")


def _log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("button", has_text="Log out")).to_be_visible()


def test_sign_up_endorse_live_bell_hide_and_badge(live, new_page, mail_dir, tmp_path):
    issuer = LocalIssuer()
    try:
        _journey(live, new_page, mail_dir, tmp_path, issuer)
    finally:
        issuer.close()


def _journey(live, new_page, mail_dir, tmp_path, issuer):
    # --- an anonymous visitor: home and search work without signing in --------------------------------------
    visitor = new_page()
    visitor.goto("/")
    expect(visitor.get_by_role("heading", name="Find people by what they’re good at")).to_be_visible()
    shoot(visitor, "home")
    visitor.fill("#id_skill", "Pyth")
    expect(visitor.locator(".autocomplete__option", has_text="Python")).to_be_visible()  # GraphQL skills(search:)
    visitor.locator(".autocomplete__option", has_text="Python").click()
    visitor.locator("form.search-form button[type=submit]").click()
    expect(visitor.get_by_role("heading", name="People with Python")).to_be_visible()
    shoot(visitor, "search")

    # --- Nia signs up and verifies her address -------------------------------------------------------------
    nia = new_page()
    nia.goto("/accounts/signup/")
    nia.fill("#id_email", "nia@example.com")
    nia.fill("#id_username", "nia")
    nia.fill("#id_password1", PASSWORD)
    nia.fill("#id_password2", PASSWORD)
    shoot(nia, "signup")
    nia.locator("main form button[type=submit]").click()
    expect(nia.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    nia.goto(_verification_link(mail_dir, "nia@example.com"))
    nia.get_by_role("button", name="Confirm").click()
    # --- the first login lands on "Complete your profile": seniority is chosen, not assumed ----------------------
    expect(nia).to_have_url(re.compile(r"/settings/\?welcome=1$"))
    expect(nia.get_by_role("heading", name="Complete your profile")).to_be_visible()
    expect(nia.locator("#id_seniority")).to_have_value("")
    nia.fill("#id_display_name", "Nia Adeyemi")
    nia.fill("#id_headline", "Platform engineer who keeps clusters boring")
    nia.select_option("#id_seniority", "SENIOR")
    nia.fill("#id_organisation", "Northwind Labs")
    shoot(nia, "settings")
    nia.get_by_role("button", name="Save profile").click()
    expect(nia.get_by_text("Welcome to Vouch. Next: list the skills you want people to vouch for.")).to_be_visible()
    expect(nia).to_have_url(re.compile(r"/settings/skills/$"))
    for typed, chosen in (("Kube", "Kubernetes"), ("Terra", "Terraform"), ("Go", None)):
        nia.fill("#id_name", typed)
        if chosen:
            nia.locator(".autocomplete__option", has_text=chosen).first.click()
        nia.get_by_role("button", name="Add skill").click()
        expect(nia.locator(".message--success")).to_be_visible()
    skills = nia.locator("ol.sortable > li strong")
    expect(skills).to_have_text(["Kubernetes", "Terraform", "Go"])
    nia.get_by_role("button", name="Move Go up").click()
    expect(skills).to_have_text(["Kubernetes", "Go", "Terraform"])
    shoot(nia, "settings-skills")

    # --- she asks Maria (member autocomplete) to endorse Kubernetes ------------------------------------------
    nia.goto("/requests/")
    nia.fill("#id_recipient", "maria")
    nia.locator(".autocomplete__option", has_text="@maria").first.click()
    expect(nia.locator("#id_recipient")).to_have_value("maria")
    nia.select_option("#id_skill", label="Kubernetes")
    nia.select_option("#id_relationship", "MANAGER")
    nia.fill("#id_message", "You saw the cluster migration up close. Would you vouch for it?")
    nia.get_by_role("button", name="Send request").click()
    expect(nia.get_by_text("Asked Maria Okafor to endorse your Kubernetes.")).to_be_visible()
    expect(nia.locator("section[aria-labelledby=outbox-title] li").first).to_contain_text("Pending")
    shoot(nia, "requests")

    # Nia waits on her profile with the live socket open.
    nia.goto("/m/nia/")
    expect(nia.locator("body[data-live=open]")).to_be_attached()
    bell = nia.locator("[data-unread-count]")
    expect(bell).to_have_attribute("data-count", "0")

    # --- Maria accepts from her inbox --------------------------------------------------------------------------
    maria = new_page()
    _log_in(maria, "maria@northwind.example", DEMO_PASSWORD)
    maria.goto("/requests/")
    request = maria.locator("li.request", has_text="Nia Adeyemi")
    expect(request).to_contain_text("Kubernetes")
    shoot(maria, "requests-inbox")
    request.locator("textarea").fill("Nia led our move to Kubernetes; zero downtime.")
    request.get_by_role("button", name="Accept and endorse").click()
    expect(maria.get_by_text("You endorsed Nia Adeyemi for Kubernetes.")).to_be_visible()

    # --- Nia's bell updates without a reload, and the endorsement shows with its explanation ----------------------
    expect(bell).to_have_attribute("data-count", "1")
    expect(nia.locator(".toast")).to_contain_text("Maria Okafor accepted your request for Kubernetes.")
    # … and her own profile's Kubernetes count and score update in place, without a reload.
    expect(nia.locator("#skill-kubernetes .stat strong")).to_have_text("1")
    expect(nia.locator("#skill-kubernetes .skill__score")).not_to_have_text("0.0")
    nia.reload()
    endorser = nia.locator(".endorser", has_text="Maria Okafor")
    expect(endorser).to_contain_text("Nia led our move to Kubernetes; zero downtime.")
    explanation = endorser.locator(".endorser__why")
    expect(explanation).to_contain_text("Nia")
    assert len(explanation.inner_text()) > 20
    expect(nia.locator(".skill", has_text="Kubernetes").locator(".skill__score")).not_to_have_text("0.0")

    # --- a baked badge image, verified against its issuer, shown as evidence for Kubernetes ----------------------
    baked = tmp_path / "kubernetes-badge.png"
    baked.write_bytes(bake_png(issuer.hosted("nia@example.com")))
    nia.goto("/badges/")
    nia.set_input_files("#id_image", str(baked))
    nia.select_option("#id_member_skill", label="Kubernetes")
    nia.get_by_role("button", name="Upload image").click()
    card = nia.locator(".badge-card").first
    expect(card).to_contain_text("Verified")
    shoot(nia, "badges")
    card.get_by_role("link", name="Verification report").click()
    expect(nia.get_by_text("Issued to a verified email address of Nia Adeyemi")).to_be_visible()
    shoot(nia, "badge")

    visitor.goto("/m/nia/")
    evidence = visitor.locator(".skill", has_text="Kubernetes").locator(".badge-chip")
    expect(evidence).to_contain_text("Verified badge")
    expect(visitor.locator(".endorser", has_text="Maria Okafor")).to_be_visible()
    shoot(visitor, "profile")
    phone = new_page(mobile=True)
    phone.goto("/m/nia/")
    shoot(phone, "profile-phone")
    evidence.click()
    expect(visitor.get_by_role("heading", name="Verification checks")).to_be_visible()
    assert "nia@example.com" not in visitor.content()

    # --- notifications page --------------------------------------------------------------------------------------
    nia.goto("/notifications/")
    expect(nia.locator(".notification").first).to_contain_text("Your badge")
    shoot(nia, "notifications")
    nia.get_by_role("button", name="Mark all as read").click()
    expect(nia.locator("[data-unread-count]")).to_have_attribute("data-count", "0")
    # A notification inserted live has its own "Mark read" button, which works.
    maria.goto("/m/nia/?skill=Terraform#endorse")
    expect(maria.locator("#endorse select[name=skill]")).to_have_value("Terraform")  # chosen from the skill's link
    maria.locator("#endorse").get_by_role("button", name="Endorse").click()
    live_item = nia.locator(".notification", has_text="Maria Okafor endorsed you for Terraform.")
    expect(live_item).to_be_visible()
    expect(nia.locator("[data-unread-count]")).to_have_attribute("data-count", "1")
    live_item.get_by_role("button", name="Mark read").click()
    expect(nia.locator("[data-unread-count]")).to_have_attribute("data-count", "0")

    # --- Nia hides Maria's endorsement; an anonymous visitor no longer sees it ----------------------------------------
    nia.goto("/m/nia/")
    nia.locator("#skill-kubernetes .endorser", has_text="Maria Okafor").get_by_role(
        "button", name=re.compile("^Hide")
    ).click()
    expect(nia.get_by_text("Endorsement hidden: only you can see it now.")).to_be_visible()
    expect(nia.locator("#skill-kubernetes .endorser", has_text="Maria Okafor")).to_contain_text(
        "Hidden — only you see this"
    )
    visitor.goto("/m/nia/")
    expect(visitor.locator("#skill-kubernetes .endorser", has_text="Maria Okafor")).to_have_count(0)
    expect(visitor.locator(".skill", has_text="Kubernetes").locator(".stat strong")).to_have_text("0")

    for page in (visitor, nia, maria, phone):
        assert page.console_errors == [], page.console_errors  # a CSP violation would show here
