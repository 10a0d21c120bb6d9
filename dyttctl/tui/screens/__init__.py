"""The dashboard and the screens it opens."""
