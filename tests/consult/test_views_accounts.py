"""Sign up, log in and out, password reset, profile, download my data, delete my account."""
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from consult.models import Comment, Participant, Proposal, Support
from tests.factories import (
    CityFactory,
    CommentFactory,
    ParticipantFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-pass"


def signup_data(home, **overrides):
    data = {
        "username": "lucia", "email": "lucia@example.org",
        "password1": "a-Long-pass-2027", "password2": "a-Long-pass-2027",
        "city": home.pk, "district": "Barranco", "age_band": "30-44", "gender": "",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_signup_creates_user_and_participant_and_logs_in(client):
    lima = CityFactory(name="Lima", slug="lima")
    response = client.post(reverse("consult:signup"), signup_data(lima))
    assert response.status_code == 302
    user = get_user_model().objects.get(username="lucia")
    participant = user.participant
    assert participant.city == lima and participant.district == "Barranco"
    assert participant.age_band == "30-44" and participant.consent_at is not None
    assert client.get(reverse("consult:profile")).status_code == 200


def test_signup_page_asks_the_city_and_explains_demographics(client):
    CityFactory(name="Quito")
    page = client.get(reverse("consult:signup")).content.decode()
    assert "Your city" in page and "Quito" in page
    assert "never shown next to your name or your vote" in page
    assert 'name="csrfmiddlewaretoken"' in page


@pytest.mark.parametrize("override, message", [
    ({"city": ""}, "This field is required."),
    ({"consent": ""}, "This field is required."),
    ({"password2": "different-Pass-1"}, "The two password fields"),
    ({"email": "not-an-email"}, "Enter a valid email address."),
])
def test_signup_bad_input_re_renders_with_message_and_creates_nothing(client, override, message):
    city = CityFactory()
    response = client.post(reverse("consult:signup"), signup_data(city, **override))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username="lucia").exists()
    assert Participant.objects.count() == 0


def test_signup_refuses_an_email_already_used(client):
    city = CityFactory()
    UserFactory(email="lucia@example.org")
    response = client.post(reverse("consult:signup"), signup_data(city))
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_login_and_logout(client):
    user = UserFactory(username="ana")
    ParticipantFactory(user=user)
    response = client.post(reverse("login"), {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("consult:home")
    assert "Log out" in client.get(reverse("consult:home")).content.decode()
    assert client.post(reverse("logout")).status_code == 302
    assert "Log in" in client.get(reverse("consult:home")).content.decode()


def test_login_page_uses_site_design_and_wrong_password_is_explained(client):
    UserFactory(username="ana")
    response = client.post(reverse("login"), {"username": "ana", "password": "nope"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please enter a correct username and password" in page
    assert "Forgot your password?" in page and "Cabildo" in page


def test_protected_pages_redirect_to_the_login_page(client):
    for name in ("consult:profile", "consult:my_participation", "consult:account_delete",
                 "consult:data_download"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_password_reset_by_email_end_to_end(client):
    user = UserFactory(username="ana", email="ana@example.org")
    response = client.post(reverse("password_reset"), {"email": "ana@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    response = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "brand-New-pass-9", "new_password2": "brand-New-pass-9"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-New-pass-9")


def test_profile_update_and_bad_choice(client):
    participant = ParticipantFactory(district="")
    client.force_login(participant.user)
    response = client.post(reverse("consult:profile"),
                           {"district": "Centro", "age_band": "65+", "gender": "woman"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.district, participant.age_band, participant.gender) == (
        "Centro", "65+", "woman")
    response = client.post(reverse("consult:profile"), {"age_band": "999"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_account_without_profile_is_asked_for_its_city(client):
    user = UserFactory()
    city = CityFactory()
    client.force_login(user)
    page = client.get(reverse("consult:profile")).content.decode()
    assert "Complete your profile" in page
    response = client.post(reverse("consult:profile"), {"city": city.pk, "consent": "on"})
    assert response.status_code == 302
    assert Participant.objects.get(user=user).city == city


def test_download_my_data_is_json_of_everything_held(client):
    participant = ParticipantFactory(district="Centro")
    ProposalFactory(author=participant, title="Mine")
    client.force_login(participant.user)
    response = client.get(reverse("consult:data_download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["district"] == "Centro"
    assert data["proposals"][0]["title"] == "Mine"


def test_delete_account_needs_the_password_and_keeps_contributions_anonymised(client):
    participant = ParticipantFactory()
    proposal = ProposalFactory(author=participant)
    Support.objects.create(participant=participant, proposal=ProposalFactory())
    CommentFactory(author=participant, proposal=proposal)
    user = participant.user
    client.force_login(user)
    assert "cannot be undone" in client.get(reverse("consult:account_delete")).content.decode()
    wrong = client.post(reverse("consult:account_delete"), {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 400
    assert get_user_model().objects.filter(pk=user.pk).exists()
    response = client.post(reverse("consult:account_delete"),
                           {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    participant.refresh_from_db()
    assert participant.is_anonymised
    assert Proposal.objects.filter(author=participant).count() == 1
    assert Comment.objects.filter(author=participant).count() == 1
    assert Support.objects.filter(participant=participant).count() == 1
    assert client.get(reverse("consult:profile")).status_code == 302  # logged out


def test_my_participation_lists_proposals_supports_comments_and_ballot(client):
    participant = ParticipantFactory()
    mine = ProposalFactory(author=participant, title="My own proposal")
    other = ProposalFactory(title="Someone else's")
    Support.objects.create(participant=participant, proposal=other)
    CommentFactory(author=participant, proposal=other, body="Great idea")
    client.force_login(participant.user)
    page = client.get(reverse("consult:my_participation")).content.decode()
    assert mine.title in page and "Someone else&#x27;s" in page and "Great idea" in page
    assert "You have not voted yet." in page
