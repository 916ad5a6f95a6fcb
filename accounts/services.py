"""Writes of self-service signup and operator-created organizations.

The organization itself is always made by peakos.memberships.create_organization (one
transaction, the owner's membership, the ``organization.create`` audit event); this
module only decides *when*: after the e-mail is verified (signup) or straight away
for an operator (``manage.py create_organization``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Signup
from peakos.audit import record_audit
from peakos.memberships import create_organization
from peakos.models import Organization

VERIFY_SALT = "accounts.signup.verify"
# A new verification mail for the same signup at most this often (the resend page).
RESEND_INTERVAL = timedelta(seconds=60)


def signup_open() -> bool:
    """The operator setting SIGNUP: "open" lets anyone create an organization, "closed" only operators."""
    return settings.SIGNUP == "open"


def _require_open() -> None:
    if not signup_open():
        raise PermissionDenied("Signup is closed on this installation: an operator creates organizations.")


def _check_organization(*, organization_name: str, slug: str) -> None:
    """The organization's own validation (name, slug format, slug not taken), before anything is stored."""
    try:
        Organization(name=organization_name, slug=slug).full_clean(
            exclude=["timezone", "default_language", "languages"]
        )
    except ValidationError as exc:
        raise ValidationError(
            {("organization_name" if k == "name" else k): v for k, v in exc.message_dict.items()}
        ) from exc


def verification_token(signup: Signup) -> str:
    """A signed, timestamped token naming the signup; it expires after SIGNUP_VERIFY_MAX_AGE."""
    return signing.dumps({"signup": signup.pk}, salt=VERIFY_SALT)


def verification_url(signup: Signup) -> str:
    return settings.SITE_URL + reverse("signup_verify", args=[verification_token(signup)])


def _send_verification(signup: Signup) -> None:
    context = {"signup": signup, "url": verification_url(signup), "days": settings.SIGNUP_VERIFY_MAX_AGE // 86400}
    send_mail(
        subject=f"Confirm your e-mail to create {signup.organization_name} on Peak OS",
        message=render_to_string("accounts/email/verify.txt", context),
        from_email=None,
        recipient_list=[signup.email],
    )


def _send_account_exists(email: str, organization_name: str) -> None:
    context = {"organization_name": organization_name, "url": settings.SITE_URL + reverse("signup")}
    send_mail(
        subject="You already have a Peak OS account",
        message=render_to_string("accounts/email/account_exists.txt", context),
        from_email=None,
        recipient_list=[email],
    )


@transaction.atomic
def start_signup(*, organization_name: str, slug: str, name: str, email: str, password: str) -> Signup | None:
    """Store a signup and e-mail its verification link; nothing is usable until it is confirmed.

    An address that already has an account gets a mail saying so instead (and None is
    returned): the page looks the same either way, so the form does not tell strangers
    which addresses have accounts.
    """
    _require_open()
    email = get_user_model().objects.normalize_email((email or "").strip()).lower()
    organization_name, slug, name = organization_name.strip(), slug.strip().lower(), name.strip()
    _check_organization(organization_name=organization_name, slug=slug)
    try:
        password_validation.validate_password(password, get_user_model()(email=email, name=name))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    if get_user_model().objects.filter(email=email).exists():
        transaction.on_commit(lambda: _send_account_exists(email, organization_name))
        return None
    signup = Signup.objects.create(
        email=email,
        name=name,
        organization_name=organization_name,
        slug=slug,
        password=make_password(password),
        last_sent_at=timezone.now(),
    )
    transaction.on_commit(lambda: _send_verification(signup))
    return signup


def find_signup(token: str) -> tuple[Signup | None, str]:
    """The signup a verification link names, or None and why: "expired" or "invalid"."""
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=settings.SIGNUP_VERIFY_MAX_AGE)
    except signing.SignatureExpired:
        return None, "expired"
    except signing.BadSignature:
        return None, "invalid"
    signup = Signup.objects.filter(pk=payload.get("signup")).first()
    return signup, ("" if signup else "invalid")


