"""Room for the desk on a laptop screen (1024 to 1280 px wide): Streamlit's wide layout keeps
5rem of padding on each side and a 300 px sidebar, which left the Chat page's side column
~110 px at 1024 px, so its buttons read "Mark re..." and "Escal...". One fixed style sheet
(no user text in it): less padding, a narrower sidebar below 1280 px, and button labels that
wrap instead of being cut."""

from __future__ import annotations

import streamlit as st

CSS = """
<style>
[data-testid="stMainBlockContainer"] {
  padding-left: 2rem;
  padding-right: 2rem;
  padding-top: 2.5rem;
}
@media (max-width: 1279px) {
  section[data-testid="stSidebar"][data-collapsed="false"] {
    width: 232px !important;
    min-width: 232px !important;
    max-width: 232px !important;
  }
}
[data-testid="stBaseButton-secondary"] p,
[data-testid="stBaseButton-tertiary"] p,
[data-testid="stBaseButton-primary"] p,
[data-testid="stPopover"] button p {
  white-space: normal;
  overflow-wrap: anywhere;
}
</style>
"""


def fit_laptop_screens() -> None:
    """Apply the style sheet (a style-only st.html takes no room on the page)."""
    st.html(CSS)
