"""The app's URLs plus ``/bench/floor/`` — the physical floor of a survey submit (bench only).

The floor view does the least work a submit must do on this stack: the same gunicorn and
middleware, the same form body parsed, and the same rows (a guard row, a response, its
answers) inserted in one transaction with raw SQL, three statements. Nothing is looked up
and nothing validated: the rows it writes come from ``BENCH_FLOOR`` (JSON made by
bench/submit.py from the bench round's answer sheet). Mounted only by bench/floor_settings.py.
"""

from __future__ import annotations

import json
import os
import secrets

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from peakos.urls import urlpatterns as app_patterns

_FLOOR = json.loads(os.environ.get("BENCH_FLOOR") or "{}")


@csrf_exempt
def floor(request):
    """Insert a guard row, a response and its answers in one transaction (raw SQL)."""
    if request.method != "POST" or not request.POST:
        return HttpResponse("POST the submission body", status=400)
    f = _FLOOR
    response_id = secrets.randbits(63)
    answers = f["answers"]
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO surveys_submissionguard (digest, organization_id, round_id) VALUES (%s, %s, %s)",
            [secrets.token_hex(32), f["org"], f["round"]],
        )
        cur.execute(
            "INSERT INTO surveys_response (id, organization_id, round_id, team_id, layer, submitted_on)"
            " VALUES (%s, %s, %s, %s, %s, CURRENT_DATE)",
            [response_id, f["org"], f["round"], f["team"], f["layer"]],
        )
        params: list = []
        for a in answers:
            params += [secrets.randbits(63), f["org"], response_id, a[0], a[1], a[2], a[3], a[4]]
        cur.execute(
            "INSERT INTO surveys_answer"
            " (id, organization_id, response_id, question_id, value, text, rated_team_id, priority_id) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(answers)),
            params,
        )
    return HttpResponse("stored", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *app_patterns]
