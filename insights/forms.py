from django import forms

from insights.models import SignalSettings
from insights.services import SETTINGS_FIELDS


class SignalSettingsForm(forms.ModelForm):
    """The thresholds of the signals. Shares are edited as percentages, stored as 0–1."""

    low_participation = forms.FloatField(
        label="Low participation below (%)",
        min_value=5,
        max_value=100,
        help_text=SignalSettings._meta.get_field("low_participation").help_text.replace("(0–1)", "(%)"),
    )
    priority_confusion = forms.FloatField(
        label="Priority confusion below (%)",
        min_value=5,
        max_value=100,
        help_text=SignalSettings._meta.get_field("priority_confusion").help_text.replace("(0–1)", "(%)"),
    )

    class Meta:
        model = SignalSettings
        fields = list(SETTINGS_FIELDS)
        labels = {
            "drop_points": "Drop of at least (points)",
            "leadership_gap_points": "Leadership gap of at least (points)",
            "weak_link_mean": "Weak dependency at or below (1–5)",
            "driver_min_respondents": "Drivers need at least (respondents)",
        }

    def __init__(self, *args, instance: SignalSettings, **kwargs):
        initial = {
            name: round(getattr(instance, name) * 100, 1) for name in ("low_participation", "priority_confusion")
        }
        super().__init__(*args, instance=instance, initial=initial, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for name in ("low_participation", "priority_confusion"):
            if cleaned.get(name) is not None:
                cleaned[name] = cleaned[name] / 100
        return cleaned

    def _post_clean(self):
        # Validation happens in the service (model.full_clean on the 0–1 values); the
        # form only converts percentages, so skip ModelForm's instance construction.
        pass
