"""order-witness (订单证人): local helper that preserves evidence for unanswered card-shop orders."""

__version__ = "0.1.0"
