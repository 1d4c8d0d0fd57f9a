"""Resolve: staged sheets → the registers the KPIs use, and an account of every row.

registers.md, "Bad rows, duplicates, nothing lost":
- customers are linked to the master by code (exact after normalisation), else by name; a row whose
  customer is not in the master is kept, keyed by what it says, treated as non-automotive, warned;
- the same key twice with identical values: kept once, the extra counted as a duplicate;
- the same key in several files with different values: the row from the workbook with the newest
  modification time wins, the others are superseded (normal for cumulative registers);
- the same key twice inside one sheet with different values: both rows rejected as a conflict;
- for every sheet, rows read = accepted + rejected + skipped, or the run fails loudly.

Registers without a key in the spec (incidents, visits, customer audits) are keyed by the whole
row and by its occurrence among the identical rows of its own sheet: identical rows inside one
sheet are separate events (two fines of the same day are two fines, kpis.md counts them), all kept;
an identical row in another sheet or file is the same record copied, a duplicate kept once
(occurrence k in one sheet pairs with occurrence k in another). README, "Registers the contract
gives no key".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from pipeline.registers import REGISTERS, Register
from pipeline.stage import StagedSheet, empty_register_frame, empty_rejects

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class ReconciliationError(RuntimeError):
    """rows read ≠ accepted + rejected + skipped for a sheet: a bug, never to be papered over."""


@dataclass
class SheetAccount:
    file: str
    sheet: str
    register: str | None
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0
    duplicates: int = 0
    superseded: int = 0

    def as_manifest(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "register": self.register,
                "rows_read": self.rows_read, "accepted": self.accepted, "rejected": self.rejected,
                "skipped": self.skipped, "duplicates": self.duplicates, "superseded": self.superseded}


@dataclass
class Resolved:
    registers: dict[str, pd.DataFrame]
    rejects: pd.DataFrame
    set_aside: pd.DataFrame                      # duplicates and superseded rows, with the row kept
    unknown_customers: pd.DataFrame
    accounts: list[SheetAccount] = field(default_factory=list)


def normalised_text(values: pd.Series) -> pd.Series:
    """Text as compared for identity: NFKC (full-width → half-width), no whitespace, case folded.

    Works on the distinct values only: a register names a few thousand customers a million times.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(np.nan, index=values.index, dtype="object")
    text = pd.Series(uniques).astype("str")
    norm = text.str.normalize("NFKC").str.replace(r"\s+", "", regex=True).str.casefold()
    norm = norm.where(norm.ne(""), np.nan).to_numpy(dtype=object)
    out = np.where(codes >= 0, norm[np.maximum(codes, 0)], np.nan)
    return pd.Series(out, index=values.index, dtype="object")


def _row_hash(frame: pd.DataFrame, columns: list[str],
              column_hashes: dict[str, np.ndarray] | None = None) -> pd.Series:
    """A 64-bit hash of the values in `columns`, per row (vectorised; used for identity only).

    The same number as `pd.util.hash_pandas_object(frame[columns], index=False)`, put together
    from each column's own hash. `column_hashes` keeps those between calls on one frame: the key
    and the content of a row share columns, and each hash of a million texts costs.
    """
    if not columns:
        return pd.Series(np.zeros(len(frame), dtype="uint64"), index=frame.index)
    if column_hashes is None:
        column_hashes = {}
    for col in columns:
        if col not in column_hashes:
            column_hashes[col] = pd.util.hash_pandas_object(frame[col], index=False).to_numpy()
    # the columns combined as hash_pandas_object combines them (CPython's tuple hash)
    out = np.full(len(frame), 0x345678, dtype="uint64")
    mult = np.uint64(1000003)
    for i, col in enumerate(columns):
        out ^= column_hashes[col]
        out *= mult
        mult += np.uint64(82520 + 2 * (len(columns) - i))
    out += np.uint64(97531)
    return pd.Series(out, index=frame.index, dtype="uint64")


def _key_columns(register: Register) -> list[str]:
    if register.key:
        return ["customer_key" if c == "customer" else c for c in register.key]
    return _content_columns(register)


