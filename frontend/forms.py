"""Page forms: they check the shape of input; the rules live in the services they feed.

Limits and choices come from the domain (the services' constants, the models' choices), so a page accepts
exactly what the API accepts. `call_service` and `service_or_404` are how a view runs a service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest

from endorsements.models import Relationship
from endorsements.services import MAX_COMMENT, MAX_MESSAGE
from profiles.models import Seniority, Visibility
from profiles.search import MAX_TERM
from profiles.services import PROFILE_TEXT_LIMITS
from skills.normalise import MAX_LENGTH as MAX_SKILL_NAME
from vouch.errors import Code

T = TypeVar("T")

# The page's wording of each relationship (keyed by the domain's: a new relationship without a label fails here).
_ENDORSE_LABELS = {
    Relationship.MANAGER: "Their manager",
    Relationship.PEER: "A peer",
    Relationship.REPORT: "Someone who reported to them",
    Relationship.OTHER: "Other",
}
_REQUEST_LABELS = {
    Relationship.MANAGER: "My manager",
    Relationship.PEER: "A peer",
    Relationship.REPORT: "Someone who reported to me",
    Relationship.OTHER: "Other",
}
RELATIONSHIP_CHOICES = [(r.value, _ENDORSE_LABELS[r]) for r in Relationship]
REQUEST_RELATIONSHIP_CHOICES = [(r.value, _REQUEST_LABELS[r]) for r in Relationship]


class VouchForm(forms.Form):
    """Adds ARIA attributes to invalid widgets so screen readers announce which field is wrong."""

    show_optional = True  # label optional fields "(optional)"

    def set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        # aria-describedby is Django's (BoundField.aria_describedby): "<id>_helptext <id>_error", the ids
        # frontend/_field.html gives the help text and the error list, so both are announced.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"

    def add_service_error(self, exc: ValidationError) -> None:
        """Put a service's ValidationError (codes kept) on the field it names (camelCase or snake_case), else on
        the form."""
        _ = self.errors  # an unbound form (action buttons) gets its error dict here
        if not hasattr(self, "cleaned_data"):
            self.cleaned_data = {}
        if hasattr(exc, "error_dict"):
            for key, errors in exc.error_dict.items():
                field = _snake(key)
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
        else:
            for error in exc.error_list:
                self.add_error(None, error)
        self._mark_invalid()

    def error_messages(self) -> list[str]:
        """Every error message of the form, field errors first, in field order."""
        return [str(message) for errors in self.errors.values() for message in errors]

    def error_codes(self) -> list[str]:
        return [e.code or "" for errors in self.errors.as_data().values() for e in errors]


def _snake(name: str) -> str:
    out = []
    for ch in name:
        if ch.isupper():
            out.append("_" + ch.lower())
        else:
            out.append(ch)
    return "".join(out)


def flash_errors(request: HttpRequest, form: VouchForm) -> None:
    """Show each of the form's errors as a message on the next page (a redirect after a refused action)."""
    for message in form.error_messages():
        messages.error(request, message)


@dataclass(frozen=True)
class Done(Generic[T]):
    """The service ran: `value` is what it returned (None is a valid result)."""

    value: T

    def __bool__(self) -> Literal[True]:
        return True


@dataclass(frozen=True)
class Refused:
    """The service refused (nothing was written): its error is on the form; `codes` are the error codes."""

    error: ValidationError
    codes: tuple[str, ...]

    def __bool__(self) -> Literal[False]:
        return False


def _codes(exc: ValidationError) -> tuple[str, ...]:
    errors = [e for group in exc.error_dict.values() for e in group] if hasattr(exc, "error_dict") else exc.error_list
    return tuple(str(e.code or "") for e in errors)


