"""Contact details leave as placeholders and come back whole."""

from __future__ import annotations

from bot.services.accounts.redaction import Redactor


def test_emails_and_phones_round_trip_through_placeholders():
    redactor = Redactor(known_emails=["Sarah.Lee@Acme.com"])
    text = "Mail sarah.lee@acme.com or ops@acme.com, call +1 (415) 555-0100 or 020 7946 0958."

    redacted = redactor.redact(text)

    assert redacted == "Mail [EMAIL_1] or [EMAIL_2], call [PHONE_1] or [PHONE_2]."
    assert redactor.restore(redacted) == text
    assert redactor.redacted_count == 4


def test_the_same_value_keeps_its_placeholder_and_models_may_mangle_it():
    redactor = Redactor()
    first = redactor.redact("a@b.io and again A@B.io")

    assert first == "[EMAIL_1] and again [EMAIL_1]"
    assert redactor.restore("write to [ email 1 ] or [EMAIL-1]") == "write to a@b.io or a@b.io"
    assert redactor.restore("unknown [EMAIL_7] stays") == "unknown [EMAIL_7] stays"


def test_dates_amounts_and_ids_are_not_mistaken_for_phone_numbers():
    text = "Renewal on 2026-06-30 for $1,234,567; ticket T-101; 42/100; 60 of 150 seats."

    assert Redactor().redact(text) == text


def test_contact_names_and_first_names_round_trip_exactly():
    redactor = Redactor(known_names=["Sarah Lee", "Omar Haddad", "Al Ng"])
    text = "Sarah Lee and Omar agreed; Sarah will call. Al stays, Sarahs too."
    redacted = redactor.redact(text)
    assert redacted == "[NAME_1] and [NAME_2] agreed; [NAME_3] will call. Al stays, Sarahs too."
    assert redactor.restore(redacted) == text
    assert redactor.restore("Hi [name 1],") == "Hi Sarah Lee,"
