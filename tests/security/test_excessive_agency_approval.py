"""The harness itself: an attacker's write still waits for approval."""

from __future__ import annotations


def test_attacker_write_waits_for_approval(attack, world) -> None:
    result = attack([("cancel_ticket", {"ticket_no": world.ticket})])
    assert len(result.cards) == 1
    assert result.cards[0].request.tool == "cancel_ticket"