def call_service(form: VouchForm, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Done[T] | Refused:
    """Run a service: Done(its result), or Refused with the ValidationError recorded on the form."""
    try:
        return Done(fn(*args, **kwargs))
    except ValidationError as exc:
        form.add_service_error(exc)
        return Refused(exc, _codes(exc))


def service_or_404(
    request: HttpRequest, fn: Callable[..., T], *args: Any, what: str, **kwargs: Any
) -> Done[T] | Refused:
    """Run an action on the object a URL names: NOT_FOUND ("does not exist" and "not yours" alike) answers 404;
    any other refusal is flashed as messages for the page the view redirects to, and returned."""
    form = VouchForm()
    result = call_service(form, fn, *args, **kwargs)
    if not result:
        if Code.NOT_FOUND in result.codes or not any(result.codes):
            raise Http404(f"No such {what}")
        flash_errors(request, form)
    return result


class SearchForm(VouchForm):
    show_optional = False
    q = forms.CharField(required=False, max_length=MAX_TERM, label="Name or keyword")
    skill = forms.CharField(required=False, max_length=100, label="Skill")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"placeholder": "e.g. Ana, platform team"})
        self.fields["skill"].widget.attrs.update(
            {"autocomplete": "off", "data-autocomplete": "skills", "placeholder": "e.g. Kubernetes"}
        )


class ProfileForm(VouchForm):
    display_name = forms.CharField(required=False, max_length=PROFILE_TEXT_LIMITS["display_name"], label="Display name")
    headline = forms.CharField(
        required=False, max_length=PROFILE_TEXT_LIMITS["headline"], help_text="One line: what you do."
    )
    seniority = forms.ChoiceField(choices=Seniority.choices)
    title = forms.CharField(required=False, max_length=PROFILE_TEXT_LIMITS["title"], label="Job title")
    organisation = forms.CharField(required=False, max_length=PROFILE_TEXT_LIMITS["organisation"])
    visibility = forms.ChoiceField(choices=Visibility.choices, label="Who can see your profile")
    avatar = forms.FileField(required=False, label="Avatar", help_text="PNG, JPEG or WebP, at most 5 MB.")
    remove_avatar = forms.BooleanField(required=False, label="Remove my avatar")

    def __init__(self, *args: Any, welcome: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["avatar"].widget.attrs["accept"] = "image/png,image/jpeg,image/webp"
        if welcome:
            # The complete-your-profile step: seniority is chosen, never assumed (an empty first choice).
            self.set_choices("seniority", [("", "Choose your level"), *Seniority.choices])
            self.fields[
                "seniority"
            ].help_text = (
                "Your endorsements count by it once your organisation confirms it; until then at most as mid-level."
            )


class AddSkillForm(VouchForm):
    name = forms.CharField(
        max_length=MAX_SKILL_NAME, label="Skill", help_text="Any spelling: “k8s” and “Kubernetes” are one skill."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "data-autocomplete": "skills"})


class ReorderForm(VouchForm):
    order = forms.CharField(max_length=2000)

    def clean_order(self) -> list[int]:
        try:
            return [int(part) for part in self.cleaned_data["order"].split(",") if part.strip()]
        except ValueError:
            raise ValidationError("Not a list of skills.", code="INVALID") from None


class DeleteAccountForm(VouchForm):
    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class BlockForm(VouchForm):
    username = forms.CharField(max_length=64, label="Member's username")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "off", "data-autocomplete": "members"})


class EndorsementSettingsForm(VouchForm):
    """ "Who may endorse me" and "review before showing" (endorsements.policy.update_endorsement_settings)."""

    who_may_endorse = forms.ChoiceField(
        label="Who may endorse me",
        widget=forms.RadioSelect,
        choices=[
            ("ANYONE", "Anyone signed in to Vouch"),
            ("ORGANISATION_AND_ASKED", "People at my verified organisation, and people I asked for an endorsement"),
            ("ONLY_ASKED", "Only people I asked for an endorsement"),
        ],
    )
    review_before_showing = forms.BooleanField(
        required=False,
        label="Let me review new endorsements before they show",
        help_text="New endorsements wait here until you show or hide them; until then they don’t count in your "
        "score and only you (and the person who gave it) can see them.",
    )
    show_optional = False


