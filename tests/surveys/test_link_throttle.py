"""The survey-link limiter blocks guessers, never employees, and never depends on the cache.

Issue 13: behind one company NAT address, a few re-clicks of used links or a mail scanner
opening every link must not lock everyone out; issue 12: Redis down must not fail a submit.
"""

import pytest
from django.test import override_settings

from surveys import throttle
from surveys.models import Invitation, Response
from surveys.services import submit
from tests.surveys.factories import link_for, valid_answers

DOWN = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
UNKNOWN = "/s/" + "u" * 32 + "/"


@pytest.fixture
def cache_down():
    """The cache is a Redis nobody listens on: every cache call raises a connection error."""
    with override_settings(CACHES=DOWN):
        yield


def _block(client):
    for _ in range(throttle.BAD_LINK_LIMIT):
        client.get(UNKNOWN)
    assert client.get(UNKNOWN).status_code == 429


def test_a_blocked_address_still_opens_and_submits_a_valid_unused_link(client, link, invitation, open_round):
    _block(client)
    assert client.get(link).status_code == 200
    response = client.post(link, valid_answers(open_round, invitation.team_id))
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert Response.objects.count() == 1


def test_a_blocked_address_still_sees_that_its_used_link_was_answered(client, link, invitation, open_round):
    client.post(link, valid_answers(open_round, invitation.team_id))
    _block(client)
    assert "You already answered" in client.get(link).content.decode()


def test_reopening_ones_own_used_link_is_not_a_bad_link(client, link, invitation, open_round):
    client.post(link, valid_answers(open_round, invitation.team_id))
    for _ in range(throttle.BAD_LINK_LIMIT * 2):
        assert client.get(link).status_code == 200
    # Nothing was counted: an unknown link from this address is still a plain 404.
    assert client.get(UNKNOWN).status_code == 404


def test_a_mail_scanner_opening_every_link_of_a_company_blocks_nobody(client, open_round):
    links = [link_for(inv) for inv in Invitation.objects.filter(round=open_round)]
    for _ in range(5):
        for url in links:
            assert client.get(url).status_code == 200
    assert client.get(UNKNOWN).status_code == 404


def test_with_the_cache_down_a_submit_is_stored_and_thanked(cache_down, client, link, invitation, open_round):
    assert client.get(link).status_code == 200
    response = client.post(link, valid_answers(open_round, invitation.team_id))
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert Response.objects.count() == 1
    assert submit.has_answered(invitation)


def test_with_the_cache_down_unknown_links_are_a_plain_404_not_an_error(cache_down, client, open_round):
    for _ in range(throttle.BAD_LINK_LIMIT + 5):
        assert client.get(UNKNOWN).status_code == 404
