"""Compiling and storing: versions, one current result, idempotent reruns, chunks, the command."""
import io
import json

import openpyxl
import pytest
from celery.schedules import crontab
from django.conf import settings

from reports import actions
from reports.figures import compute_figures
from reports.models import Report, ReportBranch, ReportChunk
from reports.tasks import compile_report, compile_scheduled_reports, start_report
from tests.helpers import run_command
from tests.reports.builders import D, K, add_meeting, add_members, hold_everything

Q3 = "2026Q3"


@pytest.fixture
def quarter_data(district):
    people = add_members(district.b1, 8) + add_members(district.b3, 3)
    hold_everything(district.b1, groups=[district.g1], present=people[:6])
    add_meeting(district.b3, D(2026, 8, 3), K.THEME_DAY, present=people[8:10])
    return district


def compile_now(org, by=None):
    report = actions.request_report(org, Q3, by=by, enqueue=False)
    return actions.run_report(report.pk)


@pytest.mark.django_db
def test_a_compiled_report_stores_the_figures_rows_and_workbook_as_current(quarter_data):
    report = compile_now(quarter_data.top)

    assert report.status == Report.Status.DONE and report.is_current and report.progress == 100
    assert report.figures == compute_figures(quarter_data.top, Q3).as_json()
    rows = {r.code: r for r in ReportBranch.objects.filter(report=report)}
    assert set(rows) == {"1101", "1102", "1201"}
    assert rows["1101"].as_json() == report.figures["branches"][0]
    assert rows["1201"].gaps[:2] == ["支部党员大会：本季度未开", "党课：本季度未开"]
    book = openpyxl.load_workbook(io.BytesIO(report.workbook.read()))
    # then one sheet per registered measure (core.registry), e.g. 群众诉求
    assert book.sheetnames[:5] == ["汇总", "支部明细", "未完成清单", "参与情况", "图表"]
    absent = [r for r in book["参与情况"].iter_rows(min_row=3, values_only=True) if r[2]]
    assert [r[0] for r in absent] == ["1101", "1101", "1201"]
    assert report.inputs["rules"]["committee"]["min_full_members"] == 7


@pytest.mark.django_db
def test_compiling_again_keeps_earlier_versions_and_exactly_one_current(quarter_data):
    first = compile_now(quarter_data.top)
    second = compile_now(quarter_data.top)

    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert not first.is_current and second.is_current
    assert Report.objects.filter(organization=quarter_data.top, quarter=Q3, is_current=True).count() == 1


@pytest.mark.django_db
def test_running_a_finished_report_again_changes_nothing(quarter_data):
    report = compile_now(quarter_data.top)
    rows_before = list(ReportBranch.objects.filter(report=report).values_list("pk", flat=True))

    again = actions.run_report(report.pk)

    assert again.finished_at == report.finished_at
    assert list(ReportBranch.objects.filter(report=report).values_list("pk", flat=True)) == rows_before


@pytest.mark.django_db
def test_a_report_interrupted_midway_is_finished_by_the_next_run(quarter_data):
    report = actions.request_report(quarter_data.top, Q3, by=None, enqueue=False)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, progress=40)

    done = actions.run_report(report.pk)

    assert done.status == Report.Status.DONE and done.attempts == 1 and done.is_current


@pytest.mark.django_db
def test_two_requests_for_the_same_report_while_it_runs_make_one_job(quarter_data, personas):
    first = actions.request_report(quarter_data.c1, Q3, by=personas.admin, enqueue=False)
    second = actions.request_report(quarter_data.c1, Q3, by=personas.staff, enqueue=False)

    assert first.pk == second.pk
    assert Report.objects.filter(organization=quarter_data.c1).count() == 1


postgresql_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="advisory locks are PostgreSQL's",
)


@postgresql_only
@pytest.mark.django_db
def test_a_report_held_by_another_worker_is_left_to_it(quarter_data):
    from django.db import connections

    report = actions.request_report(quarter_data.top, Q3, by=None, enqueue=False)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [actions.LOCK_NAMESPACE, report.pk])
            assert cursor.fetchone()[0] is True

        assert actions.run_report(report.pk) is None
    finally:
        other.close()  # the lock goes with the connection, as when a worker dies
    _wait_for_advisory_locks_to_clear()
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED
    assert actions.run_report(report.pk).status == Report.Status.DONE


def _wait_for_advisory_locks_to_clear():
    import time

    from django.db import connection

    for _ in range(100):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s",
                           [actions.LOCK_NAMESPACE])
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.02)


@pytest.mark.django_db
def test_a_large_report_split_into_chunks_equals_the_one_shot_figures(quarter_data, settings):
    settings.REPORTS_CHUNK_BRANCHES = 0

    report = compile_now(quarter_data.top)

    assert ReportChunk.objects.filter(report=report).count() == 2
    assert report.inputs["chunks"] == 2
    assert report.figures == compute_figures(quarter_data.top, Q3).as_json()


