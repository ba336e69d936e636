"""SkyDesk: the Streamlit entry point (`streamlit run app.py`).

Every run: page config; in production, no error details in the browser and a refusal to start
while the deployment is unsafe; sign the browser in (cookie) or show the sign-in form; then the
navigation with the pages the role may use, the sidebar, and the chosen page, which checks the
role again itself (ui/guards.py). All of it runs inside ui.guards.faults_shown_safely: a fault
shows a sentence and a reference, never a traceback with SQL."""

import streamlit as st

import observability
from services.identity import users
from ui import auth, navigation, resources
from ui.components import sidebar
from ui.demo_logins import demo_logins
from ui.guards import faults_shown_safely
from ui.layout import fit_laptop_screens
from ui.waiting_panel import waiting_approvals

st.set_page_config(page_title="SkyDesk", page_icon="✈️", layout="wide")
fit_laptop_screens()
settings = resources.settings()
observability.setup(settings)  # JSON logs and the metrics endpoint; idempotent per process
if settings.environment == "production":
    # Even an exception nothing caught shows no type, message or stack in the browser (also set
    # in the Dockerfile for errors before this line runs).
    st.set_option("client.showErrorDetails", "none")


# `database_url` is the cache key: one answer per database, read inside from the settings.
@st.cache_resource(ttl=60, show_spinner=False)
def production_problems(database_url: str) -> list[str]:  # noqa: ARG001
    # bcrypt checks of the demo passwords take ~1 s: once a minute per process, not per click.
    with resources.db_session() as session:
        return users.production_readiness_problems(session, settings)


with faults_shown_safely():  # never a traceback with SQL in the page
    if settings.environment == "production":
        problems = production_problems(settings.database_url)
        if problems:
            st.error(
                "**SkyDesk refuses to start in production mode:**\n\n"
                + "\n".join(f"- {problem}" for problem in problems),
                icon=":material/gpp_bad:",
            )
            st.stop()

    auth.cookie_style()
    with resources.db_session() as session:
        auth.restore_from_cookie(session)  # a session's first run only
        account = auth.current_account(session)

    user_box = st.sidebar.container()
    if account is not None and auth.sign_out_button(account):
        account = None
    if account is None:
        asked_for = navigation.navigation(None)
        account = auth.sign_in_form()
        if account is None:
            demo_logins()  # demo mode only
            st.stop()
        auth.write_pending_cookie(in_sidebar=False)  # in this run: before the first page
        # A link's passenger and conversation survive the sign-in (checked by the page).
        link = st.query_params.to_dict()
        st.switch_page(navigation.landing(asked_for, account.role), query_params=link)

    auth.write_pending_cookie()
    page = navigation.navigation(account.role)
    sidebar(user_box, account, resources.clock())
    waiting_box = st.sidebar.container()
    auth.hand_to_page(account)
    try:
        page.run()
    finally:  # also after a page's st.stop: what waits is shown on every page
        waiting_approvals(waiting_box, account)
