"""The five stages and twenty-five steps of 《中国共产党发展党员工作细则》, as data.

A step is recorded once (a few may be recorded again: the half-yearly 考察 of an 积极分子 and of a
预备党员). Upper-level steps (备案, 预审, 派人谈话, 审批) are recorded by a user who holds the
review right over the branch (accounts.policy: a keeper of a strict ancestor, or 组织部 staff).
"""
from __future__ import annotations

from dataclasses import dataclass

APPLICANT, ACTIVIST, CANDIDATE, PROBATIONARY, FULL, STOPPED = (
    "applicant", "activist", "candidate", "probationary", "full", "stopped")
PIPELINE_STAGES = (APPLICANT, ACTIVIST, CANDIDATE, PROBATIONARY)  # the §4.3 stages, in order
STAGE_LABELS = {
    APPLICANT: "入党申请人",
    ACTIVIST: "入党积极分子",
    CANDIDATE: "发展对象",
    PROBATIONARY: "预备党员",
    FULL: "已转正",
    STOPPED: "终止培养",
}

# The five phases of the 细则 (the 25 steps are grouped by them).
PHASES = (
    ("apply", "申请入党"),
    ("activist", "入党积极分子的确定和培养教育"),
    ("candidate", "发展对象的确定和考察"),
    ("admit", "预备党员的接收"),
    ("probation", "预备党员的教育考察和转正"),
)


@dataclass(frozen=True)
class StepDef:
    key: str
    number: int  # 1–25 as the 细则 counts them
    label: str
    phase: str
    upper: bool = False  # recorded by the level above the branch
    repeatable: bool = False
    document: str = ""  # the paper this step keeps (an attachment)
    people: str = ""  # "mentor" or "sponsor": the step names them
    hours: bool = False  # the step records 学时
    number_field: bool = False  # the step records a document number (入党志愿书编号)


STEPS: tuple[StepDef, ...] = (
    StepDef("applied", 1, "递交入党申请书", "apply", document="入党申请书"),
    StepDef("talk", 2, "党组织派人谈话", "apply", document="谈话记录"),
    StepDef("activist", 3, "推荐和确定入党积极分子", "activist", document="支部委员会会议记录"),
    StepDef("activist_filed", 4, "报上级党委备案（积极分子）", "activist", upper=True),
    StepDef("mentors", 5, "指定培养联系人", "activist", people="mentor"),
    StepDef("activist_review", 6, "培养教育考察", "activist", repeatable=True,
            document="思想汇报、考察意见"),
    StepDef("candidate", 7, "确定发展对象", "candidate", document="支部委员会会议记录"),
    StepDef("candidate_filed", 8, "报上级党委备案（发展对象）", "candidate", upper=True),
    StepDef("sponsors", 9, "确定入党介绍人", "candidate", people="sponsor"),
    StepDef("political_review", 10, "进行政治审查", "candidate", document="政审材料"),
    StepDef("training", 11, "开展集中培训", "candidate", document="培训结业证明", hours=True),
    StepDef("committee_review", 12, "支部委员会审查（公示）", "admit", document="公示通知"),
    StepDef("pre_review", 13, "上级党委预审", "admit", upper=True, document="预审意见"),
    StepDef("application_form", 14, "填写入党志愿书", "admit", document="入党志愿书",
            number_field=True),
    StepDef("congress", 15, "支部党员大会讨论", "admit", document="支部大会会议记录"),
    StepDef("upper_talk", 16, "上级党委派人谈话", "admit", upper=True, document="谈话记录"),
    StepDef("approval", 17, "上级党委审批", "admit", upper=True, document="审批意见"),
    StepDef("approval_filed", 18, "再上一级党委组织部门备案", "admit", upper=True),
    StepDef("assigned", 19, "编入党支部和党小组", "probation"),
    StepDef("oath", 20, "入党宣誓", "probation", document="宣誓照片"),
    StepDef("probation_review", 21, "继续教育考察", "probation", repeatable=True,
            document="思想汇报、考察意见"),
    StepDef("confirm_applied", 22, "提出转正申请（公示）", "probation", document="转正申请书、公示通知"),
    StepDef("confirm_congress", 23, "支部党员大会讨论转正", "probation", document="支部大会会议记录"),
    StepDef("confirm_approval", 24, "上级党委审批转正", "probation", upper=True, document="审批意见"),
    StepDef("archived", 25, "材料归档", "probation"),
)
BY_KEY = {s.key: s for s in STEPS}
STEP_CHOICES = [(s.key, f"{s.number}. {s.label}") for s in STEPS] + [
    ("probation_extended", "延长预备期"),
]
REPEATABLE = tuple(s.key for s in STEPS if s.repeatable)

# Not one of the 25: a 支部大会 may extend the probation once by 6 or 12 months (审批 above).
EXTENSION = StepDef("probation_extended", 0, "延长预备期", "probation", upper=True,
                    document="支部大会决议、审批意见")
ALL = {**BY_KEY, EXTENSION.key: EXTENSION}

# The dates the §4 rules and the ledger read, in the order they must come (§4.1).
ORDER = ("applied", "talk", "activist", "candidate", "congress", "approval", "oath")

# The step a person's stage must have reached before a step can be recorded on entry.
NEEDS = {
    "talk": "applied", "activist": "applied", "activist_filed": "activist",
    "mentors": "activist", "activist_review": "activist", "candidate": "activist",
    "candidate_filed": "candidate", "sponsors": "candidate", "political_review": "candidate",
    "training": "candidate", "committee_review": "candidate", "pre_review": "committee_review",
    "application_form": "candidate", "congress": "candidate", "upper_talk": "congress",
    "approval": "congress", "approval_filed": "approval", "assigned": "approval",
    "oath": "approval", "probation_review": "approval", "confirm_applied": "approval",
    "confirm_congress": "confirm_applied", "confirm_approval": "confirm_congress",
    "archived": "confirm_approval", "probation_extended": "approval",
}


def stage_of(dates: dict, *, confirmed: bool = False) -> str:
    """The stage the recorded milestones put a person in."""
    if confirmed or dates.get("confirm_approval"):
        return FULL
    if dates.get("approval"):
        return PROBATIONARY
    if dates.get("candidate") or dates.get("congress"):
        return CANDIDATE
    if dates.get("activist"):
        return ACTIVIST
    return APPLICANT


def adopted(stage: str, dates: dict) -> bool:
    """A 预备党员 of the roster taken into the 转正 steps: no 审批 recorded here, none needed."""
    return stage == PROBATIONARY and "approval" not in dates
