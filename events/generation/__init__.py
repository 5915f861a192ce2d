"""The benchmark data of `manage.py generate_events`: its vocabulary, its drawing and its writing."""
