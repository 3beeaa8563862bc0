from membership.sitemaps import SITEMAPS


def test_sitemap_lists_the_membership_page_only():
    sitemap = SITEMAPS["membership"]()
    assert [sitemap.location(item) for item in sitemap.items()] == ["/membership/"]
