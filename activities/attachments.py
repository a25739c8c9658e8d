"""Attachment checks: what a file is, decided by its content, never by its name.

Accepted: photos (JPEG, PNG, WebP, GIF, verified by Pillow), PDF, Office documents (docx, xlsx,
pptx as zip packages with their [Content_Types].xml; doc, xls as OLE2 compound files).
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_TYPES = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
    "GIF": ("image/gif", ".gif"),
}
OFFICE_ZIP_TYPES = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
}
ACCEPTED_HINT = "可上传照片（JPG、PNG、WebP、GIF）、PDF 或 Word/Excel/PowerPoint 文档。"


class AttachmentRejected(Exception):
    """The file is not one we keep; the message says what it is and what to do."""


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    is_image: bool = False


def check_upload(upload) -> FileKind:
    """Identify an uploaded file by its bytes, or raise AttachmentRejected."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise AttachmentRejected(
            f"文件“{upload.name}”大小为 {upload.size / 1048576:.1f} MB，超过上限 "
            f"{limit / 1048576:.0f} MB。请压缩后再上传。"
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise AttachmentRejected(f"文件“{upload.name}”超过 {limit / 1048576:.0f} MB 上限。")
    if not data:
        raise AttachmentRejected(f"文件“{upload.name}”是空文件。")
    return identify(data, upload.name)


def identify(data: bytes, name: str = "") -> FileKind:
    if data.startswith(b"%PDF-"):
        return FileKind("application/pdf", ".pdf")
    if data.startswith(OLE2_MAGIC):
        return _ole2_kind(data, name)
    if data.startswith(b"PK\x03\x04"):
        return _office_zip_kind(data, name)
    image = _image_kind(data)
    if image:
        return image
    raise AttachmentRejected(_describe_refusal(data, name))


def _image_kind(data: bytes) -> FileKind | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    if fmt not in IMAGE_TYPES:
        return None
    content_type, extension = IMAGE_TYPES[fmt]
    return FileKind(content_type, extension, is_image=True)


def _office_zip_kind(data: bytes, name: str) -> FileKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise AttachmentRejected(f"文件“{name}”是损坏的压缩包，无法作为附件保存。") from exc
    if "[Content_Types].xml" in names:
        for prefix, (content_type, extension) in OFFICE_ZIP_TYPES.items():
            if any(n.startswith(prefix) for n in names):
                return FileKind(content_type, extension)
    raise AttachmentRejected(
        f"文件“{name}”是普通压缩包（zip），不是 Office 文档。" + ACCEPTED_HINT
    )


def _ole2_kind(data: bytes, name: str) -> FileKind:
    """Old Word/Excel files; the name's extension only picks the Content-Type between them."""
    lowered = name.lower()
    if lowered.endswith((".xls", ".et")):
        return FileKind("application/vnd.ms-excel", ".xls")
    if lowered.endswith(".ppt"):
        return FileKind("application/vnd.ms-powerpoint", ".ppt")
    return FileKind("application/msword", ".doc")


def _describe_refusal(data: bytes, name: str) -> str:
    head = data[:512].lstrip().lower()
    shown = f"文件“{name}”" if name else "该文件"
    if head.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<?xml", b"<svg")) or (
        b"<html" in head or b"<script" in head or b"<svg" in head
    ):
        what = "网页或 SVG/XML 文本"
    elif name.lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp")):
        what = "无法识别的内容（不是有效的图片）"
    else:
        what = "不支持的文件类型"
    return f"{shown}实际上是{what}，不能作为附件保存。{ACCEPTED_HINT}"
