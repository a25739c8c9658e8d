"""Demo dues: a base for every demo member from a few months back, their payments, and a few
members in arrears (3 to 7 months). District scale goes back 6 months, city scale 3, written as
one audited bulk action (a city has 150,000 members)."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import F

from accounts.models import audit
from core.quarters import Month
from dues import book
from dues.actions import SEEDED
from dues.models import Category, Due, DuesBase, Payment, PaymentPart
from members.models import Member

MIX = ([Category.EMPLOYED] * 14 + [Category.RETIRED] * 3 + [Category.FARMER]
       + [Category.STUDENT, Category.UNEMPLOYED, Category.SUBSISTENCE])


def _base(world, category) -> tuple[Decimal | None, Decimal | None]:
    r = world.random
    if category == Category.EMPLOYED:
        return Decimal(r.choice((2800, 3000, 3500, 4200, 5000, 6500, 8000, 9800, 10000, 12500,
                                 16000))) + Decimal(r.randrange(0, 100)) / 100, None
    if category == Category.RETIRED:
        return Decimal(r.choice((2600, 3800, 4500, 5000, 5600, 7200))), None
    if category == Category.FARMER:
        return None, Decimal(r.choice(("0.50", "0.50", "1.00", "0.20")))
    return None, None


def seed(world) -> None:
    today_month = Month.of(world.today)
    back = getattr(world, "months", None) or (6 if world.scale == "district" else 3)
    first = today_month - back
    months = book.months_between(first, today_month - 1)
    members = list(Member.objects.active().values_list("pk", "branch_id"))
    bases = []
    for pk, _ in members:
        category = world.random.choice(MIX)
        base, fixed = _base(world, category)
        bases.append(DuesBase(member_id=pk, effective_from=first.start, category=category,
                              base=base, fixed_amount=fixed))
    DuesBase.objects.bulk_create(bases, batch_size=5000, ignore_conflicts=True)
    ids = [pk for pk, _ in members]
    book.sync(ids, months)
    world.say(f"  党费：{len(ids)} 名党员的缴费基数，{len(months)} 个月的应交")

    behind = set(world.random.sample(ids, k=max(3, len(ids) // 40))) if ids else set()
    payments, plans = [], []
    for chunk in book.chunks(ids):
        dues: dict[int, list] = {}
        for d in Due.objects.filter(member_id__in=chunk, month__in=[m.start for m in months]) \
                .order_by("member_id", "month"):
            dues.setdefault(d.member_id, []).append(d)
        for member_id, rows in dues.items():
            if member_id in behind:
                rows = rows[:max(0, len(rows) - world.random.randint(3, 7))]
            rows = [d for d in rows if d.amount > 0]
            if not rows:
                continue
            paid_on = Month.of(rows[-1].month).end.replace(day=5) if len(rows) else None
            payments.append(Payment(
                member_id=member_id, branch_id=rows[-1].branch_id, first_month=rows[0].month,
                last_month=rows[-1].month, amount=sum(d.amount for d in rows), paid_on=paid_on,
                method=Payment.Method.CASH, source=Payment.Source.DEMO))
            plans.append(rows)
    Payment.objects.bulk_create(payments, batch_size=5000)
    PaymentPart.objects.bulk_create(
        [PaymentPart(payment=p, member_id=p.member_id, month=d.month, amount=d.amount)
         for p, rows in zip(payments, plans, strict=True) for d in rows], batch_size=5000)
    # Each payment covers its months exactly, so each of those rows is now paid in full: one
    # UPDATE per chunk instead of book.sync's row-by-row bulk_update (an 18,000-row CASE took a
    # minute of the district's 70-second seed).
    paid_rows = [d.pk for rows in plans for d in rows]
    for start in range(0, len(paid_rows), 5000):
        Due.objects.filter(pk__in=paid_rows[start:start + 5000]).update(paid=F("amount"))
    audit(world.by, SEEDED, target=f"{len(ids)} 名党员", members=len(ids), months=len(months),
          payments=len(payments), behind=len(behind))
    world.say(f"  党费：{len(payments)} 笔缴纳，{len(behind)} 人欠缴")
