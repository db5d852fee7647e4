"""Forms of the staff tool pages."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core.numbers import whole_number

from .services import EMAIL_TYPES, SCHEDULE_DELAYS, TEST_USER_STATES


class UserField(forms.CharField):
    """A user, typed as an email address or an id."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        users = get_user_model().objects
        user = users.filter(email__iexact=value.strip()).order_by("pk").first()
        user_id = whole_number(value)
        if user is None and user_id is not None:
            user = users.filter(pk=user_id).first()
        if user is None:
            raise ValidationError("No user with that email address or id.")
        return user


class EmailTestForm(forms.Form):
    user = UserField(label="User (email or id)", max_length=254)
    email_type = forms.ChoiceField(choices=EMAIL_TYPES)
    delay = forms.ChoiceField(
        choices=[(key, f"in {key}") for key in SCHEDULE_DELAYS],
        initial="2m",
        required=False,
        help_text="Used by “Schedule”.",
    )


class TestUserForm(forms.Form):
    __test__ = False  # not a pytest class

    state = forms.ChoiceField(choices=TEST_USER_STATES)
    email = forms.EmailField(
        required=False, help_text="Optional; a unique test address is made up when empty."
    )

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email and get_user_model().objects.filter(email__iexact=email).exists():
            raise ValidationError("A user with this address already exists.")
        return email


class ForceStatusForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)
