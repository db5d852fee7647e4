from django import forms

from .models import Campaign


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "description", "search_type"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "search_type": forms.RadioSelect,
        }
        labels = {"search_type": "Start with"}
        help_texts = {
            "search_type": (
                "Any campaign can run all six searches; this picks the form shown first."
            ),
        }
        error_messages = {
            "name": {
                "required": "Give the campaign a name.",
                "max_length": (
                    "Keep the name under %(limit_value)d characters (it has %(show_value)d)."
                ),
            },
        }

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the campaign a name.")
        return name