@transaction.atomic
def verify_signup(*, signup: Signup):
    """Confirm the e-mail: create the owner's login and the organization (single use).

    Returns (user, organization). The slug is checked again: another signup may have
    been verified with it since this one was sent.
    """
    _require_open()
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    if signup.verified_at is not None:
        raise ValidationError("This e-mail address is already confirmed: log in to continue.")
    user_model = get_user_model()
    if user_model.objects.filter(email=signup.email).exists():
        raise ValidationError(
            "An account with this e-mail address exists now: log in and create the organization from there."
        )
    if Organization.objects.filter(slug=signup.slug).exists():
        raise ValidationError(f"The address “{signup.slug}” was taken in the meantime: sign up again with another one.")
    user = user_model.objects.create_user(email=signup.email, password=None, name=signup.name)
    user.password = signup.password  # the hash chosen at signup
    user.save(update_fields=["password"])
    organization = create_organization(name=signup.organization_name, slug=signup.slug, owner=user)
    record_audit(
        organization=organization,
        actor=user,
        action="organization.signup",
        obj=organization,
        summary=f"Self-service signup by {signup.email}, e-mail verified",
    )
    signup.verified_at = timezone.now()
    signup.organization = organization
    signup.save(update_fields=["verified_at", "organization"])
    return user, organization


@transaction.atomic
def resend_verification(*, email: str) -> bool:
    """Send the newest unconfirmed signup of ``email`` a fresh link (at most once a minute).

    Returns whether a mail went out; the page says the same either way.
    """
    _require_open()
    email = (email or "").strip().lower()
    signup = Signup.objects.select_for_update().filter(email=email, verified_at__isnull=True).first()
    if signup is None or (signup.last_sent_at and timezone.now() - signup.last_sent_at < RESEND_INTERVAL):
        return False
    signup.last_sent_at = timezone.now()
    signup.save(update_fields=["last_sent_at"])
    transaction.on_commit(lambda: _send_verification(signup))
    return True


@transaction.atomic
def create_organization_for_user(*, user, organization_name: str, slug: str) -> Organization:
    """A logged-in user (their address is known) creates another organization and owns it."""
    _require_open()
    organization_name, slug = organization_name.strip(), slug.strip().lower()
    _check_organization(organization_name=organization_name, slug=slug)
    return create_organization(name=organization_name, slug=slug, owner=user)


def password_set_url(user) -> str:
    """A link to choose a password (Django's password-reset confirmation; expires with PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return settings.SITE_URL + reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])


@transaction.atomic
def create_organization_as_operator(
    *, slug: str, organization_name: str, owner_email: str, owner_name: str = "", timezone_name: str = "UTC"
) -> tuple[Organization, object, bool]:
    """``manage.py create_organization``: works whatever SIGNUP says.

    A new owner gets a login without a password and an e-mail with a link to set one;
    an existing user just becomes the owner. Returns (organization, owner, owner_is_new).
    """
    user_model = get_user_model()
    owner_email = user_model.objects.normalize_email((owner_email or "").strip()).lower()
    if not owner_email:
        raise ValidationError({"owner": "An owner e-mail address is required."})
    _check_organization(organization_name=organization_name, slug=slug)
    owner = user_model.objects.filter(email=owner_email).first()
    is_new = owner is None
    if is_new:
        owner = user_model.objects.create_user(email=owner_email, password=None, name=owner_name)
    organization = create_organization(name=organization_name, slug=slug, owner=owner, timezone_name=timezone_name)
    if is_new:
        context = {"organization": organization, "url": password_set_url(owner)}
        transaction.on_commit(
            lambda: send_mail(
                subject=f"Your organization {organization.name} on Peak OS",
                message=render_to_string("accounts/email/owner_welcome.txt", context),
                from_email=None,
                recipient_list=[owner_email],
            )
        )
    return organization, owner, is_new
