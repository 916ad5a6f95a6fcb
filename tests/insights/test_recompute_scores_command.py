"""manage.py recompute_scores <org-slug>."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from insights.models import Snapshot

pytestmark = pytest.mark.django_db


def test_it_recomputes_every_round_with_a_progress_bar(tenant_a, tenant_b, build_round):
    rounds = [build_round(number=n).respond(tenant_a.team, times=5).save() for n in (1, 2, 3)]
    out = StringIO()
    call_command("recompute_scores", tenant_a.org.slug, stdout=out)
    text = out.getvalue()
    assert "[" + "#" * 30 + "] 3/3" in text
    assert "Recomputed 3 round(s) of Alpha Corp" in text
    assert Snapshot.objects.filter(round__in=rounds, scope_kind="organization").count() == 3 * 2  # two dimensions
    assert not Snapshot.objects.filter(organization=tenant_b.org).exists()


def test_an_unknown_organization_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No organization with slug 'nope'"):
        call_command("recompute_scores", "nope", stdout=StringIO())
