"""The account pages speak Bokmål when asked."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "text"), [("nb", "Opprett konto"), ("en", "Create account")])
def test_signup_page_language(language: str, text: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("accounts:signup"))
    assert response.status_code == 200
    assert f"<h1>{text}</h1>" in response.content.decode()
