"""Links on a member's page to the records the yearly cycle keeps about them."""
from django.urls import reverse

from cycle.models import Outflow, TransferLetter


def member_links(member, user) -> list[tuple[str, str]]:
    links = [(f"组织关系介绍信 第 {number} 号", reverse("cycle:letter-detail", args=[pk]))
             for pk, number in TransferLetter.objects.filter(member=member)
             .order_by("-issued_on").values_list("pk", "number")[:5]]
    if Outflow.objects.filter(member=member, returned_on__isnull=True).exists():
        links.append(("流出党员登记", f"{reverse('cycle:outflows')}?org={member.branch.code}"))
    return links
