"""Talking to the WeChat API: the client, the shared token store and a fake server for tests."""
