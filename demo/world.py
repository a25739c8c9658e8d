"""What the demo hands to each app's demo seeder (core.registry `demo_seeder`), and running them.

The base of the demo (organizations, members, meetings) is written by demo.base in one audited
bulk load, because a city (150,000 members, 2 million attendance rows) cannot go row by row
through actions. Every other app adds its own data through its seeder, which reads what it
builds on from the database and writes through its app's actions (or an audited bulk action at
city scale). Each seeder runs in its own transaction, in registration order.
"""
from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.registry import site


@dataclass
class DemoWorld:
    scale: str  # "district" | "city"
    random: random.Random
    today: datetime.date
    by: object  # the demo 组织部 user: the actor of the seeders' actions
    say: Callable[[str], None] = field(default=lambda text: None)


def run_seeders(scale: str, *, seed_value: int, say: Callable[[str], None] | None = None,
                username: str = "zuzhibu") -> dict[str, float]:
    """Run every registered seeder; returns the seconds each took."""
    by = get_user_model().objects.filter(username=username).first()
    timings = {}
    for seeder in site().demo_seeders:
        started = time.perf_counter()
        world = DemoWorld(scale=scale, random=random.Random(f"{seed_value}:{seeder.key}"),
                          today=timezone.localdate(), by=by, say=say or (lambda text: None))
        with transaction.atomic():
            seeder.run(world)
        timings[seeder.key] = time.perf_counter() - started
        if say:
            say(f"  {seeder.key}: {timings[seeder.key]:.1f} 秒")
    return timings
