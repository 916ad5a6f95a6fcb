"""Writes of the weekly rhythm. Each service checks the role rules (rhythm/access.py), validates,
runs in one transaction and records an audit event; views and tasks only call them."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from peakos.audit import record_audit
from peakos.models import Membership, Person, Team
from rhythm import access
from rhythm.models import (
    SECTION_KINDS,
    Attendee,
    Cadence,
    Decision,
    Direction,
    Issue,
    IssuePriority,
    IssueStatus,
    Measurable,
    MeasurableEntry,
    Meeting,
    MeetingSeries,
    Todo,
    default_due_on,
    week_start,
)

MAX_SECTION_MINUTES = 180
MAX_TODOS_PER_DECISION = 20


def person_of(membership: Membership) -> Person | None:
    """The Person record linked to this login in this organization (None: an admin without one)."""
    return Person.objects.filter(user_id=membership.user_id, active=True).order_by("pk").first()


def _person(person_id, field: str, errors: dict) -> Person | None:
    if not person_id:
        return None
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        errors[field] = ["Choose a person of this organization."]
    return person


# --- Meeting series ------------------------------------------------------------------------------


def clean_agenda(agenda) -> list[dict]:
    """Sections in order, each a title (required), minutes (1–180) and a kind the live page knows."""
    if not isinstance(agenda, list) or not agenda:
        raise ValidationError({"agenda": ["The agenda needs at least one section."]})
    out, problems = [], []
    for n, section in enumerate(agenda, start=1):
        if not isinstance(section, dict):
            problems.append(f"Section {n}: not a section.")
            continue
        title = str(section.get("title") or "").strip()
        kind = section.get("kind") or "other"
        try:
            minutes = int(section.get("minutes"))
        except (TypeError, ValueError):
            minutes = 0
        if not title:
            problems.append(f"Section {n}: give it a title.")
        if not 1 <= minutes <= MAX_SECTION_MINUTES:
            problems.append(f"Section {n}: minutes must be between 1 and {MAX_SECTION_MINUTES}.")
        if kind not in SECTION_KINDS:
            problems.append(f"Section {n}: unknown kind {kind!r}.")
        out.append({"kind": kind, "title": title[:100], "minutes": minutes})
    if problems:
        raise ValidationError({"agenda": problems})
    return out


@transaction.atomic
def save_series(
    *,
    membership: Membership,
    team: Team,
    name: str,
    cadence: str = Cadence.WEEKLY,
    weekday: int = 0,
    start_time: time | None = None,
    agenda: list[dict] | None = None,
) -> MeetingSeries:
    """Create the team's meeting series, or change its name, cadence, day, time and agenda."""
    access.require(membership, team, access.can_edit)
    errors: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Name the meeting."]
    if cadence not in Cadence.values:
        errors["cadence"] = ["Choose weekly or every two weeks."]
    if weekday not in range(7):
        errors["weekday"] = ["Choose a day of the week."]
    try:
        agenda = clean_agenda(agenda) if agenda is not None else None
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    series = MeetingSeries.objects.select_for_update().filter(team=team).first()
    created = series is None
    if created:
        series = MeetingSeries(organization=team.organization, team=team)
    series.name, series.cadence, series.weekday = name[:200], cadence, weekday
    if start_time is not None:
        series.start_time = start_time
    if agenda is not None:
        series.agenda = agenda
    series.save()
    record_audit(
        organization=team.organization, actor=membership.user, obj=series,
        action="rhythm.series.create" if created else "rhythm.series.update", summary=f"{team.name}: {series.name}",
    )  # fmt: skip
    return series


# --- Scorecard -----------------------------------------------------------------------------------


def _decimal(value, field: str, errors: dict, message: str) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        errors[field] = [message]
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        errors[field] = [message]
        return None
    return number.quantize(Decimal("0.01"))


