import pytest

from exchanges.access import applications_visible_to, may_read_letters, may_see_application
from exchanges.models import Application, Review

from .conftest import NOW, complete, make_program, make_user, submitted

pytestmark = pytest.mark.django_db


def test_who_sees_an_application_is_one_rule(program, applicant, reviewer, staff_user, partnership):
    application = submitted(program, applicant)
    stranger = make_user("eve@example.org")
    other_committee = make_user("olga@example.org")
    make_program(partnership, slug="other").committee.add(other_committee)
    # Submitted, not complete: the applicant and exchanges staff only.
    assert may_see_application(applicant, application)
    assert may_see_application(staff_user, application)
    assert not may_see_application(reviewer, application)
    assert not may_see_application(stranger, application)
    for reference in application.references.all():
        from exchanges.references import submit_letter

        submit_letter(reference, letter="SECRET", at=NOW)
    application.refresh_from_db()
    assert application.status == Application.Status.COMPLETE
    assert may_see_application(reviewer, application)
    assert not may_see_application(other_committee, application)
    assert not may_see_application(stranger, application)
    assert may_read_letters(reviewer, application) and not may_read_letters(applicant, application)
    Review.objects.create(application=application, reviewer=reviewer, recused=True)
    assert not may_see_application(reviewer, application)
    assert list(applications_visible_to(stranger)) == []


def test_staff_without_the_exchanges_permission_see_nothing(program, applicant):
    application = complete(program, applicant)
    clerk = make_user("clerk@example.org", is_staff=True)
    assert not may_see_application(clerk, application)


def test_reviewer_sees_only_complete_applications_of_their_programs_with_letters(
    client, program, reviewer, applicant, time_machine
):
    time_machine.move_to(NOW)
    done = complete(program, applicant)
    pending = submitted(program, make_user("bob@example.org", first_name="Bob"))
    client.force_login(reviewer)
    ranking = client.get(f"/exchanges/{program.slug}/review/").content.decode()
    assert f"/review/application/{done.pk}/" in ranking
    assert f"/review/application/{pending.pk}/" not in ranking
    page = client.get(f"/exchanges/review/application/{done.pk}/").content.decode()
    assert "SECRET LETTER from Tess Teacher" in page and "To learn German." in page
    assert client.get(f"/exchanges/review/application/{pending.pk}/").status_code == 404


def test_recused_reviewer_gets_404(client, program, reviewer, applicant, time_machine):
    time_machine.move_to(NOW)
    application = complete(program, applicant)
    client.force_login(reviewer)
    url = f"/exchanges/review/application/{application.pk}/"
    assert client.post(url, {"recuse": "1"}).status_code == 302
    assert client.get(url).status_code == 404
    assert (
        f"/review/application/{application.pk}/"
        not in client.get(f"/exchanges/{program.slug}/review/").content.decode()
    )


def test_scores_and_ranking_with_averages_and_counts(
    client, program, reviewer, chair, applicant, time_machine
):
    time_machine.move_to(NOW)
    first = complete(program, applicant)
    second = complete(program, make_user("bob@example.org", first_name="Bob", last_name="B"))
    criteria = list(program.criteria.all())
    for user, application, values in [
        (reviewer, first, (5, 4)),
        (chair, first, (3, 4)),
        (reviewer, second, (2, 2)),
    ]:
        client.force_login(user)
        data = {f"criterion_{c.pk}": v for c, v in zip(criteria, values, strict=True)} | {
            "comment": "ok"
        }
        assert (
            client.post(f"/exchanges/review/application/{application.pk}/", data).status_code == 302
        )
    html = client.get(f"/exchanges/{program.slug}/review/").content.decode()
    assert html.index("Ada Applicant") < html.index("Bob B")
    assert "4.00" in html and "2.00" in html
    from exchanges.access import reviewable_by
    from exchanges.review import ranking

    rows = {row.pk: row for row in ranking(program, visible=reviewable_by(chair))}
    assert rows[first.pk].reviewers == 2 and float(rows[first.pk].average) == 4.0
    assert rows[second.pk].reviewers == 1


def test_bad_scores_are_a_400(client, program, reviewer, applicant, time_machine):
    time_machine.move_to(NOW)
    application = complete(program, applicant)
    client.force_login(reviewer)
    criteria = list(program.criteria.all())
    data = {f"criterion_{criteria[0].pk}": "9", f"criterion_{criteria[1].pk}": "x"}
    assert client.post(f"/exchanges/review/application/{application.pk}/", data).status_code == 400


def test_ranking_of_a_program_not_theirs_is_404(client, program, applicant, time_machine):
    time_machine.move_to(NOW)
    complete(program, applicant)
    client.force_login(make_user("eve@example.org"))
    assert client.get(f"/exchanges/{program.slug}/review/").status_code == 404


def test_admin_lists_only_visible_applications(client, program, applicant):
    complete(program, applicant)
    clerk = make_user("clerk@example.org", is_staff=True)
    from django.contrib.auth.models import Group

    clerk.groups.add(Group.objects.get(name="Exchange committee"))
    client.force_login(clerk)
    response = client.get("/admin/exchanges/application/")
    assert response.status_code == 200 and "Ada Applicant" in response.content.decode()
