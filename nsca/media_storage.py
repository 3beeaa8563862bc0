"""Where uploaded media live: the local disk by default, an S3-compatible bucket when asked.

`MEDIA_STORAGE_URL=s3://bucket[/prefix][?endpoint_url=...&region_name=...&custom_domain=...]`
puts every upload (partnership images and photos, event images, their thumbnails) in the
bucket through django-storages, so any number of app servers share them without a shared
disk. Credentials are not part of the URL: boto3 reads AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY from the environment (or the machine's role). What is stored is still
the re-encoded, metadata-free copy association/images.py makes; only where it goes changes.

Links to media are plain, unsigned URLs (cached pages, feeds and Open Graph tags keep them
for longer than a signed URL lives), so the bucket (or its prefix) must be publicly
readable, or fronted by `custom_domain`. The origin they come from is added to the Content
Security Policy's img-src (nsca/settings.py), which otherwise allows this site's own only.

Imported by nsca/settings.py, so nothing here may import Django's configured parts.
"""

from urllib.parse import parse_qsl, urlsplit

from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
# Query parameters passed on to django-storages' S3Storage as they are.
PASSED_OPTIONS = {"endpoint_url", "region_name", "custom_domain", "default_acl", "url_protocol"}


def media_storage_from_url(url: str) -> tuple[dict, list[str]]:
    """(the STORAGES["default"] entry, the origins media links point at) for
    MEDIA_STORAGE_URL `url`."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL must look like s3://bucket/prefix?endpoint_url=..., not {url!r}."
        )
    query = dict(parse_qsl(parts.query))
    unknown = set(query) - PASSED_OPTIONS
    if unknown:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL has unknown options {sorted(unknown)}; "
            f"known: {sorted(PASSED_OPTIONS)}."
        )
    options = {
        "bucket_name": parts.netloc,
        "location": parts.path.strip("/"),
        # Unsigned links: see the module docstring.
        "querystring_auth": False,
        # Two uploads named alike get two names, as on the local disk.
        "file_overwrite": False,
        **query,
    }
    if "endpoint_url" in query:
        # An S3-compatible server (MinIO, moto, most providers) addressed by path, not by
        # a bucket subdomain that a local or private endpoint has no DNS entry for.
        options["addressing_style"] = "path"
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}, media_origins(options)


def media_origins(options: dict) -> list[str]:
    """The origins a browser fetches media from, for the Content Security Policy."""
    if options.get("custom_domain"):
        protocol = options.get("url_protocol", "https:")
        return [f"{protocol}//{options['custom_domain']}"]
    if options.get("endpoint_url"):
        endpoint = urlsplit(options["endpoint_url"])
        return [f"{endpoint.scheme}://{endpoint.netloc}"]
    bucket = options["bucket_name"]
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if options.get("region_name"):
        origins.append(f"https://{bucket}.s3.{options['region_name']}.amazonaws.com")
    return origins
