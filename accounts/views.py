"""Public signup pages: create an organization, confirm the e-mail, resend the link."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts import services
from accounts.forms import OrganizationForm, ResendForm, SignupForm
from peakos.views import add_errors


def signup(request):
    """ "Create your organization". Closed installations say who creates organizations instead."""
    if not services.signup_open():
        return render(request, "accounts/signup_closed.html", status=403)
    if request.user.is_authenticated:
        form = OrganizationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                org = services.create_organization_for_user(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"{org.name} is ready. Start with the checklist below.")
                return redirect("org_home", org_slug=org.slug)
        return render(request, "accounts/signup.html", {"form": form})
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.start_signup(**form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            request.session["signup_email"] = form.cleaned_data["email"].strip().lower()
            return redirect("signup_sent")
    return render(request, "accounts/signup.html", {"form": form})


def signup_sent(request):
    """ "Check your inbox", with the resend form filled in."""
    return render(request, "accounts/signup_sent.html", {"email": request.session.get("signup_email", "")})


def signup_resend(request):
    if not services.signup_open():
        return render(request, "accounts/signup_closed.html", status=403)
    form = ResendForm(request.POST or None, initial={"email": request.session.get("signup_email", "")})
    if request.method == "POST" and form.is_valid():
        services.resend_verification(email=form.cleaned_data["email"])
        # The same answer whether or not the address signed up: nothing to learn from it.
        messages.success(
            request,
            f"If {form.cleaned_data['email']} has an unconfirmed signup, a new link is on its way "
            "(at most one a minute).",
        )
        return redirect("signup_resend")
    return render(request, "accounts/signup_resend.html", {"form": form})


def signup_verify(request, token):
    """Opening the link shows a button; only the POST creates the organization (mail scanners open links)."""
    if not services.signup_open():
        return render(request, "accounts/signup_closed.html", status=403)
    signup, reason = services.find_signup(token)
    if signup is None:
        status = 410 if reason == "expired" else 404
        return render(request, "accounts/signup_invalid.html", {"reason": reason}, status=status)
    if signup.verified_at is not None:
        return render(request, "accounts/signup_invalid.html", {"reason": "used", "signup": signup}, status=410)
    error = None
    if request.method == "POST":
        try:
            user, org = services.verify_signup(signup=signup)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Your e-mail is confirmed and {org.name} is ready.")
            return redirect(reverse("org_home", args=[org.slug]))
    return render(request, "accounts/signup_verify.html", {"signup": signup, "error": error})
