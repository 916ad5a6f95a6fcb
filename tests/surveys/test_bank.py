"""The built-in question bank, loaded by a migration, and the ready-made templates."""

from surveys.bank import TEMPLATES
from surveys.models import BankQuestion, Dimension, QuestionKind


def test_the_bank_covers_every_dimension_of_the_product(db):
    dimensions = set(BankQuestion.objects.values_list("dimension", flat=True))
    assert dimensions == set(Dimension.values)


def test_alignment_has_the_five_facets_of_the_brief(db):
    texts = " ".join(BankQuestion.objects.filter(dimension=Dimension.ALIGNMENT).values_list("text", flat=True))
    assert BankQuestion.objects.filter(dimension=Dimension.ALIGNMENT, kind=QuestionKind.LIKERT5).count() >= 5
    for facet in ("top priorities", "why", "connects to the work of other teams", "success looks like", "trade-offs"):
        assert facet in texts


def test_enps_is_a_0_to_10_scale_and_the_special_kinds_exist(db):
    assert BankQuestion.objects.get(key="enps").kind == QuestionKind.SCALE10
    assert BankQuestion.objects.get(dimension=Dimension.PRIORITY_PICK).kind == QuestionKind.PRIORITY_PICK
    assert BankQuestion.objects.get(dimension=Dimension.RATE_TEAM).kind == QuestionKind.RATE_TEAM
    comment = BankQuestion.objects.get(dimension=Dimension.COMMENT)
    assert comment.kind == QuestionKind.TEXT and not comment.required


def test_every_template_uses_bank_questions_and_the_alignment_pulse_has_8(db):
    keys = set(BankQuestion.objects.values_list("key", flat=True))
    for _label, template_keys in TEMPLATES.values():
        assert set(template_keys) <= keys
    label, alignment = TEMPLATES["alignment-pulse"]
    assert label == "Alignment pulse, 8 questions" and len(alignment) == 8
