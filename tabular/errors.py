"""FileRejected and the sentences it carries when a file is refused.

The fixed sentences are kept here so that their wording can be reviewed in one place; those
that name what a file turned out to be (Word, a web page, …) sit next to the check that
recognizes it, in `tabular._sniff`. Each is one Simplified-Chinese sentence: what is wrong, then
what to do.
"""

from __future__ import annotations

from pathlib import Path


class FileRejected(Exception):
    """The file cannot be read at all.

    `str(exc)` and `exc.message` are one Simplified-Chinese sentence saying what the file is and
    what the user should do; it is meant to be shown as is.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


EMPTY = "文件是空的（0 字节）；请检查是否选错了文件后重新上传。"
TOO_LARGE = "文件超过 {mb} MB 的上限；请拆分成多个文件后分批上传。"
TOO_MANY_ROWS = "表格超过 {rows} 行数据的上限；请拆分成多个文件后分批上传。"
NO_DATA = "文件中没有任何内容（Excel 文件读取的是第一个可见的工作表）；请检查后重新上传。"
CORRUPT = "文件已损坏或不完整，无法读取；请在 Excel 中打开确认内容无误后重新保存，再上传。"
ENCRYPTED = "文件已加密（设置了打开密码），无法读取；请在 Excel 中取消密码后再上传。"
MACRO = (
    "这是一个启用了宏的工作簿（.xlsm），出于安全原因不予读取；"
    "请在 Excel 中另存为“Excel 工作簿（.xlsx）”后再上传。"
)
ZIP_BOMB = (
    "文件解压后异常庞大（疑似“压缩炸弹”），出于安全原因不予读取；"
    "请确认文件来源，在 Excel 中打开后另存为 .xlsx 再上传。"
)
TOO_MANY_PARTS = (
    "文件内部包含的部件过多，不像正常的 Excel 表格，出于安全原因不予读取；"
    "请在 Excel 中打开后另存为 .xlsx 再上传。"
)
XML_DTD = (
    "文件中含有 Excel 从不生成的 XML 文档类型声明（可能是恶意构造的文件），出于安全原因不予读取；"
    "请在 Excel 中打开后另存为 .xlsx 再上传。"
)
PDF = "这是一个 PDF 文件，无法从中读取表格；请上传 Excel 表格（.xlsx、.xls）或 CSV 文件。"
UNKNOWN_BINARY = (
    "无法识别的文件格式：这既不是 Excel 表格（.xlsx、.xls）也不是 CSV 文本文件；"
    "请在 Excel 中另存为 .xlsx 后再上传。"
)
ENCODING = (
    "无法识别 CSV 文件的文字编码（不是 UTF-8，也不是 GBK/GB18030）；"
    "请在 Excel 中打开后另存为 .xlsx 再上传。"
)
CSV_BROKEN = (
    "CSV 文件第 {line} 行格式有误（引号不配对或单元格内容过长）；"
    "请在 Excel 中打开后另存为 .xlsx 再上传。"
)
UNREADABLE = "无法打开文件（找不到文件或没有读取权限）；请检查文件后重新上传。"

TOO_MANY_CELLS = (
    "表格超过 {cells} 个单元格（行数 × 列数）的上限；请删去不需要的列，或拆分成多个文件后分批上传。"
)
SHEET_TOO_WIDE = (
    "表格的使用范围过大（第 {row} 行、第 {column} 列仍有内容）；"
    "请删除表格下方和右侧多余的内容后再上传。"
)
PARSER_DIED = (
    "文件内容异常（可能已损坏，或是被刻意构造的文件），无法读取；"
    "请在 Excel 中打开确认内容无误后另存为 .xlsx，再上传。"
)
TIMEOUT = "文件内容过于复杂，在 {seconds} 秒内未能读完；请在 Excel 中另存为 .xlsx 后再上传。"


def extension_note(filename: str) -> str:
    """Return "，只是扩展名为 .xls" when the name claims a spreadsheet format, else ""."""
    suffix = Path(filename or "").suffix.lower()
    if suffix in (".xls", ".xlsx", ".csv", ".et"):
        return f"，只是扩展名为 {suffix}"
    return ""
