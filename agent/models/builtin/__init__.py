"""The built-in offline model (the default): see model.py."""

from agent.models.builtin.model import BuiltinChatModel

__all__ = ["BuiltinChatModel"]
