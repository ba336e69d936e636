"""What the Admin page shows: the users table."""

from __future__ import annotations

import streamlit as st

from services.identity import accounts
from services.identity.accounts import Account
from ui import resources
from ui.components import table

cc = st.column_config


def users_table() -> list[Account]:
    with resources.db_session() as session:
        found = accounts.list_accounts(session)
    table(
        [
            {
                "username": a.username,
                "name": a.name,
                "email": a.email,
                "role": a.role.value,
                "passenger_id": a.passenger_id,
                "enabled": not a.disabled,
                "created_at": a.created_at,
            }
            for a in found
        ],
        {
            "username": cc.TextColumn("Username"),
            "name": cc.TextColumn("Name"),
            "email": cc.TextColumn("E-mail"),
            "role": cc.TextColumn("Role"),
            "passenger_id": cc.NumberColumn("Passenger", format="%d"),
            "enabled": cc.CheckboxColumn("Enabled"),
            "created_at": cc.DatetimeColumn("Created", format="YYYY-MM-DD HH:mm"),
        },
        empty="No users.",
        key="admin_users",
    )
    return found
