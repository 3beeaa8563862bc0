import re

import pytest
from django.core import mail

from news.models import Subscriber

pytestmark = pytest.mark.django_db(transaction=True)

NEWS_PAGES = [
    "/news/",
    "/news/sample-news-delegation-visit/",
    "/newsletter/",
    "/newsletter/sent/",
    "/newsletter/confirm/junk/",
]


@pytest.mark.parametrize("path", NEWS_PAGES)
def test_news_page_has_no_accessibility_violations(demo, live_server, page, axe_check, path):
    page.goto(live_server.url + path)
    axe_check(page)


def test_subscribe_confirm_and_unsubscribe_in_the_browser(demo, live_server, page, axe_check):
    page.goto(live_server.url + "/newsletter/")
    page.get_by_label("Your name").fill("Ann Reader")
    page.get_by_label("Email address").fill("ann@example.org")
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    link = re.search(r"/newsletter/confirm/[^\s/]+/", mail.outbox[0].body).group(0)
    page.goto(live_server.url + link)
    page.get_by_role("heading", name="You are subscribed").wait_for()
    assert Subscriber.objects.may_receive_marketing().count() == 1
    from news.subscriptions import unsubscribe_token

    page.goto(live_server.url + f"/newsletter/unsubscribe/{unsubscribe_token('ann@example.org')}/")
    axe_check(page)
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", name="You are unsubscribed").wait_for()
    axe_check(page)
    assert not Subscriber.objects.may_receive_marketing().exists()
