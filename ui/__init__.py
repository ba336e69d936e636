"""The Streamlit layer's shared parts: resources, sign-in, navigation, page guards, widgets.

Only app.py, app_pages/ and ui/ import streamlit; everything they do goes through services/."""
