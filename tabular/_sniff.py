"""What an uploaded file is, decided from its bytes, and the refusals made before any parsing.

An .xlsx is checked as a zip package without trusting its headers (entry count, real
uncompressed size and ratio, a DTD in any XML part, macros); an OLE2 file for encryption and
for being a workbook at all; anything else for being a PDF, a web page, an image…
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator

from tabular import errors
from tabular.errors import FileRejected, extension_note

# Zip checks, all made before any parser decompresses anything. A real 200,000-row roster
# expands to roughly 150 MB of XML; Apache POI's long-standing default ratio limit is 100.
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
MAX_COMPRESSION_RATIO = 100
# Small parts (styles, shared strings of a tiny file) may compress better than any ratio
# limit without being a threat; only output beyond this is held to the ratio.
RATIO_GRACE_BYTES = 4 * 1024 * 1024

_READ_CHUNK = 256 * 1024
_INFLATE_CHUNK = 4 * 1024 * 1024

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_EOCD = b"PK\x05\x06"


def _ole_name(name: str) -> bytes:
    """A stream name as it sits in an OLE2 directory entry (UTF-16LE, NUL-terminated)."""
    return (name + "\0").encode("utf-16-le")


# (magic bytes, what the file is) for formats people pick by mistake.
_OTHER_FORMATS = (
    (b"\x89PNG", "这是一个图片文件（PNG）"),
    (b"\xff\xd8\xff", "这是一个图片文件（JPEG）"),
    (b"GIF8", "这是一个图片文件（GIF）"),
    (b"Rar!", "这是一个 RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "这是一个 7z 压缩包"),
    (b"\x1f\x8b", "这是一个 gzip 压缩包"),
    (b"{\\rtf", "这是一个 RTF 文档"),
)


def check_xlsx_package(data: bytes, filename: str) -> None:
    """Refuse anything but a plain .xlsx, before any XML in it is parsed or expanded."""
    _check_zip_directory_size(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception:  # zipfile raises several types for damaged archives
        raise FileRejected(errors.CORRUPT) from None
    if len(members) > MAX_ZIP_ENTRIES:
        raise FileRejected(errors.TOO_MANY_PARTS)

    names = {member.filename.lower() for member in members}
    if "xl/vbaproject.bin" in names:
        raise FileRejected(errors.MACRO)
    if "xl/workbook.xml" not in names:
        raise FileRejected(_describe_other_zip(archive, names, filename))

    total = 0
    for member in members:
        total = _scan_zip_member(data, member, total)

    # Only now is it safe to let zipfile inflate a part: the scan has bounded every size.
    try:
        content_types = archive.read("[Content_Types].xml")
    except Exception:
        raise FileRejected(errors.CORRUPT) from None
    if b"macroenabled" in content_types.lower():
        raise FileRejected(errors.MACRO)


def _check_zip_directory_size(data: bytes) -> None:
    """Refuse a zip whose central directory lists too many entries, before zipfile parses it.

    zipfile builds one Python object per entry of the central directory, so a directory with
    a million tiny entries costs memory even though each entry is harmless.
    """
    eocd = data.rfind(_EOCD, max(0, len(data) - 65_557))  # 22-byte record + 64 KB comment
    if eocd < 0 or len(data) < eocd + 22:
        raise FileRejected(errors.CORRUPT)
    entries = int.from_bytes(data[eocd + 10 : eocd + 12], "little")
    directory_size = int.from_bytes(data[eocd + 12 : eocd + 16], "little")
    if entries * 46 > len(data) or directory_size > len(data):
        raise FileRejected(errors.CORRUPT)  # more than the file could hold: damaged
    # The count may lie (zipfile reads by size), so bound the size too: ~1 KB per entry is
    # far more than any part name in a workbook needs.
    if entries > MAX_ZIP_ENTRIES or directory_size > MAX_ZIP_ENTRIES * 1024:
        raise FileRejected(errors.TOO_MANY_PARTS)


def _describe_other_zip(archive: zipfile.ZipFile, names: set[str], filename: str) -> str:
    note = extension_note(filename)
    if "xl/workbook.bin" in names:
        return (
            f"这是一个 Excel 二进制工作簿（.xlsb）{note}；"
            "请在 Excel 中另存为“Excel 工作簿（.xlsx）”后再上传。"
        )
    if "word/document.xml" in names:
        return f"这是一个 Word 文档{note}，不是表格；请把表格复制到 Excel 中保存为 .xlsx 再上传。"
    if "ppt/presentation.xml" in names:
        return f"这是一个 PowerPoint 演示文稿{note}，不是表格；请上传 Excel 表格（.xlsx）。"
    if "mimetype" in names:
        try:
            info = archive.getinfo("mimetype")
            mimetype = archive.read(info)[:100] if info.file_size < 100 else b""
        except Exception:
            mimetype = b""
        if b"spreadsheet" in mimetype:
            return (
                f"这是一个 OpenDocument 表格（.ods）{note}；"
                "请在 WPS 或 LibreOffice 中另存为“Excel 工作簿（.xlsx）”后再上传。"
            )
    return f"这是一个 zip 压缩包{note}，不是 Excel 表格；请解压后上传其中的 .xlsx 文件。"


_DTD_PATTERNS = (b"<!DOCTYPE", b"<!ENTITY")
_DTD_PATTERNS_UTF16LE = tuple(p.decode().encode("utf-16-le") for p in _DTD_PATTERNS)
_DTD_PATTERNS_UTF16BE = tuple(p.decode().encode("utf-16-be") for p in _DTD_PATTERNS)
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def _scan_zip_member(data: bytes, member: zipfile.ZipInfo, total: int) -> int:
    """Inflate one member in chunks, counting real output, and return the new running total.

    Sizes are counted as they come out of zlib, not taken from the zip headers, which a
    crafted file can fake. XML parts are searched for a DTD: Excel never writes one, and a
    DTD is what entity-expansion ("billion laughs") attacks need.
    """
    if member.flag_bits & 0x1:
        raise FileRejected(errors.ENCRYPTED)
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise FileRejected(errors.CORRUPT)
    offset = member.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
        raise FileRejected(errors.CORRUPT)
    start = (
        offset
        + 30
        + int.from_bytes(header[26:28], "little")
        + int.from_bytes(header[28:30], "little")
    )
    end = start + member.compress_size
    if end > len(data):
        raise FileRejected(errors.CORRUPT)
    raw = memoryview(data)[start:end]

    check_dtd = member.filename.lower().endswith(_XML_SUFFIXES)
    patterns = _DTD_PATTERNS
    tail = b""
    produced = 0
    first = True
    for consumed, chunk in _inflate(raw, member.compress_type):
        produced += len(chunk)
        if produced + total > MAX_UNCOMPRESSED_BYTES:
            raise FileRejected(errors.ZIP_BOMB)
        if produced > RATIO_GRACE_BYTES + MAX_COMPRESSION_RATIO * consumed:
            raise FileRejected(errors.ZIP_BOMB)
        if not check_dtd:
            continue
        if first:
            first = False
            if chunk[:2] == b"\xff\xfe" or chunk[:2] == b"<\x00":
                patterns = _DTD_PATTERNS_UTF16LE
            elif chunk[:2] == b"\xfe\xff" or chunk[:2] == b"\x00<":
                patterns = _DTD_PATTERNS_UTF16BE
        window = tail + chunk
        if any(pattern in window for pattern in patterns):
            raise FileRejected(errors.XML_DTD)
        tail = window[-20:]
    return total + produced


def _inflate(raw: memoryview, method: int) -> Iterator[tuple[int, bytes]]:
    """Yield (compressed bytes consumed so far, output chunk) with bounded output per step."""
    if method == zipfile.ZIP_STORED:
        for start in range(0, len(raw), _INFLATE_CHUNK):
            chunk = bytes(raw[start : start + _INFLATE_CHUNK])
            yield start + len(chunk), chunk
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for start in range(0, len(raw), _READ_CHUNK):
            pending = raw[start : start + _READ_CHUNK]
            fed = start + len(pending)
            while pending and not inflater.eof:
                out = inflater.decompress(pending, _INFLATE_CHUNK)
                pending = inflater.unconsumed_tail
                if out:
                    yield fed - len(pending), out
            if inflater.eof:
                break
        # Output held back by the length cap is at most one match (258 bytes) long.
        rest = inflater.flush()
    except zlib.error:
        raise FileRejected(errors.CORRUPT) from None
    if rest:
        yield len(raw), rest
    if not inflater.eof:
        raise FileRejected(errors.CORRUPT)  # the stream stops before its end: truncated file


def check_ole2(data: bytes, filename: str) -> None:
    """Refuse OLE2 containers that are not an unencrypted Excel 97-2003 workbook.

    Stream names are looked up by their UTF-16 bytes rather than by walking the directory:
    calamine parses the container next anyway, and a false "this is Word" is harmless.
    """
    if _ole_name("EncryptedPackage") in data or _ole_name("EncryptionInfo") in data:
        # Excel wraps a password-protected .xlsx in OLE2 with these two streams.
        raise FileRejected(errors.ENCRYPTED)
    if _ole_name("Workbook") in data or _ole_name("Book") in data:
        return
    note = extension_note(filename)
    if _ole_name("WordDocument") in data:
        raise FileRejected(
            f"这是一个 Word 97-2003 文档{note}，不是表格；"
            "请把表格复制到 Excel 中保存为 .xlsx 再上传。"
        )
    if _ole_name("PowerPoint Document") in data:
        raise FileRejected(
            f"这是一个 PowerPoint 97-2003 演示文稿{note}，不是表格；请上传 Excel 表格（.xlsx）。"
        )
    # No stream we know: usually a truncated .xls whose directory was cut off.
    raise FileRejected(
        f"这是一个 Office 97-2003 格式的文件{note}，但其中找不到工作表（文件可能已损坏，"
        "或不是 Excel 工作簿）；请在 Excel 中打开后另存为 .xlsx 再上传。"
    )


def refuse_known_non_tables(data: bytes, filename: str) -> None:
    """Refuse PDFs, web pages, XML and other files that are not CSV, saying what they are."""
    head = data[:4096]
    stripped = head.lstrip()
    if stripped.startswith(b"%PDF"):
        raise FileRejected(errors.PDF)
    note = extension_note(filename)
    for magic, what in _OTHER_FORMATS:
        if stripped.startswith(magic):
            raise FileRejected(
                f"{what}{note}，不是表格；请上传 Excel 表格（.xlsx、.xls）或 CSV 文件。"
            )

    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "ignore")
    else:
        text = head.decode("utf-8", "ignore")
    text = text.lstrip("\ufeff \t\r\n").lower()
    if text.startswith("<?xml"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in text or "excel.sheet" in text:
            raise FileRejected(
                f"这是一个 Excel 2003 XML 表格{note}；请在 Excel 中打开后另存为 .xlsx 再上传。"
            )
        raise FileRejected(
            f"这是一个 XML 文件{note}，不是表格；请上传 Excel 表格（.xlsx）或 CSV 文件。"
        )
    # No CSV starts with markup: "<html", "<table", but also "<meta", "<style", "<!--" of
    # pages whose table starts further down; MIME-Version opens a single-file web page (.mht).
    second = text[1:2]
    markup = text[:1] == "<" and (second in ("!", "/") or second.isascii() and second.isalpha())
    if markup or text.startswith("mime-version:"):
        raise FileRejected(
            f"这是一个网页（HTML）文件{note}；请在 Excel 中打开后另存为 .xlsx 再上传。"
        )