def _measurable_fields(
    team: Team,
    *,
    name: str,
    goal,
    direction: str,
    unit: str,
    owner_id: int | None,
    metric_id: int | None,
    measurable: Measurable | None = None,
) -> dict:
    """A measurable's fields, validated (all errors at once); ``measurable`` when it is an edit."""
    from reviews.models import Metric

    errors: dict = {}
    name = (name or "").strip()
    same_name = Measurable.objects.filter(team=team, name__iexact=name)
    if measurable is not None:
        same_name = same_name.exclude(pk=measurable.pk)
    if not name:
        errors["name"] = ["Name the measurable."]
    elif same_name.exists():
        errors["name"] = [f"{team.name} already has a measurable called “{name}”."]
    number = _decimal(goal, "goal", errors, "The goal is a number, e.g. 40 or 12.5.")
    if direction not in Direction.values:
        errors["direction"] = ["Choose whether the goal is a minimum or a maximum."]
    owner = _person(owner_id, "owner_id", errors)
    metric = None
    if metric_id:
        metric = Metric.objects.filter(pk=metric_id, review__team=team).first()
        if metric is None:
            errors["metric_id"] = ["Choose a metric of this team's business reviews."]
    if errors:
        raise ValidationError(errors)
    return {"name": name[:200], "goal": number, "direction": direction, "unit": (unit or "").strip()[:30],
            "owner": owner, "metric": metric}  # fmt: skip


@transaction.atomic
def create_measurable(
    *,
    membership: Membership,
    team: Team,
    name: str,
    goal,
    direction: str = Direction.AT_LEAST,
    unit: str = "",
    owner_id: int | None = None,
    metric_id: int | None = None,
) -> Measurable:
    """Add a weekly measurable to a team's scorecard; ``metric_id`` links it to a metric of one of
    the team's business reviews, so the review shows the weeks behind the quarterly figure."""
    access.require(membership, team, access.can_edit)
    fields = _measurable_fields(
        team, name=name, goal=goal, direction=direction, unit=unit, owner_id=owner_id, metric_id=metric_id
    )
    measurable = Measurable.objects.create(organization=team.organization, team=team, **fields)
    record_audit(
        organization=team.organization, actor=membership.user, action="rhythm.measurable.create", obj=measurable,
        summary=f"{team.name}: {measurable.name}",
    )  # fmt: skip
    return measurable


@transaction.atomic
def update_measurable(
    *,
    membership: Membership,
    measurable: Measurable,
    name: str,
    goal,
    direction: str = Direction.AT_LEAST,
    unit: str = "",
    owner_id: int | None = None,
    metric_id: int | None = None,
) -> Measurable:
    """Change a measurable's name, goal, direction, unit, owner or linked metric. Its entries stay;
    red/green is always judged against the current goal."""
    locked = Measurable.objects.select_for_update(of=("self",)).select_related("team")
    measurable = access.get_for(membership, locked, measurable.pk, access.can_change)
    fields = _measurable_fields(
        measurable.team, name=name, goal=goal, direction=direction, unit=unit, owner_id=owner_id,
        metric_id=metric_id, measurable=measurable,
    )  # fmt: skip
    changed = sorted(k for k, v in fields.items() if getattr(measurable, k) != v)
    for key, value in fields.items():
        setattr(measurable, key, value)
    measurable.save()
    record_audit(
        organization=measurable.organization, actor=membership.user, action="rhythm.measurable.update",
        obj=measurable, summary=f"{measurable.team.name}: {measurable.name}", data={"changed": changed},
    )  # fmt: skip
    return measurable


@transaction.atomic
def _set_archived(row: Measurable | Issue, *, membership: Membership, archived: bool, summary: str) -> None:
    """Archive (``archived_at`` now) or restore a row the caller has locked and checked, with its
    audit entry (``rhythm.measurable.archive``, ``rhythm.issue.restore``, ...). A request that
    asks for the state the row is already in changes nothing and records nothing. A measurable
    also keeps the ``archived`` flag its scorecard queries filter on."""
    fields = ["archived_at"]
    if isinstance(row, Measurable):
        if row.archived == archived:
            return
        row.archived = archived
        fields.append("archived")
    elif (row.archived_at is not None) == archived:
        return
    row.archived_at = timezone.now() if archived else None
    row.save(update_fields=fields)
    kind = "measurable" if isinstance(row, Measurable) else "issue"
    record_audit(
        organization=row.organization, actor=membership.user, obj=row,
        action=f"rhythm.{kind}.{'archive' if archived else 'restore'}", summary=f"{row.team.name}: {summary}",
    )  # fmt: skip


