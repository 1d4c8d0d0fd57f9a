"""What the KPI modules share (pipeline/kpis/base.py): the run's memo of what several KPIs and the
pack's lists derive from the same registers, and the month labels."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from pipeline.kpis.base import month_label
from pipeline.kpis.complaints import judged_complaints
from pipeline.kpis.delivery import delivery_facts, delivery_kpis, judged_lots, late_lot_rows

from .conftest import context_for, register_frame


def test_worked_out_once_per_run_and_register_frame():
    ctx = context_for("2026-10")
    frame = pd.DataFrame({"a": [1]})
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert ctx.once("x", (frame,), compute) == 1
    assert ctx.once("x", (frame,), compute) == 1                     # the same frame: the same answer
    assert ctx.once("x", (frame.copy(),), compute) == 2              # an equal copy is another frame
    assert ctx.once("y", (frame,), compute) == 3                     # another question
    assert ctx.once("x", (frame, None), compute) == 4                # other frames (an absent one too)
    assert context_for("2026-10").once("x", (frame,), compute) == 5  # another run starts empty
    assert replace(ctx, as_of=ctx.as_of).once("x", (frame,), compute) == 6


def two_lots(delivered_a: str | None) -> pd.DataFrame:
    return register_frame("deliveries", [
        {"order_no": "A", "lot_no": "1", "customer_code": "C1", "due_date": "2026-10-05",
         "delivered_date": delivered_a, "qty_due": 10, "qty_delivered": 10 if delivered_a else None},
        {"order_no": "B", "lot_no": "1", "customer_code": "C1", "due_date": "2026-10-06",
         "delivered_date": "2026-10-06", "qty_due": 10, "qty_delivered": 10},
    ])


def test_the_kpis_and_the_lists_share_the_judged_lots():
    deliveries = two_lots(None)
    ctx = context_for("2026-10")
    judged = judged_lots(deliveries, ctx)
    delivery_kpis({"deliveries": deliveries}, ctx)
    assert judged_lots(deliveries, ctx) is judged
    assert delivery_facts(deliveries, ctx) is delivery_facts(deliveries, ctx)
    assert late_lot_rows(deliveries, ctx) is late_lot_rows(deliveries, ctx)
    assert list(late_lot_rows(deliveries, ctx)["order_no"]) == ["A"]
    # another register frame (here: the same lots, A delivered on time) is judged on its own
    other = two_lots("2026-10-05")
    assert list(late_lot_rows(other, ctx)["order_no"]) == []
    assert judged_lots(other, ctx) is not judged


def test_judged_complaints_once_per_run():
    complaints = register_frame("complaints", [
        {"complaint_no": "K1", "received_date": "2026-10-05", "customer_code": "C1"}])
    ctx = context_for("2026-10")
    assert judged_complaints(complaints, ctx) is judged_complaints(complaints, ctx)
    assert judged_complaints(complaints, context_for("2026-10")) is not judged_complaints(complaints, ctx)


def test_month_label():
    dates = pd.Series([pd.Timestamp("2026-10-31 23:59"), pd.NaT, pd.Timestamp("2025-01-01"),
                       pd.Timestamp("2026-10-01")], name="d")
    labels = month_label(dates)
    assert labels.dtype == object and labels.name == "d"
    assert labels.tolist() == ["2026-10", None, "2025-01", "2026-10"]
    assert month_label(pd.Series(pd.to_datetime([]))).tolist() == []
    assert month_label(pd.Series(pd.to_datetime([None, None]))).tolist() == [None, None]
