"""Content in the partners' languages (issue 24): field-level fallback, "needs review"
after an English edit, and the partner editor who edits one partnership's translations
and nothing else."""

import pytest
from django.test import Client
from django.utils import translation

from cities.models import Committee, Milestone
from tests.events.factories import make_event, make_staff
from translations.models import PartnerEditor, StaleTranslation
from translations.review import translations_made_stale

STORY_DE = "Die Freundschaft begann mit einer Puppe, die ein Frachter nach Norfolk brachte."


@pytest.fixture
def kitakyushu(make_partnership):
    return make_partnership(
        "Kitakyushu",
        country="JP",
        summary="Our oldest partnership, begun in 1959.",
        story="The friendship began with a doll carried by a freighter to Norfolk.",
    )


def test_a_missing_translation_shows_that_field_s_english_alone(client, kitakyushu, association):
    kitakyushu.story_de = STORY_DE
    kitakyushu.save()
    html = client.get("/de/cities/kitakyushu/").content.decode()
    assert STORY_DE in html  # the German story...
    assert "Our oldest partnership, begun in 1959." in html  # ...the English summary
    assert "The friendship began with a doll" not in html
    assert '<html lang="de">' in html
    # English readers see the English of both.
    english = client.get("/cities/kitakyushu/").content.decode()
    assert "The friendship began with a doll" in english and STORY_DE not in english


def test_a_blank_translation_falls_back_too(kitakyushu):
    kitakyushu.summary_fr = ""
    kitakyushu.save()
    kitakyushu.refresh_from_db()
    with translation.override("fr"):
        assert kitakyushu.summary == "Our oldest partnership, begun in 1959."


def test_an_english_edit_marks_the_written_translations_for_review(kitakyushu):
    kitakyushu.story_de = STORY_DE
    kitakyushu.save()
    assert not StaleTranslation.objects.exists()  # a new translation is not stale
    kitakyushu.story_en = "The friendship began in 1958 with a doll."
    kitakyushu.save()
    (stale,) = StaleTranslation.objects.all()
    assert (stale.field, stale.language, stale.partnership_id) == ("story", "de", kitakyushu.pk)
    # Rewriting the German clears it; an English edit with no translation marks nothing.
    kitakyushu.story_de = "Die Freundschaft begann 1958 mit einer Puppe."
    kitakyushu.save()
    assert not StaleTranslation.objects.exists()
    kitakyushu.summary_en = "Begun in 1959."
    kitakyushu.save()
    assert not StaleTranslation.objects.exists()


def test_the_rule_of_review_in_one_function():
    from cities.models import Partnership  # noqa: PLC0415

    before = {"story_en": "A", "story_de": "Ä", "story_fr": "", "summary_en": "S"}
    after = {"story_en": "B", "story_de": "Ä", "story_fr": "", "summary_en": "S"}
    assert translations_made_stale(Partnership, before, after) == ([("story", "de")], [])
    rewritten = {**after, "story_de": "Ö"}
    assert translations_made_stale(Partnership, before, rewritten) == ([], [("story", "de")])


@pytest.fixture
def partner_editor(kitakyushu, db):
    user = make_staff("editor@kitakyushu.example", group="Partner editors")
    PartnerEditor.objects.create(user=user, partnership=kitakyushu)
    client = Client()
    client.force_login(user)
    return client


def test_a_partner_editor_edits_the_translations_of_their_partnership(
    partner_editor, kitakyushu, furnish
):
    furnish(kitakyushu, count=1)
    url = f"/admin/cities/partnership/{kitakyushu.pk}/change/"
    page = partner_editor.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "story_de" in form.fields and "story_en" not in form.fields  # English read-only
    data = {
        name: form[name].value() or "" for name in form.fields if form[name].value() is not None
    }
    data.update(story_de=STORY_DE, summary_de="Unsere älteste Partnerschaft.")
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{formset.formset.prefix}-{name}"] = management[name].value()
        for number, inline_form in enumerate(formset.formset.forms):
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None and not hasattr(value, "url"):
                    data[f"{formset.formset.prefix}-{number}-{name}"] = value
    data["_save"] = "Save"
    response = partner_editor.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    kitakyushu.refresh_from_db()
    assert kitakyushu.story_de == STORY_DE
    assert kitakyushu.story_en.startswith("The friendship began with a doll")


def test_a_partner_editor_cannot_open_anything_else(partner_editor, make_partnership, db):
    toulon = make_partnership("Toulon")
    event = make_event()
    for url in [
        f"/admin/cities/partnership/{toulon.pk}/change/",
        f"/admin/cities/partnership/{toulon.pk}/delete/",
        "/admin/cities/partnership/add/",
        f"/admin/events/event/{event.pk}/change/",
        "/admin/events/event/",
        "/admin/membership/user/",
        "/admin/tickets/order/",
        "/admin/news/post/",
        "/admin/auth/group/",
    ]:
        assert partner_editor.get(url).status_code == 403, url
    index = partner_editor.get("/admin/").content.decode()
    assert "/admin/cities/partnership/" in index
    assert "/admin/events/" not in index and "/admin/membership/" not in index
    # Their list shows their partnership alone.
    listing = partner_editor.get("/admin/cities/partnership/").content.decode()
    assert "Kitakyushu" in listing and "Toulon" not in listing


def test_a_partner_editor_sees_only_their_translations_to_review(
    partner_editor, kitakyushu, make_partnership
):
    toulon = make_partnership("Toulon", story="Signed in 1960s.")
    for partnership, german in ((kitakyushu, STORY_DE), (toulon, "Unterzeichnet.")):
        partnership.story_de = german
        partnership.save()
        partnership.story_en = partnership.story_en + " More."
        partnership.save()
    assert StaleTranslation.objects.count() == 2
    html = partner_editor.get("/admin/translations/staletranslation/").content.decode()
    assert f"/admin/cities/partnership/{kitakyushu.pk}/change/" in html
    assert f"/admin/cities/partnership/{toulon.pk}/change/" not in html


