"""CSV import of devices (tech leads, admins): every row checked first; with any bad row
nothing is imported and each bad row is reported with its line and column; otherwise
everything is written in one transaction, new tags created and known ones updated. A
progress bar polls the job while it runs."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from accounts.models import User
from assets import csv_import, services, tasks
from assets.csv_import import ImportJob
from assets.models import Asset
from assets.tests.factories import make_asset, make_site

pytestmark = pytest.mark.django_db

HEADER = "tag,kind,vendor,model,os_version,site,owner,warranty_end\n"
GOOD = (
    "SH-LT-0100,laptop,Lenovo,ThinkPad T14,Windows 11,sh-hq,alice,2027-06-30\n"
    "SH-PRN-0009,printer,HP,LaserJet M404,,sh-hq,,2026/12/31\n"
)
# line 2 fine, line 3 two bad cells, line 4 a duplicate tag of line 2, line 5 fine
MIXED = (
    "SH-LT-0100,laptop,Lenovo,ThinkPad T14,Windows 11,sh-hq,alice,2027-06-30\n"
    "SH-LT-0101,toaster,Lenovo,ThinkPad T14,,nowhere,alice,\n"
    "SH-LT-0100,laptop,,,,,,\n"
    "SH-PH-0001,phone,Yealink,T54W,,,nobody,30/06/2027\n"
)


def upload(text: str, name: str = "devices.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


@pytest.fixture
def site(db):
    return make_site("sh-hq")


def post_file(client, text: str, **kwargs):
    return client.post("/assets/import/", {"file": upload(text, **kwargs)})


def job_of(response) -> ImportJob:
    job_id = response["Location"].rstrip("/").split("/")[-1]
    job = ImportJob.load(job_id)
    assert job is not None
    return job


def test_a_file_with_bad_rows_reports_each_with_line_and_column_and_imports_nothing(
    web, tom, alice, site
):
    # given: a device the file would have updated
    make_asset("SH-LT-0100", model="Old model")
    client = web(tom)

    # when
    response = post_file(client, HEADER + MIXED)

    # then: the job failed on its rows; every problem named by line and column
    assert response.status_code == 302
    job = job_of(response)
    assert job.state == csv_import.FAILED
    assert [(e.line, e.field) for e in job.errors] == [
        (3, "kind"),
        (3, "site"),
        (4, "tag"),
        (5, "owner"),
        (5, "warranty_end"),
    ]
    assert Asset.objects.count() == 1
    assert Asset.objects.get().model == "Old model"  # not updated either
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-line="3" data-field="kind"' in html and "toaster" in html
    assert 'data-line="4" data-field="tag"' in html
    assert 'hx-trigger="every 1s"' not in html  # finished: no more polling


def test_a_good_file_imports_every_row_creating_and_updating(web, tom, alice, site):
    # given
    make_asset("SH-PRN-0009", kind="printer", model="Old")

    # when
    response = post_file(web(tom), HEADER + GOOD)

    # then
    job = job_of(response)
    assert (job.state, job.created, job.updated, job.percent) == (csv_import.DONE, 1, 1, 100)
    laptop = Asset.objects.get(tag="SH-LT-0100")
    assert (laptop.owner, laptop.site, str(laptop.warranty_end)) == (alice, site, "2027-06-30")
    printer = Asset.objects.get(tag="SH-PRN-0009")
    assert (printer.model, str(printer.warranty_end), printer.owner) == (
        "LaserJet M404",
        "2026-12-31",
        None,
    )


def test_excel_chinese_file_with_chinese_headers_and_semicolons(web, tom, alice, site):
    # given: Excel on a Chinese Windows saves GB18030; headers as the desk labels them
    text = "资产编号;类型;厂商;型号;使用人\nSH-LT-0200;笔记本电脑;联想;昭阳 K4e;alice\n"

    # when
    response = post_file(web(tom), text, encoding="gb18030")

    # then
    assert job_of(response).state == csv_import.DONE
    assert Asset.objects.get(tag="SH-LT-0200").vendor == "联想"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("", "empty"),
        ("tag,kind\n", "no devices"),
        ("kind,vendor\nlaptop,HP\n", "tag"),
        ("tag,kind,colour\nA,laptop,red\n", "colour"),
        ("tag,kind,tag\nA,laptop,B\n", "twice"),
    ],
)
def test_a_file_that_is_not_a_csv_of_devices_is_a_form_error(web, tom, content, says):
    # given: tom reads English
    User.objects.filter(pk=tom.pk).update(language="en")

    # when
    response = post_file(web(tom), content)

    # then: the upload form again, the file field naming the problem
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["file"] and says in str(errors["file"])
    assert Asset.objects.count() == 0


def test_a_binary_file_and_an_oversized_file_are_refused(web, tom, settings):
    # given
    settings.ASSETS_IMPORT_MAX_ROWS = 2
    client = web(tom)

    # when
    binary = client.post(
        "/assets/import/", {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04\x00\x00")}
    )
    too_many = post_file(client, HEADER + "A,laptop\nB,laptop\nC,laptop\n")

    # then
    assert binary.status_code == 400 and "file" in binary.context["form"].errors
    assert too_many.status_code == 400 and "2" in str(too_many.context["form"].errors["file"])


def test_only_tech_leads_and_admins_import(web, bob, alice, dave, admin):
    # when / then
    for person in (bob, alice, dave):
        assert web(person).get("/assets/import/").status_code == 403
        assert post_file(web(person), HEADER + "A,laptop\n").status_code == 403
    assert web(admin).get("/assets/import/").status_code == 200
    assert Asset.objects.count() == 0


def test_a_big_file_runs_on_a_worker_and_its_progress_bar_moves(
    web, tom, settings, monkeypatch, site
):
    # given: imports above 10 rows go to a worker; the broker is stubbed (no Redis here)
    settings.ASSETS_IMPORT_INLINE_ROWS = 10
    sent: list[str] = []
    monkeypatch.setattr(services, "_enqueue", lambda job_id: sent.append(job_id) or True)
    rows = "".join(f"BIG-{n:05d},desktop,Dell,OptiPlex,,sh-hq,,\n" for n in range(3000))
    client = web(tom)

    # when: uploaded, the job waits for the worker
    response = post_file(client, HEADER + rows)
    job = job_of(response)
    assert sent == [job.id] and job.state == csv_import.QUEUED
    progress_url = f"/assets/import/{job.id}/progress/"
    waiting = client.get(progress_url)
    assert waiting.status_code == 200
    assert 'data-percent="0"' in waiting.content.decode()
    assert 'hx-trigger="every 1s"' in waiting.content.decode()  # keeps polling

    # when: the worker runs it, each step saving its progress
    seen: list[tuple[str, int]] = []
    save = ImportJob.save

    def recording(self: ImportJob) -> None:
        seen.append((self.state, self.percent))
        save(self)

    monkeypatch.setattr(ImportJob, "save", recording)
    assert tasks.import_assets(job.id) == csv_import.DONE

    # then: the bar moved through many steps, never backwards, to 100 %
    percents = [p for _state, p in seen]
    assert percents == sorted(percents)
    assert len({p for p in percents if 0 < p < 100}) >= 20
    assert {state for state, _p in seen} >= {"checking", "importing", "done"}
    done = client.get(progress_url).content.decode()
    assert 'data-percent="100"' in done and "every 1s" not in done
    assert Asset.objects.filter(tag__startswith="BIG-").count() == 3000
    # a second delivery of the same task does nothing
    assert tasks.import_assets(job.id) == csv_import.DONE
    assert Asset.objects.filter(tag__startswith="BIG-").count() == 3000


def test_a_failure_while_writing_leaves_nothing_half_imported(
    web, tom, settings, monkeypatch, site
):
    # given: the second batch of writes fails (a tag created meanwhile by someone else)
    rows = "".join(f"HALF-{n:04d},desktop,,,,,,\n" for n in range(450))
    settings.ASSETS_IMPORT_INLINE_ROWS = 1000
    real = Asset.objects.bulk_create
    calls = []

    def failing(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(Asset.objects, "bulk_create", failing)

    # when
    job = job_of(post_file(web(tom), HEADER + rows))

    # then: the first batch was rolled back with the rest
    assert job.state == csv_import.FAILED and job.message
    assert Asset.objects.filter(tag__startswith="HALF-").count() == 0


def test_progress_belongs_to_whoever_uploaded(web, tom, admin, bob, site):
    # given
    response = post_file(web(tom), HEADER + GOOD)
    job = job_of(response)
    url = f"/assets/import/{job.id}/progress/"

    # when / then: another importer does not learn the job exists; an engineer may not import
    assert web(tom).get(url).status_code == 200
    assert web(admin).get(url).status_code == 404
    assert web(bob).get(url).status_code == 403
    assert web(tom).get("/assets/import/0123456789abcdef0123456789abcdef/").status_code == 404
    assert web(tom).get("/assets/import/not-a-job/progress/").status_code == 404


def test_the_example_file_imports_as_is(web, tom, alice, site):
    # given
    example = web(tom).get("/assets/import/example.csv")
    assert example.status_code == 200 and example["Content-Type"].startswith("text/csv")

    # when
    job = job_of(post_file(web(tom), example.content.decode()))

    # then
    assert job.state == csv_import.DONE and Asset.objects.filter(tag="SH-LT-0100").exists()
