"""Builders for test data. Plain functions, so tests say what they build."""
import datetime
from types import SimpleNamespace

from django.contrib.auth import get_user_model

from accounts.actions import grant_role
from branches.models import Organization, path_segment

_id_sequence = iter(range(1, 10**6))


def make_org(code, name, kind, parent=None, **fields) -> Organization:
    org = Organization.objects.create(code=code, name=name, kind=kind, parent=parent, **fields)
    org.path = (parent.path if parent else "") + path_segment(org.pk)
    org.depth = parent.depth + 1 if parent else 0
    org.save(update_fields=["path", "depth"])
    return org


def build_district() -> SimpleNamespace:
    K = Organization.Kind
    top = make_org("1000", "示范街道党工委", K.WORKING_COMMITTEE, sector="government")
    c1 = make_org("1100", "第一社区党委", K.COMMITTEE, top, sector="community")
    b1 = make_org("1101", "第一社区第一党支部", K.BRANCH, c1, sector="community")
    g1 = make_org("1101-1", "第一社区第一党支部第一党小组", K.GROUP, b1, sector="community")
    b2 = make_org("1102", "第一社区第二党支部", K.BRANCH, c1, sector="community")
    c2 = make_org("1200", "第二社区党委", K.COMMITTEE, top, sector="community")
    b3 = make_org("1201", "第二社区党支部", K.BRANCH, c2, sector="community")
    return SimpleNamespace(top=top, c1=c1, b1=b1, g1=g1, b2=b2, c2=c2, b3=b3)


def make_user(username, kind=None, org=None, password="Secret-pass-2026"):
    if kind is None:
        return get_user_model().objects.create_user(username=username, password=password)
    user, _, _ = grant_role(username, kind, org, password=password)
    return user


def build_personas(d) -> SimpleNamespace:
    """组织部 staff, a 党委 admin (1100), two branch secretaries (1101, 1102), an auditor (1100),
    another 党委's admin (1200), and a user with no role."""
    return SimpleNamespace(
        staff=make_user("staff", "staff"),
        admin=make_user("admin1100", "org_admin", d.c1),
        secretary=make_user("sec1101", "secretary", d.b1),
        other_secretary=make_user("sec1102", "secretary", d.b2),
        auditor=make_user("audit1100", "auditor", d.c1),
        outsider=make_user("admin1200", "org_admin", d.c2),
        nobody=make_user("nobody"),
    )


def valid_id_number(birth: datetime.date, male: bool = True, area: str = "110101") -> str:
    """A GB 11643-valid ID with a fresh sequence number. The 3-digit sequence holds 500 IDs of
    one sex per birth date; past that the area code moves on, so a long session (a fixture run
    once per case of the URL matrix) never issues the same ID twice."""
    n = next(_id_sequence)
    seq = (n % 500) * 2 + (1 if male else 0)
    if n >= 500:
        area = f"{int(area) + n // 500:06d}"
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


_UNSET = object()


def make_member(branch, *, name="李四", birth=datetime.date(1980, 5, 1), male=True,
                joined=datetime.date(2005, 7, 1), category="full", confirmed_on=_UNSET,
                since=None, until=None, **fields):
    """A member of `branch`, counted there from `since` (default: joining, as an import leaves
    them) until the day before `until`. A full member is confirmed a year after joining unless
    `confirmed_on` says otherwise."""
    from members.models import Member, Membership

    if confirmed_on is _UNSET:
        confirmed_on = joined.replace(year=joined.year + 1) if category == "full" else None
    member = Member.objects.create(
        name=name, id_number=valid_id_number(birth, male), sex="男" if male else "女",
        birth_date=birth, joined_on=joined, category=category, confirmed_on=confirmed_on,
        branch=branch, **fields,
    )
    Membership.objects.create(member=member, branch=branch, started_on=since or joined,
                              ended_on=until)
    return member
