from association.registry import sitemaps


def test_sitemap_lists_the_membership_page_only():
    sitemap = dict(sitemaps.items())["membership"]()
    assert [sitemap.location(item) for item in sitemap.items()] == ["/membership/"]
