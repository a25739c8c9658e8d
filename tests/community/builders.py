"""Demands and ledgers built inside the tests."""
import datetime

from community import actions
from tests.members.builders import rows_for, xlsx_bytes

D = datetime.date
PHONE = "13912345678"
LEDGER_HEADER = ["受理日期", "来源", "类别", "诉求内容", "群众姓名", "联系电话", "受理党组织",
                 "承办党组织", "办理时限", "办结日期", "回访结果"]


def demand(branch, by, *, on, category="环境卫生", text="楼道堆放杂物", phone=PHONE,
           name="王大妈", source="visit"):
    return actions.receive_demand(
        {"received_on": on, "source": source, "category": category, "description": text,
         "resident_name": name, "resident_phone": phone}, received_by=branch, by=by)


def ledger_row(**cells):
    row = {"受理日期": "2026-07-01", "来源": "走访", "类别": "环境卫生", "诉求内容": "路灯不亮",
           "群众姓名": "王大妈", "联系电话": PHONE, "受理党组织": "1101"}
    row.update(cells)
    return row


def ledger_bytes(rows, *, title="第一社区群众诉求台账"):
    return xlsx_bytes(rows_for(rows, LEDGER_HEADER), title_rows=[title])
