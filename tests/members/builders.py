"""Small roster files built inside the tests: .xlsx, .xls and CSV in the encodings offices use."""
import csv
import datetime
import io

import openpyxl
import xlwt

HEADER = ["姓名", "公民身份号码", "性别", "民族", "出生日期", "学历", "人员类别", "入党日期",
          "转正日期", "工作单位及职务", "联系电话", "所在党支部", "所在党小组"]


def person(id_number, name="张三", *, joined="2010-07-01", confirmed="2011-07-01",
           category="正式党员", branch="1101", group=None, phone="13800000000", **extra):
    row = {"姓名": name, "公民身份号码": id_number, "人员类别": category, "入党日期": joined,
           "转正日期": confirmed, "联系电话": phone, "所在党支部": branch, "所在党小组": group}
    row.update(extra)
    return row


def rows_for(people, header=HEADER):
    return [header] + [[p.get(h) for h in header] for p in people]


def xlsx_bytes(rows, *, title_rows=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for title in title_rows:
        sheet.append([title])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls_bytes(rows):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("花名册")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write(r, c, value, date_style)
            elif value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8"):
    text = io.StringIO()
    writer = csv.writer(text)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return text.getvalue().encode(encoding)
