"""read_table on files that must be refused: wrong formats, damage, bombs, and random bytes.

Whatever the bytes, read_table returns a Table or raises FileRejected with a Chinese sentence;
no other exception may reach the importers.
"""

import io
import os
import random
import struct
import time
import tracemalloc
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tabular import _sniff, _workbook, reader
from tabular.reader import FileRejected, Table, read_table
from tests.tabular.builders import (
    MACRO_MAIN,
    csv_bytes,
    fake_ole2,
    openpyxl_xlsx,
    xls_file,
    xlsx_parts,
    zip_parts,
)

pytestmark = []

ROWS = [["姓名", "公民身份号码", "入党日期"], ["张三", "11010519491231002X", "2019-07-01"]]


def rejected(data, filename="upload.xlsx", **caps) -> str:
    with pytest.raises(FileRejected) as caught:
        read_table(data, filename, **caps)
    message = str(caught.value)
    assert message == caught.value.message
    assert message.endswith("。") and "Traceback" not in message
    return message


@pytest.fixture
def calamine_must_not_run(monkeypatch):
    """Fail loudly if a check lets the file through to the parser."""

    class Tripwire:
        @staticmethod
        def from_filelike(*args, **kwargs):
            raise AssertionError("the parser was reached")

    monkeypatch.setattr(_workbook, "CalamineWorkbook", Tripwire)


# -------------------------------------------------------------------- not a spreadsheet


def test_empty_file():
    assert "空" in rejected(b"")


@pytest.mark.parametrize(
    "page",
    [
        b"<html><body><table><tr><td>\xe5\xa7\x93\xe5\x90\x8d</td></tr></table></body></html>",
        b"\xef\xbb\xbf  \r\n<!DOCTYPE html>\n<html lang='zh'>",
        b"<table border=1><tr><td>1</td></tr></table>",
        b'<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta charset="gbk">',
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related",
        b"<meta http-equiv=Content-Type content='text/html; charset=gb2312'>\n<style>",
    ],
)
def test_web_page_saved_as_xls_says_so(page):
    message = rejected(page, "花名册.xls")
    assert "网页（HTML）" in message and "扩展名为 .xls" in message and ".xlsx" in message


def test_spreadsheetml_2003_is_named():
    page = b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook>'
    assert "Excel 2003 XML" in rejected(page, "a.xls")


def test_pdf():
    assert "PDF" in rejected(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "roster.xlsx")


def test_image():
    assert "图片" in rejected(b"\x89PNG\r\n\x1a\n" + bytes(100), "a.xlsx")


def test_random_bytes():
    noise = random.Random(7).randbytes(4096)
    assert "无法识别的文件格式" in rejected(noise, "a.xlsx")


def test_text_in_an_unknown_encoding():
    assert "编码" in rejected(b"name,remark\r\nzhang,\x80\x80\x80\r\n", "a.csv")


def test_missing_file(tmp_path):
    assert "无法打开文件" in rejected(tmp_path / "nope.xlsx")


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}, "Word 文档"),
        ({"ppt/presentation.xml": b"<p/>"}, "PowerPoint"),
        ({"xl/workbook.bin": b"\x00", "[Content_Types].xml": b"<Types/>"}, ".xlsb"),
        ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}, ".ods"),
        ({"roster.xlsx": b"PK"}, "zip 压缩包"),
    ],
)
def test_other_zip_packages_are_named(names, expected):
    assert expected in rejected(zip_parts(names))


def test_word_97_document():
    assert "Word 97-2003" in rejected(fake_ole2("Root Entry", "WordDocument"), "a.xls")


# ------------------------------------------------------------------ damaged or locked


def test_truncated_xlsx(tmp_path):
    data = openpyxl_xlsx(tmp_path / "a.xlsx", ROWS).read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 200):
        assert "已损坏" in rejected(data[:cut])


def test_xlsx_with_a_damaged_sheet_stream(tmp_path):
    data = bytearray(openpyxl_xlsx(tmp_path / "a.xlsx", ROWS * 50).read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10 : start + 60] = bytes(50)
    assert "已损坏" in rejected(bytes(data))


def test_ole2_that_claims_to_be_a_workbook_but_is_not():
    assert "已损坏" in rejected(fake_ole2("Root Entry", "Workbook"), "a.xls")


def test_encrypted_workbook_in_ole2_container():
    data = fake_ole2("Root Entry", "EncryptionInfo", "EncryptedPackage")
    message = rejected(data, "花名册.xlsx")
    assert "已加密" in message and "取消密码" in message


