"""Paper for the rest of one case file (issue 14 item 1; art. 32.7): from a notification of a case
file, a person who consented asks that the following notifications of that case not be
electronic; they go on paper from then on, those of other cases stay electronic, the request is
kept with its instant, identification and text, and a legal person may not ask it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from notificacions import services
from notificacions.models import CaseChannelRequest, Notification
from seu import identity
from seu.errors import InvalidInput
from seu.models import Identification, LoA
from tests.actors import ANOTHER_CITIZEN, CITIZEN, ENTITY, identify
from tests.support.filing import page_text
from tests.support.notifications import consent_of, send

pytestmark = pytest.mark.django_db

CASE = "expedients.case:41"


@pytest.mark.usefixtures("on_a_working_day")
def test_asking_for_paper_in_a_case_sends_its_next_notifications_on_paper(
    client: Client, town_hall, organ
) -> None:
    consent_of(CITIZEN)
    first = send(organ, CITIZEN, case_reference=CASE)
    assert first.channel == Notification.Channel.ELECTRONIC
    identification = identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    address = reverse("notificacions:case_paper", kwargs={"public_id": first.public_id})

    detail = page_text(client.get(reverse("notificacions:detail", args=[first.public_id])))
    assert "Rebre en paper les properes notificacions d'aquest expedient" in detail
    assert "article 32.7" in page_text(client.get(address))
    assert not CaseChannelRequest.objects.exists()  # asking is not requesting

    response = client.post(address)
    assert response.status_code == 302
    request = CaseChannelRequest.objects.get()
    assert (request.case_reference, request.identification) == (CASE, identification)
    assert "article 32.7" in request.text

    assert send(organ, CITIZEN, case_reference=CASE).channel == Notification.Channel.PAPER
    assert send(organ, CITIZEN, case_reference="expedients.case:42").channel == "electronic"
    assert send(organ, CITIZEN).channel == "electronic"
    client.post(address)  # twice: one request
    assert CaseChannelRequest.objects.count() == 1


def test_a_legal_person_may_not_and_another_person_gets_not_found(
    client: Client, town_hall, organ
) -> None:
    entity_identification = identity.record_identification(
        person=ENTITY,
        method=Identification.Method.CLAVE,
        loa=LoA.SUBSTANTIAL,
        evidence=identity.Evidence(provider="Cl@ve"),
    )
    with pytest.raises(InvalidInput):
        services.ask_paper_for_case(identification=entity_identification, case_reference=CASE)

    consent_of(CITIZEN)
    notification = send(organ, CITIZEN, case_reference=CASE)
    identify(client, ANOTHER_CITIZEN, loa=LoA.SUBSTANTIAL)
    address = reverse("notificacions:case_paper", kwargs={"public_id": notification.public_id})
    assert client.get(address).status_code == 404
    assert client.post(address).status_code == 404
    assert not CaseChannelRequest.objects.exists()


def test_a_notification_of_no_case_offers_nothing(client: Client, town_hall, organ) -> None:
    consent_of(CITIZEN)
    notification = send(organ, CITIZEN)
    identify(client, CITIZEN, loa=LoA.SUBSTANTIAL)
    detail = page_text(client.get(reverse("notificacions:detail", args=[notification.public_id])))
    assert "Rebre en paper" not in detail
    address = reverse("notificacions:case_paper", kwargs={"public_id": notification.public_id})
    assert client.post(address).status_code == 404
