"""The favorite service: likes and the lists of liked videos."""
