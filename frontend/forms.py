"""Page forms: they check the shape of input; the rules live in the services they feed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from profiles.models import Seniority, Visibility

T = TypeVar("T")

RELATIONSHIP_CHOICES = [
    ("MANAGER", "Their manager"),
    ("PEER", "A peer"),
    ("REPORT", "Someone who reported to them"),
    ("OTHER", "Other"),
]
REQUEST_RELATIONSHIP_CHOICES = [
    ("MANAGER", "My manager"),
    ("PEER", "A peer"),
    ("REPORT", "Someone who reported to me"),
    ("OTHER", "Other"),
]


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
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                field_id = self.auto_id % name if isinstance(self.auto_id, str) else name
                widget.attrs["aria-describedby"] = f"{field_id}-errors"

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


def call_service(form: VouchForm, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run a service; on ValidationError record it on the form and return None (nothing was written)."""
    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        form.add_service_error(exc)
        return None


class SearchForm(VouchForm):
    show_optional = False
    q = forms.CharField(required=False, max_length=100, label="Name or keyword")
    skill = forms.CharField(required=False, max_length=100, label="Skill")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"placeholder": "e.g. Ana, platform team"})
        self.fields["skill"].widget.attrs.update(
            {"autocomplete": "off", "data-autocomplete": "skills", "placeholder": "e.g. Kubernetes"}
        )


class ProfileForm(VouchForm):
    display_name = forms.CharField(required=False, max_length=80, label="Display name")
    headline = forms.CharField(required=False, max_length=160, help_text="One line: what you do.")
    seniority = forms.ChoiceField(choices=Seniority.choices)
    title = forms.CharField(required=False, max_length=100, label="Job title")
    organisation = forms.CharField(required=False, max_length=100)
    visibility = forms.ChoiceField(choices=Visibility.choices, label="Who can see your profile")
    avatar = forms.FileField(required=False, label="Avatar", help_text="PNG, JPEG or WebP, at most 5 MB.")
    remove_avatar = forms.BooleanField(required=False, label="Remove my avatar")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["avatar"].widget.attrs["accept"] = "image/png,image/jpeg,image/webp"


class AddSkillForm(VouchForm):
    name = forms.CharField(
        max_length=50, label="Skill", help_text="Any spelling: “k8s” and “Kubernetes” are one skill."
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
    comment = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}), label="Comment")

    def __init__(self, *args: Any, skills: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("skill", skills)


class RequestForm(VouchForm):
    recipient = forms.CharField(max_length=64, label="Colleague's username", help_text="Start typing a name.")
    skill = forms.ChoiceField(label="Skill to endorse")
    relationship = forms.ChoiceField(choices=REQUEST_RELATIONSHIP_CHOICES, label="They are")
    message = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}), label="Message")

    def __init__(self, *args: Any, skills: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_choices("skill", skills)
        self.fields["recipient"].widget.attrs.update({"autocomplete": "off", "data-autocomplete": "members"})


class RespondForm(VouchForm):
    comment = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label="Comment")


class MutedKindsForm(VouchForm):
    """Per kind: where it goes (channel_<kind>: live only / e-mail at once / daily digest / off), and the kinds not
    popped up live. A channel field left out of the POST keeps that kind's channel."""

    muted = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Don't alert me live about"
    )

    def __init__(
        self, *args: Any, kinds: list[tuple[str, str]], channels: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        from notifications.channels import CHANNEL_LABELS, CHANNELS, EMAIL, LIVE_ONLY, MAILABLE, OFF

        super().__init__(*args, **kwargs)
        self.set_choices("muted", kinds)
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
