"""Every change to a member: one named function each, one transaction, a MemberEvent and an audit.

Membership periods are kept right in every action (see Membership): a period closes on the
first day the member no longer counts for the branch and opens on the first day they count.
Views, the admin and the importer call these functions; nothing else writes Member.branch,
category or status.

A package by theme (people, life events, transfers, the roster import, ID clashes); every name
callers use is here, so `from members import actions` and `from members.actions import X` read
as before.
"""
from members.actions.clashes import ID_CLASH, ID_TAKEN, ClashNames, transfer_message
from members.actions.common import DATE_FIELDS
from members.actions.imports import ROSTER_IMPORTED, import_roster
from members.actions.life import (
    confirm,
    decease,
    extend_probation,
    flow_in,
    flow_out,
    leave,
    restore,
    suspend,
)
from members.actions.people import (
    EDITABLE_FIELDS,
    FLAG_FIELDS,
    assign_group,
    create_member,
    update_member,
)
from members.actions.transfers import (
    accept_transfer,
    refuse_transfer,
    transfer_into_district,
    transfer_member,
    transfer_out,
    transfer_out_of_district,
    withdraw_transfer,
)

__all__ = [
    "DATE_FIELDS", "EDITABLE_FIELDS", "FLAG_FIELDS", "ID_CLASH", "ID_TAKEN", "ROSTER_IMPORTED",
    "ClashNames", "accept_transfer", "assign_group", "confirm", "create_member", "decease",
    "extend_probation", "flow_in", "flow_out", "import_roster", "leave", "refuse_transfer",
    "restore", "suspend", "transfer_into_district", "transfer_member", "transfer_message",
    "transfer_out", "transfer_out_of_district", "update_member", "withdraw_transfer",
]
