import uuid

from django import forms

from .merge import FIELDS
from .models import CreatorList, EmailTemplate, EntryStatus, ListEntry

# Creators one form may add by id (a results page shows at most 200).
MAX_IDS = 200


class CreatorListForm(forms.ModelForm):
    class Meta:
        model = CreatorList
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "name": {
                "required": "Give the list a name.",
                "max_length": (
                    "Keep the name under %(limit_value)d characters (it has %(show_value)d)."
                ),
            },
        }

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the list a name.")
        return name


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["name", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}
        help_texts = {
            "body": "Merge fields: " + ", ".join("{" + f + "}" for f in FIELDS) + ". "
            "Anything else in braces is sent as typed.",
        }
        error_messages = {
            "name": {"required": "Give the template a name."},
            "subject": {"required": "Write a subject."},
            "body": {"required": "Write the email."},
        }


class UUIDsField(forms.MultipleChoiceField):
    """Several ids (checkboxes of one name); anything that is not a UUID is refused."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid_choice": "Choose creators from the list."}

    def __init__(self, *, max_count: int = MAX_IDS, **kwargs):
        super().__init__(choices=(), **kwargs)
        self.max_count = max_count

    def valid_value(self, value) -> bool:
        try:
            uuid.UUID(str(value))
        except ValueError:
            return False
        return True

    def validate(self, value) -> None:
        super().validate(value)
        if len(value) > self.max_count:
            raise forms.ValidationError(f"Choose at most {self.max_count} at once.")


class AddCreatorsForm(forms.Form):
    """Add creators to a list: chosen ones (`creator` ids) or every creator of a search or a
    campaign that a filter matches (`source` job:<id> | campaign:<id>, and the results
    table's filter query in `filters`, or the filter fields themselves). `add` says which when
    a form offers both buttons ("selected" or "all"); without it, ids win."""

    list = forms.UUIDField(required=False)
    new_list = forms.CharField(required=False, max_length=CreatorList.NAME_MAX_LENGTH)
    creator = UUIDsField(required=False)
    source = forms.CharField(required=False, max_length=60)
    filters = forms.CharField(required=False, max_length=2000)
    add = forms.ChoiceField(choices=[("selected", "selected"), ("all", "all")], required=False)

    def clean_source(self) -> tuple[str, uuid.UUID] | None:
        value = self.cleaned_data["source"].strip()
        if not value:
            return None
        kind, _, ident = value.partition(":")
        if kind in ("job", "campaign"):
            try:
                return kind, uuid.UUID(ident)
            except ValueError:
                pass
        raise forms.ValidationError("Choose a search or a campaign.")

    def clean(self):
        data = super().clean()
        if not data.get("list") and not (data.get("new_list") or "").strip():
            self.add_error(None, "Choose a list, or name a new one.")
        add = data.get("add") or ("selected" if data.get("creator") else "all")
        if add == "selected" and not data.get("creator"):
            self.add_error(None, "Tick the creators to add first.")
        if add == "all" and not data.get("source") and "source" not in self.errors:
            self.add_error(None, "Choose creators to add.")
        data["add"] = add
        return data


class EntryUpdateForm(forms.Form):
    """One card's small forms post here: a move, notes, or the do-not-contact flag."""

    status = forms.ChoiceField(choices=EntryStatus.choices, required=False)
    notes = forms.CharField(
        required=False, max_length=ListEntry.NOTES_MAX_LENGTH, strip=True, widget=forms.Textarea
    )
    do_not_contact = forms.ChoiceField(choices=[("true", "Yes"), ("false", "No")], required=False)


class SendForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose a template.", "invalid_choice": "Choose a template."},
    )
    entry = UUIDsField(required=True, max_count=1000)
    action = forms.ChoiceField(choices=[("preview", "Preview"), ("send", "Send")], required=False)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["entry"].error_messages["required"] = "Choose who to email."
