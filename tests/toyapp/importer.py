"""A toy importer through the shared upload flow: it checks rows and records an audit entry."""
from accounts.models import audit
from core.importing import Importer, RowPlan, counted_result
from tabular.values import normalize_text


class ToyImporter(Importer):
    kind = "toys"
    title = "玩具清单"
    fields = {"name": ["玩具名称", "名称"], "count": ["数量"], "owner": ["保管人"]}
    required_headers = ("name", "count")

    def plan_rows(self, records, progress):
        rows = []
        for number, record in records:
            row = RowPlan(row=number, action="create", label=normalize_text(record.get("name")) or "")
            try:
                row.values = {"name": row.label, "count": int(record.get("count"))}
            except (TypeError, ValueError):
                row.fail(self.column("count"), "数量应为整数。")
            rows.append(row)
        return rows

    def apply(self, plan, *, skip_invalid):
        created = [r for r in plan.rows if r.action == "create"]
        audit(self.user, "toy.counted", organization=self.organization, target="玩具清单",
              rows=len(created))
        return counted_result(plan)
