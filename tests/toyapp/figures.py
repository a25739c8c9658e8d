"""The toy app's figures: seven toys in every branch."""
from decimal import Decimal

from branches.models import Organization
from core.registry import HomeLine, MeasureResult, ReminderItem


def toys_per_branch(org, quarter) -> MeasureResult:
    rows = [{"code": b.code, "name": b.name, "toys": 7, "value": "12.50"}
            for b in Organization.objects.subtree(org).branches().order_by("path")]
    total = sum(Decimal(r["value"]) for r in rows)
    return MeasureResult(rows=rows, summary={"toys": 7 * len(rows), "value": f"{total:.2f}"})


def toys_to_count(on):
    for branch in Organization.objects.branches().order_by("path"):
        yield ReminderItem(kind="toy_due", organization_id=branch.pk, due=on,
                           text=f"{branch.name}：请清点玩具", identity=f"toy:{branch.pk}:{on}")


def too_few_toys(orgs, today) -> dict:
    return {org.pk: ["玩具少于 8 个"] for org in orgs if org.is_branch}


def toy_counts(orgs) -> dict:
    return {org.pk: 7 for org in orgs}


def toys_waiting(branch, user, today) -> list:
    return [HomeLine(f"{branch.name}有 3 个玩具待清点", "/toys/", 3)]


def seed(world):
    """The toy app's demo data: an audit row saying what the seeder was handed."""
    from accounts.models import audit

    audit(world.by, "toy.counted", target="演示玩具", scale=world.scale,
          draw=world.random.randint(1, 10**6))
