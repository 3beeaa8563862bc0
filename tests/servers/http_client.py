"""A browser's worth of HTTP for server-process tests: cookies kept, CSRF token sent."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """One visitor (one cookie jar) who may talk to several servers."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post_form(self, url, fields):
        """GET the form (for its CSRF token), then POST it with `fields`."""
        _status, html = self.request(url)
        token = CSRF_FIELD.search(html).group(1)
        return self.request(url, {"csrfmiddlewaretoken": token, **fields})
