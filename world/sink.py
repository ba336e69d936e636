"""Where generators put their rows: primary keys are handed out here (so children can reference
parents before anything reaches the database) and rows go to the writer in chunks."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from typing import Any, Protocol

from world.bulk import TABLE_ORDER, Row


class Writer(Protocol):
    def write(self, table: str, rows: list[Row]) -> None: ...


class RowSink:
    """`add` only appends (it runs millions of times); generators call `maybe_flush` between
    whole entities (a booking, a conversation), so a chunk never splits one."""

    def __init__(self, writer: Writer, *, chunk_rows: int = 200_000, progress: Any = None) -> None:
        self.writer = writer
        self.chunk_rows = chunk_rows
        self.progress = progress  # a tqdm bar, or None
        self.counts: Counter[str] = Counter()
        self._ids: defaultdict[str, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._rows: defaultdict[str, list[Row]] = defaultdict(list)

    def next_id(self, table: str) -> int:
        return next(self._ids[table])

    def add(self, table: str, row: Row) -> None:
        self._rows[table].append(row)

    def extend(self, table: str, rows: list[Row]) -> None:
        self._rows[table].extend(rows)
        self.maybe_flush()

    def maybe_flush(self) -> None:
        if sum(map(len, self._rows.values())) >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        """Write everything buffered, parents first: every id handed out so far belongs to a row
        that is either written now or was written earlier."""
        for table in TABLE_ORDER:
            rows = self._rows.pop(table, None)
            if rows:
                self.writer.write(table, rows)
                self.counts[table] += len(rows)
                if self.progress is not None:
                    self.progress.update(len(rows))
