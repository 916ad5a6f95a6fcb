"""The built-in question bank and the ready-made survey templates.

``BANK_V1`` is frozen: migration 0002 loads it into ``BankQuestion``. To change the
bank, add ``BANK_V2`` (new items or rewordings under new keys) and a new data
migration; never edit a loaded item in place, since organizations' trends compare
answers by key.

The wording follows the usual rules for pulse items: one idea per statement, first
person, present tense, concrete, no double negatives, answerable from the
respondent's own experience, on a 5-point agree/disagree scale.
"""

from __future__ import annotations

LIKERT, SCALE10, TEXT, PRIORITY_PICK, RATE_TEAM = "likert5", "scale10", "text", "priority_pick", "rate_team"

# (key, dimension, kind, text, required)
BANK_V1: list[tuple[str, str, str, str, bool]] = [
    # Alignment: the five facets of the product brief, plus one about the manager.
    ("alignment-priorities", "alignment", LIKERT, "I know what our company's top priorities are right now.", True),
    ("alignment-why", "alignment", LIKERT, "I understand why these priorities were chosen.", True),
    (
        "alignment-connections",
        "alignment",
        LIKERT,
        "I can see how my work connects to the work of other teams.",
        True,
    ),
    ("alignment-success", "alignment", LIKERT, "I know what success looks like for my team this quarter.", True),
    (
        "alignment-tradeoffs",
        "alignment",
        LIKERT,
        "I understand how trade-offs are made when priorities compete.",
        True,
    ),
    (
        "alignment-manager",
        "alignment",
        LIKERT,
        "My manager and I agree on what matters most in my work.",
        True,
    ),
    # Team health
    (
        "team-health-trust",
        "team_health",
        LIKERT,
        "I can rely on the people in my team to do what they say they will.",
        True,
    ),
    (
        "team-health-safety",
        "team_health",
        LIKERT,
        "In my team it is safe to raise a problem or admit a mistake.",
        True,
    ),
    # Communication
    (
        "communication-informed",
        "communication",
        LIKERT,
        "I get the information I need to do my job well, when I need it.",
        True,
    ),
    (
        "communication-open",
        "communication",
        LIKERT,
        "Leaders talk openly about what is going well and what is not.",
        True,
    ),
    # Leadership effectiveness
    ("leadership-trust", "leadership", LIKERT, "I trust the decisions made by our leadership team.", True),
    ("leadership-support", "leadership", LIKERT, "My manager helps me remove obstacles to my work.", True),
    # Cross-functional coordination
    (
        "coordination-handoffs",
        "coordination",
        LIKERT,
        "Work handed to my team by other teams arrives in good shape and on time.",
        True,
    ),
    (
        "coordination-help",
        "coordination",
        LIKERT,
        "When I need help from another team, I get it quickly.",
        True,
    ),
    # Decision velocity
    (
        "decision-speed",
        "decision_velocity",
        LIKERT,
        "Decisions that affect my work are made quickly enough.",
        True,
    ),
    (
        "decision-stick",
        "decision_velocity",
        LIKERT,
        "Once a decision is made, it sticks unless there is a good reason to change it.",
        True,
    ),
    # Execution confidence
    (
        "execution-goals",
        "execution_confidence",
        LIKERT,
        "I am confident my team will reach its goals this quarter.",
        True,
    ),
    (
        "execution-resources",
        "execution_confidence",
        LIKERT,
        "My team has the people and tools it needs to deliver on its commitments.",
        True,
    ),
    # Resilience
    ("resilience-workload", "resilience", LIKERT, "My workload is sustainable over the coming weeks.", True),
    (
        "resilience-recovery",
        "resilience",
        LIKERT,
        "When plans change or something goes wrong, my team recovers quickly.",
        True,
    ),
    # eNPS
    (
        "enps",
        "enps",
        SCALE10,
        "How likely are you to recommend this company as a place to work to a friend?",
        True,
    ),
    # Priority pick
    (
        "priority-pick",
        "priority_pick",
        PRIORITY_PICK,
        "Which are the company's top priorities right now? Pick up to three, most important first.",
        True,
    ),
    # Rate a team
    (
        "rate-teams",
        "rate_team",
        RATE_TEAM,
        "How well does each team your team depends on work with you?",
        False,
    ),
    # Open comment
    (
        "comment",
        "comment",
        TEXT,
        "Is there anything else you would like leadership to know?",
        False,
    ),
]

# Every item ever added, in display order (append BANK_V2 here when it exists).
BANK = list(BANK_V1)
BANK_KEYS = [row[0] for row in BANK]

ALIGNMENT_KEYS = [
    "alignment-priorities",
    "alignment-why",
    "alignment-connections",
    "alignment-success",
    "alignment-tradeoffs",
]

# key -> (label, question keys in order)
TEMPLATES: dict[str, tuple[str, list[str]]] = {
    "alignment-pulse": (
        "Alignment pulse, 8 questions",
        [*ALIGNMENT_KEYS, "priority-pick", "enps", "comment"],
    ),
    "coordination-pulse": (
        "Coordination pulse, 7 questions",
        [
            "rate-teams",
            "coordination-handoffs",
            "coordination-help",
            "decision-speed",
            "decision-stick",
            "alignment-connections",
            "comment",
        ],
    ),
    "health-check": (
        "Full health check, 24 questions",
        list(BANK_KEYS),
    ),
}

# Median seconds to answer one item, used for "takes about N minutes" in e-mails.
SECONDS_PER_KIND = {LIKERT: 8, SCALE10: 8, TEXT: 40, PRIORITY_PICK: 25, RATE_TEAM: 20, "single_choice": 10}
