"""``manage.py create_api_token <org-slug> <name> [--role leader]``: print a new API token once.

For operators and the README's examples; admins create tokens on the organization's API tokens page.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from peakos.api_auth import TOKEN_ROLES, create_api_token
from peakos.models import Organization, Role
from peakos.tenancy import org_scope


class Command(BaseCommand):
    help = "Create an API token for an organization and print it (only its hash is stored: copy it now)."

    def add_arguments(self, parser):
        parser.add_argument("org_slug")
        parser.add_argument("name", help="What will use the token, e.g. 'HRIS sync'.")
        parser.add_argument("--role", default=Role.LEADER, choices=[r.value for r in TOKEN_ROLES])

    def handle(self, *args, org_slug, name, role, **options):
        organization = Organization.objects.filter(slug=org_slug).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {org_slug!r}.")
        with org_scope(organization):
            try:
                token, raw = create_api_token(organization=organization, membership=None, name=name, role=role)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages))
        self.stderr.write(f"Token {token.name!r} ({token.role}) for {organization.name}; it is shown only once:")
        self.stdout.write(raw)
