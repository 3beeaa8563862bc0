"""Sign-in limits: wrong passwords per account (however its address is spelled) and per
client address, the lockout lifted by a right sign-in or a password reset
(association/rate_limits.py holds the limits, membership/forms.py the account keys)."""

import datetime

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core import mail

PASSWORD = "a-long-member-password"


@pytest.fixture
def limits(settings):
    settings.MEMBERSHIP_SIGNIN_LIMIT_PER_ACCOUNT = 3
    settings.MEMBERSHIP_SIGNIN_LIMIT_PER_IP = 5
    settings.MEMBERSHIP_SIGNIN_WINDOW_SECONDS = 600
    return settings


def sign_in(client, email, password, ip="203.0.113.1"):
    return client.post("/account/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_sign_in_works_and_rotates_the_session(client, member):
    client.get("/account/login/")
    client.session.save()
    before = client.session.session_key
    response = sign_in(client, "ADA@example.org", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert client.session.session_key != before
    assert client.session["_auth_user_id"] == str(member.pk)


@pytest.mark.django_db
def test_wrong_password_is_a_400_with_an_error(client, member):
    response = sign_in(client, "ada@example.org", "wrong")
    assert response.status_code == 400
    assert "not right" in response.content.decode()


@pytest.mark.django_db
def test_sign_in_is_limited_per_account(client, member, limits):
    for ip_suffix in range(3):
        sign_in(client, "ada@example.org", "wrong", ip=f"203.0.113.{ip_suffix}")
    # Even the right password is refused while the account is locked, from any address.
    response = sign_in(client, "Ada@Example.org", PASSWORD, ip="198.51.100.9")
    assert response.status_code == 429
    assert response["Retry-After"] == "600"  # the window: the longest wait there can be
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_is_limited_per_ip_address(client, member, make_user, limits):
    for n in range(5):
        sign_in(client, f"guess{n}@example.org", "wrong", ip="203.0.113.7")
    assert sign_in(client, "ada@example.org", PASSWORD, ip="203.0.113.7").status_code == 429
    assert sign_in(client, "ada@example.org", PASSWORD, ip="203.0.113.8").status_code == 302


@pytest.mark.django_db
def test_successful_sign_in_clears_the_accounts_failures(client, member, limits):
    sign_in(client, "ada@example.org", "wrong")
    sign_in(client, "ada@example.org", "wrong")
    assert sign_in(client, "ada@example.org", PASSWORD).status_code == 302
    client.post("/account/logout/")
    sign_in(client, "ada@example.org", "wrong")
    sign_in(client, "ada@example.org", "wrong")
    assert sign_in(client, "ada@example.org", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lock_lifts_after_the_window(client, member, limits):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)) as clock:
        for _ in range(3):
            sign_in(client, "ada@example.org", "wrong")
        assert sign_in(client, "ada@example.org", PASSWORD).status_code == 429
        clock.shift(601)
        assert sign_in(client, "ada@example.org", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_admin_sign_in_is_limited_too(client, staff_user, limits):
    for _ in range(3):
        client.post("/admin/login/", {"username": "staff@example.org", "password": "wrong"})
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "staff@example.org", "password": "staff-pass-123"},
    )
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- the client's address: X-Forwarded-For only behind the proxy (issue 12, item 13) ---


@pytest.mark.django_db
def test_sign_in_ip_limit_counts_every_address_of_an_ipv6_64_together(client, make_user, limits):
    for n in range(5):
        sign_in(client, f"guess{n}@example.org", "wrong", ip=f"2001:db8:1:2::{n + 1:x}")
    make_user("bob@example.org", password=PASSWORD)
    assert sign_in(client, "bob@example.org", PASSWORD, ip="2001:db8:1:2::99").status_code == 429
    assert sign_in(client, "bob@example.org", PASSWORD, ip="2001:db8:1:3::1").status_code == 302


@pytest.mark.django_db
def test_sign_in_ip_limit_counts_each_client_behind_the_proxy(client, member, limits):
    limits.BEHIND_PROXY = True

    def via_proxy(email, password, client_address):
        return client.post(
            "/account/login/",
            {"username": email, "password": password},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=client_address,
        )

    for n in range(5):
        # Prepending another address to the header does not move the count elsewhere.
        via_proxy(f"guess{n}@example.org", "wrong", f"192.0.2.{n}, 203.0.113.7")
    assert via_proxy("ada@example.org", PASSWORD, "203.0.113.7").status_code == 429
    # Another visitor behind the same proxy is not locked out with the guesser.
    assert via_proxy("ada@example.org", PASSWORD, "203.0.113.8").status_code == 302


