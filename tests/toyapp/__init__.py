"""A toy app for tests/core/test_plug_in.py: everything it adds, it declares in its own files."""