def _key_hash(frame: pd.DataFrame, register: Register,
              column_hashes: dict[str, np.ndarray] | None = None) -> pd.Series:
    """One comparable key per row (a hash; `_key_text` spells it out for the report)."""
    if register.name == "deliveries":
        # registers.md: by (order_no, lot_no) when a lot is given, else (order_no, part_no, due_date)
        has_lot = frame["lot_no"].notna()
        lot_key = _row_hash(frame, ["order_no", "lot_no"], column_hashes)
        fallback = (_row_hash(frame, ["order_no", "part_no", "due_date"], column_hashes)
                    ^ np.uint64(0x9E3779B97F4A7C15))
        return lot_key.where(has_lot, fallback)
    return _row_hash(frame, _key_columns(register), column_hashes)


def _occurrence_key(content: pd.Series, sheet: pd.Series) -> pd.Series:
    """The key of a row of a register without a key: its content and its occurrence number among
    the identical rows of its sheet (0 for the first, 1 for the second, ...).

    Identical rows inside one sheet so get different keys (separate events, all kept); the k-th
    copy of a row in one sheet has the same key as the k-th copy in another sheet (the same record
    copied: a duplicate, kept once). `sheet` is the sheet's number (`_order`).
    """
    occurrence = (pd.DataFrame({"sheet": sheet.to_numpy(), "content": content.to_numpy()})
                  .groupby(["sheet", "content"], sort=False).cumcount().to_numpy())
    hashes = {"content": content.to_numpy(),
              "occurrence": pd.util.hash_array(occurrence.astype("int64"))}
    return _row_hash(content.to_frame(), ["content", "occurrence"], hashes)


def _key_text(frame: pd.DataFrame, register: Register) -> pd.Series:
    if register.name == "deliveries":
        has_lot = frame["lot_no"].notna()
        return _join(frame, ["order_no", "lot_no"]).where(has_lot, _join(frame, ["order_no", "part_no", "due_date"]))
    return _join(frame, _key_columns(register))


def _readable(key: pd.Series) -> pd.Series:
    return key.str.replace("\x1f", " | ").str.replace("\x00", "")


def _content_columns(register: Register) -> list[str]:
    return list(register.column_names)