def set_measurable_archived(*, membership: Membership, measurable: Measurable, archived: bool) -> Measurable:
    """Archive a measurable (off the scorecard of the team and meeting pages; its entries stay for
    history and the review's weeks) or bring it back."""
    locked = Measurable.objects.select_for_update(of=("self",)).select_related("team")
    measurable = access.get_for(membership, locked, measurable.pk, access.can_change)
    _set_archived(measurable, membership=membership, archived=archived, summary=measurable.name)
    return measurable


@transaction.atomic
def record_entry(*, membership: Membership, measurable: Measurable, week: date, value) -> MeasurableEntry:
    """Set a measurable's value for a week (the week of ``week``; entering it again corrects it)."""
    access.require(membership, measurable, access.can_edit)
    errors: dict = {}
    number = _decimal(value, "value", errors, "Enter the week's number, e.g. 42.")
    if not isinstance(week, date):
        errors["week"] = ["Choose the week."]
    elif week > timezone.localdate():
        errors["week"] = ["That week has not started yet."]
    if errors:
        raise ValidationError(errors)
    entry, _ = MeasurableEntry.objects.update_or_create(
        measurable=measurable, week=week_start(week),
        defaults={"organization": measurable.organization, "value": number, "entered_by": membership.user},
    )  # fmt: skip
    record_audit(
        organization=measurable.organization, actor=membership.user, action="rhythm.entry.save", obj=entry,
        summary=f"{measurable.name} {entry.week}: {number}",
    )  # fmt: skip
    return entry


# --- Issues, decisions, to-dos -------------------------------------------------------------------


@transaction.atomic
def raise_issue(
    *,
    membership: Membership,
    team: Team,
    title: str,
    details: str = "",
    priority: int = IssuePriority.MEDIUM,
    raised_to_id: int | None = None,
) -> Issue:
    """Put an issue on a team's list, or raise it to another team or up to the leadership team
    (then that team's meeting solves it, and the wait counts as cross-team time to answer)."""
    access.require(membership, team, access.can_edit)
    errors: dict = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Say what the issue is."]
    if priority not in IssuePriority.values:
        errors["priority"] = ["Choose high, medium or low."]
    raised_to = None
    if raised_to_id:
        raised_to = Team.objects.filter(pk=raised_to_id, archived=False).first()
        if raised_to is None:
            errors["raised_to_id"] = ["Choose a team of this organization."]
        elif raised_to.pk == team.pk:
            errors["raised_to_id"] = ["Leave it empty to keep the issue on this team's own list."]
    if errors:
        raise ValidationError(errors)
    issue = Issue.objects.create(
        organization=team.organization, team=team, raised_to=raised_to, raised_by=person_of(membership),
        title=title[:300], details=(details or "").strip(), priority=priority,
    )  # fmt: skip
    record_audit(
        organization=team.organization, actor=membership.user, action="rhythm.issue.raise", obj=issue,
        summary=f"{team.name}{' → ' + raised_to.name if raised_to else ''}: {issue.title}",
    )  # fmt: skip
    return issue


@transaction.atomic
def update_issue(
    *, membership: Membership, issue: Issue, title: str, details: str = "", priority: int = IssuePriority.MEDIUM
) -> Issue:
    """Reword an issue or change its priority (where it is raised to stays: that is its history)."""
    locked = Issue.objects.select_for_update(of=("self",)).select_related("team")
    issue = access.get_for(membership, locked, issue.pk, access.can_change_issue)
    errors: dict = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Say what the issue is."]
    if priority not in IssuePriority.values:
        errors["priority"] = ["Choose high, medium or low."]
    if errors:
        raise ValidationError(errors)
    issue.title, issue.details, issue.priority = title[:300], (details or "").strip(), priority
    issue.save(update_fields=["title", "details", "priority"])
    record_audit(
        organization=issue.organization, actor=membership.user, action="rhythm.issue.update", obj=issue,
        summary=f"{issue.team.name}: {issue.title}",
    )  # fmt: skip
    return issue