def test_milestones_and_committees_are_translated_field_by_field(kitakyushu):
    milestone = Milestone.objects.create(
        partnership=kitakyushu, date="1959-07-14", title="Moji says yes", text="The council."
    )
    milestone.title_ja = "門司市が承認"
    milestone.save()
    committee = Committee.objects.create(partnership=kitakyushu, name="Kitakyushu Committee")
    with translation.override("ja"):
        milestone.refresh_from_db()
        assert (milestone.title, milestone.text) == ("門司市が承認", "The council.")
        assert Committee.objects.get(pk=committee.pk).name == "Kitakyushu Committee"


def test_the_demo_translations_fill_empty_columns_only_and_run_twice(
    kitakyushu, tmp_path, association
):
    import io  # noqa: PLC0415
    import json  # noqa: PLC0415

    from translations import demo  # noqa: PLC0415

    Milestone.objects.create(partnership=kitakyushu, date="1959-07-14", title="Moji says yes")
    (tmp_path / "ja.json").write_text(
        json.dumps(
            {
                "association": {"tagline": "姉妹都市の協会"},
                "cities": {"kitakyushu": {"name": "北九州"}},
                "partnerships": {
                    "kitakyushu": {
                        "story": ["最初の段落。", "二番目の段落。"],
                        "milestones": [{"date": "1959-07-14", "title": "門司市が承認"}],
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    demo.load(stdout=io.StringIO(), directory=tmp_path)
    kitakyushu.refresh_from_db()
    assert kitakyushu.story_ja == "最初の段落。\n\n二番目の段落。"
    assert kitakyushu.partner_city.name_ja == "北九州"
    assert kitakyushu.milestones.get().title_ja == "門司市が承認"
    # A translator's edit is kept when the demo is loaded again.
    kitakyushu.story_ja = "翻訳者の版。"
    kitakyushu.save()
    demo.load(stdout=io.StringIO(), directory=tmp_path)
    kitakyushu.refresh_from_db()
    assert kitakyushu.story_ja == "翻訳者の版。"
    with translation.override("ja"):
        assert kitakyushu.summary == "Our oldest partnership, begun in 1959."  # no summary_ja


def test_a_partner_editor_works_in_their_own_language(partner_editor, kitakyushu):
    page = partner_editor.get(f"/ja/admin/cities/partnership/{kitakyushu.pk}/change/")
    assert page.status_code == 200
    assert '<html lang="ja"' in page.content.decode()


def test_ticket_types_are_translated_by_the_demo_and_shown_in_the_checkout(
    client, tmp_path, association
):
    """A ticket type's name and description in the page's language: the demo fills them by
    the type's English name, and the German checkout shows "Tisch für 10", the English one
    "Table of 10"."""
    import io  # noqa: PLC0415
    import json  # noqa: PLC0415
    from decimal import Decimal  # noqa: PLC0415

    from tests.events.factories import make_ticket_type  # noqa: PLC0415
    from translations import demo  # noqa: PLC0415

    event = make_event(title="Luncheon", slug="luncheon")
    table = make_ticket_type(event, name="Table of 10", price=Decimal("500"), quantity=50)
    (tmp_path / "de.json").write_text(
        json.dumps(
            {
                "events": {
                    "luncheon": {
                        "title": "Mittagessen",
                        "ticket_types": {
                            "Table of 10": {"name": "Tisch für 10", "description": "Zehn Plätze."},
                            "No such type": {"name": "Nichts"},
                        },
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    demo.load(stdout=io.StringIO(), directory=tmp_path)
    table.refresh_from_db()
    assert (table.name_de, table.description_de, table.name_en) == (
        "Tisch für 10",
        "Zehn Plätze.",
        "Table of 10",
    )
    german = client.get("/de/events/luncheon/tickets/").content.decode()
    assert "Tisch für 10" in german and "Table of 10" not in german
    english = client.get("/events/luncheon/tickets/").content.decode()
    assert "Table of 10" in english and "Tisch für 10" not in english


def test_a_visit_s_title_and_purpose_are_shown_in_the_partner_page_s_language(
    client, tmp_path, association, kitakyushu
):
    """The partner page's upcoming visits in German: the demo fills a visit's columns by its
    English title."""
    import datetime  # noqa: PLC0415
    import io  # noqa: PLC0415
    import json  # noqa: PLC0415

    from tests.visits.conftest import make_visit  # noqa: PLC0415
    from translations import demo  # noqa: PLC0415
    from visits.models import Visit  # noqa: PLC0415

    visit = make_visit(
        kitakyushu,
        title="Youth delegation",
        purpose="Students stay with families.",
        starts_on=datetime.date.today() + datetime.timedelta(days=30),
        ends_on=datetime.date.today() + datetime.timedelta(days=40),
    )
    (tmp_path / "de.json").write_text(
        json.dumps(
            {
                "visits": {
                    "Youth delegation": {
                        "title": "Jugenddelegation",
                        "purpose": "Schüler wohnen bei Familien.",
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    demo.load(stdout=io.StringIO(), directory=tmp_path)
    visit = Visit.objects.get(pk=visit.pk)
    assert (visit.title_de, visit.purpose_de, visit.purpose_en) == (
        "Jugenddelegation",
        "Schüler wohnen bei Familien.",
        "Students stay with families.",
    )
    path = f"/cities/{kitakyushu.slug}/"
    assert "Schüler wohnen bei Familien." in client.get(f"/de{path}").content.decode()
    english = client.get(path).content.decode()
    assert "Students stay with families." in english and "Schüler" not in english
