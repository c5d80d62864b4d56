"""The phase follows from the dates, in the city's time zone, at the exact minute."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError

from consult.models import Phase
from tests.factories import CityFactory, ConsultationFactory

pytestmark = pytest.mark.django_db

LIMA = ZoneInfo("America/Lima")


@pytest.fixture
def lima_consultation():
    city = CityFactory(slug="lima", timezone="America/Lima", currency="PEN")
    return ConsultationFactory(
        city=city,
        proposals_open_at=datetime(2027, 3, 1, 0, 0, tzinfo=LIMA),
        proposals_close_at=datetime(2027, 3, 31, 23, 59, tzinfo=LIMA),
        voting_opens_at=datetime(2027, 4, 10, 9, 0, tzinfo=LIMA),
        voting_closes_at=datetime(2027, 4, 30, 23, 59, tzinfo=LIMA),
        results_at=datetime(2027, 5, 5, 12, 0, tzinfo=LIMA),
    )


@pytest.mark.parametrize(
    ("local_moment", "expected"),
    [
        (datetime(2027, 2, 28, 23, 59, 59), Phase.UPCOMING),
        (datetime(2027, 3, 1, 0, 0), Phase.PROPOSALS),
        (datetime(2027, 3, 31, 23, 58, 59), Phase.PROPOSALS),
        (datetime(2027, 3, 31, 23, 59), Phase.REVIEW),  # the deadline minute itself is closed
        (datetime(2027, 4, 10, 8, 59, 59), Phase.REVIEW),
        (datetime(2027, 4, 10, 9, 0), Phase.VOTING),
        (datetime(2027, 4, 30, 23, 58, 59, 999999), Phase.VOTING),
        (datetime(2027, 4, 30, 23, 59), Phase.COUNTING),
        (datetime(2027, 5, 5, 12, 0), Phase.RESULTS),
    ],
)
def test_phase_at_boundaries_in_city_time(lima_consultation, local_moment, expected):
    assert lima_consultation.phase_at(local_moment.replace(tzinfo=LIMA)) == expected


def test_deadline_is_an_instant_not_a_wall_clock(lima_consultation):
    """23:59 in Lima is 04:59 UTC the next day; in Mexico City at the same instant it's 22:59."""
    lima_deadline = lima_consultation.proposals_close_at
    utc_before = datetime(2027, 4, 1, 4, 58, tzinfo=ZoneInfo("UTC"))
    assert lima_consultation.phase_at(utc_before) == Phase.PROPOSALS
    assert lima_consultation.phase_at(utc_before + timedelta(minutes=1)) == Phase.REVIEW
    assert lima_consultation.local(lima_deadline).strftime("%H:%M") == "23:59"
    mexico = lima_deadline.astimezone(ZoneInfo("America/Mexico_City"))
    assert mexico.strftime("%H:%M") == "22:59"


@pytest.mark.parametrize("phase", list(Phase))
def test_factory_dates_put_consultation_in_phase(phase):
    assert ConsultationFactory(phase=phase).phase == phase


def test_database_refuses_a_phase_ending_before_it_starts(lima_consultation):
    lima_consultation.proposals_close_at = lima_consultation.proposals_open_at - timedelta(days=1)
    with pytest.raises(IntegrityError):
        lima_consultation.save()