@transaction.atomic
def set_issue_archived(*, membership: Membership, issue: Issue, archived: bool) -> Issue:
    """Park an issue off the meeting's list, or bring it back. Unlike dropping it, parking is not an
    answer: it stays in history and an open one keeps counting as waiting in decision velocity."""
    locked = Issue.objects.select_for_update(of=("self",)).select_related("team")
    issue = access.get_for(membership, locked, issue.pk, access.can_change_issue)
    _set_archived(issue, membership=membership, archived=archived, summary=issue.title)
    return issue


def _clean_todos(todos: list[dict], errors: dict) -> list[dict]:
    out = []
    for n, row in enumerate(todos or [], start=1):
        title = (row.get("title") or "").strip()
        if not title:
            continue
        owner = _person(row.get("owner_id"), f"todo_{n}_owner", errors)
        due_on = row.get("due_on") or default_due_on()
        out.append({"title": title[:300], "owner": owner, "due_on": due_on})
    if len(out) > MAX_TODOS_PER_DECISION:
        errors["todos"] = [f"At most {MAX_TODOS_PER_DECISION} to-dos per decision."]
    return out


def _live_meeting(meeting_id: int | None, team_id: int) -> Meeting | None:
    if not meeting_id:
        return None
    return Meeting.objects.filter(pk=meeting_id, team_id=team_id, ended_at__isnull=True).first()


@transaction.atomic
def solve_issue(
    *,
    membership: Membership,
    issue: Issue,
    what: str,
    why: str = "",
    decided_by_id: int | None = None,
    todos: list[dict] | None = None,
    meeting_id: int | None = None,
) -> Decision:
    """Solve an issue into a recorded decision (what, who decided, why, when) and its to-dos
    (each with an owner, due in seven days unless said otherwise)."""
    locked = Issue.objects.select_for_update(of=("self",)).select_related("team", "raised_to")
    issue = access.get_for(membership, locked, issue.pk, access.can_solve_issue)
    if issue.status != IssueStatus.OPEN:
        raise ValidationError({"what": ["This issue is already solved."]})
    errors: dict = {}
    what = (what or "").strip()
    if not what:
        errors["what"] = ["Write down what was decided."]
    decided_by = _person(decided_by_id, "decided_by_id", errors) if decided_by_id else person_of(membership)
    rows = _clean_todos(todos or [], errors)
    if errors:
        raise ValidationError(errors)
    owner_team_id = issue.owner_team_id
    meeting = _live_meeting(meeting_id, owner_team_id)
    now = timezone.now()
    decision = Decision.objects.create(
        organization=issue.organization, team_id=owner_team_id, issue=issue, meeting=meeting, what=what,
        why=(why or "").strip(), decided_by=decided_by, decided_at=now, recorded_by=membership.user,
    )  # fmt: skip
    Todo.objects.bulk_create(
        Todo(organization=issue.organization, team_id=owner_team_id, issue=issue, meeting=meeting, created_at=now, **r)
        for r in rows
    )
    issue.status, issue.solved_at, issue.solved_in = IssueStatus.SOLVED, now, meeting
    issue.save(update_fields=["status", "solved_at", "solved_in"])
    record_audit(
        organization=issue.organization, actor=membership.user, action="rhythm.issue.solve", obj=issue,
        summary=f"{issue.title} → {what[:200]}", data={"decision": decision.pk, "todos": len(rows)},
    )  # fmt: skip
    return decision


@transaction.atomic
def drop_issue(*, membership: Membership, issue: Issue) -> Issue:
    """Take an issue off the list without a decision (no longer an issue). It leaves the velocity figures."""
    issue = access.get_for(membership, Issue.objects.select_for_update(of=("self",)), issue.pk, access.can_solve_issue)
    if issue.status != IssueStatus.OPEN:
        raise ValidationError("This issue is no longer open.")
    issue.status, issue.solved_at = IssueStatus.DROPPED, timezone.now()
    issue.save(update_fields=["status", "solved_at"])
    record_audit(
        organization=issue.organization, actor=membership.user, action="rhythm.issue.drop", obj=issue,
        summary=issue.title,
    )  # fmt: skip
    return issue


