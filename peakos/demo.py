"""The demo data of ``manage.py seed_demo``: two organizations, the first realistic.

Idempotent: every object is looked up by a natural key (slug, e-mail, team
name, priority title) and created only when missing, and the generated names
come from a fixed random seed, so a second run changes nothing.
"""

from __future__ import annotations

import fcntl
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from peakos.models import (
    Layer,
    Membership,
    Organization,
    Person,
    Priority,
    PriorityLevel,
    Role,
    Team,
    TeamDependency,
    TeamKind,
    current_period,
)
from peakos.tenancy import org_scope

DEMO_PASSWORD = "peakos-demo-2026"
DEMO_SLUGS = ("northwind", "globex")
# pg_advisory_lock key of seed_demo ("peak" in ASCII): any number no other lock uses.
SEED_LOCK_KEY = 0x7065616B


@contextmanager
def seed_lock() -> Iterator[None]:
    """Hold the database-wide seeding lock: a second ``seed_demo`` waits for the first.

    Every step looks objects up by natural key, but two runs interleaving would both miss a
    row and both insert it (an IntegrityError). PostgreSQL: a session advisory lock; SQLite:
    an exclusive file lock beside the database file (an in-memory database has no second
    process to wait for).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [SEED_LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SEED_LOCK_KEY])
        return
    database = Path(str(connection.settings_dict["NAME"]))
    if connection.vendor != "sqlite" or not database.is_file():
        yield
        return
    with open(f"{database}.seed-lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # released when the file closes
        yield


FIRST = [
    "Ava",
    "Ben",
    "Chloe",
    "Daniel",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Iris",
    "Jonas",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aiko",
    "Bruno",
    "Carmen",
    "Dmitri",
    "Esme",
    "Felix",
    "Greta",
    "Hamza",
    "Ines",
    "Jamal",
    "Keiko",
    "Luca",
    "Mei",
    "Nils",
]
LAST = [
    "Anders",
    "Brooks",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinlan",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Abbott",
    "Becker",
    "Costa",
    "Duarte",
]

# Department → (head title, [(team, size)])
DEPARTMENTS = {
    "Marketing": ("VP Marketing", [("Demand Generation", 9), ("Product Marketing", 8), ("Brand & Content", 8)]),
    "Sales": ("VP Sales", [("Enterprise Sales", 10), ("Mid-Market Sales", 10), ("Sales Operations", 7)]),
    "Customer Success": ("VP Customer Success", [("Onboarding", 9), ("Support", 11), ("Account Management", 8)]),
    "Product": ("Chief Product Officer", [("Product Management", 8), ("Design", 7), ("Research & Analytics", 7)]),
    "Engineering": ("CTO", [("Platform", 10), ("Growth Engineering", 10), ("Data Engineering", 8)]),
    "Operations": ("COO", [("Finance", 7), ("People & Talent", 7), ("IT & Security", 7)]),
}

DEMO_LANGUAGES = {"Support": "de", "Onboarding": "pt-br", "Data Engineering": "ja"}

CHAIN = ["Marketing", "Sales", "Customer Success", "Product", "Engineering", "Operations"]
CROSS_LINKS = [
    ("Enterprise Sales", "Product Marketing"),
    ("Onboarding", "Platform"),
    ("Support", "Growth Engineering"),
    ("Growth Engineering", "Product Management"),
    ("Demand Generation", "Data Engineering"),
    ("Account Management", "Mid-Market Sales"),
    ("Design", "Research & Analytics"),
    ("Platform", "IT & Security"),
    ("Finance", "Sales Operations"),
    # Both directions, so the coordination page can show one-sided pairs:
    # Sales counts on Customer Success for references while CS struggles with Sales' hand-offs.
    ("Sales", "Customer Success"),
    ("Product Marketing", "Enterprise Sales"),
]

COMPANY_PRIORITIES = [
    "Win the mid-market: 40 new logos",
    "Halve time-to-value for new customers",
    "Launch the platform API",
    "Reach 70% gross margin",
]
DEPARTMENT_PRIORITIES = {
    "Marketing": [("Double qualified mid-market pipeline", 0)],
    "Sales": [("Stand up a mid-market sales motion", 0)],
    "Customer Success": [("Onboarding in 14 days, not 30", 1)],
    "Product": [("Define API v1 with design partners", 2)],
    "Engineering": [("Ship the public API beta", 2), ("Cut cloud cost per customer by 20%", 3)],
    "Operations": [("Automate month-end close", 3)],
}


@dataclass
class DemoLogin:
    role: str
    email: str
    password: str
    organization: str


class _Names:
    """Deterministic, unique full names."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def next(self) -> str:
        while True:
            name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
            if name not in self.used:
                self.used.add(name)
                return name


def _email(name: str, domain: str) -> str:
    return name.lower().replace(" ", ".") + "@" + domain


def _team(org, name, kind, parent) -> Team:
    team, _ = Team.objects.get_or_create(organization=org, name=name, defaults={"kind": kind, "parent": parent})
    return team


def _person(org, *, name, email, team, layer, manager=None) -> Person:
    person, _ = Person.objects.get_or_create(
        organization=org,
        email=email,
        defaults={"name": name, "team": team, "layer": layer, "manager": manager},
    )
    return person


def _login(org, *, email, name, role, person=None) -> DemoLogin:
    user = get_user_model().objects.filter(email=email).first()
    if user is None:
        user = get_user_model().objects.create_user(email=email, password=DEMO_PASSWORD, name=name)
    Membership.objects.get_or_create(organization=org, user=user, defaults={"role": role})
    if person is not None and person.user_id is None:
        person.user = user
        person.save(update_fields=["user"])
    return DemoLogin(role=role, email=email, password=DEMO_PASSWORD, organization=org.name)


