"""Shared pieces of the reviews services: the permission refusal and the e-mails."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse


def deny(message: str = "Your role does not allow this.") -> None:
    raise PermissionDenied(message)


def review_url(review, name: str = "review_edit") -> str:
    return settings.SITE_URL + reverse(name, kwargs={"org_slug": review.organization.slug, "review_id": review.pk})


def mail(*, template: str, subject: str, to: str, context: dict) -> None:
    """One e-mail from ``templates/reviews/email/<template>.txt`` and ``.html``."""
    send_mail(
        subject=subject,
        message=render_to_string(f"reviews/email/{template}.txt", context),
        from_email=None,
        recipient_list=[to],
        html_message=render_to_string(f"reviews/email/{template}.html", context),
    )