def _join(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    parts = []
    for col in columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d %H:%M:%S")
        parts.append(s.astype("str").fillna("\x00"))
    if not parts:
        return pd.Series("", index=frame.index)
    out = parts[0]
    for p in parts[1:]:
        out = out + "\x1f" + p
    return out


def _distinct_rows(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's number among the distinct rows of `frame`, and those distinct rows (in order of
    first appearance). Missing values compare equal to each other, as in a group-by."""
    number = np.zeros(len(frame), dtype="int64")
    for col in frame.columns:
        codes, uniques = pd.factorize(frame[col], use_na_sentinel=True)     # missing: -1
        # numbered again in order of first appearance (which also keeps it below len(frame))
        number, _ = pd.factorize(number * (len(uniques) + 1) + (codes + 1))
    # numbered in order of first appearance, the first row of each distinct row is a new maximum
    first = np.flatnonzero(np.diff(np.maximum.accumulate(number), prepend=-1) > 0)
    return number, frame.iloc[first]


def _link_distinct(frame: pd.DataFrame, master: pd.DataFrame | None) -> dict[str, pd.Series]:
    """`link_customers`' new columns for a frame of customer_code and customer_name."""
    code_norm = normalised_text(frame["customer_code"])
    name_norm = normalised_text(frame["customer_name"])
    if master is None or master.empty:
        key = frame["customer_code"].where(frame["customer_code"].notna(), frame["customer_name"])
        return {"customer_key": key.astype("str")}
    by_code = pd.Series(master["customer_code"].to_numpy(), index=normalised_text(master["customer_code"]))
    by_code = by_code[~by_code.index.duplicated()]
    by_name = pd.Series(master["customer_code"].to_numpy(), index=normalised_text(master["customer_name"]))
    by_name = by_name[~by_name.index.duplicated()]
    linked = code_norm.map(by_code)
    linked = linked.where(linked.notna(), name_norm.map(by_name))
    is_linked = linked.notna()
    key = linked.where(is_linked, frame["customer_code"].where(frame["customer_code"].notna(),
                                                               frame["customer_name"]))
    info = master.drop_duplicates("customer_code").set_index("customer_code")
    segment = linked.map(info["segment"]).where(is_linked, "non-automotive")
    code = frame["customer_code"].where(frame["customer_code"].notna() | ~is_linked, linked)
    name = frame["customer_name"].where(frame["customer_name"].notna() | ~is_linked,
                                        linked.map(info["customer_name"]))
    return {"customer_code": code.astype("str"), "customer_name": name.astype("str"),
            "customer_key": key.astype("str"), "segment": segment.astype("str"),
            "_linked": is_linked.astype(bool)}


def link_customers(frame: pd.DataFrame, master: pd.DataFrame | None) -> pd.DataFrame:
    """Add customer_key and segment; fill code/name from the master for linked rows."""
    # a register names a few thousand customers a million times: each distinct (code, name)
    # pair is linked once, and the answers are spread back over the rows
    row_pair, pairs = _distinct_rows(frame[["customer_code", "customer_name"]])
    columns = {name: pd.Series(values.array.take(row_pair), index=frame.index, name=name)
               for name, values in _link_distinct(pairs, master).items()}
    if master is None or master.empty:
        return frame.assign(**columns, segment="non-automotive", _linked=False)
    return frame.assign(**columns)


def _stack(staged: list[StagedSheet], register: Register, mtimes: dict[str, datetime]) -> pd.DataFrame:
    sheets = [s for s in staged if len(s.frame)]
    if not sheets:
        return empty_register_frame(register).assign(_mtime=pd.Series(dtype="float64"), _order=pd.Series(dtype="int64"))
    stacked = pd.concat([s.frame for s in sheets], ignore_index=True)
    order = {(s.file, s.sheet): i for i, s in enumerate(staged)}
    stamp = {f: (m or EPOCH).timestamp() for f, m in mtimes.items()}
    # stage_sheet stamps every row of a sheet's frame with that sheet's file and sheet: the
    # per-row values are the per-sheet ones repeated (no Python work per row)
    rows = [len(s.frame) for s in sheets]
    return stacked.assign(
        _mtime=np.repeat(np.array([stamp.get(s.file, np.nan) for s in sheets], dtype="float64"), rows),
        _order=np.repeat(np.array([order[(s.file, s.sheet)] for s in sheets], dtype="int64"), rows),
    )


def resolve(staged: list[StagedSheet], mtimes: dict[str, datetime]) -> Resolved:
    """Stack the staged sheets per register, link customers, and set aside duplicates,
    superseded rows and in-sheet conflicts."""
    by_register: dict[str, list[StagedSheet]] = {}
    for s in staged:
        by_register.setdefault(s.register, []).append(s)
    registers: dict[str, pd.DataFrame] = {}
    rejects = [s.rejects for s in staged if len(s.rejects)]
    set_aside: list[pd.DataFrame] = []
    unknown: list[pd.DataFrame] = []
    conflicts_by_sheet: dict[tuple[str, str], int] = {}
    dups_by_sheet: dict[tuple[str, str], int] = {}
    sup_by_sheet: dict[tuple[str, str], int] = {}

    ordered = sorted(by_register, key=lambda name: (name != "customers", list(REGISTERS).index(name)))
    for name in ordered:
        register = REGISTERS[name]
        frame = _stack(by_register[name], register, mtimes)
        if name != "customers":
            frame = link_customers(frame, registers.get("customers"))
            linked = frame["_linked"].to_numpy(dtype=bool)
            if "customers" in registers and not linked.all():
                miss = frame[~linked]
                unknown.append(miss.groupby("customer_key", dropna=False).agg(
                    register=("_file", lambda _s, n=name: n), rows=("_row", "size"),
                    first_file=("_file", "first"), first_sheet=("_sheet", "first"),
                    first_row=("_row", "first")).reset_index())
            frame = frame.drop(columns="_linked")
        # The rows are chosen and ordered on `slim`, numbers only, indexed by the row's position
        # in `frame`; the register's own columns, mostly text, are moved once, at the end (each
        # move of them costs up to a second on a million rows).
        # A sheet's file is its rank among the register's file names (`_order` is the sheet's
        # place in by_register[name]): rows sort by it as by the name, with no text sort.
        rank = {f: i for i, f in enumerate(sorted({s.file for s in by_register[name]}))}
        file_rank = np.array([rank[s.file] for s in by_register[name]], dtype="int64")
        column_hashes: dict[str, np.ndarray] = {}          # shared by the key and the content hash
        content = _row_hash(frame, _content_columns(register), column_hashes)
        if register.key:
            key = _key_hash(frame, register, column_hashes)
        else:
            key = _occurrence_key(content, frame["_order"])
        slim = pd.DataFrame({"_file": file_rank[frame["_order"].to_numpy()], "_mtime": frame["_mtime"],
                             "_order": frame["_order"], "_row": frame["_row"],
                             "_key": key, "_content": content})
        # Only a row whose key appears more than once can conflict, be a duplicate or be
        # superseded: those rows (usually few) are judged in `shared`, the others are kept.
        shared = slim[slim.duplicated("_key", keep=False).to_numpy()]
        # 1. In-sheet conflicts: same key, different values, inside one sheet → all rejected
        # (a sheet's `_order` stands for its (file, sheet): a number groups faster than two texts).
        conflict = np.zeros(len(slim), dtype=bool)
        per_sheet = shared.groupby(["_order", "_key"], sort=False)["_content"].transform("nunique")
        conflict[shared.index[per_sheet.gt(1).to_numpy()]] = True
        if conflict.any():
            bad = frame[conflict]
            rejects.append(pd.DataFrame({
                "file": bad["_file"], "sheet": bad["_sheet"], "row": bad["_row"].astype("int64"),
                "register": name, "column": "", "value": _readable(_key_text(bad, register)),
                "reason": "conflict"}))
            for k, v in bad.groupby(["_file", "_sheet"]).size().items():
                conflicts_by_sheet[k] = conflicts_by_sheet.get(k, 0) + int(v)
            shared = shared[~conflict[shared.index]]
        # 2. Winner order: newest workbook first, then the later file/sheet; inside a sheet the
        # first occurrence (an identical copy below it is the duplicate).
        shared = shared.sort_values(["_mtime", "_order", "_row"], ascending=[False, False, True],
                                    kind="mergesort")
        duplicate = shared.duplicated(["_key", "_content"], keep="first")
        superseded = ~duplicate & shared.duplicated(["_key"], keep="first")
        winners = shared[~duplicate & ~superseded]
        for mask, kind, counter in ((duplicate, "duplicate", dups_by_sheet), (superseded, "superseded", sup_by_sheet)):
            if mask.any():
                rows = frame.take(shared.index[mask.to_numpy()])
                winner = pd.Series(winners.index, index=winners["_key"]).reindex(shared.loc[mask, "_key"])
                w = frame.take(winner.to_numpy())
                set_aside.append(pd.DataFrame({
                    "register": name, "kind": kind, "file": rows["_file"].to_numpy(),
                    "sheet": rows["_sheet"].to_numpy(), "row": rows["_row"].to_numpy().astype("int64"),
                    "key": _readable(_key_text(rows, register)).to_numpy(),
                    "kept_file": w["_file"].to_numpy(), "kept_sheet": w["_sheet"].to_numpy(),
                    "kept_row": w["_row"].to_numpy()}))
                for k, v in rows.groupby(["_file", "_sheet"]).size().items():
                    counter[k] = counter.get(k, 0) + int(v)
        dropped = conflict.copy()
        dropped[shared.index[(duplicate | superseded).to_numpy()]] = True
        used = slim[~dropped].sort_values(["_file", "_order", "_row"], kind="mergesort").index
        registers[name] = frame.take(used).drop(columns=["_mtime", "_order"]).reset_index(drop=True)

    accounts = []
    for s in staged:
        k = (s.file, s.sheet)
        conflicts = conflicts_by_sheet.get(k, 0)
        acc = SheetAccount(s.file, s.sheet, s.register, s.rows_read, s.accepted - conflicts,
                           s.rejected + conflicts, s.skipped, dups_by_sheet.get(k, 0), sup_by_sheet.get(k, 0))
        if acc.rows_read != acc.accepted + acc.rejected + acc.skipped:
            raise ReconciliationError(
                f"{s.file} [{s.sheet}]: read {acc.rows_read} ≠ accepted {acc.accepted} + rejected "
                f"{acc.rejected} + skipped {acc.skipped}")
        accounts.append(acc)
    all_rejects = pd.concat(rejects, ignore_index=True) if rejects else empty_rejects()
    all_rejects = all_rejects.sort_values(["file", "sheet", "row", "column", "reason"], kind="mergesort")
    aside = pd.concat(set_aside, ignore_index=True) if set_aside else pd.DataFrame(
        columns=["register", "kind", "file", "sheet", "row", "key", "kept_file", "kept_sheet", "kept_row"])
    unknown_df = pd.concat(unknown, ignore_index=True) if unknown else pd.DataFrame(
        columns=["customer_key", "register", "rows", "first_file", "first_sheet", "first_row"])
    return Resolved(registers, all_rejects.reset_index(drop=True), aside, unknown_df, accounts)
