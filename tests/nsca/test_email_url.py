"""EMAIL_URL's file spelling names the absolute folder it reads as (django-environ alone
dropped its leading slash, so emails were written inside the repository), and a spelling
without an absolute folder stops the site at startup with a message saying how to write
it."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from nsca.email_url import FILE_BACKEND, email_config_from_url
from tests.nsca.test_settings import PRODUCTION_ENV, run_manage


def test_filemail_with_three_slashes_writes_to_the_absolute_folder():
    config = email_config_from_url("filemail:///var/spool/site-mail")
    assert config["EMAIL_BACKEND"] == FILE_BACKEND
    assert config["EMAIL_FILE_PATH"] == "/var/spool/site-mail"


def test_filemail_with_four_slashes_is_the_same_folder():
    assert email_config_from_url("filemail:////var/spool/site-mail")["EMAIL_FILE_PATH"] == (
        "/var/spool/site-mail"
    )


@pytest.mark.parametrize(
    "url", ["filemail://relative", "filemail://var/spool/site-mail", "filemail://", "filemail:///"]
)
def test_filemail_without_an_absolute_folder_is_refused_with_the_spelling_to_use(url):
    with pytest.raises(ImproperlyConfigured, match="filemail:///var/spool/site-mail"):
        email_config_from_url(url)


def test_other_email_urls_are_read_as_django_environ_reads_them():
    config = email_config_from_url("smtp+tls://mailer:secret@smtp.example.org:587")
    assert config["EMAIL_HOST"] == "smtp.example.org"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_USE_TLS"] is True


def test_the_site_writes_email_files_to_the_absolute_folder_it_is_given():
    env = {**PRODUCTION_ENV, "EMAIL_URL": "filemail:///var/spool/site-mail"}
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_FILE_PATH)",
        env_overrides=env,
    )
    assert result.stdout.split()[-1] == "/var/spool/site-mail", result.stderr


def test_the_site_refuses_to_start_with_a_relative_email_folder():
    result = run_manage("check", env_overrides={**PRODUCTION_ENV, "EMAIL_URL": "filemail://x"})
    assert result.returncode != 0
    assert "names no absolute folder" in result.stderr