@pytest.mark.django_db
def test_the_task_hands_chunks_to_other_workers_and_the_last_one_stores_the_result(
    quarter_data, settings
):
    settings.REPORTS_CHUNK_BRANCHES = 0
    report = actions.request_report(quarter_data.top, Q3, by=None, enqueue=False)

    compile_report.delay(report.pk)  # eager here: the group's chunk tasks run in turn

    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.is_current
    assert report.chunks.filter(done=True).count() == 2
    assert report.figures == compute_figures(quarter_data.top, Q3).as_json()


@pytest.mark.django_db
def test_a_chunk_delivered_twice_changes_nothing(quarter_data, settings):
    from reports.tasks import compile_report_chunk

    settings.REPORTS_CHUNK_BRANCHES = 0
    report = compile_now(quarter_data.top)
    finished_at = report.finished_at

    for chunk in report.chunks.all():
        compile_report_chunk.delay(chunk.pk)

    report.refresh_from_db()
    assert report.finished_at == finished_at and report.is_current


@pytest.mark.django_db
def test_the_task_compiles_after_commit(quarter_data, django_capture_on_commit_callbacks, settings):
    settings.REPORTS_CHUNK_BRANCHES = 0
    with django_capture_on_commit_callbacks(execute=True):
        report = start_report(quarter_data.top, Q3, by=None)

    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.is_current


@pytest.mark.django_db
def test_a_failing_compilation_is_recorded_and_the_current_version_stays(quarter_data, monkeypatch):
    good = compile_now(quarter_data.top)
    bad = actions.request_report(quarter_data.top, Q3, by=None, enqueue=False)

    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(actions, "compute_figures", broken)
    with pytest.raises(ValueError):
        compile_report.delay(bad.pk)

    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == Report.Status.FAILED and "boom" in bad.error
    assert good.is_current


@pytest.mark.django_db
def test_the_scheduled_job_compiles_every_top_level_organization(quarter_data, django_capture_on_commit_callbacks):
    from freezegun import freeze_time

    with freeze_time("2026-10-01 02:00:00+08:00"), django_capture_on_commit_callbacks(execute=True):
        ids = compile_scheduled_reports.delay("previous").get()

    report = Report.objects.get(pk=ids[0])
    assert (report.organization.code, report.quarter, report.requested_by) == ("1000", Q3, None)
    assert report.status == Report.Status.DONE
    with freeze_time("2026-10-01 02:30:00+08:00"):
        assert str(actions.scheduled_quarter("current")) == "2026Q4"


def test_the_beat_schedule_fires_on_the_first_day_of_each_quarter_at_two():
    schedule = settings.CELERY_BEAT_SCHEDULE
    entry = schedule["report-previous-quarter"]
    cron = entry["schedule"]
    assert isinstance(cron, crontab)
    assert entry["task"] == "reports.tasks.compile_scheduled_reports"
    assert entry["kwargs"] == {"which": "previous"}
    assert cron.day_of_month == {1}
    assert cron.month_of_year == {1, 4, 7, 10}
    assert cron.hour == {2} and cron.minute == {0}
    draft = schedule["report-current-quarter-draft"]
    assert draft["kwargs"] == {"which": "current"}
    assert draft["schedule"].hour == {2} and len(draft["schedule"].day_of_month) == 31
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_time_limits_stay_below_the_redis_visibility_timeout():
    from reports.tasks import LIMITS

    visibility = 2 * 3600
    assert LIMITS["time_limit"] < visibility and LIMITS["soft_time_limit"] < LIMITS["time_limit"]
    assert LIMITS["acks_late"] and settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


@pytest.mark.django_db
def test_compile_report_prints_the_json_of_the_contract(quarter_data, tmp_path):
    target = tmp_path / "out" / "report.xlsx"
    status, out, err = run_command("compile_report", Q3, "--org", "1100", "--json", "--xlsx", str(target))

    assert status == 0, err
    assert json.loads(out) == compute_figures(quarter_data.c1, Q3).as_json()
    assert openpyxl.load_workbook(target).sheetnames[0] == "汇总"


@pytest.mark.django_db
def test_compile_report_without_org_compiles_each_top_level_organization(quarter_data):
    status, out, err = run_command("compile_report", Q3)

    assert status == 0, err
    assert "示范街道党工委" in out and "完成率" in out


@pytest.mark.django_db
@pytest.mark.parametrize("args", [["2026Q5"], ["2026-3"], [Q3, "--org", "9999"]])
def test_compile_report_refuses_bad_quarters_and_unknown_orgs_with_status_2(district, args):
    status, out, err = run_command("compile_report", *args, "--json")

    assert status == 2
    assert "error" in json.loads(out)
