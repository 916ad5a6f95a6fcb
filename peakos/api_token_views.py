"""The API tokens page of an organization: owners and admins create and revoke tokens.

A new token is shown once, on the page that answers the creation; only its hash is kept.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from peakos import permissions
from peakos.api_auth import TOKEN_ROLES, create_api_token, revoke_api_token, revoke_api_tokens
from peakos.models import ApiToken, Role
from peakos.permissions import require
from peakos.views import add_errors


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “HRIS sync” or “BI dashboard”.")
    role = forms.ChoiceField(
        help_text="Leader reads all results; admin may also write people; member reads organization-level results."
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (role.value, role.label) for role in TOKEN_ROLES if permissions.can_grant(membership, role)
        ]
        self.fields["role"].initial = Role.LEADER

    expires_on = forms.DateField(
        required=False,
        label="Expires after",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: the last day it works. Empty: until revoked.",
    )


@require(permissions.can_manage)
def api_tokens(request, org_slug):
    form = ApiTokenForm(request.POST or None, membership=request.membership)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = create_api_token(
                organization=request.organization, membership=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            # Rendered, not redirected: the raw token exists only in this response.
            new_token = {"token": token, "raw": raw}
            form = ApiTokenForm(membership=request.membership)
    tokens = list(ApiToken.objects.select_related("created_by").order_by("revoked_at", "-created_at"))
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": tokens,
        "flagged_count": sum(t.is_flagged for t in tokens),
        "active_count": sum(t.revoked_at is None for t in tokens),
        "can_revoke_in_bulk": permissions.is_owner(request.membership),
    }
    return render(request, "peakos/api_tokens.html", context, status=201 if new_token else 200)


@require_POST
@require(permissions.is_owner)
def api_tokens_revoke_bulk(request, org_slug):
    """One click: revoke every flagged token (``which=flagged``) or every active token (``which=all``)."""
    only_flagged = request.POST.get("which") != "all"
    count = revoke_api_tokens(membership=request.membership, only_flagged=only_flagged)
    kind = "flagged " if only_flagged else ""
    messages.success(request, f"{count} {kind}token{'s' if count != 1 else ''} revoked; requests with them now fail.")
    return redirect("api_tokens", org_slug=org_slug)


@require_POST
@require(permissions.can_manage)
def api_token_revoke(request, org_slug, api_token_id):
    token = get_object_or_404(ApiToken, pk=api_token_id)
    revoke_api_token(token=token, membership=request.membership)
    messages.success(request, f"The token “{token.name}” is revoked; requests with it now fail.")
    return redirect("api_tokens", org_slug=org_slug)