class EndorseForm(VouchForm):
    skill = forms.ChoiceField(label="Skill")
    relationship = forms.ChoiceField(choices=RELATIONSHIP_CHOICES, label="You were")
    comment = forms.CharField(
        required=False, max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3}), label="Comment"
    )

    def __init__(self, *args: Any, skills: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("skill", skills)


class RequestForm(VouchForm):
    recipient = forms.CharField(
        max_length=100, label="Colleague", help_text="Their name or @handle: start typing and pick them from the list."
    )
    skill = forms.ChoiceField(label="Skill to endorse")
    relationship = forms.ChoiceField(choices=REQUEST_RELATIONSHIP_CHOICES, label="They are")
    message = forms.CharField(
        required=False, max_length=MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 3}), label="Message"
    )

    def __init__(self, *args: Any, skills: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("skill", skills)
        self.fields["recipient"].widget.attrs.update({"autocomplete": "off", "data-autocomplete": "members"})


class RespondForm(VouchForm):
    comment = forms.CharField(
        required=False, max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 2}), label="Comment"
    )


class MutedKindsForm(VouchForm):
    """Per kind: where it goes (channel_<kind>: live only / e-mail at once / daily digest / off), and the kinds that
    pop up live (`live`, worded positively; the service stores the others as muted). A channel field left out of
    the POST keeps that kind's channel; the live choices count only when the form showed them (`live_shown`)."""

    live = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Pop up on screen while I'm on the site"
    )

    def __init__(
        self, *args: Any, kinds: list[tuple[str, str]], channels: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        from notifications.channels import CHANNEL_LABELS, CHANNELS, EMAIL, LIVE_ONLY, MAILABLE, OFF

        super().__init__(*args, **kwargs)
        self.set_choices("live", kinds)
        self.kind_values = [kind for kind, _label in kinds]
        self.channel_fields: list[tuple[str, str]] = []
        for kind, label in kinds:
            allowed = CHANNELS if kind in MAILABLE else (LIVE_ONLY, OFF)
            name = "channel_" + kind.replace(".", "__")
            self.fields[name] = forms.ChoiceField(
                required=False,
                label=label,
                choices=[(c, CHANNEL_LABELS[c]) for c in allowed],
                widget=forms.Select,
                initial=(channels or {}).get(kind, EMAIL if kind in MAILABLE else LIVE_ONLY),
            )
            self.channel_fields.append((kind, name))

    def muted_kinds(self, current: list[str]) -> list[str]:
        """The kinds not popped up live: every kind left unticked, or `current` when the POST had no live choices."""
        if not self.data.get("live_shown"):
            return list(current)
        live = set(self.cleaned_data.get("live") or [])
        return [kind for kind in self.kind_values if kind not in live]

    def channel_pairs(self) -> list[tuple[str, str]]:
        return [(kind, self.cleaned_data[name]) for kind, name in self.channel_fields if self.cleaned_data.get(name)]

    def bound_channel_fields(self) -> list[Any]:
        return [self[name] for _kind, name in self.channel_fields]


class BadgeImportForm(VouchForm):
    show_optional = False  # exactly one of the three is given: none is "optional" in the usual sense
    url = forms.URLField(
        required=False,
        max_length=2000,
        label="Badge URL",
        assume_scheme="https",
        help_text="A hosted assertion or a baked badge image.",
    )
    image = forms.FileField(required=False, label="Baked badge image", help_text="PNG or SVG with the badge baked in.")
    assertion = forms.CharField(
        required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 4}), label="Assertion JSON or JWS"
    )
    member_skill = forms.ChoiceField(required=False, label="Evidence for skill")

    def __init__(self, *args: Any, skills: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("member_skill", [("", "— not yet —"), *skills])
        self.fields["image"].widget.attrs["accept"] = "image/png,image/svg+xml,.png,.svg"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [k for k in ("url", "image", "assertion") if data.get(k)]
        if len(given) != 1:
            raise ValidationError("Give exactly one of: a URL, an image, or the assertion text.", code="EXACTLY_ONE")
        return data