@pytest.mark.django_db
def test_sign_in_ip_limit_ignores_forwarded_for_without_a_proxy(client, member, limits):
    limits.BEHIND_PROXY = False
    for n in range(5):
        client.post(
            "/account/login/",
            {"username": f"guess{n}@example.org", "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        "/account/login/",
        {"username": "ada@example.org", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert response.status_code == 429


# --- the per-account count is the account's, however it is spelled (item 6) ---


@pytest.mark.postgresql
@pytest.mark.django_db
def test_sign_in_lockout_counts_another_spelling_against_the_account(client, make_user, limits):
    make_user("ida@example.org")
    dotless = "\u0131da@example.org"  # "ıda": PostgreSQL's UPPER() makes it "IDA"
    # The database matches the other spelling to the real account ...
    assert authenticate(username=dotless, password=PASSWORD).email == "ida@example.org"
    for n in range(3):
        sign_in(client, dotless, "wrong", ip=f"203.0.113.{n}")
    # ... so its failures lock that account, whichever spelling comes next.
    assert sign_in(client, "ida@example.org", PASSWORD, ip="198.51.100.9").status_code == 429
    assert sign_in(client, dotless, PASSWORD, ip="198.51.100.9").status_code == 429


@pytest.mark.django_db
def test_sign_in_lockout_counts_an_unknown_address_by_its_text(client, member, limits):
    for n in range(3):
        sign_in(client, "nobody@example.org", "wrong", ip=f"203.0.113.{n}")
    # The same answer as for a locked account: a lockout tells nobody whether it exists.
    assert sign_in(client, "NOBODY@example.org", "wrong", ip="198.51.100.9").status_code == 429
    assert sign_in(client, "ada@example.org", PASSWORD, ip="198.51.100.9").status_code == 302


# --- a password reset lifts the owner's lockout (item 8) ---


def reset_password(client, email, new_password):
    client.post("/account/password/reset/", {"email": email})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/reset/" in line)
    form_url = client.get(link.split("testserver", 1)[1])["Location"]
    return client.post(form_url, {"new_password1": new_password, "new_password2": new_password})


@pytest.mark.django_db
def test_password_reset_lifts_the_accounts_sign_in_lockout(client, member, limits):
    for n in range(3):
        sign_in(client, "ada@example.org", "wrong", ip=f"203.0.113.{n}")
    assert sign_in(client, "ada@example.org", PASSWORD).status_code == 429
    assert reset_password(client, "ada@example.org", "Brand-New-Phrase-77").status_code == 302
    assert sign_in(client, "ada@example.org", "Brand-New-Phrase-77").status_code == 302


@pytest.mark.django_db
def test_password_reset_lifts_a_superusers_admin_lockout(client, staff_user, limits):
    for _ in range(3):
        client.post("/admin/login/", {"username": "staff@example.org", "password": "wrong"})
    reset_password(client, "staff@example.org", "Brand-New-Phrase-77")
    client.post(
        "/admin/login/?next=/admin/",
        {"username": "staff@example.org", "password": "Brand-New-Phrase-77"},
    )
    assert client.session["_auth_user_id"] == str(staff_user.pk)


SCANNER_EMAIL = '"><scr<script>ipt>(alert)(/x/)//</scr</script>ipt>'


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", PASSWORD, "This field is required."),
        ("ada@example.org", "", "This field is required."),
        ("", "", "This field is required."),
        ("ada\x00@example.org", PASSWORD, "Null characters are not allowed."),
        ("ada@example.org", "pass\x00word", "Null characters are not allowed."),
        (SCANNER_EMAIL, "", "This field is required."),
        (SCANNER_EMAIL, PASSWORD, "not right"),
    ],
    ids=[
        "no-email",
        "no-password",
        "nothing",
        "nul-email",
        "nul-password",
        "scanner",
        "scanner+pw",
    ],
)
def test_sign_in_with_a_field_that_fails_validation_is_a_400_with_its_message(
    client, member, email, password, message
):
    # The form is novalidate: a browser sends empty fields as they are.
    response = sign_in(client, email, password)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_sign_in_with_an_empty_password_is_a_form_error_not_a_500(client, staff_user):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "staff@example.org", "password": ""}
    )
    assert response.status_code in (200, 400)
    assert "This field is required." in response.content.decode()