@transaction.atomic
def create_todo(
    *,
    membership: Membership,
    team: Team,
    title: str,
    owner_id: int | None = None,
    due_on: date | None = None,
    meeting_id: int | None = None,
) -> Todo:
    access.require(membership, team, access.can_edit)
    errors: dict = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Say what is to be done."]
    owner = _person(owner_id, "owner_id", errors)
    if errors:
        raise ValidationError(errors)
    todo = Todo.objects.create(
        organization=team.organization, team=team, title=title[:300], owner=owner,
        due_on=due_on or default_due_on(), meeting=_live_meeting(meeting_id, team.pk),
    )  # fmt: skip
    record_audit(
        organization=team.organization, actor=membership.user, action="rhythm.todo.create", obj=todo,
        summary=f"{team.name}: {todo.title}",
    )  # fmt: skip
    return todo


@transaction.atomic
def set_todo_done(*, membership: Membership, todo: Todo, done: bool) -> Todo:
    """Tick a to-do done (or back to not done) at the to-do review."""
    todo = access.get_for(membership, Todo.objects.select_for_update(of=("self",)), todo.pk, access.can_edit)
    if todo.done != done:
        todo.done, todo.done_at = done, timezone.now() if done else None
        todo.save(update_fields=["done", "done_at"])
        record_audit(
            organization=todo.organization, actor=membership.user, action="rhythm.todo.done" if done else
            "rhythm.todo.undone", obj=todo, summary=todo.title,
        )  # fmt: skip
    return todo


# --- Meetings ------------------------------------------------------------------------------------


def _attend(meeting: Meeting, person: Person | None) -> Attendee | None:
    if person is None:
        return None
    try:
        with transaction.atomic():
            return Attendee.objects.get_or_create(organization=meeting.organization, meeting=meeting, person=person)[0]
    except IntegrityError:  # two tabs joining at once
        return Attendee.objects.get(meeting=meeting, person=person)


@transaction.atomic
def start_meeting(*, membership: Membership, team: Team) -> Meeting:
    """Start the team's meeting now (or return the one already going): the agenda is copied from the
    series and the team's people are its attendees, with whoever starts it."""
    access.require(membership, team, access.can_edit)
    series = MeetingSeries.objects.select_for_update().filter(team=team).first()
    if series is None:
        raise ValidationError("Set up the team's meeting (day, time, agenda) first.")
    live = Meeting.objects.filter(series=series, started_at__isnull=False, ended_at__isnull=True).first()
    if live is not None:
        _attend(live, person_of(membership))
        return live
    now = timezone.now()
    meeting = Meeting.objects.create(
        organization=team.organization, series=series, team=team, held_on=timezone.localdate(), agenda=series.agenda,
        section_index=0, section_started_at=now, section_seconds=[0] * len(series.agenda), started_at=now,
        started_by=membership.user,
    )  # fmt: skip
    people = list(Person.objects.filter(team=team, active=True))
    Attendee.objects.bulk_create(Attendee(organization=team.organization, meeting=meeting, person=p) for p in people)
    _attend(meeting, person_of(membership))
    record_audit(
        organization=team.organization, actor=membership.user, action="rhythm.meeting.start", obj=meeting,
        summary=str(meeting),
    )  # fmt: skip
    return meeting


def join_meeting(*, membership: Membership, meeting: Meeting) -> Attendee | None:
    """Opening a live meeting's page makes the viewer an attendee (idempotent)."""
    if not meeting.is_live or not access.can_edit_team(membership, meeting.team_id):
        return None
    return _attend(meeting, person_of(membership))


def _locked_live(meeting: Meeting, membership: Membership) -> Meeting:
    meeting = access.get_for(membership, Meeting.objects.select_for_update(of=("self",)), meeting.pk, access.can_edit)
    if not meeting.is_live:
        raise ValidationError("This meeting has ended.")
    return meeting


