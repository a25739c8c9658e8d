"""The documented backup and restore procedure works on a real database."""
import os
import subprocess

import pytest
from django.db import connection

from branches.models import Organization
from tests.factories import build_district

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_backup_then_restore_check_passes(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("backups are pg_dump of the production database (PostgreSQL)")
    build_district()
    settings_dict = connection.settings_dict
    url = (f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
           f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}")
    (tmp_path / "media" / "attachments").mkdir(parents=True)
    (tmp_path / "media" / "attachments" / "a.txt").write_text("x")
    env = dict(os.environ, DATABASE_URL=url, BACKUP_DIR=str(tmp_path / "backups"),
               MEDIA_ROOT=str(tmp_path / "media"))
    backup = subprocess.run([f"{ROOT}/bin/backup"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert backup.returncode == 0, backup.stderr
    folder = backup.stdout.strip()
    counts = open(os.path.join(folder, "rowcounts.txt")).read()
    assert f"branches_organization {Organization.objects.count()}" in counts
    check = subprocess.run([f"{ROOT}/bin/restore-check"], env=env, capture_output=True,
                           text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "备份可用" in check.stdout


def test_restore_check_fails_when_the_backup_does_not_match(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    build_district()
    settings_dict = connection.settings_dict
    url = (f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
           f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}")
    env = dict(os.environ, DATABASE_URL=url, BACKUP_DIR=str(tmp_path / "backups"),
               MEDIA_ROOT=str(tmp_path / "nomedia"))
    folder = subprocess.run([f"{ROOT}/bin/backup"], env=env, capture_output=True, text=True,
                            check=True).stdout.strip()
    with open(os.path.join(folder, "rowcounts.txt"), "a") as manifest:
        manifest.write("zz_missing_table 5\n")
    check = subprocess.run([f"{ROOT}/bin/restore-check"], env=env, capture_output=True, text=True)
    assert check.returncode == 1
