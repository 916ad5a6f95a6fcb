"""The 360° report of one leader: what may be shown, by relationship, and what it says.

What is published is decided by the disclosure audit (``insights.disclosure``), not by a
rule per group. The atoms are the four relationships (self, manager, peers, direct
reports), weighted by their answer sheets; the candidate rows are the groups the report
can show: peers, direct reports, "everyone but the leader" and — pooled like any group
unless the leader chose otherwise — the manager. So "everyone but the leader" minus the
peers and the reports never reveals a hidden manager: the audit hides one of them.

Self and manager shown *individually* (the leader chose it, and those raters were told so
on the page before answering) are published rows that need no protection: they stand in
the audit as fixed rows whose atom counts as heavy (isolating an answer that is shown
anyway leaks nothing). Every other group still has to hold the threshold on its own and
in every combination.

Comments (everyone but the leader, pooled) need the comment threshold
(``disclosure.audit_sets``). The leader's own comments are shown only with ``show_self``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

from insights import disclosure, scoring
from leadership import bank
from leadership.models import Feedback, FeedbackAnswer, FeedbackResponse, Rater, Relationship

ATOMS = (Relationship.SELF, Relationship.MANAGER, Relationship.PEER, Relationship.REPORT)
OTHERS = "others"
# A self rating this many points (0–100) above the others' is a blind spot; below, a hidden strength.
BLIND_SPOT_POINTS = 20.0
STRENGTHS = 3


@dataclass
class Group:
    key: str
    label: str
    respondents: int
    shown: bool
    reason: str = ""  # why hidden
    individual: bool = False
    scores: dict[str, float | None] = field(default_factory=dict)  # item -> 0–100
    means: dict[str, float | None] = field(default_factory=dict)


@dataclass
class Report:
    feedback: Feedback
    asked: dict[str, int]
    answered: int
    groups: list[Group]
    items: list[dict]
    strengths: list[dict]
    development: list[dict]
    blind_spots: list[dict]
    hidden_strengths: list[dict]
    comments: dict[str, list[str]]
    comments_shown: bool
    self_comments: dict[str, list[str]]


def _labels() -> dict[str, str]:
    return {
        Relationship.SELF: _("Self"),
        Relationship.MANAGER: _("Manager"),
        Relationship.PEER: _("Peers"),
        Relationship.REPORT: _("Direct reports"),
        OTHERS: _("Everyone but the leader"),
    }


def decide(feedback: Feedback, counts: dict[str, int]) -> tuple[dict[str, bool], dict[str, str]]:
    """Which groups may be shown: group key -> shown, and why a hidden one is hidden."""
    k = feedback.anonymity_threshold
    weights = [counts.get(a, 0) for a in ATOMS]
    rows: list[list[int]] = []
    keys: list[str] = []
    fixed: list[int] = []
    keep: list[int] = []
    for i, rel in enumerate(ATOMS):
        if feedback.shown_individually(rel):
            if weights[i]:
                weights[i] = max(weights[i], k)  # shown anyway: isolating it reveals nothing new
                fixed.append(len(rows))
            rows.append([i])
            keys.append(rel)
            keep.append(10)
        elif rel != Relationship.SELF:  # the leader's own ratings are never pooled into a group of its own
            rows.append([i])
            keys.append(rel)
            keep.append(0)
    rows.append([1, 2, 3])
    keys.append(OTHERS)
    keep.append(1)
    result = disclosure.audit(weights, rows, k, keep=keep, fixed=fixed)
    shown, reason = {}, {}
    for r, key in enumerate(keys):
        real = counts.get(key, 0) if key != OTHERS else sum(counts.get(a, 0) for a in ATOMS[1:])
        visible = r not in result.hidden and real > 0
        shown[key] = visible
        if not visible:
            reason[key] = (
                _("no answers yet")
                if real == 0
                else (
                    _("fewer than %(k)s answers") % {"k": k}
                    if r in result.primary or real < k
                    else _("hidden so a smaller group cannot be worked out")
                )
            )
    if Relationship.SELF not in shown:
        shown[Relationship.SELF] = False
        reason[Relationship.SELF] = _("the leader chose not to show their own ratings")
    return shown, reason


def build_report(feedback: Feedback) -> Report:  # noqa: C901 (one branch per report section, top to bottom)
    """The report: groups that pass the audit, per item scores, strengths, blind spots, comments."""
    responses = dict(FeedbackResponse.objects.filter(feedback=feedback).values_list("id", "relationship"))
    counts: dict[str, int] = defaultdict(int)
    for rel in responses.values():
        counts[rel] += 1
    shown, reason = decide(feedback, counts)
    hists: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 6)
    texts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rid, item, value, text in FeedbackAnswer.objects.filter(response__feedback=feedback).values_list(
        "response_id", "item", "value", "text"
    ):
        rel = responses[rid]
        groups = [rel] + ([OTHERS] if rel != Relationship.SELF else [])
        for g in groups:
            if value is not None:
                hists[(g, item)][value] += 1
            elif text:
                texts[(g, item)].append(text)
    labels = _labels()
    groups: list[Group] = []
    for key in (Relationship.SELF, Relationship.MANAGER, Relationship.PEER, Relationship.REPORT, OTHERS):
        n = counts[key] if key != OTHERS else sum(counts[a] for a in ATOMS[1:])
        group = Group(
            key=key,
            label=labels[key],
            respondents=n if shown.get(key) else 0,
            shown=bool(shown.get(key)),
            reason=reason.get(key, ""),
            individual=feedback.shown_individually(key),
        )
        if group.shown:
            summary = scoring.summaries(np.array([hists[(key, item)] for item in bank.ITEM_KEYS], dtype=np.int64))
            for item, score, mean in zip(bank.ITEM_KEYS, summary.score.tolist(), summary.mean.tolist(), strict=True):
                group.scores[item] = None if math.isnan(score) else score  # NaN: nobody answered the item
                group.means[item] = None if math.isnan(mean) else mean
        groups.append(group)
    by_key = {g.key: g for g in groups}
    others, own = by_key[OTHERS], by_key[Relationship.SELF]
    name = feedback.leader.name
    items = [
        {
            "key": i.key,
            "text": str(i.text) % {"name": name},
            "area": i.area,
            "scores": [g.scores.get(i.key) if g.shown else None for g in groups],
        }
        for i in bank.ITEMS
    ]
    ranked = [it for it in items if others.shown and others.scores.get(it["key"]) is not None]
    ranked.sort(key=lambda it: -others.scores[it["key"]])
    strengths = [{**it, "score": others.scores[it["key"]]} for it in ranked[:STRENGTHS]]
    development = [{**it, "score": others.scores[it["key"]]} for it in ranked[::-1][:2] if it not in ranked[:STRENGTHS]]
    blind, hidden = [], []
    if others.shown and own.shown:
        for it in items:
            s, o = own.scores.get(it["key"]), others.scores.get(it["key"])
            if s is None or o is None:
                continue
            gap = s - o
            row = {**it, "self": s, "others": o, "gap": gap}
            if gap >= BLIND_SPOT_POINTS:
                blind.append(row)
            elif gap <= -BLIND_SPOT_POINTS:
                hidden.append(row)
        blind.sort(key=lambda r: -r["gap"])
        hidden.sort(key=lambda r: r["gap"])
    others_n = sum(counts[a] for a in ATOMS[1:])
    k = feedback.anonymity_threshold
    comments_ok = False
    if others_n and others.shown:
        weights = [counts[a] for a in ATOMS[1:]]
        comment_k = max(feedback.comment_threshold, k)
        comments_ok = not disclosure.audit_sets(weights, [[0, 1, 2]], comment_k).hidden
    comment_labels = {key: str(label) % {"name": name} for key, label in bank.COMMENTS}
    comments = {comment_labels[key]: sorted(texts[(OTHERS, key)]) for key, _l in bank.COMMENTS} if comments_ok else {}
    self_comments = (
        {
            comment_labels[key]: texts[(Relationship.SELF, key)]
            for key, _l in bank.COMMENTS
            if texts[(Relationship.SELF, key)]
        }
        if own.shown and feedback.show_self
        else {}
    )
    asked: dict[str, int] = defaultdict(int)
    for rel in Rater.objects.filter(feedback=feedback).values_list("relationship", flat=True):
        asked[rel] += 1
    return Report(
        feedback=feedback,
        asked=dict(asked),
        answered=len(responses),
        groups=groups,
        items=items,
        strengths=strengths,
        development=development,
        blind_spots=blind,
        hidden_strengths=hidden,
        comments=comments,
        comments_shown=comments_ok,
        self_comments=self_comments,
    )