def test_encrypted_zip_entries():
    data = bytearray(zip_parts(xlsx_parts(ROWS)))
    position = 0
    while (position := data.find(b"PK\x03\x04", position)) >= 0:
        data[position + 6] |= 1  # general-purpose flag bit 0: encrypted
        position += 4
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) >= 0:
        data[position + 8] |= 1
        position += 4
    assert "已加密" in rejected(bytes(data))


def test_xlsm_with_a_vba_project(calamine_must_not_run):
    parts = xlsx_parts(ROWS) | {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"}
    assert "宏" in rejected(zip_parts(parts), "a.xlsm")


def test_xlsm_by_content_type(calamine_must_not_run):
    assert "宏" in rejected(zip_parts(xlsx_parts(ROWS, main_content_type=MACRO_MAIN)))


# ---------------------------------------------------------------------------- bombs


@pytest.fixture(scope="module")
def zeros_bomb() -> bytes:
    """A valid-looking xlsx whose sheet is 512 MB of zeros, about 0.5 MB compressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in xlsx_parts(ROWS).items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, content)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = bytes(8 << 20)
            for _ in range(64):
                sheet.write(chunk)
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_anything_is_inflated(zeros_bomb, calamine_must_not_run):
    assert len(zeros_bomb) < 1 << 20
    tracemalloc.start()
    try:
        message = rejected(zeros_bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "压缩炸弹" in message
    assert peak < 32 << 20  # a few chunks, never the expanded sheet


def test_zip_bomb_with_faked_sizes_in_its_headers(calamine_must_not_run):
    """The sizes in the headers are the attacker's to write; only zlib's output counts."""
    zeros = bytes(64 << 20)
    data = bytearray(zip_parts(xlsx_parts(ROWS) | {"xl/worksheets/sheet1.xml": zeros}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 1000)  # local: uncompressed size
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, central + 24, 1000)  # central: uncompressed size
            break
        central = data.find(b"PK\x01\x02", central + 4)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    assert "压缩炸弹" in rejected(bytes(data))


def test_total_uncompressed_size_is_capped(monkeypatch, calamine_must_not_run):
    monkeypatch.setattr(_sniff, "MAX_COMPRESSION_RATIO", 10_000)
    monkeypatch.setattr(_sniff, "MAX_UNCOMPRESSED_BYTES", 4 << 20)
    filler = {f"xl/media/pad{i}.bin": random.Random(i).randbytes(1 << 20) for i in range(5)}
    assert "压缩炸弹" in rejected(zip_parts(xlsx_parts(ROWS) | filler))


def test_too_many_zip_entries(calamine_must_not_run):
    parts = xlsx_parts(ROWS) | {f"xl/pad/{i}.xml": b"<a/>" for i in range(2_000)}
    assert "部件过多" in rejected(zip_parts(parts))


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<si><t>&lol9;</t></si></sst>"
)


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"])
def test_billion_laughs_inside_an_xlsx(part, calamine_must_not_run):
    data = zip_parts(xlsx_parts(ROWS) | {part: BILLION_LAUGHS.encode()})
    assert "文档类型声明" in rejected(data)


def test_doctype_in_a_utf16_part(calamine_must_not_run):
    part = BILLION_LAUGHS.replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    data = zip_parts(xlsx_parts(ROWS) | {"xl/sharedStrings.xml": part.encode("utf-16")})
    assert "文档类型声明" in rejected(data)


def test_defusedxml_is_installed_and_openpyxl_uses_it():
    import defusedxml  # noqa: F401
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


# ------------------------------------------------------------ parser that would crash


def far_apart_cells(last_cell: str) -> bytes:
    parts = xlsx_parts([["a"]])
    row = "".join(ch for ch in last_cell if ch.isdigit())
    extra = f'<row r="{row}"><c r="{last_cell}"><v>1</v></c></row></sheetData>'.encode()
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", extra
    )
    return zip_parts(parts)


def test_cells_at_a1_and_xfd1048576_do_not_take_the_process_down():
    """calamine allocates the dense sheet (~550 GB here) and aborts; only its child dies."""
    data = far_apart_cells("XFD1048576")
    assert len(data) < 4096
    assert "文件内容异常" in rejected(data)
    assert read_table(zip_parts(xlsx_parts(ROWS)), "a.xlsx").rows  # and we are still here


def test_xls_whose_dimensions_record_lies_does_not_take_the_process_down(tmp_path):
    data = bytearray(xls_file(tmp_path / "a.xls", ROWS).read_bytes())
    dimensions = data.find(b"\x00\x02\x0e\x00")  # BIFF8 DIMENSIONS record, 14 bytes
    assert dimensions > 0
    struct.pack_into("<I", data, dimensions + 4, 0x00EF0000)  # first row: 15.6 million
    rejected(bytes(data), "a.xls")


def test_a_sheet_used_far_beyond_its_data_is_refused_with_where(monkeypatch):
    monkeypatch.setattr(_workbook, "MAX_SHEET_CELLS", 100)
    message = rejected(far_apart_cells("C50"))
    assert "第 50 行、第 3 列仍有内容" in message


def test_a_parser_that_hangs_is_stopped(monkeypatch):
    def hang(*args):
        time.sleep(60)

    monkeypatch.setattr(_workbook, "_parse_workbook", hang)
    monkeypatch.setattr(_workbook, "PARSER_TIMEOUT_SECONDS", 0.5)
    started = time.monotonic()
    assert "未能读完" in rejected(zip_parts(xlsx_parts(ROWS)))
    assert time.monotonic() - started < 10


def test_a_parser_that_dies_is_reported(monkeypatch):
    monkeypatch.setattr(_workbook, "_parse_workbook", lambda *args: os.abort())
    assert "文件内容异常" in rejected(zip_parts(xlsx_parts(ROWS)))


# ----------------------------------------------------------------------------- caps


def test_file_larger_than_the_byte_cap(tmp_path):
    data = csv_bytes(ROWS, "utf-8") + b"x" * (1 << 20)
    assert "超过 1 MB" in rejected(data, "a.csv", max_bytes=1 << 20)
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    assert "超过 1 MB" in rejected(path, "big.csv", max_bytes=1 << 20)


def test_default_byte_cap_is_50_mb_and_uploaded_size_is_trusted_first():
    class Upload(io.BytesIO):
        size = 60 * 1024 * 1024

    assert "超过 50 MB" in rejected(Upload(b"a,b"), "a.csv")


@pytest.mark.parametrize("kind", ["csv", "xlsx", "xls"])
def test_row_cap_counts_data_rows_after_a_title_and_header_allowance(kind, tmp_path):
    max_rows = 5
    allowed = [["姓名", "序号"]] * (max_rows + reader.HEADER_ALLOWANCE)
    too_many = allowed + [["张三", "1"]]
    for rows, ok in ((allowed, True), (too_many, False)):
        rows = [[]] * 3 + rows + [[]] * 3  # blank rows do not count
        if kind == "csv":
            data = csv_bytes(rows, "utf-8")
        elif kind == "xlsx":
            data = openpyxl_xlsx(tmp_path / "a.xlsx", rows).read_bytes()
        else:
            data = xls_file(tmp_path / "a.xls", rows).read_bytes()
        if ok:
            assert isinstance(read_table(data, "a", max_rows=max_rows), Table)
        else:
            assert "超过 5 行" in rejected(data, "a", max_rows=max_rows)


# ------------------------------------------------------------------------ any bytes


@pytest.fixture(scope="module")
def valid_files(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("fuzz")
    rows = ROWS * 5
    return {
        "xlsx": openpyxl_xlsx(folder / "a.xlsx", rows).read_bytes(),
        "excel": zip_parts(xlsx_parts(rows)),
        "xls": xls_file(folder / "a.xls", rows).read_bytes(),
        "csv": csv_bytes(rows, "gb18030"),
    }


def assert_table_or_rejected(data: bytes) -> None:
    try:
        table = read_table(data, "fuzz.xlsx", max_rows=1_000, max_bytes=1 << 20)
    except FileRejected as exc:
        assert exc.message
    else:
        assert isinstance(table, Table)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["xlsx", "excel", "xls", "csv"]),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    keep=st.floats(0.0, 1.0),
)
def test_mutated_files_give_a_table_or_a_refusal(valid_files, kind, flips, keep):
    data = bytearray(valid_files[kind])
    for where, byte in flips:
        data[int(where * len(data))] = byte
    assert_table_or_rejected(bytes(data[: max(1, int(len(data) * keep))]))


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"<"]),
    noise=st.binary(max_size=2048),
)
def test_arbitrary_bytes_give_a_table_or_a_refusal(prefix, noise):
    assert_table_or_rejected(prefix + noise)
