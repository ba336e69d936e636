"""The assistant: a LangGraph StateGraph over the service layer (see agent/runtime.py)."""
