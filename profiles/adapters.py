"""allauth adapters: every new account gets a Profile and a clean handle; app session tokens name their member."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.core.exceptions import ValidationError

from profiles.actors import is_signed_in
from profiles.error_codes import ProfileErrorCode
from profiles.services import ensure_profile, username_from_email

if TYPE_CHECKING:
    from profiles.models import User


def user_for_session_token(token: str) -> User | None:
    """The active member an allauth headless app session token (`X-Session-Token`) belongs to; None for a token
    that is unknown, expired or logged out. The one caller of allauth's internal authenticate_by_x_session_token,
    whose return type has changed between releases (a (user, session) pair before 65, a result object since)."""
    from allauth.headless.internal.sessionkit import authenticate_by_x_session_token

    result: Any = authenticate_by_x_session_token(token)
    if result is None:
        return None
    user = result[0] if isinstance(result, tuple) else getattr(result, "user", None)
    return user if is_signed_in(user) else None


class _Site:
    """What allauth's mail templates read as `current_site`: the site's name (SITE_NAME, "Vouch") and domain
    (SITE_URL's host), not the request's host ("Hello from 127.0.0.1:8000" otherwise)."""

    def __init__(self) -> None:
        from django.conf import settings

        self.name = settings.SITE_NAME
        self.domain = settings.SITE_URL.split("://", 1)[-1]

    def __str__(self) -> str:
        return self.domain


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email):
        """Sign-up and "add an address": store the IDNA 2008 / UTS 46 normal form (A-label domain, ASCII letters
        lower-cased) and refuse an address whose domain IDNA 2003 writes differently (ß -> ss): Django's mail path
        uses IDNA 2003, so its verification mail would go to someone else's inbox."""
        from django import forms

        from badges.openbadges.recipient import EmailIdnaError, normalize_email

        email = super().clean_email(email)
        try:
            return normalize_email(email)
        except EmailIdnaError as exc:
            raise forms.ValidationError(str(exc), code=ProfileErrorCode.EMAIL_IDNA_AMBIGUOUS) from exc

    def render_mail(self, template_prefix, email, context, headers=None):
        context = {**context, "current_site": _Site()}
        return super().render_mail(template_prefix, email, context, headers=headers)

    def clean_username(self, username, shallow=False):
        return super().clean_username(username.strip().lower(), shallow=shallow)

    def populate_username(self, request, user):
        if not user.username:
            user.username = username_from_email(user.email or "member")

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            ensure_profile(user)
        return user

    def send_account_already_exists_mail(self, email):
        # Sign-up with an address that has an account answers like a new sign-up (allauth prevents enumeration)
        # but skipped the one slow step, hashing the password: 20-50 ms against 400-550 ms told the two apart.
        # Hash a throw-away password with the same hasher, so both paths do the same work (docs/security.md).
        from django.contrib.auth.hashers import make_password
        from django.utils.crypto import get_random_string

        make_password(get_random_string(32))
        super().send_account_already_exists_mail(email)

    def logout(self, request):
        # Sockets opened with this login session (browser cookie or app token) stop being served.
        from notifications.services import end_live_sessions

        key = request.session.session_key
        super().logout(request)
        end_live_sessions(key)

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth keys the failed-login counter on "<site domain>:<login>", and without django.contrib.sites the
        # domain is the request's Host header, which a client may vary ("host:1", "host:2", ... all pass
        # ALLOWED_HOSTS) to get a fresh lockout budget each time. One Vouch serves one site: key on the login.
        login = credentials.get("email", credentials.get("username", "")) or ""
        return f"login:{login.lower()}"


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        ensure_profile(user, display_name=(user.get_full_name() or "")[:80])
        return user

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        if not user.username or not _valid(user.username):
            user.username = username_from_email(user.email or "member")
        return user


def _valid(username: str) -> bool:
    from profiles.validators import username_validators

    try:
        for validator in username_validators:
            validator(username)
    except ValidationError:
        return False
    return True
