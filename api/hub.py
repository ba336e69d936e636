"""Tells the streams of this process that a run here logged an event (a version counter per
conversation that streams watch; other replicas' events are found by the streams' re-read of
the log every POLL_S), and which conversations have a run in progress here."""

from __future__ import annotations

import threading
from collections import defaultdict

POLL_S = 0.5  # how often a waiting stream re-reads the log for another replica's events


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: defaultdict[str, int] = defaultdict(int)
        self._running: set[str] = set()

    def begin(self, conversation_id: str) -> bool:
        """Claim the conversation for one run in this process; False if one is running."""
        with self._lock:
            if conversation_id in self._running:
                return False
            self._running.add(conversation_id)
            return True

    def end(self, conversation_id: str) -> None:
        with self._lock:
            self._running.discard(conversation_id)

    def version(self, conversation_id: str) -> int:
        with self._lock:
            return self._versions[conversation_id]

    def notify(self, conversation_id: str) -> None:
        with self._lock:
            self._versions[conversation_id] += 1