def seed_northwind() -> tuple[Organization, list[DemoLogin]]:
    """About 150 people, 3 layers, a leadership team, 6 departments, 18 teams."""
    org, _ = Organization.objects.get_or_create(
        slug="northwind", defaults={"name": "Northwind Analytics", "timezone": "Europe/Berlin"}
    )
    domain = "northwind.example"
    names = _Names(seed=2026)
    with org_scope(org):
        leadership = _team(org, "Leadership Team", TeamKind.LEADERSHIP, None)
        ceo = _person(org, name="Helena Marsh", email=f"ceo@{domain}", team=leadership, layer=Layer.EXECUTIVE)
        if leadership.lead_id is None:
            leadership.lead = ceo
            leadership.save(update_fields=["lead"])
        teams: dict[str, Team] = {}
        for dept_name, (_head_title, team_specs) in DEPARTMENTS.items():
            dept = _team(org, dept_name, TeamKind.DEPARTMENT, leadership)
            teams[dept_name] = dept
            head_name = names.next()
            head = _person(
                org,
                name=head_name,
                email=_email(head_name, domain),
                team=leadership,
                layer=Layer.EXECUTIVE,
                manager=ceo,
            )
            if dept.lead_id is None:
                dept.lead = head
                dept.save(update_fields=["lead"])
            for team_name, size in team_specs:
                team = _team(org, team_name, TeamKind.TEAM, dept)
                teams[team_name] = team
                lead_name = names.next()
                lead = _person(
                    org,
                    name=lead_name,
                    email=_email(lead_name, domain),
                    team=team,
                    layer=Layer.MANAGER,
                    manager=head,
                )
                if team.lead_id is None:
                    team.lead = lead
                    team.save(update_fields=["lead"])
                for _ in range(size - 1):
                    ic_name = names.next()
                    _person(
                        org,
                        name=ic_name,
                        email=_email(ic_name, domain),
                        team=team,
                        layer=Layer.INDIVIDUAL,
                        manager=lead,
                    )
        # Each department depends on the one before it in the chain, plus cross links between teams.
        for upstream, downstream in zip(CHAIN, CHAIN[1:], strict=False):
            TeamDependency.objects.get_or_create(organization=org, from_team=teams[downstream], to_team=teams[upstream])
        for from_name, to_name in CROSS_LINKS:
            TeamDependency.objects.get_or_create(organization=org, from_team=teams[from_name], to_team=teams[to_name])

        period = current_period()
        company = []
        for rank, title in enumerate(COMPANY_PRIORITIES, start=1):
            p, _ = Priority.objects.get_or_create(
                organization=org,
                title=title,
                period=period,
                defaults={"level": PriorityLevel.COMPANY, "rank": rank},
            )
            company.append(p)
        for dept_name, items in DEPARTMENT_PRIORITIES.items():
            for rank, (title, parent_index) in enumerate(items, start=1):
                Priority.objects.get_or_create(
                    organization=org,
                    title=title,
                    period=period,
                    defaults={
                        "level": PriorityLevel.DEPARTMENT,
                        "team": teams[dept_name],
                        "parent": company[parent_index],
                        "rank": rank,
                    },
                )

        # A multilingual company: these teams get their surveys and e-mails in German, Brazilian
        # Portuguese and Japanese (everyone else in the default, English). Only people without
        # a language of their own, so running the seed again changes nothing.
        for team_name, language in DEMO_LANGUAGES.items():
            Person.objects.filter(organization=org, team=teams[team_name], language="").update(language=language)

        platform_lead = teams["Platform"].lead
        member_person = Person.objects.filter(team=teams["Platform"], layer=Layer.INDIVIDUAL).order_by("email").first()
        logins = [
            _login(org, email=f"owner@{domain}", name="Olivia Owner", role=Role.OWNER),
            _login(org, email=f"ceo@{domain}", name="Helena Marsh", role=Role.LEADER, person=ceo),
            _login(org, email=f"manager@{domain}", name=platform_lead.name, role=Role.MANAGER, person=platform_lead),
            _login(org, email=f"member@{domain}", name=member_person.name, role=Role.MEMBER, person=member_person),
        ]
    return org, logins


def seed_globex() -> tuple[Organization, list[DemoLogin]]:
    """A small second tenant, so switching and isolation are visible."""
    org, _ = Organization.objects.get_or_create(
        slug="globex", defaults={"name": "Globex Retail", "timezone": "America/Chicago"}
    )
    domain = "globex.example"
    names = _Names(seed=7)
    with org_scope(org):
        leadership = _team(org, "Globex Leadership", TeamKind.LEADERSHIP, None)
        stores = _team(org, "Stores", TeamKind.DEPARTMENT, leadership)
        online = _team(org, "E-commerce", TeamKind.DEPARTMENT, leadership)
        for team, count in ((leadership, 3), (stores, 8), (online, 8)):
            for i in range(count):
                name = names.next()
                _person(
                    org,
                    name=name,
                    email=_email(name, domain),
                    team=team,
                    layer=Layer.EXECUTIVE if team == leadership else (Layer.MANAGER if i == 0 else Layer.INDIVIDUAL),
                )
        TeamDependency.objects.get_or_create(organization=org, from_team=stores, to_team=online)
        logins = [_login(org, email=f"owner@{domain}", name="Gus Globex", role=Role.OWNER)]
    # The Northwind owner also belongs to Globex (as a leader) to show the switcher.
    with org_scope(org):
        logins.append(_login(org, email="owner@northwind.example", name="Olivia Owner", role=Role.LEADER))
    return org, logins


@transaction.atomic
def seed() -> list[DemoLogin]:
    _, northwind_logins = seed_northwind()
    _, globex_logins = seed_globex()
    return northwind_logins + globex_logins