def _close_section(meeting: Meeting, now: datetime) -> None:
    seconds = list(meeting.section_seconds or [])
    seconds += [0] * (len(meeting.agenda) - len(seconds))
    if meeting.section_started_at is not None:
        seconds[meeting.section_index] += max(0, int((now - meeting.section_started_at).total_seconds()))
    meeting.section_seconds = seconds


@transaction.atomic
def go_to_section(
    *, membership: Membership, meeting: Meeting, section: int, from_section: int | None = None
) -> Meeting:
    """Move the live meeting to an agenda section; the time spent in the one left is added to it.

    ``from_section``: the section the person saw when they clicked. When someone else moved on
    first, the click is ignored, so two people pressing "Next" move the meeting by one section.
    """
    meeting = _locked_live(meeting, membership)
    if not 0 <= section < len(meeting.agenda):
        raise ValidationError({"section": ["No such agenda section."]})
    if (from_section is not None and from_section != meeting.section_index) or section == meeting.section_index:
        return meeting
    now = timezone.now()
    _close_section(meeting, now)
    meeting.section_index, meeting.section_started_at = section, now
    meeting.save(update_fields=["section_seconds", "section_index", "section_started_at"])
    return meeting


@transaction.atomic
def save_notes(*, membership: Membership, meeting: Meeting, notes: str) -> Meeting:
    meeting = _locked_live(meeting, membership)
    meeting.notes = (notes or "").strip()[:5000]
    meeting.save(update_fields=["notes"])
    return meeting


@transaction.atomic
def rate_meeting(*, membership: Membership, meeting: Meeting, rating) -> Attendee:
    """An attendee's 1–10 rating of the meeting (shown with their name; they may change it until it ends)."""
    meeting = _locked_live(meeting, membership)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 10:
        raise ValidationError({"rating": ["Rate the meeting from 1 to 10."]})
    attendee = _attend(meeting, person_of(membership))
    if attendee is None:
        raise ValidationError(
            {"rating": ["Only people of the organization rate meetings: link your login to a person."]}
        )
    attendee.rating, attendee.rated_at = rating, timezone.now()
    attendee.save(update_fields=["rating", "rated_at"])
    return attendee


@transaction.atomic
def conclude_meeting(*, membership: Membership, meeting: Meeting) -> Meeting:
    """End the meeting; after the commit a Celery task e-mails the recap to its attendees."""
    from rhythm.tasks import send_meeting_recap  # tasks import the services: import on use

    meeting = _locked_live(meeting, membership)
    now = timezone.now()
    _close_section(meeting, now)
    meeting.ended_at = now
    meeting.section_started_at = None
    meeting.save(update_fields=["section_seconds", "ended_at", "section_started_at"])
    record_audit(
        organization=meeting.organization, actor=membership.user, action="rhythm.meeting.conclude", obj=meeting,
        summary=str(meeting),
    )  # fmt: skip
    send_meeting_recap.delay_on_commit(meeting.organization_id, meeting.pk)
    return meeting


def send_recap(*, meeting: Meeting) -> int:
    """E-mail the recap (decisions, new to-dos with owners and due days, ratings) to each attendee.

    The meeting is claimed first with a conditional UPDATE, so a task that runs twice sends once.
    """
    from rhythm import selectors

    claimed = Meeting.objects.filter(pk=meeting.pk, ended_at__isnull=False, recap_sent_at__isnull=True).update(
        recap_sent_at=timezone.now()
    )
    if not claimed:
        return 0
    recap = selectors.meeting_recap(meeting)
    url = settings.SITE_URL + reverse(
        "rhythm_meeting", kwargs={"org_slug": meeting.organization.slug, "meeting_id": meeting.pk}
    )
    sent = 0
    for attendee in recap["attendees"]:
        person = attendee.person
        if not person.email or not person.active:
            continue
        context = {**recap, "person": person, "url": url}
        send_mail(
            subject=f"Recap: {meeting.series.name}, {meeting.held_on:%d %b %Y}",
            message=render_to_string("rhythm/email/recap.txt", context),
            from_email=None,
            recipient_list=[person.email],
            html_message=render_to_string("rhythm/email/recap.html", context),
        )
        sent += 1
    return sent
