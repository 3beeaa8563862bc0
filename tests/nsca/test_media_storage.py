"""MEDIA_STORAGE_URL: what it turns into (nsca/media_storage.py, nsca/settings.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from nsca.media_storage import S3_BACKEND, media_storage_from_url
from tests.nsca.test_settings import PRODUCTION_ENV, print_setting


def test_an_s3_url_names_the_bucket_prefix_and_endpoint_with_unsigned_links():
    storage, origins = media_storage_from_url(
        "s3://nsca-media/uploads?endpoint_url=https://s3.example.net&region_name=eu-west-3"
    )
    assert storage["BACKEND"] == S3_BACKEND
    assert storage["OPTIONS"] == {
        "bucket_name": "nsca-media",
        "location": "uploads",
        "endpoint_url": "https://s3.example.net",
        "region_name": "eu-west-3",
        "addressing_style": "path",
        "querystring_auth": False,
        "file_overwrite": False,
    }
    assert origins == ["https://s3.example.net"]


def test_media_behind_a_custom_domain_come_from_that_domain():
    _storage, origins = media_storage_from_url("s3://nsca-media?custom_domain=media.example.org")
    assert origins == ["https://media.example.org"]


def test_media_on_aws_itself_come_from_the_bucket_host():
    storage, origins = media_storage_from_url("s3://nsca-media?region_name=us-east-2")
    assert "addressing_style" not in storage["OPTIONS"]
    assert "https://nsca-media.s3.us-east-2.amazonaws.com" in origins


@pytest.mark.parametrize(
    "url", ["https://nsca-media", "s3://", "s3://bucket?signature_version=s3v4&acl=public"]
)
def test_a_storage_url_that_cannot_be_understood_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        media_storage_from_url(url)


def test_settings_put_media_in_the_bucket_and_allow_its_images_in_the_csp():
    env = {**PRODUCTION_ENV, "MEDIA_STORAGE_URL": "s3://nsca-media?custom_domain=m.example.org"}
    assert print_setting('STORAGES["default"]["BACKEND"]', env) == S3_BACKEND
    img_src = print_setting('CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]', env)
    assert "https://m.example.org" in img_src


def test_without_a_storage_url_media_stay_on_the_local_disk_and_images_on_this_site():
    assert (
        print_setting('STORAGES["default"]["BACKEND"]', PRODUCTION_ENV)
        == "django.core.files.storage.FileSystemStorage"
    )
    assert print_setting('CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]', PRODUCTION_ENV) == (
        "[\"'self'\", 'data:']"
    )
