"""Admin: users and roles (create, change role, reset password, disable or enable) and the demo
world reset. Every action is a service call that checks the admin role and is audited."""

import streamlit as st

from services.identity.accounts import ACCOUNT_ROLES
from ui import admin_actions as act
from ui.admin_views import users_table
from ui.components import flash
from ui.guards import require_page
from ui.safe_text import code

access = require_page("admin")

st.title("Admin")
flash(act.FLASH)
accounts = users_table()
usernames = [a.username for a in accounts]
roles = [r.value for r in ACCOUNT_ROLES]

people, demo = st.tabs(["Users and roles", "Demo world"])
with people:
    create, role, password, status = st.tabs(
        ["Create user", "Change role", "Reset password", "Disable or enable"]
    )
    with create, st.form("admin_create_form"):
        left, right = st.columns(2)
        left.text_input("Username", key="admin_new_username")
        right.text_input("Full name", key="admin_new_name")
        left.text_input("E-mail", key="admin_new_email")
        right.selectbox("Role", roles, key="admin_new_role")
        left.text_input("Password", type="password", key="admin_new_password")
        right.text_input(
            "Passenger e-mail", key="admin_new_passenger_email", help="Customer accounts only"
        )
        st.form_submit_button(
            "Create user", key="admin_create", on_click=act.create_user, args=(access,)
        )
    with role, st.form("admin_role_form"):
        st.selectbox("User", usernames, key="admin_role_user")
        st.selectbox("New role", roles, key="admin_role_role")
        st.text_input(
            "Passenger e-mail", key="admin_role_passenger_email", help="For the customer role"
        )
        st.form_submit_button(
            "Change role", key="admin_change_role", on_click=act.change_role, args=(access,)
        )
    with password, st.form("admin_password_form"):
        st.selectbox("User", usernames, key="admin_password_user")
        st.text_input("New password", type="password", key="admin_password_new")
        st.form_submit_button(
            "Reset password", key="admin_reset_password", on_click=act.reset_password,
            args=(access,),
        )  # fmt: skip
    with status:
        for account in accounts:
            name, button = st.columns([4, 1], vertical_alignment="center")
            state = "disabled" if account.disabled else "enabled"
            name.markdown(f"{code(account.username)} · {account.role.value} · {state}")
            button.button(
                "Enable" if account.disabled else "Disable",
                key=f"admin_toggle_{account.username}",
                on_click=act.toggle_disabled,
                args=(access, account),
            )

with demo:
    st.write(
        "Resetting wipes the database and seeds the demo world again, anchored at the demo "
        "clock: every booking, account and audit record is replaced."
    )
    if not st.session_state.get("admin_reset_confirm"):
        if st.button("Reset demo world…", key="admin_reset_start"):
            st.session_state["admin_reset_confirm"] = True
            st.rerun()
    else:
        st.warning("This cannot be undone. Reset the demo world now?", icon=":material/warning:")
        yes, no = st.columns(2)
        yes.button(
            "Yes, reset the demo world", key="admin_reset_yes", type="primary",
            on_click=act.reset_demo, args=(access,),
        )  # fmt: skip
        if no.button("Cancel", key="admin_reset_cancel"):
            st.session_state["admin_reset_confirm"] = False
            st.rerun()
