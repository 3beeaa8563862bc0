"""`{% load kept %}` then `{% kept_per_edit "name" partnership.pk %}...{% endkept_per_edit %}`:
a part of a page rendered once per edit and process (association/page_cache.py's
`computed_once_per_version`), not once per request, under a key made of its name and the
values after it.

Only for what depends on stored data alone and the values in its key: never on the
request or the viewer (a path, a signed-in user, a CSRF token, a CSP nonce), never on the
time (a venue reveal, what is on sale, a post scheduled for later), since what it kept is
shown to everyone until the next edit. The footer, a partnership's story and facts, the
list of sister cities and its map are such parts; event cards and news cards are not.
"""

from django import template

from association.page_cache import computed_once_per_version

register = template.Library()


class KeptPerEditNode(template.Node):
    def __init__(self, nodelist, key):
        self.nodelist = nodelist
        self.key = key

    def render(self, context):
        key = ("kept_per_edit", *(part.resolve(context) for part in self.key))
        return computed_once_per_version(key, lambda: self.nodelist.render(context))


@register.tag
def kept_per_edit(parser, token):
    key = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    if not key:
        raise template.TemplateSyntaxError("kept_per_edit needs a name: what the part shows")
    nodelist = parser.parse(("endkept_per_edit",))
    parser.delete_first_token()
    return KeptPerEditNode(nodelist, key)
