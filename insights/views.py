"""The one page of the insights engine: an organization's signal thresholds (admins).

Dashboards are the ``dashboards`` app's; they read the engine's stored results.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from insights import services
from insights.forms import SignalSettingsForm
from insights.models import SignalSettings
from peakos import permissions
from peakos.permissions import require
from peakos.views import add_errors


@require(permissions.can_manage)
def signal_settings(request, org_slug):
    current = SignalSettings.for_organization(request.organization)
    form = SignalSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.SETTINGS_FIELDS}
        try:
            services.update_signal_settings(membership=request.membership, actor=request.user, **values)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Signal thresholds saved. They apply from the next recompute of a round.")
            return redirect("insights_signal_settings", org_slug=org_slug)
    return render(request, "insights/signal_settings.html", {"form": form})
