from django import forms

from .plans import PAID_PLANS


class OnboardingStep1Form(forms.Form):
    full_name = forms.CharField(
        label="Your full name",
        max_length=120,
        error_messages={"required": "Tell us your name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    business_name = forms.CharField(
        label="Business name",
        max_length=160,
        error_messages={"required": "Tell us the name of your business or agency."},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )


class OnboardingStep2Form(forms.Form):
    brand_description = forms.CharField(
        label="Describe your brand",
        max_length=2000,
        help_text="What you sell, who your customers are and the creators you want to reach.",
        error_messages={"required": "Describe your brand in a sentence or two."},
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class PlanForm(forms.Form):
    plan = forms.ChoiceField(choices=[(code, plan.name) for code, plan in PAID_PLANS.items()])
