"""In-memory state of one demo shop app (orders, chat threads, clock), reached through a typed AppKey."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from aiohttp import web

from .chat import Thread
from .orders import Order


@dataclass
class ShopState:
    now: Callable[[], datetime]
    orders: dict[str, Order] = field(default_factory=dict)
    threads: dict[str, Thread] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    lazy_hits: dict[str, int] = field(default_factory=dict)  # lazy image name -> times served

    def order(self, system: str, order_id: str) -> Order | None:
        o = self.orders.get(order_id)
        return o if o is not None and o.system == system else None


STATE = web.AppKey("demoshop_state", ShopState)


def state(request: web.Request) -> ShopState:
    return request.app[STATE]
