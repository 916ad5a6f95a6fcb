"""A signup waiting for its e-mail verification.

Not tenant-owned: the organization does not exist yet. It is created, through
peakos.memberships.create_organization, only when the link in the e-mail is
confirmed, so an unverified address never owns a usable organization.
"""

from django.db import models


class Signup(models.Model):
    email = models.EmailField()
    name = models.CharField(max_length=150)
    organization_name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)
    # A password hash (make_password), never the password: it becomes the owner's password on verification.
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    organization = models.OneToOneField(
        "peakos.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="signup"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email", "-created_at"])]

    def __str__(self) -> str:
        state = "verified" if self.verified_at else "waiting for verification"
        return f"{self.organization_name} ({self.slug}) by {self.email}, {state}"
