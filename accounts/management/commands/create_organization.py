from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import create_organization_as_operator


class Command(BaseCommand):
    help = (
        "Create an organization and its owner (works with SIGNUP=closed). A new owner is e-mailed a link "
        "to choose a password; an existing user simply becomes the owner."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the web address: /o/<slug>/")
        parser.add_argument("--name", required=True, help="the organization's name")
        parser.add_argument("--owner", required=True, metavar="EMAIL", help="the owner's e-mail address")
        parser.add_argument("--owner-name", default="", help="the owner's name, for a new login")
        parser.add_argument("--timezone", default="UTC")

    def handle(self, *args, **options):
        try:
            org, owner, is_new = create_organization_as_operator(
                slug=options["slug"],
                organization_name=options["name"],
                owner_email=options["owner"],
                owner_name=options["owner_name"],
                timezone_name=options["timezone"],
            )
        except ValidationError as exc:
            problems = (
                [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise CommandError("; ".join(problems)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {org.name} at /o/{org.slug}/, owned by {owner.email}."))
        if is_new:
            self.stdout.write(f"{owner.email} is new: an e-mail with a link to choose a password is on its way.")
