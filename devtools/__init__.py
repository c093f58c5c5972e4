"""Development tooling: fake WeChat API, phone simulator, demo data.

Used by the CLI, tests and benches; never imported by bot/ or webhooks/.
"""
